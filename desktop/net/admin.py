"""The admin endpoints (``/api/admin``): the server's status, disabling and enabling accounts.

Blocking, like :class:`desktop.net.http.ApiClient` whose token handling and
error decoding it shares; call it only from worker threads.
"""
from __future__ import annotations

from desktop.core.server_status import AccountState, ServerStatus, account_state, server_status
from desktop.net.http import ApiClient


class AdminClient:
    """Attributes:
        api: the signed-in client.
    """

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def status(self) -> ServerStatus:
        return server_status(self.api._request("GET", "/api/admin/status"))

    def set_disabled(self, email: str, disabled: bool) -> AccountState:
        """Disables (ending its sessions) or enables the account with this address."""
        path = "/api/admin/accounts/disable" if disabled else "/api/admin/accounts/enable"
        return account_state(self.api._request("POST", path, json={"email": email}))
