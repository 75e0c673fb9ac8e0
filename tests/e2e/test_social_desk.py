"""The desk opens a social-media conversation from its queue and tries to reply, in a real
browser under the CSP; the demo force's WhatsApp message is the conversation."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.harness import Site, axe_check, sign_in


def test_the_desk_reads_a_whatsapp_conversation_and_a_refused_reply_is_shown(
        page: Page, site: Site) -> None:
    sign_in(page, site.logins["digital_desk"])
    page.goto("/desk")
    row = page.locator("#desk-queue tr", has_text="Priya Shah")
    row.get_by_role("link", name="Conversation").click()
    expect(page.get_by_role("heading", name="WhatsApp: Priya Shah")).to_be_visible()
    expect(page.get_by_text("My car window was smashed overnight on Mill Lane.")).to_be_visible()
    axe_check(page)
    page.get_by_label("Reply by WhatsApp").fill("Thank you. Did anyone see it happen?")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The reply was not sent")
    expect(page.get_by_label("Reply by WhatsApp")).to_have_value(
        "Thank you. Did anyone see it happen?")
    axe_check(page)
