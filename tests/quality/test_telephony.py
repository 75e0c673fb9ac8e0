"""The telephony measures from a known day of call events (tests/data/telephony_day.*), to
the exact figure; and the file format's rules, with every bad row and field named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from firstcontact.platform.model import ValidationError
from firstcontact.quality.telephony import (
    Awaited,
    Line,
    by_hour,
    line_figures,
    parse_file,
    percentile,
    reply_figures,
)

DATA = Path(__file__).resolve().parent.parent / "data"


def day_calls(extension: str = "csv") -> list:  # type: ignore[type-arg]
    name = f"telephony_day.{extension}"
    return parse_file(name, (DATA / name).read_bytes())


def test_the_csv_and_the_json_of_the_same_day_hold_the_same_calls() -> None:
    from_csv, from_json = day_calls("csv"), day_calls("json")
    assert len(from_csv) == 23
    assert from_csv == from_json


def test_999_calls_answered_within_ten_seconds_to_the_exact_figure() -> None:
    figures = line_figures(day_calls(), Line.EMERGENCY, within_seconds=10)
    assert (figures.offered, figures.answered, figures.abandoned) == (11, 10, 1)
    # 3, 4, 5, 6, 7, 8, 9 and exactly 10 seconds are within; 10.5 and 12 are not.
    assert figures.answered_within == 8
    assert figures.percent_within == 80.0
    assert figures.abandonment_rate == 9.1


def test_101_answer_times_and_abandonment_to_the_exact_figure() -> None:
    figures = line_figures(day_calls(), Line.NON_EMERGENCY, within_seconds=60)
    assert (figures.offered, figures.answered, figures.abandoned) == (12, 10, 2)
    # 20 30 45 60 90 | 120 150 180 240 600: the median is between 90 and 120.
    assert figures.median_seconds == 105.0
    assert figures.p90_seconds == 240.0  # the 9th of 10 (nearest rank), not the slowest
    assert figures.answered_within == 4
    assert figures.abandonment_rate == 16.7


def test_calls_are_counted_in_the_london_hour_they_were_offered() -> None:
    hours = by_hour(day_calls(), Line.EMERGENCY, within_seconds=10)
    # The call written as 10:05+01:00 is 09:05 in London (GMT in March before the 29th).
    assert [(h, f.offered, f.answered_within, f.percent_within) for h, f in hours] == [
        (8, 6, 5, 83.3), (9, 5, 3, 75.0)]
    by_101 = by_hour(day_calls(), Line.NON_EMERGENCY, within_seconds=60)
    assert [(h, f.median_seconds, f.p90_seconds, f.abandonment_rate)
            for h, f in by_101] == [(8, 30.0, 45.0, 25.0), (9, 105.0, 150.0, 0.0),
                                    (10, 240.0, 600.0, 25.0)]


def test_hours_are_london_hours_of_the_day_across_the_days_of_a_period() -> None:
    content = (b"call_id,line,offered_at,answered_at,abandoned_at,handler\n"
               b"S1,999,2026-06-01T08:59:59+00:00,2026-06-01T09:00:01+00:00,,ch.ali\n"
               b"S2,999,2026-06-02T09:10:00+01:00,2026-06-02T09:10:30+01:00,,ch.ali\n"
               b"W1,999,2026-12-01T09:30:00+00:00,2026-12-01T09:30:05+00:00,,ch.ali\n")
    # 08:59 UTC in June is 09:59 BST; 09:10+01:00 is 09:10 in London; in December 09:30 GMT.
    [(hour, figures)] = by_hour(parse_file("year.csv", content), Line.EMERGENCY, 10)
    assert (hour, figures.offered, figures.answered_within) == (9, 3, 2)


def test_the_nearest_rank_percentile() -> None:
    assert percentile([], 90) is None
    assert percentile([7.0], 90) == 7.0
    assert percentile([float(n) for n in range(1, 21)], 90) == 18.0
    assert percentile([float(n) for n in range(1, 22)], 90) == 19.0


def test_a_bad_file_names_every_bad_row_and_field_and_yields_no_calls() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_file("telephony_bad.csv", (DATA / "telephony_bad.csv").read_bytes())
    assert raised.value.errors == {
        "row 3.line": "Enter the line: 999 or 101",
        "row 4.offered_at": "Give the time's offset from UTC, like 2026-03-14T09:30:05+00:00",
        "row 5.answered_at": "A call is either answered or abandoned: give one of the two times",
        "row 6.answered_at": "Must not be before the call was offered",
        "row 7.call_id": "TEL-BAD-001 is already in row 2",
    }


@pytest.mark.parametrize(("name", "content", "field"), [
    ("calls.txt", b"", "file"),
    ("calls.csv", b"id,line\nA,999\n", "header"),
    ("calls.csv", b"call_id,line,offered_at,answered_at,abandoned_at,handler\n", "file"),
    ("calls.json", b"{not json", "file"),
    ("calls.json", b'{"calls": "none"}', "calls"),
    ("calls.json", b'{"calls": [1]}', "row 1"),
    ("calls.json", b'{"calls": [{"call_id": "<b>", "line": "999"}]}', "row 1.call_id"),
    ("calls.csv", b"\xff\xfe", "file"),
])
def test_files_that_are_not_call_events_are_refused_naming_the_fault(
        name: str, content: bytes, field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_file(name, content)
    assert field in raised.value.errors


def test_reply_figures_count_a_reply_at_the_target_minute_as_late() -> None:
    at = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)

    def item(received: int, due: int, replied: int | None) -> Awaited:
        return Awaited("chat", at.replace(minute=received), at.replace(minute=due),
                       None if replied is None else at.replace(minute=replied))

    items = [item(0, 2, 1), item(0, 2, 2), item(10, 12, None), item(50, 52, None),
             Awaited("email", at, at, at)]
    figures = reply_figures(items, "chat", until=at.replace(minute=30))
    assert (figures.received, figures.replied, figures.replied_in_time,
            figures.unanswered_late) == (4, 2, 1, 1)
    assert (figures.median_minutes, figures.percent_in_time) == (1.5, 33.3)


def test_the_demo_day_of_calls_is_the_same_every_time_and_reads_like_a_control_room() -> None:
    from firstcontact.demo.telephony import a_day_of_calls

    end = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    calls = a_day_of_calls(end)
    assert calls == a_day_of_calls(end)
    assert all(end - timedelta(days=1, minutes=30) <= c.offered_at < end for c in calls)
    assert len({c.call_id for c in calls}) == len(calls)
    e999 = line_figures(calls, Line.EMERGENCY, within_seconds=10)
    n101 = line_figures(calls, Line.NON_EMERGENCY, within_seconds=60)
    assert e999.offered > 10 and n101.offered > 3 * e999.offered // 2
    assert e999.percent_within is not None and e999.percent_within > 75
    assert n101.abandoned > 0
