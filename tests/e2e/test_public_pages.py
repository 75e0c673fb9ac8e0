"""Public pages are accessible (axe, WCAG 2.2 AA) and always say to call 999 in an emergency."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.harness import axe_check


def test_root_page_passes_axe_and_offers_staff_sign_in(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("link", name=re.compile("sign in", re.IGNORECASE)).first
           ).to_be_visible()
    axe_check(page)


def test_root_page_shows_the_999_warning(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_text(re.compile(r"\b999\b")).first).to_be_visible()


def test_sign_in_page_passes_axe(page: Page) -> None:
    page.goto("/login")
    expect(page.get_by_label("Username")).to_be_visible()
    axe_check(page)


def test_built_stylesheet_is_served_without_the_gds_font(page: Page) -> None:
    response = page.request.get("/static/build/app.css")
    assert response.status == 200
    assert "GDS Transport" not in response.text()
