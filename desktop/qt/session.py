"""Signing in and out: the account flows, silent sign-in and the keyring.

Every network and keyring call runs on the :class:`TaskRunner`; results come
back on the GUI thread as callbacks or signals.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop.core.errors import NetworkError, ParleyError
from desktop.core.models import SessionInfo, TokenPair, User
from desktop.net.credentials import CredentialStore, KeyringUnavailable
from desktop.net.address import candidates, host_of, normalize_url
from desktop.net.http import ApiClient
from desktop.qt.settings import Settings
from desktop.qt.tasks import TaskRunner

log = logging.getLogger(__name__)

KEYRING_NOTE = ("Your system has no usable keyring, so Parley can't remember this sign-in. "
                "You'll be asked to sign in again next time.")

Done = Callable[[Any], None]
Fail = Callable[[Exception], None]
T = TypeVar("T")


class Session(QObject):
    """Owner of who is signed in.

    Signals:
        signedIn(SessionInfo): a sign-in (typed or silent) succeeded.
        signedOut(str): the session ended; the text says why ("" when the person chose it).
        silentSignInFailed(): no remembered session could be used; show the sign-in window.
        keyringUnavailable(str): said once per run when tokens can only be kept in memory.
    """

    signedIn = Signal(object)
    signedOut = Signal(str)
    silentSignInFailed = Signal()
    keyringUnavailable = Signal(str)

    def __init__(self, api: ApiClient, credentials: CredentialStore, runner: TaskRunner,
                 settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.credentials = credentials
        self.runner = runner
        self.settings = settings
        self.info: SessionInfo | None = None
        self._keyring_ok = True
        self._keyring_warned = False
        api.on_tokens = self._store_rotated_token  # runs on worker threads
        api.cleartext_hosts.update(settings.cleartext_hosts)

    # account flows (each: on_done on success, on_error with a ParleyError) ----------------
    def _at_server(self, typed: str, call: Callable[[], T]) -> tuple[str, T]:
        """Runs ``call`` at the address typed: ``https://`` first, then plain ``http://`` for a
        private or loopback host typed without a scheme (:func:`desktop.net.address.candidates`)."""
        last: NetworkError | None = None
        for url in candidates(typed):
            self.api.base_url = url
            try:
                return url, call()
            except NetworkError as exc:
                if exc.kind not in ("unreachable", "bad_address", "timeout"):
                    raise
                last = exc
        assert last is not None
        raise last

    def allow_cleartext(self, server_url: str) -> None:
        """The person confirmed the warning: this host may be reached over plain http (remembered)."""
        host = host_of(normalize_url(server_url))
        self.api.cleartext_hosts.add(host)
        self.settings.cleartext_hosts = sorted(set(self.settings.cleartext_hosts) | {host})

    def sign_in(self, server_url: str, email: str, password: str, on_error: Fail) -> None:
        def work() -> SessionInfo:
            url, (tokens, user) = self._at_server(server_url, lambda: self.api.login(email, password))
            return self._remember(url, user, tokens)

        self.runner.run(work, self._signed_in, on_error)

    def register(self, server_url: str, email: str, password: str, display_name: str,
                 locale: str | None, on_done: Done, on_error: Fail) -> None:
        def work() -> None:
            self._at_server(server_url, lambda: self.api.register(email, password, display_name, locale))

        self.runner.run(work, on_done, on_error)

    def verify(self, server_url: str, email: str, code: str, password: str, on_error: Fail) -> None:
        def work() -> SessionInfo:
            url, (tokens, user) = self._at_server(server_url, lambda: self.api.verify(email, code, password))
            return self._remember(url, user, tokens)

        self.runner.run(work, self._signed_in, on_error)

    def resend_code(self, server_url: str, email: str, on_done: Done, on_error: Fail) -> None:
        def work() -> None:
            self._at_server(server_url, lambda: self.api.resend_verification(email))

        self.runner.run(work, on_done, on_error)

    def forgot_password(self, server_url: str, email: str, on_done: Done, on_error: Fail) -> None:
        def work() -> None:
            self._at_server(server_url, lambda: self.api.forgot_password(email))

        self.runner.run(work, on_done, on_error)

    def reset_password(self, server_url: str, email: str, code: str, new_password: str,
                       on_done: Done, on_error: Fail) -> None:
        def work() -> None:
            self._at_server(server_url, lambda: self.api.reset_password(email, code, new_password))

        self.runner.run(work, on_done, on_error)

    # silent sign-in -------------------------------------------------------------------
    def sign_in_silently(self, server_url: str) -> None:
        """Sign in with the keyring's refresh token and the cached account, without waiting on the server."""
        server_url = normalize_url(server_url)
        user = self.settings.last_user
        if not server_url or user is None:
            self.silentSignInFailed.emit()
            return

        def work() -> SessionInfo | None:
            self.api.base_url = server_url
            try:
                token = self.credentials.load(server_url, user.email)
            except KeyringUnavailable:
                self._keyring_ok = False
                return None
            if not token:
                return None
            # No network here: the window opens at once from the cache. The first request
            # (the realtime connect) trades this token for a fresh pair; if the server
            # refuses it, the session ends and the sign-in window comes back.
            self.api.set_tokens(TokenPair(access_token="", refresh_token=token, expires_in=0))
            return SessionInfo(server_url=server_url, user=user, offline=True)

        def done(info: SessionInfo | None) -> None:
            if info is None:
                self._warn_keyring()
                self.silentSignInFailed.emit()
            else:
                self._signed_in(info)

        def failed(exc: Exception) -> None:
            log.warning("silent sign-in failed: %s", exc)
            self.silentSignInFailed.emit()

        self.runner.run(work, done, failed)

    # sign out ------------------------------------------------------------------------------
    def sign_out(self, reason: str = "") -> None:
        """Forget the session: keyring entry deleted, server told when reachable."""
        info = self.info
        self.info = None
        if info is None:
            return
        self.settings.last_user = None

        def work() -> None:
            try:
                self.credentials.delete(info.server_url, info.user.email)
            except KeyringUnavailable:
                pass
            try:
                self.api.logout()
            except ParleyError:
                self.api.set_tokens(None)

        self.runner.run(work, lambda _: None, lambda exc: log.warning("sign-out: %s", exc))
        self.signedOut.emit(reason)

    def expire(self, message: str) -> None:
        """The server refused our tokens: end the session with that reason."""
        self.sign_out(message)

    # internals -----------------------------------------------------------------------------
    def _remember(self, server_url: str, user: User, tokens: TokenPair) -> SessionInfo:
        """Worker side of a typed sign-in: keep the refresh token in the keyring."""
        remembered = True
        try:
            self.credentials.save(server_url, user.email, tokens.refresh_token)
            self._keyring_ok = True
        except KeyringUnavailable:
            self._keyring_ok = False
            remembered = False
        return SessionInfo(server_url=server_url, user=user, remembered=remembered)

    def _store_rotated_token(self, tokens: TokenPair) -> None:
        info = self.info
        if info is None or not self._keyring_ok:
            return
        try:
            self.credentials.save(info.server_url, info.user.email, tokens.refresh_token)
        except KeyringUnavailable:
            self._keyring_ok = False

    def _signed_in(self, info: SessionInfo) -> None:
        self.info = info
        self.settings.server_url = info.server_url
        self.settings.last_email = info.user.email
        self.settings.last_user = info.user
        self.settings.sync()
        self._warn_keyring()
        self.signedIn.emit(info)

    def _warn_keyring(self) -> None:
        if not self._keyring_ok and not self._keyring_warned:
            self._keyring_warned = True
            self.keyringUnavailable.emit(KEYRING_NOTE)
