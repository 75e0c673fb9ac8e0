"""`firstcontact retention review [--approve]` and `firstcontact people export PERSON_ID`:
the records manager's two commands. Both act as the platform (no one is signed in on a
server's shell), so each names the person responsible (--approved-by, --reason) for the log.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated

import typer

from firstcontact.platform.model import Actor, NotFound, Role
from firstcontact.platform.runtime import Runtime
from firstcontact.records import access, service
from firstcontact.records.model import Due
from firstcontact.records.pdf import subject_access_pdf

retention_app = typer.Typer(help="Records retention under MoPI.", no_args_is_help=True)

RuntimeFactory = Callable[[], AbstractContextManager[Runtime]]
RECORDS_OFFICER = Actor(user_id=None, username="records-officer", role=Role.ADMIN,
                        display_name="Records officer (command line)")
"""Who the commands act as: the server's shell is an administrator's."""


def _lines(due: list[Due]) -> Iterator[str]:
    yield f"{'type':<16}{'id':>8}  {'group':<16}{'review on':<12}disposal"
    for item in due:
        yield (f"{item.held.record_type.value:<16}{item.held.record_id:>8}  "
               f"{item.group.name:<16}{item.review_on.isoformat():<12}{item.disposal.value}")


def review_command(runtime: RuntimeFactory) -> Callable[..., None]:
    def review(
        approve: Annotated[bool, typer.Option(help="Dispose of every record listed.")] = False,
        approved_by: Annotated[str, typer.Option(
            help="Who approved the disposal (required with --approve), for the audit log.")] = "",
    ) -> None:
        """List the records due for review today; with --approve, dispose of them."""
        if approve and not approved_by.strip():
            typer.echo("error: --approved-by: say who approved the disposal", err=True)
            raise typer.Exit(2)
        with runtime() as rt:
            due = service.review(rt)
            typer.echo("\n".join(_lines(due)))
            typer.echo(f"{len(due)} record(s) due for review")
            if approve and due:
                count = service.dispose(rt, RECORDS_OFFICER, due, approved_by.strip())
                typer.echo(f"disposed of {count} record(s); each is in the audit log")
    return review


def export_command(runtime: RuntimeFactory) -> Callable[..., None]:
    def export(
        person_id: int,
        reason: Annotated[str, typer.Option(help="The request's reference, for the audit log.")],
        format: Annotated[access.ExportFormat, typer.Option()] = access.ExportFormat.JSON,
        output: Annotated[Path | None, typer.Option(help="File to write (default stdout).")]
        = None,
    ) -> None:
        """Everything held on a person (subject access), as JSON or PDF; audited."""
        with runtime() as rt:
            try:
                found = access.export(rt, RECORDS_OFFICER, person_id, format, reason)
            except NotFound as error:
                typer.echo(f"error: person_id: {error}", err=True)
                raise typer.Exit(1) from error
            pdf = format is access.ExportFormat.PDF
            body = (subject_access_pdf(found, rt.settings.force_name) if pdf
                    else json.dumps(found.as_json(), indent=2, ensure_ascii=False).encode())
        if output is None:
            sys.stdout.buffer.write(body)
        else:
            output.write_bytes(body)
    return export
