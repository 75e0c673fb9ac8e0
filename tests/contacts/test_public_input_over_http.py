"""What the public can send, fuzzed through the real app to a real database (SQLite and
PostgreSQL): signed webhook bodies of any shape, raw email of any bytes, and any answer on any
page of the online report. Each is stored, or refused with a 4xx (MalformedEmail for email)
that says what was wrong; never a 500, never a half-stored record."""

from __future__ import annotations

import itertools
import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from firstcontact.contacts import mail, online
from firstcontact.contacts.mail_model import MalformedEmail
from firstcontact.contacts.tables import ContactRow, SocialMessageRow
from firstcontact.platform import audit
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings
from tests.contacts.report_flow import ANSWERS, form_token, post, start
from tests.contacts.social_support import post_meta, post_x, social_settings
from tests.contacts.test_parser_properties import MESSENGER, WHATSAPP, X_EVENTS
from tests.properties import ANY_TEXT, JSON, OVER_HTTP

REFUSALS = {400, 422}
PEOPLE = itertools.count()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return social_settings(database_url, webhook_posts_per_minute=10_000,
                           email_messages_per_hour=10_000)


def stored_messages(runtime: Runtime) -> int:
    with runtime.database.read() as session:
        return session.scalar(select(func.count()).select_from(SocialMessageRow)) or 0


@OVER_HTTP
@given(body=MESSENGER | WHATSAPP | st.dictionaries(st.text(max_size=8), JSON, max_size=3))
def test_any_signed_meta_body_is_stored_or_refused_with_a_4xx(
        client: TestClient, runtime: Runtime, body: dict[str, object]) -> None:
    before = stored_messages(runtime)
    answer = post_meta(client, json.dumps(body).encode())
    assert answer.status_code == 200 or answer.status_code in REFUSALS, answer.text
    if answer.status_code in REFUSALS:
        assert answer.json()["detail"]
        assert stored_messages(runtime) == before


@OVER_HTTP
@given(body=X_EVENTS | st.dictionaries(st.text(max_size=8), JSON, max_size=3))
def test_any_signed_x_body_is_stored_or_refused_with_a_4xx(
        client: TestClient, runtime: Runtime, body: dict[str, object]) -> None:
    before = stored_messages(runtime)
    answer = post_x(client, json.dumps(body).encode())
    assert answer.status_code == 200 or answer.status_code in REFUSALS, answer.text
    if answer.status_code in REFUSALS:
        assert stored_messages(runtime) == before


@OVER_HTTP
@given(raw=st.binary(max_size=300) | st.just(b"[" * 100_000) | st.just(b'"\\ud800"'))
def test_any_signed_bytes_are_refused_as_not_json_with_400(
        client: TestClient, raw: bytes) -> None:
    answer = post_meta(client, raw)
    assert answer.status_code in {200, 400, 422}, answer.text[:300]


def test_text_no_database_can_store_is_refused_not_crashed_on(
        client: TestClient, runtime: Runtime) -> None:
    """A lone surrogate (valid in JSON's \\u escapes, invalid in UTF-8) and a NUL in an id."""
    for mid, text in (("m-\\ud800", "hello"), ("m-1", "hello \\ud83d"), ("m-\\u0000", "hi")):
        raw = ('{"object":"page","entry":[{"messaging":[{"sender":{"id":"psid-1"},'
               '"recipient":{"id":"page-1"},"timestamp":1773480600000,'
               f'"message":{{"mid":"{mid}","text":"{text}"}}}}]}}]}}').encode()
        answer = post_meta(client, raw)
        assert answer.status_code in {200, 422}, answer.text
    assert audit.verify(runtime.database).ok


# --- email --------------------------------------------------------------------------------------

def contacts(runtime: Runtime) -> int:
    with runtime.database.read() as session:
        return session.scalar(select(func.count()).select_from(ContactRow)) or 0


@OVER_HTTP
@given(sender=ANY_TEXT, subject=ANY_TEXT, body=st.binary(max_size=200))
def test_any_email_is_stored_whole_or_refused_as_malformed(
        runtime: Runtime, sender: str, subject: str, body: bytes) -> None:
    raw = (f"From: {sender}\r\nSubject: {subject}\r\n\r\n".encode("utf-8", "surrogatepass")
           + body)
    before = contacts(runtime)
    try:
        received = mail.receive(runtime, raw)
    except MalformedEmail:
        assert contacts(runtime) == before
        return
    assert received.contact_id and received.reference


# --- the online report --------------------------------------------------------------------------

FIELD_VALUES = st.dictionaries(
    st.sampled_from(["kind", "caller_relationship", "narrative", "address", "caller_name",
                     "contact_method", "contact_detail", "language", "needs_help",
                     "help_detail", "change"]),
    ANY_TEXT, max_size=4)


@OVER_HTTP
@given(slug=st.sampled_from([q.slug for q in online.QUESTIONS]), fields=FIELD_VALUES)
def test_any_answer_on_any_report_page_moves_on_or_names_the_field(
        client: TestClient, slug: str, fields: dict[str, str]) -> None:
    # Each example is another member of the public (another address), so the flood limit,
    # tested on its own, does not end the run.
    client = TestClient(client.app, client=(f"reporter-{next(PEOPLE)}", 50000))
    assert start(client).status_code == 303
    for earlier, given_fields in ANSWERS.items():
        if earlier == slug:
            break
        post(client, f"/report/{earlier}", given_fields)
    page = client.get(f"/report/{slug}")
    sent = {k: v.encode("utf-8", "replace").decode() for k, v in fields.items()}
    answer = client.post(f"/report/{slug}", data={**sent, "csrf_token": form_token(page)},
                         follow_redirects=False)
    assert answer.status_code in {303, 422}, (answer.status_code, answer.text[:3000])
    if answer.status_code == 422:
        assert "govuk-error-summary" in answer.text
