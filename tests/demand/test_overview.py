"""The team leader's screen: every figure, its drill-down, the shift's trend, and the team
leader's audited note and escalation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.app import timer_handlers
from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import TimerLoop
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.demand.test_queue import count_queries, incident_at
from tests.demand.test_units import add_unit
from tests.staff import api_headers, sign_in


@pytest.fixture
def handler(client: TestClient, runtime: Runtime) -> dict[str, str]:
    return api_headers(client, runtime, Role.CALL_HANDLER)


def test_the_team_leader_sees_all_demand_with_drill_downs_and_the_shift_trend(
        client: TestClient, runtime: Runtime, clock: FixedClock,
        handler: dict[str, str]) -> None:
    incident_at(client, handler, "emergency", "1 Mill Lane, Northgate", threat="immediate")
    clock.advance(timedelta(hours=1))
    incident_at(client, handler, "priority", "2 Quay Street, Easton")
    incident_at(client, handler, "priority", "3 Park Road, Westfield")
    add_unit(runtime, "NG90")
    clock.advance(timedelta(hours=3))
    TimerLoop(runtime, timer_handlers()).run_once()
    sign_in(client, runtime, Role.TEAM_LEADER)
    page = client.get("/demand/overview")
    assert page.status_code == 200
    text = page.text
    assert '<span class="govuk-heading-xl govuk-!-margin-bottom-0">3</span> open incidents' in text
    # 13:30: the emergency's 15-minute target and both priorities' hour have passed; the
    # emergency's review (due 13:00) has fallen due and, 30 minutes on, been escalated.
    assert '>3</span> past response target' in text
    assert '>1</span> reviews due' in text and '>1</span> escalated to you' in text
    assert 'href="/demand/queue?grade=priority"' in text
    assert '<li><a class="govuk-link" href="/units">1 available</a></li>' in text
    assert '<title>1 opened from 09:00</title>' in text
    assert '<title>2 opened from 10:00</title>' in text
    assert "style=" not in text


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.CALL_HANDLER, Role.QA_REVIEWER])
def test_only_the_team_leader_has_the_overview(client: TestClient, runtime: Runtime,
                                               role: Role) -> None:
    sign_in(client, runtime, role)
    assert client.get("/demand/overview").status_code == 403


def test_the_overview_runs_the_same_queries_however_much_demand(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    incident_at(client, handler, "priority", "1 Mill Lane, Northgate")
    sign_in(client, runtime, Role.TEAM_LEADER)
    few = count_queries(runtime, client, "/demand/overview")
    for n in range(8):
        incident_at(client, handler, "scheduled", f"{n} Quay Street, Easton")
    assert count_queries(runtime, client, "/demand/overview") == few


def test_a_team_leader_note_and_escalation_go_on_the_timeline_and_the_audit_log(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    incident_id = incident_at(client, handler, "priority", "1 Mill Lane, Northgate")
    csrf = sign_in(client, runtime, Role.TEAM_LEADER)
    for action, text in (("note", "Checked with the caller: still waiting"),
                         ("escalate", "Duty inspector to review")):
        done = client.post(f"/incidents/{incident_id}/leader", follow_redirects=True,
                           data={"csrf_token": csrf, "action": action, "text": text})
        assert done.status_code == 200 and f"Reason: {text}" in done.text
    assert "Escalated by the team leader" in done.text
    with runtime.database.transaction() as session:
        purposes = set(session.scalars(select(AuditEntry.purpose).where(
            AuditEntry.subject_id == str(incident_id))))
    assert {"team leader note", "team leader escalate"} <= purposes


@pytest.mark.parametrize(("action", "text", "message"), [
    ("note", " ", "Enter this information"), ("shout", "Hello", "Choose note or escalate"),
])
def test_a_bad_team_leader_action_is_refused_and_nothing_is_added(
        client: TestClient, runtime: Runtime, handler: dict[str, str], action: str,
        text: str, message: str) -> None:
    incident_id = incident_at(client, handler, "priority", "1 Mill Lane, Northgate")
    csrf = sign_in(client, runtime, Role.TEAM_LEADER)
    refused = client.post(f"/incidents/{incident_id}/leader",
                          data={"csrf_token": csrf, "action": action, "text": text})
    assert refused.status_code == 422 and message in refused.text
    timeline = client.get(f"/api/incidents/{incident_id}/timeline", headers=handler).json()
    assert [e["kind"] for e in timeline] == ["opened"]
