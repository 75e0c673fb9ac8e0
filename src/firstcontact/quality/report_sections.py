"""The service report's sections, each built from plain values the service gathered. Pure.

A section's figures follow the rule of the room that owns them: the digital desk's reply
targets (contacts.desk_rules), the grade's response target (risk), the re-THRIVE due time
(demand), the Victims' Code figures (victims.compliance, not recomputed here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from firstcontact.quality.model import Average, Criterion
from firstcontact.quality.report import Cell, ReportPolicy, Section, Table, chart, rows_of
from firstcontact.quality.telephony import (
    Awaited,
    Call,
    Line,
    LineFigures,
    by_hour,
    line_figures,
    reply_figures,
    share,
)
from firstcontact.victims.compliance import MOJ_MEASURES, Figure

NOT_DETERMINED = "not determined"


def words(code: str) -> str:
    return code.replace("_", " ")


def demand(counts: Mapping[tuple[str, str | None], int], channels: Sequence[str],
           grades: Sequence[str]) -> Section:
    """Contacts received, by channel, and the grade each was given (or none yet)."""
    columns = ("Channel", "Contacts", *[words(g) for g in grades], NOT_DETERMINED)
    rows: list[tuple[Cell, ...]] = []
    for channel in channels:
        by_grade = [counts.get((channel, g), 0) for g in grades]
        undetermined = counts.get((channel, None), 0)
        rows.append((words(channel), sum(by_grade) + undetermined, *by_grade, undetermined))
    table = Table("by_channel_and_grade", "Contacts received by channel and grade", columns,
                  rows_of(rows))
    total = sum(counts.values())
    return Section("demand", "Demand by channel and grade",
                   (f"{total:,} contacts received.",), (table,),
                   chart("Contacts received by channel", table, "Contacts"))


LINE_MEASURES = ("Offered", "Answered", "Abandoned", "% abandoned", "Target seconds",
                 "Answered within target", "% answered within target", "Median answer seconds",
                 "90th percentile answer seconds")


def _line_figures(f: LineFigures, within: int) -> tuple[Cell, ...]:
    return (f.offered, f.answered, f.abandoned, f.abandonment_rate, within, f.answered_within,
            f.percent_within, f.median_seconds, f.p90_seconds)


def calls(found: Sequence[Call], policy: ReportPolicy) -> Section:
    """999 and 101 answering against the standards in the report policy, by London hour."""
    pct = policy.percentile
    e999 = line_figures(found, Line.EMERGENCY, policy.within_999_seconds, pct)
    n101 = line_figures(found, Line.NON_EMERGENCY, policy.within_101_seconds, pct)
    by_line = zip(LINE_MEASURES, _line_figures(e999, policy.within_999_seconds),
                  _line_figures(n101, policy.within_101_seconds), strict=True)
    answering = Table("answering", "999 and 101 calls answered", ("Measure", "999", "101"),
                      rows_of(list(by_line)))
    hours_999 = Table("999_by_hour", "999 calls by hour of the day (London)", (
        "Hour", "Offered", "Answered", f"Within {policy.within_999_seconds} s",
        f"% within {policy.within_999_seconds} s", "Abandoned"), rows_of([
            (f"{h:02d}:00", f.offered, f.answered, f.answered_within,
             f.percent_within, f.abandoned)
            for h, f in by_hour(found, Line.EMERGENCY, policy.within_999_seconds, pct)]))
    hours_101 = Table("101_by_hour", "101 calls by hour of the day (London)", (
        "Hour", "Offered", "Answered", "Median answer seconds",
        f"{pct}th percentile answer seconds", "% abandoned"), rows_of([
            (f"{h:02d}:00", f.offered, f.answered, f.median_seconds, f.p90_seconds,
             f.abandonment_rate)
            for h, f in by_hour(found, Line.NON_EMERGENCY, policy.within_101_seconds, pct)]))
    return Section("calls", "999 and 101 calls", _call_findings(e999, n101, policy),
                   (answering, hours_999, hours_101),
                   chart(f"999 calls answered within {policy.within_999_seconds} seconds, "
                         "% by hour", hours_999, f"% within {policy.within_999_seconds} s",
                         percent=True, target=policy.standard_999_percent))


def _call_findings(e999: LineFigures, n101: LineFigures, policy: ReportPolicy
                   ) -> tuple[str, ...]:
    if not e999.offered and not n101.offered:
        return ("No call events have been imported for this period.",)
    met = e999.percent_within is not None and e999.percent_within >= policy.standard_999_percent
    return (
        f"999 calls answered within {policy.within_999_seconds} seconds: "
        f"{_pct(e999.percent_within)} of {e999.answered:,} answered (national standard "
        f"{policy.standard_999_percent}%: {'met' if met else 'not met'}).",
        f"101 calls: median answer {_num(n101.median_seconds)} seconds, "
        f"{policy.percentile}th percentile {_num(n101.p90_seconds)} seconds; "
        f"{_pct(n101.abandonment_rate)} abandoned (local target at most "
        f"{policy.abandonment_101_target_percent}%).")


def _pct(value: float | None) -> str:
    return "no figure" if value is None else f"{value:.1f}%"


def _num(value: float | None) -> str:
    return "no figure" if value is None else f"{value:,.1f}"


def replies(items: Sequence[Awaited], channels: Sequence[str], targets: Mapping[str, int],
            until: datetime, percentile: int) -> Section:
    """The digital desk's first replies against each channel's target."""
    rows = []
    for channel in channels:
        f = reply_figures(items, channel, until, percentile)
        rows.append((words(channel), f.received, targets[channel], f.replied, f.replied_in_time,
                     f.unanswered_late, f.percent_in_time, f.median_minutes, f.p90_minutes))
    table = Table("reply_times", "First replies on the digital channels", (
        "Channel", "Received", "Target minutes", "Replied", "Replied in time",
        "Late with no reply", "% in time", "Median reply minutes",
        f"{percentile}th percentile reply minutes"), rows_of(rows))
    return Section("replies", "Reply times: chat, email, social media and online reports",
                   (f"{sum(1 for _ in items):,} digital contacts owed a first reply.",),
                   (table,), chart("Replies in time, % by channel", table, "% in time",
                                   percent=True))


@dataclass(frozen=True)
class Response:
    """An incident with a response target: when it was due and when a unit got there."""

    grade: str
    due_at: datetime
    attended_at: datetime | None


def responses(items: Sequence[Response], grades: Sequence[str], until: datetime) -> Section:
    """Met: at scene by the target time. Missed: at scene later, or not yet and it passed."""
    rows = []
    for grade in grades:
        mine = [i for i in items if i.grade == grade]
        met = sum(1 for i in mine if i.attended_at is not None and i.attended_at <= i.due_at)
        missed = sum(1 for i in mine if (i.attended_at or until) > i.due_at)
        rows.append((words(grade), len(mine), met, missed, len(mine) - met - missed,
                     share(met, met + missed)))
    table = Table("response_targets", "Incidents against their response target", (
        "Grade", "Incidents", "Met", "Missed", "Not yet due", "% met"), rows_of(rows))
    return Section("responses", "Response-target compliance",
                   (f"{len(items):,} incidents opened with a response target.",), (table,),
                   chart("Response targets met, % by grade", table, "% met", percent=True))


@dataclass(frozen=True)
class OwedReview:
    """A re-THRIVE that fell due: when, when it was done (if it was), and when the incident
    was closed without it (if it was)."""

    due_at: datetime
    done_at: datetime | None = None
    closed_at: datetime | None = None


RETHRIVE_COLUMNS = ("Reviews", "Owed", "Done on time", "Done late", "Missed", "% on time")


def rethrive_standing(review: OwedReview, now: datetime) -> str | None:
    """'on time', 'late' or 'missed'; None when it is not owed: not yet due, or the incident
    was closed by its due time. Missed: never done, though the incident stayed open past the
    due minute (to now) or was closed after it, so skipping a review cannot flatter a force."""
    if review.done_at is not None:
        return "on time" if review.done_at <= review.due_at else "late"
    if (review.closed_at or now) > review.due_at:
        return "missed"
    return None


def rethrive(reviews: Sequence[OwedReview], now: datetime) -> Section:
    """Re-THRIVE reviews that fell due in the period, each counted once at its due time:
    done on time (by the due time), done late, or missed (never done)."""
    count = Counter(rethrive_standing(r, now) for r in reviews)
    owed = count["on time"] + count["late"] + count["missed"]
    table = Table("rethrive", "Re-THRIVE reviews owed in the period", RETHRIVE_COLUMNS,
                  rows_of([("All incidents", owed, count["on time"], count["late"],
                            count["missed"], share(count["on time"], owed))]))
    return Section("rethrive", "Re-THRIVE on time", (
        f"{_pct(share(count['on time'], owed))} of {owed:,} re-THRIVE reviews owed were done "
        "by their due time.",
        f"{count['late']:,} were done late and {count['missed']:,} were never done."), (table,))


def hidden_harm(findings: Iterable[tuple[str, str]], harm_types: Sequence[str]) -> Section:
    """Hidden-harm prompts raised, by type, and what staff decided: (harm type, status)."""
    count = Counter(findings)
    rows = [(words(t), sum(count[(t, s)] for s in ("pending", "confirmed", "dismissed")),
             count[(t, "confirmed")], count[(t, "dismissed")], count[(t, "pending")])
            for t in harm_types]
    table = Table("hidden_harm", "Hidden-harm prompts by type", (
        "Harm type", "Prompts", "Confirmed", "Dismissed", "Awaiting a decision"), rows_of(rows))
    confirmed = sum(row[2] for row in rows)
    return Section("hidden_harm", "Hidden-harm identifications by type",
                   (f"{confirmed:,} hidden harms confirmed by staff.",), (table,),
                   chart("Hidden harms confirmed, by type", table, "Confirmed"))


@dataclass(frozen=True)
class RepeatFigures:
    contacts_from_known_people: int
    repeat_callers: int
    frequent_callers: int
    contacts_from_repeat_callers: int
    repeat_victims: int


def repeat(figures: RepeatFigures) -> Section:
    table = Table("repeat_callers", "Repeat callers and victims (people's policy)", (
        "Measure", "Count"), rows_of([
            ("Contacts from identified people", figures.contacts_from_known_people),
            ("Repeat callers (people)", figures.repeat_callers),
            ("Frequent callers (people)", figures.frequent_callers),
            ("Contacts from repeat callers", figures.contacts_from_repeat_callers),
            ("Repeat victims (people)", figures.repeat_victims)]))
    return Section("repeat_callers", "Repeat callers",
                   (f"{figures.repeat_callers:,} people were repeat callers in the period.",),
                   (table,))


@dataclass(frozen=True)
class MissingReport:
    risk_level: str
    child: bool
    child_in_care: bool
    found: bool


def missing(reports: Sequence[MissingReport], levels: Sequence[str]) -> Section:
    rows = [(words(level), sum(1 for r in mine), sum(1 for r in mine if r.child),
             sum(1 for r in mine if r.child_in_care), sum(1 for r in mine if r.found))
            for level in levels for mine in [[r for r in reports if r.risk_level == level]]]
    table = Table("missing_people", "Missing-person reports by risk level", (
        "Risk level", "Reports", "Children", "Children in care", "Found"), rows_of(rows))
    return Section("missing_people", "Missing-person reports",
                   (f"{len(reports):,} missing-person reports taken.",), (table,),
                   chart("Missing-person reports by risk level", table, "Reports"))


def victims_code(figures: Sequence[Figure], titles: Mapping[str, str]) -> Section:
    """The Victims' Code figures exactly as the compliance page computes them."""
    rows = [(titles.get(f.code, words(f.code)), f.owed, f.eligible, f.delivered,
             f.percent_delivered, f.on_time, f.percent_on_time, f.median_hours)
            for f in figures]
    table = Table("victims_code", "Victims' Code entitlements at the point of reporting", (
        "Entitlement", "Owed", "Eligible", "Delivered", "% delivered", "On time",
        "% on time", "Median hours to deliver"), rows_of(rows))
    moj = [f"{MOJ_MEASURES[f.code]}: {_pct(f.percent_delivered)}" for f in figures
           if f.code in MOJ_MEASURES]
    return Section("victims_code", "Victims' Code compliance", tuple(moj), (table,),
                   chart("Victims' Code entitlements delivered on time, %", table,
                         "% on time", percent=True))


def qa_results(reviews: int, averages: Sequence[Average],
               criteria: Sequence[Criterion]) -> Section:
    """The QA reviews completed in the period: each criterion's average as a share of its
    top score, the same figures as the QA trends page."""
    titles = {c.code: c.title for c in criteria}
    rows = [(titles.get(a.code, words(a.code)), a.reviews,
             None if a.mean is None else round(a.mean, 2), a.percent) for a in averages]
    table = Table("qa_results", "Quality assurance reviews by criterion", (
        "Criterion", "Reviews scoring it", "Average score", "% of top score"), rows_of(rows))
    return Section("qa_results", "Quality assurance",
                   (f"{reviews:,} QA reviews completed.",), (table,),
                   chart("QA average by criterion, % of top score", table, "% of top score",
                         percent=True))
