"""A call handler signs in through the staff form and reaches the staff home."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.harness import Login, Site, axe_check, sign_in


def test_call_handler_signs_in_and_sees_the_staff_home(page: Page, site: Site) -> None:
    sign_in(page, site.logins["call_handler"])
    expect(page).not_to_have_url(re.compile(r"/login"))
    expect(page.get_by_text("E2E Call Handler").first).to_be_visible()
    axe_check(page)


def test_a_wrong_password_keeps_the_call_handler_on_the_sign_in_form(
        page: Page, site: Site) -> None:
    sign_in(page, Login(site.logins["call_handler"].username, "not-the-password"))
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
