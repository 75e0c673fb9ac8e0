"""The written acknowledgement as a printable PDF letter, in the victim's language.

The letter says what the email says (the same template). It is rendered the same way every
time for the same victim (its creation date is the day the crime was reported), so the
SHA-256 kept as evidence when staff record it as posted is the hash of the very letter they
printed.

It is laid out to GOV.UK Notify's precompiled-letter rules (notify_letter_rules.py), so Notify
can print and post it as it is: the addressee and address in the envelope window and nothing
else there, who it is from in the letter contact block, the text below 95 mm on the first page
and inside the margins after, the NOTIFY tag's corner left clear, fonts embedded.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

from firstcontact.settings import Settings
from firstcontact.victims.model import VictimsPolicy
from firstcontact.victims.notify_letter_rules import (
    ADDRESS_MAX_LINES,
    ADDRESS_WINDOW,
    CONTACT_BLOCK,
    FIRST_PAGE_AREAS,
    address_problem,
    uk_postcode,
)
from firstcontact.victims.tables import VictimRow
from firstcontact.victims.wording import acknowledgement_text

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_FILES = {"": FONTS / "DejaVuSans.ttf", "B": FONTS / "DejaVuSans-Bold.ttf"}
"""Embedded in the PDF (Notify asks for embedded fonts; Helvetica, built in, is not)."""

LINE_MM = 5.5
SIDE_MARGIN_MM = 20.0
"""The text's left and right margins: inside Notify's 15 mm, and right of the NOTIFY tag."""
LATER_PAGES_TOP_MM = 15.0
BOTTOM_MARGIN_MM = 20.0
"""Pages after the first start 15 mm down and break 20 mm from the foot: inside Notify's 5 mm."""
BODY_TOP_MM = FIRST_PAGE_AREAS[0].top + 2.0
"""The subject starts just below the address and contact blocks (95 mm on page 1)."""

ADDRESS_PAD_MM = 1.0
"""Kept clear inside the window's edge, so print tolerance cannot push a letter out of it."""
ADDRESS_LINE_MM = 3.5
ADDRESS_SIZES_PT = (9.0, 8.0, 7.0)
"""The address's font: the largest of these at which every line fits the window's width (seven
lines of 3.5 mm fill 24.5 of the window's 26.8 mm)."""


def _with_fonts(pdf: FPDF) -> FPDF:
    for style, path in FONT_FILES.items():
        pdf.add_font(FONT, style=style, fname=str(path))
    return pdf


@lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    """The characters both embedded fonts can print."""
    fonts = _with_fonts(FPDF()).fonts.values()
    return frozenset.intersection(*(frozenset(getattr(font, "cmap", {})) for font in fonts))


def printable(text: str) -> str:
    """The letter's fonts print English and Welsh (ŵ, ŷ) and the accents of most European
    names; any other letter is printed without its accent, or as "?", rather than refused."""
    glyphs = _glyphs()

    def one(char: str) -> str:
        if ord(char) in glyphs or char in "\n\t":
            return char
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) in glyphs)
        return base or "?"
    return "".join(one(char) for char in text)


def address_lines(victim: VictimRow) -> list[str]:
    """Who the letter goes to, then the address: a business's named contact then the
    business, a child's parent or guardian, otherwise the victim. A postcode written at the end
    of the last line goes on a line of its own (Notify reads the postcode from the last line)."""
    names = [victim.contact_name, victim.name] if victim.party == "business" else [
        victim.contact_name or victim.name]
    lines = [*names, *victim.postal_address.replace(",", "\n").split("\n")]
    return _postcode_last([printable(line.strip()) for line in lines if line.strip()])


def _postcode_last(lines: list[str]) -> list[str]:
    if not lines:
        return lines
    *rest, last = lines
    words = last.split()
    for size in (len(words), 2, 1):
        postcode = uk_postcode(" ".join(words[-size:])) if len(words) >= size else None
        if postcode is not None:
            before = " ".join(words[:-size]).rstrip(" ,")
            return [*rest, *([before] if before else []), postcode]
    return lines


