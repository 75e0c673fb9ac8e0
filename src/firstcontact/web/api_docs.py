"""/docs: the OpenAPI reference for systems that integrate with the platform.

FastAPI's own /docs loads Swagger UI from a CDN and starts it with an inline script; both are
refused by our Content-Security-Policy (and the CDN is not reachable from a force network), so
Swagger UI is installed from npm, served from /static, and started from a static file.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>firstcontact API</title>
  <link rel="stylesheet" href="/static/build/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/static/build/swagger-ui-bundle.js"></script>
  <script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
