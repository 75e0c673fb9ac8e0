"""The browser harness: a real server, Debian's Chromium driven by Playwright, and axe-core.

Skipped, with the reason shown, unless FIRSTCONTACT_E2E=1. Once asked for (as `.ci/run` does),
a missing Chromium or a server that will not start is an error, never a skip, so CI cannot go
green without having driven the browser.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from firstcontact.platform.auth import create_user
from firstcontact.platform.model import SYSTEM, Role
from firstcontact.platform.runtime import build_runtime
from firstcontact.settings import Settings
from tests.e2e.harness import PASSWORD, Login, Site
from tests.live_server import firstcontact, live_server, server_env

ENABLED = os.environ.get("FIRSTCONTACT_E2E") == "1"
HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e; skip them unless FIRSTCONTACT_E2E=1 (an error in CI)."""
    ours = [item for item in items if HERE in item.path.parents]
    for item in ours:
        item.add_marker(pytest.mark.e2e)
        if not ENABLED and os.environ.get("CI"):
            raise pytest.UsageError("CI must set FIRSTCONTACT_E2E=1: the browser suite may "
                                    "not skip (.ci/run does this)")
        if not ENABLED:
            item.add_marker(pytest.mark.skip(reason="browser tests need FIRSTCONTACT_E2E=1 "
                                             "and Debian's chromium (.ci/run sets both)"))


def create_logins(database_url: str) -> dict[str, Login]:
    """One e2e user per role, through the same service `firstcontact users create` calls."""
    rt = build_runtime(Settings(database_url=database_url, log_json=False))
    logins = {}
    try:
        for role in Role:
            username = f"e2e.{role.value}"
            create_user(rt, SYSTEM, username, f"E2E {role.value.replace('_', ' ').title()}",
                        role, PASSWORD)
            logins[role.value] = Login(username, PASSWORD)
    finally:
        rt.bus.close()
        rt.database.dispose()
    return logins


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A migrated SQLite file, the demo force when it exists, an e2e user per role, served."""
    folder = tmp_path_factory.mktemp("e2e")
    env = server_env(f"sqlite:///{folder / 'e2e.db'}")
    firstcontact("db", "upgrade", env=env)
    if importlib.util.find_spec("firstcontact.demo") is not None:
        firstcontact("demo", env=env)
    logins = create_logins(env["FIRSTCONTACT_DATABASE_URL"])
    with live_server(env, folder / "server.log") as server:
        yield Site(server, logins)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Package-scoped, not session: while Playwright's sync driver runs, its event loop is the
    running loop of the main thread, and any later test calling asyncio.run() would fail."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        raise RuntimeError(f"FIRSTCONTACT_E2E=1 but {CHROMIUM} is missing: "
                           "apt-get install chromium (.ci/run does this)")
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    """A fresh browser context per test (no cookies carried over), based at the live server."""
    context = browser.new_context(base_url=site.url, locale="en-GB",
                                  timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()
