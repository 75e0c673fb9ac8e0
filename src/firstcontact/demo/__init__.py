"""The demo force: staff for every role and a few hours of demand that reads like real calls.

`seed(runtime)` is safe to repeat: it adds users that are missing and seeds demand only into
an empty contacts table. Everything goes through the same services the app uses, so the
demo's records are audited, graded by the real policy and open real review deadlines.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from firstcontact.contacts import chat, mail, online, online_service, social
from firstcontact.contacts import service as contacts
from firstcontact.contacts.chat_model import Sender
from firstcontact.contacts.model import Limits, parse_contact
from firstcontact.contacts.social_model import InboundMessage, Platform
from firstcontact.contacts.tables import ContactRow
from firstcontact.demand import resources
from firstcontact.demand.queues import QueueFilter, dispatcher_queue
from firstcontact.demo.missing import seed_missing_people
from firstcontact.demo.scenarios import SCENARIOS, Scenario
from firstcontact.demo.telephony import seed_calls
from firstcontact.platform import auth
from firstcontact.platform.clock import FixedClock, london
from firstcontact.platform.model import SYSTEM, Actor, Role, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.quality import sampling
from firstcontact.quality import service as quality
from firstcontact.risk import service as risk
from firstcontact.risk.model import NDM_STAGES, parse_thrive
from firstcontact.victims import service as victims
from firstcontact.victims.model import EntitlementState, Method, Outcome

DEMO_STAFF: list[tuple[Role, str, str]] = [
    (Role.CALL_HANDLER, "handler", "Casey Hughes"),
    (Role.DISPATCHER, "dispatcher", "Dev Sharma"),
    (Role.TEAM_LEADER, "teamleader", "Sgt Morgan Price"),
    (Role.DIGITAL_DESK, "digitaldesk", "Jo Evans"),
    (Role.QA_REVIEWER, "qareviewer", "Robin Clarke"),
    (Role.VICTIM_CARE, "victimcare", "Priya Nair"),
    (Role.PARTNER_AGENCY, "partner", "Adult Social Care duty desk"),
    (Role.ADMIN, "admin", "Systems Administrator"),
]
HOURS_OF_DEMAND = 5
DEMO_TEAMS = {"handler": "Red Watch", "teamleader": "Red Watch", "digitaldesk": "Digital Desk"}
"""The demo's watches: the Victims' Code compliance page splits its figures by them."""


def demo_password(username: str) -> str:
    """Demo passwords are public by design: this force exists only on a trial machine."""
    return f"demo-{username}-2026"


def seed(rt: Runtime) -> list[tuple[str, str, str]]:
    """Create the demo staff and demand; return (role, username, password) for each login."""
    staff = {role: _ensure_user(rt, role, username, name) for role, username, name in DEMO_STAFF}
    if _contact_count(rt) == 0:
        _seed_demand(rt, staff[Role.CALL_HANDLER], staff[Role.DIGITAL_DESK])
        _seed_victim_care(rt, staff[Role.VICTIM_CARE])
        _seed_online_and_email(rt)
        _seed_social_and_chat(rt)
        _seed_units(rt, staff[Role.DISPATCHER])
        seed_missing_people(rt, staff[Role.ADMIN], staff[Role.TEAM_LEADER],
                            staff[Role.CALL_HANDLER], staff[Role.PARTNER_AGENCY])
        seed_calls(rt)
        _seed_quality(rt, staff[Role.QA_REVIEWER])
    return [(role.value, username, demo_password(username)) for role, username, _ in DEMO_STAFF]


def _ensure_user(rt: Runtime, role: Role, username: str, display_name: str) -> Actor:
    try:
        return auth.create_user(rt, SYSTEM, username, display_name, role,
                                demo_password(username), DEMO_TEAMS.get(username, ""))
    except ValidationError:
        found = auth.find_user(rt, username)
        if found is None:
            raise
        return found


def _contact_count(rt: Runtime) -> int:
    with rt.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(ContactRow)) or 0


def _seed_demand(rt: Runtime, handler: Actor, desk: Actor) -> None:
    """Replay the scenarios over the last few hours, each at its own time on a moving clock."""
    chooser = random.Random(999)  # noqa: S311 (demo data, not security)
    start = rt.clock.now() - timedelta(hours=HOURS_OF_DEMAND)
    clock = FixedClock(start)
    replay = replace(rt, clock=clock)
    offsets = sorted(chooser.uniform(0, HOURS_OF_DEMAND * 60 - 20) for _ in SCENARIOS)
    for offset, scenario in zip(offsets, SCENARIOS, strict=True):
        clock.set(start + timedelta(minutes=offset))
        actor = desk if scenario.channel in {"online", "chat", "email", "social"} else handler
        _play(replay, clock, actor, scenario)


DEMO_EMAIL = (b"From: Tom Reyes <tom.reyes@example.org>\r\nTo: {desk}\r\n"
              b"Subject: Car broken into on Mill Lane\r\nMessage-ID: <demo-1@example.org>\r\n"
              b"\r\nMy car was broken into overnight on Mill Lane and a laptop bag taken.\r\n"
              b"There is a doorbell camera at number 14 that may have seen it.\r\n")


def _seed_online_and_email(rt: Runtime) -> None:
    """An online report sent through the public journey, and an email through the listener's
    own service: both land on the digital desk queue. (The email's acknowledgement is only
    attempted: a trial machine has no mail server.)"""
    draft_id = online_service.start(rt)
    for question, fields in (
            ("what", {"kind": "incident"}), ("who", {"caller_relationship": "victim"}),
            ("details", {"narrative": "My ex keeps turning up; he is outside my house now."}),
            ("where", {"address": "22 Orchard Close"}), ("name", {"caller_name": "Lena Novak"}),
            ("contact", {"contact_method": "phone"}),
            ("contact-details", {"contact_detail": "07700 900130"}),
            ("language", {"language": "Polish"}), ("help", {"needs_help": "no"})):
        online_service.answer(rt, draft_id, online.BY_SLUG[question], fields)
    online_service.send(rt, draft_id)
    mail.receive(rt, DEMO_EMAIL.replace(b"{desk}", rt.settings.email_desk_address.encode()))


def _seed_social_and_chat(rt: Runtime) -> None:
    """A WhatsApp message on the desk's list and a visitor waiting in live chat, through the
    same services the webhook and the chat page use."""
    now = rt.clock.now()
    social.ingest(rt, [InboundMessage(
        platform=Platform.WHATSAPP, message_id="wamid.demo-0001", sender_id="447700900456",
        account_id="106540352242922", sender_name="Priya Shah",
        text="My car window was smashed overnight on Mill Lane. Nothing taken.",
        sent_at=now - timedelta(minutes=25))])
    waiting, _ = chat.start_chat(rt, "Tom Reid")
    chat.post_message(rt, waiting, Sender.PUBLIC, "demo-chat-0001",
                      "Hello, I want to ask about a letter I got from you.")


def _play(rt: Runtime, clock: FixedClock, actor: Actor, scenario: Scenario) -> None:
    draft = parse_contact({
        "channel": scenario.channel, "caller_name": scenario.caller, "caller_phone":
        scenario.phone, "caller_relationship": scenario.relationship, "address":
        scenario.address, "area_type": scenario.area, "narrative": scenario.narrative,
        "language": scenario.language, "accessibility_needs": scenario.needs,
    }, Limits())
    contact = contacts.record_contact(rt, actor, draft).contact
    if scenario.answers is None:
        return
    clock.advance(timedelta(minutes=4))
    fields: dict[str, str | list[str] | None] = dict(scenario.answers)
    fields.update({f"ndm_{stage}": text for stage, text in _ndm(scenario).items()})
    risk.assess(rt, actor, contact.id, parse_thrive(fields))
    if scenario.nsir is None:
        return
    clock.advance(timedelta(minutes=2))
    category, code = scenario.nsir
    risk.determine(rt, actor, contact.id, {
        "grade": scenario.grade or risk.suggestion_for(rt, actor, contact.id).suggestion.grade,
        "rationale": scenario.rationale, "nsir_category": category, "opening_code": code,
        "qualifiers": list(scenario.qualifiers)})


def _seed_victim_care(rt: Runtime, care: Actor) -> None:
    """Victim care has already phoned the first victim: their support referral is given."""
    referrals = [i for i in victims.queue(rt, care) if i.entitlement.code == "support_referral"]
    first = next((i for i in referrals if victims.get_victim(
        rt, care, i.victim_id, "demo").referral_consent == "opt_out"), None)
    if first is not None:
        victims.record_outcome(rt, care, first.victim_id, first.entitlement.id,
                               Outcome(EntitlementState.DELIVERED, Method.PHONE.value))


DEMO_UNITS: list[tuple[str, str, str, list[str], str]] = [
    # call sign, unit type, sector, skills, shift
    ("NG11", "response_car", "north", ["advanced_driver", "taser"], "Day (07:00-17:00)"),
    ("NG12", "response_car", "north", ["first_aid"], "Day (07:00-17:00)"),
    ("NG31", "neighbourhood_officer", "north", ["public_protection"], "Day (08:00-16:00)"),
    ("NG51", "pcso", "north", [], "Day (08:00-16:00)"),
    ("ES11", "response_car", "east", ["advanced_driver", "first_aid"], "Day (07:00-17:00)"),
    ("ES12", "response_car", "east", ["taser", "mental_health"], "Late (14:00-00:00)"),
    ("ES31", "neighbourhood_officer", "east", ["welsh"], "Day (08:00-16:00)"),
    ("WF11", "response_car", "west", ["advanced_driver"], "Day (07:00-17:00)"),
    ("WF12", "response_car", "west", ["first_aid", "search"], "Late (14:00-00:00)"),
    ("WF51", "pcso", "west", [], "Day (08:00-16:00)"),
    ("DOG2", "dog", "west", ["search"], "Day (07:00-17:00)"),
    ("RP7", "roads_policing", "east", ["advanced_driver", "first_aid"], "Day (07:00-17:00)"),
    ("ARV3", "armed_response", "north", ["firearms", "advanced_driver"], "Day (07:00-17:00)"),
]


def _seed_units(rt: Runtime, dispatcher: Actor) -> None:
    """The day shift's units, two of them already sent to the most urgent incidents."""
    for call_sign, unit_type, sector, skills, shift in DEMO_UNITS:
        resources.add_unit(rt, dispatcher, resources.NewUnit(call_sign, unit_type,
                                                             tuple(skills), sector, shift))
    board = {u.call_sign: u.id for u in resources.list_units(rt, dispatcher)}
    urgent = dispatcher_queue(rt, dispatcher, QueueFilter(grade="emergency"))
    for incident, call_sign in zip(urgent, ("NG11", "ES11"), strict=False):
        resources.assign(rt, dispatcher, incident.id, board[call_sign])


