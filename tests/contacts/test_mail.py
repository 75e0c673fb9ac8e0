"""Email to the digital desk over real SMTP: stored once, acknowledged, threaded, answered;
and every kind of bad message handled without losing what can be kept."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from firstcontact.contacts import mail
from firstcontact.contacts.mail_listener import controller
from firstcontact.contacts.tables import (
    ContactRow,
    DeskItemRow,
    EmailAttachmentRow,
    EmailMessageRow,
)
from firstcontact.harm.tables import HarmFindingRow
from firstcontact.platform.model import PermissionDenied, Role
from firstcontact.platform.runtime import Runtime
from tests.contacts.mail_servers import DESK, Outbox, email, free_port, outbox_server
from tests.staff import create_staff, sign_in


@dataclass
class Desk:
    rt: Runtime
    outbox: Outbox
    port: int

    def send(self, message: bytes | smtplib._SendMessageType) -> None:  # type: ignore[name-defined]
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as client:
            if isinstance(message, bytes):
                client.sendmail("mo@example.org", [DESK], message)
            else:
                client.send_message(message)

    def count(self, table: type[object]) -> int:
        with self.rt.database.transaction() as session:
            return int(session.scalar(select(func.count()).select_from(table)) or 0)

    def contacts(self) -> list[ContactRow]:
        with self.rt.database.transaction() as session:
            rows = list(session.scalars(select(ContactRow).order_by(ContactRow.id)))
            session.expunge_all()
            return rows


@pytest.fixture
def desk_mail(runtime: Runtime) -> Iterator[Desk]:
    runtime.settings.email_smtp_port = free_port()
    runtime.settings.email_max_bytes = 300_000
    runtime.settings.email_attachment_max_bytes = 50_000
    runtime.settings.email_desk_address = DESK
    port = free_port()
    with outbox_server(runtime.settings.email_smtp_port) as outbox:
        listener = controller(runtime, port=port)
        listener.start()
        try:
            yield Desk(runtime, outbox, port)
        finally:
            listener.stop()


def test_a_new_email_becomes_a_contact_on_the_desk_and_is_acknowledged(desk_mail: Desk) -> None:
    desk_mail.send(email("Stolen bike", "My bike went from the station rack.",
                         message_id="<first@example.org>"))
    [contact] = desk_mail.contacts()
    assert contact.channel == "email" and contact.caller_name == "Mo Farah"
    assert "My bike went from the station rack." in contact.narrative
    assert desk_mail.count(DeskItemRow) == 1
    [ack] = desk_mail.outbox.messages
    assert ack["To"] == "mo@example.org"
    assert ack["In-Reply-To"] == "<first@example.org>"
    assert contact.reference in ack["Subject"]
    assert "If you are in immediate danger, call 999." in ack.get_content()


def test_a_reply_threads_into_the_same_contact_and_is_not_acknowledged_again(
        desk_mail: Desk) -> None:
    desk_mail.send(email("Stolen bike", "First message.", message_id="<first@example.org>"))
    ack_id = desk_mail.outbox.messages[0]["Message-ID"]
    desk_mail.send(email("Re: Stolen bike", "The frame number is AB123.",
                         message_id="<second@example.org>", in_reply_to=ack_id))
    assert len(desk_mail.contacts()) == 1
    assert desk_mail.count(EmailMessageRow) == 3
    assert len(desk_mail.outbox.messages) == 1


def test_a_reply_is_scanned_for_hidden_harms_on_the_senders_words_alone(
        desk_mail: Desk) -> None:
    desk_mail.send(email("Work advice", "Can I ask about my job?",
                         message_id="<first@example.org>"))
    ack_id = desk_mail.outbox.messages[0]["Message-ID"]
    quoting = ("> Has your boss taken your passport? Are you locked in at night?\n"
               "A man keeps following me home from the bus stop every night.")
    desk_mail.send(email("Re: Work advice", quoting, message_id="<second@example.org>",
                         in_reply_to=ack_id))
    assert harms(desk_mail) == {"stalking"}  # the quoted question is not read
    desk_mail.send(email("Re: Work advice", "The boss keeps my passport and we are not "
                         "allowed out.", message_id="<third@example.org>", in_reply_to=ack_id))
    assert harms(desk_mail) == {"stalking", "modern_slavery"}


def harms(desk: Desk) -> set[str]:
    with desk.rt.database.read() as session:
        return set(session.scalars(select(HarmFindingRow.harm_type)))


def test_the_same_message_delivered_twice_is_stored_once(desk_mail: Desk) -> None:
    message = email("Noise", "Loud music every night.", message_id="<retry@example.org>")
    desk_mail.send(message)
    desk_mail.send(message)
    assert len(desk_mail.contacts()) == 1
    assert desk_mail.count(EmailMessageRow) == 2  # the email and its acknowledgement


def test_the_desk_replies_in_the_thread_and_the_item_leaves_the_queue(desk_mail: Desk) -> None:
    desk_mail.send(email("Scam", "I was sent a fake parcel text.", message_id="<s@example.org>"))
    [contact] = desk_mail.contacts()
    worker = create_staff(desk_mail.rt, Role.DIGITAL_DESK)
    mail.reply(desk_mail.rt, worker, contact.id, "Thank you. Please forward the text to 7726.")
    reply = desk_mail.outbox.messages[-1]
    assert reply["To"] == "mo@example.org" and reply["Subject"].startswith("Re: Scam")
    assert "<s@example.org>" in reply["References"]
    with desk_mail.rt.database.transaction() as session:
        item = session.get(DeskItemRow, contact.id)
        assert item is not None and item.replied_at is not None
    with pytest.raises(PermissionDenied):
        mail.reply(desk_mail.rt, create_staff(desk_mail.rt, Role.CALL_HANDLER), contact.id, "x")


def test_html_and_script_in_any_field_are_kept_as_plain_text(desk_mail: Desk) -> None:
    message = email("<script>alert('subject')</script>Help",
                    "Hello <script>alert(3)</script><a href='javascript:alert(4)'>link</a>",
                    sender='"<script>alert(1)</script>Eve" <evil@example.org>')
    message.add_alternative("<p>Hello<script>alert('body')</script></p>"
                            "<a href='javascript:alert(2)'>link</a>", subtype="html")
    desk_mail.send(message)
    [contact] = desk_mail.contacts()
    for text in (contact.narrative, contact.caller_name):
        assert "<" not in text and "script" not in text.lower() and "javascript" not in text
    assert "Hello" in contact.narrative and "link" in contact.narrative
    assert contact.caller_name == "Eve"


def test_an_html_only_email_is_converted_to_text(desk_mail: Desk) -> None:
    message = email("Report", "x")
    message.set_content("<div>Car <b>keyed</b></div><div>on Elm Road</div>", subtype="html")
    desk_mail.send(message)
    [contact] = desk_mail.contacts()
    assert "Car keyed\n" in contact.narrative and "on Elm Road" in contact.narrative


def test_attachments_are_kept_within_type_and_size_limits(desk_mail: Desk) -> None:
    message = email("Photos", "Pictures attached.", message_id="<att@example.org>")
    message.add_attachment(b"%PDF-1.4 small", maintype="application", subtype="pdf",
                           filename="../../etc/receipt<script>.pdf")
    message.add_attachment(b"MZ" * 10, maintype="application", subtype="x-msdownload",
                           filename="run.exe")
    message.add_attachment(b"\xff" * 60_000, maintype="image", subtype="jpeg",
                           filename="huge.jpg")
    desk_mail.send(message)
    with desk_mail.rt.database.transaction() as session:
        [kept] = session.scalars(select(EmailAttachmentRow)).all()
        assert kept.filename == "receipt_script_.pdf" and kept.data == b"%PDF-1.4 small"
    [contact] = desk_mail.contacts()
    assert "run.exe not kept: files of type application/x-msdownload" in contact.narrative
    assert "huge.jpg not kept: larger than 48 KB" in contact.narrative


def test_an_oversized_message_is_refused_with_552(desk_mail: Desk) -> None:
    """smtplib announces the size (ESMTP SIZE), so the listener refuses it before the data."""
    with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as refused:
        desk_mail.send(email("Big", "x" * 400_000))
    assert refused.value.smtp_code == 552
    assert desk_mail.contacts() == []


def test_broken_mime_is_stored_as_far_as_it_can_be_read(desk_mail: Desk) -> None:
    raw = (b"From: Ann <ann@example.org>\r\nTo: " + DESK.encode() + b"\r\n"
           b"Subject: Broken\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed\r\n\r\n"
           b"--nowhere\r\nContent-Type: text/plain\r\n\r\nMy van was broken into.\r\n")
    desk_mail.send(raw)
    [contact] = desk_mail.contacts()
    assert "damaged in transit" in contact.narrative


def test_a_message_with_no_sender_is_refused_with_550(desk_mail: Desk) -> None:
    raw = b"To: " + DESK.encode() + b"\r\nSubject: Anonymous\r\n\r\nNo sender here.\r\n"
    with pytest.raises(smtplib.SMTPDataError) as refused:
        desk_mail.send(raw)
    assert refused.value.smtp_code == 550
    assert desk_mail.contacts() == []


def test_mail_for_another_address_is_not_relayed(desk_mail: Desk) -> None:
    with smtplib.SMTP("127.0.0.1", desk_mail.port, timeout=10) as client, \
            pytest.raises(smtplib.SMTPRecipientsRefused):
        client.sendmail("mo@example.org", ["someone@elsewhere.example"], b"Subject: x\r\n\r\nx")


def test_an_automatic_reply_is_stored_but_never_acknowledged(desk_mail: Desk) -> None:
    message = email("Out of office", "I am away until Monday.")
    message["Auto-Submitted"] = "auto-replied"
    desk_mail.send(message)
    assert len(desk_mail.contacts()) == 1
    assert desk_mail.outbox.messages == []


def test_the_desk_reads_the_thread_and_replies_from_the_page(desk_mail: Desk,
                                                            client: TestClient) -> None:
    desk_mail.send(email("Dog", "A loose dog <b>bit</b> my son.", message_id="<d@example.org>"))
    [contact] = desk_mail.contacts()
    csrf = sign_in(client, desk_mail.rt, Role.DIGITAL_DESK)
    page = client.get(f"/desk/{contact.id}/email")
    assert page.status_code == 200 and "A loose dog bit my son." in page.text
    assert client.get("/desk").text.count(f"/desk/{contact.id}/email") == 1
    empty = client.post(f"/desk/{contact.id}/email", data={"csrf_token": csrf, "body": " "})
    assert empty.status_code == 422 and 'href="#body"' in empty.text
    sent = client.post(f"/desk/{contact.id}/email",
                       data={"csrf_token": csrf, "body": "An officer will call you today."},
                       follow_redirects=False)
    assert sent.status_code == 303
    assert desk_mail.outbox.messages[-1].get_content().strip() == (
        "An officer will call you today.")
    assert client.get("/desk/999999/email").status_code == 404


def test_a_call_handler_may_not_read_the_email_thread(desk_mail: Desk,
                                                      client: TestClient) -> None:
    desk_mail.send(email("Dog", "A loose dog.", message_id="<d2@example.org>"))
    [contact] = desk_mail.contacts()
    sign_in(client, desk_mail.rt, Role.CALL_HANDLER)
    assert client.get(f"/desk/{contact.id}/email").status_code == 403
