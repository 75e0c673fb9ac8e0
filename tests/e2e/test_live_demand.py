"""A dispatcher finds a review that has fallen due, completes the re-THRIVE, and the live
queue open in another tab updates itself without a reload."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.harness import Site, axe_check, sign_in


def test_a_dispatcher_completes_a_due_review_and_the_live_queue_updates(
        page: Page, site: Site) -> None:
    sign_in(page, site.logins["dispatcher"])
    queue = page.context.new_page()
    queue.goto("/demand/queue")
    expect(queue.locator("#live-status")).to_have_text("Live: the queue updates itself.")
    axe_check(queue)

    # The demo force's oldest incidents were assessed more than 3h30 ago: the timer has
    # put them on the reviews-due list.
    page.goto("/incidents/reviews")
    expect(page.locator("#reviews-due")).to_be_visible(timeout=15_000)
    axe_check(page)
    page.locator("#reviews-due").get_by_role("link", name="Re-THRIVE").first.click()
    expect(page.get_by_role("heading", name="Re-THRIVE")).to_be_visible()
    axe_check(page)
    page.get_by_label("What has changed since the last assessment?").fill(
        "Rang the caller back: no change, still waiting for officers")
    page.get_by_label("Rationale for the grade").fill("Same risk; grade stands")
    page.get_by_role("button", name="Record re-THRIVE").click()
    expect(page.locator("#timeline")).to_contain_text("Re-THRIVE: stays")
    expect(page.locator("#timeline")).to_contain_text("What changed: Rang the caller back")
    axe_check(page)

    expect(queue.locator("#live-status")).to_contain_text("Updated", timeout=10_000)
