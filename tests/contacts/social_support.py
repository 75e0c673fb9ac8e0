"""Payloads shaped as the platforms document them (tests/data/social), signed as they sign."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from firstcontact.contacts.social_model import hub_signature, x_signature
from firstcontact.contacts.tables import ContactRow, SocialMessageRow
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
