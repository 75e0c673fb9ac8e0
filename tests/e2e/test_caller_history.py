"""A caller rings a third time: the THRIVE page shows their history and the repeat-caller flag."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.harness import Site, axe_check, sign_in


def record_call(page: Page) -> None:
    page.goto("/contacts/new")
    page.get_by_label("101 call").check()
    page.get_by_label("Name").fill("Marta Kowalczyk")
    page.get_by_label("Phone number").fill("07700 900517")
    page.get_by_label("Victim").check()
    page.get_by_label("Location or address").fill("Flat 2, 9 Canal Street")
    page.get_by_label("What the caller told us").fill("Neighbour shouting threats again.")
    page.get_by_role("button", name="Save and assess risk").click()
    expect(page.get_by_role("heading", name="THRIVE assessment")).to_be_visible()


def test_a_third_call_shows_the_caller_history_before_thrive(page: Page, site: Site) -> None:
    sign_in(page, site.logins["call_handler"])
    for _ in range(3):
        record_call(page)
    history = page.locator("#caller-history")
    expect(history).to_contain_text("Caller history")
    expect(history).to_contain_text("Repeat caller")
    expect(history).to_contain_text("Repeat victim")
    expect(history.locator('[data-window="28"]')).to_have_text("3")
    axe_check(page)
