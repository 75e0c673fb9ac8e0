"""Partner agencies and referrals: the minimised extract an agency receives, and the checks a
referral must pass (a known agency type, a reason, a lawful basis). Pure rules.

Only the fields the agency type needs leave the force (data minimisation); the rest of the
person's record never does.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from firstcontact.people.model import Identity
from firstcontact.platform.model import FieldErrors, ValidationError, plain_text


class ReferralStatus(enum.StrEnum):
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"


@dataclass(frozen=True)
class AgencyType:
    name: str
    label: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class AgencyPolicy:
    types: Mapping[str, AgencyType]
    lawful_bases: Mapping[str, str]


@dataclass(frozen=True)
class ReferralDraft:
    reason: str
    lawful_basis: str


def minimised(identity: Identity, fields: tuple[str, ...]) -> dict[str, str]:
    """Only the fields this kind of agency needs, and only those the force holds."""
    return {name: getattr(identity, name) for name in fields if getattr(identity, name)}


def parse_referral(fields: Mapping[str, str | None], policy: AgencyPolicy) -> ReferralDraft:
    errors = FieldErrors()
    reason = errors.check(lambda: plain_text("reason", fields.get("reason"), max_chars=5000,
                                             required=True))
    basis = errors.check(lambda: lawful_basis(fields.get("lawful_basis"), policy))
    errors.raise_any()
    return ReferralDraft(str(reason), str(basis))


def lawful_basis(raw: str | None, policy: AgencyPolicy) -> str:
    basis = (raw or "").strip()
    if not basis:
        raise ValidationError("lawful_basis", "Select the lawful basis for sharing this "
                              "person's data with the agency")
    if basis not in policy.lawful_bases:
        raise ValidationError("lawful_basis", f"Select one of: {', '.join(policy.lawful_bases)}")
    return basis


def agency_name(raw: str | None, kind: str | None, policy: AgencyPolicy) -> tuple[str, str]:
    errors = FieldErrors()
    name = errors.check(lambda: plain_text("name", raw, max_chars=200, required=True))
    errors.check(lambda: _known_type(kind, policy))
    errors.raise_any()
    return str(name), str(kind)


def _known_type(kind: str | None, policy: AgencyPolicy) -> str:
    if kind is None or kind not in policy.types:
        raise ValidationError("agency_type", f"Select one of: {', '.join(policy.types)}")
    return kind
