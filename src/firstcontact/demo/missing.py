"""The demo force's missing people and partner agencies: a child missing from a children's
home (high risk; the local authority is referred automatically), an older woman with dementia
reported by her daughter, and a referral to adult social care that the demo partner-agency
login sees. Made through the same services as the pages, so all of it is audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from firstcontact.contacts import service as contacts
from firstcontact.contacts.model import Limits, parse_contact
from firstcontact.contacts.tables import ContactRow
from firstcontact.missing import service as missing
from firstcontact.people import referrals
from firstcontact.platform.model import Actor
from firstcontact.platform.runtime import Runtime

AGENCIES = (("Northshire Children's Services", "childrens_social_care"),
            ("Northshire Adult Social Care", "adults_social_care"),
            ("Northshire Mental Health Crisis Team", "mental_health_crisis"),
            ("Salvation Army Modern Slavery Line", "modern_slavery_helpline"))


def seed_missing_people(rt: Runtime, admin: Actor, leader: Actor, handler: Actor,
                        partner: Actor) -> None:
    agency = {name: referrals.add_agency(rt, admin, name, kind) for name, kind in AGENCIES}
    referrals.add_member(rt, admin, agency["Northshire Adult Social Care"], partner.user_id or 0)
    mother = _dementia_report(rt, handler)
    referrals.refer(rt, leader, mother, agency["Northshire Adult Social Care"], {
        "reason": "Older woman with dementia, missing tonight: a carers "
                  "assessment and a safe-and-well plan needed.",
        "lawful_basis": "safeguarding_adults"})
    _child_from_care(rt, handler, agency["Northshire Children's Services"])


def _dementia_report(rt: Runtime, handler: Actor) -> int:
    """Linda Carr's call (a demo scenario) about her mother: the report names the mother."""
    with rt.database.transaction() as session:
        contact_id = session.scalars(select(ContactRow.id).where(
            ContactRow.caller_name == "Linda Carr")).first()
    report = missing.report(rt, handler, {
        "missing_name": "Margaret Carr", "missing_date_of_birth": "1942-05-17",
        "contact_id": contact_id, "age": 84,
        "description": "White female, 5ft 3in, grey bobbed hair, green wool coat",
        "circumstances": "Left home on foot while her daughter was out; coat gone.",
        "last_seen_at": (rt.clock.now() - timedelta(minutes=70)).isoformat(),
        "last_seen_place": "3 Orchard Way, Easton",
        "medical_needs": "Dementia; poor sight after dark", "dementia": True,
        "herbert_protocol": "Form held by her daughter: photo, and she walks to the old mill "
                            "where she worked", "risk_factors": ["out_of_character"],
        "risk_level": "high",
        "risk_rationale": "Dementia on a cold night; known to walk towards the river path"})
    return report.row.person_id


def _child_from_care(rt: Runtime, handler: Actor, council: int) -> None:
    draft = parse_contact({
        "channel": "phone_101", "caller_name": "Ruth Adeyemi", "caller_phone": "07700 900140",
        "caller_relationship": "third_party", "address": "Oakfield children's home, Westfield",
        "area_type": "urban", "language": "English", "accessibility_needs": "",
        "narrative": "Jayden, 14, who lives with us, has not come back from school. He was "
                     "seen getting into a car with older men last week."}, Limits())
    contact = contacts.record_contact(rt, handler, draft).contact
    missing.report(rt, handler, {
        "missing_name": "Jayden Miller", "missing_date_of_birth": "2011-09-02",
        "contact_id": contact.id, "age": 14,
        "description": "Black male, slim, 5ft 6in, grey school hoodie",
        "circumstances": "Did not return from school; seen getting into cars with older men",
        "last_seen_at": (rt.clock.now() - timedelta(hours=3)).isoformat(),
        "last_seen_place": "Westfield Academy gates", "child_in_care": True,
        "local_authority_agency_id": council,
        "previous_episodes": "Missing twice this year, found in another town",
        "risk_factors": ["child_sexual_exploitation"], "risk_level": "high",
        "risk_rationale": "A child in care with signs of exploitation by older men"})
