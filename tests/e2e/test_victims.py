"""Victim care in the browser: a victim chooses email, the acknowledgement arrives at a real
SMTP server with the crime reference, and the compliance page counts it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import create_logins
from tests.e2e.harness import Login, axe_check, sign_in
from tests.live_server import firstcontact, live_server, server_env
from tests.victims.conftest import Mailbox, free_port


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def victims_site(tmp_path_factory: pytest.TempPathFactory,
                 mailbox: Mailbox) -> Iterator[tuple[str, Login]]:
    """The demo force served with a mail relay and a quick timer."""
    folder = tmp_path_factory.mktemp("e2e-victims")
    env = server_env(f"sqlite:///{folder / 'e2e.db'}", FIRSTCONTACT_SMTP_HOST=mailbox.host,
                     FIRSTCONTACT_SMTP_PORT=str(mailbox.port),
                     FIRSTCONTACT_TIMER_INTERVAL_SECONDS="0.5")
    firstcontact("db", "upgrade", env=env)
    firstcontact("demo", env=env)
    logins = create_logins(env["FIRSTCONTACT_DATABASE_URL"])
    with live_server(env, Path(folder / "server.log")) as server:
        yield server.url, logins["victim_care"]


@pytest.fixture
def care_page(browser: Browser, victims_site: tuple[str, Login]) -> Iterator[Page]:
    url, login = victims_site
    context = browser.new_context(base_url=url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, login)
    yield page
    context.close()


def test_the_acknowledgement_email_arrives_and_the_compliance_page_counts_it(
        care_page: Page, mailbox: Mailbox) -> None:
    page = care_page
    page.goto("/victims")
    axe_check(page)
    page.locator("#victim-queue tbody a").first.click()
    page.wait_for_load_state()
    reference = page.locator(".govuk-caption-l").inner_text().removeprefix("Crime reference ")
    assert re.fullmatch(r"C\d{6}-\d{6}", reference)
    axe_check(page)
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address").fill("victim@example.org")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    deadline = time.monotonic() + 20
    while not mailbox.messages and time.monotonic() < deadline:
        time.sleep(0.2)
    assert mailbox.messages, "no acknowledgement email arrived"
    content = mailbox.messages[-1].content
    assert isinstance(content, bytes) and reference.encode() in content
    page.reload()
    expect(page.locator("#entitlement-written_acknowledgement")).to_contain_text("Delivered")
    page.goto("/victims/compliance")
    axe_check(page)
    expect(page.locator("#moj")).to_contain_text("Written acknowledgement given")
    expect(page.locator("#moj tr").first).to_contain_text("1 of")
