"""The contact's rules: what is accepted, normalised and refused, field by field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from firstcontact.contacts.model import (
    STAFF_CHANNELS,
    AreaType,
    Channel,
    Limits,
    contact_reference,
    normalise_phone,
    parse_contact,
)
from firstcontact.platform.model import ValidationError


def fields(**changes: str) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "channel": "phone_101", "caller_name": "Sam Patel", "caller_phone": "07700 900123",
        "caller_relationship": "victim", "address": "12 High Street, Anytown",
        "narrative": "My shed was broken into overnight.", "language": "English",
    }
    base.update(changes)
    return base


def test_a_good_contact_is_normalised() -> None:
    draft = parse_contact(fields(caller_name="  Sam Patel  "), Limits())
    assert draft.channel is Channel.PHONE_101
    assert draft.caller_name == "Sam Patel"
    assert draft.caller_phone == "+447700900123"
    assert draft.area_type is AreaType.URBAN


@pytest.mark.parametrize(("raw", "e164"), [
    ("07700 900123", "+447700900123"),
    ("+44 (0)20 7946 0000", "+442079460000"),
    ("0113 496 0000", "+441134960000"),
    ("+1 202 555 0143", "+12025550143"),
    ("", ""),
])
def test_phone_numbers_are_stored_as_e164(raw: str, e164: str) -> None:
    assert normalise_phone("caller_phone", raw) == e164


@pytest.mark.parametrize("raw", ["123", "abc", "999", "0" * 41])
def test_a_phone_number_that_does_not_parse_is_refused(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_phone("caller_phone", raw)
    assert caught.value.field == "caller_phone"


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_contact({"channel": "carrier pigeon", "caller_phone": "12",
                       "narrative": "<img src=x onerror=alert(1)>"}, Limits())
    assert set(caught.value.errors) == {"channel", "caller_phone", "caller_relationship",
                                        "address", "narrative"}


def test_an_oversized_narrative_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_contact(fields(narrative="x" * 101), Limits(narrative_max_chars=100))
    assert caught.value.errors == {"narrative": "Must be 100 characters or fewer"}


def test_a_less_than_sign_in_plain_text_is_kept() -> None:
    draft = parse_contact(fields(narrative="He is < 5 minutes away & has a knife"), Limits())
    assert draft.narrative == "He is < 5 minutes away & has a knife"


def test_staff_forms_offer_only_the_staff_channels() -> None:
    with pytest.raises(ValidationError):
        parse_contact(fields(channel="online"), Limits(), channels=STAFF_CHANNELS)


def test_the_fingerprint_changes_with_content() -> None:
    assert parse_contact(fields(), Limits()).fingerprint() == parse_contact(
        fields(), Limits()).fingerprint()
    assert parse_contact(fields(), Limits()).fingerprint() != parse_contact(
        fields(narrative="Something else"), Limits()).fingerprint()


def test_the_reference_carries_the_london_date_not_the_utc_one() -> None:
    # 23:30 UTC on 14 June is 00:30 on 15 June in London (BST).
    assert contact_reference(42, datetime(2026, 6, 14, 23, 30, tzinfo=UTC)) == "C260615-000042"
    assert contact_reference(42, datetime(2026, 1, 14, 23, 30, tzinfo=UTC)) == "C260114-000042"
