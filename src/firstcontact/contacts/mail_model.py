"""An inbound email read into plain values: who, what about, the text, the files, the thread.

Pure (standard library `email` package only). Nothing a person sent is thrown away for being
oddly formed: broken MIME is read as far as it goes and the damage noted. What is never kept
is markup: HTML parts become text, and tags or `javascript:` in any field are removed, so a
script cannot reach a page, a letter or a partner agency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from html.parser import HTMLParser

from firstcontact.platform.model import MARKUP

ACCEPTED_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/heic",
                            "application/pdf", "text/plain", "video/mp4", "audio/mpeg"})
"""Attachments kept: photos, documents, short clips. Anything else is noted, not stored."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLOCKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "table", "ul"})


class MalformedEmail(Exception):
    """Not an email we can answer: no sender address. The listener refuses it (550)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class InboundEmail:
    message_id: str
    thread_ids: tuple[str, ...]
    """Message-IDs this one answers (In-Reply-To, then References, newest first)."""
    sender: str
    sender_name: str
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    notes: tuple[str, ...] = field(default=())
    """What was refused or damaged (attachments too big or of a refused type, broken MIME)."""
    automatic: bool = False
    """Sent by a machine (auto-reply, bounce, list): never acknowledged, to avoid mail loops."""


class _Text(HTMLParser):
    """HTML to plain text: the words only; scripts and styles are dropped with their content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skipping:
            self.skipping -= 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    reader = _Text()
    reader.feed(html)
    reader.close()
    return "".join(reader.parts)


def safe_text(text: str, max_chars: int) -> str:
    """Text fit to store and show: no markup, no control characters, tidy blank lines."""
    if MARKUP.search(text):
        text = MARKUP.sub("", html_to_text(text))
    text = _CONTROL.sub("", text.replace("\r\n", "\n"))
    text = re.sub(r"[ \t]+\n", "\n", re.sub(r"\n{3,}", "\n\n", text)).strip()
    return text[:max_chars]


def safe_filename(raw: str | None) -> str:
    name = (raw or "attachment").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .")
    return name[:100] or "attachment"


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def _body(message: EmailMessage, max_chars: int) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    text = html_to_text(content) if part.get_content_type() == "text/html" else content
    return safe_text(text, max_chars)


def _attachments(message: EmailMessage, max_bytes: int
                 ) -> tuple[list[Attachment], list[str]]:
    kept: list[Attachment] = []
    notes: list[str] = []
    for part in message.iter_attachments():
        name = safe_filename(part.get_filename())
        kind = part.get_content_type()
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            notes.append(f"Attachment {name} could not be read")
        elif kind not in ACCEPTED_TYPES:
            notes.append(f"Attachment {name} not kept: files of type {kind} are not accepted")
        elif len(data) > max_bytes:
            notes.append(f"Attachment {name} not kept: larger than {max_bytes // 1024} KB")
        else:
            kept.append(Attachment(name, kind, data))
    return kept, notes


def _automatic(message: EmailMessage, sender: str) -> bool:
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (auto != "no" or precedence in ("bulk", "list", "junk")
            or sender.lower().startswith(("mailer-daemon@", "postmaster@")))


def read_email(raw: bytes, *, max_text_chars: int, attachment_max_bytes: int,
               fallback_id: str) -> InboundEmail:
    """Read raw RFC 5322 bytes. `fallback_id` names a message that came without a Message-ID."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    name, sender = parseaddr(str(message.get("From", "")))
    if "@" not in sender or MARKUP.search(sender) or len(sender) > 320:
        raise MalformedEmail("The message has no sender address we can reply to")
    own = _ids(str(message.get("Message-ID", "")))
    thread = _ids(str(message.get("In-Reply-To", ""))) + list(
        reversed(_ids(str(message.get("References", "")))))
    attachments, notes = _attachments(message, attachment_max_bytes)
    if message.defects or any(p.defects for p in message.walk()):
        notes.append("The message was damaged in transit; it was read as far as possible")
    return InboundEmail(
        message_id=(own[0] if own else fallback_id)[:255], thread_ids=tuple(thread),
        sender=sender, sender_name=safe_text(name, 200),
        subject=safe_text(str(message.get("Subject", "")), 500),
        text=_body(message, max_text_chars), attachments=tuple(attachments),
        notes=tuple(notes), automatic=_automatic(message, sender))
