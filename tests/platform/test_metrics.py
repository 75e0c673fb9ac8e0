"""GET /metrics: Prometheus text, figures that match what was taken in, and only for the
force's monitoring (a bearer token, or loopback when none is set). SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.risk.flow import new_contact
from tests.staff import api_headers
from tests.victims.conftest import record_crime

TOKEN = "scrape-token-for-tests"


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples}


def value(figures: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
          **labels: str) -> float:
    return figures.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_scrape_counts_the_contacts_taken_in_per_channel_and_the_requests(
        client: TestClient, runtime: Runtime) -> None:
    runtime.settings.metrics_token = TOKEN
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    before = scrape(client)
    requests = ("firstcontact_http_requests_total",
                {"method": "POST", "route": "/api/contacts", "status": "201"})
    new_contact(client, handler)
    new_contact(client, handler)
    new_contact(client, handler, channel="phone_999")
    refused = client.post("/api/contacts", headers=handler, json={"channel": "pigeon"})
    assert refused.status_code == 422
    after = scrape(client)
    assert value(after, "firstcontact_contacts_received_total", channel="phone_101") == 2
    assert value(after, "firstcontact_contacts_received_total", channel="phone_999") == 1
    gained = value(after, requests[0], **requests[1]) - value(before, requests[0], **requests[1])
    assert gained == 3
    refusals = {**requests[1], "status": "422"}
    assert value(after, requests[0], **refusals) - value(before, requests[0], **refusals) == 1
    # The route template, never the raw path with an id in it.
    client.get("/api/contacts/1", headers=handler)
    routes = {dict(labels).get("route") for (name, labels) in scrape(client)
              if name == "firstcontact_http_requests_total"}
    assert "/api/contacts/{contact_id}" in routes
    assert "/api/contacts/1" not in routes


def test_open_incidents_overdue_reviews_and_entitlements_are_read_from_the_database(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    runtime.settings.metrics_token = TOKEN
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    record_crime(client, handler)
    figures = scrape(client)
    open_grades = {dict(labels)["grade"]: count for (name, labels), count in figures.items()
                   if name == "firstcontact_incidents_open"}
    assert sum(open_grades.values()) == 1
    grade = next(iter(open_grades))
    assert value(figures, "firstcontact_incident_reviews_overdue", grade=grade) == 0
    assert value(figures, "firstcontact_victim_entitlements", code="written_acknowledgement",
                 state="due") == 1
    assert value(figures, "firstcontact_deadlines_oldest_overdue_seconds") == 0
    assert value(figures, "firstcontact_bus_up") == 1
    clock.advance(timedelta(hours=3, minutes=31))  # past the 3h30 re-THRIVE; no timer ran
    later = scrape(client)
    assert value(later, "firstcontact_incident_reviews_overdue", grade=grade) == 1
    assert value(later, "firstcontact_deadlines_pending", kind="incident.review") == 1
    assert value(later, "firstcontact_deadlines_oldest_overdue_seconds") >= 60


def test_metrics_are_refused_without_the_token_and_to_non_loopback_clients(
        client: TestClient, runtime: Runtime) -> None:
    runtime.settings.metrics_token = ""
    # TestClient's peer is "testclient", not a loopback address: refused with no token set.
    assert client.get("/metrics").status_code == 403
    runtime.settings.metrics_token = TOKEN
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_a_loopback_scraper_needs_no_token_when_none_is_set(runtime: Runtime) -> None:
    from firstcontact.app import create_app

    runtime.settings.metrics_token = ""
    with TestClient(create_app(runtime.settings, runtime=runtime),
                    client=("127.0.0.1", 50000)) as local:
        assert local.get("/metrics").status_code == 200
