"""Small reusable pieces: initials avatars, form fields with inline errors, time wording."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.ui import theme
from desktop.ui.plain import plain

_AVATAR_COLORS = ("#e57373", "#f06292", "#ba68c8", "#7986cb", "#4fc3f7", "#4db6ac",
                  "#81c784", "#ffb74d", "#a1887f", "#90a4ae")


def tr(text: str) -> str:
    return QCoreApplication.translate("Format", text)


def initials(name: str) -> str:
    parts = [p for p in name.replace("@", " ").split() if p]
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][:2].upper() if len(parts[0]) > 1 else parts[0].upper()
    return (parts[0][0] + parts[-1][0]).upper()


def avatar_color(key: str) -> QColor:
    digest = hashlib.sha1(key.encode("utf-8")).digest()
    return QColor(_AVATAR_COLORS[digest[0] % len(_AVATAR_COLORS)])


def paint_avatar(painter: QPainter, rect: QRect, name: str, key: str, online: bool | None = None) -> None:
    """A coloured circle with initials, and a green dot when ``online``."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(avatar_color(key))
    painter.drawEllipse(rect)
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(max(9, int(rect.height() * 0.38)))
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, initials(name))
    if online:
        d = max(8, rect.width() // 4)
        dot = QRectF(rect.right() - d + 1, rect.bottom() - d + 1, d, d)
        painter.setPen(QColor(theme.current().window))
        painter.setBrush(QColor(theme.current().online))
        painter.drawEllipse(dot)
    painter.restore()


class Avatar(QWidget):
    """Initials avatar of a person; the online dot follows :meth:`set_online`."""

    def __init__(self, size: int = 36, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._size = size
        self._name = ""
        self._key = ""
        self._online: bool | None = None
        self.setFixedSize(size, size)

    def set_person(self, name: str, key: str, online: bool | None = None) -> None:
        self._name, self._key, self._online = name, key, online
        self.setAccessibleName(name)
        self.update()

    def set_online(self, online: bool) -> None:
        self._online = online
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(self._size, self._size)

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        paint_avatar(painter, self.rect().adjusted(0, 0, -1, -1), self._name, self._key, self._online)


class Field(QWidget):
    """A labelled line edit with a hint and an error line under it.

    Attributes:
        edit: the QLineEdit (its accessible name is the label text).
    """

    def __init__(self, label: str, *, password: bool = False, placeholder: str = "",
                 hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.label = QLabel(label)
        self.label.setObjectName("fieldLabel")
        self.edit = QLineEdit()
        self.edit.setAccessibleName(label)
        self.edit.setPlaceholderText(placeholder)
        if password:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.label.setBuddy(self.edit)
        self.hint = QLabel(hint)
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.hint.setVisible(bool(hint))
        self.error = plain(QLabel())
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.error.setAccessibleName(f"{label} error")
        for w in (self.label, self.edit, self.hint, self.error):
            layout.addWidget(w)
        self.edit.textEdited.connect(lambda _: self.set_error(""))

    def text(self) -> str:
        return self.edit.text()

    def set_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.edit.setProperty("invalid", bool(message))
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)
        if message:
            self.edit.setAccessibleDescription(message)

    def set_hint(self, text: str, ok: bool = False) -> None:
        self.hint.setText(text)
        self.hint.setObjectName("hintOk" if ok else "hint")
        self.hint.style().unpolish(self.hint)
        self.hint.style().polish(self.hint)
        self.hint.setVisible(bool(text))


def clock_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def day_label(day: date, today: date | None = None) -> str:
    today = today or datetime.now().astimezone().date()
    delta = (today - day).days
    if delta == 0:
        return tr("Today")
    if delta == 1:
        return tr("Yesterday")
    if 0 < delta < 7:
        return _date_locale().dayName(day.isoweekday(), QLocale.FormatType.LongFormat)
    return _date_locale().toString(QDate(day.year, day.month, day.day), "d MMMM yyyy")


def _date_locale() -> QLocale:
    """Day and month names in the app's language: Vietnamese when it is installed, English otherwise.

    (``strftime`` always spoke English; the system locale may be neither of the app's languages.)
    """
    if QLocale().language() == QLocale.Language.Vietnamese:  # desktop.i18n.install sets the default
        return QLocale()
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def list_time(moment: datetime, now: datetime | None = None) -> str:
    """Time for the conversation list: clock today, weekday this week, else the date."""
    now = now or datetime.now(timezone.utc)
    local, today = moment.astimezone(), now.astimezone().date()
    delta = (today - local.date()).days
    if delta == 0:
        return local.strftime("%H:%M")
    if 0 < delta < 7:
        return _date_locale().dayName(local.isoweekday(), QLocale.FormatType.ShortFormat)
    return local.strftime("%d/%m/%y")


def last_seen(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return tr("offline")
    now = now or datetime.now(timezone.utc)
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return tr("last seen just now")
    if seconds < 3600:
        return tr("last seen %n min ago").replace("%n", str(int(seconds // 60)))
    if seconds < 86400 and moment.astimezone().date() == now.astimezone().date():
        return tr("last seen today at %1").replace("%1", clock_time(moment))
    if seconds < 2 * 86400:
        return tr("last seen yesterday at %1").replace("%1", clock_time(moment))
    return tr("last seen %1").replace("%1", moment.astimezone().strftime("%d/%m/%y"))
