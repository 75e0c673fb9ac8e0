"""An id in a path that names no row is a clear 404 or 422, never a 500, a 503 or a 409.

PostgreSQL's INTEGER stops at 2**31 - 1 and SQLite's at 2**63 - 1; an id past either once
reached the database as "integer out of range" (a 503 on PostgreSQL, an OverflowError 500 on
SQLite). Every route with an id in its path is walked, on both databases, with each of them.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from firstcontact.platform.db import LARGEST_ID
from firstcontact.platform.runtime import Runtime
from tests.web.test_role_matrix import MATRIX, STREAMS
from tests.web.world import PARAM, World, build_world

NO_ROW = (LARGEST_ID, 2**31, 2**63, 10**30)
"""The largest id a row could have (none has), past PostgreSQL's INTEGER, past SQLite's (and
PostgreSQL's BIGINT), and far past both."""


@pytest.fixture
def world(client: TestClient, runtime: Runtime) -> World:
    return build_world(client, runtime)


def with_ids(world: World, method: str, template: str, value: int) -> str:
    """The route's path with every numeric id in it replaced by `value`."""
    known = {**world.ids, **world.special.get((method, template), {}),
             **world.special.get(("*", template), {})}
    return PARAM.sub(lambda m: str(value if isinstance(known[m.group(1)], int)
                                   else known[m.group(1)]), template)


ROUTES = [(method, path, roles) for method, path, roles in MATRIX
          if method != "WS" and (method, path) not in STREAMS
          and re.search(r"\{\w+_id(?::int)?\}", path)]


def test_routes_with_ids_are_walked() -> None:
    assert len(ROUTES) >= 40


def test_an_id_naming_no_row_is_a_404_or_422_on_every_route(
        client: TestClient, world: World) -> None:
    """A form carries a version, as a current page would: a form without one is stale (409)
    before anything else is looked at."""
    wrong: list[tuple[str, str, int, int]] = []
    for method, template, roles in ROUTES:
        role = min(roles, key=lambda r: r.value)
        for value in NO_ROW:
            path = with_ids(world, method, template, value)
            status = client.request(method, path, headers=world.headers[role],
                                    **_body(method, path), follow_redirects=False).status_code
            if status not in (404, 422):
                wrong.append((method, template, value, status))
    assert wrong == [], "\n".join(map(str, wrong))


def _body(method: str, path: str) -> dict[str, dict[str, str]]:
    """A JSON body for the API, a form with the incident version for a page."""
    if method != "POST":
        return {}
    return {"json": {}} if path.startswith("/api/") else {"data": {"version": "1"}}
