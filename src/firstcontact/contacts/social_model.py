"""Social-media direct messages as the platforms send them: signatures and payload shapes.

Pure rules: checking a webhook's signature, answering the platforms' set-up handshakes, and
reading Meta's (Messenger, Instagram, WhatsApp Cloud API) and X's (Account Activity API)
webhook bodies into one `InboundMessage` shape. No clock, no database, no network.

What a member of the public types is kept, but made inert (`inert_text`) before it joins a
Contact: a webhook that is refused is retried by the platform and then dropped, so refusing
markup would lose a message from someone who may need help.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from firstcontact.platform.model import ValidationError


class Platform(enum.StrEnum):
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    WHATSAPP = "whatsapp"
    X = "x"

    @property
    def label(self) -> str:
        return {"messenger": "Facebook Messenger", "instagram": "Instagram",
                "whatsapp": "WhatsApp", "x": "X"}[self.value]


MESSAGE_MAX_CHARS = 20_000
"""Longer than any platform allows (Messenger 2,000, WhatsApp 4,096, X 10,000)."""


@dataclass(frozen=True)
class InboundMessage:
    """One direct message from a member of the public, whichever platform carried it."""

    platform: Platform
    message_id: str
    """The platform's own id: a retried webhook carries the same one."""
    sender_id: str
    """Who wrote, as the platform identifies them to us (PSID, IGSID, WhatsApp number, X id)."""
    account_id: str
    """Our page, Instagram account, WhatsApp phone-number id or X account: replies go from it."""
    sender_name: str
    text: str
    """As sent, made inert (see `inert_text`)."""
    sent_at: datetime


# --- signatures and handshakes ----------------------------------------------------------------

