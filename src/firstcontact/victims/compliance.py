"""The Victims' Code performance framework: pure measures over the entitlements of a period.

For each entitlement: how many victims were owed it, the % delivered, the % delivered on time
and the median time from report to delivery, split by how the crime was reported, crime type,
enhanced or standard rights, the team of the member of staff who recorded the crime, and who
the victim is (a person, a child, a bereaved relative, a business). A victim who declined was
offered it: declined and "not applicable" entitlements leave the denominator of "% delivered"
(and are counted on their own).
The Ministry of Justice return measures (written acknowledgement given; referred to support
services) are two of these rows. Every figure names the victims behind it, for the drill-down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median

from firstcontact.platform.model import FieldErrors, ValidationError
from firstcontact.victims.model import EntitlementState

MOJ_MEASURES = {"written_acknowledgement": "Written acknowledgement given",
                "support_referral": "Referred to support services"}
SPLITS = ("all", "rights", "crime_type", "channel", "team", "party", "month")
NO_TEAM = "no team"
MEASURES = ("owed", "delivered", "on_time", "late", "outstanding", "declined", "not_applicable")


@dataclass(frozen=True)
class Owed:
    """One entitlement owed to one victim, with what the split dimensions need."""

    victim_id: int
    code: str
    state: EntitlementState
    reported_at: datetime
    due_at: datetime | None
    delivered_at: datetime | None
    enhanced: bool
    crime_type: str
    channel: str
    month: str = ""
    """The London month it was reported in ("2026-03"): the trend over months."""
    team: str = ""
    """The team of the member of staff who recorded the crime."""
    party: str = "person"
    """Who the victim is: a person, a child, a bereaved relative, a business."""

    def dimension(self, split: str) -> str:
        return {"all": "all", "rights": "enhanced" if self.enhanced else "standard",
                "crime_type": self.crime_type, "channel": self.channel,
                "team": self.team or NO_TEAM, "party": self.party,
                "month": self.month}[split]

    def is_(self, measure: str) -> bool:
        return MEASURE_TESTS[measure](self)


def _delivered(o: Owed) -> bool:
    return o.state == EntitlementState.DELIVERED


def _on_time(o: Owed) -> bool:
    return _delivered(o) and (o.due_at is None or (o.delivered_at is not None
                                                   and o.delivered_at < o.due_at))


MEASURE_TESTS: dict[str, Callable[[Owed], bool]] = {
    "owed": lambda o: True,
    "delivered": _delivered,
    "on_time": _on_time,
    "late": lambda o: _delivered(o) and not _on_time(o),
    "outstanding": lambda o: o.state in (EntitlementState.DUE, EntitlementState.OVERDUE,
                                         EntitlementState.FAILED),
    "declined": lambda o: o.state == EntitlementState.DECLINED,
    "not_applicable": lambda o: o.state == EntitlementState.NOT_APPLICABLE,
}


@dataclass(frozen=True)
class Figure:
    code: str
    split: str
    value: str
    owed: int
    delivered: int
    on_time: int
    declined: int
    not_applicable: int
    outstanding: int
    median_hours: float | None

    @property
    def eligible(self) -> int:
        return self.owed - self.declined - self.not_applicable

    @property
    def percent_delivered(self) -> float | None:
        return round(100 * self.delivered / self.eligible, 1) if self.eligible else None

    @property
    def percent_on_time(self) -> float | None:
        return round(100 * self.on_time / self.eligible, 1) if self.eligible else None


def figure(code: str, split: str, value: str, owed: list[Owed]) -> Figure:
    hours = [(o.delivered_at - o.reported_at).total_seconds() / 3600 for o in owed
             if _delivered(o) and o.delivered_at is not None]
    count = {m: sum(1 for o in owed if o.is_(m)) for m in MEASURES}
    return Figure(code, split, value, count["owed"], count["delivered"], count["on_time"],
                  count["declined"], count["not_applicable"], count["outstanding"],
                  round(median(hours), 1) if hours else None)


def figures(owed: Iterable[Owed], codes: Iterable[str], split: str = "all") -> list[Figure]:
    """A figure per entitlement code (in `codes` order) and value of the split."""
    rows = list(owed)
    result = []
    for code in codes:
        mine = [o for o in rows if o.code == code]
        for value in sorted({o.dimension(split) for o in mine}) or ["all"]:
            result.append(figure(code, split, value,
                                 [o for o in mine if o.dimension(split) == value]))
    return result


def behind(owed: Iterable[Owed], code: str, split: str, value: str, measure: str) -> list[int]:
    """The victims behind one figure: the drill-down."""
    return sorted({o.victim_id for o in owed if o.code == code
                   and o.dimension(split) == value and o.is_(measure)})


CSV_HEADER = ("entitlement", "split", "value", "owed", "declined", "not_applicable",
              "delivered", "percent_delivered", "on_time", "percent_on_time",
              "median_hours_to_deliver", "outstanding")


def csv_rows(result: Iterable[Figure]) -> list[tuple[object, ...]]:
    return [(f.code, f.split, f.value, f.owed, f.declined, f.not_applicable, f.delivered,
             "" if f.percent_delivered is None else f.percent_delivered, f.on_time,
             "" if f.percent_on_time is None else f.percent_on_time,
             "" if f.median_hours is None else f.median_hours, f.outstanding)
            for f in result]


@dataclass(frozen=True)
class Period:
    """London calendar days, first to last inclusive."""

    first: date
    last: date


def parse_period(fields: Mapping[str, str | None], today: date) -> Period:
    """The period asked for; by default the current calendar month up to today."""
    errors = FieldErrors()
    first = errors.check(lambda: _day("from", fields.get("from"), today.replace(day=1)))
    last = errors.check(lambda: _day("to", fields.get("to"), today))
    if first and last and last < first:
        errors.errors["to"] = "The end of the period must not be before its start"
    errors.raise_any()
    assert first is not None and last is not None
    return Period(first, last)


def _day(field: str, raw: str | None, default: date) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(field, "Enter a date as YYYY-MM-DD") from None


def parse_split(raw: str | None) -> str:
    if raw in (None, ""):
        return "all"
    if raw not in SPLITS:
        raise ValidationError("split", f"Choose one of: {', '.join(SPLITS)}")
    return raw


def parse_measure(raw: str | None) -> str:
    if raw not in MEASURES:
        raise ValidationError("measure", f"Choose one of: {', '.join(MEASURES)}")
    return raw
