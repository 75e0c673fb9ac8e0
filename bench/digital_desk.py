"""The digital desk under load: social-media webhook ingest, and live-chat delivery latency.

Both start the real server (`firstcontact serve`, one process, SQLite in WAL mode) after
`db upgrade`. Webhook ingest drives POST /api/webhooks/meta with signed Messenger payloads
(each a new message; senders drawn from a pool, so most thread into an existing Contact) from
a fixed set of keep-alive connections for a set time, then sends every payload again to time
the replay path (stored once, answered 200). Chat latency opens many chats, has one agent take
them all on one desk socket, connects a visitor socket per chat, and times each visitor
message from the moment it is sent to the moment the agent's socket receives it (stored,
announced on the bus, pushed). Figures are printed, not asserted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.live_server import firstcontact, live_server, server_env  # noqa: E402

from firstcontact.contacts.social_model import hub_signature  # noqa: E402
from intake import Connection, percentile  # noqa: E402

SECRET = "bench-meta-secret"  # noqa: S105 (a throwaway server's)
AGENT, PASSWORD = "bench.desk", "bench-passphrase-not-for-production"
SENDERS = 200


def messenger_payload(number: int) -> bytes:
    event = {"sender": {"id": f"{7000000 + number % SENDERS}"},
             "recipient": {"id": "106540352242922"}, "timestamp": 1773480600123 + number,
             "message": {"mid": f"m_bench_{number}_{uuid.uuid4().hex[:8]}",
                         "text": "Someone is trying car door handles on Elm Road"}}
    return json.dumps({"object": "page", "entry": [
        {"id": "106540352242922", "time": 1773480600500, "messaging": [event]}]}).encode()


async def post_all(url: str, bodies: list[bytes], connections: int,
                   seconds: float | None) -> dict[str, float]:
    """POST the bodies from `connections` keep-alive connections (stopping after `seconds`)."""
    pending = list(reversed(bodies))
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()

    async def worker() -> None:
        nonlocal errors
        connection = Connection(url)
        while pending and (seconds is None or time.perf_counter() - start < seconds):
            body = pending.pop()
            sent = time.perf_counter()
            status = await connection.post("/api/webhooks/meta", body, {
                "X-Hub-Signature-256": hub_signature(SECRET, body)})
            if status == 200:
                latencies.append(time.perf_counter() - sent)
            else:
                errors += 1
        connection.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {"ok": len(latencies), "errors": errors, "per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1)}


async def ingest(url: str, seconds: float, connections: int) -> dict[str, Any]:
    bodies = [messenger_payload(n) for n in range(int(seconds * 2000))]
    fresh = await post_all(url, bodies, connections, seconds)
    replays = await post_all(url, bodies[: int(fresh["ok"])], connections, seconds)
    return {"seconds": seconds, "connections": connections, "senders": SENDERS,
            "new_messages": fresh, "replays": replays}


async def frames(socket: ClientConnection, wanted: str, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while len(found) < count:
        frame = json.loads(await socket.recv())
        if frame.get("type") == wanted:
            found.append(frame)
    return found


async def chat_latency(url: str, token: str, chats: int, messages: int,
                       rate: float) -> dict[str, Any]:
    """Open `chats` chats, one agent takes them all, visitors send `messages` at `rate`/s."""
    ws = "ws://" + url.removeprefix("http://")
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        opened = [(await client.post("/api/chat/start", json={"name": f"Visitor {n}"})).json()
                  for n in range(chats)]
    async with connect(f"{ws}/desk/chat/socket", max_queue=None,
                       additional_headers={"Authorization": f"Bearer {token}"}) as agent:
        await frames(agent, "mine", 1)
        for chat in opened:
            await agent.send(json.dumps({"type": "take", "chat_id": chat["chat_id"]}))
        await frames(agent, "taken", chats)
        visitors = [await connect(f"{ws}/chat/socket", max_queue=None) for _ in opened]
        for socket, chat in zip(visitors, opened, strict=True):
            await socket.send(json.dumps({"type": "hello", "token": chat["token"], "after": 0}))
        for socket in visitors:  # every visitor connected and told its status: steady state
            await frames(socket, "status", 1)
        sent_at: dict[str, float] = {}
        latencies: list[float] = []

        async def receive() -> None:
            while len(latencies) < messages:
                frame = json.loads(await agent.recv())
                if frame.get("type") == "message" and frame["client_id"] in sent_at:
                    latencies.append(time.perf_counter() - sent_at[frame["client_id"]])

        receiver = asyncio.create_task(receive())
        start = time.perf_counter()
        for number in range(messages):
            delay = start + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            client_id = f"bench-{number:08d}"
            sent_at[client_id] = time.perf_counter()
            await random.choice(visitors).send(json.dumps(
                {"type": "send", "client_id": client_id, "text": f"Message {number}"}))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(receiver, timeout=30)
        for socket in visitors:
            await socket.close()
    latencies.sort()
    return {"chats": chats, "messages": messages, "offered_per_s": rate,
            "delivered": len(latencies),
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
            "max_ms": round(latencies[-1] * 1000, 1) if latencies else None}


def run(seconds: float = 10, connections: int = 8, chats: int = 500, messages: int = 1500,
        rate: float = 50) -> dict[str, Any]:
    random.seed(4)
    with tempfile.TemporaryDirectory(prefix="fc-bench-desk-") as folder:
        env = server_env(f"sqlite:///{Path(folder) / 'bench.db'}",
                         FIRSTCONTACT_TIMER_ENABLED="false", FIRSTCONTACT_LOG_LEVEL="WARNING",
                         FIRSTCONTACT_META_APP_SECRET=SECRET,
                         FIRSTCONTACT_CHAT_STARTS_PER_HOUR="1000000",
                         FIRSTCONTACT_CHAT_MESSAGES_PER_MINUTE="1000000")
        firstcontact("db", "upgrade", env=env)
        firstcontact("users", "create", "--username", AGENT, "--display-name", "Bench Desk",
                     "--role", "digital_desk", "--password", PASSWORD, env=env)
        with live_server(env, Path(folder) / "server.log") as server:
            token = httpx.post(f"{server.url}/api/session", timeout=30, json={
                "username": AGENT, "password": PASSWORD}).json()["token"]
            webhooks = asyncio.run(ingest(server.url, seconds, connections))
            chat = asyncio.run(chat_latency(server.url, token, chats, messages, rate))
    return {"webhooks": webhooks, "chat": chat}


def settings_from_environment() -> dict[str, Any]:
    return {"seconds": float(os.environ.get("BENCH_SECONDS", "10")),
            "chats": int(os.environ.get("BENCH_CHATS", "500")),
            "messages": int(os.environ.get("BENCH_CHAT_MESSAGES", "1500")),
            "rate": float(os.environ.get("BENCH_CHAT_RATE", "50"))}


if __name__ == "__main__":
    print(json.dumps(run(**settings_from_environment()), indent=2))
