"""A day of control-room demand replayed end to end against real `firstcontact serve` processes.

The day (bench/day_profile.py: hourly curve, channel mix, sources and assumptions) is replayed
open-loop at 1x, 10x and 100x speed, each for the same stretch of real time, starting at the
busiest hour: so 1x replays a window of minutes, 100x a window of hours. Each arrival is what
its channel sends: a 999 or 101 call is recorded by a call handler (POST /api/contacts with an
Idempotency-Key) who then opens it (GET /api/contacts/{id}, an audited read); online and email
reports come in through the same contacts API (the path the form and the mail listener share);
a live chat opens through POST /api/chat/start; a social-media message is a signed Meta
webhook. Targets: SQLite with one worker, and PostgreSQL (BENCH_POSTGRES_URL, else
FIRSTCONTACT_TEST_POSTGRES_URL) with `--workers 1` and `--workers 2`. Latency counts from when a
request was due, so a server that falls behind is charged for its queue. Peak memory is the
resident set of the server's whole process tree, sampled every 0.2 s.

    .venv/bin/python bench/load_day.py --quick     # ~10 s per speed: a few minutes in all
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.live_server import (  # noqa: E402
    firstcontact,
    live_server,
    server_env,
    serving_workers,
)

from day_profile import BUSIEST_HOUR, Arrival, arrivals, expected  # noqa: E402
from demand import postgres_url  # noqa: E402
from digital_desk import SECRET, messenger_payload  # noqa: E402
from firstcontact.contacts.social_model import hub_signature  # noqa: E402
from intake import CONTACT, percentile  # noqa: E402

USERNAME, PASSWORD = "bench.handler", "bench-passphrase-not-for-production"
SPEEDS = (1, 10, 100)
DRAIN_SECONDS = 15.0
STARTUP_SECONDS = 120.0
"""A cold start (or stop) of the app on a busy 2-CPU machine can take tens of seconds."""
NARRATIVES = ("My shed was broken into overnight and tools taken.",
              "There is a man shouting in the street and he has a knife.",
              "My neighbour has not been seen for three days and her curtains are shut.",
              "Someone keeps sending my daughter messages asking her to meet them.")


@dataclass
class Tally:
    """What one replay saw: latencies (seconds) per kind of request, and failures."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0

    def answered(self, kind: str, status: int, since: float) -> bool:
        if 200 <= status < 300:
            self.latencies.setdefault(kind, []).append(time.perf_counter() - since)
            return True
        self.errors += 1
        return False

    def every(self) -> list[float]:
        return sorted(value for values in self.latencies.values() for value in values)

    def medians_ms(self) -> dict[str, float]:
        """Each kind's median: which request a slow replay was waiting on."""
        return {kind: round(percentile(sorted(values), 0.5) * 1000, 1)
                for kind, values in sorted(self.latencies.items())}


async def contact_by_api(client: httpx.AsyncClient, tally: Tally, arrival: Arrival,
                         number: int, due: float) -> None:
    body = {**CONTACT, "channel": arrival.channel,
            "narrative": NARRATIVES[number % len(NARRATIVES)]}
    answer = await client.post("/api/contacts", json=body,
                               headers={"Idempotency-Key": uuid.uuid4().hex})
    if tally.answered("record contact", answer.status_code, due) and \
            arrival.channel.startswith("phone"):
        sent = time.perf_counter()
        opened = await client.get(f"/api/contacts/{answer.json()['id']}")
        tally.answered("open contact", opened.status_code, sent)


async def one_arrival(client: httpx.AsyncClient, tally: Tally, arrival: Arrival,
                      number: int, due: float) -> None:
    """Everything the arrival's channel sends; a transport failure counts as an error."""
    try:
        if arrival.channel == "chat":
            answer = await client.post("/api/chat/start", json={"name": f"Visitor {number}"})
            tally.answered("start chat", answer.status_code, due)
        elif arrival.channel == "social":
            body = messenger_payload(number)
            answer = await client.post("/api/webhooks/meta", content=body, headers={
                "X-Hub-Signature-256": hub_signature(SECRET, body),
                "Content-Type": "application/json"})
            tally.answered("social webhook", answer.status_code, due)
        else:
            await contact_by_api(client, tally, arrival, number, due)
    except httpx.HTTPError:
        tally.errors += 1


async def replay(url: str, token: str, day: list[Arrival], start: float,
                 speed: float) -> tuple[Tally, float, int]:
    """Send each arrival at its (compressed) time; returns the tally, seconds taken and how
    many arrivals were still unanswered DRAIN_SECONDS after the last fell due."""
    tally = Tally()
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        began = time.perf_counter()
        tasks = []
        for number, arrival in enumerate(day):
            due = began + (arrival.at - start) % 86400 / speed
            if (delay := due - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one_arrival(client, tally, arrival, number, due)))
        _, late = await asyncio.wait(tasks, timeout=DRAIN_SECONDS) if tasks else (set(), set())
        for task in late:
            task.cancel()
        return tally, time.perf_counter() - began, len(late)


