"""One Jinja2 environment for every page, and `render` to answer with a page.

The loader searches web/templates (the layout and partials) and every room's `templates/`
folder, found automatically; a room keeps its pages in a sub-folder named after itself
(`contacts/templates/contacts/new.html`) so two rooms never shadow each other's files.
Autoescaping is on: anything a member of the public typed is shown as text, never markup.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from firstcontact.platform.clock import london
from firstcontact.platform.model import Permission
from firstcontact.platform.runtime import Runtime

WEB = Path(__file__).resolve().parent
PACKAGE = WEB.parent

INLINE_SCRIPTS = {
    "js_enabled": "document.body.className += ' js-enabled' + ('noModule' in "
                  "HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');",
    "govuk_init": "import { initAll } from '/static/build/govuk-frontend.min.js'; initAll();",
}
"""The only inline scripts a page may run: GOV.UK Frontend's start-up. The Content-Security-
Policy allows exactly these by hash (`script_hashes`), so an injected script never runs."""


def script_hashes() -> list[str]:
    """CSP source expressions ('sha256-…') for INLINE_SCRIPTS."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in INLINE_SCRIPTS.values()
    ]


def template_folders() -> list[Path]:
    """web/templates first (layout, partials), then each room's templates/ folder."""
    own = WEB / "templates"
    rooms = sorted(p for p in PACKAGE.glob("*/templates") if p.is_dir() and p != own)
    return [own, *rooms]


def london_time(moment: datetime | None) -> str:
    """'14 Mar 2026 09:30', as the control room reads a time (Europe/London)."""
    if moment is None:
        return ""
    local = london(moment)
    return f"{local.day} {local:%b %Y %H:%M}"


def london_iso(moment: datetime | None) -> str:
    """ISO 8601 with the London offset, for <time datetime="…"> and scripts."""
    return "" if moment is None else london(moment).isoformat(timespec="minutes")


def build_environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(template_folders()), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)
    environment.filters["london"] = london_time
    environment.filters["london_iso"] = london_iso
    environment.globals["Permission"] = Permission
    environment.globals["inline_scripts"] = INLINE_SCRIPTS
    return environment


environment = build_environment()
templates = Jinja2Templates(env=environment)


def render(request: Request, template_name: str, context: dict[str, Any] | None = None,
           status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """Answer with a page. Adds `actor`, `csrf_token`, `force_name` and `request`.

    `actor` and `csrf_token` are None on pages nobody signed in to (set by web.deps).
    """
    rt: Runtime = request.app.state.runtime
    page: dict[str, Any] = {
        "actor": getattr(request.state, "actor", None),
        "csrf_token": getattr(request.state, "csrf_token", None),
        "force_name": rt.settings.force_name,
        "errors": {},
    }
    page.update(context or {})
    page["request"] = request
    return templates.TemplateResponse(request, template_name, page, status_code=status_code,
                                      headers=headers)
