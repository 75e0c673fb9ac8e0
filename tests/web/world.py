"""A small control room with one of everything a route can be about, built through the real
services and routes: a crime with its incident, victim, entitlements, person and hidden-harm
finding; an email, a social-media conversation and a live chat on the desk; a unit on the
incident; a missing-person report; two partner agencies, each with a referral; and a signed-in
member of staff for every role (the partner-agency user belongs to the first agency).

The role matrix, the CSRF walk and the audit walk all run against it, so every route gets a
real record to act on rather than an id that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.contacts import chat, mail, social
from firstcontact.contacts.social_model import InboundMessage, Platform
from firstcontact.contacts.tables import ChatRow, EmailMessageRow, SocialConversationRow
from firstcontact.demand import resources
from firstcontact.demand.tables import IncidentRow
from firstcontact.harm.tables import HarmFindingRow
from firstcontact.people import referrals
from firstcontact.people.tables import PersonRecordRow
from firstcontact.platform.model import Actor, Role
from firstcontact.platform.runtime import Runtime
from firstcontact.victims.tables import EntitlementRow, VictimRow
from tests.missing.flow import report_body
from tests.staff import PASSWORD, create_staff
from tests.victims.conftest import record_crime

CRIME = ("My partner hit me again last night and took my bank card. He says he will kill me "
         "if I leave.")
EMAIL = (b"From: Tom Reyes <tom.reyes@example.org>\r\nTo: {desk}\r\n"
         b"Subject: Car broken into\r\nMessage-ID: <world-1@example.org>\r\n\r\n"
         b"My car was broken into overnight on Mill Lane.\r\n")
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass
class World:
    ids: dict[str, int | str]
    """A real record for each path parameter name (contact_id, victim_id, ...)."""
    staff: dict[Role, Actor]
    headers: dict[Role, dict[str, str]]
    other_referral_id: int
    """A referral to the second agency: the partner-agency user must never reach it."""
    special: dict[tuple[str, str], dict[str, int | str]] = field(default_factory=dict)
    """Routes about a particular kind of contact (the desk's email and social pages)."""

    def path(self, method: str, template: str) -> str:
        values = {**self.ids, **self.special.get((method, template), {}),
                  **self.special.get(("*", template), {})}
        return PARAM.sub(lambda m: str(values[m.group(1)]), template)


def build_world(client: TestClient, rt: Runtime) -> World:
    staff = {role: create_staff(rt, role) for role in Role}
    headers = {role: _bearer(client, actor) for role, actor in staff.items()}
    contact_id = record_crime(client, headers[Role.CALL_HANDLER], narrative=CRIME)
    ids: dict[str, int | str] = {"contact_id": contact_id, "slug": "what"}
    ids.update(_crime_records(rt, contact_id))
    ids["unit_id"] = _unit_on(rt, staff[Role.ADMIN], int(ids["incident_id"]))
    ids["report_id"] = _missing_report(client, headers[Role.CALL_HANDLER],
                                       int(ids["person_id"]))
    desk = _desk_contacts(rt)
    ids.update(desk)  # conversation_id, chat_id, and the email's and the message's contacts
    ids["agency_id"], ids["referral_id"], other = _referrals(rt, staff, int(ids["person_id"]))
    ids["offer_id"] = 1  # no likely match is waiting: routes answer 404 to those allowed
    ids["decision"] = "confirm"
    ids["sample_id"] = ids["review_id"] = 1  # no QA sample or review: 404 to those allowed
    ids["finding_id"] = _finding(rt, contact_id)
    special: dict[tuple[str, str], dict[str, int | str]] = {
        ("*", "/desk/{contact_id:int}/email"): {"contact_id": desk["email_contact"]},
        ("*", "/desk/{contact_id:int}/social"): {"contact_id": desk["social_contact"]}}
    return World(ids=ids, staff=staff, headers=headers, other_referral_id=other,
                 special=special)


def _bearer(client: TestClient, actor: Actor) -> dict[str, str]:
    response = client.post("/api/session", json={"username": actor.username,
                                                 "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _crime_records(rt: Runtime, contact_id: int) -> dict[str, int | str]:
    with rt.database.read() as session:
        incident = session.scalars(select(IncidentRow.id).where(
            IncidentRow.contact_id == contact_id)).one()
        victim = session.scalars(select(VictimRow.id).where(
            VictimRow.contact_id == contact_id)).one()
        entitlement = session.scalars(select(EntitlementRow.id).where(
            EntitlementRow.victim_id == victim).order_by(EntitlementRow.id)).first()
        person = session.scalars(select(PersonRecordRow.person_id).where(
            PersonRecordRow.contact_id == contact_id)).one()
    assert entitlement is not None
    return {"incident_id": incident, "victim_id": victim, "entitlement_id": entitlement,
            "person_id": person}


def _unit_on(rt: Runtime, admin: Actor, incident_id: int) -> int:
    unit = resources.add_unit(rt, admin, resources.NewUnit(
        "NG11", "response_car", ("first_aid",), "north", "Day (07:00-17:00)"))
    resources.assign(rt, admin, incident_id, unit.id)
    return unit.id


def _missing_report(client: TestClient, headers: dict[str, str], person_id: int) -> int:
    response = client.post("/api/missing", json=report_body(person_id), headers=headers)
    assert response.status_code == 201, response.text
    report_id: int = response.json()["id"]
    return report_id


def _desk_contacts(rt: Runtime) -> dict[str, int]:
    mail.receive(rt, EMAIL.replace(b"{desk}", rt.settings.email_desk_address.encode()))
    social.ingest(rt, [InboundMessage(
        platform=Platform.WHATSAPP, message_id="wamid.world-1", sender_id="447700900456",
        account_id="106540352242922", sender_name="Priya Shah",
        text="My car window was smashed overnight on Mill Lane.",
        sent_at=rt.clock.now() - timedelta(minutes=5))])
    chat.start_chat(rt, "Tom Reid")
    with rt.database.read() as session:
        email_contact = session.scalars(select(EmailMessageRow.contact_id)).one()
        conversation = session.scalars(select(SocialConversationRow)).one()
        chat_id = session.scalars(select(ChatRow.id)).one()
    return {"email_contact": email_contact, "social_contact": conversation.contact_id,
            "conversation_id": conversation.id, "chat_id": chat_id}


def _referrals(rt: Runtime, staff: dict[Role, Actor], person_id: int) -> tuple[int, int, int]:
    admin = staff[Role.ADMIN]
    ours = referrals.add_agency(rt, admin, "Anytown Adult Social Care", "adults_social_care")
    theirs = referrals.add_agency(rt, admin, "Anytown Housing", "housing")
    partner = staff[Role.PARTNER_AGENCY].user_id
    assert partner is not None
    referrals.add_member(rt, admin, ours, partner)
    why = {"reason": "Adult at risk of domestic abuse", "lawful_basis": "safeguarding_adults"}
    made = referrals.refer(rt, admin, person_id, ours, why)
    other = referrals.refer(rt, admin, person_id, theirs, {**why, "lawful_basis": "consent"})
    return ours, made.id, other.id


def _finding(rt: Runtime, contact_id: int) -> int:
    with rt.database.read() as session:
        found = session.scalars(select(HarmFindingRow.id).where(
            HarmFindingRow.contact_id == contact_id)).first()
    assert found is not None, "the crime's narrative should raise a hidden-harm prompt"
    return found
