"""The OpenAPI document and Swagger UI, served from the package itself (no CDN)."""
from __future__ import annotations

import copy
from pathlib import Path

import flask_openapi3_swagger
from flask import Blueprint, Response, current_app, jsonify, send_from_directory

from server.api.media import document_limits
from server.errors import Problem
from server.extensions import services

bp = Blueprint("docs", __name__)
ASSETS = Path(flask_openapi3_swagger.__file__).parent / "templates" / "swagger"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parley API — Swagger UI</title>
<link rel="stylesheet" href="/docs/assets/css/swagger-ui.css">
<link rel="icon" href="/docs/assets/images/swagger.svg">
<style>body{margin:0;background:#fafafa}</style></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/js/swagger-ui-bundle.js"></script>
<script src="/docs/assets/js/swagger-ui-standalone-preset.js"></script>
<script>
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
};
</script></body></html>"""


def finalize(spec: dict) -> dict:
    """Documents errors as they are served: ``application/problem+json``, on every operation.

    flask-openapi3 writes every response as ``application/json``; our errors
    are RFC 9457 documents, and any operation can answer 401, 404, 415, 429
    or 500, so each also gets a ``default`` Problem response.
    """
    spec = copy.deepcopy(spec)
    problem = {"$ref": "#/components/schemas/Problem"}
    spec.setdefault("components", {}).setdefault("schemas", {}).setdefault("Problem", Problem.model_json_schema())
    for path_item in spec.get("paths", {}).values():
        for op in path_item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for resp in op["responses"].values():
                content = resp.get("content") or {}
                body = content.get("application/json")
                if body and body.get("schema", {}).get("$ref", "").endswith("/Problem"):
                    content["application/problem+json"] = content.pop("application/json")
            op["responses"].setdefault("default", {
                "description": "An error, as RFC 9457 problem details with a stable `code`",
                "content": {"application/problem+json": {"schema": problem}}})
    return spec


@bp.get("/api/openapi.json")
def openapi_json() -> Response:
    doc = current_app.extensions.get("parley_openapi")
    if doc is None:
        doc = finalize(current_app.api_doc)  # type: ignore[attr-defined]
        document_limits(doc, services().config)  # limits from the configuration (upload size)
        current_app.extensions["parley_openapi"] = doc
    return jsonify(doc)


@bp.get("/docs")
def swagger_ui() -> Response:
    return Response(_PAGE, mimetype="text/html")


@bp.get("/docs/assets/<path:name>")
def swagger_asset(name: str) -> Response:
    resp = send_from_directory(ASSETS, name, max_age=86400)
    return resp
