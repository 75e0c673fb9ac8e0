"""What every response gets: security headers, a body-size limit, an access-log line, and a
generic 500 (via web.errors) instead of a stack trace.

One plain ASGI middleware does all four, so the 413 and 500 answers it makes itself carry the
same headers and get logged like any other response.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from firstcontact.platform import metrics
from firstcontact.settings import Settings
from firstcontact.web import errors
from firstcontact.web.templating import script_hashes

MAX_BODY_BYTES = 1024 * 1024
"""Generous for a contact narrative (20,000 characters) and small enough to refuse floods."""

access_log = logging.getLogger("firstcontact.access")


def content_security_policy() -> str:
    scripts = " ".join(["'self'", *script_hashes()])
    return ("default-src 'self'; "
            f"script-src {scripts}; "
            "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'")


def security_headers() -> list[tuple[bytes, bytes]]:
    headers = {
        "content-security-policy": content_security_policy(),
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "x-frame-options": "DENY",
        "cross-origin-opener-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=()",
    }
    return [(k.encode(), v.encode()) for k, v in headers.items()]


HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def over_tls(scope: Scope, settings: Settings) -> bool:
    """Served over HTTPS: uvicorn's own TLS, a trusted local proxy's X-Forwarded-Proto (uvicorn
    rewrites the scheme), or a force that terminates TLS elsewhere and says so by setting
    cookie_secure. Only then is HSTS sent: over plain HTTP it would be meaningless, and on a
    trial machine it would lock the browser out of http://127.0.0.1 for a year."""
    return scope.get("scheme") in ("https", "wss") or settings.cookie_secure


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int = MAX_BODY_BYTES) -> None:
        super().__init__(413, f"Requests may be at most {limit // 1024} KB.")


def declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


class Guard:
    """Headers, size limit, access log and last-resort error page for every HTTP request."""

    def __init__(self, app: ASGIApp, settings: Settings, max_body: int = MAX_BODY_BYTES,
                 larger: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.settings = settings
        self.headers = security_headers()
        self.max_body = max_body
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "started": False}
        send_with_headers = self._sender(scope, send, state)
        try:
            await self._forward(scope, receive, send_with_headers)
        except Exception as exc:
            if state["started"]:
                raise
            await errors.unexpected(Request(scope), exc)(scope, receive, send_with_headers)
        finally:
            self._log(scope, state["status"], started)

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.larger.get(scope.get("path", ""), self.max_body)
        if declared_length(scope) > limit:
            message = BodyTooLarge(limit).detail
            await PlainTextResponse(message, status_code=413)(scope, receive, send)
            return
        await self.app(scope, self._limited(receive, limit), send)

    def _limited(self, receive: Receive, limit: int) -> Receive:
        """Count the body as it arrives, for clients that send no Content-Length."""
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        return limited

    def _sender(self, scope: Scope, send: Send, state: dict[str, Any]) -> Send:
        static = scope.get("path", "").startswith("/static/")
        headers = [*self.headers, HSTS] if over_tls(scope, self.settings) else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in headers if k not in present]
                if not static and b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        return send_with_headers

    @staticmethod
    def _log(scope: Scope, status: int, started: float) -> None:
        seconds = time.perf_counter() - started
        metrics.observe(scope, status, seconds)
        duration_ms = round(seconds * 1000, 1)
        method, path = scope.get("method", ""), scope.get("path", "")
        # The query string is left out on purpose: it can carry names and phone numbers.
        access_log.info("%s %s %s %sms", method, path, status, duration_ms,
                        extra={"method": method, "path": path, "status": status,
                               "duration_ms": duration_ms})


def install(app: FastAPI, settings: Settings, larger: Mapping[str, int] | None = None) -> None:
    """`larger`: the exact paths (file uploads) allowed a bigger body than MAX_BODY_BYTES."""
    app.add_middleware(Guard, settings=settings, larger=larger)
