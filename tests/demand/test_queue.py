"""The dispatcher's live queue: its order, its filters, its breaches, its query count, and the
server-sent events that tell the page to refresh."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from firstcontact.demand import queues, resources
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.risk.flow import assess, new_contact
from tests.staff import api_headers, create_staff, sign_in


def incident_at(client: TestClient, headers: dict[str, str], grade: str, address: str,
                **answers: str) -> int:
    contact_id = new_contact(client, headers, location={"address": address})
    assess(client, headers, contact_id, **answers)
    response = client.post(f"/api/contacts/{contact_id}/determination", headers=headers, json={
        "grade": grade, "rationale": "Handler's judgement on the call",
        "nsir_category": "crime", "opening_code": "CR-BUR"})
    assert response.status_code == 201, response.text
    incident_id: int = response.json()["incident"]["id"]
    return incident_id


def rows(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('data-incident="')[1:]]


@pytest.fixture
def handler(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.CALL_HANDLER)


def test_the_queue_orders_by_grade_then_wait_against_target_and_marks_breaches(
        client: TestClient, runtime: Runtime, clock: FixedClock,
        handler: dict[str, str]) -> None:
    later = incident_at(client, handler, "priority", "1 Mill Lane, Northgate")
    clock.advance(timedelta(minutes=10))
    scheduled = incident_at(client, handler, "scheduled", "2 Quay Street, Easton")
    emergency = incident_at(client, handler, "emergency", "3 Park Road, Westfield",
                            threat="immediate")
    clock.advance(timedelta(minutes=1))
    sooner = incident_at(client, handler, "priority", "4 Church Walk, Easton")
    sign_in(client, runtime, Role.DISPATCHER)
    page = client.get("/demand/queue")
    assert page.status_code == 200
    assert rows(page.text) == [str(i) for i in (emergency, later, sooner, scheduled)]
    assert '<script src="/static/demand-queue.js" defer></script>' in page.text
    clock.advance(timedelta(minutes=15))
    fragment = client.get("/demand/queue/fragment").text
    assert fragment.startswith('<div id="queue"')
    assert f'fc-breach" data-incident="{emergency}"' in fragment
    assert f'class="govuk-table__row" data-incident="{later}"' in fragment
    assert "1 past response target" in fragment


def test_the_queue_filters_by_sector_and_grade(client: TestClient, runtime: Runtime,
                                               handler: dict[str, str]) -> None:
    north = incident_at(client, handler, "priority", "1 Mill Lane, Northgate")
    east = incident_at(client, handler, "priority", "2 Quay Street, Easton")
    nowhere = incident_at(client, handler, "scheduled", "5 Unknown Road, Anytown")
    sign_in(client, runtime, Role.DISPATCHER)
    # An incident in no sector shows under every sector, so it is never lost.
    assert rows(client.get("/demand/queue?sector=north").text) == [str(north), str(nowhere)]
    assert rows(client.get("/demand/queue?sector=east&grade=priority").text) == [str(east)]
    fragment = client.get("/demand/queue/fragment?sector=east").text
    assert 'data-fragment="/demand/queue/fragment?sector=east"' in fragment


@pytest.mark.parametrize(("query", "field"), [("sector=moon", "sector"),
                                              ("grade=urgent", "grade")])
def test_an_unknown_filter_is_named(client: TestClient, runtime: Runtime, query: str,
                                    field: str) -> None:
    sign_in(client, runtime, Role.DISPATCHER)
    response = client.get(f"/demand/queue?{query}")
    assert response.status_code == 422
    assert {"sector": "Select a sector", "grade": "Select a grade"}[field] in response.text


def test_the_queue_is_refused_to_a_partner_agency(client: TestClient, runtime: Runtime) -> None:
    sign_in(client, runtime, Role.PARTNER_AGENCY)
    assert client.get("/demand/queue").status_code == 403
    assert client.get("/demand/stream").status_code == 403


def count_queries(runtime: Runtime, client: TestClient, path: str) -> int:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(runtime.database.engine, "before_cursor_execute", seen)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(runtime.database.engine, "before_cursor_execute", seen)
    return len(statements)


def test_the_queue_page_runs_the_same_few_queries_however_long_it_is(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    for n in range(3):
        incident_at(client, handler, "priority", f"{n} Mill Lane, Northgate")
    sign_in(client, runtime, Role.DISPATCHER)
    few = count_queries(runtime, client, "/demand/queue")
    for n in range(12):
        incident_at(client, handler, "scheduled", f"{n} Quay Street, Easton")
    many = count_queries(runtime, client, "/demand/queue")
    assert few == many
    # Session and user lookups, the queue's one SELECT, and the audit line it writes.
    assert many == PINNED_QUERIES[runtime.database.dialect]


PINNED_QUERIES = {"sqlite": 6, "postgresql": 5}
"""SQLite counts its BEGIN IMMEDIATE as a statement; PostgreSQL does not."""


def test_every_incident_and_unit_change_reaches_the_stream(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    incident_id = incident_at(client, handler, "priority", "1 Mill Lane, Northgate")
    dispatcher = create_staff(runtime, Role.DISPATCHER)
    unit = resources.add_unit(runtime, dispatcher, resources.parse_unit({
        "call_sign": "ND20", "unit_type": "response_car", "sector": "north", "shift": ""}))

    async def listen() -> list[str]:
        async def connected() -> bool:
            return False

        stream = queues.changes(runtime, connected, heartbeat=5.0)
        assert await anext(stream) == "retry: 3000\n\n"
        await asyncio.to_thread(resources.assign, runtime, dispatcher, incident_id, unit.id)
        chunks = [await asyncio.wait_for(anext(stream), 4.0) for _ in range(2)]
        await stream.aclose()
        return chunks

    chunks = asyncio.run(listen())
    assert chunks == ["event: change\ndata: incident.status\n\n",
                      "event: change\ndata: unit.status\n\n"]
