"""A local HTTP server that answers like GOV.UK Notify and checks what the client sends:
the path, the JSON body's fields, and a JWT bearer token signed with the API key's secret."""

from __future__ import annotations

import base64
import binascii
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

from firstcontact.platform.runtime import Runtime

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"firstcontact_test-{SERVICE_ID}-{SECRET}"
SMS_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
EMAIL_TEMPLATE = "0b5e2b0e-8a6b-4a35-9f5b-0cc2b1b0d9e5"
REQUIRED = {"/v2/notifications/sms": ("phone_number", "template_id", "personalisation"),
            "/v2/notifications/email": ("email_address", "template_id", "personalisation"),
            "/v2/notifications/letter": ("reference", "content")}
LETTER = "/v2/notifications/letter"


@dataclass
class NotifyServer:
    """What the fake Notify received, and how it answers next (`status`)."""

    port: int = 0
    status: int = 201
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]
               ) -> tuple[int, dict[str, Any]]:
        self.received.append((path, body))
        problem = self._check(path, headers, body)
        if problem:
            self.problems.append(problem)
            return 400, {"status_code": 400,
                         "errors": [{"error": "BadRequestError", "message": problem}]}
        if self.status != 201:
            return self.status, {"status_code": self.status, "errors": [
                {"error": "ValidationError" if self.status == 400 else "Exception",
                 "message": "phone_number Not a UK mobile number"
                 if self.status == 400 else "Internal server error"}]}
        notification_id = str(uuid.uuid4())
        if path == LETTER:
            return 201, {"id": notification_id, "reference": body["reference"],
                         "postage": body.get("postage", "second")}
        return 201, {"id": notification_id, "reference": body.get("reference"),
                     "content": {"body": body["personalisation"].get("body", ""),
                                 "from_number": "GOVUK"},
                     "uri": f"https://api.notifications.service.gov.uk/v2/notifications/"
                            f"{notification_id}",
                     "template": {"id": body["template_id"], "version": 1, "uri": ""}}

    @staticmethod
    def _check(path: str, headers: dict[str, str], body: dict[str, Any]) -> str:
        if path not in REQUIRED:
            return f"no such endpoint {path}"
        missing = [name for name in REQUIRED[path] if name not in body]
        if missing:
            return f"missing {', '.join(missing)}"
        if path == LETTER and not letter_pdf(body).startswith(b"%PDF-"):
            return "content is not a base64-encoded PDF"
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme != "Bearer":
            return "Unauthorized, authentication token must be provided"
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        except jwt.PyJWTError as error:
            return f"Invalid token: {error}"
        if claims.get("iss") != SERVICE_ID or "iat" not in claims:
            return "Invalid token: issuer"
        return ""


def letter_pdf(body: dict[str, Any]) -> bytes:
    """The PDF a precompiled letter request carries (b"" if it is not base64)."""
    try:
        return base64.b64decode(str(body.get("content", "")), validate=True)
    except (binascii.Error, ValueError):
        return b""


def _handler(server: NotifyServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer = server.answer(self.path, headers, body)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


@contextmanager
def running_notify(runtime: Runtime) -> Iterator[NotifyServer]:
    """A fake Notify on localhost, and the runtime's settings pointed at it."""
    server = NotifyServer()
    http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    server.port = http.server_address[1]
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    settings = runtime.settings
    settings.notify_api_key, settings.notify_sms_template_id = API_KEY, SMS_TEMPLATE
    settings.notify_base_url = f"http://127.0.0.1:{server.port}"
    settings.notify_timeout_seconds = 5
    yield server
    http.shutdown()
    http.server_close()
