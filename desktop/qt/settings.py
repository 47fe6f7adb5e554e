"""Per-profile preferences in an INI file (QSettings). Never holds a token."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from desktop.core.models import User


class Settings:
    """Typed accessors over the profile's ``settings.ini``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    def _get(self, key: str, default: Any = None) -> Any:
        value = self._qs.value(key, default)
        return default if value is None else value

    def _bool(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        return bool(value)

    def sync(self) -> None:
        self._qs.sync()

    # account ---------------------------------------------------------------
    @property
    def server_url(self) -> str:
        return str(self._get("account/server_url", ""))

    @server_url.setter
    def server_url(self, value: str) -> None:
        self._qs.setValue("account/server_url", value)

    @property
    def last_user(self) -> User | None:
        raw = self._get("account/user", "")
        if not raw:
            return None
        try:
            data = json.loads(raw)
            return User(id=data["id"], email=data["email"], display_name=data["display_name"],
                        locale=data.get("locale"), is_admin=bool(data.get("is_admin")))
        except (ValueError, KeyError, TypeError):
            return None

    @last_user.setter
    def last_user(self, user: User | None) -> None:
        if user is None:
            self._qs.remove("account/user")
        else:
            self._qs.setValue("account/user", json.dumps(
                {"id": user.id, "email": user.email, "display_name": user.display_name,
                 "locale": user.locale, "is_admin": user.is_admin}))

    @property
    def last_email(self) -> str:
        return str(self._get("account/email", ""))

    @last_email.setter
    def last_email(self, value: str) -> None:
        self._qs.setValue("account/email", value)

    # preferences -----------------------------------------------------------
    @property
    def cleartext_hosts(self) -> list[str]:
        """Hosts the person agreed to reach over plain http (the warning was confirmed)."""
        raw = self._get("account/cleartext_hosts", "")
        return [h for h in (raw if isinstance(raw, str) else "").split(",") if h]

    @cleartext_hosts.setter
    def cleartext_hosts(self, hosts: list[str]) -> None:
        self._qs.setValue("account/cleartext_hosts", ",".join(hosts))

    @property
    def theme(self) -> str:
        return str(self._get("ui/theme", "system"))

    @theme.setter
    def theme(self, value: str) -> None:
        self._qs.setValue("ui/theme", value)

    @property
    def language(self) -> str:
        return str(self._get("ui/language", "system"))

    @language.setter
    def language(self, value: str) -> None:
        self._qs.setValue("ui/language", value)

    @property
    def notifications(self) -> bool:
        return self._bool("ui/notifications", True)

    @notifications.setter
    def notifications(self, value: bool) -> None:
        self._qs.setValue("ui/notifications", bool(value))

    @property
    def single_window(self) -> bool:
        return self._bool("ui/single_window", False)

    @single_window.setter
    def single_window(self, value: bool) -> None:
        self._qs.setValue("ui/single_window", bool(value))

    # window geometry ------------------------------------------------------------
    def geometry(self, name: str) -> QByteArray | None:
        value = self._qs.value(f"geometry/{name}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, name: str, value: QByteArray) -> None:
        self._qs.setValue(f"geometry/{name}", value)
