"""The performance framework: figures per entitlement, splits, the MoJ return, CSV, drill-down,
and the victim-care pages."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.staff import api_headers, sign_in
from tests.victims.conftest import record_crime, victim_of

PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}


def deliver(client: TestClient, runtime: Runtime, clock: FixedClock, victim: dict[str, object],
            at: datetime, outcome: str = "delivered") -> None:
    clock.set(at)
    care = api_headers(client, runtime, Role.VICTIM_CARE)
    owed = victim["entitlements"]
    assert isinstance(owed, list)
    referral = next(e for e in owed if e["code"] == "support_referral")
    if outcome == "delivered":  # the domestic-abuse victim's referral needs their yes
        assert client.put(f"/api/victims/{victim['id']}/details", headers=care, json={
            "contact_preference": "phone", "consent_given": "yes"}).status_code == 200
    response = client.post(
        f"/api/victims/{victim['id']}/entitlements/{referral['id']}/outcome", headers=care,
        json={"outcome": outcome, "method": "phone"})
    assert response.status_code == 200, response.text


@pytest.fixture
def three_victims(client: TestClient, runtime: Runtime, clock: FixedClock,
                  handler: dict[str, str], care: dict[str, str]) -> list[int]:
    """Reported Saturday 14 March 2026 09:30: the referral is due by the end of Tuesday 17th.
    One referral on time (48 hours), one late (120 hours), one declined."""
    victims = [victim_of(client, care, record_crime(client, handler, code, qualifiers))
               for code, qualifiers in (("CR-BUR", ()), ("CR-VAP", ("domestic_abuse",)),
                                        ("CR-THE", ()))]
    deliver(client, runtime, clock, victims[0], datetime(2026, 3, 16, 9, 30, tzinfo=UTC))
    deliver(client, runtime, clock, victims[1], datetime(2026, 3, 19, 9, 30, tzinfo=UTC))
    deliver(client, runtime, clock, victims[2], datetime(2026, 3, 19, 9, 30, tzinfo=UTC),
            "declined")
    clock.set(datetime(2026, 4, 1, 9, tzinfo=UTC))
    return [int(str(v["id"])) for v in victims]


def test_referral_figures_count_delivered_on_time_and_median_hours(
        client: TestClient, runtime: Runtime, three_victims: list[int]) -> None:
    analyst = api_headers(client, runtime, Role.QA_REVIEWER)
    figures = client.get("/api/victims/compliance/figures", headers=analyst,
                         params=PERIOD).json()
    referral = next(f for f in figures if f["entitlement"] == "support_referral")
    assert (referral["owed"], referral["declined"], referral["delivered"]) == (3, 1, 2)
    assert referral["percent_delivered"] == 100.0
    assert referral["percent_on_time"] == 50.0
    assert referral["median_hours_to_deliver"] == 84.0
    acknowledgement = next(f for f in figures if f["entitlement"] == "written_acknowledgement")
    assert acknowledgement["percent_delivered"] == 0.0 and acknowledgement["outstanding"] == 3


def test_figures_split_by_enhanced_or_standard_rights_and_crime_type(
        client: TestClient, runtime: Runtime, three_victims: list[int]) -> None:
    analyst = api_headers(client, runtime, Role.TEAM_LEADER)
    rights = client.get("/api/victims/compliance/figures", headers=analyst,
                        params={**PERIOD, "split": "rights"}).json()
    referral = {f["value"]: f for f in rights if f["entitlement"] == "support_referral"}
    assert referral["enhanced"]["owed"] == 1 and referral["enhanced"]["percent_on_time"] == 0.0
    assert referral["standard"]["owed"] == 2
    crimes = client.get("/api/victims/compliance/figures", headers=analyst,
                        params={**PERIOD, "split": "crime_type"}).json()
    referral_crimes = {f["value"] for f in crimes if f["entitlement"] == "support_referral"}
    assert referral_crimes == {"burglary_dwelling", "domestic_abuse", "theft"}
    months = client.get("/api/victims/compliance/figures", headers=analyst,
                        params={"from": "2026-02-01", "to": "2026-03-31",
                                "split": "month"}).json()
    assert {f["value"] for f in months if f["entitlement"] == "support_referral"} == {"2026-03"}


def test_a_period_outside_the_reports_counts_nothing_and_bad_periods_name_the_field(
        client: TestClient, runtime: Runtime, three_victims: list[int]) -> None:
    analyst = api_headers(client, runtime, Role.QA_REVIEWER)
    april = client.get("/api/victims/compliance/figures", headers=analyst,
                       params={"from": "2026-04-01", "to": "2026-04-30"}).json()
    assert {f["owed"] for f in april} == {0}
    for params, field in (({"from": "March"}, "from"),
                          ({"from": "2026-03-31", "to": "2026-03-01"}, "to"),
                          ({"split": "shoe_size"}, "split")):
        response = client.get("/api/victims/compliance/figures", headers=analyst,
                              params=params)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == field


def test_the_csv_export_has_a_row_per_entitlement(
        client: TestClient, runtime: Runtime, three_victims: list[int]) -> None:
    analyst = api_headers(client, runtime, Role.QA_REVIEWER)
    response = client.get("/api/victims/compliance/figures.csv", headers=analyst,
                          params=PERIOD)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    referral = next(r for r in rows if r["entitlement"] == "support_referral")
    assert referral["percent_on_time"] == "50.0" and referral["owed"] == "3"


def test_every_figure_drills_down_to_the_victims_behind_it(
        client: TestClient, runtime: Runtime, three_victims: list[int]) -> None:
    care = api_headers(client, runtime, Role.VICTIM_CARE)
    late = client.get("/api/victims/compliance/behind", headers=care, params={
        **PERIOD, "entitlement": "support_referral", "measure": "late"}).json()
    assert late == [three_victims[1]]
    declined = client.get("/api/victims/compliance/behind", headers=care, params={
        **PERIOD, "entitlement": "support_referral", "measure": "declined"}).json()
    assert declined == [three_victims[2]]
    analyst = api_headers(client, runtime, Role.QA_REVIEWER)
    assert client.get("/api/victims/compliance/behind", headers=analyst, params={
        **PERIOD, "entitlement": "support_referral", "measure": "late"}).status_code == 403


def test_the_compliance_page_shows_the_moj_return_and_links_each_figure(
        client: TestClient, runtime: Runtime, three_victims: list[int]) -> None:
    sign_in(client, runtime, Role.VICTIM_CARE)
    page = client.get("/victims/compliance", params=PERIOD)
    assert page.status_code == 200
    assert "Referred to support services" in page.text
    assert "Written acknowledgement given" in page.text
    assert "measure=late" in page.text and 'id="csv"' in page.text
    drill = client.get("/victims/compliance/behind", params={
        **PERIOD, "entitlement": "support_referral", "measure": "late", "split": "all",
        "value": "all"})
    assert drill.status_code == 200 and "C260314-000002" in drill.text
    assert client.get("/victims/compliance.csv", params=PERIOD).status_code == 200
    bad = client.get("/victims/compliance", params={"from": "soon"})
    assert bad.status_code == 422 and "govuk-error-summary" in bad.text


def test_victim_care_records_an_outcome_on_the_victim_page(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    csrf = sign_in(client, runtime, Role.VICTIM_CARE)
    queue = client.get("/victims")
    assert queue.status_code == 200 and "C260314-000001" in queue.text
    page = client.get(f"/victims/{victim['id']}")
    assert page.status_code == 200 and "Referral to victim support services" in page.text
    leaflet = next(e for e in victim["entitlements"] if e["code"] == "leaflet")
    url = f"/victims/{victim['id']}/entitlements/{leaflet['id']}"
    missing = client.post(url, data={"csrf_token": csrf, "outcome": "not_applicable"})
    assert missing.status_code == 422 and "govuk-error-summary" in missing.text
    done = client.post(url, data={"csrf_token": csrf, "outcome": "delivered",
                                  "method": "in_person"}, follow_redirects=False)
    assert done.status_code == 303
    bad = client.post(f"/victims/{victim['id']}/details",
                      data={"csrf_token": csrf, "contact_preference": "email"})
    assert bad.status_code == 422 and 'href="#email"' in bad.text
    forbidden = TestClient(client.app)
    sign_in(forbidden, runtime, Role.CALL_HANDLER)
    assert forbidden.get(f"/victims/{victim['id']}").status_code == 403
