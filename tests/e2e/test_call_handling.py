"""A call handler records a 101 call, assesses it, overrides the grade and finds the incident."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.harness import Site, axe_check, sign_in

NDM = {
    "1. Gather information and intelligence": "Caller's account; no previous calls.",
    "2. Assess threat and risk and develop a working strategy": "Property crime, no one hurt.",
    "3. Consider powers and policy": "Force burglary policy.",
    "4. Identify options and contingencies": "Attend now, appointment, or phone.",
    "5. Take action and review what happened": "Appointment agreed with the caller.",
}


def record_101_call(page: Page) -> None:
    page.goto("/contacts/new")
    axe_check(page)
    page.get_by_label("101 call").check()
    page.get_by_label("Name").fill("Derek Osei")
    page.get_by_label("Phone number").fill("07700 900102")
    page.get_by_label("Victim").check()
    page.get_by_label("Location or address").fill("Unit 4, Brook Industrial Estate")
    page.get_by_label("What the caller told us").fill(
        "Yard broken into overnight, copper pipe taken. CCTV on the gate.")
    page.get_by_role("button", name="Save and assess risk").click()
    expect(page.get_by_role("heading", name="THRIVE assessment")).to_be_visible()


def complete_thrive(page: Page) -> None:
    axe_check(page)
    answers = {"element-threat": "None", "element-harm": "Moderate",
               "element-risk": "Medium", "element-investigation": "Would be lost within hours",
               "element-vulnerability": "None", "element-engagement": "Attend soon"}
    for section, label in answers.items():
        page.locator(f"#{section}").get_by_label(label, exact=True).first.check()
    page.locator("#element-investigation").get_by_label("CCTV").check()
    for label, text in NDM.items():
        page.get_by_label(label).fill(text)
    page.get_by_role("button", name="Save and see suggested grade").click()


def test_a_101_call_is_assessed_overridden_and_its_incident_found(page: Page,
                                                                   site: Site) -> None:
    sign_in(page, site.logins["call_handler"])
    record_101_call(page)
    complete_thrive(page)
    expect(page.locator("#suggestion")).to_contain_text("Priority")
    expect(page.locator("#suggestion-reasons")).to_contain_text("Evidence would be lost")
    axe_check(page)

    page.get_by_label("Scheduled (appointment)").check()
    page.get_by_role("button", name="Record determination").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Explain why you chose a different grade")
    page.get_by_label("Scheduled (appointment)").check()
    page.get_by_label("Rationale").fill("Owner at work until 18:00; CCTV secured by the "
                                        "site manager.")
    page.get_by_label("NSIR category").select_option("crime")
    page.get_by_label("NSIR opening code").select_option("CR-BUR")
    page.get_by_role("button", name="Record determination").click()

    expect(page.get_by_text("Override")).to_be_visible()
    review_due = page.locator("#review-due")
    expect(review_due).to_have_text(re.compile(r"\d{1,2} \w{3} \d{4} \d{2}:\d{2}"))
    axe_check(page)

    page.get_by_role("link", name=re.compile(r"^INC\d{6}-\d{5}$")).click()
    expect(page.get_by_role("heading", name=re.compile("Incident INC"))).to_be_visible()
    expect(page.locator("#review-due")).to_be_visible()
    page.goto("/incidents")
    expect(page.locator("#incidents")).to_contain_text("Unit 4, Brook Industrial Estate")
    axe_check(page)


def test_the_api_reference_renders_under_the_content_security_policy(page: Page,
                                                                     site: Site) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.goto("/docs")
    expect(page.get_by_text("/api/contacts").first).to_be_visible(timeout=15_000)
    assert not [e for e in errors if "Content Security Policy" in e], errors