def _ndm(scenario: Scenario) -> dict[str, str]:
    texts = {
        "information": "Caller's account; no previous calls checked on the demo force.",
        "assessment": scenario.assessment,
        "powers_policy": "Force contact management policy; THRIVE.",
        "options": "Considered attendance, appointment and telephone resolution.",
        "action_review": "Graded as recorded; re-THRIVE by the review time or on new "
                         "information.",
    }
    assert set(texts) == set(NDM_STAGES)
    return texts


DEMO_REVIEW = {"thrive": 2, "vulnerability": 1, "grade": 2, "hidden_demand": 1, "vcop": "na",
               "courtesy": 3}
DEMO_NOTES = {"vulnerability": "Record what makes the caller vulnerable, or that nothing does."}


def _seed_quality(rt: Runtime, reviewer: Actor) -> None:
    """Today's QA samples (the demo's overdue re-THRIVEs and any dismissed prompt) through the
    real sampler, and the QA reviewer's review of the first one, for the handler to read."""
    today = london(rt.clock.now()).date()
    sampling.take_samples(rt, SYSTEM, today, today, random.Random(13))  # noqa: S311
    for sample in quality.samples(rt, reviewer)[:1]:
        quality.submit_review(rt, reviewer, sample.id, DEMO_REVIEW, DEMO_NOTES,
                              "A calm, clear call. Record the caller's vulnerability in THRIVE.")
