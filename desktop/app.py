"""Composition root: the only place that builds real clients, stores and windows and wires them."""
from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import i18n
from desktop.config import DEFAULT_SERVER, AppConfig
from desktop.core.models import Message, SessionInfo
from desktop.net.credentials import CredentialStore
from desktop.net.http import ApiClient
from desktop.qt.hosting import ServerHost
from desktop.qt.session import Session
from desktop.qt.settings import Settings
from desktop.qt.tasks import TaskRunner
from desktop.ui import fonts, theme
from desktop.ui.host_dialog import HostServerDialog
from desktop.ui.login_window import LoginWindow

if TYPE_CHECKING:  # the rest is imported after sign-in, so the sign-in window opens sooner
    from desktop.core.store import Store
    from desktop.qt.chat import ChatService
    from desktop.ui.chat_window import ChatWindow
    from desktop.ui.main_window import MainWindow
    from desktop.ui.tray import Tray

log = logging.getLogger(__name__)

UPLOADS_AT_ONCE = 2  # videos uploading at the same time
PARTS_AT_ONCE = 3  # parts of one video in flight at the same time
UPLOAD_PART_THREADS = UPLOADS_AT_ONCE * PARTS_AT_ONCE


class ParleyApp(QObject):
    """One running app for one profile.

    Attributes:
        login_window, main_window, chat_windows, service, session: the live parts
        (tests drive the app through them).

    Signals:
        mainWindowShown(): the main window is on screen (after a typed or silent sign-in).
        loginWindowShown(): the sign-in window is on screen.
    """

    mainWindowShown = Signal()
    loginWindowShown = Signal()

    def __init__(self, config: AppConfig, qapp: QApplication, *, keyring_backend: Any = None) -> None:
        super().__init__()
        self.config = config
        self.qapp = qapp
        self.settings = Settings(config.settings_path)
        self.server_url = config.server_url or self.settings.server_url or DEFAULT_SERVER
        if config.server_url and self.settings.server_url and config.server_url != self.settings.server_url:
            self.settings.last_user = None  # another server: its account is not ours
        # The app's background work (desktop/qt/tasks.py). Each runner owns its pool and deletes
        # it on this thread at shutdown()/quit(), once idle (docs/architecture.md, "Thread pools").
        self.runner = TaskRunner(self, threads=8, name="network")
        self.disk = TaskRunner(self, threads=1, name="disk")  # cache and outbox writes keep their order
        self.upload_parts = TaskRunner(self, threads=UPLOAD_PART_THREADS, name="upload-parts")
        # the Socket.IO connection loop; two threads, so a new sign-in's loop never waits behind the
        # last one's ending (python-engineio's disconnect may take long with a server that went away)
        self.socket = TaskRunner(self, threads=2, name="socket")
        self.api = ApiClient(self.server_url, timeout=config.http_timeout)
        self.session = Session(self.api, CredentialStore(config.profile, keyring_backend), self.runner,
                               self.settings, self)
        self.login_window: LoginWindow | None = None
        self.main_window: MainWindow | None = None
        self.chat_windows: dict[str, ChatWindow] = {}
        self.service: ChatService | None = None
        self.tray: Tray | None = None
        self.store: Store | None = None
        self._keyring_note: str | None = None
        self._quitting = False
        self.uploads: Any = None  # desktop.qt.uploads.UploadManager while signed in
        self.media_reader: Any = None  # desktop.qt.media.MediaReader while signed in
        self.positions: Any = None  # desktop.qt.positions.PlaybackPositions while signed in (resume anywhere)
        self.players: dict[str, Any] = {}  # media id -> PlayerWindow
        self._newer_media: dict[str, Any] = {}  # media id -> MediaInfo from media:status with renditions ready
        self.server_host: ServerHost | None = None  # "Host a server on this computer"
        self.host_dialog: HostServerDialog | None = None
        self.status_window: Any = None  # desktop.ui.status_window.StatusWindow, admins only
        self.session.signedIn.connect(self._signed_in)
        self.session.signedOut.connect(self._signed_out)
        self.session.silentSignInFailed.connect(self._silent_sign_in_failed)
        self.session.keyringUnavailable.connect(self._keyring_unavailable)
        # colour emoji everywhere, the same on every OS (40 ms of disk and parsing: off the GUI thread)
        self.runner.run(fonts.register_emoji_font, on_error=lambda exc: log.warning("emoji font: %s", exc))
        self._apply_look()
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._scheme_changed)

    # start and stop --------------------------------------------------------------------------
    def start(self) -> None:
        if self.settings.last_user is not None:
            self.session.sign_in_silently(self.server_url)
        else:
            self.show_login()

    def quit(self) -> None:
        self._quitting = True
        self._teardown()
        self._stop_hosting()
        if self.login_window is not None:
            self.login_window.close()
        # Queued network work is dropped and running calls are not waited for long: their
        # results are not needed any more (each has its own timeout). The disk queue was
        # drained by _teardown, so every write landed before the store closed.
        self.upload_parts.shutdown(wait_ms=500)
        self.runner.shutdown(wait_ms=500)
        self.socket.shutdown()  # _teardown waited for the loop (1 s); a busy pool goes to the reaper
        self.disk.shutdown(wait_ms=3000)
        self.qapp.quit()

    def shutdown(self) -> None:
        """Stop everything without quitting the QApplication (tests run several apps in one process)."""
        self._quitting = True
        self._teardown()
        self._stop_hosting()
        if self.login_window is not None:
            self.login_window.close()
            self.login_window.deleteLater()
            self.login_window = None
        everything = (self.upload_parts, self.runner, self.socket, self.disk)
        for runner in everything:  # queued work still runs ...
            runner.wait_idle(5000)
        for runner in everything:  # ... then each pool is deleted here
            runner.shutdown()

    def _scheme_changed(self, *_: object) -> None:
        self._apply_look()

    def _apply_look(self) -> None:
        choice = self.config.theme or self.settings.theme
        theme.apply(self.qapp, theme.resolve(choice))

    def install_translations(self) -> None:
        language = i18n.choose_language(self.config.language or self.settings.language)
        i18n.install(self.qapp, language, self.config.home / "translations")

    # hosting a server -----------------------------------------------------------------------------
    def host_server(self) -> None:
        """Opens the window that runs the bundled server on this computer (stopped on quit)."""
        if self.server_host is None:
            self.server_host = ServerHost(parent=self)
        if self.host_dialog is None:
            self.host_dialog = HostServerDialog(self.server_host)
            self.host_dialog.useServer.connect(self._use_hosted_server)
        self.host_dialog.show()
        self.host_dialog.raise_()
        self.host_dialog.activateWindow()

    def _use_hosted_server(self, url: str) -> None:
        if self.main_window is not None:
            QMessageBox.information(self.host_dialog, self.tr("Parley"), self.tr(
                "You are signed in to %1. To use the server on this computer, sign out, then sign in "
                "with the address %2.").replace("%1", self.server_url).replace("%2", url))
            return
        self.show_login()
        assert self.login_window is not None
        self.login_window.use_server(url)

    def _stop_hosting(self) -> None:
        if self.server_host is not None:
            self.server_host.stop()
        if self.host_dialog is not None:
            self.host_dialog.close()

    # sign-in --------------------------------------------------------------------------------------
    def show_login(self, message: str = "") -> None:
        if self.login_window is None:
            user = self.settings.last_user
            email = user.email if user else self.settings.last_email
            self.login_window = LoginWindow(self.session, self.server_url, email)
            self.login_window.hostServerRequested.connect(self.host_server)
        if message:
            self.login_window.show_message(message)
        self.login_window.show()
        self.login_window.raise_()
        self.login_window.activateWindow()
        self.loginWindowShown.emit()

    def _silent_sign_in_failed(self) -> None:
        self.show_login()
        if self._keyring_note is not None and self.login_window is not None:
            self.login_window.show_keyring_missing()  # say why the remembered sign-in was lost

    def _keyring_unavailable(self, note: str) -> None:
        self._keyring_note = note
        if self.main_window is not None:
            self.main_window.show_keyring_notice()

    def _signed_in(self, info: SessionInfo) -> None:
        self.server_url = info.server_url
        key = hashlib.sha256(f"{info.server_url}|{info.user.id}".encode()).hexdigest()[:20]
        path = self.config.data_dir / f"{key}.sqlite3"
        from desktop.core.store import Store

        self.runner.run(lambda: Store(path), lambda store: self._open_main(info, store),
                        lambda exc: self.show_login(f"Parley can't open its local data: {exc}"))

    def _open_main(self, info: SessionInfo, store: Store) -> None:
        from desktop.core.cache import MessageCache
        from desktop.core.outbox import Outbox
        from desktop.net.realtime import Backoff, RealtimeClient
        from desktop.qt.bridge import SocketBridge
        from desktop.qt.chat import ChatService
        from desktop.ui.main_window import MainWindow
        from desktop.ui.tray import Tray

        if self.session.info is not info:  # signed out meanwhile
            self.runner.run(store.close)
            return
        self.store = store
        me = info.user
        bridge = SocketBridge(self)
        realtime = RealtimeClient(info.server_url, lambda force: self.api.access_token(force_refresh=force), bridge,
                                  spawn=self.socket.start,
                                  backoff=Backoff(self.config.reconnect_base, self.config.reconnect_max))
        service = ChatService(me, self.api, realtime, bridge, MessageCache(store, me.id), Outbox(store, me.id),
                              self.runner, self.disk, ack_timeout=self.config.ack_timeout, parent=self)
        self.service = service
        bridge.sessionExpired.connect(self.session.expire)
        self._start_video(info, service, bridge)
        self._start_privacy(service, bridge)
        window = MainWindow(service, info, self.settings)
        self.main_window = window
        window.openChat.connect(self.open_chat)
        window.openMessage.connect(self.open_message)
        self._start_keys(window, service)
        window.signOutRequested.connect(lambda: self.session.sign_out())
        window.settingsRequested.connect(self.edit_settings)
        window.quitRequested.connect(self.quit)
        window.hostServerRequested.connect(self.host_server)
        window.serverStatusRequested.connect(self.show_server_status)
        window.closed.connect(self._main_closed)
        from desktop.ui.privacy_ui import ConversationMenu
        window.conversation_menu = ConversationMenu(window.list, self.privacy)
        self.tray = Tray(self)
        self.tray.openRequested.connect(self._raise_main)
        self.tray.chatRequested.connect(self.open_chat)
        self.tray.quitRequested.connect(self.quit)
        service.conversations.unreadChanged.connect(self.tray.set_unread)
        service.incoming.connect(self._incoming)
        if self._keyring_note:
            window.show_keyring_notice()
        if self.login_window is not None:
            self.login_window.close()
            self.login_window.deleteLater()
            self.login_window = None
        window.show()
        service.start()
        self.mainWindowShown.emit()

    def _start_privacy(self, service: ChatService, bridge: Any) -> None:
        """Blocks and presence privacy: the chat menu, the list menu and the settings use it."""
        from desktop.qt.privacy import PrivacyService
        from desktop.ui.privacy_ui import chat_extension

        self.privacy = PrivacyService(self.api, self.runner, self)
        self.privacy.connect_bridge(bridge)
        self.privacy.failed.connect(lambda text: self.main_window and self.main_window.show_notice(text))
        service.view_extensions.append(chat_extension(self.privacy))
        self.privacy.refresh()

    # video (issue 6) ------------------------------------------------------------------------------
    def _start_video(self, info: SessionInfo, service: ChatService, bridge: Any) -> None:
        """Uploads (resumed from disk), posters and the player, wired to the chat service."""
        from desktop.core.uploads import UploadStore
        from desktop.net.uploads import MediaClient
        from desktop.qt.media import MediaReader
        from desktop.qt.positions import PlaybackPositions
        from desktop.qt.uploads import UploadManager
        from desktop.ui import attach, moment_links

        connect, read = self.config.http_timeout
        client = MediaClient(self.api, timeout=(connect, max(30.0, read)))
        uploads = UploadManager(client, UploadStore(self.config.data_dir / "uploads.sqlite3"),
                                f"{info.server_url}|{info.user.id}", runner=self.runner, disk=self.disk,
                                parts=self.upload_parts, connections=PARTS_AT_ONCE,
                                max_running=UPLOADS_AT_ONCE, parent=self)
        self.uploads = uploads
        self.media_reader = MediaReader(client, self, runner=self.runner)
        self.positions = PlaybackPositions(client, self.runner, self)
        bridge.mediaPosition.connect(self.positions.learn)

        def ready(state: Any, media: Any) -> None:
            service.send_media(state.peer_id, state.key, media,
                               on_queued=lambda: uploads.handed_over(state.key))

        uploads.readyToSend.connect(ready)
        bridge.mediaStatus.connect(uploads.media_status)
        bridge.mediaStatus.connect(self._media_status_to_player)
        service.stateChanged.connect(lambda state, *_: state == "online" and uploads.network_back())
        service.view_extensions.append(attach.install(uploads, self.media_reader, self.open_player, self.positions))
        service.view_extensions.append(moment_links.install(self.open_player))
        uploads.resume_unfinished()

    def _stop_video(self) -> None:
        for player in list(self.players.values()):
            player.close()
        self.players.clear()
        self._newer_media.clear()
        uploads, self.uploads = self.uploads, None
        if uploads is not None:
            uploads.shutdown()
            uploads.store.close()
            uploads.deleteLater()
        if self.media_reader is not None:
            self.media_reader.deleteLater()
            self.media_reader = None
        if self.positions is not None:
            self.positions.deleteLater()
            self.positions = None

    def _media_status_to_player(self, media: Any) -> None:
        """``media:status``: an open player of that video is told (its HLS encode became ready), and the
        next player opened on it starts from this object, whatever the message in the history holds."""
        if media.hls_ready:
            self._newer_media[media.id] = media
        player = self.players.get(media.id)
        if player is not None:
            player.media_updated(media)

    def open_player(self, media: Any, message: Message | None = None, at: float | None = None) -> Any:
        """Open (or raise) the player of a video; it is its own window and outlives the chat window.

        ``message``: the message carrying it ("Send this moment" points at it); ``at``: start at
        these seconds (a moment link), also in a player already open."""
        from desktop.ui.player_window import PlayerWindow

        player = self.players.get(media.id)
        if player is None:
            newer = self._newer_media.get(media.id)
            if newer is not None and not media.hls_ready:
                media = newer.replace(position=media.position, position_at=media.position_at) \
                    if media.position is not None else newer  # the message predates the encode
            player = PlayerWindow(media, self.media_reader, return_focus=self._active_composer(),
                                  positions=self.positions, start_at=at,
                                  can_send_moment=message is not None and message.id is not None)
            player.closed.connect(lambda media_id: self.players.pop(media_id, None))
            if message is not None and message.id is not None:
                player.momentRequested.connect(lambda seconds, m=message: self.send_moment(m, seconds))
            self.players[media.id] = player
        elif at is not None:
            player.seek(int(at * 1000))
        player.show()
        player.raise_()
        player.activateWindow()
        return player

    def send_moment(self, video: Message, seconds: float) -> None:
        """"Send this moment": the explicit moment form at the cursor of that conversation's composer
        (docs/protocol.md, "Moments"); the person sends it, or edits around it, as they like."""
        from desktop.core.moments import moment_token

        if self.service is None or video.id is None:
            return
        me = self.service.me.id
        peer_id = video.recipient_id if video.sender_id == me else video.sender_id
        self.open_chat(peer_id)
        view = self.chat_view(peer_id)
        if view is None:
            return
        composer = view.composer
        cursor = composer.textCursor()
        before = composer.toPlainText()[:cursor.position()]
        cursor.insertText((" " if before and not before[-1].isspace() else "") + moment_token(video.id, seconds) + " ")
        composer.setTextCursor(cursor)
        composer.setFocus()

    def _active_composer(self) -> Any:
        """The composer of the chat in the active window (where a player was opened from), if any."""
        active = QApplication.activeWindow()
        for window in self.chat_windows.values():
            if window is active:
                return window.chat.composer
        if active is not None and active is self.main_window:
            peer_id = self.main_window.active_peer()
            view = self.chat_view(peer_id) if peer_id else None
            return view.composer if view is not None else None
        return None

    def _signed_out(self, reason: str) -> None:
        self._teardown(wait=self._quitting)
        if not self._quitting:
            self.show_login(reason)

    def _teardown(self, wait: bool = True) -> None:
        """Close the signed-in windows; disconnect and close the store (on a worker unless ``wait``)."""
        for w in list(self.chat_windows.values()):
            w.close()
        self.chat_windows.clear()
        self._stop_video()
        service, self.service = self.service, None
        store, self.store = self.store, None
        if service is not None:
            service.deleteLater()
        if self.status_window is not None:  # a child of the main window, deleted with it
            self.status_window.close()
            self.status_window = None
        if self.main_window is not None:
            self.main_window.closed.disconnect(self._main_closed)
            self.main_window.close()
            self.main_window.deleteLater()
            self.main_window = None
        if self.tray is not None:
            self.tray.hide()
            self.tray.deleteLater()
            self.tray = None
        realtime = service.realtime if service is not None else None

        def finish() -> None:
            if realtime is not None:
                realtime.stop(timeout=3.0)
            if store is not None:
                store.close()

        if wait:
            if realtime is not None:  # the disconnect is sent at once; the rest ends on its own thread
                realtime.stop(timeout=1.0)
            self.runner.wait_idle(1000)  # network results are dropped (guarded) once the service is gone
            self.disk.wait_idle(3000)  # every write lands before the store closes
            if store is not None:
                store.close()
        else:  # after the disk work already queued (FIFO), without blocking the GUI thread
            self.disk.run(finish)

    def _main_closed(self) -> None:
        if not self._quitting:
            self.quit()

    # chats ---------------------------------------------------------------------------------------
    def open_chat(self, peer_id: str) -> None:
        if self.service is None or self.main_window is None:
            return
        if self.settings.single_window:
            self._raise_main()
            self.main_window.show_chat(peer_id)
            return
        window = self.chat_windows.get(peer_id)
        if window is None:
            from desktop.ui.chat_window import ChatWindow

            window = ChatWindow(self.service, peer_id, self.settings)
            window.closed.connect(lambda pid: self.chat_windows.pop(pid, None))
            # the same actions, so Ctrl+Q and Ctrl+, work from a chat window too (one QAction each)
            window.addActions([self.main_window.quit_action, self.main_window.settings_action]
                              + self.navigation.actions)
            self.chat_windows[peer_id] = window
        window.show()
        window.raise_()
        window.activateWindow()
        window.chat.composer.setFocus()

    def open_message(self, peer_id: str, message_id: str) -> None:
        """A search result: its conversation, scrolled to it (the history around it loaded if needed)."""
        from desktop.ui.chat_keys import reveal

        self.open_chat(peer_id)
        view = self.chat_view(peer_id)
        if view is not None:
            reveal(view, message_id)

    # keyboard and screen readers (issue 14) -------------------------------------------------------
    def _start_keys(self, window: Any, service: ChatService) -> None:
        """App-wide keys and menu entries, the chat views' keys, and the screen-reader announcements."""
        from desktop.ui import chat_keys
        from desktop.ui.announce import Announcer
        from desktop.ui.navigation import Navigation

        self.navigation = Navigation(window, self.open_chat, self.open_message)
        service.view_extensions.append(chat_keys.extension(lambda peer_id: self.navigation.search(peer_id)))
        announcer = self.announcer = Announcer(window)
        service.incoming.connect(
            lambda m: announcer.incoming(service.peer_name(m.sender_id) or "…", m.body))
        service.stateChanged.connect(lambda state, *_: announcer.connection(state))
        if self.uploads is not None:
            self.uploads.readyToSend.connect(
                lambda state, media: announcer.upload_done(getattr(media, "filename", "") or ""))

    def chat_view(self, peer_id: str) -> Any:
        """The view showing a conversation (its own window, or the main window's pane)."""
        window = self.chat_windows.get(peer_id)
        if window is not None:
            return window.chat
        return self.main_window._views.get(peer_id) if self.main_window is not None else None

    def _raise_main(self) -> None:
        if self.main_window is not None:
            self.main_window.showNormal()
            self.main_window.raise_()
            self.main_window.activateWindow()

    def _incoming(self, message: Message) -> None:
        if self.tray is None or self.service is None:
            return
        if not self.settings.notifications or self._is_focused(message.sender_id):
            return
        self.tray.notify(message, self.service.peer_name(message.sender_id) or "Parley")

    def _is_focused(self, peer_id: str) -> bool:
        window = self.chat_windows.get(peer_id)
        if window is not None and window.isActiveWindow():
            return True
        main = self.main_window
        return bool(main is not None and main.isActiveWindow() and main.active_peer() == peer_id)

    def show_server_status(self) -> None:
        """The admin's status window (one per main window; it refreshes itself while open)."""
        from desktop.net.admin import AdminClient
        from desktop.ui.status_window import StatusWindow

        window = self.main_window
        if window is None or self.session.info is None:
            return
        if self.status_window is None:
            self.status_window = StatusWindow(AdminClient(self.api), self.runner, self.session.info.server_url,
                                              self.session.info.user.email, window)
        self.status_window.show()
        self.status_window.raise_()
        self.status_window.activateWindow()

    def edit_settings(self) -> None:
        from desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self.main_window, privacy=getattr(self, "privacy", None))
        if dialog.exec():
            self._apply_look()
            if self.main_window is not None:
                single = self.settings.single_window
                if single != self.main_window.single:
                    self.main_window.set_single_window(single)
                    if single:
                        for peer_id in list(self.chat_windows):
                            self.chat_windows[peer_id].close()
                            self.main_window.show_chat(peer_id)
