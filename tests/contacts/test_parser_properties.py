"""Property tests for what the public sends: phone numbers, online-report answers, emails and
social-media webhook bodies. Whatever arrives, the parsers give a value or a ValidationError
naming the field (MalformedEmail for an email we cannot answer), never anything else."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from firstcontact.contacts import online
from firstcontact.contacts.mail_model import InboundEmail, MalformedEmail, read_email
from firstcontact.contacts.model import Limits, normalise_phone
from firstcontact.contacts.social_model import MESSAGE_MAX_CHARS, read_meta, read_x
from firstcontact.platform.model import MARKUP, ValidationError
from tests.properties import ANY_TEXT, JSON, PURE

E164 = re.compile(r"\+[1-9][0-9]{6,14}")
LIMITS = Limits()


def storable(text: str) -> bool:
    """What every database column takes: encodable as UTF-8, no NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


# --- phone numbers ----------------------------------------------------------------------------

@PURE
@given(ANY_TEXT)
def test_any_text_as_a_phone_number_gives_e164_nothing_or_a_named_error(raw: str) -> None:
    try:
        number = normalise_phone("caller_phone", raw)
    except ValidationError as error:
        assert error.field == "caller_phone"
        return
    assert number == "" or E164.fullmatch(number), number


UK_NUMBERS = st.one_of(
    st.from_regex(r"07[1-9][0-9]{8}", fullmatch=True),          # mobiles
    st.from_regex(r"020[378][0-9]{7}", fullmatch=True),         # London
    st.from_regex(r"01[1-9][0-9]{8}", fullmatch=True),          # geographic
)


@st.composite
def written_as_people_write(draw: st.DrawFn) -> tuple[str, str]:
    """A UK number as a person might type it: +44 or 0044 or 0, spaces, dashes, brackets."""
    national = draw(UK_NUMBERS)
    prefix = draw(st.sampled_from(["0", "+44", "+44 ", "0044 ", "+44 (0)"]))
    digits = national[1:]
    cut = draw(st.integers(1, len(digits) - 1))
    separator = draw(st.sampled_from(["", " ", "-", "  "]))
    return national, f"{prefix}{digits[:cut]}{separator}{digits[cut:]}"


@PURE
@given(written_as_people_write())
def test_a_uk_number_however_written_normalises_to_one_e164_that_round_trips(
        written: tuple[str, str]) -> None:
    national, typed = written
    number = normalise_phone("caller_phone", typed)
    assert number == "+44" + national[1:]
    assert normalise_phone("caller_phone", number) == number
    assert normalise_phone("caller_phone", national) == number


# --- online report answers --------------------------------------------------------------------

@PURE
@given(st.sampled_from(online.QUESTIONS), st.dictionaries(
    st.sampled_from(["kind", "caller_relationship", "narrative", "address", "caller_name",
                     "contact_method", "contact_detail", "language", "needs_help",
                     "help_detail"]), ANY_TEXT | st.none(), max_size=10),
       st.sampled_from(["email", "phone", "text", "letter", ""]))
def test_any_answer_to_any_question_is_kept_storable_or_refused_by_its_own_field(
        question: online.Question, fields: dict[str, str | None], method: str) -> None:
    try:
        answers = online.check_page(question, fields, {"contact_method": method}, LIMITS)
    except ValidationError as error:
        assert set(error.errors) <= set(question.fields), error.errors
        assert all(error.errors.values())
        return
    assert set(answers) == set(question.fields)
    for value in answers.values():
        assert storable(value) and not MARKUP.search(value)


# --- email ------------------------------------------------------------------------------------

def read(raw: bytes) -> InboundEmail:
    return read_email(raw, max_text_chars=20_000, attachment_max_bytes=1024,
                      fallback_id="<fallback@firstcontact.invalid>")


def assert_fit_to_store(found: InboundEmail) -> None:
    for text in (found.message_id, found.sender, found.sender_name, found.subject, found.text,
                 *found.thread_ids):
        assert storable(text), repr(text)
    assert "@" in found.sender and not MARKUP.search(found.text)
    assert len(found.message_id) <= 255


@PURE
@given(st.binary(max_size=400))
def test_any_bytes_as_an_email_are_read_or_refused_as_malformed(raw: bytes) -> None:
    try:
        found = read(raw)
    except MalformedEmail as error:
        assert "sender address" in str(error)
        return
    assert_fit_to_store(found)


HEADER_NAMES = st.sampled_from(["From", "Subject", "Message-ID", "In-Reply-To", "References",
                                "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted",
                                "MIME-Version", "Content-Disposition"])


@PURE
@given(st.lists(st.tuples(HEADER_NAMES, st.text(max_size=40)), max_size=6),
       st.binary(max_size=200))
def test_emails_with_any_headers_and_body_are_read_or_refused_as_malformed(
        headers: list[tuple[str, str]], body: bytes) -> None:
    lines = [f"{name}: {value}".encode("utf-8", "surrogatepass") for name, value in headers]
    raw = b"\r\n".join([b"From: Sam <sam@example.org>", *lines]) + b"\r\n\r\n" + body
    try:
        found = read(raw)
    except MalformedEmail:
        return
    assert_fit_to_store(found)


def test_a_message_without_a_sender_is_refused_with_a_reason_a_person_can_read() -> None:
    message = EmailMessage()
    message["Subject"] = "Help"
    message.set_content("Someone is following me")
    try:
        read(bytes(message))
    except MalformedEmail as error:
        assert str(error) == "The message has no sender address we can reply to"
    else:
        raise AssertionError("an email with no sender was accepted")


