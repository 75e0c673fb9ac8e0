"""Importing call events from the service report's upload page: real HTTP with the session
cookie and CSRF token, on SQLite and PostgreSQL. The page uses the same checks and import as
the API and the command line (tests/quality/test_telephony_import.py), so what is tested here
is what a team leader sees: what was imported, or every row at fault and nothing stored."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.quality.telephony import MAX_FILE_BYTES
from firstcontact.web.middleware import MAX_BODY_BYTES
from tests.quality.test_telephony_import import held
from tests.staff import sign_in

DATA = Path(__file__).resolve().parent.parent / "data"
PAGE = "/reports/service/telephony"
SUMMARY = re.compile(r'<li><a href="#([^"]*)">([^<]*)</a></li>')


def send(client: TestClient, csrf: str | None, name: str, content: bytes) -> tuple[int, str]:
    data = {} if csrf is None else {"csrf_token": csrf}
    response = client.post(PAGE, data=data, files={"file": (name, content)})
    return response.status_code, response.text


def summary(page: str) -> list[tuple[str, str]]:
    """The GOV.UK error summary's entries: (where each links, its message)."""
    start = page.index('class="govuk-error-summary"')
    return [(target, html.unescape(message))
            for target, message in SUMMARY.findall(page[start:page.index("</ul>", start)])]


def test_a_team_leader_imports_a_day_from_the_service_report(client: TestClient,
                                                             runtime: Runtime) -> None:
    csrf = sign_in(client, runtime, Role.TEAM_LEADER)
    assert f'href="{PAGE}"' in client.get("/reports/service").text
    form = client.get(PAGE).text
    assert 'enctype="multipart/form-data"' in form and f'value="{csrf}"' in form

    status, page = send(client, csrf, "telephony_day.csv",
                        (DATA / "telephony_day.csv").read_bytes())
    assert status == 200
    assert '<p class="govuk-notification-banner__heading" id="imported">23 calls imported ' \
           'from telephony_day.csv</p>' in page
    assert "0 calls were already held and were not added again." in page
    assert held(runtime) == 23

    status, page = send(client, csrf, "<b>day</b>.json",
                        (DATA / "telephony_day.json").read_bytes())
    assert status == 200
    assert "0 calls imported from &lt;b&gt;day&lt;/b&gt;.json" in page
    assert "23 calls were already held and were not added again." in page
    assert held(runtime) == 23
    with runtime.database.transaction() as session:
        sources = [e.detail["source"] for e in session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == "telephony_import").order_by(AuditEntry.id))]
    assert sources == ["page upload telephony_day.csv", "page upload <b>day</b>.json"]


def test_a_bad_file_lists_every_row_at_fault_and_stores_nothing(client: TestClient,
                                                               runtime: Runtime) -> None:
    csrf = sign_in(client, runtime, Role.TEAM_LEADER)
    status, page = send(client, csrf, "telephony_bad.csv",
                        (DATA / "telephony_bad.csv").read_bytes())
    assert status == 422
    assert summary(page) == [
        ("file", "row 3.line: Enter the line: 999 or 101"),
        ("file", "row 4.offered_at: Give the time's offset from UTC, like "
                 "2026-03-14T09:30:05+00:00"),
        ("file", "row 5.answered_at: A call is either answered or abandoned: give one of the "
                 "two times"),
        ("file", "row 6.answered_at: Must not be before the call was offered"),
        ("file", "row 7.call_id: TEL-BAD-001 is already in row 2"),
    ]
    assert "The file has 5 problems, listed above: nothing was imported" in page
    assert 'class="govuk-file-upload govuk-file-upload--error"' in page

    assert summary(send(client, csrf, "calls.txt", b"x")[1]) == [
        ("file", "Choose a .csv or .json file of call events")]
    nothing = client.post(PAGE, data={"csrf_token": csrf})
    assert nothing.status_code == 422
    assert summary(nothing.text) == [("file", "Select a .csv or .json file of call events")]
    assert held(runtime) == 0


def test_a_file_over_the_usual_request_limit_is_taken_up_to_its_own(
        client: TestClient, runtime: Runtime) -> None:
    """Every other form stops at MAX_BODY_BYTES (1 MB); a week of calls is bigger than that."""
    csrf = sign_in(client, runtime, Role.TEAM_LEADER)
    rows = [f"TEL-W{n:06d},101,2026-03-13T08:00:00+00:00,2026-03-13T08:00:30+00:00,,ch.bell"
            for n in range(15_000)]
    week = "\n".join(["call_id,line,offered_at,answered_at,abandoned_at,handler", *rows])
    assert len(week) > MAX_BODY_BYTES
    status, page = send(client, csrf, "week.csv", week.encode())
    assert status == 200 and "15000 calls imported from week.csv" in page
    assert held(runtime) == 15_000

    status, page = send(client, csrf, "calls.csv", b"x" * (MAX_FILE_BYTES + 1))
    assert status == 413
    assert summary(page) == [("file", "The selected file must be smaller than 20 MB")]
    assert held(runtime) == 15_000


def test_an_upload_without_the_csrf_token_is_refused(client: TestClient,
                                                     runtime: Runtime) -> None:
    sign_in(client, runtime, Role.TEAM_LEADER)
    status, page = send(client, None, "telephony_day.csv",
                        (DATA / "telephony_day.csv").read_bytes())
    assert status == 403
    assert "security token was missing" in page
    assert held(runtime) == 0


def test_a_qa_reviewer_reads_the_report_but_is_not_offered_the_import(
        client: TestClient, runtime: Runtime) -> None:
    sign_in(client, runtime, Role.QA_REVIEWER)
    report = client.get("/reports/service")
    assert report.status_code == 200 and PAGE not in report.text
    assert client.get(PAGE).status_code == 403
