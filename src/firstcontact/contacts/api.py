"""JSON routes for taking contacts in: what a command-and-control or telephony system calls."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, Field

from firstcontact.contacts import service
from firstcontact.contacts.model import (
    AreaType,
    CallerRelationship,
    Channel,
    ContactDraft,
    parse_contact,
)
from firstcontact.platform.model import Actor, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import RowId, get_runtime, require

router = APIRouter(prefix="/api/contacts", tags=["contacts"])

API_FIELDS = {
    "caller_name": "caller.name",
    "caller_phone": "caller.phone",
    "caller_relationship": "caller.relationship",
    "address": "location.address",
    "area_type": "location.area_type",
}
"""The domain's field names as they appear in the JSON body, so errors name what was sent."""


class CallerIn(BaseModel):
    name: str = Field("", max_length=1000)
    phone: str = Field("", max_length=100)
    relationship: CallerRelationship


class LocationIn(BaseModel):
    address: str = Field(max_length=5000)
    area_type: AreaType = AreaType.URBAN


class ContactIn(BaseModel):
    channel: Channel
    caller: CallerIn
    location: LocationIn
    narrative: str = Field(max_length=200_000)
    language: str = Field("English", max_length=1000)
    accessibility_needs: str = Field("", max_length=5000)


class CallerOut(BaseModel):
    name: str
    phone: str
    relationship: CallerRelationship


class LocationOut(BaseModel):
    address: str
    area_type: str


class ContactOut(BaseModel):
    id: int
    reference: str
    channel: Channel
    status: str
    caller: CallerOut
    location: LocationOut
    narrative: str
    language: str
    accessibility_needs: str
    received_at: datetime

    @classmethod
    def of(cls, contact: service.ContactView) -> ContactOut:
        return cls(
            id=contact.id, reference=contact.reference, channel=contact.channel,
            status=contact.status.value,
            caller=CallerOut(name=contact.caller_name, phone=contact.caller_phone,
                             relationship=contact.caller_relationship),
            location=LocationOut(address=contact.address, area_type=contact.area_type),
            narrative=contact.narrative, language=contact.language,
            accessibility_needs=contact.accessibility_needs, received_at=contact.received_at,
        )


def draft_from(body: ContactIn, rt: Runtime) -> ContactDraft:
    fields = {
        "channel": body.channel.value, "caller_name": body.caller.name,
        "caller_phone": body.caller.phone, "caller_relationship": body.caller.relationship.value,
        "address": body.location.address, "area_type": body.location.area_type.value,
        "narrative": body.narrative, "language": body.language,
        "accessibility_needs": body.accessibility_needs,
    }
    try:
        return parse_contact(fields, service.limits(rt))
    except ValidationError as error:
        raise ValidationError.of(
            {API_FIELDS.get(field, field): message for field, message in error.errors.items()}
        ) from None


@router.post("", status_code=201, response_model=ContactOut, summary="Record a new contact",
             responses={200: {"description": "A retry of a submit already stored: the first "
                                             "record, unchanged"},
                        409: {"description": "Idempotency-Key reused for different content"}})
def record_contact(
    body: ContactIn,
    response: Response,
    rt: Annotated[Runtime, Depends(get_runtime)],
    actor: Annotated[Actor, Depends(require(Permission.CONTACT_CREATE))],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> ContactOut:
    """Stored and committed before this answers. Send an Idempotency-Key to retry safely."""
    recorded = service.record_contact(rt, actor, draft_from(body, rt), idempotency_key)
    if not recorded.created:
        response.status_code = 200
    return ContactOut.of(recorded.contact)


@router.get("", response_model=list[ContactOut], summary="The newest contacts")
def list_contacts(
    rt: Annotated[Runtime, Depends(get_runtime)],
    actor: Annotated[Actor, Depends(require(Permission.CONTACT_READ))],
    limit: int = 50,
) -> list[ContactOut]:
    contacts = service.list_contacts(rt, actor, limit=max(1, min(limit, 500)))
    return [ContactOut.of(contact) for contact in contacts]


@router.get("/{contact_id}", response_model=ContactOut, summary="One contact (the read is audited)")
def get_contact(
    contact_id: RowId,
    rt: Annotated[Runtime, Depends(get_runtime)],
    actor: Annotated[Actor, Depends(require(Permission.CONTACT_READ))],
) -> ContactOut:
    return ContactOut.of(service.get_contact(rt, actor, contact_id))
