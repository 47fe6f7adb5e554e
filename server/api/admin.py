"""``/api/admin``: the server's status and disabling accounts, for admins only.

Anyone else gets 403 ``forbidden`` before anything is read, so these
endpoints tell a non-admin nothing (not even whether an address has an
account). Admins are made from the command line only
(``parley-server grant-admin``); see docs/admin.md.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app, g
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from server.api.schemas import EmailBody
from server.auth import BEARER, require_user
from server.errors import ApiError, Problem
from server.extensions import Services, db_session, services
from server.health import Component, MailCheck, check_database, check_storage, run
from server.models import User, utcnow
from server.services import admin_accounts, admin_status, mail_log
from server.services.admin_status import Check, DayCount, Mail, Queue, Storage, Users

tag = Tag(name="Admin", description="Server status and account control, for accounts with the admin role")
bp = APIBlueprint("admin", __name__, url_prefix="/api/admin", abp_tags=[tag], abp_security=BEARER,
                  abp_responses={401: Problem, 403: Problem, 422: Problem, 429: Problem})

STARTED_AT = "parley_started_at"
#: the app's probe of its mail backend (an SMTP or SES call), made at most every 30 s
MAIL_CHECK = "parley_admin_mail_check"


class ServerStatusOut(BaseModel):
    generated_at: str
    version: str
    started_at: str | None = Field(description="When the process that answered started")
    uptime_seconds: float | None
    users: Users = Field(description="`online`: people connected now; `active_7d`: seen, refreshed a "
                                     "sign-in or sent a message in the last 7 days")
    messages_per_day: list[DayCount] = Field(description="The last 14 UTC days, oldest first, today last")
    storage: Storage = Field(description="Bytes of stored videos, and the biggest users of them")
    queue: Queue = Field(description="Videos being processed, the oldest one's age, failures of the last 24 h")
    mail: Mail = Field(description="Mail sent and given up on in the last 24 h, and the last error")
    health: list[Check] = Field(description="Database, storage and mail: `ok` and a one-line `detail`")


class AccountOut(BaseModel):
    id: str
    email: str
    display_name: str
    disabled: bool
    is_admin: bool
    sessions_ended: int = 0


def register(app: Flask) -> None:
    app.extensions[STARTED_AT] = utcnow()
    app.extensions[MAIL_CHECK] = MailCheck()
    app.register_api(bp)


def require_admin() -> User:
    """The signed-in user if an admin (403 ``forbidden`` otherwise), within their admin rate limit."""
    user: User | None = g.get("admin")
    if user is not None:
        return user
    user = require_user()
    if not user.is_admin:
        raise ApiError(403, "forbidden", "This needs an admin account.")
    services().user_limits.take("admin", user.id)
    g.admin = user
    return user


@bp.before_request
def _admins_only() -> None:
    """401 or 403 before a body is even looked at (never a 422 or 404 that would tell a non-admin more)."""
    require_admin()


def health_checks(svc: Services, s: Session, mail_check: MailCheck | None = None) -> list[Check]:
    """Database and storage probes, and mail: failing if the newest outcome (any process) failed."""
    checks = [run("database", lambda: check_database(svc)), run("storage", lambda: check_storage(svc))]
    error = mail_log.failing(s)
    checks.append(Component("mail", False, f"last send failed: {error}") if error
                  else (mail_check or MailCheck(ttl=0))(svc))
    return [Check(c.name, c.ok, c.detail) for c in checks]


def status_of(svc: Services, started_at: datetime | None, online: int | None,
              mail_check: MailCheck | None = None) -> dict[str, Any]:
    """The status as JSON-ready data (the endpoint and ``parley-server status``)."""
    from server import __version__
    with svc.db.session() as s:
        return admin_status.collect(s, version=__version__, started_at=started_at, online=online,
                                    health=health_checks(svc, s, mail_check)).to_dict()


@bp.get("/status", responses={200: ServerStatusOut}, summary="Server status: users, messages, storage, queue, mail",
        description="The same figures as `parley-server status`. Admins only (403 `forbidden` otherwise).")
def status():  # noqa: ANN201
    svc = services()
    return status_of(svc, current_app.extensions.get(STARTED_AT), svc.presence.count(),
                     current_app.extensions.get(MAIL_CHECK))


def _account(user: User, ended: int = 0) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "display_name": user.display_name,
            "disabled": user.disabled_at is not None, "is_admin": user.is_admin, "sessions_ended": ended}


@bp.post("/accounts/disable", responses={200: AccountOut, 404: Problem, 409: Problem},
         summary="Disable an account and end its sessions",
         description="409 `cannot_disable_self` for your own account; 404 `not_found` for an unknown address.")
def disable(body: EmailBody):  # noqa: ANN201
    user, ended = admin_accounts.set_disabled(db_session(), require_admin(), body.email, True)
    return _account(user, ended)


@bp.post("/accounts/enable", responses={200: AccountOut, 404: Problem},
         summary="Enable a disabled account (it signs in again; no old session comes back)")
def enable(body: EmailBody):  # noqa: ANN201
    user, _ = admin_accounts.set_disabled(db_session(), require_admin(), body.email, False)
    return _account(user)

