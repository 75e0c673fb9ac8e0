"""The service report's figures from a morning built through the real services (tests/quality/
flow.py) on the fixed clock, on SQLite and PostgreSQL; the same figures in the page, the PDF
and the CSV; and who may read it."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import SYSTEM, Role
from firstcontact.platform.runtime import Runtime
from firstcontact.quality.report import Cell, ServiceReport, Window
from firstcontact.quality.report_service import service_report
from firstcontact.victims import performance
from firstcontact.victims.compliance import Period
from tests.quality.flow import a_morning
from tests.staff import api_headers, create_staff

WINDOW = Window(date(2026, 3, 13), date(2026, 3, 14))
QUERY = "from=2026-03-13&to=2026-03-14"


@pytest.fixture
def report(client: TestClient, runtime: Runtime, clock: FixedClock) -> ServiceReport:
    a_morning(client, runtime, clock)
    return service_report(runtime, create_staff(runtime, Role.TEAM_LEADER), WINDOW)


def table(report: ServiceReport, section: str, key: str) -> dict[str, tuple[Cell, ...]]:
    """A table's rows by their label."""
    found = next(s for s in report.sections if s.key == section)
    rows = next(t for t in found.tables if t.key == key).rows
    return {str(row[0]): row[1:] for row in rows}


def test_demand_by_channel_and_grade(report: ServiceReport) -> None:
    rows = table(report, "demand", "by_channel_and_grade")
    # Contacts, emergency, priority, scheduled, resolution w/o deployment, NPA, not determined
    assert rows["phone 101"] == (4, 1, 1, 0, 0, 0, 2)
    assert rows["phone 999"] == (1, 0, 0, 0, 0, 1, 0)
    assert rows["email"] == rows["chat"] == (1, 0, 0, 0, 0, 0, 1)
    assert rows["online"] == (0, 0, 0, 0, 0, 0, 0)


def test_call_answering_from_the_uploaded_day(report: ServiceReport) -> None:
    assert table(report, "calls", "answering") == {  # (999, 101)
        "Offered": (11, 12), "Answered": (10, 10), "Abandoned": (1, 2),
        "% abandoned": (9.1, 16.7), "Target seconds": (10, 60),
        "Answered within target": (8, 4), "% answered within target": (80.0, 40.0),
        "Median answer seconds": (7.5, 105.0), "90th percentile answer seconds": (10.5, 240.0)}
    hours = table(report, "calls", "999_by_hour")
    assert hours == {"08:00": (6, 6, 5, 83.3, 0), "09:00": (5, 4, 3, 75.0, 1)}
    calls = next(s for s in report.sections if s.key == "calls")
    assert calls.findings[0] == ("999 calls answered within 10 seconds: 80.0% of 10 answered "
                                 "(national standard 90%: not met).")
    assert calls.chart is not None and calls.chart.target_y == 12.0  # 90% of 120 high


def test_reply_times_against_each_channels_target(report: ServiceReport) -> None:
    rows = table(report, "replies", "reply_times")
    # Received, target min, replied, in time, late with no reply, % in time, median, p90
    assert rows["email"] == (1, 1440, 1, 1, 0, 100.0, 30.0, 30.0)
    assert rows["chat"] == (1, 2, 0, 0, 1, 0.0, None, None)
    assert rows["social"] == (0, 60, 0, 0, 0, None, None, None)


def test_response_targets_and_re_thrive_on_time(report: ServiceReport) -> None:
    responses = table(report, "responses", "response_targets")
    assert responses["priority"] == (1, 1, 0, 0, 100.0)  # at scene 10:15, due 10:30
    assert responses["emergency"] == (1, 0, 1, 0, 0.0)  # due 09:46, never attended
    assert table(report, "rethrive", "rethrive")["All incidents"] == (2, 1, 1, 0, 50.0)


def test_hidden_harm_repeat_callers_and_missing_people(report: ServiceReport) -> None:
    harms = table(report, "hidden_harm", "hidden_harm")
    # Prompts, confirmed, dismissed, awaiting: only the car wash call raised any.
    assert {harm: row for harm, row in harms.items() if row[0]} == {
        "modern slavery": (1, 0, 0, 1)}
    repeat = table(report, "repeat_callers", "repeat_callers")
    assert repeat["Repeat callers (people)"] == (1,)  # Sam Patel, at the third call
    assert repeat["Contacts from repeat callers"] == (1,)
    assert repeat["Repeat victims (people)"] == (1,)
    missing = table(report, "missing_people", "missing_people")
    assert missing["high"] == (1, 0, 0, 0)
    assert missing["low"] == (0, 0, 0, 0)


