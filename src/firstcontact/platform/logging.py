"""Logs: one JSON object per line on stdout in production (what log shippers read), plain
lines for a person at a terminal. uvicorn's own loggers are routed through the same handler,
so a request log and an application log look alike and carry the same fields.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter  # python-json-logger >= 3.1

from firstcontact.settings import Settings

HANDLER_NAME = "firstcontact"
"""Our handler on the root logger is found by this name, so configuring twice replaces it."""

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
QUIET = {"uvicorn.access": logging.WARNING, "httpx": logging.WARNING}
"""The web middleware writes one access line per request (without the query string, which can
carry names); uvicorn's own access line would repeat it, with the query."""

PLAIN_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def _formatter(json_lines: bool) -> logging.Formatter:
    if json_lines:
        return JsonFormatter("%(levelname)s %(name)s %(message)s", timestamp=True,
                             rename_fields={"levelname": "level", "name": "logger"})
    return logging.Formatter(PLAIN_FORMAT)


def configure_logging(settings: Settings) -> None:
    """Send every log record to stdout at `settings.log_level`; safe to call again.

    When serving, start uvicorn with `log_config=None` so it does not install its own handlers
    after this has run.
    """
    handler = logging.StreamHandler(sys.stdout)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(_formatter(settings.log_json))
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == HANDLER_NAME:
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
        uvicorn_logger.setLevel(logging.NOTSET)
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(level)
