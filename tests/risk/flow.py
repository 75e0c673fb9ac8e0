"""Building blocks for tests that walk a contact through THRIVE to a determination."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from firstcontact.risk.model import NDM_STAGES

CONTACT: dict[str, Any] = {
    "channel": "phone_101",
    "caller": {"name": "Sam Patel", "phone": "07700 900123", "relationship": "victim"},
    "location": {"address": "12 High Street, Anytown"},
    "narrative": "My shed was broken into overnight and tools taken.",
}
"""A plain 101 call about a burglary: the contact most tests start from."""

NDM = {stage: f"Reasons for {stage.replace('_', ' ')}" for stage in NDM_STAGES}


def new_contact(client: TestClient, headers: dict[str, str], **changes: Any) -> int:
    body = {**CONTACT, **changes}
    response = client.post("/api/contacts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    contact_id: int = response.json()["id"]
    return contact_id


def thrive_body(**answers: str) -> dict[str, Any]:
    chosen = {"threat": "none", "harm": "moderate", "risk": "medium", "investigation": "hours",
              "vulnerability": "none", "engagement": "attend_soon"}
    chosen.update(answers)
    body: dict[str, Any] = {name: {"answer": value, "note": f"{name} note"}
                            for name, value in chosen.items()}
    body["ndm"] = NDM
    return body


def assess(client: TestClient, headers: dict[str, str], contact_id: int,
           **answers: str) -> dict[str, Any]:
    response = client.post(f"/api/contacts/{contact_id}/assessments",
                           json=thrive_body(**answers), headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def review_body(version: int, grade: str = "priority", **answers: str) -> dict[str, Any]:
    """A complete re-THRIVE for POST /api/incidents/{id}/reviews."""
    body = thrive_body(**answers)
    body.update(grade=grade, version=version, rationale="Victim now home alone; suspect known",
                what_changed="Caller rang back: the suspect has been seen nearby")
    return body
