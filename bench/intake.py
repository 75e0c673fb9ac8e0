"""Intake over HTTP on SQLite, at a fixed offered rate, beside a bare one-row insert.

Starts the real server (`firstcontact serve`, one process, SQLite in WAL mode) after
`db upgrade` and with a call handler created, then offers POST /api/contacts and POST
/bench/bare at the same fixed rate, one after the other, from an open-loop asyncio driver on
loopback. Latency is measured from when each request was *due*, so a server that falls behind
is charged for the queue it causes (no coordinated omission). The figure we track is the ratio
of intake throughput to bare throughput. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.live_server import firstcontact, live_server, server_env  # noqa: E402

USERNAME, PASSWORD = "bench.handler", "bench-passphrase-not-for-production"
CONTACT = {
    "channel": "phone_101",
    "caller": {"name": "Sam Patel", "phone": "07700 900123", "relationship": "victim"},
    "location": {"address": "12 High Street, Anytown"},
    "narrative": "My shed was broken into overnight and tools taken.",
    "language": "English",
    "accessibility_needs": "",
}
DRAIN_SECONDS = 10.0
CONNECTIONS = 16
"""Keep-alive connections, so at most this many requests are outstanding at once."""


@dataclass(frozen=True)
class Phase:
    """One route driven at the offered rate for the set time."""

    offered_per_s: float
    sent: int
    ok: int
    errors: int
    dropped: int
    achieved_per_s: float
    p50_ms: float
    p99_ms: float


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


class Connection:
    """A bare keep-alive HTTP/1.1 connection that can POST JSON and read the status.

    The load is driven with this rather than httpx: on a 2-core machine shared with the server,
    httpx's per-request cost (~2 ms of CPU) caps the driver well below the offered rate, and the
    benchmark would measure the client. This does only what uvicorn's answers need: a
    Content-Length body, no chunking, no redirects.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        lines = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "Content-Type: application/json", f"Content-Length: {len(body)}",
                 *(f"{name}: {value}" for name, value in headers.items()), "", ""]
        writer.write("\r\n".join(lines).encode() + body)
        status = int((await reader.readline()).split()[1])
        length, keep_alive = 0, True
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            elif name.strip().lower() == b"connection" and b"close" in value.lower():
                keep_alive = False
            elif name.strip().lower() == b"transfer-encoding":
                raise ValueError("chunked responses are not supported by the bench driver")
        await reader.readexactly(length)
        if not keep_alive:
            self.close()
        return status

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def drive(url: str, path: str, headers: dict[str, str], rate: float,
                seconds: float, key_header: bool) -> Phase:
    """Send `rate * seconds` requests, each due at start + i/rate, and time them from due.

    A fixed set of connections takes due requests from a queue; a request that waits for a
    free connection has that wait counted in its latency. Whatever is still unanswered
    DRAIN_SECONDS after the last request fell due is dropped, so a slow server shortens the
    figures rather than stretching the run.
    """
    total = int(rate * seconds)
    body = json.dumps(CONTACT).encode()
    due_times: asyncio.Queue[float | None] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        connection = Connection(url)
        while (due := await due_times.get()) is not None:
            extra = {"Idempotency-Key": uuid.uuid4().hex} if key_header else {}
            try:
                good = await connection.post(path, body, headers | extra) in (200, 201)
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                connection.close()
                good = False
            if good:
                latencies.append(time.perf_counter() - due)
            else:
                errors += 1
        connection.close()

    workers = [asyncio.create_task(worker()) for _ in range(CONNECTIONS)]
    start = time.perf_counter()
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        due_times.put_nowait(due)
    for _ in workers:
        due_times.put_nowait(None)
    _, late = await asyncio.wait(workers, timeout=DRAIN_SECONDS)
    for task in late:
        task.cancel()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return Phase(rate, total, len(latencies), errors, total - len(latencies) - errors,
                 len(latencies) / elapsed, percentile(latencies, 0.5) * 1000,
                 percentile(latencies, 0.99) * 1000)


def sign_in(url: str) -> dict[str, str]:
    response = httpx.post(f"{url}/api/session",
                          json={"username": USERNAME, "password": PASSWORD}, timeout=30)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def one_run(url: str, auth: dict[str, str], rate: float,
                  seconds: float) -> dict[str, Phase]:
    intake = await drive(url, "/api/contacts", auth, rate, seconds, key_header=True)
    bare = await drive(url, "/bench/bare", {}, rate, seconds, key_header=False)
    return {"intake": intake, "bare": bare}


def median_phase(phases: list[Phase]) -> Phase:
    """Each figure's median across runs (so the result is not any single run)."""
    def med(name: str) -> float:
        return float(statistics.median(getattr(phase, name) for phase in phases))

    return Phase(phases[0].offered_per_s, int(med("sent")), int(med("ok")), int(med("errors")),
                 int(med("dropped")), med("achieved_per_s"), med("p50_ms"), med("p99_ms"))


def run(rate: float = 600, seconds: float = 20, runs: int = 3) -> dict[str, object]:
    """The whole benchmark; returns the figures that bench/run.py records and prints."""
    with tempfile.TemporaryDirectory(prefix="fc-bench-") as folder:
        env = server_env(f"sqlite:///{Path(folder) / 'bench.db'}",
                         PYTHONPATH=os.pathsep.join(
                             filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
                         FIRSTCONTACT_TIMER_ENABLED="false", FIRSTCONTACT_LOG_LEVEL="WARNING")
        firstcontact("db", "upgrade", env=env)
        firstcontact("users", "create", "--username", USERNAME, "--display-name",
                     "Bench Handler", "--role", "call_handler", "--password", PASSWORD, env=env)
        log = Path(folder) / "server.log"
        with live_server(env, log, "--factory", "bare_app:create") as server:
            auth = sign_in(server.url)
            results = [asyncio.run(one_run(server.url, auth, rate, seconds))
                       for _ in range(runs)]
    intake = median_phase([r["intake"] for r in results])
    bare = median_phase([r["bare"] for r in results])
    ratios = [r["intake"].achieved_per_s / r["bare"].achieved_per_s for r in results]
    return {"intake": asdict(intake), "bare": asdict(bare),
            "ratio": round(statistics.median(ratios), 3), "runs": runs, "seconds": seconds,
            "per_run": [{name: asdict(phase) for name, phase in r.items()} for r in results]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=600, help="offered requests per second")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(args.rate, args.seconds, args.runs), indent=2))


if __name__ == "__main__":
    main()
