"""A person to report missing, and a report body, shared by the missing-person tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from firstcontact.platform.runtime import Runtime
from tests.people.test_linking import caller, person_of
from tests.risk.flow import new_contact


def missing_person(client: TestClient, runtime: Runtime, headers: dict[str, str],
                   name: str = "Edith Clarke", phone: str = "07700 900456") -> int:
    return person_of(runtime, new_contact(client, headers, **caller(name, phone)))


def report_body(person: int, /, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person_id": person, "description": "White female, 5ft 2in, grey hair, blue coat",
        "circumstances": "Left the care home after lunch and did not come back",
        "last_seen_at": "2026-03-14T08:00:00+00:00", "last_seen_place": "Elm Road care home",
        "age": 81, "medical_needs": "Diabetic", "medication": "Insulin, twice a day",
        "dementia": True, "herbert_protocol": "Photo held; walks to the old family house",
        "risk_factors": ["needs_essential_medication"], "risk_level": "high",
        "risk_rationale": "Dementia and needs insulin by tea time"}
    body.update(changes)
    return body
