"""`firstcontact report ...`: the service report and the telephony import on the command line.

`report service --from --to --format pdf|csv|html [--output FILE]` writes the report for a
period (to standard output without --output); `report telephony import FILE` stores a CSV or
JSON file of call events. Both act as the platform itself (SYSTEM), as the CLI does for users.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from firstcontact.platform.model import SYSTEM, ValidationError
from firstcontact.platform.runtime import Runtime, build_runtime
from firstcontact.quality import report_service, telephony_service
from firstcontact.quality.report import ServiceReport, Window, report_csv
from firstcontact.quality.report_pdf import report_pdf
from firstcontact.quality.telephony import parse_file
from firstcontact.settings import Settings
from firstcontact.web.templating import environment

app = typer.Typer(help="The service report and the telephony measures.", no_args_is_help=True)
telephony_app = typer.Typer(help="Call events from the telephony platform.",
                            no_args_is_help=True)
app.add_typer(telephony_app, name="telephony")


@contextmanager
def runtime() -> Iterator[Runtime]:
    """A runtime for one command, closed afterwards. Neither command takes a contact, so it
    needs none of the intake steps the server wires in (firstcontact.cli.runtime)."""
    rt = build_runtime(Settings())
    try:
        yield rt
    finally:
        rt.bus.close()
        rt.database.dispose()


class Format(enum.StrEnum):
    PDF = "pdf"
    CSV = "csv"
    HTML = "html"


def _fail(error: ValidationError) -> typer.Exit:
    for field, message in error.errors.items():
        typer.echo(f"error: {field}: {message}", err=True)
    return typer.Exit(1)


@telephony_app.command("import")
def import_calls(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                                      readable=True)]) -> None:
    """Import a .csv or .json file of call events (docs/service-report.md gives the format).
    A file with any bad row is refused whole; calls already held are not added twice."""
    try:
        calls = parse_file(file.name, file.read_bytes())
        with runtime() as rt:
            done = telephony_service.import_calls(rt, SYSTEM, calls, file.name)
    except ValidationError as error:
        raise _fail(error) from error
    typer.echo(f"imported {done.added} calls ({done.already_held} already held)")


def _day(value: datetime) -> date:
    return value.date()


@app.command("service")
def service(
    first: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"],
                                            help="First day (London), YYYY-MM-DD")],
    last: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"],
                                           help="Last day (London), YYYY-MM-DD")],
    output_format: Annotated[Format, typer.Option("--format")] = Format.PDF,
    output: Annotated[Path | None, typer.Option(help="Write here, not to standard output")
                      ] = None,
) -> None:
    """The service report for a period, as a PDF, a CSV or a web page."""
    if last < first:
        raise _fail(ValidationError("to", "The end of the period must not be before its start"))
    with runtime() as rt:
        report = report_service.service_report(rt, SYSTEM, Window(_day(first), _day(last)))
    content = {Format.PDF: lambda: report_pdf(report),
               Format.CSV: lambda: report_csv(report).encode(),
               Format.HTML: lambda: report_html(report).encode()}[output_format]()
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        output.write_bytes(content)
        typer.echo(f"wrote {output}", err=True)


def report_html(report: ServiceReport) -> str:
    """The report as one self-contained page, with the same sections the server shows."""
    return environment.get_template("report/standalone.html").render(report=report)