class PeakMemory:
    """Samples the resident memory of a process and all its children until stopped."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def now(self) -> int:
        total = 0
        for process in [self.root, *self.root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # a worker that ended since the listing
                total += process.memory_info().rss
        return total

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            self._stop.wait(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def clock_time(seconds: float) -> str:
    seconds = int(seconds) % 86400
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def one_speed(url: str, token: str, pid: int, speed: int, seconds: float,
              per_day: float) -> dict[str, Any]:
    start = BUSIEST_HOUR * 3600.0
    day = arrivals(start, seconds * speed, per_day)
    with PeakMemory(pid) as memory:
        tally, took, unfinished = asyncio.run(replay(url, token, day, start, speed))
    latencies = tally.every()
    return {"speed": speed, "window": f"{clock_time(start)}-{clock_time(start + seconds * speed)}",
            "contacts": len(day), "expected_contacts": round(expected(start, seconds * speed,
                                                                      per_day), 1),
            "requests_ok": len(latencies), "errors": tally.errors, "unfinished": unfinished,
            "seconds": round(took, 2),
            "offered_contacts_per_s": round(len(day) / took, 2),
            "requests_per_s": round(len(latencies) / took, 2),
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
            "peak_rss_mb": round(memory.peak / 2**20, 1), "p50_ms_by_request": tally.medians_ms()}


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh database of `kind` for one target, removed afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'load.db'}"
        return
    url, drop = postgres_url(postgres_admin().replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        yield url
    finally:
        drop()


def postgres_admin() -> str:
    return os.environ.get("BENCH_POSTGRES_URL") or os.environ.get(
        "FIRSTCONTACT_TEST_POSTGRES_URL", "")


def one_target(kind: str, workers: int, seconds: float, per_day: float) -> dict[str, Any]:
    """Serve a fresh database with `workers` processes and replay the day at every speed."""
    with tempfile.TemporaryDirectory(prefix="fc-bench-day-") as name, \
            database(kind, Path(name)) as url:
        env = server_env(url, FIRSTCONTACT_LOG_LEVEL="WARNING",
                         FIRSTCONTACT_META_APP_SECRET=SECRET,
                         FIRSTCONTACT_CHAT_STARTS_PER_HOUR="1000000",
                         FIRSTCONTACT_CHAT_MESSAGES_PER_MINUTE="1000000")
        firstcontact("db", "upgrade", env=env)
        firstcontact("users", "create", "--username", USERNAME, "--display-name",
                     "Bench Handler", "--role", "call_handler", "--password", PASSWORD, env=env)
        with live_server(env, Path(name) / "server.log", "--workers", str(workers),
                         timeout=STARTUP_SECONDS) as server:
            if workers > 1:
                serving_workers(server, workers, STARTUP_SECONDS)
            token = httpx.post(f"{server.url}/api/session", timeout=30, json={
                "username": USERNAME, "password": PASSWORD}).json()["token"]
            idle = PeakMemory(server.process.pid).now()
            speeds = [one_speed(server.url, token, server.process.pid, speed, seconds, per_day)
                      for speed in SPEEDS]
            server.stop(timeout=STARTUP_SECONDS)
    return {"database": kind, "workers": workers, "idle_rss_mb": round(idle / 2**20, 1),
            "speeds": speeds}


def run(quick: bool = False, seconds: float | None = None,
        per_day: float = 20_000) -> dict[str, Any]:
    """The whole replay; returns the figures bench/run.py records."""
    seconds = seconds or (10.0 if quick else 60.0)
    targets: list[tuple[str, int]] = [("sqlite", 1)]
    if postgres_admin():
        targets += [("postgresql", 1), ("postgresql", 2)]
    return {"contacts_per_day": per_day, "seconds_per_speed": seconds, "quick": quick,
            "postgres": bool(postgres_admin()),
            "targets": [one_target(kind, workers, seconds, per_day)
                        for kind, workers in targets]}


def summary(figures: dict[str, Any]) -> str:
    header = ("database", "workers", "speed", "window", "contacts", "req/s", "p50 ms", "p99 ms",
              "errors", "peak RSS MB")
    rows: list[tuple[str, ...]] = [header]
    for target in figures["targets"]:
        for run_ in target["speeds"]:
            rows.append((target["database"], str(target["workers"]), f"{run_['speed']}x",
                         run_["window"], str(run_["contacts"]), f"{run_['requests_per_s']:.1f}",
                         f"{run_['p50_ms']:.1f}", f"{run_['p99_ms']:.1f}",
                         str(run_["errors"] + run_["unfinished"]), f"{run_['peak_rss_mb']:.0f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
             for row in rows]
    note = "" if figures["postgres"] else " (no PostgreSQL URL: SQLite only)"
    lines.append(f"a day of {figures['contacts_per_day']:,.0f} contacts, each speed replayed for "
                 f"{figures['seconds_per_speed']:g} s of real time from the busiest hour{note}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10 s per speed (make bench)")
    parser.add_argument("--seconds", type=float, help="real seconds per speed (default 60)")
    parser.add_argument("--contacts-per-day", type=float, default=20_000)
    args = parser.parse_args()
    figures = run(args.quick, args.seconds, args.contacts_per_day)
    print(json.dumps(figures, indent=2))
    print(summary(figures))


if __name__ == "__main__":
    main()
