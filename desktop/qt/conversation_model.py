"""The conversation list, newest activity first, updated in place as events arrive."""
from __future__ import annotations

from typing import Any, Iterable

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop.core.models import Conversation, Message, Presence, UserSummary, id_key

ConversationRole = Qt.ItemDataRole.UserRole + 1
PeerIdRole = Qt.ItemDataRole.UserRole + 2


class ConversationListModel(QAbstractListModel):
    """One row per peer.

    Signals:
        unreadChanged(int): total unread messages over every conversation.
    """

    unreadChanged = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[Conversation] = []
        self._typing: set[str] = set()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        conv = self._items[index.row()]
        if role == ConversationRole:
            return conv
        if role == PeerIdRole:
            return conv.peer.id
        if role == Qt.ItemDataRole.DisplayRole:
            return conv.peer.display_name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            unread = f", {conv.unread_count} unread" if conv.unread_count else ""
            online = ", online" if conv.peer.online else ""
            return f"{conv.peer.display_name}{online}{unread}"
        if role == Qt.ItemDataRole.UserRole + 3:
            return conv.peer.id in self._typing
        return None

    # reading ---------------------------------------------------------------------
    def get(self, peer_id: str) -> Conversation | None:
        row = self.row_of(peer_id)
        return self._items[row] if row >= 0 else None

    def row_of(self, peer_id: str) -> int:
        for i, c in enumerate(self._items):
            if c.peer.id == peer_id:
                return i
        return -1

    def conversations(self) -> list[Conversation]:
        return list(self._items)

    def total_unread(self) -> int:
        return sum(c.unread_count for c in self._items)

    # writing ---------------------------------------------------------------------
    def reset(self, conversations: Iterable[Conversation]) -> None:
        self.beginResetModel()
        self._items = sorted(conversations, key=lambda c: c.activity, reverse=True)
        self.endResetModel()
        self.unreadChanged.emit(self.total_unread())

    def upsert(self, conv: Conversation) -> None:
        """Add or replace a conversation and move it to its place by activity."""
        row = self.row_of(conv.peer.id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._items[row]
            self.endRemoveRows()
        pos = 0
        while pos < len(self._items) and self._items[pos].activity > conv.activity:
            pos += 1
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._items.insert(pos, conv)
        self.endInsertRows()
        self.unreadChanged.emit(self.total_unread())

    def add_message(self, message: Message, me: str, *, unread: bool, name: str | None = None) -> None:
        peer_id = message.peer_of(me)
        conv = self.get(peer_id)
        if conv is None:
            conv = Conversation(peer=UserSummary(peer_id, name or "…"))
        last = conv.last_message
        if last is not None and last.id is not None and last.id == message.id:
            conv = conv.replace(last_message=last.merged(message))  # never an older copy of the same one
        elif last is None or last.id is None or message.id is None or id_key(message.id) >= id_key(last.id):
            conv = conv.replace(last_message=message)
        if unread:
            conv = conv.replace(unread_count=conv.unread_count + 1)
        self.upsert(conv)

    def set_unread(self, peer_id: str, count: int) -> None:
        row = self.row_of(peer_id)
        if row >= 0 and self._items[row].unread_count != count:
            self._items[row] = self._items[row].replace(unread_count=count)
            self._changed(row)
            self.unreadChanged.emit(self.total_unread())

    def replace_message(self, message: Message) -> None:
        """An edit or delete of the message shown as a preview."""
        for row, c in enumerate(self._items):
            if c.last_message is not None and c.last_message.id == message.id:
                self._items[row] = c.replace(last_message=c.last_message.merged(message))
                self._changed(row)

    def set_presence(self, presence: Presence) -> None:
        row = self.row_of(presence.user_id)
        if row >= 0:
            c = self._items[row]
            peer = UserSummary(c.peer.id, c.peer.display_name, presence.online,
                                    presence.last_seen or c.peer.last_seen)
            self._items[row] = c.replace(peer=peer)
            self._changed(row)

    def set_typing(self, peer_id: str, typing: bool) -> None:
        (self._typing.add if typing else self._typing.discard)(peer_id)
        row = self.row_of(peer_id)
        if row >= 0:
            self._changed(row)

    def _changed(self, row: int) -> None:
        idx = self.index(row)
        self.dataChanged.emit(idx, idx)
