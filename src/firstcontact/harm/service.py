"""Hidden harms on the intake path: scan each contact, store what was found with its evidence,
and record staff's decision on each prompt (confirm, or dismiss with a reason), all audited.

The platform suggests and explains; it never decides (APP "Risk"). A finding stays `pending`
until a member of staff confirms or dismisses it. Confirming adds the harm's NSIR qualifiers to
the contact's incident when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.contacts import service as contacts
from firstcontact.demand import service as demand
from firstcontact.harm import policy
from firstcontact.harm.learned import INDICATOR_PREFIX
from firstcontact.harm.model import HARM_TYPES, Finding, Level
from firstcontact.harm.scanner import Scanner
from firstcontact.harm.tables import HarmFindingRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Event
from firstcontact.platform.model import (
    SYSTEM,
    Actor,
    Conflict,
    NotFound,
    Permission,
    ValidationError,
    plain_text,
)
from firstcontact.platform.runtime import IntakeStep, Runtime
from firstcontact.victims import service as victims

PENDING, CONFIRMED, DISMISSED = "pending", "confirmed", "dismissed"
LEARNED_WORDS = "words often said in reports of this harm"
"""How staff see the learned layer's evidence: not an indicator of the catalogue."""
REASON_MAX_CHARS = 2000


@dataclass(frozen=True)
class FindingView:
    id: int
    contact_id: int
    harm_type: str
    label: str
    level: Level
    score: float
    evidence: list[dict[str, Any]]
    action: str
    status: str
    reason: str
    qualifiers: tuple[str, ...]
    qualifiers_added: tuple[str, ...]
    first_found_at: datetime
    decided_at: datetime | None

    @property
    def said(self) -> list[dict[str, Any]]:
        """The evidence as staff read it: each stretch of words once. Several indicators often
        match the same words ("boss keeps my passport", "keeps my passport", "passport"); a
        span inside an earlier, longer one is not shown again, its indicator is named beside
        that one. `why` names the indicators (or, for the learned layer, says so)."""
        shown: list[dict[str, Any]] = []
        for item in sorted(self.evidence, key=lambda e: (e["start"], -e["end"])):
            why = (LEARNED_WORDS if str(item["indicator"]).startswith(INDICATOR_PREFIX)
                   else str(item["indicator"]))
            last = shown[-1] if shown else None
            if last and last["start"] <= item["start"] and item["end"] <= last["end"]:
                if why not in last["why"]:
                    last["why"].append(why)
                continue
            shown.append({"text": item["text"], "start": item["start"], "end": item["end"],
                          "why": [why]})
        return shown


def view(row: HarmFindingRow) -> FindingView:
    return FindingView(
        id=row.id, contact_id=row.contact_id, harm_type=row.harm_type,
        label=HARM_TYPES.get(row.harm_type, row.harm_type), level=Level(row.level),
        score=row.score, evidence=list(row.evidence), action=row.action, status=row.status,
        reason=row.reason, qualifiers=policy.catalogue().qualifiers.get(row.harm_type, ()),
        qualifiers_added=tuple(row.qualifiers_added), first_found_at=row.first_found_at,
        decided_at=row.decided_at)


def intake_step() -> IntakeStep:
    """The intake step app.py wires in. Building it loads and checks the catalogue, so a
    mistake in an indicator file stops the server at start-up."""
    policy.scanner()
    return scan_new_contact


def scan_new_contact(rt: Runtime, session: Session, contact_id: int) -> None:
    """Scan a newly stored contact's narrative (run by the intake pipeline, as the system)."""
    row = contacts.load(session, contact_id)
    _store(session, SYSTEM, contact_id, row.narrative, policy.scanner(), rt.clock.now())


def scan_grown_contact(rt: Runtime, session: Session, contact_id: int, words: str) -> None:
    """Scan a conversation's contact again when the public say more (a growth step, run as the
    system): all their words so far, without staff's own messages, so a call handler's "is
    anyone keeping your passport?" is not read as the answer."""
    _store(session, SYSTEM, contact_id, words, policy.scanner(), rt.clock.now())


def rescan(rt: Runtime, actor: Actor, contact_id: int, text: str) -> list[FindingView]:
    """Scan again when a contact's text grows (a chat goes on, an email thread gets a reply).

    Channels call this with all the text so far. Pending prompts take the new evidence;
    decided ones keep the decision, except that a dismissed harm that has grown to a higher
    level is put back to pending, so staff look again."""
    actor.require(Permission.CONTACT_READ)
    with rt.database.transaction() as session:
        contacts.load(session, contact_id)
        return _store(session, actor, contact_id, text, policy.scanner(), rt.clock.now())


