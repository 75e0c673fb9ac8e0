"""Fixtures shared by the contacts tests: a second worker, and a local social platform."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from firstcontact.app import wired_runtime
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.runtime import Runtime
from tests.contacts import social_support
from tests.contacts.social_support import FakePlatform


@pytest.fixture
def second_worker(runtime: Runtime, clock: FixedClock) -> Iterator[Runtime]:
    """Another runtime over the same database, as a second server process would have."""
    other = wired_runtime(runtime.settings, clock)
    yield other
    other.bus.close()
    other.database.dispose()


@pytest.fixture
def platform_server() -> Iterator[FakePlatform]:
    with social_support.platform_server() as fake:
        yield fake
