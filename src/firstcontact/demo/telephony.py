"""A day of call events for the demo force, as the telephony platform would export them, so
the service report has 999 and 101 figures to show on a trial machine.

Seeded randomness: the same day of calls every time. Busier in the afternoon and evening, as
control rooms are; most 999 calls answered within seconds, 101 waits of minutes, some callers
hanging up before an answer.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from firstcontact.platform.model import SYSTEM
from firstcontact.platform.runtime import Runtime
from firstcontact.quality.telephony import Call, Line
from firstcontact.quality.telephony_service import import_calls

CALLS_PER_HOUR = (3, 2, 2, 1, 1, 1, 2, 4, 6, 7, 8, 8, 9, 9, 10, 11, 12, 12, 11, 10, 9, 8, 6, 4)
"""101 and 999 calls together, by hour of the day: busiest from mid-afternoon."""
HANDLERS = ("handler", "teamleader")


def a_day_of_calls(end: datetime, seed: int = 101) -> list[Call]:
    """The 24 hours up to `end`: about a quarter of calls on 999, the rest on 101."""
    chooser = random.Random(seed)  # noqa: S311 (demo data, not security)
    start = (end - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    calls = []
    for hour in range(24):
        at = start + timedelta(hours=hour)
        for n in range(CALLS_PER_HOUR[at.hour]):
            offered = at + timedelta(seconds=chooser.uniform(0, 3599))
            calls.append(_call(chooser, f"DEMO-{offered:%Y%m%d%H}-{n:02d}", offered))
    return [c for c in calls if c.offered_at < end]


def _call(chooser: random.Random, call_id: str, offered: datetime) -> Call:
    line = Line.EMERGENCY if chooser.random() < 0.25 else Line.NON_EMERGENCY
    wait = chooser.expovariate(1 / 5) if line is Line.EMERGENCY else chooser.expovariate(1 / 90)
    gone_after = chooser.uniform(20, 900)
    if line is Line.NON_EMERGENCY and gone_after < wait:
        return Call(call_id, line, offered, None, offered + timedelta(seconds=gone_after), "")
    answered = offered + timedelta(seconds=round(wait, 1))
    return Call(call_id, line, offered, answered, None, chooser.choice(HANDLERS))


def seed_calls(rt: Runtime) -> int:
    """Import the last day's calls; returns how many were added."""
    return import_calls(rt, SYSTEM, a_day_of_calls(rt.clock.now()), "demo").added
