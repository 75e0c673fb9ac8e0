"""The compliance figures split by the team of the member of staff who recorded the crime (and
by who the victim is), with the drill-down and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from firstcontact.platform import auth
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import SYSTEM, Role, ValidationError
from firstcontact.platform.runtime import Runtime
from tests.staff import PASSWORD, api_headers, sign_in
from tests.victims.conftest import record_crime, victim_of

PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}


def handler_in(client: TestClient, runtime: Runtime, username: str,
               team: str) -> dict[str, str]:
    """A call handler of `team`, signed in through the API."""
    auth.create_user(runtime, SYSTEM, username, f"Handler {team}", Role.CALL_HANDLER,
                     PASSWORD, team)
    response = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_figures_split_by_the_recording_team_drill_down_to_its_victims(
        client: TestClient, runtime: Runtime, clock: FixedClock,
        handler: dict[str, str], care: dict[str, str]) -> None:
    red = handler_in(client, runtime, "red.handler", "Red Watch")
    blue = handler_in(client, runtime, "blue.handler", "Blue Watch")
    reds = [victim_of(client, care, record_crime(client, red)) for _ in range(2)]
    blues = [victim_of(client, care, record_crime(client, blue))]
    nobody = victim_of(client, care, record_crime(client, handler))
    assert {v["team"] for v in reds} == {"Red Watch"} and nobody["team"] == ""
    clock.set(datetime(2026, 3, 16, 9, 30, tzinfo=UTC))  # the 2nd working day: on time
    care = api_headers(client, runtime, Role.VICTIM_CARE)  # yesterday's sign-in has expired
    referral = next(e for e in reds[0]["entitlements"] if e["code"] == "support_referral")
    assert client.post(f"/api/victims/{reds[0]['id']}/entitlements/{referral['id']}/outcome",
                       headers=care, json={"outcome": "delivered", "method": "phone"}
                       ).status_code == 200
    analyst = api_headers(client, runtime, Role.TEAM_LEADER)
    figures = client.get("/api/victims/compliance/figures", headers=analyst,
                         params={**PERIOD, "split": "team"}).json()
    referrals = {f["value"]: f for f in figures if f["entitlement"] == "support_referral"}
    assert set(referrals) == {"Red Watch", "Blue Watch", "no team"}
    red_row = referrals["Red Watch"]
    assert (red_row["owed"], red_row["delivered"], red_row["on_time"]) == (2, 1, 1)
    assert red_row["percent_on_time"] == 50.0 and red_row["median_hours_to_deliver"] == 48.0
    assert (referrals["Blue Watch"]["owed"], referrals["Blue Watch"]["delivered"]) == (1, 0)
    behind = client.get("/api/victims/compliance/behind", headers=care, params={
        **PERIOD, "split": "team", "value": "Red Watch", "entitlement": "support_referral",
        "measure": "outstanding"}).json()
    assert behind == [reds[1]["id"]]
    assert blues[0]["id"] not in behind


def test_the_csv_and_the_page_carry_the_team_split(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    red = handler_in(client, runtime, "red.handler", "Red Watch")
    victim_of(client, care, record_crime(client, red))
    analyst = api_headers(client, runtime, Role.QA_REVIEWER)
    body = client.get("/api/victims/compliance/figures.csv", headers=analyst,
                      params={**PERIOD, "split": "team"}).text
    rows = list(csv.DictReader(io.StringIO(body)))
    acknowledgement = next(r for r in rows if r["entitlement"] == "written_acknowledgement")
    assert (acknowledgement["split"], acknowledgement["value"]) == ("team", "Red Watch")
    assert acknowledgement["owed"] == "1" and acknowledgement["outstanding"] == "1"
    sign_in(client, runtime, Role.VICTIM_CARE)
    page = client.get("/victims/compliance", params={**PERIOD, "split": "team"})
    assert page.status_code == 200
    assert '<option value="team" selected>' in page.text
    assert "Red Watch" in page.text and "value=Red%20Watch" in page.text


def test_figures_split_by_who_the_victim_is(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    contact_id = record_crime(client, handler)
    response = client.post(f"/api/victims/crimes/{contact_id}/victims", headers=care, json={
        "party": "business", "name": "Corner Stores Ltd", "contact_name": "Priya Shah",
        "contact_preference": "phone", "phone": "0161 496 0000"})
    assert response.status_code == 201, response.text
    figures = client.get("/api/victims/compliance/figures", headers=care,
                         params={**PERIOD, "split": "party"}).json()
    referral = {f["value"]: f for f in figures if f["entitlement"] == "support_referral"}
    assert referral["business"]["not_applicable"] == 1
    assert referral["business"]["percent_delivered"] is None
    assert referral["person"]["owed"] == 1 and referral["person"]["outstanding"] == 1


def test_a_team_is_kept_on_the_account_and_refused_if_it_holds_markup(
        runtime: Runtime) -> None:
    actor = auth.create_user(runtime, SYSTEM, "green.handler", "Green", Role.CALL_HANDLER,
                             PASSWORD, " Green Watch ")
    with runtime.database.transaction() as session:
        assert auth.team_of(session, actor.user_id) == "Green Watch"
        assert auth.team_of(session, None) == ""
    with pytest.raises(ValidationError) as refused:
        auth.create_user(runtime, SYSTEM, "bad.handler", "Bad", Role.CALL_HANDLER, PASSWORD,
                         "<script>")
    assert refused.value.field == "team"
