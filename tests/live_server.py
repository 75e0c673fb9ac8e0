"""A real `firstcontact serve` process on a free loopback port, for tests and benchmarks.

Tests that need the whole stack (signals, workers, a browser) start the server exactly as an
operator does, through the CLI, rather than an in-process client that would skip uvicorn.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def command() -> list[str]:
    """The installed `firstcontact` script of the running interpreter's environment."""
    script = Path(sys.executable).with_name("firstcontact")
    if script.is_file():
        return [str(script)]
    found = shutil.which("firstcontact")
    if found is None:
        raise RuntimeError("the firstcontact command is not installed: run `make install`")
    return [found]


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment a test server runs in: its own database and nothing from the caller's."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("FIRSTCONTACT_")}
    env.update(FIRSTCONTACT_DATABASE_URL=database_url, FIRSTCONTACT_SECRET_KEY="live-test-key",
               FIRSTCONTACT_LOG_JSON="false", **extra)
    return env


def firstcontact(*args: str, env: Mapping[str, str], input_text: str | None = None,
                 ) -> subprocess.CompletedProcess[str]:
    """Run one CLI command to completion; raise with its output if it fails."""
    result = subprocess.run([*command(), *args], env=dict(env), input=input_text, text=True,
                            capture_output=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"firstcontact {' '.join(args)} exited {result.returncode}:\n"
                           f"{result.stdout}\n{result.stderr}")
    return result


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, as an orchestrator sends it; returns the exit code (kills if it hangs)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


def wait_until_healthy(server: LiveServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited {server.process.returncode} during start-up:\n"
                               f"{server.log_tail()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not healthy after {timeout}s:\n{server.log_tail()}")


@contextmanager
def live_server(env: Mapping[str, str], log: Path, *args: str,
                timeout: float = 90.0) -> Iterator[LiveServer]:
    """Serve on a free port until the block ends; `args` go to `firstcontact serve`. Start-up
    (imports, policy files, the harm automaton) takes a few seconds on a quiet machine and
    several times that on a loaded two-core one, hence the generous `timeout`."""
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen([*command(), "serve", "--port", str(port), *args],
                                   env=dict(env), stdout=sink, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_healthy(server, timeout)
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()


def serving_workers(server: LiveServer, count: int, timeout: float = 120.0,
                    ) -> list[psutil.Process]:
    """`serve --workers N`'s worker processes, once `count` of them accept connections.

    /health answers as soon as one worker is up; on a busy machine the others can take tens of
    seconds more. A worker is taking requests once it holds an accepted connection, so this
    opens a few idle connections at a time and looks which workers picked them up.
    """
    deadline = time.monotonic() + timeout
    port = int(server.url.rsplit(":", 1)[1])
    while time.monotonic() < deadline:
        workers = [child for child in psutil.Process(server.process.pid).children()
                   if "spawn_main" in " ".join(child.cmdline())]
        probes = [socket.create_connection(("127.0.0.1", port)) for _ in range(4 * count)]
        time.sleep(0.3)
        accepting = [w for w in workers if any(
            c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port
            for c in w.net_connections("tcp"))]
        for probe in probes:
            probe.close()
        if len(accepting) >= count:
            return accepting
    raise RuntimeError(f"{count} workers were not taking connections after {timeout}s")
