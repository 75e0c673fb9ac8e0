"""Quality assurance in the browser: a call handler dismisses a hidden-harm prompt (through the
API, as the contact page would), a QA reviewer takes samples, reads the contact and scores it,
and the handler reads the feedback and acknowledges it. axe checks every page on the way."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import APIRequestContext, Browser, Page, expect

from tests.e2e.harness import Login, Site, axe_check, sign_in
from tests.quality.qa_day import DOMESTIC
from tests.risk.flow import CONTACT, thrive_body


def api(request: APIRequestContext, login: Login) -> dict[str, str]:
    signed = request.post("/api/session", data={"username": login.username,
                                                 "password": login.password})
    assert signed.status == 201, signed.text()
    return {"Authorization": f"Bearer {signed.json()['token']}"}


def dismissed_contact(request: APIRequestContext, login: Login) -> str:
    """A contact graded by the handler, its hidden-harm prompt dismissed: its reference."""
    headers = api(request, login)
    made = request.post("/api/contacts", headers=headers, data={
        **CONTACT, "caller": {"name": "Quinn Ashdown", "phone": "07700 900777",
                              "relationship": "victim"}, "narrative": DOMESTIC})
    assert made.status == 201, made.text()
    contact: dict[str, Any] = made.json()
    url = f"/api/contacts/{contact['id']}"
    assert request.post(f"{url}/assessments", headers=headers, data=thrive_body()).ok
    assert request.post(f"{url}/determination", headers=headers, data={
        "grade": "priority", "rationale": "Attend today", "nsir_category": "crime",
        "opening_code": "CR-VAP"}).ok
    [prompt] = request.get(f"{url}/harms", headers=headers).json()
    assert request.post(f"{url}/harms/{prompt['id']}/decision", headers=headers, data={
        "decision": "dismissed", "reason": "Caller says it was a film plot"}).ok
    reference: str = contact["reference"]
    return reference


def test_a_reviewer_scores_a_sampled_contact_and_the_handler_acknowledges(
        page: Page, browser: Browser, site: Site) -> None:
    handler = site.logins["call_handler"]
    reference = dismissed_contact(page.request, handler)

    sign_in(page, site.logins["qa_reviewer"])
    page.get_by_role("link", name="Quality assurance").click()
    page.get_by_role("button", name="Take samples").click()
    expect(page.locator("#sampled")).to_contain_text("new contacts sampled")
    axe_check(page)
    row = page.locator("#waiting tr", has_text=reference)
    expect(row).to_contain_text("Hidden-harm prompt dismissed")
    row.get_by_role("link", name=reference).click()
    expect(page.locator("#why-sampled")).to_contain_text("film plot")
    axe_check(page)
    page.get_by_role("button", name="Submit review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose a score for THRIVE completed and proportionate")
    for fieldset, choice in [("THRIVE completed and proportionate", "2: Met"),
                             ("Vulnerability identified", "1: Partly met"),
                             ("Grade appropriate", "2: Met"),
                             ("Hidden demand considered", "0: Not met"),
                             ("Victims' Code entitlements delivered", "Not applicable"),
                             ("Courtesy and clarity", "3: Exemplary")]:
        page.get_by_role("group", name=fieldset).get_by_label(choice).check()
    page.get_by_label("Hidden demand considered: note (optional)").fill(
        "Threats to kill were disclosed: a DASH risk assessment was needed.")
    page.get_by_label("Feedback for").fill("Please complete a DASH when threats to kill "
                                           "are disclosed.")
    page.get_by_role("button", name="Submit review").click()
    expect(page.locator("#review-summary")).to_contain_text("complete a DASH")
    axe_check(page)

    context = browser.new_context(base_url=site.url, locale="en-GB",
                                  timezone_id="Europe/London")
    own = context.new_page()
    sign_in(own, handler)
    own.get_by_role("link", name="My QA reviews").click()
    axe_check(own)
    own.locator("#my-reviews tr", has_text=reference).get_by_role("link").click()
    expect(own.locator("#review-scores")).to_contain_text("Not met (0 of 3)")
    axe_check(own)
    own.get_by_label("Your comment (optional)").fill("Understood, thank you.")
    own.get_by_role("button", name="I have read this feedback").click()
    expect(own.locator("#acknowledged")).to_contain_text("Understood, thank you.")
    own.goto("/quality")
    expect(own.locator("h1")).to_have_text("You cannot do this")
    context.close()
