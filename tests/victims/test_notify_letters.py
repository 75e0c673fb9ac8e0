"""The written acknowledgement as a precompiled PDF letter through GOV.UK Notify's letter API,
for a victim who chose a letter, against a local server that checks the requests."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from fastapi.testclient import TestClient

from firstcontact.app import timer_handlers
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import TimerLoop
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.staff import sign_in
from tests.victims.conftest import record_crime, victim_of
from tests.victims.notify_server import LETTER, NotifyServer, letter_pdf
from tests.victims.test_delivery import states
from tests.victims.test_notify import acknowledgement

ADDRESS = "12 High Street\nAnytown\nLS1 4AP"
WITNESS = {"name": "Jo Witness", "phone": "07700 900999", "relationship": "witness"}


def choose_letter(client: TestClient, care: dict[str, str], victim_id: int,
                  address: str = ADDRESS) -> None:
    response = client.put(f"/api/victims/{victim_id}/details", headers=care, json={
        "contact_preference": "letter", "postal_address": address})
    assert response.status_code == 200, response.text


def test_a_victim_who_chose_a_letter_is_sent_the_pdf_through_notify(
        client: TestClient, runtime: Runtime, notify_server: NotifyServer,
        handler: dict[str, str], care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    choose_letter(client, care, victim["id"])
    assert TimerLoop(runtime, timer_handlers()).run_once() == 1
    assert notify_server.problems == []
    path, body = notify_server.received[-1]
    assert path == LETTER and body["reference"] == victim["crime_reference"]
    sent = letter_pdf(body)
    sign_in(client, runtime, Role.VICTIM_CARE)
    printed = client.get(f"/victims/{victim['id']}/letter.pdf").content
    assert sent == printed  # the very letter staff would print
    given = acknowledgement(client, care, victim["id"])
    assert given["state"] == "delivered" and given["method"] == "letter"
    notify_id, digest = given["evidence"].split(" ")
    assert notify_id.startswith("notify:")
    assert digest == "sha256:" + hashlib.sha256(sent).hexdigest()
    assert states(client, care, victim["id"])["restorative_justice_information"] == "delivered"


def test_a_childs_letter_goes_to_the_parent_through_notify(
        client: TestClient, runtime: Runtime, notify_server: NotifyServer,
        handler: dict[str, str], care: dict[str, str]) -> None:
    contact_id = record_crime(client, handler, "CR-VAP", caller=WITNESS)
    response = client.post(f"/api/victims/crimes/{contact_id}/victims", headers=care, json={
        "party": "child", "name": "Amy Brown", "contact_name": "Dee Brown",
        "relationship": "Mother", "contact_preference": "letter", "postal_address": ADDRESS})
    assert response.status_code == 201, response.text
    assert TimerLoop(runtime, timer_handlers()).run_once() == 1
    assert notify_server.problems == [] and notify_server.received[-1][0] == LETTER
    assert acknowledgement(client, care, response.json()["id"])["method"] == "letter"


def test_notify_refusing_the_letter_fails_at_once_for_staff(
        client: TestClient, runtime: Runtime, notify_server: NotifyServer,
        handler: dict[str, str], care: dict[str, str]) -> None:
    notify_server.status = 400
    victim = victim_of(client, care, record_crime(client, handler))
    choose_letter(client, care, victim["id"])
    TimerLoop(runtime, timer_handlers()).run_once()
    failed = acknowledgement(client, care, victim["id"])
    assert failed["state"] == "failed" and "refused" in failed["last_error"]


def test_notify_down_is_tried_again_after_a_minute(
        client: TestClient, runtime: Runtime, clock: FixedClock,
        notify_server: NotifyServer, handler: dict[str, str], care: dict[str, str]) -> None:
    notify_server.status = 503
    victim = victim_of(client, care, record_crime(client, handler))
    choose_letter(client, care, victim["id"])
    loop = TimerLoop(runtime, timer_handlers())
    assert loop.run_once() == 1
    assert acknowledgement(client, care, victim["id"])["state"] == "due"
    notify_server.status = 201
    assert loop.run_once() == 0
    clock.advance(timedelta(minutes=1))
    assert loop.run_once() == 1
    assert acknowledgement(client, care, victim["id"])["state"] == "delivered"


def test_without_notify_the_letter_stays_for_staff_to_print(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    choose_letter(client, care, victim["id"])
    assert TimerLoop(runtime, timer_handlers()).run_once() == 0
    assert acknowledgement(client, care, victim["id"])["state"] == "due"


def test_a_letter_notify_would_not_post_is_not_sent_and_fails_at_once_for_staff(
        client: TestClient, runtime: Runtime, notify_server: NotifyServer,
        handler: dict[str, str], care: dict[str, str]) -> None:
    """Notify takes a precompiled letter (201) and checks it afterwards: an address without a
    postcode on its last line would end as "validation-failed" days later, after the
    acknowledgement was recorded as sent. It is checked first, and staff post it instead."""
    victim = victim_of(client, care, record_crime(client, handler))
    choose_letter(client, care, victim["id"], "1 Mill Lane, Anytown")
    TimerLoop(runtime, timer_handlers()).run_once()
    assert notify_server.received == []
    failed = acknowledgement(client, care, victim["id"])
    assert failed["state"] == "failed"
    assert "not a UK postcode" in failed["last_error"] and "post it" in failed["last_error"]
    csrf = sign_in(client, runtime, Role.VICTIM_CARE)
    posted = client.post(f"/victims/{victim['id']}/letter", data={"csrf_token": csrf},
                         follow_redirects=False)
    assert posted.status_code == 303
    assert acknowledgement(client, care, victim["id"])["state"] == "delivered"
