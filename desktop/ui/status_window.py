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

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.server_status import AccountState, ServerStatus, byte_size
from desktop.net.admin import AdminClient
from desktop.qt.tasks import TaskRunner
from desktop.ui.accounts_card import AccountsCard, explain_admin
from desktop.ui.day_chart import DayChart, fill as _fill
from desktop.ui.plain import plain
from desktop.ui.texts import media_error_text

REFRESH_MS = 10_000
#: docs/admin.md beside the package (a source checkout); a packaged app links to the API docs only
ADMIN_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "admin.md"


class StatusWindow(QDialog):
    """The server's status for an admin; non-modal, refreshes itself while shown.

    Signals:
        refreshed(): a status arrived and is shown (tests wait on it).
        accountChanged(object): an account was disabled or enabled (an :class:`AccountState`).

    Attributes:
        accounts: the card that disables and enables accounts.
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

        self.accounts = AccountsCard(client, runner, my_email)
        self.accounts.changed.connect(self._account_changed)
        grid.addWidget(self.accounts, 5, 0, 1, 2)

        links = QHBoxLayout()
        links.setSpacing(16)
        for text, url in self.doc_links():
            b = QPushButton(text)
            b.setObjectName("link")
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.setToolTip(url.toString())
            b.setProperty("url", url)
            b.clicked.connect(self._open_link)
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

    # bound methods, not lambdas capturing self: a child's slot must not keep its window alive
    # (desktop/qt/lifetime.py)
    def _open_link(self) -> None:
        button = self.sender()
        if button is not None:
            self.open_url(button.property("url"))

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
        self.error.setText(explain_admin(exc))
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
        self.queue_error.setText(failures + (f"\n{media_error_text(q.last_failure)}" if q.last_failure else ""))
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

    # accounts -----------------------------------------------------------------------------------------
    def _pick_user(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        if item is not None:
            self.accounts.email.setText(item.text(1))

    def _account_changed(self, account: AccountState) -> None:
        self.accountChanged.emit(account)
        self.refresh()
