"""The history of one conversation as a flat list model: date rows, an unread row, messages.

Confirmed messages are kept in id order; outbox messages ("sending") always
follow them. Appends and prepends are incremental so a 20,000-message history
stays smooth; only an out-of-order arrival resets the model.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.core.models import Message, StatusUpdate, id_key

KindRole = Qt.ItemDataRole.UserRole + 1
MessageRole = Qt.ItemDataRole.UserRole + 2
DateRole = Qt.ItemDataRole.UserRole + 3

DATE, UNREAD, MESSAGE = "date", "unread", "message"

#: Messages kept in the model at once. Scrolling further back drops the newest ones (they come
#: back from the cache when the person scrolls down), so every relayout stays small.
WINDOW = 1500


@dataclass(frozen=True)
class Row:
    kind: str
    message: Message | None = None
    day: date | None = None


def local_day(message: Message) -> date:
    return message.created_at.astimezone().date()


def _sort_key(m: Message) -> tuple[int, tuple[int, str], float]:
    return (1 if m.id is None else 0, id_key(m.id), m.created_at.timestamp())


class MessageListModel(QAbstractListModel):
    """Rows of one conversation for :class:`desktop.ui.message_delegate.MessageDelegate`."""

    def __init__(self, me: str, peer_id: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.me = me
        self.peer_id = peer_id
        self._rows: list[Row] = []
        self._unread_from: str | None = None
        self.has_more = True  # older messages may exist (cache or server)
        self.has_newer = False  # newer messages were dropped from the window (they are in the cache)
        self.loading_older = False
        self.loading_newer = False
        #: The rows came from the server around a message (a search result) the cache lacked: the
        #: pages after them come from the server too, not the cache (desktop/qt/history_jump.py).
        self.server_window = False
        #: Words a screen reader says for a message (author, text, time), set by the chat view, which
        #: knows the names and the language.
        self.accessible_text: Callable[[Message], str] | None = None
        self.window = WINDOW

    # Qt API ---------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == KindRole:
            return row.kind
        if role == MessageRole:
            return row.message
        if role == DateRole:
            return row.day
        if role == Qt.ItemDataRole.AccessibleTextRole and row.kind == MESSAGE and row.message is not None \
                and self.accessible_text is not None:
            return self.accessible_text(row.message)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if row.kind == MESSAGE and row.message is not None:
                who = "You" if row.message.sender_id == self.me else "They"
                text = "Message deleted" if row.message.deleted else row.message.body
                return f"{who}: {text}" if role == Qt.ItemDataRole.AccessibleTextRole else text
            if row.kind == DATE and row.day is not None:
                return row.day.isoformat()
            if row.kind == UNREAD:
                return "Unread messages"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if index.isValid() and self._rows[index.row()].kind == MESSAGE:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return Qt.ItemFlag.ItemIsEnabled

    # reading -----------------------------------------------------------------------
    def messages(self) -> list[Message]:
        return [r.message for r in self._rows if r.kind == MESSAGE and r.message is not None]

    def message_at(self, row: int) -> Message | None:
        return self._rows[row].message if 0 <= row < len(self._rows) else None

    def oldest_id(self) -> str | None:
        for r in self._rows:
            if r.kind == MESSAGE and r.message is not None and r.message.id is not None:
                return r.message.id
        return None

    def newest_id(self) -> str | None:
        for r in reversed(self._rows):
            if r.kind == MESSAGE and r.message is not None and r.message.id is not None:
                return r.message.id
        return None

    def newest_incoming_id(self) -> str | None:
        for r in reversed(self._rows):
            m = r.message
            if m is not None and m.id is not None and m.sender_id != self.me:
                return m.id
        return None

    def row_of(self, *, message_id: str | None = None, client_id: str | None = None) -> int:
        for i in range(len(self._rows) - 1, -1, -1):
            m = self._rows[i].message
            if m is None:
                continue
            if (message_id is not None and m.id == message_id) or \
                    (client_id and m.client_id == client_id):
                return i
        return -1

    # writing -----------------------------------------------------------------------
    def reset(self, messages: Iterable[Message], unread_from: str | None = None) -> None:
        self.beginResetModel()
        self._unread_from = unread_from
        self._rows = self._build(sorted(self._dedup(messages), key=_sort_key), None)
        self.has_newer = False
        self.server_window = False
        self.endResetModel()

    def prepend(self, older: list[Message]) -> int:
        """Insert an older page above; return how many rows were added."""
        known = {m.id for m in self.messages() if m.id is not None}
        older = sorted((m for m in self._dedup(older) if m.id not in known), key=_sort_key)
        if not older:
            return 0
        first = self._first_message()
        if first is not None and local_day(older[-1]) == local_day(first) and self._rows[0].kind == DATE:
            self.beginRemoveRows(QModelIndex(), 0, 0)
            del self._rows[0]
            self.endRemoveRows()
            removed = 1
        else:
            removed = 0
        rows = self._build(older, None)
        self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
        self._rows[0:0] = rows
        self.endInsertRows()
        self._trim_bottom()
        return len(rows) - removed

    def append_newer(self, newer: list[Message], *, at_end: bool, pending: list[Message] = ()) -> None:
        """Add the page after the newest shown message (the person scrolls back down)."""
        known = {m.id for m in self.messages() if m.id is not None}
        for m in sorted((m for m in self._dedup(newer) if m.id not in known), key=_sort_key):
            self._insert(m)
        if at_end:
            self.has_newer = False
            for m in pending:
                if self.row_of(client_id=m.client_id) < 0:
                    self._insert(m)
        self._trim_top()

    def _trim_bottom(self) -> None:
        """Keep the oldest ``window`` messages: drop the newest rows (and any outbox rows)."""
        count = 0
        for i, r in enumerate(self._rows):
            if r.kind == MESSAGE:
                count += 1
                if count == self.window:
                    cut = i + 1
                    break
        else:
            return
        if cut >= len(self._rows):
            return
        self.beginRemoveRows(QModelIndex(), cut, len(self._rows) - 1)
        del self._rows[cut:]
        self.endRemoveRows()
        self.has_newer = True

    def _trim_top(self) -> None:
        """Keep the newest ``window`` messages: drop the oldest rows, keep a date row on top."""
        count = 0
        start = -1
        for i in range(len(self._rows) - 1, -1, -1):
            if self._rows[i].kind == MESSAGE:
                count += 1
                if count == self.window:
                    start = i
                    break
        if start <= 0:
            return
        self.beginRemoveRows(QModelIndex(), 0, start - 1)
        del self._rows[:start]
        self.endRemoveRows()
        self.has_more = True
        first = self._rows[0].message
        if first is not None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._rows.insert(0, Row(DATE, day=local_day(first)))
            self.endInsertRows()

    def upsert(self, message: Message) -> None:
        """Add a message, or update the copy with the same id (or client id) in place.

        An older copy of a stored message (a page fetched before a live edit) does not
        undo the edit: see :meth:`Message.merged`.
        """
        row = self.row_of(message_id=message.id, client_id=message.client_id)
        if row >= 0:
            old = self._rows[row].message
            assert old is not None
            if old.id is None and message.id is not None:  # the outbox copy got stored
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
                self._drop_orphan_date(row)
            else:
                both_stored = old.id is not None and message.id is not None
                self._set(row, old.merged(message) if both_stored else message)
                return
        newest = self.newest_id()
        if self.has_newer and (message.id is None or newest is None or id_key(message.id) > id_key(newest)):
            return  # beyond the loaded window: it is in the cache and shows when scrolled down
        self._insert(message)

    def remove_pending(self, client_id: str) -> None:
        row = self.row_of(client_id=client_id)
        if row >= 0 and self._rows[row].message is not None and self._rows[row].message.id is None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
            self._drop_orphan_date(row)

    def apply_status(self, update: StatusUpdate) -> None:
        for message_id in update.ids:
            row = self.row_of(message_id=message_id)
            if row < 0:
                continue
            m = self._rows[row].message
            assert m is not None
            if update.status == "read":
                m = m.replace(read_at=m.read_at or update.at, delivered_at=m.delivered_at or update.at)
            else:
                m = m.replace(delivered_at=m.delivered_at or update.at)
            self._set(row, m)

    def mark_deleted(self, message_id: str) -> None:
        row = self.row_of(message_id=message_id)
        if row >= 0:
            m = self._rows[row].message
            assert m is not None
            self._set(row, m.replace(deleted=True, body=""))

    def set_unread_marker(self, message_id: str | None) -> None:
        """Put the "Unread messages" row just above ``message_id`` (None: no row)."""
        if message_id is not None and message_id == self._unread_from and \
                any(r.kind == UNREAD for r in self._rows):
            return
        self.clear_unread_marker()
        row = self.row_of(message_id=message_id) if message_id is not None else -1
        if row < 0:
            return
        self._unread_from = message_id
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, Row(UNREAD))
        self.endInsertRows()

    def first_unread_id(self, unread: int) -> str | None:
        """The oldest of the ``unread`` newest incoming messages shown, if they are all here."""
        incoming = [m for m in self.messages() if m.sender_id != self.me and m.id is not None]
        return incoming[-unread].id if 0 < unread <= len(incoming) else None

    def clear_unread_marker(self) -> None:
        for i, r in enumerate(self._rows):
            if r.kind == UNREAD:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self.endRemoveRows()
                break
        self._unread_from = None

    # internals ---------------------------------------------------------------------
    def _set(self, row: int, message: Message) -> None:
        self._rows[row] = Row(MESSAGE, message)
        idx = self.index(row)
        self.dataChanged.emit(idx, idx)

    def _first_message(self) -> Message | None:
        for r in self._rows:
            if r.kind == MESSAGE:
                return r.message
        return None

    def _dedup(self, messages: Iterable[Message]) -> list[Message]:
        seen: dict[str, Message] = {}
        for m in messages:
            seen[m.id if m.id is not None else "c:" + m.client_id] = m
        return list(seen.values())

    def _build(self, messages: list[Message], prev_day: date | None) -> list[Row]:
        rows: list[Row] = []
        for m in messages:
            day = local_day(m)
            if day != prev_day:
                rows.append(Row(DATE, day=day))
                prev_day = day
            if self._unread_from is not None and m.id == self._unread_from:
                rows.append(Row(UNREAD))
            rows.append(Row(MESSAGE, m))
        return rows

    def _insert(self, message: Message) -> None:
        key = _sort_key(message)
        pos = len(self._rows)  # after the last message that sorts before it
        while pos > 0:
            prev = self._rows[pos - 1].message
            if prev is not None and _sort_key(prev) <= key:
                break
            pos -= 1
        if pos == 0 and self._rows:
            self.reset(self.messages() + [message], self._unread_from)
            return
        day = local_day(message)
        if pos < len(self._rows) and self._rows[pos].kind == DATE and self._rows[pos].day == day:
            pos += 1  # join the following day's group
            rows = [Row(MESSAGE, message)]
        else:
            prev_msg = next((r.message for r in reversed(self._rows[:pos]) if r.message is not None), None)
            following = self._rows[pos].message if pos < len(self._rows) else None
            if following is not None and local_day(following) != day:
                self.reset(self.messages() + [message], self._unread_from)
                return
            rows = self._build([message], local_day(prev_msg) if prev_msg else None)
        self.beginInsertRows(QModelIndex(), pos, pos + len(rows) - 1)
        self._rows[pos:pos] = rows
        self.endInsertRows()

    def _drop_orphan_date(self, row: int) -> None:
        """Remove a date row left with no message under it."""
        at = row - 1
        if 0 <= at < len(self._rows) and self._rows[at].kind == DATE:
            nxt = self._rows[at + 1] if at + 1 < len(self._rows) else None
            if nxt is None or nxt.kind == DATE:
                self.beginRemoveRows(QModelIndex(), at, at)
                del self._rows[at]
                self.endRemoveRows()
