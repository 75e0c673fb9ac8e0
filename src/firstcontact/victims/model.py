"""The Victims' Code at the point of reporting: which entitlements are due, by when, and
whether the victim has enhanced rights and why.

Pure rules: the policy (victims/policy/entitlements.toml) and the bank holidays come in as
values, and so does `now`. Dates are Europe/London calendar dates: a crime reported at 00:30
on a summer Monday was reported on Monday, although it was still Sunday in UTC.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from firstcontact.platform.model import FieldErrors, ValidationError, plain_text

LONDON = ZoneInfo("Europe/London")


class Consent(enum.StrEnum):
    """How the support referral may be passed on."""

    EXPLICIT = "explicit"
    """Only once the victim has said yes (sexual offences, domestic abuse, bereaved)."""
    OPT_OUT = "opt_out"
    """Automatically, unless the victim says no."""


class Deadline(enum.StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    REFERRAL = "referral"


class EntitlementState(enum.StrEnum):
    DUE = "due"
    DELIVERED = "delivered"
    DECLINED = "declined"
    NOT_APPLICABLE = "not_applicable"
    FAILED = "failed"
    OVERDUE = "overdue"
    """Still owed after its due day ended (set by the deadline engine)."""


CLOSED_STATES = frozenset({EntitlementState.DELIVERED, EntitlementState.DECLINED,
                           EntitlementState.NOT_APPLICABLE})
"""States that need nothing more from staff."""


@dataclass(frozen=True)
class Entitlement:
    """One entitlement the policy offers, with the words a victim reads."""

    code: str
    right: int
    title: str
    text: str
    link: str = ""
    deadline: Deadline | None = None
    only_if_language_not_written: bool = False
    in_acknowledgement: bool = False
    """Given by the written acknowledgement itself (its text and link are in it)."""


@dataclass(frozen=True)
class CrimeType:
    code: str
    label: str
    most_serious: bool = False
    explicit_consent: bool = False
    bereaved: bool = False
    implies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Party:
    """Who a victim can be: a person, a child (letters to a parent or guardian), a bereaved
    close relative, a business with a named contact (see the policy file's [parties])."""

    code: str
    label: str
    contact: str = ""
    """The title of who receives the letters instead of the victim ("" : the victim)."""
    relationship: str = ""
    under_18: bool = False
    flags: tuple[str, ...] = ()
    enhanced_rights: bool = True
    not_applicable: Mapping[str, str] = field(default_factory=dict)


PERSON = Party("person", "A person it happened to")


@dataclass(frozen=True)
class VictimsPolicy:
    entitlements: tuple[Entitlement, ...]
    crimes: Mapping[str, CrimeType]
    reasons: Mapping[str, str]
    """Enhanced-rights reason code -> words staff read."""
    flags: Mapping[str, str]
    """Flag a report may carry -> the reason it gives ("" for none by itself)."""
    bank_holidays: Container[date]
    timezone: ZoneInfo = LONDON
    acknowledgement_working_days: int = 5
    referral_working_days: int = 2
    under_age: int = 18
    written_languages: tuple[str, ...] = ("en", "cy")
    nsir_codes: Mapping[str, str] = field(default_factory=dict)
    """NSIR opening code -> crime type (codes not listed: "other_crime")."""
    nsir_qualifiers: Mapping[str, str] = field(default_factory=dict)
    """NSIR qualifier -> the crime type it makes the crime (takes precedence)."""
    nsir_flags: Mapping[str, str] = field(default_factory=dict)
    """NSIR qualifier -> a flag on the victim's report."""
    source: str = ""
    parties: Mapping[str, Party] = field(default_factory=lambda: {"person": PERSON})

    def entitlement(self, code: str) -> Entitlement:
        return next(e for e in self.entitlements if e.code == code)

    def party(self, code: str) -> Party:
        return self.parties.get(code, PERSON)


@dataclass(frozen=True)
class Report:
    """What is known about a victim's crime when it is reported."""

    reported_at: datetime
    crime: str
    victim_age: int | None = None
    flags: frozenset[str] = frozenset()
    language: str = "en"
    party: str = "person"


@dataclass(frozen=True)
class Due:
    """An entitlement this victim is owed; `due` is the last London day it may be given on.
    `not_applicable` is the policy's reason when this kind of victim is not owed it."""

    code: str
    due: date | None = None
    consent: Consent | None = None
    not_applicable: str = ""


@dataclass(frozen=True)
class Decision:
    enhanced: bool
    reasons: tuple[str, ...]
    entitlements: tuple[Due, ...]
    consent: Consent


OTHER_CRIME = "other_crime"


def crime_from_nsir(opening_code: str, qualifiers: tuple[str, ...], policy: VictimsPolicy
                    ) -> tuple[str, frozenset[str]]:
    """The crime type and flags for a crime recorded under an NSIR code with qualifiers."""
    crime = next((policy.nsir_qualifiers[q] for q in qualifiers if q in policy.nsir_qualifiers),
                 policy.nsir_codes.get(opening_code, OTHER_CRIME))
    flags = frozenset(policy.nsir_flags[q] for q in qualifiers if q in policy.nsir_flags)
    return crime, flags


def is_working_day(day: date, bank_holidays: Container[date]) -> bool:
    return day.weekday() < 5 and day not in bank_holidays


def working_days_after(day: date, count: int, bank_holidays: Container[date]) -> date:
    """The `count`-th working day after `day` (the day itself never counts)."""
    found = 0
    while found < count:
        day += timedelta(days=1)
        if is_working_day(day, bank_holidays):
            found += 1
    return day


def london_day(moment: datetime, policy: VictimsPolicy) -> date:
    return moment.astimezone(policy.timezone).date()


def end_of_day(day: date, policy: VictimsPolicy) -> datetime:
    """The first instant after `day` ends in London: a deadline on `day` is met before it."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=policy.timezone)


def enhanced_reasons(report: Report, policy: VictimsPolicy) -> tuple[str, ...]:
    """Why the victim has enhanced rights, in the policy's order (empty: standard rights)."""
    crime, party = policy.crimes[report.crime], policy.party(report.party)
    if not party.enhanced_rights:
        return ()
    found: set[str] = {policy.flags[f] for f in (*report.flags, *crime.implies, *party.flags)
                       if policy.flags.get(f)}
    if crime.most_serious:
        found.add("most_serious_crime")
    if crime.bereaved:
        found.add("bereaved")
    if party.under_18 or (report.victim_age is not None
                          and report.victim_age < policy.under_age):
        found.add("under_18")
    return tuple(reason for reason in policy.reasons if reason in found)


def referral_consent(report: Report, policy: VictimsPolicy, reasons: tuple[str, ...]) -> Consent:
    crime = policy.crimes[report.crime]
    if crime.explicit_consent or "bereaved" in reasons:
        return Consent.EXPLICIT
    return Consent.OPT_OUT


def entitlements_for(report: Report, policy: VictimsPolicy) -> Decision:
    """Every entitlement due to this victim at the point of reporting, and the enhanced-rights
    decision with its reasons. `report` must already be checked (see `parse_report`)."""
    reasons = enhanced_reasons(report, policy)
    consent = referral_consent(report, policy, reasons)
    day = london_day(report.reported_at, policy)
    days = {Deadline.ACKNOWLEDGEMENT: policy.acknowledgement_working_days,
            Deadline.REFERRAL: policy.referral_working_days}
    needs_interpreter = report.language not in policy.written_languages
    not_applicable = policy.party(report.party).not_applicable
    owed = []
    for entitlement in policy.entitlements:
        if entitlement.only_if_language_not_written and not needs_interpreter:
            continue
        if entitlement.code in not_applicable:
            owed.append(Due(entitlement.code, not_applicable=not_applicable[entitlement.code]))
            continue
        due = (working_days_after(day, days[entitlement.deadline], policy.bank_holidays)
               if entitlement.deadline else None)
        owed.append(Due(entitlement.code, due,
                        consent if entitlement.deadline == Deadline.REFERRAL else None))
    return Decision(bool(reasons), reasons, tuple(owed), consent)


LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def parse_report(data: Mapping[str, Any], policy: VictimsPolicy, now: datetime) -> Report:
    """A report from JSON or a form, checked: every field at fault is named at once."""
    errors = FieldErrors()
    reported_at = errors.check(lambda: parse_reported_at(data.get("reported_at"), now))
    crime = errors.check(lambda: parse_crime(data.get("crime"), policy))
    age = errors.check(lambda: parse_age(data.get("victim_age")))
    flags = errors.check(lambda: parse_flags(data.get("flags"), policy))
    language = errors.check(lambda: parse_language(data.get("language")))
    party = errors.check(lambda: parse_party(data.get("party"), policy))
    if party and age is not None and policy.party(party).under_18 and age >= policy.under_age:
        errors.errors["victim_age"] = (f"A child victim is under {policy.under_age}: "
                                       "record an adult as a person")
    errors.raise_any()
    assert reported_at is not None and crime is not None and flags is not None
    return Report(reported_at, crime, age, flags, language or "en", party or "person")


def parse_reported_at(value: object, now: datetime) -> datetime:
    if not isinstance(value, str):
        raise ValidationError("reported_at", "Give the date and time as ISO 8601 with an offset")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("reported_at", f"{value!r} is not an ISO 8601 date and time"
                              ) from None
    if moment.tzinfo is None:
        raise ValidationError("reported_at", "Include the offset from UTC, e.g. +01:00 or Z")
    if moment > now:
        raise ValidationError("reported_at", "A crime cannot be reported in the future")
    return moment


def parse_crime(value: object, policy: VictimsPolicy) -> str:
    if not isinstance(value, str) or value not in policy.crimes:
        raise ValidationError("crime", f"Unknown crime code {value!r}; known: "
                              f"{', '.join(sorted(policy.crimes))}")
    return value


def parse_age(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 130:
        raise ValidationError("victim_age", "Give the age in whole years (0 to 130), or null")
    return value


def parse_party(value: object, policy: VictimsPolicy) -> str:
    if value is None or value == "":
        return "person"
    if not isinstance(value, str) or value not in policy.parties:
        raise ValidationError("party", f"Choose one of: {', '.join(policy.parties)}")
    return value


def parse_flags(value: object, policy: VictimsPolicy) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(f, str) for f in value):
        raise ValidationError("flags", "Give the flags as a list of words")
    unknown = sorted(set(value) - set(policy.flags))
    if unknown:
        raise ValidationError("flags", f"Unknown flag {unknown[0]!r}; known: "
                              f"{', '.join(policy.flags)}")
    return frozenset(value)


def parse_language(value: object) -> str:
    if value is None or value == "":
        return "en"
    if not isinstance(value, str) or not LANGUAGE.match(value.strip().lower()):
        raise ValidationError("language", "Give a language code such as en, cy or pl")
    return value.strip().lower().split("-")[0]


LANGUAGE_NAMES = {"english": "en", "en": "en", "": "en", "welsh": "cy", "cymraeg": "cy",
                  "cy": "cy"}


def language_code(language: str) -> str:
    """A language as recorded at first contact ("English", "Welsh", "Polish") as a code the
    rules use: en, cy, or the recorded words (meaning: another language, interpreter needed)."""
    words = language.strip().lower()
    return LANGUAGE_NAMES.get(words, words)


class ContactPreference(enum.StrEnum):
    EMAIL = "email"
    TEXT = "text"
    LETTER = "letter"
    PHONE = "phone"


class Method(enum.StrEnum):
    """How an entitlement was given."""

    EMAIL = "email"
    TEXT = "text"
    LETTER = "letter"
    PHONE = "phone"
    IN_PERSON = "in_person"


@dataclass(frozen=True)
class Outcome:
    """What staff record about an entitlement: given (and how), declined, not applicable."""

    state: EntitlementState
    method: str = ""
    reason: str = ""
    evidence: str = ""


OUTCOME_STATES = (EntitlementState.DELIVERED, EntitlementState.DECLINED,
                  EntitlementState.NOT_APPLICABLE)


def parse_outcome(fields: Mapping[str, str | None]) -> Outcome:
    errors = FieldErrors()
    state = errors.check(lambda: choose_one("outcome", fields.get("outcome"), OUTCOME_STATES))
    reason = errors.check(lambda: plain_text("reason", fields.get("reason"), max_chars=1000,
                                             required=state == EntitlementState.NOT_APPLICABLE))
    method = ""
    if state == EntitlementState.DELIVERED:
        method = (errors.check(lambda: choose_one("method", fields.get("method"), tuple(Method)))
                  or "")
    errors.raise_any()
    assert state is not None
    return Outcome(EntitlementState(state), str(method), reason or "")


def choose_one(field: str, raw: str | None, allowed: tuple[enum.StrEnum, ...]) -> str:
    if raw not in {a.value for a in allowed}:
        raise ValidationError(field, f"Choose one of: {', '.join(a.value for a in allowed)}")
    return str(raw)


def check_referral(outcome: Outcome, consent: Consent, consent_given: bool | None) -> None:
    """A referral is passed on only as the Code allows: with explicit consent where it is
    needed (sexual offences, domestic abuse, bereaved), and never after the victim opted out."""
    if outcome.state != EntitlementState.DELIVERED:
        return
    if consent == Consent.EXPLICIT and consent_given is not True:
        raise ValidationError("outcome", "This victim must give explicit consent before the "
                              "referral is passed on: record their consent first")
    if consent_given is False:
        raise ValidationError("outcome", "The victim opted out of the referral: record it as "
                              "declined")
