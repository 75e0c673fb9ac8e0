"""The public front page, the staff home page, the layout's navigation and the templates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from firstcontact.platform.model import ROLE_PERMISSIONS, Permission, Role
from firstcontact.platform.runtime import Runtime
from firstcontact.web.templating import environment, london_iso, london_time, template_folders
from tests.staff import login_token, sign_in

NAV = {
    "/contacts": Permission.CONTACT_READ,
    "/contacts/new": Permission.CONTACT_CREATE,
    "/incidents": Permission.INCIDENT_READ,
    "/audit": Permission.AUDIT_READ,
}


def test_the_front_page_puts_999_first_and_offers_staff_sign_in(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    text = response.text
    assert "Demo Constabulary" in text
    assert "If you are in immediate danger, call 999" in text
    assert 'href="/login"' in text
    assert '<a class="govuk-link" href="/report">Report a crime or incident online</a>' in text
    assert 'class="govuk-service-navigation' not in text
    assert "govuk-header__logotype" not in text


def test_the_home_page_needs_a_signed_in_member_of_staff(client: TestClient) -> None:
    response = client.get("/home", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/home"


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_only_the_links_its_permissions_allow(
        web_client: TestClient, runtime: Runtime, role: Role) -> None:
    sign_in(web_client, runtime, role)
    page = web_client.get("/home").text
    nav = page[page.index("<header"):page.index("</header>")]
    shown = {href for href in NAV if f'href="{href}"' in nav}
    assert shown == {href for href, needed in NAV.items() if needed in ROLE_PERMISSIONS[role]}
    assert 'action="/logout"' in nav


def test_the_home_page_says_what_the_role_can_do(web_client: TestClient,
                                                 runtime: Runtime) -> None:
    sign_in(web_client, runtime, Role.DISPATCHER)
    page = web_client.get("/home").text
    assert "Dispatcher" in page
    assert "See open incidents" in page
    assert "Record a new contact" not in page
    assert "14 Mar 2026 19:30" in page  # START (09:30 GMT) + 10 hours


def test_what_a_person_typed_is_shown_as_text_never_as_markup(client: TestClient) -> None:
    attack = '"><script>alert(1)</script>'
    response = client.post("/login", data={"username": attack, "password": "x",
                                           "login_token": login_token(client),
                                           "next": "/home?q=" + attack})
    assert response.status_code == 401
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_times_are_shown_in_london_time_across_the_clock_change() -> None:
    assert london_time(datetime(2026, 3, 14, 9, 30, tzinfo=UTC)) == "14 Mar 2026 09:30"
    assert london_time(datetime(2026, 7, 1, 9, 30, tzinfo=UTC)) == "1 Jul 2026 10:30"
    assert london_iso(datetime(2026, 7, 1, 9, 30, tzinfo=UTC)) == "2026-07-01T10:30+01:00"
    assert london_time(None) == ""


def test_every_rooms_templates_folder_is_searched() -> None:
    folders = template_folders()
    assert folders[0].parts[-2:] == ("web", "templates")
    assert any(f.parts[-2:] == ("contacts", "templates") for f in folders)


def test_the_field_macros_show_a_gov_uk_error_linked_to_the_field() -> None:
    template = environment.from_string(
        '{% from "partials/fields.html" import text_input, radios, checkboxes %}'
        '{{ text_input("caller_name", "Name", value="<b>x</b>", errors=errors, hint="Full") }}'
        '{{ radios("area", "Area", [("urban", "Urban"), ("rural", "Rural")], value="rural",'
        ' errors=errors) }}'
        '{{ checkboxes("needs", "Needs", [("bsl", "BSL")], values=["bsl"]) }}')
    html = template.render(errors={"caller_name": "Enter the <caller>'s name",
                                   "area": "Choose one"})
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert 'class="govuk-input govuk-input--error" id="caller_name"' in html
    assert 'aria-describedby="caller_name-hint caller_name-error"' in html
    assert "Enter the &lt;caller&gt;&#39;s name" in html
    assert 'value="&lt;b&gt;x&lt;/b&gt;"' in html
    assert 'id="area" name="area" type="radio" value="urban">' in html
    assert 'id="area-2" name="area" type="radio" value="rural" checked>' in html
    assert 'id="needs" name="needs" type="checkbox" value="bsl" checked>' in html


def test_the_error_summary_links_each_message_to_its_field() -> None:
    html = environment.get_template("partials/error_summary.html").render(
        errors={"narrative": "Enter what happened"})
    assert '<a href="#narrative">Enter what happened</a>' in html
    assert "There is a problem" in html
