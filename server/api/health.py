"""``/healthz`` (the process is alive) and ``/readyz`` (it can do its job)."""
from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from server.admin_access import is_admin_request

from server.health import Component, MailCheck, check_all
from server.extensions import services

bp = APIBlueprint("health", __name__, abp_tags=[Tag(name="Health")])
_mail_check = MailCheck()


class Healthy(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    components: dict[str, dict[str, object]] | None = Field(
        default=None, description="Per-component report: only for loopback callers or with the admin token")


@bp.get("/healthz", responses={200: Healthy}, summary="The process is alive")
def healthz():  # noqa: ANN201
    return {"status": "ok"}


@bp.get("/readyz", responses={200: Ready, 503: Ready},
        summary="200 when the database, storage and mail backend are usable; 503 otherwise",
        description="The per-component report (`components`) is included only for loopback callers and "
                    "callers sending `Authorization: Bearer <PARLEY_ADMIN_TOKEN>`.")
def readyz():  # noqa: ANN201
    svc = services()
    comps = check_all(svc, _mail_check)
    if svc.draining:
        comps.append(Component("server", False, "shutting down: not taking new connections"))
    ok = all(c.ok for c in comps)
    body: dict[str, object] = {"status": "ok" if ok else "unavailable"}
    if is_admin_request(svc.config):
        body["components"] = {c.name: c.to_dict() for c in comps}
    return body, (200 if ok else 503)
