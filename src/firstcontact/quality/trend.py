"""The QA trend as a chart: each criterion's average score (as % of its top score) per month,
drawn as server-rendered SVG bars (no script); the page puts the same figures in a table.

The averages in, the bars out (their geometry is platform.barchart's); the template draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from firstcontact.platform.barchart import MonthlyBars, monthly_bars
from firstcontact.quality.model import Average

BAR = 16
"""A bar's room in the SVG's units (the template draws it 14 wide)."""


def chart(by_month: Mapping[str, Sequence[Average]], codes: Sequence[str]) -> MonthlyBars:
    """A bar per criterion per month, in the criteria's order (no bar, a dash, where no review
    scored the criterion that month)."""
    percents = {(a.code, month): a.percent for month, found in by_month.items() for a in found}
    return monthly_bars(sorted(by_month), codes,
                        lambda code, month: percents.get((code, month)), BAR)
