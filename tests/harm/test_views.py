"""The prompts on the contact page and the THRIVE form, and the confirm/dismiss forms."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.risk.flow import new_contact
from tests.staff import api_headers, sign_in

SLAVERY = "They lock us in at night and the gangmaster took my passport when I arrived."
FINDING = re.compile(r'id="harm-(\d+)"')


def contact_with_prompt(client: TestClient, runtime: Runtime) -> int:
    return new_contact(client, api_headers(client, runtime, Role.CALL_HANDLER),
                       narrative=SLAVERY)


def test_the_contact_page_and_thrive_form_load_the_prompts(client: TestClient,
                                                           runtime: Runtime) -> None:
    contact_id = contact_with_prompt(client, runtime)
    sign_in(client, runtime, Role.CALL_HANDLER)
    page = client.get(f"/contacts/{contact_id}")
    assert f'hx-get="/contacts/{contact_id}/harms"' in page.text
    assess = client.get(f"/contacts/{contact_id}/assess")
    assert f'hx-get="/contacts/{contact_id}/harms?summary=1"' in assess.text
    fragment = client.get(f"/contacts/{contact_id}/harms", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Modern slavery" in fragment.text
    assert "<mark>took my passport</mark>" in fragment.text
    assert "NRM referral" in fragment.text and 'value="dismissed"' in fragment.text
    summary = client.get(f"/contacts/{contact_id}/harms?summary=1",
                         headers={"HX-Request": "true"})
    assert "<form" not in summary.text and "Confirm or dismiss this prompt" in summary.text


def test_dismissing_without_a_reason_shows_the_error_and_keeps_the_prompt(
        client: TestClient, runtime: Runtime) -> None:
    contact_id = contact_with_prompt(client, runtime)
    csrf = sign_in(client, runtime, Role.CALL_HANDLER)
    found = FINDING.search(client.get(f"/contacts/{contact_id}/harms").text)
    assert found
    finding_id = found.group(1)
    refused = client.post(f"/contacts/{contact_id}/harms/{finding_id}",
                          data={"csrf_token": csrf, "decision": "dismissed",
                                f"reason-{finding_id}": ""})
    assert refused.status_code == 422
    assert "There is a problem" in refused.text and f'href="#reason-{finding_id}"' in refused.text
    done = client.post(f"/contacts/{contact_id}/harms/{finding_id}",
                       data={"csrf_token": csrf, "decision": "dismissed",
                             f"reason-{finding_id}": "A film plot the caller described",
                             "next": "https://evil.example/"}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"/contacts/{contact_id}#harm-{finding_id}"
    after = client.get(f"/contacts/{contact_id}/harms").text
    assert "Dismissed" in after and "A film plot the caller described" in after


def test_a_confirmation_without_csrf_or_by_a_reviewer_is_refused(client: TestClient,
                                                                runtime: Runtime) -> None:
    contact_id = contact_with_prompt(client, runtime)
    csrf = sign_in(client, runtime, Role.QA_REVIEWER)
    page = client.get(f"/contacts/{contact_id}/harms")
    assert page.status_code == 200 and 'value="confirmed"' not in page.text
    found = FINDING.search(page.text)
    assert found
    url = f"/contacts/{contact_id}/harms/{found.group(1)}"
    assert client.post(url, data={"csrf_token": csrf, "decision": "confirmed"}).status_code == 403
    sign_in(client, runtime, Role.CALL_HANDLER)
    assert client.post(url, data={"decision": "confirmed"}).status_code == 403


def test_a_partner_agency_cannot_see_the_prompts(client: TestClient, runtime: Runtime) -> None:
    contact_id = contact_with_prompt(client, runtime)
    sign_in(client, runtime, Role.PARTNER_AGENCY)
    assert client.get(f"/contacts/{contact_id}/harms").status_code == 403


def test_an_unknown_contact_is_not_found(client: TestClient, runtime: Runtime) -> None:
    sign_in(client, runtime, Role.CALL_HANDLER)
    assert client.get("/contacts/999999/harms").status_code == 404


def test_a_prompt_lifted_by_the_learned_layer_says_which_words_it_weighed(
        client: TestClient, runtime: Runtime) -> None:
    """The lists alone leave this below `possible`; the learned layer lifts it, and staff see
    its words as such, not as a catalogue indicator."""
    narrative = "My dad has dementia and the lodger has moved his money around."
    contact_id = new_contact(client, api_headers(client, runtime, Role.CALL_HANDLER),
                             narrative=narrative)
    sign_in(client, runtime, Role.CALL_HANDLER)
    fragment = client.get(f"/contacts/{contact_id}/harms", headers={"HX-Request": "true"}).text
    assert "<mark>My dad has dementia</mark>" in fragment
    assert "words often said in reports of this harm" in fragment
    assert "learned." not in fragment


def test_words_several_indicators_matched_are_shown_once_with_every_indicator_named(
        client: TestClient, runtime: Runtime) -> None:
    """"boss keeps my passport" holds "keeps my passport" and "passport", each evidence of its
    own indicator: staff read the words once, with all the indicators beside them."""
    narrative = "I work at the car wash. The boss keeps my passport and we are not allowed out."
    contact_id = new_contact(client, api_headers(client, runtime, Role.CALL_HANDLER),
                             narrative=narrative)
    sign_in(client, runtime, Role.CALL_HANDLER)
    fragment = client.get(f"/contacts/{contact_id}/harms", headers={"HX-Request": "true"}).text
    slavery = fragment.split('class="govuk-summary-card"')[1]
    marks = re.findall(r"<mark>([^<]*)</mark>", slavery)
    assert marks == ["boss keeps my passport", "not allowed out"]
    named = re.search(r"boss keeps my passport</mark>&rdquo; <span[^>]*>\(([^;]*);", slavery)
    assert named and set(named[1].split(", ")) == {
        "ms.documents_kept_third_person", "ms.documents_held_sentence",
        "ms.documents_kept_by_others", "ms.documents_held"}
