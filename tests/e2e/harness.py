"""What browser tests share: the sign-ins the harness creates, signing in, and the axe check."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

from tests.live_server import LiveServer

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "e2e-passphrase-not-for-production"


@dataclass(frozen=True)
class Login:
    username: str
    password: str


@dataclass(frozen=True)
class Site:
    """The running server and one sign-in per role (role value -> Login)."""

    server: LiveServer
    logins: dict[str, Login]

    @property
    def url(self) -> str:
        return self.server.url


def sign_in(page: Page, login: Login) -> None:
    """Sign in through the staff form, as a person would."""
    page.goto("/login")
    page.get_by_label("Username").fill(login.username)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def axe_check(page: Page) -> None:
    """Run axe-core on the current page; fail listing every WCAG 2.x A/AA violation."""
    if not AXE.is_file():
        raise RuntimeError(f"{AXE} is missing: run `make install`")
    # Not add_script_tag: the app's Content-Security-Policy rightly refuses inline scripts,
    # and relaxing it for tests (bypass_csp) would hide CSP faults. Evaluating through the
    # DevTools protocol loads axe without touching the page's policy.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    violations = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [node["target"] for node in v["nodes"]][:5]}
        for v in result["violations"]
    ]
    assert not violations, f"axe found on {page.url}:\n{json.dumps(violations, indent=2)}"