def hub_signature(secret: str, body: bytes) -> str:
    """Meta's X-Hub-Signature-256 value for `body`: "sha256=" and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def x_signature(secret: str, data: bytes) -> str:
    """X's signature (webhook header and CRC answer): "sha256=" and the base64 HMAC-SHA256."""
    digest = hmac.new(secret.encode(), data, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def signature_matches(expected: str, sent: str | None) -> bool:
    """Constant-time comparison; no secret configured means nothing can match."""
    return bool(sent) and hmac.compare_digest(expected.encode(), (sent or "").strip().encode())


def meta_signature_valid(secret: str, body: bytes, sent: str | None) -> bool:
    return bool(secret) and signature_matches(hub_signature(secret, body), sent)


def x_signature_valid(secret: str, body: bytes, sent: str | None) -> bool:
    return bool(secret) and signature_matches(x_signature(secret, body), sent)


def x_crc_answer(secret: str, crc_token: str) -> dict[str, str]:
    """The body X expects back from GET ?crc_token=...: proof we hold the consumer secret."""
    return {"response_token": x_signature(secret, crc_token.encode())}


def meta_handshake(verify_token: str, mode: str | None, sent_token: str | None,
                   challenge: str | None) -> str | None:
    """The challenge to echo when Meta subscribes with our verify token, else None."""
    if not verify_token or mode != "subscribe" or challenge is None:
        return None
    if not hmac.compare_digest(verify_token.encode(), (sent_token or "").encode()):
        return None
    return challenge


# --- making text inert ------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
"""Control characters, and lone surrogates (JSON's \\u escapes allow them; no database does)."""
_NOT_AN_ID = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_SCRIPT_SCHEME = re.compile(r"javascript(\s*):", re.IGNORECASE)
_LOOKALIKES = str.maketrans({"<": "\uff1c", ">": "\uff1e"})


def inert_text(value: str, max_chars: int = MESSAGE_MAX_CHARS) -> str:
    """Text as the person sent it, with anything a browser could run defused.

    Angle brackets become their full-width look-alikes (U+FF1C and U+FF1E: read the same by staff,
    never markup) and "javascript:" loses its colon; control characters and lone surrogates
    are dropped. Pages
    also autoescape, so this is a second wall: the text is safe in letters and exports too.
    """
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    text = _CONTROL.sub("", text).translate(_LOOKALIKES)
    text = _SCRIPT_SCHEME.sub(lambda m: "javascript" + m.group(1) + "\uff1a", text)
    return text[:max_chars]


# --- reading payloads -------------------------------------------------------------------------

def _field(container: Mapping[str, Any], key: str, kind: type, path: str) -> Any:
    value = container.get(key) if isinstance(container, Mapping) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        name = {str: "text", int: "a number", list: "a list", dict: "an object"}[kind]
        raise ValidationError(f"{path}.{key}".lstrip("."), f"Must be {name}")
    return value


def _id(container: Mapping[str, Any], key: str, path: str) -> str:
    """Platform ids arrive as strings (or numbers in some samples); kept as short text."""
    value = container.get(key) if isinstance(container, Mapping) else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if (not isinstance(value, str) or not value.strip() or len(value) > 200
            or _NOT_AN_ID.search(value)):
        raise ValidationError(f"{path}.{key}".lstrip("."), "Must be an id of 1 to 200 characters")
    return value.strip()


def _objects(container: Mapping[str, Any], key: str, path: str) -> Iterator[tuple[str, Any]]:
    """Each object in an optional list, with its path for error messages."""
    items = container.get(key, [])
    if not isinstance(items, list):
        raise ValidationError(f"{path}.{key}".lstrip("."), "Must be a list")
    for index, item in enumerate(items):
        where = f"{path}.{key}[{index}]".lstrip(".")
        if not isinstance(item, dict):
            raise ValidationError(where, "Must be an object")
        yield where, item


def _moment(value: Any, field: str, *, millis: bool) -> datetime:
    try:
        number = int(value)
        return datetime.fromtimestamp(number / 1000 if millis else number, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise ValidationError(field, "Must be a Unix timestamp") from None


def _text(value: Any, field: str, fallback: str) -> str:
    if value is None:
        return fallback
    if not isinstance(value, str):
        raise ValidationError(field, "Must be text")
    if len(value) > MESSAGE_MAX_CHARS:
        raise ValidationError(field, f"Must be {MESSAGE_MAX_CHARS:,} characters or fewer")
    return inert_text(value) or fallback


def _kind(value: Any, default: str) -> str:
    """What kind of thing was sent ("image", "sticker"), as short inert text."""
    return (inert_text(value, 40) if isinstance(value, str) else "") or default


def _attachment_note(message: Mapping[str, Any]) -> str:
    attachments = message.get("attachments")
    kinds = [_kind(a.get("type"), "file") for a in attachments
             if isinstance(a, dict)] if isinstance(attachments, list) else []
    return f"[{', '.join(kinds)} sent, no text]" if kinds else "[message without text]"


def read_meta(payload: Mapping[str, Any]) -> list[InboundMessage]:
    """Messenger and Instagram (`entry[].messaging[]`) or WhatsApp (`entry[].changes[]`).

    Other objects and events (delivery and read receipts, our own echoes) carry no message
    from the public and are passed over.
    """
    kind = payload.get("object")
    if kind == "whatsapp_business_account":
        return _read_whatsapp(payload)
    if kind in ("page", "instagram"):
        platform = Platform.MESSENGER if kind == "page" else Platform.INSTAGRAM
        return _read_messaging(payload, platform)
    if not isinstance(kind, str):
        raise ValidationError("object", "Must be text")
    return []


def _read_messaging(payload: Mapping[str, Any], platform: Platform) -> list[InboundMessage]:
    found = []
    for entry_path, entry in _objects(payload, "entry", ""):
        for path, event in _objects(entry, "messaging", entry_path):
            message = event.get("message")
            if not isinstance(message, dict) or message.get("is_echo"):
                continue
            found.append(InboundMessage(
                platform=platform, message_id=_id(message, "mid", f"{path}.message"),
                sender_id=_id(_field(event, "sender", dict, path), "id", f"{path}.sender"),
                account_id=_id(_field(event, "recipient", dict, path), "id",
                               f"{path}.recipient"),
                sender_name="",
                text=_text(message.get("text"), f"{path}.message.text",
                           _attachment_note(message)),
                sent_at=_moment(event.get("timestamp"), f"{path}.timestamp", millis=True)))
    return found


def _read_whatsapp(payload: Mapping[str, Any]) -> list[InboundMessage]:
    found = []
    for entry_path, entry in _objects(payload, "entry", ""):
        for change_path, change in _objects(entry, "changes", entry_path):
            value = _field(change, "value", dict, change_path)
            value_path = f"{change_path}.value"
            if "messages" not in value:
                continue  # statuses of messages we sent
            metadata = _field(value, "metadata", dict, value_path)
            account = _id(metadata, "phone_number_id", f"{value_path}.metadata")
            names = {str(c.get("wa_id")): _profile_name(c)
                     for _, c in _objects(value, "contacts", value_path)}
            for path, message in _objects(value, "messages", value_path):
                sender = _id(message, "from", path)
                body = message.get("text", {}).get("body") if isinstance(
                    message.get("text"), dict) else None
                found.append(InboundMessage(
                    platform=Platform.WHATSAPP, message_id=_id(message, "id", path),
                    sender_id=sender, account_id=account,
                    sender_name=inert_text(names.get(sender, ""), 200),
                    text=_text(body, f"{path}.text.body",
                               f"[{_kind(message.get('type'), 'message')} sent, no text]"),
                    sent_at=_moment(message.get("timestamp"), f"{path}.timestamp",
                                    millis=False)))
    return found


def _profile_name(contact: Mapping[str, Any]) -> str:
    profile = contact.get("profile")
    name = profile.get("name") if isinstance(profile, dict) else None
    return name if isinstance(name, str) else ""


def read_x(payload: Mapping[str, Any]) -> list[InboundMessage]:
    """X Account Activity API: `direct_message_events[]` of type message_create.

    Messages our own account sent (sender is `for_user_id`) come back too and are passed over.
    """
    if "direct_message_events" not in payload:
        return []  # tweets, follows, typing indicators: not for the desk
    account = _id(payload, "for_user_id", "")
    users = payload.get("users") if isinstance(payload.get("users"), dict) else {}
    found = []
    for path, event in _objects(payload, "direct_message_events", ""):
        if event.get("type") != "message_create":
            continue
        create = _field(event, "message_create", dict, path)
        sender = _id(create, "sender_id", f"{path}.message_create")
        if sender == account:
            continue
        data = _field(create, "message_data", dict, f"{path}.message_create")
        user = users.get(sender) if isinstance(users, dict) else None
        found.append(InboundMessage(
            platform=Platform.X, message_id=_id(event, "id", path), sender_id=sender,
            account_id=account,
            sender_name=inert_text(str(user.get("name", "")), 200) if isinstance(
                user, dict) else "",
            text=_text(data.get("text"), f"{path}.message_create.message_data.text",
                       _attachment_note(data)),
            sent_at=_moment(event.get("created_timestamp"), f"{path}.created_timestamp",
                            millis=True)))
    return found


# --- the Contact's narrative ------------------------------------------------------------------

NARRATIVE_FULL = "\n[Further messages are in the conversation record.]"


def narrative_line(who: str, text: str, sent_at: datetime) -> str:
    """One message as it reads in the Contact's narrative: time (UTC), who, what."""
    return f"[{sent_at:%d/%m/%Y %H:%M} UTC] {who}: {text}"


def grow_narrative(narrative: str, line: str, max_chars: int) -> str:
    """The narrative with one more message, never past `max_chars` (the rest stays in the
    conversation record, which keeps every message in full)."""
    if narrative.endswith(NARRATIVE_FULL):
        return narrative
    grown = f"{narrative}\n{line}" if narrative else line
    if len(grown) <= max_chars:
        return grown
    return narrative[: max_chars - len(NARRATIVE_FULL)] + NARRATIVE_FULL
