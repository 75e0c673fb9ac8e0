"""The compliance trend as a chart: % delivered on time per month for each Ministry of Justice
measure, drawn as server-rendered SVG bars (the page carries no script), each bar leading to
the month's victims.

Pure geometry: the figures in, the bars' positions out; the template draws them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from firstcontact.victims.compliance import MOJ_MEASURES, Figure

HEIGHT = 120
"""The height of a 100% bar, in the SVG's units."""
BAR = 24
GROUP = BAR * len(MOJ_MEASURES) + 16
NO_FIGURE = "\u2013"
"""An en dash, as the compliance tables show a figure with no one behind it."""


@dataclass(frozen=True)
class TrendBar:
    """One MoJ measure in one month: its % on time and where it is drawn."""

    code: str
    month: str
    percent: float | None
    """None when nobody was owed it that month (drawn as no bar, labelled with a dash)."""
    x: int
    y: float
    height: float

    @property
    def label(self) -> str:
        return NO_FIGURE if self.percent is None else f"{self.percent:g}%"


@dataclass(frozen=True)
class Trend:
    months: list[str]
    bars: list[TrendBar]

    @property
    def width(self) -> int:
        return max(1, len(self.months)) * GROUP

    def month_x(self, index: int) -> int:
        """Where a month's name is centred under its group of bars."""
        return index * GROUP + BAR * len(MOJ_MEASURES) // 2


def trend(by_month: Iterable[Figure]) -> Trend:
    """The chart of `by_month` (figures split by month): a bar per MoJ measure per month."""
    figures = {(f.code, f.value): f for f in by_month if f.code in MOJ_MEASURES}
    months = sorted({month for _, month in figures if month != "all"})
    bars = []
    for i, month in enumerate(months):
        for j, code in enumerate(MOJ_MEASURES):
            found = figures.get((code, month))
            percent = found.percent_on_time if found else None
            height = round(HEIGHT * (percent or 0) / 100, 1)
            bars.append(TrendBar(code, month, percent, i * GROUP + j * BAR,
                                 HEIGHT - height, height))
    return Trend(months, bars)
