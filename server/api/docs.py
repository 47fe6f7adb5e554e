"""The OpenAPI document and Swagger UI, served from the package itself (no CDN)."""
from __future__ import annotations

from pathlib import Path

import flask_openapi3_swagger
from flask import Blueprint, Response, current_app, jsonify, send_from_directory

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


@bp.get("/api/openapi.json")
def openapi_json() -> Response:
    return jsonify(current_app.api_doc)  # type: ignore[attr-defined]


@bp.get("/docs")
def swagger_ui() -> Response:
    return Response(_PAGE, mimetype="text/html")


@bp.get("/docs/assets/<path:name>")
def swagger_asset(name: str) -> Response:
    resp = send_from_directory(ASSETS, name, max_age=86400)
    return resp
