"""A member of the public reports a crime online: with JavaScript, and with it switched off.

Every page of the journey passes axe (WCAG 2.2 AA) and shows the call-999 warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.harness import Site, axe_check, sign_in

DANGER = re.compile(r"If you are in immediate danger, call 999")


@pytest.fixture
def no_js_page(browser: Browser, site: Site) -> Iterator[Page]:
    context = browser.new_context(base_url=site.url, locale="en-GB",
                                  timezone_id="Europe/London", java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def continue_on(page: Page, check: bool) -> None:
    expect(page.get_by_text(DANGER).first).to_be_visible()
    if check:
        axe_check(page)
    page.get_by_role("button", name="Continue").click()


def report_a_crime(page: Page, narrative: str, *, check: bool) -> str:
    """The whole journey through the pages; returns the reference shown at the end."""
    page.goto("/report")
    expect(page.get_by_text(DANGER).first).to_be_visible()
    if check:
        axe_check(page)
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Continue").click()  # nothing chosen: an error
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what you want to report")
    if check:
        axe_check(page)
    page.get_by_label(re.compile("^A crime")).check()
    continue_on(page, check)
    page.get_by_label("It happened to me").check()
    continue_on(page, check)
    page.get_by_label("What happened?").fill(narrative)
    continue_on(page, check)
    page.get_by_label("Where did it happen?").fill("Bus stop, Station Road")
    continue_on(page, check)
    page.get_by_label("What is your full name?").fill("Olu Adeyemi")
    continue_on(page, check)
    page.get_by_label("Text message").check()
    continue_on(page, check)
    page.get_by_label("What mobile number should we text?").fill("07700 900456")
    continue_on(page, check)
    page.get_by_label("Which language would you like us to use?").fill("Yoruba")
    continue_on(page, check)
    page.get_by_label("Yes").check()
    page.get_by_label(re.compile("tell us what would help you")).fill("An interpreter")
    continue_on(page, check)

    expect(page.get_by_role("heading", name="Check your answers before sending your report")
           ).to_be_visible()
    expect(page.locator("#answers")).to_contain_text("+447700900456")
    if check:
        axe_check(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Report sent")).to_be_visible()
    expect(page.get_by_text("What happens next")).to_be_visible()
    if check:
        axe_check(page)
    return page.locator("#reference").inner_text()


def test_a_crime_reported_without_javascript_reaches_the_desk(no_js_page: Page, page: Page,
                                                               site: Site) -> None:
    reference = report_a_crime(no_js_page, "Someone took my phone from my hand and ran.",
                               check=False)
    assert re.fullmatch(r"C\d{6}-\d{6}", reference)
    sign_in(page, site.logins["digital_desk"])
    page.goto("/desk")
    expect(page.locator("#desk-queue")).to_contain_text(reference)
    axe_check(page)


def test_a_report_suggesting_danger_goes_to_the_top_of_the_desk(page: Page,
                                                                site: Site) -> None:
    reference = report_a_crime(page, "He has a knife and he is here now, I am hiding.",
                               check=True)
    page.context.clear_cookies()
    sign_in(page, site.logins["digital_desk"])
    page.goto("/desk")
    rows = page.locator("#desk-queue tbody tr")
    texts = rows.all_inner_texts()
    mine = next(i for i, text in enumerate(texts) if reference in text)
    assert all("Possible danger" in text for text in texts[:mine + 1]), texts[:mine + 1]
    assert "Possible danger" not in texts[-1]
    page.get_by_role("link", name=f"THRIVE for {reference}").click()
    expect(page.get_by_role("heading", name="THRIVE assessment")).to_be_visible()


def test_the_busy_and_expired_pages_pass_axe(page: Page) -> None:
    page.goto("/report")
    page.evaluate("document.querySelector('input[name=csrf_token]').value = 'forged'")
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", name="This page had expired")).to_be_visible()
    axe_check(page)


def test_the_desk_reads_an_email_thread_from_the_queue(page: Page, site: Site) -> None:
    sign_in(page, site.logins["digital_desk"])
    page.goto("/desk")
    row = page.locator("#desk-queue tbody tr", has_text="Tom Reyes")
    row.get_by_role("link", name=re.compile("^Email thread")).click()
    expect(page.get_by_role("heading", name="Email thread")).to_be_visible()
    expect(page.locator("#thread")).to_contain_text("doorbell camera")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a reply")
    axe_check(page)
