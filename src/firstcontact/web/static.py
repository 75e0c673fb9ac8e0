"""Serves the built front-end assets (GOV.UK Frontend CSS/JS, htmx) at /static.

The assets come from npm and are built by `make install` into web/static/build/; they are never
committed. A checkout that skipped the build still starts (the API and /health work): it logs a
warning that says how to build them, rather than failing to serve at all.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from firstcontact.settings import Settings

log = logging.getLogger(__name__)

PACKAGE_STATIC = Path(__file__).resolve().parent / "static"
BUILT_ASSETS = ("app.css", "govuk-frontend.min.js", "htmx.min.js", "swagger-ui-bundle.js",
                "swagger-ui.css")


def static_root(settings: Settings) -> Path:
    """settings.static_dir if set, otherwise the package's own web/static folder."""
    return Path(settings.static_dir) if settings.static_dir else PACKAGE_STATIC


def missing_assets(root: Path) -> list[str]:
    return [name for name in BUILT_ASSETS if not (root / "build" / name).is_file()]


def mount(app: FastAPI, settings: Settings) -> None:
    """Mount /static; warn (once, at start-up) if the built assets are not there."""
    root = static_root(settings)
    missing = missing_assets(root)
    if missing:
        log.warning("front-end assets missing from %s: %s; pages will be unstyled. "
                    "Run `make install` to build them.", root / "build", ", ".join(missing))
    app.mount("/static", StaticFiles(directory=root, check_dir=False), name="static")
