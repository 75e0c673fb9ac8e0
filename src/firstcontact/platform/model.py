"""The platform's pure types: who is acting, what they may do, and the errors every room raises.

Rooms' model.py files may import this module; it imports only the standard library.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class ValidationError(Exception):
    """Input a person must correct. `field` names the form field or JSON key at fault.

    `errors` holds every field at fault (first one also in `field`/`message`), so a form can
    show them all at once.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.errors: dict[str, str] = {field: message}

    @classmethod
    def of(cls, errors: Mapping[str, str]) -> ValidationError:
        field, message = next(iter(errors.items()))
        error = cls(field, message)
        error.errors = dict(errors)
        return error


class NotFound(Exception):
    """The thing asked for does not exist (or the actor may not know that it does)."""


class PermissionDenied(Exception):
    """The actor's role does not allow this."""


class Conflict(Exception):
    """The request clashes with the current state (for example, a unit already assigned)."""


class Role(enum.StrEnum):
    CALL_HANDLER = "call_handler"
    DISPATCHER = "dispatcher"
    TEAM_LEADER = "team_leader"
    DIGITAL_DESK = "digital_desk"
    QA_REVIEWER = "qa_reviewer"
    VICTIM_CARE = "victim_care"
    PARTNER_AGENCY = "partner_agency"
    ADMIN = "admin"


class Permission(enum.StrEnum):
    CONTACT_CREATE = "contact:create"
    CONTACT_READ = "contact:read"
    ASSESSMENT_CREATE = "assessment:create"
    INCIDENT_READ = "incident:read"
    HARM_DECIDE = "harm:decide"
    """Confirm or dismiss a hidden-harm prompt (and so add a qualifier to the incident)."""
    INCIDENT_REVIEW = "incident:review"
    INCIDENT_DISPATCH = "incident:dispatch"
    DEMAND_OVERSEE = "demand:oversee"
    AUDIT_READ = "audit:read"
    USER_MANAGE = "user:manage"
    VICTIM_READ = "victim:read"
    VICTIM_UPDATE = "victim:update"
    VICTIM_COMPLIANCE = "victim:compliance"
    DESK_WORK = "desk:work"
    PERSON_READ = "person:read"
    PERSON_MERGE = "person:merge"
    REFERRAL_CREATE = "referral:create"
    REFERRAL_READ = "referral:read"
    AGENCY_MANAGE = "agency:manage"
    SOCIAL_REPLY = "social:reply"
    """Send a reply from the force's social-media accounts (the digital desk only)."""
    CHAT_ANSWER = "chat:answer"
    """Take a live chat from the waiting queue and write in it (the digital desk only)."""
    MISSING_REPORT = "missing:report"
    """Take, read and close a missing-person report (call handlers and team leaders)."""
    MISSING_REVIEW = "missing:review"
    """Review a missing person's risk level (a supervisor's duty: team leaders)."""
    RECORDS_MANAGE = "records:manage"
    """Subject-access exports and the retention review (the force's records manager: admin)."""
    SERVICE_REPORT = "report:read"
    """Read the service report (figures only, no person's record): team leaders, QA."""
    TELEPHONY_IMPORT = "telephony:import"
    """Import call events from the telephony platform (team leaders; admins)."""
    QA_REVIEW = "qa:review"
    """Take QA samples, read a sampled contact whole, score it, and see every review and the
    trends (QA reviewers and team leaders)."""
    QA_FEEDBACK = "qa:feedback"
    """Read and acknowledge the QA reviews of one's own contacts (and only one's own)."""


