"""The service report's shape: a list of sections, each with its tables and a chart. Pure.

Every format (the page, the PDF, the CSV, the command line) draws the same `ServiceReport`,
so a figure is computed once and reads the same everywhere. A new section (QA results, when
the QA room provides them) is one more builder in report_service.SECTIONS.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
Cell = str | int | float | None
NO_FIGURE = "\u2013"
"""An en dash: a figure nobody is behind (as the compliance tables show it)."""
CHART_HEIGHT = 120
BAR_WIDTH = 28
BAR_GAP = 12


@dataclass(frozen=True)
class ReportPolicy:
    """The standards calls are measured against (quality/policy/service_report.toml)."""

    within_999_seconds: int
    standard_999_percent: int
    within_101_seconds: int
    abandonment_101_target_percent: int
    percentile: int
    source: str = ""


@dataclass(frozen=True)
class Window:
    """London calendar days, first to last inclusive, and the UTC instants around them."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=LONDON)

    @property
    def end(self) -> datetime:
        """Midnight after the last day (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=LONDON)

    def until(self, now: datetime) -> datetime:
        """The end of the period, or now if the period has not ended: what is late by."""
        return min(self.end, now)


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    """Each row starts with its label (a string); the rest are figures."""


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    """The figure as the table shows it."""
    x: int
    y: float
    height: float


@dataclass(frozen=True)
class Chart:
    """A bar chart of one column of one of the section's tables (which carries the same
    figures for those who do not see the chart)."""

    title: str
    bars: tuple[Bar, ...]
    target: float | None = None
    target_y: float | None = None

    @property
    def width(self) -> int:
        return max(1, len(self.bars)) * (BAR_WIDTH + BAR_GAP)


def chart(title: str, table: Table, column: str, *, percent: bool = False,
          target: float | None = None) -> Chart:
    """Bars for `column` of `table`, one per row, scaled to 100 (a percentage) or the largest."""
    index = table.columns.index(column)
    values = [_number(row[index]) for row in table.rows]
    top = 100.0 if percent else float(max((v for v in values if v is not None), default=0) or 1)
    bars = []
    for i, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        height = round(CHART_HEIGHT * float(value or 0) / top, 1)
        bars.append(Bar(str(row[0]), show(row[index]), i * (BAR_WIDTH + BAR_GAP),
                        CHART_HEIGHT - height, height))
    target_y = None if target is None else round(CHART_HEIGHT * (1 - target / top), 1)
    return Chart(title, tuple(bars), target, target_y)


def _number(cell: Cell) -> float | None:
    return float(cell) if isinstance(cell, int | float) else None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    findings: tuple[str, ...]
    """The section's headline sentences, in words a team leader reads out."""
    tables: tuple[Table, ...]
    chart: Chart | None = None


@dataclass(frozen=True)
class ServiceReport:
    force: str
    window: Window
    generated_at: datetime
    sections: tuple[Section, ...]

    @property
    def title(self) -> str:
        return f"Service report, {self.window.first:%-d %B %Y} to {self.window.last:%-d %B %Y}"


def show(value: Cell) -> str:
    """A figure as the page and the PDF print it."""
    if value is None:
        return NO_FIGURE
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


CSV_HEADER = ("section", "table", "row", "column", "value")


def report_csv(report: ServiceReport) -> str:
    """One line per figure (section, table, row, column, value): a shape every spreadsheet
    pivots, and a file that does not change its columns when a section is added."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerow(("report", "period", "period", "from", report.window.first.isoformat()))
    writer.writerow(("report", "period", "period", "to", report.window.last.isoformat()))
    for section in report.sections:
        for table in section.tables:
            for row in table.rows:
                for column, value in zip(table.columns[1:], row[1:], strict=True):
                    writer.writerow((section.key, table.key, row[0], column,
                                     "" if value is None else value))
    return out.getvalue()


def rows_of(items: Sequence[tuple[Cell, ...]]) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(item) for item in items)
