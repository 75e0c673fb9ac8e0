"""A private PostgreSQL server for one test, which the test may stop and start at will.

The shared server on 5432 serves everyone else's tests, so a test that restarts PostgreSQL
gets its own: `initdb` into a temporary folder and `pg_ctl` on a free loopback port, using the
server binaries of Debian's `postgresql` package (which .ci/run installs). PostgreSQL refuses to
run as root, so when the tests run as root the server runs as the `postgres` account.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_server import free_port

SERVER_ACCOUNT = "postgres"


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian keeps them out of PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda path: int(path.parent.parent.name) if
                   path.parent.parent.name.isdigit() else 0)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class Cluster:
    """One running PostgreSQL: `url` for the postgres database, `stop`/`start` to fault it."""

    folder: Path
    binaries: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *args: str) -> None:
        as_server = ["runuser", "-u", SERVER_ACCOUNT, "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_server, *args], check=True, capture_output=True, timeout=60)

    def pg_ctl(self, *args: str) -> None:
        self.run(str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-w", *args)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=60")
        self.pg_ctl("-l", str(self.folder / "server.log"), "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session, as a restart for maintenance does; `immediate` crashes."""
        self.pg_ctl("-m", mode, "stop")


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    """A fresh PostgreSQL server for the block; stopped and deleted afterwards."""
    binaries = server_binaries()
    if binaries is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI needs PostgreSQL's server binaries (Debian's postgresql)")
        pytest.skip("no PostgreSQL server binaries (initdb) on this machine")
    folder = Path(tempfile.mkdtemp(prefix="fc-faults-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam(SERVER_ACCOUNT)
        os.chown(folder, account.pw_uid, account.pw_gid)
    cluster = Cluster(folder, binaries, free_port())
    try:
        cluster.run(str(binaries / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
                    "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions")
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # never started, or stopped
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
