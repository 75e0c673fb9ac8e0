"""Filling in the public online report through the real pages, as a browser without JS would."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

ANSWERS: dict[str, dict[str, str]] = {
    "what": {"kind": "crime"},
    "who": {"caller_relationship": "victim"},
    "details": {"narrative": "My bike was taken from the rack outside the library."},
    "where": {"address": "Central Library, Market Street"},
    "name": {"caller_name": "Priya Shah"},
    "contact": {"contact_method": "email"},
    "contact-details": {"contact_detail": "priya@example.org"},
    "language": {"language": "English"},
    "help": {"needs_help": "no", "help_detail": ""},
}


def form_token(page: Response) -> str:
    found = FORM_TOKEN.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def post(client: TestClient, path: str, fields: dict[str, str]) -> Response:
    """GET the page for its form token, then POST it, as the browser would."""
    page = client.get(path)
    response: Response = client.post(path, data={**fields, "csrf_token": form_token(page)},
                                     follow_redirects=False)
    return response


def start(client: TestClient) -> Response:
    page = client.get("/report")
    response: Response = client.post("/report/start", data={"csrf_token": form_token(page)},
                                     follow_redirects=False)
    return response


def answer_all(client: TestClient, changes: dict[str, dict[str, str]] | None = None) -> None:
    """Start a report and answer every question; ends on the check-your-answers page."""
    assert start(client).headers["location"] == "/report/what"
    for slug, fields in ANSWERS.items():
        response = post(client, f"/report/{slug}", {**fields, **(changes or {}).get(slug, {})})
        assert response.status_code == 303, response.text[:2000]


def send_report(client: TestClient, changes: dict[str, dict[str, str]] | None = None) -> str:
    """A whole report, sent; returns the reference shown on the confirmation page."""
    answer_all(client, changes)
    sent = post(client, "/report/check", {})
    assert sent.headers["location"] == "/report/sent"
    page = client.get("/report/sent")
    found = re.search(r'id="reference">([^<]+)<', page.text)
    assert found
    return found.group(1)
