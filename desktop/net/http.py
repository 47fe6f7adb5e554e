"""REST client for the Parley contract: timeouts, problem+json errors, token refresh.

Blocking; call it only from worker threads. Tokens live in memory here; the
refresh token is handed to ``on_tokens`` so the caller can keep it in the keyring.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

from desktop.core import protocol
from desktop.core.errors import ApiError, NetworkError, NotSignedIn, from_problem
from desktop.net.address import host_of, needs_consent, normalize_url
from desktop.core.models import (
    Conversation,
    Message,
    MessagePage,
    TokenPair,
    User,
    UserSummary,
)

if TYPE_CHECKING:
    import requests

REFRESH_MARGIN_S = 60.0




class ApiClient:
    """Thread-safe wrapper over ``requests`` that speaks the contract.

    Attributes:
        base_url: the server address, e.g. ``http://127.0.0.1:8000``.
    """

    def __init__(self, base_url: str, *, timeout: tuple[float, float] = (5.0, 15.0),
                 session: requests.Session | None = None,
                 on_tokens: Callable[[TokenPair], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.base_url = normalize_url(base_url)
        self.timeout = timeout
        self.on_tokens = on_tokens
        self._session = session  # created on first use: importing requests is slow
        self._clock = clock
        self._lock = threading.RLock()
        self._tokens: TokenPair | None = None
        self._expires_at = 0.0
        #: hosts the person agreed to reach over plain http (see :mod:`desktop.net.address`)
        self.cleartext_hosts: set[str] = set()

    # tokens ---------------------------------------------------------------
    def set_tokens(self, tokens: TokenPair | None) -> None:
        with self._lock:
            self._tokens = tokens
            self._expires_at = self._clock() + (tokens.expires_in if tokens else 0)

    @property
    def refresh_token(self) -> str | None:
        with self._lock:
            return self._tokens.refresh_token if self._tokens else None

    def access_token(self, *, force_refresh: bool = False) -> str:
        """A valid access token, refreshed first if it expires within a minute."""
        with self._lock:
            if self._tokens is None:
                raise NotSignedIn("Not signed in.")
            if force_refresh or self._clock() > self._expires_at - REFRESH_MARGIN_S:
                self.refresh()
            assert self._tokens is not None
            return self._tokens.access_token

    def refresh(self, refresh_token: str | None = None) -> TokenPair:
        """Trade the refresh token for a new pair (refresh tokens rotate)."""
        with self._lock:
            token = refresh_token or self.refresh_token
            if not token:
                raise NotSignedIn("Not signed in.")
            data = self._request("POST", "/api/auth/refresh", json={"refresh_token": token}, auth=False)
            pair = protocol.token_pair(data)
            self.set_tokens(pair)
        if self.on_tokens:
            self.on_tokens(pair)
        return pair

    # accounts -------------------------------------------------------------
    def register(self, email: str, password: str, display_name: str, locale: str | None = None) -> None:
        body = {"email": email, "password": password, "display_name": display_name}
        if locale:
            body["locale"] = locale
        self._request("POST", "/api/auth/register", json=body, auth=False)

    def verify(self, email: str, code: str, password: str) -> tuple[TokenPair, User]:
        """The code proves the mailbox; the password proves this is who registered (contract v2)."""
        return self._signed_in(self._request("POST", "/api/auth/verify",
                                             json={"email": email, "code": code, "password": password},
                                             auth=False))

    def resend_verification(self, email: str) -> None:
        self._request("POST", "/api/auth/resend-verification", json={"email": email}, auth=False)

    def login(self, email: str, password: str) -> tuple[TokenPair, User]:
        return self._signed_in(self._request("POST", "/api/auth/login",
                                             json={"email": email, "password": password}, auth=False))

    def logout(self) -> None:
        token = self.refresh_token
        self.set_tokens(None)
        if token:
            self._request("POST", "/api/auth/logout", json={"refresh_token": token}, auth=False)

    def forgot_password(self, email: str) -> None:
        self._request("POST", "/api/auth/forgot-password", json={"email": email}, auth=False)

    def reset_password(self, email: str, code: str, new_password: str) -> None:
        self._request("POST", "/api/auth/reset-password",
                      json={"email": email, "code": code, "new_password": new_password}, auth=False)

    def me(self) -> User:
        return protocol.user(self._request("GET", "/api/me"))

    def find_users(self, query: str) -> list[UserSummary]:
        return protocol.users(self._request("GET", "/api/users", params={"q": query}))

    def user(self, user_id: str) -> UserSummary:
        """Someone you share a conversation with (ApiError ``not_found`` for anyone else)."""
        return protocol.user_summary(self._request("GET", f"/api/users/{quote(user_id, safe='')}"))

    # privacy: blocks and who sees my presence --------------------------------
    def blocked_people(self) -> list[UserSummary]:
        return [protocol.user_summary(b["user"]) for b in self._request("GET", "/api/blocks").get("blocked", [])]

    def block(self, user_id: str) -> None:
        self._request("PUT", f"/api/blocks/{quote(user_id)}")

    def unblock(self, user_id: str) -> None:
        self._request("DELETE", f"/api/blocks/{quote(user_id)}")

    def presence_visibility(self) -> str:
        return str(self._request("GET", "/api/me").get("presence_visibility") or "written_to")

    def set_presence_visibility(self, value: str) -> None:
        self._request("PATCH", "/api/me", json={"presence_visibility": value})

    # conversations ----------------------------------------------------------
    def conversations(self) -> list[Conversation]:
        return protocol.conversations(self._request("GET", "/api/conversations"))

    def messages(self, peer_id: str, *, before: str | None = None, after: str | None = None,
                 limit: int = 50) -> MessagePage:
        params: dict[str, Any] = {"limit": limit}
        if before:
            params["before"] = before
        if after:
            params["after"] = after
        return protocol.message_page(
            self._request("GET", f"/api/conversations/{quote(peer_id)}/messages", params=params))

    def messages_around(self, peer_id: str, message_id: str, limit: int = 50) -> tuple[list[Message], bool, bool]:
        """The page of a conversation centred on a message: (messages oldest first, more before, more after)."""
        data = self._request("GET", f"/api/conversations/{quote(peer_id)}/messages",
                             params={"around": message_id, "limit": limit})
        page = protocol.message_page(data)
        return list(page.messages), bool(data.get("has_more_before")), bool(data.get("has_more_after"))

    def search_messages(self, query: str, peer_id: str | None = None, limit: int = 50) -> list[Message]:
        """Full-text search of one's own conversations (accent-insensitive), newest first."""
        params: dict[str, Any] = {"q": query[:200], "limit": limit}
        if peer_id:
            params["peer_id"] = peer_id
        data = self._request("GET", "/api/messages/search", params=params)
        return [protocol.message(m) for m in data.get("messages", [])]

    def send_message(self, peer_id: str, client_id: str, body: str) -> Message:
        return protocol.message(self._request("POST", f"/api/conversations/{quote(peer_id)}/messages",
                                              json={"client_id": client_id, "body": body}))

    def mark_read(self, peer_id: str, up_to: str) -> None:
        self._request("POST", f"/api/conversations/{quote(peer_id)}/read", json={"up_to": up_to})

    # plumbing -------------------------------------------------------------
    def _signed_in(self, data: dict[str, Any]) -> tuple[TokenPair, User]:
        pair = protocol.token_pair(data)
        self.set_tokens(pair)
        return pair, protocol.user(data["user"])

    def _request(self, method: str, path: str, *, json: Any = None, params: Any = None,
                 auth: bool = True) -> Any:
        for attempt in (0, 1):
            headers = {"Accept": "application/json"}
            if auth:
                headers["Authorization"] = f"Bearer {self.access_token(force_refresh=attempt == 1)}"
            response = self._send(method, path, headers=headers, json=json, params=params)
            if response.status_code == 401 and auth and attempt == 0:
                continue  # the access token was refused: refresh once and retry
            if response.status_code in (404, 405) and path.startswith("/api/auth/"):
                # every Parley server has these endpoints: this address is something else
                raise NetworkError(f"{self.base_url} doesn't look like a Parley server. Check the address.",
                                   kind="bad_address")
            return self._decode(response)
        raise AssertionError("unreachable")

    @property
    def _http(self) -> requests.Session:
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        import requests

        url = self.base_url + path
        if needs_consent(self.base_url) and host_of(self.base_url) not in self.cleartext_hosts:
            # nothing leaves in clear text (no password, no token) before the person agreed
            raise NetworkError(f"{self.base_url} is not encrypted (http://): your password would be readable "
                               "on the way.", kind="cleartext")
        try:
            return self._http.request(method, url, timeout=self.timeout, **kwargs)
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema):
            raise NetworkError(f"“{self.base_url}” is not a valid server address.", kind="bad_address")
        except requests.exceptions.Timeout:
            raise NetworkError(f"The server at {self.base_url} took too long to answer. "
                               "Check your connection and try again.", kind="timeout")
        except requests.exceptions.RequestException:
            raise NetworkError(f"Can't reach the server at {self.base_url}. Check the address "
                               "and your connection.", kind="unreachable")

    def _decode(self, response: requests.Response) -> Any:
        content_type = response.headers.get("Content-Type", "")
        is_json = "json" in content_type
        if response.status_code >= 400:
            if not is_json:
                if response.status_code in (404, 405):
                    raise NetworkError(f"{self.base_url} doesn't look like a Parley server.",
                                       kind="bad_address")
                if response.status_code >= 500:
                    raise NetworkError("The server had a problem. Try again in a moment.",
                                       kind="server")
            try:
                body = response.json() if is_json else None
            except ValueError:
                body = None
            raise from_problem(response.status_code, body, response.headers)
        if response.status_code == 204 or not response.content:
            return {}
        if not is_json:
            raise NetworkError(f"{self.base_url} doesn't look like a Parley server.", kind="bad_address")
        try:
            return response.json()
        except ValueError:
            raise NetworkError(f"{self.base_url} doesn't look like a Parley server.", kind="bad_address")


__all__ = ["ApiClient", "ApiError", "NetworkError", "normalize_url"]
