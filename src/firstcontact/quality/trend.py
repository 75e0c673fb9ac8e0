"""The QA trend as a chart: each criterion's average score (as % of its top score) per month,
drawn as server-rendered SVG bars (no script); the page puts the same figures in a table.

Pure geometry: the figures in, the bars' positions out; the template draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from firstcontact.quality.model import Average

HEIGHT = 120
"""The height of a 100% bar, in the SVG's units."""
BAR = 16
GAP = 16
NO_FIGURE = "\u2013"


@dataclass(frozen=True)
class TrendBar:
    code: str
    month: str
    percent: float | None
    """None when no review scored the criterion that month (no bar, a dash)."""
    reviews: int
    x: int
    y: float
    height: float

    @property
    def label(self) -> str:
        return NO_FIGURE if self.percent is None else f"{self.percent:g}%"


@dataclass(frozen=True)
class Chart:
    months: list[str]
    codes: list[str]
    bars: list[TrendBar]

    @property
    def group(self) -> int:
        return BAR * max(1, len(self.codes)) + GAP

    @property
    def width(self) -> int:
        return max(1, len(self.months)) * self.group

    def month_x(self, index: int) -> int:
        """Where a month's name is centred under its group of bars."""
        return index * self.group + BAR * len(self.codes) // 2


def chart(by_month: Mapping[str, Sequence[Average]], codes: Sequence[str]) -> Chart:
    """A bar per criterion per month, in the criteria's order."""
    months = sorted(by_month)
    group = BAR * max(1, len(codes)) + GAP
    bars = []
    for i, month in enumerate(months):
        found = {a.code: a for a in by_month[month]}
        for j, code in enumerate(codes):
            average = found.get(code)
            percent = average.percent if average else None
            height = round(HEIGHT * (percent or 0) / 100, 1)
            bars.append(TrendBar(code, month, percent, average.reviews if average else 0,
                                 i * group + j * BAR, HEIGHT - height, height))
    return Chart(months, list(codes), bars)
