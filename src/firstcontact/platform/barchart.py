"""A percentage month by month as bars, for charts drawn as server-rendered SVG (the pages
carry no script): a group of bars for each month, one bar for each measure, each bar as tall
as its percentage.

Pure geometry, kept in one place for every room that charts a percentage per month (the
Victims' Code compliance trend, the QA scores trend): the percentages in, the bars'
positions out. Each room's template draws the bars and says what they mean.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

HEIGHT = 120
"""The height of a 100% bar, in the SVG's units."""
GAP = 16
"""The space after one month's group of bars, before the next month's."""
NO_FIGURE = "\u2013"
"""An en dash, as the tables show a figure with no one behind it."""


@dataclass(frozen=True)
class Bar:
    """One measure in one month: its percentage and where it is drawn."""

    code: str
    month: str
    percent: float | None
    """None when the month has no figure for the measure (drawn as no bar, with a dash)."""
    x: int
    y: float
    height: float

    @property
    def label(self) -> str:
        return NO_FIGURE if self.percent is None else f"{self.percent:g}%"


@dataclass(frozen=True)
class MonthlyBars:
    """The bars of every month, and where the months' names go under them."""

    months: list[str]
    codes: list[str]
    bars: list[Bar]
    bar_width: int

    @property
    def group(self) -> int:
        return group_width(self.bar_width, self.codes)

    @property
    def width(self) -> int:
        return max(1, len(self.months)) * self.group

    def month_x(self, index: int) -> int:
        """Where a month's name is centred under its group of bars."""
        return index * self.group + self.bar_width * len(self.codes) // 2


def group_width(bar_width: int, codes: Sequence[str]) -> int:
    """One month's group of bars with the gap after it (one bar's room when there are none)."""
    return bar_width * max(1, len(codes)) + GAP


def monthly_bars(months: Sequence[str], codes: Sequence[str],
                 percent: Callable[[str, str], float | None], bar_width: int) -> MonthlyBars:
    """A bar for each of `codes` in each of `months`, in that order, as tall as
    `percent(code, month)` (None: no bar)."""
    group = group_width(bar_width, codes)
    bars = []
    for i, month in enumerate(months):
        for j, code in enumerate(codes):
            value = percent(code, month)
            height = round(HEIGHT * (value or 0) / 100, 1)
            bars.append(Bar(code, month, value, i * group + j * bar_width,
                            HEIGHT - height, height))
    return MonthlyBars(list(months), list(codes), bars, bar_width)
