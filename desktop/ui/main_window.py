"""The main window: conversation list, people search, connection status, optional chat pane."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.models import SessionInfo, UserSummary
from desktop.qt.chat import ChatService
from desktop.qt.conversation_model import PeerIdRole
from desktop.qt.settings import Settings
from desktop.ui import theme
from desktop.ui.chat_window import ChatView
from desktop.ui.conversation_delegate import ConversationDelegate
from desktop.ui.texts import explain
from desktop.ui.widgets import Avatar, last_seen
from desktop.ui.plain import plain
from desktop.ui.search_panel import MessageResults

UserRole = Qt.ItemDataRole.UserRole + 10


class MainWindow(QMainWindow):
    """Parley.

    Signals:
        openChat(str): the person asked to open the conversation with this peer id.
        openMessage(str, str): peer id and message id of a message found by the search box.
        findInChat(str): Ctrl+F in the chat pane (single-window mode): search that conversation.
        signOutRequested(): from the menu.
        settingsRequested(): from the menu.
        quitRequested(): from the menu.
        hostServerRequested(): "Host a server on this computer" from the menu.
        serverStatusRequested(): "Server status" from the menu (shown to admins only).
        closed(): the window was closed.
    """

    openChat = Signal(str)
    openMessage = Signal(str, str)
    findInChat = Signal(str)
    signOutRequested = Signal()
    settingsRequested = Signal()
    quitRequested = Signal()
    hostServerRequested = Signal()
    serverStatusRequested = Signal()
    closed = Signal()

    def __init__(self, service: ChatService, info: SessionInfo, settings: Settings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.settings = settings
        self.info = info
        self.setWindowTitle(self.tr("Parley"))
        self.setWindowIcon(theme.icon("parley", "#2f6fed", 64))
        self._views: dict[str, ChatView] = {}

        side = QFrame()
        side.setObjectName("sidebar")
        side.setMinimumWidth(300)
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.setSpacing(0)
        head = QFrame()
        head.setObjectName("sideHeader")
        hl = QHBoxLayout(head)
        hl.setContentsMargins(12, 10, 8, 10)
        me = Avatar(34)
        me.set_person(info.user.display_name, info.user.id)
        hl.addWidget(me)
        who = QVBoxLayout()
        who.setSpacing(0)
        self.me_label = plain(QLabel(info.user.display_name))
        self.me_label.setObjectName("peerName")
        email = plain(QLabel(info.user.email))
        email.setObjectName("muted")
        who.addWidget(self.me_label)
        who.addWidget(email)
        hl.addLayout(who, 1)
        self.menu_button = QToolButton()
        self.menu_button.setAccessibleName(self.tr("Menu"))
        self.menu_button.setToolTip(self.tr("Menu"))
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        # One QAction per command, added to the window too: its shortcut then works while the menu is
        # closed, and no second QShortcut on the same keys makes Qt drop both as "ambiguous".
        self.settings_action = self._command(self.tr("Settings…"), QKeySequence("Ctrl+,"),
                                             self.settingsRequested.emit)
        self.quit_action = self._command(self.tr("Quit"), QKeySequence("Ctrl+Q"),
                                         self.quitRequested.emit)
        menu.addAction(self.settings_action)
        menu.addAction(self.tr("Host a server on this computer…"), self.hostServerRequested.emit)
        self.status_action = menu.addAction(self.tr("Server status…"), self.serverStatusRequested.emit)
        self.status_action.setVisible(info.user.is_admin)  # the server still refuses anyone else (403)
        menu.addAction(self.tr("Sign out"), self.signOutRequested.emit)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        self.menu_button.setMenu(menu)
        hl.addWidget(self.menu_button)
        sl.addWidget(head)

        self.notice = QFrame()
        self.notice.setObjectName("noticeBar")
        nl = QHBoxLayout(self.notice)
        nl.setContentsMargins(10, 6, 4, 6)
        self.notice_label = plain(QLabel())
        self.notice_label.setWordWrap(True)
        nl.addWidget(self.notice_label, 1)
        dismiss = self.dismiss_button = QToolButton()
        dismiss.setAccessibleName(self.tr("Dismiss"))
        dismiss.clicked.connect(self.notice.hide)
        nl.addWidget(dismiss)
        self.notice.hide()
        wrap = QVBoxLayout()
        wrap.setContentsMargins(10, 8, 10, 0)
        wrap.addWidget(self.notice)
        sl.addLayout(wrap)

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search people and messages"))
        self.search.setAccessibleName(self.tr("Search people and messages"))
        self.search.setClearButtonEnabled(True)
        self.search_action = self.search.addAction(theme.icon("search", theme.current().muted),
                                                   QLineEdit.ActionPosition.LeadingPosition)
        sw = QVBoxLayout()
        sw.setContentsMargins(10, 8, 10, 8)
        sw.addWidget(self.search)
        sl.addLayout(sw)

        self.lists = QStackedWidget()
        self.list = QListView()
        self.list.setObjectName("conversationList")
        self.list.setAccessibleName(self.tr("Conversations"))
        self.list.setModel(service.conversations)
        self.list.setItemDelegate(ConversationDelegate(info.user.id, self.list,
                                                       connected=lambda: bool(service.online)))
        self.list.setMouseTracking(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.activated.connect(self._conversation_activated)
        self.list.clicked.connect(self._conversation_activated)
        self.empty = QLabel(self.tr("No conversations yet.\nSearch for a person above to start one."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("muted")
        self.results_model = QStandardItemModel(self)
        self.results = QListView()
        self.results.setObjectName("searchResults")
        self.results.setAccessibleName(self.tr("People found"))
        self.results.setModel(self.results_model)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.activated.connect(self._result_activated)
        self.results.clicked.connect(self._result_activated)
        self.results.setSpacing(2)
        self.results.setIconSize(QSize(40, 40))
        # the search box's answer: "People" (the list above) then "Messages" (issue 14)
        self.results_page = QWidget()
        rl = QVBoxLayout(self.results_page)
        rl.setContentsMargins(0, 0, 0, 0)
        people_heading = plain(QLabel(self.tr("People")))
        people_heading.setObjectName("sectionHeading")
        rl.addWidget(people_heading)
        rl.addWidget(self.results, 1)
        self.message_results = MessageResults(service.search, info.user.id, service.peer_name)
        self.message_results.openMessage.connect(self.openMessage)
        rl.addWidget(self.message_results, 3)
        for w in (self.list, self.empty, self.results_page):
            self.lists.addWidget(w)
        sl.addWidget(self.lists, 1)

        self.chat_stack = QStackedWidget()
        placeholder = QLabel(self.tr("Choose a conversation"))
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setObjectName("muted")
        self.chat_stack.addWidget(placeholder)
        self.splitter = QSplitter()
        self.splitter.addWidget(side)
        self.splitter.addWidget(self.chat_stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(1)
        self.setCentralWidget(self.splitter)
        self.set_single_window(settings.single_window)

        self.status = QLabel(self._dot("#f0a500") + self.tr("Connecting…"))
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setAccessibleName(self.tr("Connection status"))
        self.retry = QPushButton(self.tr("Retry now"))
        self.retry.setObjectName("link")
        self.retry.clicked.connect(service.retry_now)
        self.retry.hide()
        self.statusBar().addWidget(self.status, 1)
        self.statusBar().addPermanentWidget(self.retry)
        self.statusBar().setSizeGripEnabled(False)
        self._countdown = 0.0
        self._countdown_timer = QTimer(self, interval=1000, timeout=self._tick)

        self._search_timer = QTimer(self, singleShot=True, interval=300, timeout=self._run_search)
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self._run_search)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self._find)
        # Esc in the search box clears it (and so shows the conversations again)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search, activated=self._clear_search,
                  context=Qt.ShortcutContext.WidgetShortcut)

        service.stateChanged.connect(self._state_changed)
        for sig in (service.conversations.modelReset, service.conversations.rowsInserted,
                    service.conversations.rowsRemoved):
            sig.connect(self._update_empty)
        self._update_empty()
        self.refresh_icons()
        geometry = settings.geometry("main")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(380 if not settings.single_window else 980, 640)

    def _command(self, text: str, keys: QKeySequence, slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _find(self) -> None:
        """Ctrl+F: in the chat pane (single-window mode), search that conversation; else the search box."""
        peer_id = self.active_peer()
        focus = QApplication.focusWidget()
        if peer_id is not None and focus is not None and self.chat_stack.isAncestorOf(focus):
            self.findInChat.emit(peer_id)
        else:
            self.search.setFocus()

    def _clear_search(self) -> None:
        self.search.clear()

    def refresh_icons(self) -> None:
        self.menu_button.setIcon(theme.icon("menu"))
        self.dismiss_button.setIcon(theme.icon("close"))
        self.search_action.setIcon(theme.icon("search", theme.current().muted))

    # layout -------------------------------------------------------------------------------
    def set_single_window(self, single: bool) -> None:
        self.single = single
        self.chat_stack.setVisible(single)
        if not single:
            for peer_id in list(self._views):
                self.close_view(peer_id)

    def show_chat(self, peer_id: str) -> ChatView:
        """Single-window mode: show the conversation in the right pane."""
        view = self._views.get(peer_id)
        if view is None:
            view = ChatView(self.service, peer_id)
            self._views[peer_id] = view
            self.chat_stack.addWidget(view)
        self.chat_stack.setCurrentWidget(view)
        row = self.service.conversations.row_of(peer_id)
        if row >= 0:
            self.list.setCurrentIndex(self.service.conversations.index(row))
        view.composer.setFocus()
        return view

    def close_view(self, peer_id: str) -> None:
        view = self._views.pop(peer_id, None)
        if view is not None:
            view.closing()
            self.chat_stack.removeWidget(view)
            view.deleteLater()

    def active_peer(self) -> str | None:
        w = self.chat_stack.currentWidget()
        return w.peer_id if isinstance(w, ChatView) and self.single else None

    def show_notice(self, text: str) -> None:
        self.notice_label.setText(text)
        self.notice.show()

    def show_keyring_notice(self) -> None:
        """Signed in, but the sign-in can't be kept: there is no usable system keyring."""
        self.show_notice(self.tr("Your system has no usable keyring, so Parley can't remember this sign-in. "
                                 "You'll be asked to sign in again next time."))

    def _update_empty(self, *_: object) -> None:
        if self.search.text().strip():
            return
        self.lists.setCurrentWidget(self.list if self.service.conversations.rowCount() else self.empty)

    # connection status ------------------------------------------------------------------------
    def _state_changed(self, state: str, reason: str, retry_in: float) -> None:
        self.list.viewport().update()  # presence dots are shown only while connected
        self._countdown_timer.stop()
        self.retry.setVisible(state == "offline")
        if state == "online":
            self.status.setText(self._dot(theme.current().online) + self.tr("Online"))
        elif state == "connecting":
            self.status.setText(self._dot("#f0a500") + self.tr("Connecting…"))
        elif state == "offline":
            self._countdown = retry_in
            self._tick(advance=False)
            self._countdown_timer.start()
        else:
            self.status.setText(self.tr("Offline"))

    @staticmethod
    def _dot(color: str) -> str:
        return f'<span style="color:{color}">●</span>&nbsp;'

    def status_text(self) -> str:
        """The connection status as plain text (for tests and accessibility)."""
        return self.status.text().split("&nbsp;")[-1]

    def _tick(self, advance: bool = True) -> None:
        if advance:
            self._countdown -= 1
        if self._countdown > 0.5:
            self.status.setText(self._dot(theme.current().danger) + self.tr("Offline — retrying in %1 s")
                                .replace("%1", str(int(self._countdown + 0.5))))
        else:
            self._countdown_timer.stop()
            self.status.setText(self._dot(theme.current().danger) + self.tr("Offline — retrying…"))

    # conversations and search -------------------------------------------------------------------
    def _conversation_activated(self, index: QModelIndex) -> None:
        peer_id = index.data(PeerIdRole)
        if peer_id:
            self.openChat.emit(peer_id)

    def _search_changed(self, text: str) -> None:
        if text.strip():
            self._search_timer.start()
        else:
            self._search_timer.stop()
            self.results_model.clear()
            self.message_results.clear()
            self._update_empty()

    def _run_search(self) -> None:
        query = self.search.text().strip()
        if not query:
            return
        self.lists.setCurrentWidget(self.results_page)
        self.results_model.clear()
        self.results_model.appendRow(self._info_item(self.tr("Searching…")))
        self.message_results.run(query)

        def done(users: list[UserSummary]) -> None:
            if self.search.text().strip() != query:
                return
            self.results_model.clear()
            if not users:
                self.results_model.appendRow(self._info_item(self.tr("Nobody found. Try a full email address.")))
            for u in users:
                state = self.tr("online") if u.online else last_seen(u.last_seen)
                item = QStandardItem(f"{u.display_name}\n{state}")
                item.setData(u, UserRole)
                item.setIcon(self._avatar_icon(u))
                item.setAccessibleText(f"{u.display_name}, {state}")
                self.results_model.appendRow(item)
            self._fit_people()

        def failed(exc: Exception) -> None:
            self.results_model.clear()
            self.results_model.appendRow(self._info_item(explain(exc)))

        self.service.search_users(query, done, failed)

    def _fit_people(self) -> None:
        """The People list as tall as its rows (Messages below gets the rest)."""
        rows = self.results_model.rowCount()
        height = sum(self.results.sizeHintForRow(i) + 2 * self.results.spacing() for i in range(rows))
        self.results.setMaximumHeight(max(48, height + 2 * self.results.frameWidth() + 8))

    def _info_item(self, text: str) -> QStandardItem:
        item = QStandardItem(text)
        item.setEnabled(False)
        return item

    def _avatar_icon(self, u: UserSummary) -> object:
        from PySide6.QtCore import QRect
        from PySide6.QtGui import QIcon, QPainter, QPixmap

        from desktop.ui.widgets import paint_avatar

        pix = QPixmap(40, 40)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        paint_avatar(p, QRect(0, 0, 39, 39), u.display_name, u.id, u.online)
        p.end()
        return QIcon(pix)

    def _result_activated(self, index: QModelIndex) -> None:
        user = index.data(UserRole)
        if not isinstance(user, UserSummary):
            return
        self.service.ensure_conversation(user)
        self.search.clear()
        self.openChat.emit(user.id)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.set_geometry("main", self.saveGeometry())
        super().closeEvent(event)
        self.closed.emit()
