"""Business rules. Services take their collaborators as arguments and never import flask.request."""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy.engine import CursorResult, Result


def changed_rows(result: Result[Any]) -> int:
    """Rows matched by an UPDATE or DELETE (``Session.execute`` is typed as returning a plain Result)."""
    return cast(CursorResult[Any], result).rowcount