# --- social-media webhook bodies --------------------------------------------------------------

ID = st.text(min_size=1, max_size=8) | st.integers(0, 10**6) | JSON
"""Mostly a usable id, so the parser gets past the ids to the fields after them."""
TEXT = st.text(st.characters(exclude_categories=()), max_size=30) | st.none() | JSON
MOMENT = st.integers(0, 2**40) | st.text(max_size=12) | JSON


def either(shape: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """The documented shape, or now and then any JSON in its place."""
    return st.one_of(*[shape] * 7, JSON)


def some(shape: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """A short list of the shape (now and then any JSON instead of the list)."""
    return either(st.lists(either(shape), min_size=1, max_size=2))


def shape(required: dict[str, st.SearchStrategy[object]],
          optional: dict[str, st.SearchStrategy[object]] | None = None
          ) -> st.SearchStrategy[object]:
    return either(st.fixed_dictionaries(required, optional=optional or {}))


MESSENGER_EVENT = shape({
    "sender": shape({"id": ID}), "recipient": shape({"id": ID}), "timestamp": MOMENT,
    "message": shape({"mid": ID}, {"text": TEXT, "attachments": JSON, "is_echo": JSON})})
MESSENGER = st.fixed_dictionaries({
    "object": st.sampled_from(["page", "instagram"]),
    "entry": some(shape({"messaging": some(MESSENGER_EVENT)}))})
WHATSAPP_VALUE = shape(
    {"metadata": shape({"phone_number_id": ID}),
     "messages": some(shape({"from": ID, "id": ID, "timestamp": MOMENT},
                            {"type": TEXT, "text": shape({"body": TEXT})}))},
    {"contacts": some(shape({"wa_id": ID}, {"profile": shape({"name": TEXT})}))})
WHATSAPP = st.fixed_dictionaries({
    "object": st.just("whatsapp_business_account"),
    "entry": some(shape({"changes": some(shape({"value": WHATSAPP_VALUE}))}))})
X_EVENT = shape({
    "type": st.sampled_from(["message_create", "message_create", "other"]), "id": ID,
    "created_timestamp": MOMENT,
    "message_create": shape({"sender_id": ID, "message_data": shape(
        {}, {"text": TEXT, "attachments": JSON})})})
X_EVENTS = st.fixed_dictionaries(
    {"for_user_id": ID, "direct_message_events": some(X_EVENT)},
    optional={"users": either(st.dictionaries(st.text(max_size=4), shape({}, {"name": TEXT}),
                                              max_size=2))})
"""Payloads in the platforms' own shapes, with any JSON in any place: where the parsers'
checks are tested, rather than refusing a wrong "object" at the first line."""


def check_messages(payload: object, read_payload: object) -> None:
    assert callable(read_payload)
    try:
        messages = read_payload(payload)
    except ValidationError as error:
        assert error.field and error.message
        return
    for message in messages:
        for text in (message.message_id, message.sender_id, message.account_id,
                     message.sender_name, message.text):
            assert storable(text), repr(text)
        assert message.message_id and message.sender_id and message.account_id
        assert len(message.text) <= MESSAGE_MAX_CHARS
        assert message.sent_at.tzinfo is UTC or message.sent_at.utcoffset() is not None
        assert isinstance(message.sent_at, datetime)


def messenger(message: object) -> dict[str, object]:
    return {"object": "page", "entry": [{"messaging": [{
        "sender": {"id": "psid-1"}, "recipient": {"id": "page-1"}, "timestamp": 1773480600000,
        "message": message}]}]}


def whatsapp(value: object) -> dict[str, object]:
    return {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}


@PURE
@given(MESSENGER | WHATSAPP | st.dictionaries(st.text(max_size=8), JSON, max_size=4))
# Crashes hypothesis found (each was a 500): attachments that are not a list, a WhatsApp
# profile that is not an object.
@example(messenger({"mid": "m-1", "attachments": None}))
@example(messenger({"mid": "m-1", "attachments": 5}))
@example(whatsapp({"metadata": {"phone_number_id": "1"}, "messages": [],
                   "contacts": [{"wa_id": "1", "profile": "Sam"}]}))
def test_any_meta_payload_is_read_or_refused_naming_the_field(payload: dict[str, object]
                                                              ) -> None:
    check_messages(payload, read_meta)


@PURE
@given(X_EVENTS | st.dictionaries(st.text(max_size=8), JSON, max_size=4))
@example({"for_user_id": "1", "direct_message_events": [{
    "type": "message_create", "id": "e-1", "created_timestamp": "1773480600000",
    "message_create": {"sender_id": "2", "message_data": {"attachments": 7}}}]})
def test_any_x_payload_is_read_or_refused_naming_the_field(payload: dict[str, object]) -> None:
    check_messages(payload, read_x)


@pytest.mark.parametrize("bad", ["\x00", "\ud800", "a\x00b"])
def test_ids_that_no_database_could_store_are_refused(bad: str) -> None:
    payload = {"object": "page", "entry": [{"messaging": [{
        "sender": {"id": f"psid{bad}"}, "recipient": {"id": "page-1"},
        "timestamp": 1773480600000, "message": {"mid": f"m{bad}", "text": "help"}}]}]}
    try:
        read_meta(payload)
    except ValidationError as error:
        assert error.field.startswith("entry[0].messaging[0]")
    else:
        raise AssertionError("an id with a character no database stores was accepted")
