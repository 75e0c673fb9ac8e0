"""Shared settings for the property tests (hypothesis): few examples, always the same ones.

`derandomize` makes every run draw the same examples (seeded from each test's name), so a CI
run is repeatable and a failure found once is found again; `database=None` keeps no example
store on disk. The counts are modest: these run on every push on a 2-CPU machine.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

PURE = settings(max_examples=150, derandomize=True, deadline=None, database=None)
"""For pure functions: cheap, so more examples."""

OVER_HTTP = settings(max_examples=25, derandomize=True, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])
"""For examples sent through the real app to a real database (each a request and a commit).
The app and its database are shared across a test's examples, as a live server's are."""

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=60)
"""Any text at all: NUL and other control characters, lone surrogates, other scripts' digits."""

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(st.characters(exclude_categories=()), max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=20)
"""Any JSON value."""
