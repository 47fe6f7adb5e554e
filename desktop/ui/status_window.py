"""The admin's "Server status" window: the figures of ``GET /api/admin/status``, refreshed every 10 s,
and disabling or enabling an account after a confirmation.

Opened from the main window's menu, which shows the entry to admins only. The
server decides who is an admin: this window only shows what it is given, and a
403 is shown as such.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import ApiError
from desktop.core.server_status import AccountState, DayCount, ServerStatus, byte_size
from desktop.net.admin import AdminClient
from desktop.qt.tasks import TaskRunner
from desktop.ui import theme
from desktop.ui.plain import plain
from desktop.ui.texts import explain

REFRESH_MS = 10_000
#: docs/admin.md beside the package (a source checkout); a packaged app links to the API docs only
ADMIN_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "admin.md"


def _fill(text: str, *args: object) -> str:
    for i, value in enumerate(args, 1):
        text = text.replace(f"%{i}", str(value))
    return text


class DayChart(QWidget):
    """Messages per day as bars, today on the right; its accessible description lists every day."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[DayCount] = []
        self.setMinimumHeight(130)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a screen reader can reach the figures
        self.setAccessibleName(self.tr("Messages per day"))

    def set_days(self, days: list[DayCount]) -> None:
        self.days = days
        self.setAccessibleDescription("; ".join(f"{d.day}: {d.messages}" for d in days))
        self.setToolTip(_fill(self.tr("%1 messages in the last %2 days"), sum(d.messages for d in days),
                              len(days)))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(420, 140)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        if not self.days:
            return
        t = theme.current()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = p.fontMetrics()
        label_h = fm.height() + 4
        top = fm.height() + 4
        area = QRectF(0, top, self.width(), self.height() - top - label_h)
        peak = max(d.messages for d in self.days) or 1
        slot = area.width() / len(self.days)
        bar_w = max(4.0, slot * 0.62)
        for i, d in enumerate(self.days):
            x = area.left() + i * slot + (slot - bar_w) / 2
            h = area.height() * d.messages / peak
            today = i == len(self.days) - 1
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(t.color("accent") if today else t.color("accentDisabled" if not t.dark else "accent"))
            if t.dark and not today:
                p.setOpacity(0.55)
            p.drawRoundedRect(QRectF(x, area.bottom() - max(h, 1.5), bar_w, max(h, 1.5)), 2, 2)
            p.setOpacity(1.0)
            p.setPen(t.color("muted"))
            day = d.day[-2:]
            p.drawText(QRectF(area.left() + i * slot, area.bottom() + 2, slot, label_h),
                       int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), day)
            if d.messages and (today or d.messages == peak):
                p.setPen(t.color("text"))
                p.drawText(QRectF(area.left() + i * slot - 10, area.bottom() - h - fm.height() - 2, slot + 20,
                                  fm.height()), int(Qt.AlignmentFlag.AlignHCenter), str(d.messages))
        p.setPen(t.color("border"))
        p.drawLine(QPointF(area.left(), area.bottom()), QPointF(area.right(), area.bottom()))
        p.end()


