"""Webhook endpoints for Meta (Messenger, Instagram, WhatsApp) and X, and the desk's replies.

A webhook is answered only after its messages are committed, so a 200 means stored. Anything
unsigned or wrongly signed is refused with 401 before its body is even parsed; a body that is
not JSON is 400; a body in the wrong shape is 422 naming the field. The platforms retry
anything but a 2xx, and a retry of a stored message is answered 200 and not stored again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from firstcontact.contacts import flood, social, social_send
from firstcontact.contacts.social_model import (
    InboundMessage,
    meta_handshake,
    meta_signature_valid,
    read_meta,
    read_x,
    x_crc_answer,
    x_signature_valid,
)
from firstcontact.platform.model import Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import RowId, get_runtime, require

router = APIRouter(prefix="/api", tags=["social media"])
log = logging.getLogger(__name__)

FORGED = "The webhook signature is missing or does not match."
FLOODED = "Too many webhook calls from this address. Wait {0} seconds and try again."


class IngestedOut(BaseModel):
    stored: int
    repeated: int


class MessageOut(BaseModel):
    id: int
    direction: str
    text: str
    sent_at: datetime
    sent_by_user_id: int | None


class ConversationOut(BaseModel):
    id: int
    platform: str
    sender_id: str
    sender_name: str
    contact_id: int
    messages: list[MessageOut]

    @classmethod
    def of(cls, view: social.ConversationView) -> ConversationOut:
        return cls(id=view.id, platform=view.platform.value, sender_id=view.sender_id,
                   sender_name=view.sender_name, contact_id=view.contact_id,
                   messages=[MessageOut(**vars(m)) for m in view.messages])


class ReplyIn(BaseModel):
    text: str = Field(max_length=10_000)


def _json(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise HTTPException(400, f"The body is not valid JSON: {error}") from None
    except RecursionError:  # "[[[[..." nested deeper than the parser goes: hypothesis found it
        raise HTTPException(400, "The body is not valid JSON: nested too deeply.") from None
    if not isinstance(payload, dict):
        raise HTTPException(400, "The body must be a JSON object.")
    return payload


async def within_limit(request: Request) -> None:
    """Count this call against its address's webhook limit; 429 with Retry-After over it.

    Counted before the signature is checked, so forged calls are cut off cheaply too.
    """
    rt = get_runtime(request)
    address = request.client.host if request.client else "unknown"
    wait = await run_in_threadpool(flood.retry_after, rt, "webhook", address,
                                   rt.settings.webhook_posts_per_minute, timedelta(minutes=1))
    if wait:
        raise HTTPException(429, FLOODED.format(wait), headers={"Retry-After": str(wait)})


Limited = Depends(within_limit)
WEBHOOK_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Signature missing or wrong: nothing stored"},
    429: {"description": "Too many calls from this address: nothing stored, retry later"}}


async def _receive(request: Request, valid: Callable[[bytes], bool],
                   read: Callable[[dict[str, Any]], list[InboundMessage]]) -> IngestedOut:
    body = await request.body()
    if not valid(body):
        log.warning("webhook refused: bad signature on %s", request.url.path)
        raise HTTPException(401, FORGED)
    messages = read(_json(body))
    ingested = await run_in_threadpool(social.ingest, get_runtime(request), messages)
    return IngestedOut(stored=ingested.stored, repeated=ingested.repeated)


@router.get("/webhooks/meta", response_class=PlainTextResponse,
            summary="Meta's subscription handshake (verify token)", dependencies=[Limited])
def meta_verify(
    rt: Annotated[Runtime, Depends(get_runtime)],
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=200)] = None,
) -> str:
    answer = meta_handshake(rt.settings.meta_verify_token, mode, token, challenge)
    if answer is None:
        raise HTTPException(403, "The verify token does not match.")
    return answer


@router.post("/webhooks/meta", response_model=IngestedOut,
             summary="Messenger, Instagram and WhatsApp messages (signed X-Hub-Signature-256)",
             responses=WEBHOOK_REFUSALS, dependencies=[Limited])
async def meta_webhook(request: Request) -> IngestedOut:
    secret = get_runtime(request).settings.meta_app_secret
    sent = request.headers.get("x-hub-signature-256")
    return await _receive(request, lambda body: meta_signature_valid(secret, body, sent),
                          read_meta)


@router.get("/webhooks/x", summary="X's challenge-response check (CRC)",
            dependencies=[Limited])
def x_crc(
    rt: Annotated[Runtime, Depends(get_runtime)],
    crc_token: Annotated[str, Query(min_length=1, max_length=200)],
) -> dict[str, str]:
    if not rt.settings.x_consumer_secret:
        raise HTTPException(401, "No X consumer secret is configured.")
    return x_crc_answer(rt.settings.x_consumer_secret, crc_token)


@router.post("/webhooks/x", response_model=IngestedOut,
             summary="X direct messages (Account Activity API, signed)",
             responses=WEBHOOK_REFUSALS, dependencies=[Limited])
async def x_webhook(request: Request) -> IngestedOut:
    secret = get_runtime(request).settings.x_consumer_secret
    sent = request.headers.get("x-twitter-webhooks-signature")
    return await _receive(request, lambda body: x_signature_valid(secret, body, sent), read_x)


@router.get("/social/conversations", response_model=list[ConversationOut],
            summary="The social-media conversations threaded into one contact")
def conversations(
    contact_id: int,
    rt: Annotated[Runtime, Depends(get_runtime)],
    actor: Annotated[Actor, Depends(require(Permission.CONTACT_READ))],
) -> list[ConversationOut]:
    return [ConversationOut.of(v) for v in social.conversations_for(rt, actor, contact_id)]


@router.get("/social/conversations/{conversation_id}", response_model=ConversationOut,
            summary="One conversation, every message in and out (the read is audited)")
def conversation(
    conversation_id: RowId,
    rt: Annotated[Runtime, Depends(get_runtime)],
    actor: Annotated[Actor, Depends(require(Permission.CONTACT_READ))],
) -> ConversationOut:
    return ConversationOut.of(social.read_conversation(rt, actor, conversation_id))


@router.post("/social/conversations/{conversation_id}/replies", status_code=201,
             response_model=MessageOut, summary="Reply in the channel the person used",
             responses={502: {"description": "The platform did not take the reply"}})
def send_reply(
    conversation_id: RowId,
    body: ReplyIn,
    rt: Annotated[Runtime, Depends(get_runtime)],
    actor: Annotated[Actor, Depends(require(Permission.SOCIAL_REPLY))],
) -> MessageOut | JSONResponse:
    try:
        sent = social.reply(rt, actor, conversation_id, body.text)
    except social_send.DeliveryFailed as error:
        return JSONResponse({"detail": str(error)}, status_code=502)
    return MessageOut(**vars(sent))