def _store(session: Session, actor: Actor, contact_id: int, text: str, scanner: Scanner,
           now: datetime) -> list[FindingView]:
    findings = scanner.scan(text)
    if not findings:  # most contacts: nothing to store, and nothing stored to read
        return []
    existing = {row.harm_type: row for row in _rows(session, contact_id)}
    changed = []
    for finding in findings:
        row = existing.get(finding.harm_type)
        if row is None:
            row = _new_row(contact_id, finding, len(text), now)
            session.add(row)
        else:
            _refresh(row, finding, len(text), now)
        changed.append(row)
    session.flush()
    if changed:
        audit.record(session, actor, AuditAction.CREATE, "contact", contact_id,
                     "hidden-harm scan of the contact's words", now,
                     {"findings": {row.harm_type: row.level for row in changed}})
        stage_event(session, Event("harm.found", {
            "contact_id": contact_id,
            "harms": [{"type": row.harm_type, "level": row.level} for row in changed]}))
    return [view(row) for row in changed]


def _new_row(contact_id: int, finding: Finding, length: int, now: datetime) -> HarmFindingRow:
    return HarmFindingRow(
        contact_id=contact_id, harm_type=finding.harm_type, level=finding.level.value,
        score=finding.score, evidence=_evidence(finding), action=finding.action,
        status=PENDING, reason="", qualifiers_added=[], scanned_text_length=length,
        first_found_at=now, last_scanned_at=now)


def _refresh(row: HarmFindingRow, finding: Finding, length: int, now: datetime) -> None:
    if row.status == DISMISSED and _rank(finding.level) > _rank(Level(row.level)):
        row.status = PENDING
    row.level, row.score = finding.level.value, finding.score
    row.evidence, row.action = _evidence(finding), finding.action
    row.scanned_text_length, row.last_scanned_at = length, now


def _rank(level: Level) -> int:
    return [Level.NONE, Level.POSSIBLE, Level.LIKELY].index(level)


def _evidence(finding: Finding) -> list[dict[str, Any]]:
    return [{"indicator": e.indicator, "start": e.start, "end": e.end, "text": e.text}
            for e in finding.evidence]


def _rows(session: Session, contact_id: int) -> list[HarmFindingRow]:
    return list(session.scalars(select(HarmFindingRow)
                                .where(HarmFindingRow.contact_id == contact_id)
                                .order_by(HarmFindingRow.score.desc(), HarmFindingRow.id)))


def findings_for(rt: Runtime, actor: Actor, contact_id: int,
                 purpose: str = "hidden-harm prompts for contact handling") -> list[FindingView]:
    """The prompts for one contact, strongest first (the read is audited)."""
    actor.require(Permission.CONTACT_READ)
    with rt.database.transaction() as session:
        contacts.load(session, contact_id)
        rows = _rows(session, contact_id)
        if rows:
            audit.record(session, actor, AuditAction.READ, "contact", contact_id, purpose,
                         rt.clock.now(), {"harm_findings": [row.id for row in rows]})
        return [view(row) for row in rows]


def decide(rt: Runtime, actor: Actor, finding_id: int, decision: str,
           reason: str | None = None, contact_id: int | None = None) -> FindingView:
    """Confirm or dismiss one prompt. A dismissal needs a reason; both are audited."""
    actor.require(Permission.HARM_DECIDE)
    if decision not in (CONFIRMED, DISMISSED):
        raise ValidationError("decision", "Choose confirm or dismiss")
    why = plain_text("reason", reason, max_chars=REASON_MAX_CHARS,
                     required=decision == DISMISSED)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = session.get(HarmFindingRow, finding_id)
        if row is None or (contact_id is not None and row.contact_id != contact_id):
            raise NotFound(f"No hidden-harm finding {finding_id}")
        if row.status != PENDING:
            raise Conflict(f"This prompt was already {row.status}")
        row.status, row.reason = decision, why
        row.decided_at, row.decided_by_user_id = now, actor.user_id
        if decision == CONFIRMED:
            row.qualifiers_added = _add_qualifiers(session, actor, row, now)
        session.flush()
        # Logged against the contact, so its history shows every decision on its prompts.
        audit.record(session, actor, AuditAction.UPDATE, "contact", row.contact_id,
                     f"hidden-harm prompt {decision} by staff", now,
                     {"harm_finding_id": row.id, "harm_type": row.harm_type,
                      "decision": decision, "reason": why,
                      "qualifiers_added": list(row.qualifiers_added)})
        stage_event(session, Event(f"harm.{decision}", {
            "contact_id": row.contact_id, "finding_id": row.id, "harm_type": row.harm_type}))
        return view(row)


def _add_qualifiers(session: Session, actor: Actor, row: HarmFindingRow,
                    now: datetime) -> list[str]:
    incident = demand.incident_for_contact(session, row.contact_id)
    wanted = policy.catalogue().qualifiers.get(row.harm_type, ())
    if incident is None or not wanted:
        return []
    added = demand.add_qualifiers(session, actor, incident, wanted,
                                  f"confirmed hidden harm: {row.harm_type}", now)
    if added:
        victims.reassess_after_new_qualifiers(session, actor, row.contact_id,
                                              incident.opening_code,
                                              tuple(incident.qualifiers), now)
    return added