_FRONT_LINE = {
    Permission.CONTACT_CREATE,
    Permission.CONTACT_READ,
    Permission.ASSESSMENT_CREATE,
    Permission.INCIDENT_READ,
    Permission.HARM_DECIDE,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CALL_HANDLER: frozenset(_FRONT_LINE | {Permission.PERSON_READ,
                                                Permission.MISSING_REPORT,
                                                Permission.QA_FEEDBACK}),
    Role.DIGITAL_DESK: frozenset(_FRONT_LINE | {Permission.DESK_WORK, Permission.PERSON_READ,
                                                Permission.SOCIAL_REPLY,
                                                Permission.CHAT_ANSWER,
                                                Permission.QA_FEEDBACK}),
    Role.DISPATCHER: frozenset({Permission.CONTACT_READ, Permission.ASSESSMENT_CREATE,
                                Permission.INCIDENT_READ, Permission.INCIDENT_REVIEW,
                                Permission.INCIDENT_DISPATCH, Permission.QA_FEEDBACK}),
    Role.TEAM_LEADER: frozenset(_FRONT_LINE | {Permission.AUDIT_READ, Permission.DESK_WORK,
                                               Permission.VICTIM_COMPLIANCE,
                                               Permission.PERSON_READ, Permission.PERSON_MERGE,
                                               Permission.REFERRAL_CREATE,
                                               Permission.REFERRAL_READ,
                                               Permission.INCIDENT_REVIEW,
                                               Permission.INCIDENT_DISPATCH,
                                               Permission.DEMAND_OVERSEE,
                                               Permission.MISSING_REPORT,
                                               Permission.MISSING_REVIEW,
                                               Permission.SERVICE_REPORT,
                                               Permission.TELEPHONY_IMPORT,
                                               Permission.QA_REVIEW,
                                               Permission.QA_FEEDBACK}),
    Role.QA_REVIEWER: frozenset({Permission.CONTACT_READ, Permission.INCIDENT_READ,
                                 Permission.AUDIT_READ, Permission.VICTIM_COMPLIANCE,
                                 Permission.SERVICE_REPORT, Permission.QA_REVIEW}),
    Role.VICTIM_CARE: frozenset({Permission.CONTACT_READ, Permission.INCIDENT_READ,
                                 Permission.VICTIM_READ, Permission.VICTIM_UPDATE,
                                 Permission.VICTIM_COMPLIANCE, Permission.PERSON_READ,
                                 Permission.REFERRAL_CREATE, Permission.REFERRAL_READ}),
    Role.PARTNER_AGENCY: frozenset({Permission.REFERRAL_READ}),
    Role.ADMIN: frozenset(Permission),
}
"""What each role may do. A partner-agency user reaches only the referrals made to its agency."""


@dataclass(frozen=True)
class Actor:
    """The person (or system process) doing something, as the audit log records them."""

    user_id: int | None
    username: str
    role: Role | None
    display_name: str = ""

    def may(self, permission: Permission) -> bool:
        return self.role is not None and permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            raise PermissionDenied(f"{self.username} may not {permission.value}")


SYSTEM = Actor(user_id=None, username="system", role=None, display_name="firstcontact")
"""The actor for work the platform does by itself (the timer loop, migrations, the demo seed)."""

PUBLIC = Actor(user_id=None, username="public", role=None, display_name="Member of the public")
"""Who sends a contact through a public channel (the online report form, email to the desk).
Nobody signs in, so it has no role and no permissions: contacts.service.record_contact lets it
record a new contact and nothing else reads or changes anything as it."""


MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|<!--|javascript\s*:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
"""Control characters and lone surrogates: no database column can hold a lone surrogate."""


def plain_text(field: str, value: str | None, *, max_chars: int, required: bool = False) -> str:
    """Free text as a person typed it: trimmed, NFC, no markup or control characters.

    Markup is refused rather than stripped, so what staff read is exactly what was given and a
    script never reaches a page, a letter or a partner agency.
    """
    text = unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n")).strip()
    if required and not text:
        raise ValidationError(field, "Enter this information")
    if len(text) > max_chars:
        raise ValidationError(field, f"Must be {max_chars:,} characters or fewer")
    if MARKUP.search(text):
        raise ValidationError(field, "Must not contain HTML or script")
    if _CONTROL.search(text):
        raise ValidationError(field, "Contains characters that cannot be stored")
    return text


class FieldErrors:
    """Gathers every field's error while a form is parsed, so a person sees them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except ValidationError as error:
            for field, message in error.errors.items():
                self.errors.setdefault(field, message)
            return None

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError.of(self.errors)
