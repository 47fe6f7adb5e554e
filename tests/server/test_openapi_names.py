"""Every request and answer model of the REST API has its own name in the OpenAPI document.

The document keys its schemas by class name, so a second ``StatusOut`` (the admin status) silently
replaced the first (``{"status": ...}`` of registration and password reset): three endpoints were
documented with the wrong answer, which the schemathesis run caught only in a full run.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict

from pydantic import BaseModel

import server.api


def test_api_models_have_distinct_names() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for info in pkgutil.iter_modules(server.api.__path__):
        module = importlib.import_module(f"server.api.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel:
                by_name[value.__name__].add(f"{value.__module__}.{value.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not clashes, f"models sharing a name in the OpenAPI document: {clashes}"
