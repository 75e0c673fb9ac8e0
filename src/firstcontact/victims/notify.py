"""Sending the written acknowledgement through GOV.UK Notify: text messages, email when the
force sends its email through Notify rather than its own mail relay, and the printed letter
(a precompiled PDF letter Notify prints and posts) for a victim who chose a letter.

Notify answers 400 or 403 when it will never accept the message (a number that is not a
mobile, a bad template): that fails at once. A 429, a 5xx or no answer at all is tried again
by the delivery timer with back-off, like a relay that is down.
"""

from __future__ import annotations

import io
from typing import Any

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from firstcontact.settings import Settings


class Refused(Exception):
    """Notify will not accept this message: trying again will not help."""


class Unavailable(Exception):
    """Notify did not take the message this time: try again later."""


def enabled(settings: Settings) -> bool:
    """Notify is set up: precompiled letters need only the API key (no template)."""
    return bool(settings.notify_api_key)


def sms_enabled(settings: Settings) -> bool:
    return bool(settings.notify_api_key and settings.notify_sms_template_id)


def email_enabled(settings: Settings) -> bool:
    return bool(settings.notify_api_key and settings.notify_email_template_id)


def personalisation(name: str, reference: str, what: str, reported_on: str,
                    how_to_contact: str, body: str) -> dict[str, str]:
    """What fills the Notify template's ((placeholders)): the acknowledgement's parts, and
    the whole text as ((body)) for a template that just prints it."""
    return {"name": name, "crime_reference": reference, "what": what,
            "reported_on": reported_on, "how_to_contact": how_to_contact, "body": body}


def _client(settings: Settings) -> NotificationsAPIClient:
    return NotificationsAPIClient(  # type: ignore[no-untyped-call]
        settings.notify_api_key, base_url=settings.notify_base_url,
        timeout=settings.notify_timeout_seconds)


def send_letter(settings: Settings, pdf: bytes, reference: str) -> str:
    """Hand a printed letter (a precompiled PDF: Notify prints and posts it as it is, to the
    address printed in its address block) to Notify; returns Notify's notification id."""
    client = _client(settings)
    try:
        answer: Any = client.send_precompiled_letter_notification(  # type: ignore[no-untyped-call]
            reference=reference, pdf_file=io.BytesIO(pdf))
    except HTTPError as error:
        raise _failure(error) from error
    return f"notify:{answer['id']}"


def _failure(error: HTTPError) -> Refused | Unavailable:
    """Notify's 400 and 403 will never change (fail now); anything else is tried again."""
    status, why = int(error.status_code or 503), _why(error.message)
    if status in (400, 403):
        return Refused(f"GOV.UK Notify refused the message: {why}")
    return Unavailable(f"GOV.UK Notify answered {status}: {why}")


def send(settings: Settings, channel: str, to: str, values: dict[str, str],
         reference: str) -> str:
    """Hand the message to Notify (`channel` "sms" or "email"); returns Notify's
    notification id (the evidence it was sent)."""
    client = _client(settings)
    try:
        if channel == "sms":
            answer: Any = client.send_sms_notification(  # type: ignore[no-untyped-call]
                phone_number=to, template_id=settings.notify_sms_template_id,
                personalisation=values, reference=reference)
        else:
            answer = client.send_email_notification(  # type: ignore[no-untyped-call]
                email_address=to, template_id=settings.notify_email_template_id,
                personalisation=values, reference=reference)
    except HTTPError as error:
        raise _failure(error) from error
    return f"notify:{answer['id']}"


def _why(message: object) -> str:
    """Notify's errors as one line: its answer lists them as {"error", "message"}."""
    if isinstance(message, list):
        return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e)
                         for e in message)
    return str(message)
