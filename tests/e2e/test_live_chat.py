"""A member of the public chats with the digital desk in a real browser, under the CSP."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.harness import Site, axe_check, sign_in


def test_a_visitor_and_an_agent_chat_and_a_reload_loses_and_repeats_nothing(
        page: Page, browser: Browser, site: Site) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    agent_context = browser.new_context(base_url=site.url, locale="en-GB")
    agent_context.set_default_timeout(10_000)
    agent = agent_context.new_page()
    agent.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(agent, site.logins["digital_desk"])
    agent.goto("/desk/chat")
    axe_check(agent)

    page.goto("/chat")
    axe_check(page)
    page.get_by_label("Your name (optional)").fill("Ama Mensah")
    page.get_by_role("button", name="Start a chat").click()
    expect(page.locator("#chat-status")).to_contain_text("Waiting for someone to answer")
    axe_check(page)

    row = agent.locator("#chat-queue-body tr", has_text="Ama Mensah")
    row.get_by_role("button", name="Take").click()
    expect(agent.get_by_role("heading", name="Chat with Ama Mensah")).to_be_visible()
    expect(agent.get_by_role("link", name="Open THRIVE assessment")).to_have_attribute(
        "href", re.compile(r"^/contacts/\d+/assess$"))
    expect(page.locator("#chat-status")).to_have_text("You are talking to the police.")

    page.get_by_label("Your message").fill("Someone keeps ringing my doorbell at night")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#chat-log li")).to_have_text(
        ["You: Someone keeps ringing my doorbell at night"])
    expect(agent.get_by_text("Visitor: Someone keeps ringing my doorbell at night")).to_be_visible()
    agent.get_by_label("Reply").fill("Thank you. Is anyone with you now?")
    agent.get_by_role("button", name="Send").click()
    expect(page.locator("#chat-log li").nth(1)).to_have_text(
        "Police: Thank you. Is anyone with you now?")

    page.reload()
    expect(page.locator("#chat-log li")).to_have_count(2)
    expect(page.locator("#chat-log li").nth(0)).to_have_text(
        "You: Someone keeps ringing my doorbell at night")
    agent.reload()
    expect(agent.get_by_text("You: Thank you. Is anyone with you now?")).to_be_visible()
    expect(agent.locator("#desk-chats li")).to_have_count(2)
    agent_context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