def test_victims_code_figures_are_the_compliance_pages_own(
        report: ServiceReport, runtime: Runtime) -> None:
    analyst = create_staff(runtime, Role.VICTIM_CARE)
    expected = performance.performance(runtime, analyst, Period(WINDOW.first, WINDOW.last),
                                       "all")
    rows = list(table(report, "victims_code", "victims_code").values())
    assert [(r[0], r[2], r[3], r[5]) for r in rows] == [
        (f.owed, f.delivered, f.percent_delivered, f.percent_on_time) for f in expected]
    assert expected and expected[0].owed == 3  # three crimes reported by their victims


def test_reading_the_report_is_audited(report: ServiceReport, runtime: Runtime) -> None:
    with runtime.database.transaction() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == "service_report")).one()
        assert entry.detail == {"from": "2026-03-13", "to": "2026-03-14"}


def test_the_page_shows_every_section_with_its_chart_and_table(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    morning = a_morning(client, runtime, clock)
    page = client.get(f"/reports/service?{QUERY}", headers=morning.leader)
    assert page.status_code == 200
    for key in ("demand", "calls", "replies", "responses", "rethrive", "hidden_harm",
                "repeat_callers", "missing_people", "victims_code"):
        assert f'id="section-{key}"' in page.text
    assert 'id="chart-calls" role="img"' in page.text
    assert "<td class=\"govuk-table__cell govuk-table__cell--numeric\">80.0</td>" in page.text
    assert 'href="/reports/service.pdf?from=2026-03-13&amp;to=2026-03-14"' in page.text


def test_the_pdf_carries_the_same_figures(client: TestClient, runtime: Runtime,
                                          clock: FixedClock) -> None:
    morning = a_morning(client, runtime, clock)
    response = client.get(f"/reports/service.pdf?{QUERY}", headers=morning.leader)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Service report, 13 March 2026 to 14 March 2026" in text
    assert ("999 calls answered within 10 seconds: 80.0% of 10 answered (national standard "
            "90%: not met).") in " ".join(text.split())
    for title in ("Demand by channel and grade", "Response-target compliance",
                  "Re-THRIVE on time", "Victims' Code compliance", "Missing-person reports"):
        assert title in text
    assert "105.0" in text and "240.0" in text


def test_the_csv_has_one_line_per_figure(client: TestClient, runtime: Runtime,
                                         clock: FixedClock) -> None:
    morning = a_morning(client, runtime, clock)
    response = client.get(f"/reports/service.csv?{QUERY}", headers=morning.leader)
    assert response.status_code == 200
    assert 'filename="service-report-2026-03-13-to-2026-03-14.csv"' in (
        response.headers["content-disposition"])
    rows = list(csv.DictReader(io.StringIO(response.text)))
    figures = {(r["section"], r["table"], r["row"], r["column"]): r["value"] for r in rows}
    assert figures[("calls", "answering", "% answered within target", "999")] == "80.0"
    assert figures[("calls", "answering", "90th percentile answer seconds", "101")] == "240.0"
    assert figures[("responses", "response_targets", "emergency", "Missed")] == "1"
    assert figures[("replies", "reply_times", "chat", "Median reply minutes")] == ""
    assert figures[("report", "period", "period", "from")] == "2026-03-13"


def test_a_period_that_ends_before_it_starts_is_refused_naming_the_field(
        client: TestClient, runtime: Runtime) -> None:
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    page = client.get("/reports/service?from=2026-03-14&to=2026-03-01", headers=leader)
    assert page.status_code == 422
    assert "The end of the period must not be before its start" in page.text
    assert client.get("/reports/service?from=14/03/2026", headers=leader).status_code == 422


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_only_team_leaders_qa_reviewers_and_admins_read_the_report(
        client: TestClient, runtime: Runtime, role: Role) -> None:
    headers = api_headers(client, runtime, role)
    allowed = role in {Role.TEAM_LEADER, Role.QA_REVIEWER, Role.ADMIN}
    for path in ("/reports/service", "/reports/service.csv", "/reports/service.pdf"):
        status = client.get(path, headers=headers).status_code
        assert status == (200 if allowed else 403), (path, status)


def test_an_empty_period_still_makes_a_report(runtime: Runtime) -> None:
    report = service_report(runtime, SYSTEM, Window(date(2026, 1, 1), date(2026, 1, 31)))
    calls = next(s for s in report.sections if s.key == "calls")
    assert calls.findings == ("No call events have been imported for this period.",)
    assert table(report, "calls", "answering")["% answered within target"] == (None, None)
