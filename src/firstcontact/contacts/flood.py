"""Flood limits for everything the public can post, counted in the database.

A counter is one row per address (and limit) per fixed window, so every worker adds to the
same count: with N workers an address still gets `allowed` actions a window, not N times it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from firstcontact.contacts.tables import PublicPostCountRow
from firstcontact.platform.runtime import Runtime


def window_start(now: datetime, window: timedelta) -> datetime:
    """The fixed window `now` falls in, so every worker agrees on which row to count into."""
    return now - timedelta(seconds=now.timestamp() % window.total_seconds())


def retry_after(rt: Runtime, limit: str, address: str, allowed: int,
                window: timedelta) -> int:
    """Count one action by `address` under `limit`: 0 if it may go ahead, else the seconds
    until the next window opens (the action is then refused, but still counted)."""
    now = rt.clock.now()
    start = window_start(now, window)
    key = f"{limit}:{address}"[:64] if limit else address[:64]
    for _ in range(2):
        try:
            with rt.database.transaction() as session:
                count = session.execute(
                    update(PublicPostCountRow)
                    .where(PublicPostCountRow.address == key,
                           PublicPostCountRow.window_start == start)
                    .values(count=PublicPostCountRow.count + 1)
                    .returning(PublicPostCountRow.count)).scalar()
                if count is None:
                    session.add(PublicPostCountRow(address=key, window_start=start, count=1))
                    count = 1
            break
        except IntegrityError:
            continue  # another worker made the row first: count again, into theirs
    else:
        count = allowed + 1
    if count <= allowed:
        return 0
    return max(1, math.ceil((start + window - now).total_seconds()))
