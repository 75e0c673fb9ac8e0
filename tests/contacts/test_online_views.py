"""The public online report: one question a page, checked answers, sent once, flood-limited."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from firstcontact.contacts import online_service
from firstcontact.contacts.tables import ContactRow, DeskItemRow
from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.runtime import Runtime
from tests.contacts.report_flow import form_token, post, send_report, start


def contacts_stored(rt: Runtime) -> list[ContactRow]:
    with rt.database.transaction() as session:
        rows = list(session.scalars(select(ContactRow)))
        session.expunge_all()
        return rows


def test_the_start_page_says_call_999_and_needs_no_sign_in(client: TestClient) -> None:
    page = client.get("/report")
    assert page.status_code == 200
    assert "If you are in immediate danger, call 999" in page.text
    assert 'name="csrf_token"' in page.text


def test_a_whole_report_becomes_an_online_contact_with_a_reference(
        client: TestClient, runtime: Runtime) -> None:
    reference = send_report(client)
    [contact] = contacts_stored(runtime)
    assert contact.reference == reference
    assert contact.channel == "online"
    assert contact.caller_name == "Priya Shah"
    assert "My bike was taken" in contact.narrative
    assert "Contact by email: priya@example.org" in contact.narrative
    page = client.get("/report/sent")
    assert "What happens next" in page.text and "within 24 hours" in page.text


def test_sending_the_same_report_twice_stores_one_contact(client: TestClient,
                                                          runtime: Runtime) -> None:
    reference = send_report(client)
    again = client.post("/report/check", data={"csrf_token": client.cookies["fc_report_form"]},
                        follow_redirects=False)
    assert again.headers["location"] == "/report/sent"
    assert [c.reference for c in contacts_stored(runtime)] == [reference]


def test_the_sent_report_is_on_the_desk_with_a_24_hour_reply_target(
        client: TestClient, runtime: Runtime) -> None:
    send_report(client)
    with runtime.database.transaction() as session:
        item = session.scalars(select(DeskItemRow)).one()
        contact = session.get(ContactRow, item.contact_id)
        assert contact is not None
        assert item.reply_due_at - contact.received_at == timedelta(hours=24)
        assert not item.urgent


def test_text_suggesting_danger_marks_the_report_urgent(client: TestClient,
                                                        runtime: Runtime) -> None:
    send_report(client, {"details": {"narrative": "My ex is outside my house and says he is "
                                                  "going to kill me."}})
    with runtime.database.transaction() as session:
        item = session.scalars(select(DeskItemRow)).one()
        assert item.urgent and item.danger_phrase == "going to kill"


def test_a_missing_answer_is_shown_in_the_error_summary(client: TestClient) -> None:
    start(client)
    response = post(client, "/report/what", {})
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert 'href="#kind">Select what you want to report' in response.text


def test_script_in_an_answer_is_refused_and_nothing_is_kept(client: TestClient,
                                                            runtime: Runtime) -> None:
    start(client)
    post(client, "/report/what", {"kind": "crime"})
    post(client, "/report/who", {"caller_relationship": "witness"})
    response = post(client, "/report/details", {"narrative": "<script>alert(1)</script>"})
    assert response.status_code == 422
    assert "Must not contain HTML or script" in response.text
    assert "<script>alert(1)" not in response.text
    assert client.get("/report/where", follow_redirects=False).headers["location"] == (
        "/report/details")


def test_each_contact_method_asks_for_its_own_detail(client: TestClient) -> None:
    start(client)
    for slug, fields in (("what", {"kind": "incident"}), ("who", {"caller_relationship":
                         "third_party"}), ("details", {"narrative": "Noise every night."}),
                         ("where", {"address": "12 Elm Road"}), ("name",
                         {"caller_name": "Sam Hill"}), ("contact", {"contact_method": "text"})):
        post(client, f"/report/{slug}", fields)
    page = client.get("/report/contact-details")
    assert "What mobile number should we text?" in page.text and 'type="tel"' in page.text
    bad = post(client, "/report/contact-details", {"contact_detail": "not a number"})
    assert bad.status_code == 422 and 'href="#contact_detail"' in bad.text
    good = post(client, "/report/contact-details", {"contact_detail": "07700 900982"})
    assert good.headers["location"] == "/report/language"


def test_a_bad_email_address_is_refused(client: TestClient) -> None:
    start(client)
    for slug, fields in (("what", {"kind": "crime"}), ("who", {"caller_relationship":
                         "victim"}), ("details", {"narrative": "Scam call."}),
                         ("where", {"address": "Online"}), ("name", {"caller_name": "A B"}),
                         ("contact", {"contact_method": "email"})):
        post(client, f"/report/{slug}", fields)
    bad = post(client, "/report/contact-details", {"contact_detail": "nobody@"})
    assert bad.status_code == 422
    assert "Enter an email address in the correct format" in bad.text


def test_changing_an_answer_returns_to_check_your_answers(client: TestClient) -> None:
    send_changes = {"name": {"caller_name": "Priya S"}}
    from tests.contacts.report_flow import answer_all

    answer_all(client, send_changes)
    page = client.get("/report/check")
    assert "Priya S" in page.text and 'href="/report/name?change=1"' in page.text
    changed = post(client, "/report/name?change=1", {"caller_name": "Priya Shah",
                                                      "change": "1"})
    assert changed.headers["location"] == "/report/check"
    method = post(client, "/report/contact", {"contact_method": "letter", "change": "1"})
    assert method.headers["location"] == "/report/contact-details"


def test_a_form_without_its_token_is_refused_and_nothing_is_kept(
        client: TestClient, runtime: Runtime) -> None:
    start(client)
    response = client.post("/report/what", data={"kind": "crime", "csrf_token": "forged"},
                           follow_redirects=False)
    assert response.status_code == 403
    assert "This page had expired" in response.text
    assert client.get("/report/who", follow_redirects=False).headers["location"] == (
        "/report/what")


def test_a_page_cannot_be_reached_without_starting_a_report(client: TestClient) -> None:
    for path in ("/report/details", "/report/check", "/report/sent", "/report/nowhere"):
        assert client.get(path, follow_redirects=False).headers["location"] == "/report"


def test_a_flood_of_posts_from_one_address_gets_a_clear_429(client: TestClient,
                                                            runtime: Runtime) -> None:
    token = form_token(client.get("/report"))
    statuses = [client.post("/report/start", data={"csrf_token": token},
                            follow_redirects=False).status_code
                for _ in range(online_service.FLOOD_LIMIT + 1)]
    assert statuses[:-1] == [303] * online_service.FLOOD_LIMIT
    assert statuses[-1] == 429
    refused = client.post("/report/start", data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "600"
    assert "Too many attempts" in refused.text


def test_sending_a_report_is_audited_as_coming_from_the_public(client: TestClient,
                                                               runtime: Runtime) -> None:
    send_report(client)
    with runtime.database.transaction() as session:
        count = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.purpose == "online report"))
        assert count == 1
