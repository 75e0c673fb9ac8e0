"""`firstcontact people link`: bulk identity resolution of a CSV file, for evaluation and data
migration. A stable contract: CSV in, `record_id,person_id` out, same matching as the live room.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer

from firstcontact.people import policy
from firstcontact.people.matching import link_records
from firstcontact.people.model import IDENTIFIERS, Identity, identity_of
from firstcontact.platform.model import ValidationError

app = typer.Typer(help="People: identity resolution across contacts.", no_args_is_help=True)


@app.command("link")
def link(input: Annotated[Path, typer.Option("--input", help="CSV with record_id, given_name, "
                                              "surname, date_of_birth, address, postcode, "
                                              "phone, email (any but record_id may be empty)")]
         ) -> None:
    """Write `record_id,person_id` to stdout: records judged to be one person share an id."""
    try:
        with input.open(newline="", encoding="utf-8-sig") as handle:
            records = list(read_records(handle, sys.stderr))
        people = link_records(records, policy.matching(), policy.names())
    except (OSError, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["record_id", "person_id"])
    out.writerows(people.items())


def read_records(handle: TextIO, warnings: TextIO) -> Iterator[tuple[str, Identity]]:
    """Each row's identity. A field that cannot be read is reported (record and field named)
    and left out of matching, so one bad value does not stop a file of thousands."""
    reader = csv.DictReader(handle)
    if reader.fieldnames is None or "record_id" not in reader.fieldnames:
        raise ValueError("the CSV needs a header row with a record_id column")
    today = datetime.now(UTC).date()
    for row in reader:
        record_id = (row.get("record_id") or "").strip()
        if not record_id:
            raise ValueError(f"line {reader.line_num}: record_id is empty")
        yield record_id, lenient_identity(record_id, row, today, warnings)


def lenient_identity(record_id: str, row: Mapping[str, str | None], today: date,
                     warnings: TextIO) -> Identity:
    """The row's identity with unreadable fields left out. An impossible date that still has
    the shape of one (19561309, a typo of a real date) is kept to compare digit by digit."""
    fields = {name: (row.get(name) or "").strip() for name in IDENTIFIERS}
    kept_date = ""
    while True:
        try:
            identity = identity_of(fields, today, uk_only=False)
            return replace(identity, date_of_birth=kept_date) if kept_date else identity
        except ValidationError as error:
            print(f"record {record_id}: {error.field}: {error.message}; "
                  "left out of matching", file=warnings)
            if error.field == "date_of_birth":
                digits = fields["date_of_birth"].replace("-", "")
                kept_date = digits if re.fullmatch(r"\d{8}", digits) else ""
            fields[error.field] = ""
