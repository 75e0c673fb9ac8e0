"""The call handler's pages, driven through the real forms with their CSRF tokens."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from firstcontact.contacts.tables import ContactRow
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.risk.model import NDM_STAGES
from tests.staff import sign_in

FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def contact_form(csrf: str, form_token: str, **changes: str) -> dict[str, str]:
    form = {"csrf_token": csrf, "form_token": form_token, "channel": "phone_999",
            "caller_name": "Alex Morgan", "caller_phone": "07700 900456",
            "caller_relationship": "witness", "address": "Car park, Station Road",
            "area_type": "rural", "narrative": "Two men fighting, one has a bottle.",
            "language": "English", "accessibility_needs": ""}
    form.update(changes)
    return form


def thrive_form(csrf: str) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {
        "csrf_token": csrf, "threat": "immediate", "harm": "serious", "risk": "high",
        "investigation": "now", "vulnerability": "some", "engagement": "attend_now",
        "risk_escalating": "yes", "threat_to": ["others"],
        "investigation_opportunities": ["suspect_nearby", "witnesses"],
    }
    form.update({f"ndm_{stage}": f"{stage} reasoning" for stage in NDM_STAGES})
    return form


@pytest.fixture
def csrf(client: TestClient, runtime: Runtime) -> str:
    return sign_in(client, runtime, Role.CALL_HANDLER)


def open_form(client: TestClient) -> str:
    page = client.get("/contacts/new")
    assert page.status_code == 200
    found = FORM_TOKEN.search(page.text)
    assert found
    return found.group(1)


def test_a_999_call_goes_from_form_to_incident(client: TestClient, csrf: str) -> None:
    saved = client.post("/contacts/new", data=contact_form(csrf, open_form(client)),
                        follow_redirects=False)
    assert saved.status_code == 303
    assess_url = saved.headers["location"]
    assert client.get(assess_url).status_code == 200
    assessed = client.post(assess_url, data=thrive_form(csrf), follow_redirects=False)
    assert assessed.status_code == 303, assessed.text
    page = client.get(assessed.headers["location"])
    assert "Suggested grade" in page.text and "Someone is in immediate danger" in page.text
    determined = client.post(assessed.headers["location"], follow_redirects=True, data={
        "csrf_token": csrf, "grade": "emergency", "nsir_category": "crime",
        "opening_code": "CR-VAP", "qualifiers": ["alcohol"]})
    assert determined.status_code == 200
    assert "INC260314-" in determined.text
    # Assessed 09:30 on 14 March (GMT, so London time equals UTC): review by 13:00.
    assert 'id="review-due">14 Mar 2026 13:00</time>' in determined.text
    assert 'id="audit-trail"' in determined.text
    incidents = client.get("/incidents")
    assert "Car park, Station Road" in incidents.text


def test_a_double_submitted_form_stores_one_contact(client: TestClient, runtime: Runtime,
                                                    csrf: str) -> None:
    form = contact_form(csrf, open_form(client))
    first = client.post("/contacts/new", data=form, follow_redirects=False)
    second = client.post("/contacts/new", data=form, follow_redirects=False)
    assert first.headers["location"] == second.headers["location"]
    with runtime.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ContactRow)) == 1


def test_bad_input_reshows_the_form_with_each_error_and_stores_nothing(
        client: TestClient, runtime: Runtime, csrf: str) -> None:
    form = contact_form(csrf, open_form(client), caller_phone="12", narrative="",
                        caller_name="<script>alert('x')</script>")
    page = client.post("/contacts/new", data=form)
    assert page.status_code == 422
    assert "There is a problem" in page.text
    assert 'href="#caller_phone"' in page.text and 'href="#narrative"' in page.text
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;" in page.text
    with runtime.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ContactRow)) == 0


def test_a_form_post_without_the_csrf_token_is_refused(client: TestClient, runtime: Runtime,
                                                       csrf: str) -> None:
    form = contact_form("", open_form(client))
    assert client.post("/contacts/new", data=form).status_code == 403
    with runtime.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ContactRow)) == 0


def test_the_thrive_form_names_missing_answers(client: TestClient, csrf: str) -> None:
    saved = client.post("/contacts/new", data=contact_form(csrf, open_form(client)),
                        follow_redirects=False)
    page = client.post(saved.headers["location"], data={"csrf_token": csrf, "threat": "none"})
    assert page.status_code == 422
    assert 'href="#harm"' in page.text and 'href="#ndm_information"' in page.text


def test_an_override_without_rationale_reshows_the_determination(client: TestClient,
                                                                 csrf: str) -> None:
    saved = client.post("/contacts/new", data=contact_form(csrf, open_form(client)),
                        follow_redirects=False)
    assessed = client.post(saved.headers["location"], data=thrive_form(csrf),
                           follow_redirects=False)
    page = client.post(assessed.headers["location"], data={
        "csrf_token": csrf, "grade": "priority", "nsir_category": "crime",
        "opening_code": "CR-VAP"})
    assert page.status_code == 422
    assert "Explain why you chose a different grade" in page.text


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/contacts/new", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
