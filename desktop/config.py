"""Start-up settings of one app instance (one profile), fixed for its lifetime."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

HOME_ENV = "PARLEY_DESKTOP_HOME"
DEFAULT_SERVER = "http://127.0.0.1:8000"
_PROFILE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def default_home() -> Path:
    """Where profiles live: ``$PARLEY_DESKTOP_HOME`` or the platform's user data dir."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("Parley", appauthor=False))


@dataclass(frozen=True)
class AppConfig:
    """Settings of one app instance.

    Attributes:
        profile: name of the profile (separate settings, keyring entries, local data).
        home: folder holding every profile; tests pass a tmp_path.
        server_url: server given on the command line (overrides the remembered one).
        theme: "system", "light" or "dark" (overrides the saved setting when not None).
        language: "system", "en" or "vi" (overrides the saved setting when not None).
    """

    profile: str = "default"
    home: Path = field(default_factory=default_home)
    server_url: str | None = None
    http_timeout: tuple[float, float] = (5.0, 15.0)
    ack_timeout: float = 10.0
    reconnect_base: float = 1.0
    reconnect_max: float = 30.0
    theme: str | None = None
    language: str | None = None
    notifications: bool | None = None

    def __post_init__(self) -> None:
        if not _PROFILE_RE.match(self.profile):
            raise ValueError("profile names use letters, digits, '.', '_' or '-' (at most 64)")
        if self.theme not in (None, "system", "light", "dark"):
            raise ValueError("theme must be system, light or dark")
        if self.language not in (None, "system", "en", "vi"):
            raise ValueError("language must be system, en or vi")
        object.__setattr__(self, "home", Path(self.home))

    @property
    def profile_dir(self) -> Path:
        return self.home / "profiles" / self.profile

    @property
    def settings_path(self) -> Path:
        return self.profile_dir / "settings.ini"

    @property
    def data_dir(self) -> Path:
        return self.profile_dir / "data"
