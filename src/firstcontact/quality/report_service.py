"""The service report for a period: every room's figures read in one transaction.

This is a read model: it reads other rooms' tables for counts and times only (no person's
name or words leave here), and hands plain values to the pure section builders. The report is
SECTIONS in order; a room that wants a section in the report adds one builder here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from firstcontact.contacts import desk
from firstcontact.contacts.desk_rules import DESK_CHANNELS
from firstcontact.contacts.model import Channel
from firstcontact.contacts.tables import ContactRow, DeskItemRow
from firstcontact.demand.model import IncidentStatus
from firstcontact.demand.tables import IncidentEventRow, IncidentRow
from firstcontact.harm.policy import catalogue
from firstcontact.harm.tables import HarmFindingRow
from firstcontact.missing.model import RiskLevel
from firstcontact.missing.tables import MissingReportRow
from firstcontact.people import policy as people_policy
from firstcontact.people.history import Flag, PastContact, flags
from firstcontact.people.tables import PersonRecordRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.model import SYSTEM, Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.quality import report_sections as build
from firstcontact.quality.policy import criteria
from firstcontact.quality.report import Section, ServiceReport, Window
from firstcontact.quality.report_policy import report_policy
from firstcontact.quality.service import qa_summary
from firstcontact.quality.telephony import Awaited
from firstcontact.quality.telephony_service import calls_offered
from firstcontact.risk.model import Grade
from firstcontact.risk.tables import DeterminationRow, ReviewRow
from firstcontact.victims.compliance import MOJ_MEASURES, Period, figures
from firstcontact.victims.performance import codes, owed_in
from firstcontact.victims.policy import victims_policy


@dataclass(frozen=True)
class Gathering:
    """What every section builder is handed: one read of the database, the period, and now."""

    session: Session
    window: Window
    now: datetime

    def within(self, column: InstrumentedAttribute[datetime]) -> ColumnElement[bool]:
        """`column` falls in the period (London midnight to midnight)."""
        return and_(column >= self.window.start, column < self.window.end)


def demand(g: Gathering) -> Section:
    counted = g.session.execute(
        select(ContactRow.channel, DeterminationRow.grade, func.count())
        .outerjoin(DeterminationRow, DeterminationRow.contact_id == ContactRow.id)
        .where(g.within(ContactRow.received_at))
        .group_by(ContactRow.channel, DeterminationRow.grade)).all()
    return build.demand({(c, grade): n for c, grade, n in counted}, [c.value for c in Channel],
                        [grade.value for grade in Grade])


def calls(g: Gathering) -> Section:
    return build.calls(calls_offered(g.session, g.window.start, g.window.end), report_policy())


def replies(g: Gathering) -> Section:
    rows = g.session.execute(
        select(DeskItemRow.channel, ContactRow.received_at, DeskItemRow.reply_due_at,
               DeskItemRow.replied_at)
        .join(ContactRow, ContactRow.id == DeskItemRow.contact_id)
        .where(g.within(ContactRow.received_at))).all()
    targets = {c.value: int(t.total_seconds() // 60)
               for c, t in desk.policy().reply_targets.items()}
    return build.replies([Awaited(*row) for row in rows], [c.value for c in DESK_CHANNELS],
                         targets, g.window.until(g.now), report_policy().percentile)


def responses(g: Gathering) -> Section:
    incidents = g.session.execute(
        select(IncidentRow.id, IncidentRow.grade, IncidentRow.response_due_at)
        .where(g.within(IncidentRow.opened_at),
               IncidentRow.response_due_at.is_not(None))).all()
    arrived: dict[int, datetime] = {}
    for start in range(0, len(incidents), 500):
        ids = [i.id for i in incidents[start:start + 500]]
        for event in g.session.scalars(
                select(IncidentEventRow).where(IncidentEventRow.incident_id.in_(ids),
                                               IncidentEventRow.kind == "status")
                .order_by(IncidentEventRow.at)):
            if event.detail.get("to") == IncidentStatus.AT_SCENE.value:
                arrived.setdefault(event.incident_id, event.at)
    return build.responses(
        [build.Response(i.grade, i.response_due_at, arrived.get(i.id)) for i in incidents],
        [grade.value for grade in Grade], g.window.until(g.now))


def rethrive(g: Gathering) -> Section:
    """Every re-THRIVE due in the period: those done (each review keeps the time it was due)
    and each incident's review still owed (its current due time; finalised_at if closed)."""
    done = g.session.execute(select(ReviewRow.was_due_at, ReviewRow.reviewed_at).where(
        g.within(ReviewRow.was_due_at))).all()
    outstanding = g.session.execute(select(IncidentRow.review_due_at, IncidentRow.finalised_at)
                                    .where(g.within(IncidentRow.review_due_at))).all()
    return build.rethrive([*(build.OwedReview(due, done_at=at) for due, at in done),
                           *(build.OwedReview(due, closed_at=closed)
                             for due, closed in outstanding)], g.now)


