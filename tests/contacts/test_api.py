"""Taking a contact in over the API, on SQLite and PostgreSQL: stored once, never half-stored."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from firstcontact.contacts.tables import ContactRow
from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.risk.flow import CONTACT
from tests.staff import api_headers


def contact_body(**changes: Any) -> dict[str, Any]:
    body = dict(CONTACT)
    body.update(changes)
    return body


def stored_contacts(rt: Runtime) -> int:
    with rt.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(ContactRow)) or 0


@pytest.fixture
def handler(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.CALL_HANDLER)


def test_a_contact_is_stored_and_answered_with_its_reference(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    response = client.post("/api/contacts", json=contact_body(), headers=handler)
    assert response.status_code == 201
    contact = response.json()
    assert contact["reference"] == f"C260314-{contact['id']:06d}"
    assert contact["caller"]["phone"] == "+447700900123"
    assert contact["status"] == "awaiting_assessment"
    assert stored_contacts(runtime) == 1


def test_a_retried_submit_is_stored_once(client: TestClient, runtime: Runtime,
                                         handler: dict[str, str]) -> None:
    headers = {**handler, "Idempotency-Key": "call-4711"}
    first = client.post("/api/contacts", json=contact_body(), headers=headers)
    again = client.post("/api/contacts", json=contact_body(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert stored_contacts(runtime) == 1


def test_concurrent_retries_store_one_contact(client: TestClient, runtime: Runtime,
                                              handler: dict[str, str]) -> None:
    headers = {**handler, "Idempotency-Key": "burst-1"}
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(
            lambda _: client.post("/api/contacts", json=contact_body(), headers=headers)
            .status_code, range(6)))
    assert sorted(statuses) == [200] * 5 + [201]
    assert stored_contacts(runtime) == 1


def test_a_key_reused_for_different_content_is_a_conflict(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    headers = {**handler, "Idempotency-Key": "call-4712"}
    assert client.post("/api/contacts", json=contact_body(), headers=headers).status_code == 201
    clash = client.post("/api/contacts", json=contact_body(narrative="Another matter"),
                        headers=headers)
    assert clash.status_code == 409
    assert "idempotency key" in clash.text.lower()
    assert stored_contacts(runtime) == 1


def test_keys_are_private_to_the_person_who_sent_them(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    other = api_headers(client, runtime, Role.CALL_HANDLER)
    one = client.post("/api/contacts", json=contact_body(),
                      headers={**handler, "Idempotency-Key": "k"})
    two = client.post("/api/contacts", json=contact_body(),
                      headers={**other, "Idempotency-Key": "k"})
    assert (one.status_code, two.status_code) == (201, 201)
    assert one.json()["id"] != two.json()["id"]


BAD_INPUT = [
    ("missing narrative", {"narrative": None}, "narrative"),
    ("empty narrative", {"narrative": "   "}, "narrative"),
    ("unknown channel", {"channel": "carrier_pigeon"}, "channel"),
    ("phone does not parse", {"caller": {"phone": "12", "relationship": "victim"}},
     "caller.phone"),
    ("unknown relationship", {"caller": {"relationship": "bystander"}}, "relationship"),
    ("oversized narrative", {"narrative": "x" * 20_001}, "narrative"),
    ("script in the narrative", {"narrative": "<script>alert(1)</script>"}, "narrative"),
    ("html in the name", {"caller": {"name": "<b>Sam</b>", "relationship": "victim"}},
     "caller.name"),
    ("missing address", {"location": {"address": ""}}, "location.address"),
    ("wrong type", {"narrative": ["a", "list"]}, "narrative"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
        client: TestClient, runtime: Runtime, handler: dict[str, str], case: str,
        change: dict[str, Any], field: str) -> None:
    body = contact_body(**change)
    body = {k: v for k, v in body.items() if v is not None}
    response = client.post("/api/contacts", json=body, headers=handler)
    assert response.status_code == 422, case
    fields = [error["field"] for error in response.json()["detail"]]
    assert any(field in f for f in fields), (case, fields)
    assert "<script>" not in response.text
    assert stored_contacts(runtime) == 0


def test_a_body_that_is_not_json_is_a_clear_422(client: TestClient,
                                                handler: dict[str, str]) -> None:
    response = client.post("/api/contacts", content=b"{not json",
                           headers={**handler, "Content-Type": "application/json"})
    assert response.status_code == 422


def test_signed_out_callers_get_401_and_partner_agencies_403(
        client: TestClient, runtime: Runtime) -> None:
    assert client.post("/api/contacts", json=contact_body()).status_code == 401
    partner = api_headers(client, runtime, Role.PARTNER_AGENCY)
    assert client.post("/api/contacts", json=contact_body(), headers=partner).status_code == 403
    assert client.get("/api/contacts", headers=partner).status_code == 403
    assert stored_contacts(runtime) == 0


def test_reading_a_contact_writes_the_audit_log(client: TestClient, runtime: Runtime,
                                                handler: dict[str, str]) -> None:
    contact_id = client.post("/api/contacts", json=contact_body(), headers=handler).json()["id"]
    assert client.get(f"/api/contacts/{contact_id}", headers=handler).status_code == 200
    with runtime.database.transaction() as session:
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.subject_type == "contact",
            AuditEntry.subject_id == str(contact_id))).all()
    assert list(actions) == ["create", "read"]


def test_an_unknown_contact_is_404(client: TestClient, handler: dict[str, str]) -> None:
    assert client.get("/api/contacts/999999", headers=handler).status_code == 404
