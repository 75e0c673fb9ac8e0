"""Victims other than the caller, added by staff to a recorded crime: a business through its
named contact, a child through a parent or guardian, a bereaved close relative, another person;
through the JSON API and the HTML form, with bad input refused whole and every change audited."""

from __future__ import annotations

from email import message_from_bytes
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from firstcontact.app import timer_handlers
from firstcontact.contacts import online, online_service
from firstcontact.platform.audit import AuditAction, AuditEntry
from firstcontact.platform.deadlines import TimerLoop
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.victims.tables import VictimRow
from tests.risk.flow import assess
from tests.staff import sign_in
from tests.victims.conftest import Mailbox, record_crime

WITNESS = {"name": "Jo Witness", "phone": "07700 900999", "relationship": "witness"}
BUSINESS = {"party": "business", "name": "Corner Stores Ltd", "contact_name": "Priya Shah",
            "contact_preference": "email", "email": "priya@cornerstores.example"}
CHILD = {"party": "child", "name": "Amy Brown", "contact_name": "Dee Brown",
         "relationship": "Mother", "victim_age": 14, "contact_preference": "letter",
         "postal_address": "3 Elm Road\nAnytown\nAN1 2BB"}
RELATIVE = {"party": "bereaved_relative", "name": "Ann Jones",
            "relationship": "Wife of Peter Jones", "contact_preference": "phone",
            "phone": "07700 900555"}


def add(client: TestClient, care: dict[str, str], contact_id: int,
        body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/api/victims/crimes/{contact_id}/victims", headers=care, json=body)
    assert response.status_code == 201, response.text
    victim: dict[str, Any] = response.json()
    return victim


def states(victim: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {e["code"]: (e["state"], e["reason"]) for e in victim["entitlements"]}


def victims_stored(runtime: Runtime) -> int:
    with runtime.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(VictimRow)) or 0)


def test_a_business_named_by_a_witness_gets_its_acknowledgement_through_its_named_contact(
        client: TestClient, runtime: Runtime, mailbox: Mailbox, handler: dict[str, str],
        care: dict[str, str]) -> None:
    contact_id = record_crime(client, handler, "CR-THE", caller=WITNESS)
    assert victims_stored(runtime) == 0
    victim = add(client, care, contact_id, BUSINESS)
    assert (victim["party"], victim["contact_name"]) == ("business", "Priya Shah")
    assert victim["enhanced"] is False and victim["enhanced_reasons"] == []
    owed = states(victim)
    assert owed["support_referral"][0] == "not_applicable"
    assert "victim support" in owed["support_referral"][1]
    assert owed["needs_assessment"][0] == "not_applicable"
    assert owed["written_acknowledgement"][0] == "due"
    assert TimerLoop(runtime, timer_handlers()).run_once() == 1
    assert mailbox.messages[-1].rcpt_tos == ["priya@cornerstores.example"]
    content = mailbox.messages[-1].content
    assert isinstance(content, bytes)
    body = message_from_bytes(content).get_payload(decode=True)
    assert isinstance(body, bytes)
    text = body.decode()
    assert "Dear Priya Shah," in text
    assert "This is about the crime against Corner Stores Ltd." in text
    assert victim["crime_reference"] in text


