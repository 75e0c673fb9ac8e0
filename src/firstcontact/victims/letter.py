"""The written acknowledgement as a printable PDF letter, in the victim's language.

The letter says what the email says (the same template). It is rendered the same way every
time for the same victim (its creation date is the day the crime was reported), so the
SHA-256 kept as evidence when staff record it as posted is the hash of the very letter they
printed.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF

from firstcontact.settings import Settings
from firstcontact.victims.model import VictimsPolicy
from firstcontact.victims.tables import VictimRow
from firstcontact.victims.wording import acknowledgement_text

LINE_MM = 5.5
ADDRESS_AT_MM = (24.6, 39.5)
"""Where the address block starts (from the left and top of the page): in the window of a
standard windowed envelope, where a printing service such as GOV.UK Notify reads it."""


def printable(text: str) -> str:
    """The PDF's built-in fonts print Latin-1 (English and Welsh as the force writes them);
    any other letter, as in a name, is printed without its accent rather than refused."""
    def one(char: str) -> str:
        if ord(char) < 256:
            return char
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        return base or "?"
    return "".join(one(char) for char in text)


def address_lines(victim: VictimRow) -> list[str]:
    """Who the letter goes to, then the address: a business's named contact then the
    business, a child's parent or guardian, otherwise the victim."""
    names = [victim.contact_name, victim.name] if victim.party == "business" else [
        victim.contact_name or victim.name]
    lines = [*names, *victim.postal_address.replace(",", "\n").split("\n")]
    return [line.strip() for line in lines if line.strip()]


def acknowledgement_pdf(settings: Settings, victim: VictimRow, policy: VictimsPolicy) -> bytes:
    """The letter: the victim's address, the subject, then the acknowledgement's text."""
    subject, body = acknowledgement_text(settings, victim, policy)
    pdf = FPDF(format="A4")
    pdf.set_creation_date(victim.reported_at)
    pdf.set_title(printable(subject))
    pdf.set_author(printable(settings.force_name))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    if victim.postal_address:
        pdf.set_xy(*ADDRESS_AT_MM)
        pdf.multi_cell(95, LINE_MM, printable("\n".join(address_lines(victim))),
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(LINE_MM * 2)
    pdf.set_font("Helvetica", style="B", size=13)
    pdf.multi_cell(0, LINE_MM + 1, printable(subject), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(LINE_MM)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, LINE_MM, printable(body), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
