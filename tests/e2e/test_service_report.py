"""The service report in the browser: a team leader opens it from the menu on the demo force
(with its day of call events), reads the charts' figures in tables, passes axe, and downloads
the PDF; a call handler is refused."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.harness import Site, axe_check, sign_in


def test_a_team_leader_reads_the_service_report_and_downloads_the_pdf(
        page: Page, site: Site, tmp_path: Path) -> None:
    sign_in(page, site.logins["team_leader"])
    page.get_by_role("link", name="Service report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Service report")
    expect(page.locator("#section-calls")).to_contain_text("999 calls answered within 10 seconds")
    expect(page.locator("#table-calls-answering")).to_contain_text("999")
    expect(page.locator("#chart-calls")).to_have_attribute("role", "img")
    expect(page.locator("#section-demand table")).to_contain_text("phone 101")
    page.screenshot(path=str(tmp_path / "service-report.png"), full_page=True)
    axe_check(page)
    with page.expect_download() as download:
        page.locator("#pdf").click()
    saved = tmp_path / "report.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")


def test_a_call_handler_may_not_read_the_service_report(page: Page, site: Site) -> None:
    sign_in(page, site.logins["call_handler"])
    expect(page.get_by_role("link", name="Service report")).to_have_count(0)
    response = page.goto("/reports/service")
    assert response is not None and response.status == 403
