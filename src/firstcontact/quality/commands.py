"""`firstcontact qa sample`: take QA samples from the command line, for days other than those
the timer samples by itself each night (quality.nightly).

Safe to run as often as you like: a person's day is drawn at random once, and a contact is
sampled once for each reason, so overlapping runs add nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Annotated

import typer

from firstcontact.platform.clock import london
from firstcontact.platform.model import SYSTEM, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.quality.model import parse_days
from firstcontact.quality.sampling import SamplingRun, draw_rng, take_samples

app = typer.Typer(help="Quality assurance of contact handling.", no_args_is_help=True)

RuntimeFactory = Callable[[], AbstractContextManager[Runtime]]


def sample_command(runtime: RuntimeFactory) -> Callable[..., None]:
    """The `qa sample` command, given the CLI's way of opening a runtime."""

    def sample(
        from_: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")] = "",
        to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive)")] = "",
        seed: Annotated[int | None,
                        typer.Option(help="Repeat a draw (tests, audit re-runs)")] = None,
    ) -> None:
        """Take the random share and every risk-based sample over whole days (London)."""
        with runtime() as rt:
            today = london(rt.clock.now()).date()
            try:
                first, last = parse_days(from_, to, today, 0)
                run = take_samples(rt, SYSTEM, first, last, draw_rng(seed))
            except ValidationError as error:
                typer.echo(f"error: {error.field}: {error.message}", err=True)
                raise typer.Exit(1) from error
        typer.echo(describe(run))

    return sample


def describe(run: SamplingRun) -> str:
    """One line per sample taken, then a total: what a supervisor reads in the cron mail."""
    lines = [f"{c.contact_id}\t{c.reason.value}\t{c.detail}" for c in run.taken]
    lines.append(f"{len(run.taken)} samples taken from {run.first} to {run.last}; "
                 f"{run.days_drawn} staff-days drawn at random")
    return "\n".join(lines)

