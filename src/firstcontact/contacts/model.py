"""The Contact as the control room takes it: who called, how, where, and what they said.

Every channel (999, 101, front counter, and the digital channels to come) produces the same
`ContactDraft`; `parse_contact` is the one place its rules live, for forms and the API alike.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import phonenumbers

from firstcontact.platform.model import FieldErrors, ValidationError, plain_text

E = TypeVar("E", bound=enum.StrEnum)


class Channel(enum.StrEnum):
    PHONE_999 = "phone_999"
    PHONE_101 = "phone_101"
    FRONT_COUNTER = "front_counter"
    ONLINE = "online"
    CHAT = "chat"
    EMAIL = "email"
    SOCIAL = "social"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {
    Channel.PHONE_999: "999 call",
    Channel.PHONE_101: "101 call",
    Channel.FRONT_COUNTER: "Front counter",
    Channel.ONLINE: "Online report",
    Channel.CHAT: "Live chat",
    Channel.EMAIL: "Email",
    Channel.SOCIAL: "Social media message",
}

STAFF_CHANNELS = (Channel.PHONE_999, Channel.PHONE_101, Channel.FRONT_COUNTER)
"""The channels a call handler opens a contact for by hand."""


class CallerRelationship(enum.StrEnum):
    VICTIM = "victim"
    WITNESS = "witness"
    THIRD_PARTY = "third_party"

    @property
    def label(self) -> str:
        return {"victim": "Victim", "witness": "Witness", "third_party": "Third party"}[self.value]


class AreaType(enum.StrEnum):
    """Urban or rural: the emergency response target differs (15 or 20 minutes by default)."""

    URBAN = "urban"
    RURAL = "rural"


class ContactStatus(enum.StrEnum):
    AWAITING_ASSESSMENT = "awaiting_assessment"
    ASSESSED = "assessed"
    DETERMINED = "determined"


@dataclass(frozen=True)
class ContactDraft:
    """A contact as given, checked and normalised, before it is stored."""

    channel: Channel
    caller_name: str
    caller_phone: str
    """E.164 (+447700900123), or empty when the caller gave none."""
    caller_relationship: CallerRelationship
    address: str
    area_type: AreaType
    narrative: str
    language: str
    accessibility_needs: str

    def fingerprint(self) -> str:
        """A hash of the content: a retried submit must carry the same content as the first."""
        canonical = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Limits:
    narrative_max_chars: int = 20_000
    short_text_max_chars: int = 200
    address_max_chars: int = 500


def normalise_phone(field: str, raw: str, *, region: str = "GB") -> str:
    """A phone number as E.164, or "" if none was given. UK numbers may omit the +44.

    "Possible" (right length for its country) rather than "valid": a caller's number is
    recorded as given, including ranges Ofcom keeps for drama and ones not yet allocated.
    """
    text = raw.strip()
    if not text:
        return ""
    if len(text) > 40:
        raise ValidationError(field, "Enter a phone number, like 07700 900 982 or +44 20 7946 0000")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationError(field, "Enter a phone number, like 07700 900 982 or +44 20 7946 0000")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def choice(field: str, raw: str | None, kind: type[E], message: str) -> E:
    try:
        return kind((raw or "").strip())
    except ValueError:
        raise ValidationError(field, message) from None


def parse_contact(fields: Mapping[str, str | None], limits: Limits,
                  *, channels: tuple[Channel, ...] = tuple(Channel)) -> ContactDraft:
    """Check a contact's fields and normalise them; every fault is reported at once."""
    errors = FieldErrors()
    short = limits.short_text_max_chars
    draft = {
        "channel": errors.check(lambda: _channel(fields.get("channel"), channels)),
        "caller_name": errors.check(lambda: plain_text(
            "caller_name", fields.get("caller_name"), max_chars=short)),
        "caller_phone": errors.check(lambda: normalise_phone(
            "caller_phone", fields.get("caller_phone") or "")),
        "caller_relationship": errors.check(lambda: choice(
            "caller_relationship", fields.get("caller_relationship"), CallerRelationship,
            "Select whether the caller is the victim, a witness or a third party")),
        "address": errors.check(lambda: plain_text(
            "address", fields.get("address"), max_chars=limits.address_max_chars,
            required=True)),
        "area_type": errors.check(lambda: choice(
            "area_type", fields.get("area_type") or AreaType.URBAN.value, AreaType,
            "Select urban or rural")),
        "narrative": errors.check(lambda: plain_text(
            "narrative", fields.get("narrative"), max_chars=limits.narrative_max_chars,
            required=True)),
        "language": errors.check(lambda: plain_text(
            "language", fields.get("language") or "English", max_chars=short)),
        "accessibility_needs": errors.check(lambda: plain_text(
            "accessibility_needs", fields.get("accessibility_needs"), max_chars=short * 5)),
    }
    errors.raise_any()
    return ContactDraft(**draft)  # type: ignore[arg-type]


def _channel(raw: str | None, allowed: tuple[Channel, ...]) -> Channel:
    channel = choice("channel", raw, Channel, "Select how the person contacted us")
    if channel not in allowed:
        raise ValidationError("channel", "Select how the person contacted us")
    return channel


LONDON = ZoneInfo("Europe/London")


def contact_reference(contact_id: int, received_at: datetime) -> str:
    """The reference read out to the caller: the day it came in (London) and a unique number."""
    return f"C{received_at.astimezone(LONDON):%y%m%d}-{contact_id:06d}"
