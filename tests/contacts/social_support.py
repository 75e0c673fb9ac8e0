"""Payloads shaped as the platforms document them (tests/data/social), signed as they sign."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from firstcontact.contacts.social_model import hub_signature, x_signature
from firstcontact.contacts.tables import ContactRow, SocialConversationRow, SocialMessageRow
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings

DATA = Path(__file__).resolve().parent.parent / "data" / "social"
META_SECRET = "meta-app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
X_SECRET = "x-consumer-secret-for-tests"


def social_settings(database_url: str, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url, "timer_enabled": False, "log_json": False,
        "secret_key": "test-secret", "meta_app_secret": META_SECRET,
        "meta_verify_token": VERIFY_TOKEN, "x_consumer_secret": X_SECRET,
        "meta_page_access_token": "page-token", "whatsapp_access_token": "wa-token",
        "x_user_access_token": "x-token"}
    values.update(changes)
    return Settings(**values)


def payload(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    return copy.deepcopy(loaded)


def post_meta(client: TestClient, body: dict[str, Any] | bytes,
              signature: str | None = "sign") -> Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    if signature == "sign":
        headers["x-hub-signature-256"] = hub_signature(META_SECRET, raw)
    elif signature is not None:
        headers["x-hub-signature-256"] = signature
    answer: Response = client.post("/api/webhooks/meta", content=raw, headers=headers)
    return answer


def post_x(client: TestClient, body: dict[str, Any] | bytes,
           signature: str | None = "sign") -> Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    if signature == "sign":
        headers["x-twitter-webhooks-signature"] = x_signature(X_SECRET, raw)
    elif signature is not None:
        headers["x-twitter-webhooks-signature"] = signature
    answer: Response = client.post("/api/webhooks/x", content=raw, headers=headers)
    return answer


def counts(rt: Runtime) -> tuple[int, int]:
    """(contacts, social messages) stored."""
    with rt.database.read() as session:
        contacts = session.scalar(select(func.count()).select_from(ContactRow)) or 0
        messages = session.scalar(select(func.count()).select_from(SocialMessageRow)) or 0
    return contacts, messages


def only_contact(rt: Runtime) -> ContactRow:
    with rt.database.read() as session:
        rows = session.scalars(select(ContactRow)).all()
    assert len(rows) == 1
    return rows[0]


def conversation_id(rt: Runtime, platform: str) -> int:
    with rt.database.read() as session:
        found: int = session.scalars(select(SocialConversationRow.id).where(
            SocialConversationRow.platform == platform)).one()
    return found


@dataclass
class FakePlatform:
    """What the local platform server received, and whether it should refuse."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    refuse: bool = False


def _answer_for(request: dict[str, Any]) -> dict[str, Any]:
    """Each platform's documented answer to a sent message."""
    if "/dm_conversations/with/" in request["path"]:
        return {"data": {"dm_conversation_id": "1-2", "dm_event_id": "1582838223"}}
    if request["body"].get("messaging_product") == "whatsapp":
        return {"messaging_product": "whatsapp",
                "contacts": [{"input": request["body"]["to"], "wa_id": request["body"]["to"]}],
                "messages": [{"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}]}
    return {"recipient_id": request["body"]["recipient"]["id"], "message_id": "m_AG5Hz2Uq7tu"}


@contextmanager
def platform_server() -> Iterator[FakePlatform]:
    """A real local HTTP server answering as each platform's send endpoint does."""
    fake = FakePlatform()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            request = {
                "path": self.path, "authorization": self.headers.get("authorization"),
                "content_type": self.headers.get("content-type"),
                "body": json.loads(self.rfile.read(length))}
            fake.received.append(request)
            status = 400 if fake.refuse else 200
            body = json.dumps({"error": {"message": "refused"}} if fake.refuse
                              else _answer_for(request)).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
