"""The digital desk's page: one queue across the digital channels, danger first, breaches shown."""

from __future__ import annotations

import smtplib
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from firstcontact.contacts import desk, mail, social, social_send
from firstcontact.platform.model import Actor, NotFound, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import RowId, RuntimeDep, require
from firstcontact.web.forms import form_fields
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)
DeskWorker = Annotated[Actor, Depends(require(Permission.DESK_WORK))]
SocialReplier = Annotated[Actor, Depends(require(Permission.SOCIAL_REPLY))]


@router.get("/desk", response_class=HTMLResponse)
def desk_queue(request: Request, rt: RuntimeDep, actor: DeskWorker) -> HTMLResponse:
    entries = desk.queue(rt, actor)
    targets = sorted(desk.policy().reply_targets.items(), key=lambda item: item[1])
    return render(request, "contacts/desk.html", {
        "entries": entries, "now": rt.clock.now(), "targets": targets})


@router.post("/desk/{contact_id:int}/replied", response_model=None)
async def mark_replied(contact_id: RowId, rt: RuntimeDep, actor: DeskWorker) -> Response:
    await run_in_threadpool(desk.mark_replied, rt, actor, contact_id)
    return RedirectResponse("/desk", status_code=303)


@router.get("/desk/{contact_id:int}/email", response_class=HTMLResponse)
def email_thread(request: Request, contact_id: RowId, rt: RuntimeDep,
                 actor: DeskWorker) -> HTMLResponse:
    return _thread_page(request, rt, actor, contact_id, "", {})


def _thread_page(request: Request, rt: Runtime, actor: Actor, contact_id: int, body: str,
                 errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
    messages = mail.thread(rt, actor, contact_id)
    return render(request, "contacts/email_thread.html", {
        "contact_id": contact_id, "messages": messages, "body": body, "errors": errors},
        status_code=status_code)


@router.post("/desk/{contact_id:int}/email", response_model=None)
async def email_reply(request: Request, contact_id: RowId, rt: RuntimeDep,
                      actor: DeskWorker) -> Response:
    fields = await form_fields(request)
    body = str(fields.get("body", ""))
    try:
        await run_in_threadpool(mail.reply, rt, actor, contact_id, body)
    except ValidationError as error:
        return _thread_page(request, rt, actor, contact_id, body, error.errors, 422)
    except (OSError, smtplib.SMTPException):
        return _thread_page(request, rt, actor, contact_id, body, {
            "body": "The reply could not be sent: the mail server did not answer. "
                    "Try again in a few minutes."}, 503)
    return RedirectResponse(f"/desk/{contact_id}/email", status_code=303)


@router.get("/desk/{contact_id:int}/social", response_class=HTMLResponse)
def social_thread(request: Request, contact_id: RowId, rt: RuntimeDep,
                  actor: DeskWorker, sent: bool = False) -> HTMLResponse:
    return _social_page(request, rt, actor, contact_id, "", {}, sent=sent)


def _social_page(request: Request, rt: Runtime, actor: Actor, contact_id: int, text: str,
                 errors: dict[str, str], status_code: int = 200,
                 sent: bool = False) -> HTMLResponse:
    conversations = social.conversations_for(rt, actor, contact_id)
    if not conversations:
        raise NotFound(f"No social-media conversation on contact {contact_id}")
    return render(request, "contacts/social_thread.html", {
        "contact_id": contact_id, "conversations": conversations,
        "replying_to": conversations[-1], "may_reply": actor.may(Permission.SOCIAL_REPLY),
        "text": text, "errors": errors, "sent": sent}, status_code=status_code)


@router.post("/desk/{contact_id:int}/social", response_model=None)
async def social_reply(request: Request, contact_id: RowId, rt: RuntimeDep,
                       actor: SocialReplier) -> Response:
    """The reply goes to the contact's latest conversation, in the platform it came from."""
    fields = await form_fields(request)
    text = str(fields.get("text", ""))
    latest = await run_in_threadpool(social.conversations_for, rt, actor, contact_id)
    if not latest:
        raise NotFound(f"No social-media conversation on contact {contact_id}")
    try:
        await run_in_threadpool(social.reply, rt, actor, latest[-1].id, text)
    except ValidationError as error:
        return _social_page(request, rt, actor, contact_id, text, error.errors, 422)
    except social_send.DeliveryFailed as error:
        return _social_page(request, rt, actor, contact_id, text, {
            "text": f"The reply was not sent: {error} Nothing has been recorded as sent; "
                    "try again in a few minutes."}, 502)
    return RedirectResponse(f"/desk/{contact_id}/social?sent=1", status_code=303)
