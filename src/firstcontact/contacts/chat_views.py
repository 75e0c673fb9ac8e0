"""Live chat over websockets: the public chat page and the digital desk's console.

Both ends speak JSON frames. A "send" frame is stored (chat.post_message) before the sender
gets its "ack"; everything either end should see arrives as "message" frames pushed from the
bus, so a message from a visitor on one worker reaches an agent on another. Each socket keeps
the highest message id it has pushed per chat and only ever pushes beyond it, so a reconnect
that asks for history "after" its last id never sees a message twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from firstcontact.contacts import chat
from firstcontact.contacts.chat_model import Sender, position_in_queue
from firstcontact.platform import auth
from firstcontact.platform.events import Event, Subscription
from firstcontact.platform.model import (
    Actor,
    Conflict,
    NotFound,
    Permission,
    PermissionDenied,
    ValidationError,
)
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import SESSION_COOKIE, get_runtime, require
from firstcontact.web.templating import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/chat", tags=["live chat"])
log = logging.getLogger(__name__)

Agent = Annotated[Actor, Depends(require(Permission.CHAT_ANSWER))]
FLOODED = "You are sending too much too quickly. Wait {0} seconds and try again."


class StartIn(BaseModel):
    name: str = Field("", max_length=1000)


@router.get("/chat", response_class=HTMLResponse)
def chat_page(request: Request) -> HTMLResponse:
    return render(request, "contacts/chat.html")


@router.get("/desk/chat", response_class=HTMLResponse)
def desk_page(request: Request, rt: Annotated[Runtime, Depends(get_runtime)],
              actor: Agent) -> HTMLResponse:
    return render(request, "contacts/chat_desk.html", {"queue": chat.waiting_queue(rt)})


@api_router.post("/start", status_code=201, summary="Open a live chat (public)",
                 responses={429: {"description": "Too many chats from this address"}})
def start(body: StartIn, request: Request,
          rt: Annotated[Runtime, Depends(get_runtime)]) -> Any:
    address = request.client.host if request.client else "unknown"
    wait = chat.start_wait(rt, address)
    if wait:
        return JSONResponse({"detail": FLOODED.format(wait)}, status_code=429,
                            headers={"Retry-After": str(wait)})
    opened, token = chat.start_chat(rt, body.name)
    return {"chat_id": opened.id, "token": token}


class Peer:
    """One websocket: which chats it shows, and the last message id pushed for each."""

    def __init__(self, socket: WebSocket, rt: Runtime, actor: Actor | None) -> None:
        self.socket, self.rt, self.actor = socket, rt, actor
        self.last_sent: dict[int, int] = {}
        self.chats: dict[int, chat.ChatView] = {}
        self.lock = asyncio.Lock()
        self.inbox: asyncio.Queue[Event] = asyncio.Queue()
        self.waiting = True
        """A visitor still in the queue needs its place refreshed whenever the queue moves."""
        self.address = socket.client.host if socket.client else "unknown"

    async def push_new(self, chat_id: int) -> None:
        """Push every stored message of this chat beyond the last one pushed, in order."""
        async with self.lock:
            after = self.last_sent.get(chat_id, 0)
            found = await run_in_threadpool(chat.messages_after, self.rt, chat_id, after)
            for message in found:
                await self.socket.send_json({"type": "message", **message.as_json()})
                self.last_sent[chat_id] = message.id

    async def send(self, view: chat.ChatView, sender: Sender, frame: dict[str, Any]) -> None:
        if self.actor is None:
            wait = await run_in_threadpool(chat.message_wait, self.rt, self.address)
            if wait:
                await self.socket.send_json({"type": "error", "status": 429,
                                             "message": FLOODED.format(wait),
                                             "client_id": frame.get("client_id")})
                return
        message, _ = await run_in_threadpool(chat.post_message, self.rt, view, sender,
                                             frame.get("client_id"), frame.get("text"),
                                             self.actor)
        await self.socket.send_json({"type": "ack", "client_id": message.client_id,
                                     "id": message.id, "chat_id": view.id})
        await self.push_new(view.id)

    async def status(self, view: chat.ChatView) -> None:
        queue = await run_in_threadpool(chat.waiting_queue, self.rt)
        fresh = await run_in_threadpool(chat.current, self.rt, view.id)
        waiting = next((w for w in queue if w.chat_id == view.id), None)
        self.waiting = waiting is not None
        await self.socket.send_json({
            "type": "status", "status": fresh.status.value,
            "position": position_in_queue(queue, view.id),
            "wait_seconds": waiting.wait_seconds if waiting else None})

    async def queue(self) -> None:
        queue = await run_in_threadpool(chat.waiting_queue, self.rt)
        await self.socket.send_json({"type": "queue", "chats": [
            {"chat_id": w.chat_id, "visitor_name": w.visitor_name,
             "requested_at": w.requested_at.isoformat(), "wait_seconds": w.wait_seconds}
            for w in queue]})


class Hub:
    """One bus subscription per worker, handing each chat event only to the sockets it concerns.

    A subscription per socket would wake every open socket for every message (500 chats, 500
    wake-ups a message); here a message wakes the sockets showing its chat, and a queue change
    the desk consoles and the visitors still waiting.
    """

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.peers: set[Peer] = set()
        self.task: asyncio.Task[None] | None = None
        self.subscription: Subscription | None = None

    def join(self, peer: Peer) -> None:
        self.peers.add(peer)
        if self.task is None:
            self.subscription = self.rt.bus.subscribe(frozenset({"chat"}))
            self.task = asyncio.create_task(self._run(self.subscription))

    async def leave(self, peer: Peer) -> None:
        self.peers.discard(peer)
        if not self.peers and self.task is not None and self.subscription is not None:
            task, subscription, self.task, self.subscription = (
                self.task, self.subscription, None, None)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            subscription.close()

    async def _run(self, subscription: Subscription) -> None:
        while True:
            event = await subscription.queue.get()
            chat_id = _number(event.payload.get("chat_id"))
            for peer in list(self.peers):
                if chat_id in peer.chats or (event.topic == "chat.queue" and (
                        peer.actor is not None or peer.waiting)):
                    peer.inbox.put_nowait(event)


def _hub(socket: WebSocket, rt: Runtime) -> Hub:
    state = socket.app.state
    if not hasattr(state, "chat_hub"):
        state.chat_hub = Hub(rt)
    hub: Hub = state.chat_hub
    return hub


async def _pump(peer: Peer) -> None:
    """Events for this socket to frames: new messages of its chats, queue changes.

    Events that arrived together are handled together (one queue refresh for a burst of
    takes), so hundreds of open chats do not each re-read the queue hundreds of times.
    """
    while True:
        events = [await peer.inbox.get()]
        while not peer.inbox.empty():
            events.append(peer.inbox.get_nowait())
        touched = {_number(e.payload.get("chat_id")) for e in events if e.topic == "chat.message"}
        for chat_id in sorted(touched & set(peer.chats)):
            await peer.push_new(chat_id)
        if any(e.topic == "chat.queue" for e in events):
            if peer.actor is not None:
                await peer.queue()
            else:
                await peer.status(next(iter(peer.chats.values())))


async def _converse(socket: WebSocket, peer: Peer, frames: Any) -> None:
    """Run `frames` (the reader) beside the pump until the socket closes."""
    hub = _hub(socket, peer.rt)
    hub.join(peer)
    pump = asyncio.create_task(_pump(peer))
    try:
        await frames
    except WebSocketDisconnect:
        pass
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump
        await hub.leave(peer)


async def _frames(socket: WebSocket) -> AsyncIterator[dict[str, Any]]:
    """Each JSON object the other end sends; anything else is answered with an error frame."""
    while True:
        text = await socket.receive_text()
        try:
            frame = json.loads(text)
        except ValueError:
            frame = None
        if isinstance(frame, dict):
            yield frame
        else:
            await socket.send_json({"type": "error", "status": 400,
                                    "message": "Each frame must be a JSON object."})


def _number(value: object) -> int:
    """A chat or message id from a frame; 0 (matches nothing) when it is not one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return max(0, value)
    if isinstance(value, str) and value.isdigit() and len(value) <= 18:
        return int(value)
    return 0


