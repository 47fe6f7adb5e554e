"""The refresh token in the OS keyring: one entry per server + account + profile.

Blocking (Secret Service is a D-Bus round trip); call only from worker threads.
Nothing here ever writes a token anywhere but the keyring.
"""
from __future__ import annotations

from typing import Any

SERVICE = "Parley"


class KeyringUnavailable(Exception):
    """No usable keyring backend (e.g. headless Linux without Secret Service)."""


class CredentialStore:
    """Get, save and delete the refresh token of a profile's account on a server."""

    def __init__(self, profile: str, backend: Any = None) -> None:
        self.profile = profile
        self._backend = backend  # None: whatever keyring.get_keyring() is at call time

    def _kr(self) -> Any:
        if self._backend is not None:
            return self._backend
        import keyring  # slow to import (backend discovery); only ever called on a worker thread

        return keyring.get_keyring()

    def entry_name(self, server_url: str, email: str) -> str:
        return f"{self.profile}:{email.lower()}@{server_url}"

    def load(self, server_url: str, email: str) -> str | None:
        from keyring.errors import KeyringError

        try:
            secret: str | None = self._kr().get_password(SERVICE, self.entry_name(server_url, email))
            return secret
        except KeyringError as exc:
            raise KeyringUnavailable(str(exc)) from None
        except Exception as exc:  # a broken backend (D-Bus error...) is the same as none
            raise KeyringUnavailable(str(exc)) from None

    def save(self, server_url: str, email: str, refresh_token: str) -> None:
        from keyring.errors import KeyringError

        try:
            self._kr().set_password(SERVICE, self.entry_name(server_url, email), refresh_token)
        except KeyringError as exc:
            raise KeyringUnavailable(str(exc)) from None
        except Exception as exc:
            raise KeyringUnavailable(str(exc)) from None

    def delete(self, server_url: str, email: str) -> None:
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            self._kr().delete_password(SERVICE, self.entry_name(server_url, email))
        except PasswordDeleteError:
            pass  # nothing stored: already signed out
        except KeyringError as exc:
            raise KeyringUnavailable(str(exc)) from None
        except Exception as exc:
            raise KeyringUnavailable(str(exc)) from None
