"""The online report journey: its questions, one per page, and the rules for each answer.

Pure: answers go in as a mapping of strings and come out checked, or as a ValidationError
naming the field. The pages (online_views) and the store (online_service) stand around this.
A report is only turned into a Contact (`contact_draft`) once every question is answered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from firstcontact.contacts.model import (
    AreaType,
    CallerRelationship,
    Channel,
    ContactDraft,
    Limits,
    choice,
    normalise_phone,
)
from firstcontact.platform.model import FieldErrors, ValidationError, plain_text

Options = tuple[tuple[str, str], ...]

KINDS: Options = (
    ("crime", "A crime, for example theft, criminal damage, fraud or an assault"),
    ("incident", "Something that is not a crime, for example antisocial behaviour or a "
                 "worry about someone's safety"),
)
RELATIONSHIPS: Options = (
    (CallerRelationship.VICTIM.value, "It happened to me"),
    (CallerRelationship.WITNESS.value, "I saw it happen"),
    (CallerRelationship.THIRD_PARTY.value, "I am reporting it for someone else"),
)
CONTACT_METHODS: Options = (
    ("email", "Email"), ("phone", "Phone call"), ("text", "Text message"), ("letter", "Letter"),
)
YES_NO: Options = (("yes", "Yes"), ("no", "No"))
EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+$")


@dataclass(frozen=True)
class Question:
    """One page of the journey: what it asks, how, and the answer's field name(s)."""

    slug: str
    title: str
    kind: str
    """radios, text, textarea, email, tel, or help (the communication-help page)."""
    fields: tuple[str, ...]
    summary: str
    """The short label on the check-your-answers page."""
    hint: str = ""
    options: Options = ()


QUESTIONS: tuple[Question, ...] = (
    Question("what", "What do you want to report?", "radios", ("kind",), "Reporting",
             options=KINDS),
    Question("who", "Who are you in this report?", "radios", ("caller_relationship",),
             "You are", options=RELATIONSHIPS),
    Question("details", "What happened?", "textarea", ("narrative",), "What happened",
             hint="Tell us what happened and when, who was involved, and anything that "
                  "could help, such as a description or a vehicle registration."),
    Question("where", "Where did it happen?", "textarea", ("address",), "Where",
             hint="An address, a postcode or a description of the place."),
    Question("name", "What is your full name?", "text", ("caller_name",), "Name"),
    Question("contact", "How would you like us to contact you?", "radios",
             ("contact_method",), "Contact by", options=CONTACT_METHODS),
    Question("contact-details", "How can we reach you?", "contact", ("contact_detail",),
             "Contact details"),
    Question("language", "Which language would you like us to use?", "text", ("language",),
             "Language", hint="We can arrange an interpreter and translate letters."),
    Question("help", "Do you need help to communicate with us?", "help",
             ("needs_help", "help_detail"), "Help to communicate",
             hint="For example, you are deaf and use a text relay service, or you need "
                  "someone with you when we talk."),
)
BY_SLUG = {question.slug: question for question in QUESTIONS}
CONTACT_DETAIL_ASKED = {
    "email": ("What is your email address?", "email"),
    "phone": ("What phone number should we call?", "tel"),
    "text": ("What mobile number should we text?", "tel"),
    "letter": ("What is your postal address?", "textarea"),
}
"""The contact-details page asks for what the chosen way of contacting needs."""


def _one_of(field: str, raw: str | None, options: Options, message: str) -> str:
    value = (raw or "").strip()
    if value not in {key for key, _ in options}:
        raise ValidationError(field, message)
    return value


def email_address(field: str, raw: str | None) -> str:
    text = plain_text(field, raw, max_chars=254, required=True)
    if not EMAIL.match(text):
        raise ValidationError(field, "Enter an email address in the correct format, like "
                                     "name@example.com")
    return text


def _contact_detail(method: str, raw: str | None, limits: Limits) -> str:
    field = "contact_detail"
    if method == "email":
        return email_address(field, raw)
    if method in ("phone", "text"):
        number = normalise_phone(field, raw or "")
        if not number:
            raise ValidationError(field, "Enter a phone number, like 07700 900 982")
        return number
    return plain_text(field, raw, max_chars=limits.address_max_chars, required=True)


