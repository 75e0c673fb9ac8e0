"""The Victims' Code journey end to end, in a real browser against a real server: a member of
the public reports a crime online and asks to be contacted by email; the digital desk takes it
through THRIVE to a crime determination; the victim's written acknowledgement arrives at a
real SMTP server with the crime reference; and the compliance page counts it, for the team
that recorded it. Every page on the way passes axe."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect

from firstcontact.platform.auth import create_user
from firstcontact.platform.model import SYSTEM, Role
from firstcontact.platform.runtime import build_runtime
from firstcontact.settings import Settings
from tests.e2e.harness import PASSWORD, Login, axe_check, sign_in
from tests.e2e.test_call_handling import complete_thrive
from tests.live_server import firstcontact, live_server, server_env
from tests.victims.conftest import Mailbox, free_port

TEAM = "Red Watch"
EMAIL = "olu.adeyemi@example.org"


@dataclass(frozen=True)
class Journey:
    url: str
    desk: Login
    care: Login


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    yield box
    controller.stop()


def staff(database_url: str) -> tuple[Login, Login]:
    """A digital-desk officer of the Red Watch and a victim-care officer."""
    rt = build_runtime(Settings(database_url=database_url, log_json=False))
    try:
        create_user(rt, SYSTEM, "e2e.desk.red", "Desk Officer", Role.DIGITAL_DESK, PASSWORD,
                    TEAM)
        create_user(rt, SYSTEM, "e2e.care", "Victim Care Officer", Role.VICTIM_CARE, PASSWORD)
    finally:
        rt.bus.close()
        rt.database.dispose()
    return Login("e2e.desk.red", PASSWORD), Login("e2e.care", PASSWORD)


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox) -> Iterator[Journey]:
    """A fresh force (no demo data, so every figure is this journey's) with a mail relay and a
    quick timer."""
    folder = tmp_path_factory.mktemp("e2e-victims-journey")
    env = server_env(f"sqlite:///{folder / 'e2e.db'}", FIRSTCONTACT_SMTP_HOST=mailbox.host,
                     FIRSTCONTACT_SMTP_PORT=str(mailbox.port),
                     FIRSTCONTACT_TIMER_INTERVAL_SECONDS="0.5")
    firstcontact("db", "upgrade", env=env)
    desk, care = staff(env["FIRSTCONTACT_DATABASE_URL"])
    with live_server(env, Path(folder / "server.log"), timeout=90) as server:
        yield Journey(server.url, desk, care)


@pytest.fixture
def browser_page(browser: Browser, journey: Journey) -> Iterator[Page]:
    context = browser.new_context(base_url=journey.url, locale="en-GB",
                                  timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def answer(page: Page, label: str, value: str | None = None) -> None:
    """Answer one question of the online report (a radio if no value), then continue."""
    if value is None:
        page.get_by_label(label, exact=True).check()
    else:
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Continue").click()


def report_online(page: Page) -> str:
    """A member of the public reports a theft online; returns the reference shown."""
    page.goto("/report")
    axe_check(page)
    page.get_by_role("button", name="Start now").click()
    page.get_by_label(re.compile("^A crime")).check()
    page.get_by_role("button", name="Continue").click()
    answer(page, "It happened to me")
    answer(page, "What happened?", "My bike was taken from outside the library at noon.")
    answer(page, "Where did it happen?", "Library, Market Square")
    answer(page, "What is your full name?", "Olu Adeyemi")
    answer(page, "Email")
    answer(page, "What is your email address?", EMAIL)
    answer(page, "Which language would you like us to use?", "English")
    answer(page, "No")
    expect(page.locator("#answers")).to_contain_text(EMAIL)
    axe_check(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Report sent")).to_be_visible()
    return page.locator("#reference").inner_text()


def determine_crime(page: Page, reference: str) -> None:
    """The desk takes the report through THRIVE to a crime determination."""
    page.goto("/desk")
    expect(page.locator("#desk-queue")).to_contain_text(reference)
    axe_check(page)
    page.get_by_role("link", name=f"THRIVE for {reference}").click()
    expect(page.get_by_role("heading", name="THRIVE assessment")).to_be_visible()
    complete_thrive(page)
    page.get_by_label("Scheduled (appointment)").check()
    page.get_by_label("Rationale").fill("Property crime, no one hurt: an appointment suits.")
    page.get_by_label("NSIR category").select_option("crime")
    page.get_by_label("NSIR opening code").select_option("CR-THE")
    page.get_by_role("button", name="Record determination").click()
    expect(page.get_by_text("Override")).to_be_visible()
    axe_check(page)


def wait_for_mail(mailbox: Mailbox, seconds: float = 20) -> bytes:
    deadline = time.monotonic() + seconds
    while not mailbox.messages and time.monotonic() < deadline:
        time.sleep(0.2)
    assert mailbox.messages, "no acknowledgement email arrived"
    content = mailbox.messages[-1].content
    assert isinstance(content, bytes)
    return content


def test_a_crime_reported_online_is_acknowledged_by_email_and_counted_for_its_team(
        browser_page: Page, journey: Journey, mailbox: Mailbox) -> None:
    page = browser_page
    reference = report_online(page)
    assert re.fullmatch(r"C\d{6}-\d{6}", reference)
    assert not mailbox.messages  # nothing is sent before a crime is recorded
    page.context.clear_cookies()
    sign_in(page, journey.desk)
    determine_crime(page, reference)

    content = wait_for_mail(mailbox)
    assert mailbox.messages[-1].rcpt_tos == [EMAIL]
    assert f"Crime reference: {reference}".encode() in content
    assert b"Dear Olu Adeyemi," in content

    page.context.clear_cookies()
    sign_in(page, journey.care)
    page.goto("/victims/compliance")
    axe_check(page)
    expect(page.locator("#moj tr").first).to_contain_text("Written acknowledgement given")
    expect(page.locator("#moj tr").first).to_contain_text("1 of 1")
    page.get_by_label("Split by").select_option("team")
    page.get_by_role("button", name="Show").click()
    row = page.locator("#figures tbody tr", has_text="Written acknowledgement").first
    expect(row).to_contain_text(TEAM)
    axe_check(page)
    row.get_by_role("link").nth(1).click()  # the "delivered" figure drills down
    expect(page.locator("#behind")).to_contain_text(reference)
    expect(page.locator("#behind")).to_contain_text("Olu Adeyemi")
    axe_check(page)
    add_a_business(page, reference)


def add_a_business(page: Page, reference: str) -> None:
    """Victim care finds the crime by its reference and adds the library as a victim."""
    page.goto("/victims")
    page.get_by_label("Add a victim to a crime: crime reference").fill(reference)
    page.get_by_role("button", name="Find the crime").click()
    expect(page.get_by_role("heading", name="Victims of this crime")).to_be_visible()
    expect(page.locator("#crime-victims")).to_contain_text("Olu Adeyemi")
    axe_check(page)
    page.get_by_label(re.compile("^A business")).check()
    page.get_by_label("Name of the victim, or of the business").fill("Town Library")
    page.get_by_role("button", name="Add the victim").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter this information")
    axe_check(page)
    page.get_by_label("Parent or guardian, or the business's named contact").fill("Priya Shah")
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Phone number").fill("0161 496 0000")
    page.get_by_role("button", name="Add the victim").click()
    expect(page.locator("#addressee")).to_have_text("Priya Shah")
    expect(page.locator("#entitlement-support_referral")).to_contain_text("Not applicable")
    axe_check(page)
