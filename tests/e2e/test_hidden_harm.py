"""A call handler sees the hidden-harm prompt (loaded by htmx under the CSP) on the THRIVE form
and the contact page, and dismisses it with a reason."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.harness import Site, axe_check, sign_in


def test_a_prompt_is_shown_with_its_evidence_and_dismissed_with_a_reason(page: Page,
                                                                        site: Site) -> None:
    sign_in(page, site.logins["call_handler"])
    page.goto("/contacts/new")
    page.get_by_label("101 call").check()
    page.get_by_label("Name").fill("Ana Popescu")
    page.get_by_label("Phone number").fill("07700 900777")
    page.get_by_label("Victim").check()
    page.get_by_label("Location or address").fill("Hand car wash, Mill Road")
    page.get_by_label("What the caller told us").fill(
        "I work at the car wash. The boss keeps my passport and we are not allowed out.")
    page.get_by_role("button", name="Save and assess risk").click()

    prompts = page.locator("#harm-prompts")
    expect(prompts).to_contain_text("Modern slavery and human trafficking")
    expect(prompts.locator("mark", has_text="keeps my passport")).to_have_count(1)
    expect(prompts.locator("form")).to_have_count(0)
    axe_check(page)

    page.goto(re.sub(r"/assess$", "", page.url))
    expect(prompts).to_contain_text("NRM referral")
    prompts.get_by_role("button", name="Dismiss").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter this information")
    axe_check(page)
    page.get_by_label("Reason (needed to dismiss)").fill("Caller describing a TV drama plot")
    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#harm-prompts")).to_contain_text("Caller describing a TV drama plot")
    expect(page.locator("#audit-trail")).to_contain_text("hidden-harm prompt dismissed by staff")