def check_page(question: Question, fields: Mapping[str, str | None], answers: Mapping[str, str],
               limits: Limits) -> dict[str, str]:
    """The answer(s) a page gives, checked; every fault on the page is reported at once."""
    got = FieldErrors()
    short = limits.short_text_max_chars
    checks = {
        "kind": lambda: _one_of("kind", fields.get("kind"), KINDS,
                                "Select what you want to report"),
        "caller_relationship": lambda: choice(
            "caller_relationship", fields.get("caller_relationship"), CallerRelationship,
            "Select who you are in this report").value,
        "narrative": lambda: plain_text("narrative", fields.get("narrative"),
                                        max_chars=limits.narrative_max_chars, required=True),
        "address": lambda: plain_text("address", fields.get("address"),
                                      max_chars=limits.address_max_chars, required=True),
        "caller_name": lambda: plain_text("caller_name", fields.get("caller_name"),
                                          max_chars=short, required=True),
        "contact_method": lambda: _one_of("contact_method", fields.get("contact_method"),
                                          CONTACT_METHODS, "Select how we should contact you"),
        "contact_detail": lambda: _contact_detail(answers.get("contact_method", ""),
                                                  fields.get("contact_detail"), limits),
        "language": lambda: plain_text("language", fields.get("language"), max_chars=short,
                                       required=True),
        "needs_help": lambda: _one_of("needs_help", fields.get("needs_help"), YES_NO,
                                      "Select yes if you need help to communicate with us"),
        "help_detail": lambda: plain_text("help_detail", fields.get("help_detail"),
                                          max_chars=short * 5),
    }
    checked = {name: got.check(checks[name]) for name in question.fields}
    got.raise_any()
    return {name: value or "" for name, value in checked.items()}


def next_slug(answers: Mapping[str, str]) -> str:
    """The first page not yet answered, or "check" when the report is complete."""
    for question in QUESTIONS:
        if any(name not in answers for name in question.fields):
            return question.slug
    return "check"


def after_answer(question: Question, answers: Mapping[str, str], changing: bool) -> str:
    """Where a page goes next: on through the journey, or back to the check page."""
    following = next_slug(answers)
    return "check" if changing and following == "check" else following


def forget_stale(question: Question, before: Mapping[str, str],
                 given: Mapping[str, str]) -> dict[str, str]:
    """Answers after a change: a new way of contacting needs its details asked again."""
    answers = {**before, **given}
    if question.slug == "contact" and before.get("contact_method") != given["contact_method"]:
        answers.pop("contact_detail", None)
    return answers


def shown(question: Question, answers: Mapping[str, str]) -> str:
    """An answer as the check-your-answers page shows it."""
    if question.slug == "help":
        need = "Yes" if answers.get("needs_help") == "yes" else "No"
        return f"{need}: {answers['help_detail']}" if answers.get("help_detail") else need
    value = answers.get(question.fields[0], "")
    return dict(question.options).get(value, value)


def contact_draft(answers: Mapping[str, str], limits: Limits) -> ContactDraft:
    """The Contact a complete online report becomes (channel "online")."""
    method = answers["contact_method"]
    phone = answers["contact_detail"] if method in ("phone", "text") else ""
    needs = answers.get("help_detail", "")
    if answers.get("needs_help") == "yes" and not needs:
        needs = "Asked for help to communicate"
    kind = dict(KINDS)[answers["kind"]].split(",")[0]
    preference = dict(CONTACT_METHODS)[method]
    narrative = (f"{answers['narrative']}\n\n[Online report: {kind}. Contact by "
                 f"{preference.lower()}: {answers['contact_detail']}]")
    return ContactDraft(
        channel=Channel.ONLINE, caller_name=answers["caller_name"], caller_phone=phone,
        caller_relationship=CallerRelationship(answers["caller_relationship"]),
        address=answers["address"], area_type=AreaType.URBAN,
        narrative=narrative, language=answers["language"],
        accessibility_needs=needs)
