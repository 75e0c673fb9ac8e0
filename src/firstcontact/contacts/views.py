"""The call handler's pages for taking a contact: the list and the new-contact form.

The form carries a one-off token used as the idempotency key, so a double click or a
browser retry of the same submit stores one contact, not two.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from firstcontact.contacts import service
from firstcontact.contacts.model import (
    STAFF_CHANNELS,
    AreaType,
    CallerRelationship,
    Channel,
    ContactStatus,
    parse_contact,
)
from firstcontact.platform.model import Actor, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import get_runtime, require
from firstcontact.web.forms import form_fields
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Creator = Annotated[Actor, Depends(require(Permission.CONTACT_CREATE))]
Reader = Annotated[Actor, Depends(require(Permission.CONTACT_READ))]


def _form_page(request: Request, values: dict[str, str], errors: dict[str, str],
               status_code: int = 200) -> HTMLResponse:
    return render(request, "contacts/new.html", {
        "values": values, "errors": errors,
        "channels": [(c.value, c.label) for c in STAFF_CHANNELS],
        "relationships": [(r.value, r.label) for r in CallerRelationship],
        "area_types": [(a.value, a.value.capitalize()) for a in AreaType],
    }, status_code=status_code)


@router.get("/contacts/new", response_class=HTMLResponse)
def new_contact(request: Request, actor: Creator) -> HTMLResponse:
    values = {"form_token": uuid.uuid4().hex, "language": "English", "area_type": "urban"}
    return _form_page(request, values, {})


@router.post("/contacts/new", response_model=None)
async def record_contact(request: Request, rt: RuntimeDep, actor: Creator) -> Response:
    fields = await form_fields(request)
    values = {k: v for k, v in fields.items() if isinstance(v, str)}
    try:
        draft = parse_contact(values, service.limits(rt), channels=STAFF_CHANNELS)
        recorded = await run_in_threadpool(
            service.record_contact, rt, actor, draft, values.get("form_token") or None)
    except ValidationError as error:
        return _form_page(request, values, error.errors, status_code=422)
    return RedirectResponse(f"/contacts/{recorded.contact.id}/assess", status_code=303)


@router.get("/contacts", response_class=HTMLResponse)
def list_contacts(request: Request, rt: RuntimeDep, actor: Reader,
                  status: str = "", channel: str = "") -> HTMLResponse:
    chosen = ContactStatus(status) if status in set(ContactStatus) else None
    by_channel = Channel(channel) if channel in set(Channel) else None
    contacts = service.list_contacts(rt, actor, status=chosen, channel=by_channel)
    return render(request, "contacts/list.html", {
        "contacts": contacts, "status": status, "statuses": list(ContactStatus),
        "channel": channel, "channels": list(Channel)})
