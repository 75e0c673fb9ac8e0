"""Replies from the desk, out through each platform's own send endpoint.

One adapter per platform, each a pure request shape (`outbound`) and one HTTP call (`send`):
Meta's Send API for Messenger and Instagram, the WhatsApp Cloud API messages endpoint, and
X's v2 direct-message endpoint. Base URLs and tokens are settings, so a force (or a test) can
point them anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from firstcontact.contacts.social_model import Platform
from firstcontact.settings import Settings


class DeliveryFailed(Exception):
    """The platform did not take the reply; nothing was recorded as sent."""


@dataclass(frozen=True)
class Outbound:
    url: str
    token: str
    body: dict[str, Any]
    read_id: Callable[[Any], str]
    """Finds the platform's id for the sent message in its JSON answer."""


def _graph_message_id(answer: Any) -> str:
    return str(answer["message_id"])


def _whatsapp_message_id(answer: Any) -> str:
    return str(answer["messages"][0]["id"])


def _x_event_id(answer: Any) -> str:
    return str(answer["data"]["dm_event_id"])


def outbound(settings: Settings, platform: Platform, account_id: str, recipient_id: str,
             text: str) -> Outbound:
    """The request each platform documents for a plain-text reply to one person."""
    graph = settings.meta_graph_url.rstrip("/")
    if platform is Platform.WHATSAPP:
        return Outbound(
            f"{graph}/{account_id}/messages", settings.whatsapp_access_token,
            {"messaging_product": "whatsapp", "recipient_type": "individual",
             "to": recipient_id, "type": "text", "text": {"preview_url": False, "body": text}},
            _whatsapp_message_id)
    if platform is Platform.X:
        return Outbound(
            f"{settings.x_api_url.rstrip('/')}/2/dm_conversations/with/{recipient_id}/messages",
            settings.x_user_access_token, {"text": text}, _x_event_id)
    return Outbound(
        f"{graph}/{account_id}/messages", settings.meta_page_access_token,
        {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE",
         "message": {"text": text}},
        _graph_message_id)


def send(settings: Settings, request: Outbound) -> str:
    """POST the reply; the platform's id for it, or DeliveryFailed saying why."""
    if not request.token:
        raise DeliveryFailed("No access token is configured for this platform.")
    try:
        response = httpx.post(request.url, json=request.body,
                              headers={"Authorization": f"Bearer {request.token}"},
                              timeout=settings.social_send_timeout_seconds)
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"The platform could not be reached ({type(error).__name__}).") \
            from None
    if response.status_code >= 300:
        raise DeliveryFailed(f"The platform refused the reply (HTTP {response.status_code}).")
    try:
        return request.read_id(response.json())
    except (ValueError, KeyError, IndexError, TypeError):
        raise DeliveryFailed("The platform's answer did not name the sent message.") from None
