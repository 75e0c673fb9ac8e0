"""A synthetic day of demand on a UK police control room, for bench/load_day.py.

There is no calls-for-service data set on this machine (../shared/data/ holds none), so the
day is built from a documented shape and a seeded random stream: the same seed gives the same
day. What the shape rests on:

- Volume and the 999 / non-emergency split: North Yorkshire Police's "24 hours in the life of
  North Yorkshire Police" (an average Saturday, 23 June 2018) counted 1,231 calls, 297 of them
  999 and 934 non-emergency: 999 is about a quarter of calls. Forces' monthly "call and online
  data" pages (for example Hertfordshire Constabulary's) publish 999, 101 and online contact
  side by side.
- The hourly curve is an ASSUMPTION, in the shape control-room managers describe and the same
  North Yorkshire page shows (most violence before 06:00 or after 19:00): a trough around
  05:00, a climb through the morning, a peak from late afternoon into the evening (16:00-20:00)
  and a slow fall to midnight. The hourly shares below are ours, not measured figures.
- The channel mix beyond 999/101 (online forms, live chat, email, social media messages) is an
  ASSUMPTION of about 30% digital contact, in line with forces' push to online reporting;
  forces differ widely.
- The day's size defaults to 20,000 contacts: a large metropolitan force or a regional hub
  (North Yorkshire's ~1,700 a day with digital contact is a small force). Change it with
  `--contacts-per-day`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DAY_SECONDS = 24 * 3600
CONTACTS_PER_DAY = 20_000
HOURLY_WEIGHT = (3.6, 3.0, 2.5, 2.0, 1.7, 1.6, 2.0, 2.8, 3.7, 4.3, 4.6, 4.8,
                 4.9, 5.0, 5.1, 5.4, 5.8, 6.0, 5.9, 5.6, 5.2, 4.8, 4.5, 4.2)
"""Relative demand in each hour from 00:00 (an assumption: see the module docstring)."""
CHANNEL_SHARE = {"phone_999": 0.17, "phone_101": 0.53, "online": 0.15, "chat": 0.07,
                 "email": 0.04, "social": 0.04}
"""999 is ~24% of the 70% that is phone (North Yorkshire's split); the digital rest assumed."""
BUSIEST_HOUR = max(range(24), key=lambda hour: HOURLY_WEIGHT[hour])


@dataclass(frozen=True)
class Arrival:
    at: float
    """Seconds after midnight."""
    channel: str


def hourly_rate(hour: int, per_day: float) -> float:
    """Contacts per second during `hour` (0-23)."""
    return per_day * HOURLY_WEIGHT[hour] / sum(HOURLY_WEIGHT) / 3600


def arrivals(start: float, seconds: float, per_day: float = CONTACTS_PER_DAY,
             seed: int = 9) -> list[Arrival]:
    """The contacts arriving between `start` and `start + seconds` (seconds after midnight,
    wrapping past midnight): a Poisson stream whose rate is constant within each hour."""
    rng = random.Random(seed)
    channels, shares = list(CHANNEL_SHARE), list(CHANNEL_SHARE.values())
    found: list[Arrival] = []
    moment, end = start, start + seconds
    while moment < end:
        hour_ends = (moment // 3600 + 1) * 3600
        step = rng.expovariate(hourly_rate(int(moment // 3600) % 24, per_day))
        if moment + step >= hour_ends:  # memoryless: start afresh at the hour's rate
            moment = hour_ends
            continue
        moment += step
        if moment < end:
            found.append(Arrival(moment % DAY_SECONDS, rng.choices(channels, shares)[0]))
    return found


def expected(start: float, seconds: float, per_day: float = CONTACTS_PER_DAY) -> float:
    """How many contacts the window should hold on average (to check a replay's size)."""
    total, moment, end = 0.0, start, start + seconds
    while moment < end:
        until = min(end, (moment // 3600 + 1) * 3600)
        total += (until - moment) * hourly_rate(int(moment // 3600) % 24, per_day)
        moment = until
    return total