class StatusWindow(QDialog):
    """The server's status for an admin; non-modal, refreshes itself while shown.

    Signals:
        refreshed(): a status arrived and is shown (tests wait on it).
        accountChanged(object): an account was disabled or enabled (an :class:`AccountState`).

    Attributes:
        confirmation: the open "Disable …?" / "Enable …?" question, if any.
    """

    refreshed = Signal()
    accountChanged = Signal(object)

    def __init__(self, client: AdminClient, runner: TaskRunner, server_url: str, my_email: str,
                 parent: QWidget | None = None,
                 open_url: Callable[[QUrl], object] = QDesktopServices.openUrl) -> None:
        super().__init__(parent)
        self.client = client
        self.runner = runner
        self.server_url = server_url.rstrip("/")
        self.my_email = my_email.lower()
        self.open_url = open_url
        self.status: ServerStatus | None = None
        self.confirmation: QMessageBox | None = None
        self._busy = False
        self.setObjectName("StatusWindow")
        self.setWindowTitle(self.tr("Server status — Parley"))
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setModal(False)
        self.resize(820, 760)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        head = QFrame()
        head.setObjectName("sideHeader")
        hl = QHBoxLayout(head)
        hl.setContentsMargins(18, 12, 12, 12)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        title = QLabel(self.tr("Server status"))
        title.setObjectName("title")
        titles.addWidget(title)
        self.summary = plain(QLabel(self.tr("Loading…")))
        self.summary.setObjectName("subtitle")
        self.summary.setWordWrap(True)
        titles.addWidget(self.summary)
        hl.addLayout(titles, 1)
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh now"))
        self.refresh_button.clicked.connect(self.refresh)
        hl.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addWidget(head)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setAccessibleName(self.tr("Server status"))
        body = QWidget()
        body.setObjectName("statusBody")
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        grid = QGridLayout(body)
        grid.setContentsMargins(16, 14, 16, 16)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)

        self.error = plain(QLabel())
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        grid.addWidget(self.error, 0, 0, 1, 2)

        users, ul = self._card(self.tr("Users"))
        self.users_label = self._figure(ul)
        self.activity_label = self._figure(ul, muted=True)
        grid.addWidget(users, 1, 0)

        health, hl2 = self._card(self.tr("Health"))
        self._health_layout = hl2
        self.health_labels: list[QLabel] = [self._figure(hl2) for _ in range(3)]  # database, storage, mail
        grid.addWidget(health, 1, 1)

        messages, ml = self._card(self.tr("Messages per day (last 14 days, UTC)"))
        self.chart = DayChart()
        ml.addWidget(self.chart)
        self.messages_label = self._figure(ml, muted=True)
        grid.addWidget(messages, 2, 0, 1, 2)

        queue, ql = self._card(self.tr("Video processing"))
        self.queue_label = self._figure(ql)
        self.queue_error = self._figure(ql, muted=True)
        grid.addWidget(queue, 3, 0)

        mail, mal = self._card(self.tr("Mail (last 24 hours)"))
        self.mail_label = self._figure(mal)
        self.mail_error = self._figure(mal, muted=True)
        grid.addWidget(mail, 3, 1)
        for side_by_side in (ul, hl2, ql, mal):  # the figures stay at the top of the taller card's row
            side_by_side.addStretch(1)

        storage, sl = self._card(self.tr("Storage"))
        self.storage_label = self._figure(sl)
        self.top_users = QTreeWidget()
        self.top_users.setAccessibleName(self.tr("Biggest users of storage"))
        self.top_users.setRootIsDecorated(False)
        self.top_users.setStyleSheet("QTreeWidget::item { padding: 2px 8px 2px 2px; }")  # no name touching an address
        self.top_users.setHeaderLabels([self.tr("Person"), self.tr("Email"), self.tr("Videos"), self.tr("Space")])
        self.top_users.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.top_users.header().setStretchLastSection(False)
        self.top_users.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.top_users.setToolTip(self.tr("Select a person to fill in the account field below"))
        self.top_users.currentItemChanged.connect(self._pick_user)
        sl.addWidget(self.top_users)
        self.top_users.hide()  # shown once someone stores a video
        grid.addWidget(storage, 4, 0, 1, 2)

        accounts, al = self._card(self.tr("Accounts"))
        hint = QLabel(self.tr("Disabling an account signs it out everywhere and stops it from signing in. "
                              "Enabling it lets the person sign in again."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        al.addWidget(hint)
        row = QHBoxLayout()
        self.email = QLineEdit()
        self.email.setPlaceholderText(self.tr("Email address of the account"))
        self.email.setAccessibleName(self.tr("Account email"))
        self.email.setClearButtonEnabled(True)
        row.addWidget(self.email, 1)
        self.disable_button = QPushButton(self.tr("&Disable…"))
        self.disable_button.clicked.connect(lambda: self.ask(True))
        self.enable_button = QPushButton(self.tr("&Enable…"))
        self.enable_button.clicked.connect(lambda: self.ask(False))
        row.addWidget(self.disable_button)
        row.addWidget(self.enable_button)
        al.addLayout(row)
        self.account_note = plain(QLabel())
        self.account_note.setWordWrap(True)
        self.account_note.hide()
        al.addWidget(self.account_note)
        grid.addWidget(accounts, 5, 0, 1, 2)

        links = QHBoxLayout()
        links.setSpacing(16)
        for text, url in self.doc_links():
            b = QPushButton(text)
            b.setObjectName("link")
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.setToolTip(url.toString())
            b.clicked.connect(lambda _=False, u=url: self.open_url(u))
            links.addWidget(b)
        links.addStretch(1)
        grid.addLayout(links, 6, 0, 1, 2)
        grid.setRowStretch(7, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

    # layout helpers -----------------------------------------------------------------------------------
    def _card(self, title: str) -> tuple[QFrame, QVBoxLayout]:
        card = QFrame()
        card.setObjectName("card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(6)
        label = QLabel(title)
        label.setObjectName("fieldLabel")
        layout.addWidget(label)
        return card, layout

    def _figure(self, layout: QVBoxLayout, muted: bool = False) -> QLabel:
        label = plain(QLabel())
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if muted:
            label.setObjectName("muted")
        layout.addWidget(label)
        return label

    def doc_links(self) -> list[tuple[str, QUrl]]:
        links = [(self.tr("API documentation"), QUrl(f"{self.server_url}/docs#/Admin"))]
        if ADMIN_GUIDE.exists():
            links.append((self.tr("Admin guide"), QUrl.fromLocalFile(str(ADMIN_GUIDE))))
        return links

    # refreshing ---------------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.timer.start()
        self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.timer.stop()
        super().closeEvent(event)

    def refresh(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.runner.run(self.client.status, self._shown, self._failed, guard=self)

    def _failed(self, exc: Exception) -> None:
        self._busy = False
        self.error.setText(self._explain(exc))
        self.error.show()

    def _shown(self, st: ServerStatus) -> None:
        self._busy = False
        self.status = st
        self.error.hide()
        u = st.users
        online = self.tr("unknown") if u.online is None else str(u.online)
        self.users_label.setText(_fill(self.tr("Accounts: %1 · verified: %2 · disabled: %3 · admins: %4"),
                                       u.total, u.verified, u.disabled, u.admins))
        self.activity_label.setText(_fill(self.tr("Online now: %1 · active in the last 7 days: %2"),
                                          online, u.active_7d))
        updated = datetime.now().strftime("%H:%M:%S")
        self.summary.setText(_fill(self.tr("Parley %1 · up %2 · updated %3"), st.version,
                                   self._duration(st.uptime_seconds), updated))
        self.chart.set_days(st.messages_per_day)
        today = st.messages_per_day[-1].messages if st.messages_per_day else 0
        self.messages_label.setText(_fill(self.tr("%1 today, %2 in 14 days"), today,
                                          sum(d.messages for d in st.messages_per_day)))
        q = st.queue
        if q.processing:
            self.queue_label.setText(_fill(self.tr("%1 waiting or processing, the oldest for %2"), q.processing,
                                           self._duration(q.oldest_age_seconds)))
        else:
            self.queue_label.setText(self.tr("Nothing waiting"))
        failures = _fill(self.tr("%1 failed in the last 24 hours"), q.failed_24h)
        self.queue_error.setText(failures + (f"\n{q.last_failure}" if q.last_failure else ""))
        self._mark(self.queue_error, q.failed_24h > 0)
        m = st.mail
        self.mail_label.setText(_fill(self.tr("%1 sent, %2 failed"), m.sent_24h, m.failed_24h))
        if m.last_error:
            self.mail_error.setText(_fill(self.tr("Last error (%1): %2"), self._when(m.last_error_at), m.last_error))
        else:
            self.mail_error.setText(self.tr("No errors"))
        self._mark(self.mail_error, m.failed_24h > 0)
        names = {"database": self.tr("Database"), "storage": self.tr("Storage"), "mail": self.tr("Mail")}
        while len(self.health_labels) < len(st.health):  # a newer server may probe more
            label = self._figure(self._health_layout)
            self._health_layout.insertWidget(len(self.health_labels) + 1, label)  # above the stretch
            self.health_labels.append(label)
        for label, c in zip(self.health_labels, st.health):
            label.show()
            label.setText(f"{'✔' if c.ok else '✖'} {names.get(c.name, c.name)}: {c.detail}")
            self._mark(label, not c.ok)
            label.setAccessibleName(names.get(c.name, c.name))
        for label in self.health_labels[len(st.health):]:
            label.hide()
        s = st.storage
        self.storage_label.setText(_fill(self.tr("%1 used by %2 video(s) · %3 being uploaded"), byte_size(s.total_bytes),
                                         s.videos, byte_size(s.uploading_bytes)))
        picked = self.top_users.currentItem()
        picked_email = picked.text(1) if picked is not None else None
        self.top_users.blockSignals(True)
        self.top_users.clear()
        for t in s.top_users:
            item = QTreeWidgetItem([t.display_name, t.email, str(t.videos), byte_size(t.bytes)])
            for col in (2, 3):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.top_users.addTopLevelItem(item)
            if t.email == picked_email:
                self.top_users.setCurrentItem(item)
        self.top_users.blockSignals(False)
        self.top_users.setVisible(bool(s.top_users))
        if s.top_users:  # as tall as its rows: no empty box under one or two people
            rows = sum(self.top_users.sizeHintForRow(i) for i in range(len(s.top_users)))
            self.top_users.setFixedHeight(rows + self.top_users.header().sizeHint().height()
                                          + 2 * self.top_users.frameWidth() + 2)
        self.refreshed.emit()

    def _mark(self, label: QLabel, bad: bool) -> None:
        label.setObjectName("error" if bad else "muted")
        label.style().unpolish(label)
        label.style().polish(label)

    def _duration(self, seconds: float | None) -> str:
        if seconds is None:
            return "–"
        s = int(seconds)
        d, h, m = s // 86400, s % 86400 // 3600, s % 3600 // 60
        if d:
            return _fill(self.tr("%1 d %2 h"), d, h)
        if h:
            return _fill(self.tr("%1 h %2 min"), h, m)
        if m:
            return _fill(self.tr("%1 min"), m)
        return _fill(self.tr("%1 s"), s)

    @staticmethod
    def _when(iso_time: str | None) -> str:
        if not iso_time:
            return "–"
        try:
            return datetime.fromisoformat(iso_time.replace("Z", "+00:00")).astimezone().strftime("%d/%m %H:%M")
        except ValueError:
            return iso_time

    def _explain(self, exc: Exception) -> str:
        if isinstance(exc, ApiError):
            words = {"forbidden": self.tr("This account is not an admin on this server."),
                     "cannot_disable_self": self.tr("You cannot disable your own account here."),
                     "not_found": self.tr("No account has this email address.")}.get(exc.code)
            if words:
                return words
        return explain(exc)

    # accounts -----------------------------------------------------------------------------------------
    def _pick_user(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        if item is not None:
            self.email.setText(item.text(1))

    def ask(self, disable: bool) -> None:
        """Asks to confirm disabling (or enabling) the account in the email field."""
        email = self.email.text().strip()
        if not email:
            self._note(self.tr("Enter the email address of the account first."), bad=True)
            self.email.setFocus()
            return
        if disable and email.lower() == self.my_email:
            self._note(self.tr("You cannot disable your own account here."), bad=True)
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning if disable else QMessageBox.Icon.Question)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(self.tr("Disable account") if disable else self.tr("Enable account"))
        box.setText(_fill(self.tr("Disable %1? They are signed out on every device and cannot sign in until "
                                  "an admin enables the account again.") if disable else
                          self.tr("Enable %1? The person can sign in again."), email))
        yes = box.addButton(self.tr("Disable") if disable else self.tr("Enable"),
                            QMessageBox.ButtonRole.DestructiveRole if disable else QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.finished.connect(lambda _r: self._answered(box, box.clickedButton() is yes, email, disable))
        self.confirmation = box
        box.open()

    def _answered(self, box: QMessageBox, confirmed: bool, email: str, disable: bool) -> None:
        self.confirmation = None
        box.deleteLater()
        if not confirmed:
            return
        self.disable_button.setEnabled(False)
        self.enable_button.setEnabled(False)
        self.runner.run(lambda: self.client.set_disabled(email, disable), self._changed, self._change_failed,
                        guard=self)

    def _changed(self, account: AccountState) -> None:
        self.disable_button.setEnabled(True)
        self.enable_button.setEnabled(True)
        if account.disabled:
            self._note(_fill(self.tr("%1 is disabled; %2 sessions were ended."), account.email,
                             account.sessions_ended))
        else:
            self._note(_fill(self.tr("%1 is enabled and can sign in again."), account.email))
        self.accountChanged.emit(account)
        self.refresh()

    def _change_failed(self, exc: Exception) -> None:
        self.disable_button.setEnabled(True)
        self.enable_button.setEnabled(True)
        self._note(self._explain(exc), bad=True)

    def _note(self, text: str, bad: bool = False) -> None:
        self.account_note.setText(text)
        self.account_note.setObjectName("error" if bad else "hintOk")
        self.account_note.style().unpolish(self.account_note)
        self.account_note.style().polish(self.account_note)
        self.account_note.show()
