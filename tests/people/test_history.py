"""Repeat callers, frequent callers and repeat victims: the rules to the minute, and what the
call handler sees above the THRIVE form (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from firstcontact.people import policy
from firstcontact.people.history import Flag, PastContact, flags, window_counts
from firstcontact.people.policy import POLICY_DIR, PolicyError, load_repeat
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.people.test_linking import caller, person_of
from tests.risk.flow import assess, new_contact
from tests.staff import api_headers, sign_in

NOW = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


def ago(**delta: float) -> PastContact:
    return PastContact(NOW - timedelta(**delta), as_victim=False)


def test_repeat_caller_is_three_contacts_in_28_days_to_the_minute() -> None:
    rules = policy.repeat()
    edge = [ago(days=28, minutes=-1), ago(days=3), ago(minutes=0)]
    assert [r.flag for r in flags(edge, NOW, rules)] == [Flag.REPEAT_CALLER]
    outside = [ago(days=28), ago(days=3), ago(minutes=0)]
    assert flags(outside, NOW, rules) == []
    assert window_counts(outside, NOW, rules) == {7: 2, 28: 2, 365: 3}


def test_frequent_caller_five_in_a_month_or_twelve_in_three_months() -> None:
    rules = policy.repeat()
    five = [ago(days=d) for d in (0, 5, 10, 20, 29)]
    assert Flag.FREQUENT_CALLER in [r.flag for r in flags(five, NOW, rules)]
    twelve = [ago(days=7.5 * n + 0.5) for n in range(12)]  # never 5 in any 30 days
    raised = {r.flag: r.why for r in flags(twelve, NOW, rules)}
    assert raised[Flag.FREQUENT_CALLER] == "12 or more contacts in 91 days"
    assert Flag.FREQUENT_CALLER not in {r.flag for r in flags(twelve[1:], NOW, rules)}


def test_repeat_victim_within_twelve_months() -> None:
    rules = policy.repeat()
    before = PastContact(NOW - timedelta(days=364), as_victim=True)
    now = PastContact(NOW, as_victim=True)
    assert [r.flag for r in flags([before, now], NOW, rules)] == [Flag.REPEAT_VICTIM]
    too_old = PastContact(NOW - timedelta(days=365), as_victim=True)
    assert flags([too_old, now], NOW, rules) == []


def test_mistakes_in_repeat_policy_are_named(tmp_path: Path) -> None:
    text = (POLICY_DIR / "repeat.toml").read_text(encoding="utf-8")
    path = tmp_path / "repeat.toml"
    path.write_text(text.replace("contacts = 12", "contacts = 0"), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"repeat.toml:\d+: frequent_caller\[1\].contacts"):
        load_repeat(path)
    path.write_text(text.replace("windows_days = [7, 28, 365]", "windows_days = []"),
                    encoding="utf-8")
    with pytest.raises(PolicyError, match="windows_days"):
        load_repeat(path)


def test_handler_sees_history_flags_incidents_and_plan_before_thrive(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    first = new_contact(client, handler, **caller("Sam Patel", "07700 900123"))
    assess(client, handler, first)
    determined = client.post(f"/api/contacts/{first}/determination", headers=handler, json={
        "grade": "priority", "rationale": "", "nsir_category": "crime",
        "opening_code": "CR-BUR", "qualifiers": []})
    assert determined.status_code == 201, determined.text
    reference = determined.json()["incident"]["reference"]
    clock.advance(timedelta(days=10))
    handler = api_headers(client, runtime, Role.CALL_HANDLER)  # a new shift, a new sign-in
    new_contact(client, handler, **caller("Sam Patel", "07700 900123"))
    clock.advance(timedelta(days=10))
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    third = new_contact(client, handler, **caller("Samuel Patel", "07700 900123"))
    person = person_of(runtime, third)
    plan = {"agreed_response": "Call back within the hour; attend only if a crime is reported",
            "partner_agency": "Anytown adult social care", "review_on": "2026-06-01"}
    assert client.post(f"/api/people/{person}/plans", headers=handler,
                       json=plan).status_code == 403
    assert client.post(f"/api/people/{person}/plans", headers=leader,
                       json=plan).status_code == 201
    sign_in(client, runtime, Role.CALL_HANDLER)
    page = client.get(f"/people/contacts/{third}/history", headers={"HX-Request": "true"})
    assert page.status_code == 200
    html = page.text
    assert "<html" not in html
    assert 'data-window="7">1<' in html and 'data-window="28">3<' in html
    assert "Repeat caller" in html and "Repeat victim" in html
    assert reference in html and "priority" in html
    assert "Anytown adult social care" in html
    assess_page = client.get(f"/contacts/{third}/assess")
    assert f'hx-get="/people/contacts/{third}/history"' in assess_page.text


@pytest.mark.parametrize(("change", "field"), [
    ({"review_on": "next week"}, "review_on"),
    ({"review_on": "2026-03-14"}, "review_on"),
    ({"partner_agency": " "}, "partner_agency"),
    ({"agreed_response": "<script>x</script>"}, "agreed_response"),
])
def test_a_bad_plan_is_refused_naming_the_field(client: TestClient, runtime: Runtime,
                                                change: dict[str, str], field: str) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    leader = api_headers(client, runtime, Role.TEAM_LEADER)
    person = person_of(runtime, new_contact(client, handler, **caller("Sam Patel", "07700900123")))
    plan = {"agreed_response": "Call back", "partner_agency": "NHS crisis team",
            "review_on": "2026-06-01"} | change
    response = client.post(f"/api/people/{person}/plans", headers=leader, json=plan)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field


def test_a_dispatcher_may_not_read_caller_history(client: TestClient, runtime: Runtime) -> None:
    handler = api_headers(client, runtime, Role.CALL_HANDLER)
    contact = new_contact(client, handler)
    sign_in(client, runtime, Role.DISPATCHER)
    assert client.get(f"/people/contacts/{contact}/history").status_code == 403
