"""The compliance trend as a chart: % delivered on time per month for each Ministry of Justice
measure, drawn as server-rendered SVG bars (the page carries no script), each bar leading to
the month's victims.

The figures in, the bars out (their geometry is platform.barchart's); the template draws them.
"""

from __future__ import annotations

from collections.abc import Iterable

from firstcontact.platform.barchart import MonthlyBars, monthly_bars
from firstcontact.victims.compliance import MOJ_MEASURES, Figure

BAR = 24
"""A bar's room in the SVG's units (the template draws it 20 wide)."""


def trend(by_month: Iterable[Figure]) -> MonthlyBars:
    """The chart of `by_month` (figures split by month): a bar per MoJ measure per month."""
    figures = {(f.code, f.value): f for f in by_month if f.code in MOJ_MEASURES}
    months = sorted({month for _, month in figures if month != "all"})

    def on_time(code: str, month: str) -> float | None:
        found = figures.get((code, month))
        return found.percent_on_time if found else None

    return monthly_bars(months, list(MOJ_MEASURES), on_time, BAR)
