"""The platform's pure types: who is acting, what they may do, and the errors every room raises.

Rooms' model.py files may import this module; it imports only the standard library.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ValidationError(Exception):
    """Input a person must correct. `field` names the form field or JSON key at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


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
    AUDIT_READ = "audit:read"
    USER_MANAGE = "user:manage"


_FRONT_LINE = {
    Permission.CONTACT_CREATE,
    Permission.CONTACT_READ,
    Permission.ASSESSMENT_CREATE,
    Permission.INCIDENT_READ,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CALL_HANDLER: frozenset(_FRONT_LINE),
    Role.DIGITAL_DESK: frozenset(_FRONT_LINE),
    Role.DISPATCHER: frozenset({Permission.CONTACT_READ, Permission.ASSESSMENT_CREATE,
                                Permission.INCIDENT_READ}),
    Role.TEAM_LEADER: frozenset(_FRONT_LINE | {Permission.AUDIT_READ}),
    Role.QA_REVIEWER: frozenset({Permission.CONTACT_READ, Permission.INCIDENT_READ,
                                 Permission.AUDIT_READ}),
    Role.VICTIM_CARE: frozenset({Permission.CONTACT_READ, Permission.INCIDENT_READ}),
    Role.PARTNER_AGENCY: frozenset(),
    Role.ADMIN: frozenset(Permission),
}
"""What each role may do. A partner-agency user reaches only its own referrals (a later room)."""


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