def notify_problem(victim: VictimRow) -> str | None:
    """Why GOV.UK Notify would refuse to post this letter, or None. Notify takes a letter at
    once and checks it later, so it is checked here before it is sent."""
    lines = address_lines(victim)
    return address_problem(lines) or (None if _address_size(_with_fonts(FPDF()), lines) else
                                      "an address line is too long for the envelope window")


def acknowledgement_pdf(settings: Settings, victim: VictimRow, policy: VictimsPolicy) -> bytes:
    """The letter: the victim's address, the subject, then the acknowledgement's text."""
    subject, body = acknowledgement_text(settings, victim, policy)
    address = address_lines(victim) if victim.postal_address else []
    return letter_pdf(settings.force_name, address, subject, body, victim.reported_at)


def letter_pdf(sender: str, address: list[str], subject: str, body: str,
               created: datetime) -> bytes:
    """A letter laid out for a windowed envelope and for Notify: who it is from in the contact
    block, the address in the window, then the subject and the text."""
    pdf = _document(printable(sender), printable(subject), created)
    pdf.add_page()
    _contact_block(pdf, printable(sender))
    if address:
        _address_block(pdf, address)
    pdf.set_xy(SIDE_MARGIN_MM, BODY_TOP_MM)
    pdf.set_font(FONT, style="B", size=13)
    pdf.multi_cell(0, LINE_MM + 1, printable(subject), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(LINE_MM)
    pdf.set_font(FONT, size=11)
    pdf.multi_cell(0, LINE_MM, printable(body), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _document(sender: str, subject: str, created: datetime) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(created)
    pdf.set_title(subject)
    pdf.set_author(sender)
    _with_fonts(pdf)
    pdf.set_margins(SIDE_MARGIN_MM, LATER_PAGES_TOP_MM, SIDE_MARGIN_MM)
    pdf.set_auto_page_break(True, margin=BOTTOM_MARGIN_MM)
    return pdf


def _contact_block(pdf: FPDF, sender: str) -> None:
    """Who the letter is from, in Notify's letter contact block (top right)."""
    pdf.set_font(FONT, style="B", size=10)
    pdf.set_xy(CONTACT_BLOCK.left, CONTACT_BLOCK.top)
    pdf.multi_cell(CONTACT_BLOCK.right - CONTACT_BLOCK.left, 4.5, sender,
                   new_x="LMARGIN", new_y="NEXT")


def _address_size(pdf: FPDF, lines: list[str]) -> float | None:
    """The largest address font at which every line fits the window's width, if any."""
    width = ADDRESS_WINDOW.right - ADDRESS_WINDOW.left - 2 * ADDRESS_PAD_MM
    for size in ADDRESS_SIZES_PT:
        pdf.set_font(FONT, size=size)
        if all(pdf.get_string_width(line) <= width for line in lines):
            return size
    return None


def _address_block(pdf: FPDF, lines: list[str]) -> None:
    """The addressee and address, one line each, inside the envelope window: no wrapping, so
    a line is never pushed below the window. An address Notify would refuse is still printed
    inside it for staff to post by hand: lines past the seventh run on, and a line too long
    for the smallest size is printed smaller still."""
    if len(lines) > ADDRESS_MAX_LINES:
        lines = [*lines[:ADDRESS_MAX_LINES - 1], ", ".join(lines[ADDRESS_MAX_LINES - 1:])]
    width = ADDRESS_WINDOW.right - ADDRESS_WINDOW.left - 2 * ADDRESS_PAD_MM
    size = _address_size(pdf, lines)
    if size is None:
        widest = max(pdf.get_string_width(line) for line in lines)
        size = ADDRESS_SIZES_PT[-1] * width / widest * 0.98
    pdf.set_font(FONT, size=size)
    for number, line in enumerate(lines):
        pdf.set_xy(ADDRESS_WINDOW.left + ADDRESS_PAD_MM,
                   ADDRESS_WINDOW.top + ADDRESS_PAD_MM + number * ADDRESS_LINE_MM)
        pdf.cell(width, ADDRESS_LINE_MM, line)
