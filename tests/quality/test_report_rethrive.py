"""The service report's re-THRIVE section counts every review owed in the period, not only those
done: a review skipped (the incident left open past its due minute, or closed after it without
one) is missed, so a force cannot look good by not doing them. Fixed clock to the minute; the
same figures in the page, the CSV and the PDF.

Saturday 14 March 2026 (GMT), incidents opened a minute apart from 09:30, each re-THRIVE due
3h30 later:
  A 09:30, due 13:00, reviewed 13:00: on time (its next review falls due at 16:30)
  B 09:31, due 13:01, reviewed 13:02: late (next due 16:32)
  C 09:32, due 13:02, never reviewed and still open: missed from 13:03
  D 09:33, due 13:03, finalised at 13:10 without a review: missed
  E 09:34, due 13:04, finalised at 12:00: never owed
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import SYSTEM, Role
from firstcontact.platform.runtime import Runtime
from firstcontact.quality.report import Cell, Window
from firstcontact.quality.report_sections import RETHRIVE_COLUMNS, OwedReview, rethrive_standing
from firstcontact.quality.report_service import service_report
from tests.demand.test_lifecycle import CLOSING, act
from tests.demand.test_reviews import review
from tests.demand.test_service import open_incident
from tests.staff import api_headers

SATURDAY = Window(date(2026, 3, 14), date(2026, 3, 14))
QUERY = "from=2026-03-14&to=2026-03-14"


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 3, 14, hour, minute, tzinfo=UTC)


def rethrive_row(runtime: Runtime) -> tuple[Cell, ...]:
    report = service_report(runtime, SYSTEM, SATURDAY)
    section = next(s for s in report.sections if s.key == "rethrive")
    [row] = section.tables[0].rows
    assert row[0] == "All incidents"
    return row[1:]


@dataclass(frozen=True)
class Saturday:
    leader: dict[str, str]
    never_reviewed: int


@pytest.fixture
def saturday(client: TestClient, runtime: Runtime, clock: FixedClock) -> Saturday:
    """Saturday's five incidents, as in the module's docstring; the clock left at 13:10."""
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    dispatcher = api_headers(client, runtime, Role.DISPATCHER)
    opened = []
    for minute in range(5):
        clock.set(at(9, 30 + minute))
        opened.append(open_incident(client, handler, "priority"))
    a, b, c, d, e = opened
    clock.set(at(12, 0))
    assert act(client, dispatcher, e, "finalise", **CLOSING).status_code == 200
    clock.set(at(13, 0))
    assert review(client, dispatcher, a).status_code == 201
    clock.set(at(13, 2))
    assert review(client, dispatcher, b).status_code == 201
    clock.set(at(13, 10))
    assert act(client, dispatcher, d, "finalise", **CLOSING).status_code == 200
    return Saturday(api_headers(client, runtime, Role.TEAM_LEADER), c)


def test_a_review_never_done_is_missed_from_the_minute_after_it_fell_due(
        saturday: Saturday, runtime: Runtime, clock: FixedClock) -> None:
    # Owed, done on time, done late, missed, % on time
    assert rethrive_row(runtime) == (4, 1, 1, 2, 25.0)
    clock.set(at(16, 30))  # A's second review is due this minute: not yet missed
    assert rethrive_row(runtime) == (4, 1, 1, 2, 25.0)
    clock.set(at(16, 31))
    assert rethrive_row(runtime) == (5, 1, 1, 3, 20.0)
    clock.set(at(16, 33))  # and B's, due at 16:32
    assert rethrive_row(runtime) == (6, 1, 1, 4, 16.7)


def test_a_review_done_after_the_period_is_counted_in_the_period_it_was_owed(
        saturday: Saturday, client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    clock.set(at(16, 29) + timedelta(days=1))  # C is reviewed at last on Sunday (by the
    sunday = api_headers(client, runtime, Role.DISPATCHER)  # next shift): late, not missed
    reviewed = review(client, sunday, saturday.never_reviewed)
    assert reviewed.status_code == 201, reviewed.text
    assert rethrive_row(runtime) == (6, 1, 2, 3, 16.7)  # A and B's second reviews: missed


def test_each_review_is_on_time_late_missed_or_not_owed() -> None:
    due = at(13, 0)
    assert rethrive_standing(OwedReview(due, done_at=due), at(18, 0)) == "on time"
    assert rethrive_standing(OwedReview(due, done_at=at(13, 1)), at(18, 0)) == "late"
    assert rethrive_standing(OwedReview(due), due) is None
    assert rethrive_standing(OwedReview(due), at(13, 1)) == "missed"
    assert rethrive_standing(OwedReview(due, closed_at=due), at(18, 0)) is None
    assert rethrive_standing(OwedReview(due, closed_at=at(13, 1)), at(18, 0)) == "missed"


def test_the_page_the_csv_and_the_pdf_show_the_same_figures(
        saturday: Saturday, client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    leader = saturday.leader
    clock.set(at(16, 29))
    expected = [str(cell) for cell in rethrive_row(runtime)]
    assert expected == ["4", "1", "1", "2", "25.0"]
    columns = RETHRIVE_COLUMNS[1:]
    rows = csv.DictReader(io.StringIO(
        client.get(f"/reports/service.csv?{QUERY}", headers=leader).text))
    in_csv = {r["column"]: r["value"] for r in rows
              if (r["section"], r["table"], r["row"]) == ("rethrive", "rethrive",
                                                          "All incidents")}
    assert [in_csv[column] for column in columns] == expected
    page = client.get(f"/reports/service?{QUERY}", headers=leader).text
    section = page[page.index('id="section-rethrive"'):]
    section = section[:section.index("</table>")]
    assert all(f">{column}</th>" in section for column in columns)
    assert re.findall(r'govuk-table__cell--numeric">([^<]*)</td>', section) == expected
    pdf = client.get(f"/reports/service.pdf?{QUERY}", headers=leader).content
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
                    .split())
    assert "All incidents 4 1 1 2 25.0" in text
    assert "25.0% of 4 re-THRIVE reviews owed were done by their due time." in text
    assert "1 were done late and 2 were never done." in text