def hidden_harm(g: Gathering) -> Section:
    found = g.session.execute(select(HarmFindingRow.harm_type, HarmFindingRow.status).where(
        g.within(HarmFindingRow.first_found_at))).all()
    known = {i.harm_type for i in catalogue().indicators}
    return build.hidden_harm([(t, s) for t, s in found], sorted(known | {t for t, _ in found}))


def repeat_callers(g: Gathering) -> Section:
    """Each contact in the period is judged by the force's repeat rules at the moment it came,
    over that person's contacts up to then (people.history, the caller-history panel's rule)."""
    rules = people_policy.repeat()
    linked = g.session.execute(
        select(PersonRecordRow.person_id, ContactRow.received_at, ContactRow.caller_relationship)
        .join(ContactRow, ContactRow.id == PersonRecordRow.contact_id)
        .where(ContactRow.received_at < g.window.end,
               ContactRow.received_at >= g.window.start - timedelta(
                   days=max([*rules.windows_days, rules.repeat_victim_days])))).all()
    history: dict[int, list[PastContact]] = {}
    for person, at, relationship in linked:
        history.setdefault(person, []).append(PastContact(at, relationship == "victim"))
    raised: dict[Flag, set[int]] = {flag: set() for flag in Flag}
    in_period = from_repeat = 0
    for person, past in history.items():
        for contact in past:
            if not g.window.start <= contact.received_at < g.window.end:
                continue
            in_period += 1
            now_raised = {r.flag for r in flags(past, contact.received_at, rules)}
            from_repeat += Flag.REPEAT_CALLER in now_raised
            for flag in now_raised:
                raised[flag].add(person)
    return build.repeat(build.RepeatFigures(
        in_period, len(raised[Flag.REPEAT_CALLER]), len(raised[Flag.FREQUENT_CALLER]),
        from_repeat, len(raised[Flag.REPEAT_VICTIM])))


def missing_people(g: Gathering) -> Section:
    reports = g.session.execute(select(
        MissingReportRow.risk_level, MissingReportRow.child, MissingReportRow.child_in_care,
        MissingReportRow.found_at).where(g.within(MissingReportRow.created_at))).all()
    return build.missing([build.MissingReport(level, child, in_care, found is not None)
                          for level, child, in_care, found in reports],
                         [level.value for level in RiskLevel])


def victims_code(g: Gathering) -> Section:
    period = Period(g.window.first, g.window.last)
    titles = {e.code: e.title for e in victims_policy().entitlements}
    return build.victims_code(figures(owed_in(g.session, period), codes(), "all"),
                              {**titles, **MOJ_MEASURES})


def qa_results(g: Gathering) -> Section:
    summary = qa_summary(g.session, g.window.start, g.window.end)
    return build.qa_results(summary.reviews, summary.criteria, criteria())


SECTIONS: list[Callable[[Gathering], Section]] = [
    demand, calls, replies, responses, rethrive, hidden_harm, repeat_callers, missing_people,
    victims_code, qa_results,
]
"""The report, in order: a room that wants a section adds one builder here."""


def service_report(rt: Runtime, actor: Actor, window: Window) -> ServiceReport:
    """The report for `window`: staff need SERVICE_REPORT; the CLI acts as the platform.
    Figures only, but who looked at the force's performance, and for when, is audited."""
    if actor != SYSTEM:
        actor.require(Permission.SERVICE_REPORT)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        gathering = Gathering(session, window, now)
        sections = tuple(section(gathering) for section in SECTIONS)
        audit.record(session, actor, AuditAction.READ, "service_report", "",
                     "service report produced", now,
                     {"from": window.first.isoformat(), "to": window.last.isoformat()})
    return ServiceReport(rt.settings.force_name, window, now, sections)
