"""A team leader confirms an offered match between two callers, then records a missing-person
report from the person's page, in Chromium, with axe on every page on the way."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.e2e.harness import Site, axe_check, sign_in

NAME = "Wiktoria Zielinska"


def record_call(page: Page, phone: str) -> None:
    page.goto("/contacts/new")
    page.get_by_label("101 call").check()
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Phone number").fill(phone)
    page.get_by_label("Third party").check()
    page.get_by_label("Location or address").fill("4 Weaver Row")
    page.get_by_label("What the caller told us").fill("My grandmother has not come home.")
    page.get_by_role("button", name="Save and assess risk").click()
    expect(page.get_by_role("heading", name="THRIVE assessment")).to_be_visible()


def test_a_team_leader_confirms_a_match_and_reports_a_person_missing(page: Page,
                                                                     site: Site) -> None:
    sign_in(page, site.logins["team_leader"])
    record_call(page, "07700 900601")
    record_call(page, "07700 900602")

    page.get_by_role("link", name="Likely matches").click()
    card = page.locator("section.govuk-summary-card", has_text="+447700900602")
    expect(card).to_contain_text("given name agree (+3.0)")
    expect(card).to_contain_text("phone disagree (-0.5)")
    axe_check(page)
    kept = card.get_by_role("link", name="person").nth(1).inner_text()
    card.get_by_role("button", name="Confirm: same person").click()
    expect(page.get_by_role("alert")).to_contain_text("Decision recorded")
    expect(page.locator("section.govuk-summary-card", has_text="+447700900602")).to_have_count(0)

    page.goto("/people/" + kept.removeprefix("person "))
    expect(page.locator("#person-records tbody tr")).to_have_count(2)
    axe_check(page)
    page.get_by_role("link", name="Report missing").click()
    expect(page.get_by_role("heading", name="Report a missing person")).to_be_visible()
    axe_check(page)
    page.get_by_label("Missing person's full name").fill("Halina Zielinska")
    page.get_by_label("Their date of birth").fill("1939-11-02")
    page.get_by_label("Description").fill("Small, white hair, red raincoat, walking stick")
    page.get_by_label("Circumstances").fill("Went to the shop at noon, not back")
    seen = datetime.now(ZoneInfo("Europe/London")) - timedelta(hours=2)
    page.get_by_label("When were they last seen?").fill(seen.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Where were they last seen?").fill("Spar, Weaver Row")
    page.get_by_label("Age in years").fill("87")
    page.get_by_label("They have dementia").check()
    page.get_by_label("Herbert Protocol details").fill("Form held by the family: photo")
    page.get_by_label("High").check()
    page.get_by_label("Rationale for the risk level").fill("Dementia; dark in an hour")
    page.get_by_role("button", name="Record the report").click()

    expect(page.locator("h1")).to_contain_text("Missing report")
    expect(page.locator("#risk-decisions")).to_contain_text("Suggested High because: dementia")
    expect(page.locator("#review-due")).to_contain_text("Next risk review by")
    axe_check(page)
    page.get_by_role("link", name="Missing people").first.click()
    expect(page.locator("#missing-reports")).to_contain_text("Dementia")
    axe_check(page)


def test_a_team_leader_checks_the_extract_before_referring(page: Page, site: Site) -> None:
    sign_in(page, site.logins["team_leader"])
    record_call(page, "07700 900603")
    page.get_by_role("link", name="Refer to a partner agency").click()
    axe_check(page)
    page.get_by_role("button", name="Check what will be sent").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the lawful basis")
    axe_check(page)
    page.get_by_label("Partner agency").select_option(
        label="Northshire Adult Social Care (Adults' social care)")
    page.get_by_label("Why are you referring this person?").fill("Carer is unwell")
    page.get_by_label("Care Act 2014 s.42").check()
    page.get_by_role("button", name="Check what will be sent").click()
    expect(page.locator("#extract")).to_contain_text("+447700900603")
    axe_check(page)
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator("h1")).to_have_text("Partner-agency referrals")
    axe_check(page)
