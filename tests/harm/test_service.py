"""Hidden harms on the intake path, on both databases: the scan step stores the findings with
their evidence; staff confirm or dismiss each prompt, audited; a confirmation qualifies the
incident."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from firstcontact.contacts import service as contacts
from firstcontact.contacts.model import Limits, parse_contact
from firstcontact.demand.tables import IncidentRow
from firstcontact.harm import service
from firstcontact.harm.model import Level
from firstcontact.platform import audit
from firstcontact.platform.model import (
    Actor,
    Conflict,
    NotFound,
    PermissionDenied,
    Role,
    ValidationError,
)
from firstcontact.platform.runtime import Runtime
from firstcontact.risk import service as risk
from firstcontact.risk.model import NDM_STAGES, parse_thrive
from firstcontact.victims.tables import VictimRow
from tests.staff import create_staff

NARRATIVE = ("I work at the car wash. The boss keeps my passport and we are not allowed out. "
             "I don't want to die, I just want to go home.")


def new_contact(rt: Runtime, actor: Actor, narrative: str = NARRATIVE) -> int:
    fields = {"channel": "phone_101", "caller_relationship": "victim", "address": "1 High St",
              "narrative": narrative}
    return contacts.record_contact(rt, actor, parse_contact(fields, Limits())).contact.id


def test_a_new_contact_is_scanned_and_its_evidence_stored(runtime: Runtime) -> None:
    handler = create_staff(runtime, Role.CALL_HANDLER)
    contact_id = new_contact(runtime, handler)
    [finding] = service.findings_for(runtime, handler, contact_id)
    assert (finding.harm_type, finding.level, finding.status) == (
        "modern_slavery", Level.LIKELY, "pending")
    assert {e["text"] for e in finding.evidence} >= {"keeps my passport", "not allowed out"}
    for e in finding.evidence:
        assert NARRATIVE[e["start"]:e["end"]] == e["text"]
    assert "NRM" in finding.action and finding.qualifiers == ("modern_slavery",)
    with runtime.database.transaction() as session:
        purposes = [entry.purpose for entry in audit.trail(session, "contact", contact_id)]
    assert "hidden-harm scan of the contact's words" in purposes
    assert "hidden-harm prompts for contact handling" in purposes


def test_a_contact_with_nothing_hidden_stores_no_prompts(runtime: Runtime) -> None:
    handler = create_staff(runtime, Role.CALL_HANDLER)
    contact_id = new_contact(runtime, handler, "My bike was stolen from the station.")
    assert service.findings_for(runtime, handler, contact_id) == []


def test_a_rescan_adds_what_the_growing_text_reveals(runtime: Runtime) -> None:
    handler = create_staff(runtime, Role.DIGITAL_DESK)
    first = "Hi, I need some advice about my flat."
    contact_id = new_contact(runtime, handler, first)
    grown = first + "\nSome lads have taken over my flat and I'm scared to go home."
    [found] = service.rescan(runtime, handler, contact_id, grown)
    assert found.harm_type == "cuckooing" and found.status == "pending"
    assert [f.harm_type for f in service.findings_for(runtime, handler, contact_id)] == [
        "cuckooing"]


def test_a_dismissed_prompt_comes_back_when_the_harm_grows_stronger(runtime: Runtime) -> None:
    handler = create_staff(runtime, Role.CALL_HANDLER)
    contact_id = new_contact(runtime, handler, "He keeps following me.")
    [possible] = service.findings_for(runtime, handler, contact_id)
    assert possible.level is Level.POSSIBLE
    service.decide(runtime, handler, possible.id, "dismissed", "Caller says it is her dog")
    [stronger] = service.rescan(runtime, handler, contact_id,
                                "He keeps following me. He is stalking me.")
    assert (stronger.level, stronger.status) == (Level.LIKELY, "pending")


def test_a_dismissal_needs_a_reason_and_is_audited(runtime: Runtime) -> None:
    handler = create_staff(runtime, Role.CALL_HANDLER)
    contact_id = new_contact(runtime, handler)
    [finding] = service.findings_for(runtime, handler, contact_id)
    with pytest.raises(ValidationError) as caught:
        service.decide(runtime, handler, finding.id, "dismissed", "   ")
    assert caught.value.field == "reason"
    with pytest.raises(ValidationError, match="HTML"):
        service.decide(runtime, handler, finding.id, "dismissed", "<script>x</script>")
    done = service.decide(runtime, handler, finding.id, "dismissed",
                          "Caller is the employer describing a lost passport")
    assert (done.status, done.reason) == ("dismissed", done.reason)
    with runtime.database.transaction() as session:
        [entry] = [e for e in audit.trail(session, "contact", contact_id)
                   if e.detail.get("harm_finding_id") == finding.id]
    assert entry.actor_username == handler.username and entry.purpose.endswith("dismissed by staff")
    assert entry.detail["reason"] == "Caller is the employer describing a lost passport"
    with pytest.raises(Conflict):
        service.decide(runtime, handler, finding.id, "confirmed")


def test_bad_decisions_are_refused(runtime: Runtime) -> None:
    handler = create_staff(runtime, Role.CALL_HANDLER)
    contact_id = new_contact(runtime, handler)
    [finding] = service.findings_for(runtime, handler, contact_id)
    with pytest.raises(ValidationError) as caught:
        service.decide(runtime, handler, finding.id, "maybe")
    assert caught.value.field == "decision"
    with pytest.raises(NotFound):
        service.decide(runtime, handler, finding.id + 999, "confirmed")
    with pytest.raises(NotFound):
        service.decide(runtime, handler, finding.id, "confirmed", contact_id=contact_id + 1)


@pytest.mark.parametrize(("role", "may"), [
    (Role.CALL_HANDLER, True), (Role.DIGITAL_DESK, True), (Role.TEAM_LEADER, True),
    (Role.DISPATCHER, False), (Role.QA_REVIEWER, False), (Role.VICTIM_CARE, False),
    (Role.PARTNER_AGENCY, False),
])
def test_only_front_line_staff_decide_prompts(runtime: Runtime, role: Role, may: bool) -> None:
    contact_id = new_contact(runtime, create_staff(runtime, Role.CALL_HANDLER))
    [finding] = service.findings_for(runtime, create_staff(runtime, Role.ADMIN), contact_id)
    actor = create_staff(runtime, role)
    if may:
        assert service.decide(runtime, actor, finding.id, "confirmed").status == "confirmed"
    else:
        with pytest.raises(PermissionDenied):
            service.decide(runtime, actor, finding.id, "confirmed")


def determine(rt: Runtime, actor: Actor, contact_id: int) -> None:
    fields: dict[str, str] = {"threat": "possible", "harm": "serious", "risk": "high",
                              "investigation": "hours", "vulnerability": "high",
                              "engagement": "attend_soon", "risk_escalating": "no"}
    fields.update({f"ndm_{stage}": "reasons" for stage in NDM_STAGES})
    risk.assess(rt, actor, contact_id, parse_thrive(fields))
    risk.determine(rt, actor, contact_id, {"grade": "priority", "nsir_category": "crime",
                                           "opening_code": "CR-OTH", "rationale": "x"})


def test_confirming_adds_the_harms_qualifier_to_the_incident(runtime: Runtime) -> None:
    handler = create_staff(runtime, Role.CALL_HANDLER)
    contact_id = new_contact(runtime, handler)
    determine(runtime, handler, contact_id)
    [finding] = service.findings_for(runtime, handler, contact_id)
    done = service.decide(runtime, handler, finding.id, "confirmed")
    assert done.qualifiers_added == ("modern_slavery",)
    with runtime.database.transaction() as session:
        incident = session.scalars(select(IncidentRow)
                                   .where(IncidentRow.contact_id == contact_id)).one()
        assert incident.qualifiers == ["modern_slavery"]
        purposes = [e.purpose for e in audit.trail(session, "incident", incident.id)]
    assert "confirmed hidden harm: modern_slavery" in purposes


def test_a_harm_confirmed_after_the_crime_gives_the_victim_enhanced_rights(
        runtime: Runtime) -> None:
    """Recorded as "other crime"; then the handler confirms the modern-slavery prompt: the
    victim's enhanced rights are decided again, with the reason, and the change is audited."""
    handler = create_staff(runtime, Role.CALL_HANDLER)
    contact_id = new_contact(runtime, handler)
    determine(runtime, handler, contact_id)
    with runtime.database.transaction() as session:
        victim = session.scalars(select(VictimRow)
                                 .where(VictimRow.contact_id == contact_id)).one()
        assert not victim.enhanced
    [finding] = service.findings_for(runtime, handler, contact_id)
    service.decide(runtime, handler, finding.id, "confirmed")
    with runtime.database.transaction() as session:
        victim = session.scalars(select(VictimRow)
                                 .where(VictimRow.contact_id == contact_id)).one()
        purposes = [e.purpose for e in audit.trail(session, "victim", victim.id)]
    assert victim.enhanced
    assert victim.enhanced_reasons
    assert "enhanced rights decided again: the crime gained a qualifier" in purposes
