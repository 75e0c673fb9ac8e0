"""The `firstcontact` command: serve, db upgrade, users create, audit verify, demo, bench.

Every command reads its settings from FIRSTCONTACT_* environment variables (`Settings()`), so
the command line, the test suite and a deployment configure the platform the same way.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from firstcontact.harm.cli import harm_app
from firstcontact.people.cli import app as people_app
from firstcontact.platform.model import SYSTEM, Role, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.quality import commands as quality_commands
from firstcontact.quality.report_cli import app as report_app
from firstcontact.records.cli import export_command, retention_app, review_command
from firstcontact.settings import Settings
from firstcontact.victims import commands as victims_commands

# No locals in tracebacks: they would print passwords and personal data into CI and logs.
app = typer.Typer(help="Contact, risk and victim care for a Force Control and Incident Room.",
                  no_args_is_help=True, add_completion=False,
                  pretty_exceptions_show_locals=False)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(harm_app, name="harm")
app.add_typer(victims_commands.app, name="victims")
email_app = typer.Typer(help="Email to and from the digital desk.", no_args_is_help=True)
app.add_typer(email_app, name="email")
app.add_typer(people_app, name="people")
app.add_typer(report_app, name="report")
app.add_typer(quality_commands.app, name="qa")


@contextmanager
def runtime() -> Iterator[Runtime]:
    """A runtime for one command, closed afterwards so SQLite's WAL is checkpointed."""
    from firstcontact.app import wired_runtime

    rt = wired_runtime(Settings())
    try:
        yield rt
    finally:
        rt.bus.close()
        rt.database.dispose()


retention_app.command("review")(review_command(runtime))
people_app.command("export")(export_command(runtime))
app.add_typer(retention_app, name="retention")

WORKER_HEALTHCHECK_SECONDS = 60
"""How long uvicorn's supervisor waits for a worker to answer before killing it as hung.
uvicorn's 5 s default kills workers that are still importing on a busy host, and restarts them
into the same fate: the worker-kill fault test saw a second worker never come up that way."""


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Processes; use PostgreSQL above 1.")] = 1,
    graceful_seconds: Annotated[
        int, typer.Option(help="On SIGTERM, how long in-flight requests may take to finish.")
    ] = 30,
    # Hidden: lets the benchmarks serve the same app with a bench-only route added.
    factory: Annotated[str, typer.Option(hidden=True)] = "firstcontact.app:create_app",
) -> None:
    """Serve the web pages and the JSON API with uvicorn."""
    import uvicorn

    if workers > 1:
        share_metrics_between_workers()
    signal.signal(signal.SIGTERM, exit_cleanly)
    typer.echo(f"firstcontact serving on http://{host}:{port} (Ctrl+C to stop)", err=True)
    # Logging is the platform's (configure_logging, JSON by default), and the web middleware
    # already writes one access line per request, so uvicorn adds neither.
    uvicorn.run(factory, factory=True, host=host, port=port, workers=workers,
                timeout_graceful_shutdown=graceful_seconds, access_log=False,
                log_config=None, server_header=False,
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS)


def share_metrics_between_workers() -> None:
    """Give the workers one fresh folder for their request counts, so /metrics on any worker
    adds up all of them (prometheus_client multiprocess mode; see platform/metrics.py).
    It must be set before the workers import prometheus_client, hence here."""
    import os
    import tempfile

    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="firstcontact-metrics-")


def exit_cleanly(signum: int, frame: object) -> None:
    """After its graceful shutdown uvicorn re-raises SIGTERM on the handler it found, so the
    process would die "by signal". A stop that let every request finish is a success: exit 0.
    (A SIGTERM before uvicorn takes over also lands here and stops the process.)"""
    raise SystemExit(0)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema (Alembic) at FIRSTCONTACT_DATABASE_URL."""
    from firstcontact.platform.db import migrate

    migrate(Settings().database_url)
    typer.echo("database is up to date")


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Option()],
    display_name: Annotated[str, typer.Option()],
    role: Annotated[Role, typer.Option()],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True)],
    team: Annotated[str, typer.Option(help="The watch or team they work in")] = "",
) -> None:
    """Create a staff account (an admin's task; the audit log records it as the system)."""
    from firstcontact.platform import auth

    with runtime() as rt:
        try:
            auth.create_user(rt, SYSTEM, username, display_name, role, password, team)
        except ValidationError as error:
            typer.echo(f"error: {error.field}: {error.message}", err=True)
            raise typer.Exit(1) from error
    typer.echo(f"created {role.value} {username}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Re-compute the hash chain; exit 1 if any entry was altered, removed or inserted."""
    from firstcontact.platform import audit

    with runtime() as rt:
        report = audit.verify(rt.database)
    if report.ok:
        typer.echo(f"audit log intact: {report.entries_checked} entries checked")
        return
    typer.echo(f"audit log BROKEN at entry {report.first_bad_id}: {report.reason} "
               f"({report.entries_checked} entries checked)", err=True)
    raise typer.Exit(1)


@email_app.command("listen")
def email_listen() -> None:
    """Take inbound email for the digital desk over SMTP (FIRSTCONTACT_EMAIL_LISTEN_HOST/PORT)."""
    import threading

    from firstcontact.contacts.mail_listener import controller

    with runtime() as rt:
        listener = controller(rt)
        listener.start()
        typer.echo(f"Listening for email to {rt.settings.email_desk_address} on "
                   f"{listener.hostname}:{listener.port}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            listener.stop()


quality_commands.app.command("sample")(quality_commands.sample_command(runtime))


@app.command()
def demo() -> None:
    """Seed a demo force (users and synthetic demand) and print its logins. Safe to repeat."""
    from firstcontact.demo import seed

    with runtime() as rt:
        logins = seed(rt)
    typer.echo(login_table(logins))


def login_table(logins: list[tuple[str, str, str]]) -> str:
    rows = [("role", "username", "password"), *logins]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "Demo logins:\n" + "\n".join(lines)


@app.command()
def bench(quick: Annotated[bool, typer.Option(help="Small runs: a few minutes in all.")] = False,
          ) -> None:
    """Run the benchmarks in ./bench (a source checkout) and print their figures."""
    script = Path.cwd() / "bench" / "run.py"
    if not script.is_file():
        typer.echo("bench/run.py not found: run this from a firstcontact checkout", err=True)
        raise typer.Exit(2)
    extra = ["--quick"] if quick else []
    raise typer.Exit(subprocess.call([sys.executable, str(script), *extra]))  # noqa: S603
