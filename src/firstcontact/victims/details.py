"""What victim-care staff record about a victim: how to reach them and what they chose, and
who a victim added to a crime is (a person, a child through a parent or guardian, a bereaved
relative, a business through its named contact).

Pure checks: every field at fault is named at once, and nothing is half-recorded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from firstcontact.platform.model import FieldErrors, ValidationError, plain_text
from firstcontact.victims.model import ContactPreference, VictimsPolicy, choose_one, parse_age

EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class VictimDetails:
    """How to reach the victim and what they chose, as victim-care staff record it."""

    contact_preference: str
    email: str
    phone: str
    postal_address: str
    language: str
    communication_needs: str
    consent_given: bool | None

    def changes(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def parse_details(fields: Mapping[str, str | None]) -> VictimDetails:
    """Checked details. A written way to reach the victim must be usable: an email preference
    needs an address, a letter needs a postal address, a text needs a phone number."""
    errors = FieldErrors()
    preference = errors.check(lambda: choose_one("contact_preference",
                                              fields.get("contact_preference"),
                                              tuple(ContactPreference)))
    email = errors.check(lambda: _email(fields.get("email")))
    phone = errors.check(lambda: plain_text("phone", fields.get("phone"), max_chars=32))
    address = errors.check(lambda: plain_text("postal_address", fields.get("postal_address"),
                                              max_chars=500))
    language = errors.check(lambda: plain_text("language", fields.get("language") or "English",
                                               max_chars=200))
    needs = errors.check(lambda: plain_text("communication_needs",
                                            fields.get("communication_needs"), max_chars=1000))
    consent = errors.check(lambda: _consent(fields.get("consent_given")))
    needed = {"email": ("email", email), "letter": ("postal_address", address),
              "text": ("phone", phone)}.get(preference or "")
    if needed and not needed[1] and needed[0] not in errors.errors:
        errors.errors[needed[0]] = f"Enter this to contact the victim by {preference}"
    errors.raise_any()
    return VictimDetails(str(preference), email or "", phone or "", address or "",
                         language or "English", needs or "", consent)


def _email(raw: str | None) -> str:
    value = (raw or "").strip()
    if value and (len(value) > 254 or not EMAIL.match(value)):
        raise ValidationError("email", "Enter an email address like name@example.com")
    return value


def _consent(raw: str | None) -> bool | None:
    answers = {"yes": True, "no": False, "": None, None: None}
    if raw not in answers:
        raise ValidationError("consent_given", "Answer yes, no, or leave it unanswered")
    return answers[raw]



@dataclass(frozen=True)
class NewVictim:
    """A victim staff add to a recorded crime, with their details and choices."""

    party: str
    name: str
    contact_name: str
    relationship: str
    victim_age: int | None
    details: VictimDetails

    def addressee(self) -> str:
        return self.contact_name or self.name


def parse_new_victim(fields: Mapping[str, str | None], policy: VictimsPolicy) -> NewVictim:
    """Who the victim is, checked against the policy's parties: a child's parent or guardian
    and a business's named contact must be named (the letters go to them), a child must be
    under 18, a bereaved relative's relationship to the person who died is recorded."""
    errors = FieldErrors()
    party_code = errors.check(lambda: _party(fields.get("party"), policy))
    party = policy.party(party_code or "person")
    name = errors.check(lambda: plain_text("name", fields.get("name"), max_chars=200,
                                           required=True))
    contact = errors.check(lambda: plain_text("contact_name", fields.get("contact_name"),
                                              max_chars=200, required=bool(party.contact)))
    relationship = errors.check(lambda: plain_text(
        "relationship", fields.get("relationship"), max_chars=200,
        required=bool(party.relationship)))
    age = errors.check(lambda: parse_age(_whole_number(fields.get("victim_age"))))
    if party.under_18 and age is not None and age >= policy.under_age:
        errors.errors["victim_age"] = (f"A child victim is under {policy.under_age}: "
                                       "record an adult as a person")
    details = errors.check(lambda: parse_details(fields))
    errors.raise_any()
    assert name is not None and details is not None
    return NewVictim(party.code, name, (contact or "") if party.contact else "",
                     relationship or "", age, details)


def _party(raw: str | None, policy: VictimsPolicy) -> str:
    if raw not in policy.parties:
        raise ValidationError("party", "Choose who the victim is")
    return str(raw)


def _whole_number(raw: str | None) -> int | str | None:
    """A form's age: blank is unknown, digits are a number, anything else is refused."""
    text = (raw or "").strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text