def test_a_child_is_enhanced_and_the_letter_is_addressed_to_the_parent(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    contact_id = record_crime(client, handler, "CR-VAP", caller=WITNESS)
    victim = add(client, care, contact_id, CHILD)
    assert victim["enhanced"] is True and victim["enhanced_reasons"] == ["under_18"]
    assert states(victim)["support_referral"][0] == "due"
    assert victim["referral_consent"] == "opt_out"
    sign_in(client, runtime, Role.VICTIM_CARE)
    page = client.get(f"/victims/{victim['id']}/letter")
    assert page.status_code == 200
    assert "Dee Brown<br>3 Elm Road, Anytown, AN1 2BB" in page.text
    assert "Dear Dee Brown," in page.text
    assert "This is about the crime against Amy Brown." in page.text


def test_a_bereaved_relative_is_referred_only_once_they_say_yes(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    contact_id = record_crime(client, handler, "CR-VAP", caller=WITNESS)
    victim = add(client, care, contact_id, RELATIVE)
    assert victim["enhanced_reasons"] == ["bereaved"]
    assert victim["referral_consent"] == "explicit"
    referral = next(e for e in victim["entitlements"] if e["code"] == "support_referral")
    given = {"outcome": "delivered", "method": "phone"}
    path = f"/api/victims/{victim['id']}/entitlements/{referral['id']}/outcome"
    refused = client.post(path, headers=care, json=given)
    assert refused.status_code == 422
    assert "explicit consent" in refused.text
    client.put(f"/api/victims/{victim['id']}/details", headers=care, json={
        "contact_preference": "phone", "phone": "07700 900555", "consent_given": "yes"})
    assert client.post(path, headers=care, json=given).status_code == 200


def test_the_caller_and_the_victims_added_share_the_crime(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    contact_id = record_crime(client, handler)
    add(client, care, contact_id, {**RELATIVE, "party": "person", "name": "Lee Patel"})
    ids = [victim["id"] for victim in (add(client, care, contact_id, BUSINESS),)]
    sign_in(client, runtime, Role.VICTIM_CARE)
    page = client.get(f"/victims/crimes/{contact_id}")
    assert page.status_code == 200
    for name in ("Sam Patel", "Lee Patel", "Corner Stores Ltd", "letters to Priya Shah"):
        assert name in page.text
    assert f'href="/victims/{ids[0]}"' in page.text


def test_bad_input_names_every_field_and_records_nothing(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    contact_id = record_crime(client, handler, caller=WITNESS)
    response = client.post(f"/api/victims/crimes/{contact_id}/victims", headers=care, json={
        **CHILD, "contact_name": "", "victim_age": 17, "postal_address": "",
        "language": "<b>x</b>"})
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["detail"]}
    assert fields == {"contact_name", "postal_address", "language"}
    too_old = client.post(f"/api/victims/crimes/{contact_id}/victims", headers=care,
                          json={**CHILD, "victim_age": 18})
    assert too_old.status_code == 422 and "victim_age" in too_old.text
    assert victims_stored(runtime) == 0


def test_a_contact_with_no_crime_recorded_takes_no_victims(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    not_crime = record_crime(client, handler, "PS-CFS", category="public_safety")
    response = client.post(f"/api/victims/crimes/{not_crime}/victims", headers=care,
                           json=BUSINESS)
    assert response.status_code == 409
    assert "No crime has been recorded" in response.text
    assert client.post("/api/victims/crimes/999999/victims", headers=care,
                       json=BUSINESS).status_code == 409
    assert victims_stored(runtime) == 0


def test_adding_a_victim_is_audited_as_victim_care(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    contact_id = record_crime(client, handler, caller=WITNESS)
    victim = add(client, care, contact_id, BUSINESS)
    with runtime.database.transaction() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.subject_type == "victim", AuditEntry.subject_id == str(victim["id"]),
            AuditEntry.action == AuditAction.CREATE)).one()
        assert entry.actor_role == "victim_care"
        assert entry.detail["party"] == "business" and "business" in entry.purpose


def test_staff_add_a_victim_through_the_form_found_by_crime_reference(
        client: TestClient, runtime: Runtime, handler: dict[str, str]) -> None:
    contact_id = record_crime(client, handler, caller=WITNESS)
    reference = client.get(f"/api/contacts/{contact_id}", headers=handler).json()["reference"]
    csrf = sign_in(client, runtime, Role.VICTIM_CARE)
    found = client.get(f"/victims/crimes?reference={reference.lower()}",
                       follow_redirects=False)
    assert found.status_code == 303
    assert found.headers["location"] == f"/victims/crimes/{contact_id}"
    missing = client.get("/victims/crimes?reference=C000000-000000")
    assert missing.status_code == 404 and "No crime has been recorded" in missing.text
    form = {"csrf_token": csrf, "party": "business", "name": "Corner Stores Ltd",
            "contact_name": "", "contact_preference": "phone", "phone": "0161 496 0000",
            "language": "English", "victim_age": ""}
    refused = client.post(f"/victims/crimes/{contact_id}", data=form)
    assert refused.status_code == 422
    assert 'id="contact_name-error"' in refused.text
    assert 'value="Corner Stores Ltd"' in refused.text
    added = client.post(f"/victims/crimes/{contact_id}",
                        data={**form, "contact_name": "Priya Shah"}, follow_redirects=False)
    assert added.status_code == 303
    page = client.get(added.headers["location"])
    assert "Letters go to" in page.text and "Priya Shah" in page.text
    assert "A business or organisation" in page.text


def record_crime_for(client: TestClient, handler: dict[str, str], contact_id: int) -> None:
    """The desk's THRIVE and a crime determination for a contact already recorded."""
    grade = assess(client, handler, contact_id)["suggestion"]["grade"]
    response = client.post(f"/api/contacts/{contact_id}/determination", headers=handler, json={
        "grade": grade, "nsir_category": "crime", "opening_code": "CR-THE", "qualifiers": []})
    assert response.status_code == 201, response.text


def report_online(runtime: Runtime, method: str, detail: str) -> str:
    """An online report sent through the public journey's own service; returns its
    reference."""
    draft = online_service.start(runtime)
    for slug, fields in (("what", {"kind": "crime"}), ("who", {"caller_relationship": "victim"}),
                         ("details", {"narrative": "My bike was taken from the library."}),
                         ("where", {"address": "Library, Market Square"}),
                         ("name", {"caller_name": "Olu Adeyemi"}),
                         ("contact", {"contact_method": method}),
                         ("contact-details", {"contact_detail": detail}),
                         ("language", {"language": "English"}),
                         ("help", {"needs_help": "no"})):
        online_service.answer(runtime, draft, online.BY_SLUG[slug], fields)
    return online_service.send(runtime, draft)


def test_an_online_victim_who_asked_for_email_is_emailed_once_the_crime_is_recorded(
        client: TestClient, runtime: Runtime, mailbox: Mailbox, handler: dict[str, str],
        care: dict[str, str]) -> None:
    reference = report_online(runtime, "email", "olu@example.org")
    contact_id = next(c["id"] for c in client.get("/api/contacts", headers=handler).json()
                      if c["reference"] == reference)
    record_crime_for(client, handler, contact_id)
    victim = client.get("/api/victims/queue", headers=care).json()[0]
    details = client.get(f"/api/victims/{victim['victim_id']}", headers=care).json()
    assert (details["contact_preference"], details["email"]) == ("email", "olu@example.org")
    assert TimerLoop(runtime, timer_handlers()).run_once() == 1
    assert mailbox.messages[-1].rcpt_tos == ["olu@example.org"]
    content = mailbox.messages[-1].content
    assert isinstance(content, bytes) and reference.encode() in content


def test_an_online_victim_who_asked_for_a_letter_keeps_their_address(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    reference = report_online(runtime, "letter", "3 Elm Road, Anytown AN1 2BB")
    contact_id = next(c["id"] for c in client.get("/api/contacts", headers=handler).json()
                      if c["reference"] == reference)
    record_crime_for(client, handler, contact_id)
    victim_id = client.get("/api/victims/queue", headers=care).json()[0]["victim_id"]
    details = client.get(f"/api/victims/{victim_id}", headers=care).json()
    assert details["contact_preference"] == "letter"
    assert details["postal_address"] == "3 Elm Road, Anytown AN1 2BB"
    TimerLoop(runtime, timer_handlers()).run_once()
    owed = client.get(f"/api/victims/{victim_id}", headers=care).json()["entitlements"]
    assert states({"entitlements": owed})["written_acknowledgement"][0] == "due"  # staff post it