async def _answer_errors(peer: Peer, frame: dict[str, Any], handle: Any) -> None:
    try:
        await handle(frame)
    except ValidationError as error:
        await peer.socket.send_json({"type": "error", "status": 422, "field": error.field,
                                     "message": error.message,
                                     "client_id": frame.get("client_id")})
    except (Conflict, NotFound, PermissionDenied) as error:
        status = 404 if isinstance(error, NotFound) else 403 if isinstance(
            error, PermissionDenied) else 409
        await peer.socket.send_json({"type": "error", "status": status, "message": str(error)})


@router.websocket("/chat/socket")
async def public_socket(socket: WebSocket) -> None:
    """The visitor's end. First frame: {"type": "hello", "token": ..., "after": last id}."""
    rt: Runtime = socket.app.state.runtime
    await socket.accept()
    try:
        hello = await anext(_frames(socket))
    except WebSocketDisconnect:
        return
    view = await run_in_threadpool(chat.chat_for_token, rt, str(hello.get("token", ""))[:200])
    if view is None:
        await socket.close(code=4401, reason="Unknown chat")
        return
    peer = Peer(socket, rt, None)
    peer.chats[view.id] = view
    peer.last_sent[view.id] = _number(hello.get("after"))

    async def reader() -> None:
        await peer.status(view)
        await peer.push_new(view.id)
        async for frame in _frames(socket):
            if frame.get("type") == "send":
                await _answer_errors(peer, frame,
                                     lambda f: peer.send(view, Sender.PUBLIC, f))

    await _converse(socket, peer, reader())


