"""Intake's CPU per contact, in one process: where the time goes, without a server or a driver.

Sends N contacts straight into the real ASGI app (the same routes, middleware, bearer auth and
intake steps as `serve`, on a SQLite file; no HTTP parsing, no client), after a warm-up, and
prints the CPU time per contact. `--bare` sends the same body to bench/bare_app.py's one-row
insert instead, so the two figures make an in-process ratio that a busy machine disturbs less
than bench/intake.py's. `--service` calls `contacts.service.record_contact` directly, so the
web layer's share can be told apart. `--profile FILE` writes a cProfile dump of the timed part
(`--top N` prints the heaviest functions); while profiling, sync routes run on the event
loop's thread, since cProfile sees one thread only. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from fastapi import FastAPI

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bare_app  # noqa: E402
from firstcontact.app import create_app  # noqa: E402
from firstcontact.contacts import service  # noqa: E402
from firstcontact.contacts.model import parse_contact  # noqa: E402
from firstcontact.platform import auth  # noqa: E402
from firstcontact.platform.db import migrate  # noqa: E402
from firstcontact.platform.model import SYSTEM, Actor, Role  # noqa: E402
from firstcontact.platform.runtime import Runtime  # noqa: E402
from firstcontact.settings import Settings  # noqa: E402
from intake import CONTACT  # noqa: E402  (the same body bench/intake.py sends)

BODY = json.dumps(CONTACT).encode()
USERNAME, PASSWORD = "profile.handler", "profile-passphrase-not-for-production"
Send = Callable[[], None]


async def asgi_post(app: FastAPI, path: str, headers: dict[str, str]) -> int:
    """One POST with BODY through the app's ASGI interface; returns the status."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": b"", "server": ("127.0.0.1", 8000),
             "client": ("127.0.0.1", 50000),
             "headers": [(name.lower().encode(), value.encode()) for name, value in
                         ({"content-type": "application/json",
                           "content-length": str(len(BODY))} | headers).items()]}
    messages = [{"type": "http.request", "body": BODY, "more_body": False}]
    status = 0

    async def receive() -> MutableMapping[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def over_asgi(app: FastAPI, path: str, headers: dict[str, str], keyed: bool,
              loop: asyncio.AbstractEventLoop) -> Send:
    def post() -> None:
        extra = {"idempotency-key": uuid.uuid4().hex} if keyed else {}
        status = loop.run_until_complete(asgi_post(app, path, headers | extra))
        if status not in (200, 201):
            raise RuntimeError(f"{path} answered {status}")

    return post


def signed_in(rt: Runtime) -> tuple[Actor, dict[str, str]]:
    actor = auth.create_user(rt, SYSTEM, USERNAME, "Profile Handler", Role.CALL_HANDLER,
                             PASSWORD)
    token = auth.sign_in(rt, USERNAME, PASSWORD, "127.0.0.1").token
    return actor, {"authorization": f"Bearer {token}"}


def in_service(rt: Runtime, actor: Actor) -> Send:
    """One `record_contact` per call: the intake service without HTTP, JSON or auth."""
    fields: dict[str, str | None] = {
        "channel": "phone_101", "caller_name": "Sam Patel", "caller_phone": "07700 900123",
        "caller_relationship": "victim", "address": "12 High Street, Anytown",
        "area_type": "urban", "narrative": str(CONTACT["narrative"]), "language": "English",
        "accessibility_needs": ""}

    def record() -> None:
        service.record_contact(rt, actor, parse_contact(fields, service.limits(rt)),
                               uuid.uuid4().hex)

    return record


@contextmanager
def on_one_thread() -> Iterator[None]:
    """Run sync routes and dependencies inline, so cProfile (one thread) sees them."""
    import fastapi.dependencies.utils as dependencies
    import fastapi.routing as routing

    async def inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    saved = {module: module.run_in_threadpool
             for module in (routing, dependencies)}
    for module in saved:
        module.run_in_threadpool = inline  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, original in saved.items():
            module.run_in_threadpool = original  # type: ignore[attr-defined]


def timed(one: Send, count: int, warmup: int, profiler: cProfile.Profile | None
          ) -> tuple[float, float]:
    for _ in range(warmup):
        one()
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for _ in range(count):
        one()
    if profiler:
        profiler.disable()
    return time.process_time() - cpu, time.perf_counter() - wall


def run(count: int, warmup: int, mode: str, profile: str | None, top: int) -> dict[str, object]:
    # CPU time, not wall time: on a shared machine, waiting for a core is not our cost.
    profiler = cProfile.Profile(time.process_time) if profile or top else None
    with tempfile.TemporaryDirectory(prefix="fc-profile-") as folder:
        # bare_app.create() reads its settings from the environment, as `serve` does.
        os.environ.update({"FIRSTCONTACT_DATABASE_URL": f"sqlite:///{Path(folder) / 'p.db'}",
                           "FIRSTCONTACT_TIMER_ENABLED": "false",
                           "FIRSTCONTACT_LOG_LEVEL": "WARNING",
                           "FIRSTCONTACT_SECRET_KEY": "profile-secret"})
        migrate(Settings().database_url)
        app = bare_app.create() if mode == "bare" else create_app(Settings())
        rt: Runtime = app.state.runtime
        actor, headers = signed_in(rt)
        loop = asyncio.new_event_loop()
        one = (in_service(rt, actor) if mode == "service" else
               over_asgi(app, "/bench/bare", {}, False, loop) if mode == "bare" else
               over_asgi(app, "/api/contacts", headers, True, loop))
        with on_one_thread() if profiler else nullcontext():
            cpu, wall = timed(one, count, warmup, profiler)
        loop.close()
        rt.database.dispose()
    if profiler and profile:
        profiler.dump_stats(profile)
    if profiler and top:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)
    return {"mode": mode, "contacts": count, "cpu_ms_per_contact": round(cpu * 1000 / count, 3),
            "wall_ms_per_contact": round(wall * 1000 / count, 3),
            "profiled": profiler is not None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--mode", choices=("http", "bare", "service"), default="http")
    parser.add_argument("--profile", help="write a cProfile dump here")
    parser.add_argument("--top", type=int, default=0, help="print the N heaviest functions")
    args = parser.parse_args()
    print(json.dumps(run(args.count, args.warmup, args.mode, args.profile, args.top)))


if __name__ == "__main__":
    main()