def _same_origin(socket: WebSocket) -> bool:
    """A browser always sends Origin: refuse a page elsewhere riding the agent's cookie."""
    origin = socket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == socket.headers.get("host")


async def _agent(socket: WebSocket, rt: Runtime) -> Actor | None:
    scheme, _, bearer = socket.headers.get("authorization", "").partition(" ")
    token = (bearer.strip() if scheme.lower() == "bearer" else "") or socket.cookies.get(
        SESSION_COOKIE)
    found = await run_in_threadpool(auth.actor_for_token, rt, token) if token else None
    if found is None or not _same_origin(socket):
        return None
    return found.actor if found.actor.may(Permission.CHAT_ANSWER) else None


@router.websocket("/desk/chat/socket")
async def desk_socket(socket: WebSocket) -> None:
    """The agent's end: the queue, "take", "watch" (resume after a reload) and "send"."""
    rt: Runtime = socket.app.state.runtime
    actor = await _agent(socket, rt)
    await socket.accept()
    if actor is None:
        await socket.close(code=4403, reason="Sign in as the digital desk")
        return
    peer = Peer(socket, rt, actor)

    async def handle(frame: dict[str, Any]) -> None:
        chat_id = _number(frame.get("chat_id"))
        kind = frame.get("type")
        if kind == "take":
            view = await run_in_threadpool(chat.take_chat, rt, actor, chat_id)
            await _show(peer, view, 0)
        elif kind == "watch":
            view = await run_in_threadpool(chat.chat_for_agent, rt, actor, chat_id)
            await _show(peer, view, _number(frame.get("after")))
        elif kind == "send":
            if chat_id not in peer.chats:
                await _show(peer, await run_in_threadpool(chat.chat_for_agent, rt, actor,
                                                          chat_id), 0)
            await peer.send(peer.chats[chat_id], Sender.AGENT, frame)

    async def reader() -> None:
        await peer.queue()
        mine = await run_in_threadpool(chat.chats_of_agent, rt, actor)
        await socket.send_json({"type": "mine", "chats": [_describe(v) for v in mine]})
        async for frame in _frames(socket):
            await _answer_errors(peer, frame, handle)

    await _converse(socket, peer, reader())


def _describe(view: chat.ChatView) -> dict[str, Any]:
    return {"chat_id": view.id, "visitor_name": view.visitor_name,
            "contact_id": view.contact_id, "assess_url": f"/contacts/{view.contact_id}/assess"}


async def _show(peer: Peer, view: chat.ChatView, after: int) -> None:
    peer.chats[view.id] = view
    peer.last_sent[view.id] = after
    await peer.socket.send_json({"type": "taken", **_describe(view)})
    await peer.push_new(view.id)
