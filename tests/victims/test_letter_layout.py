"""The printed letter against GOV.UK Notify's precompiled-letter rules, read back out of the PDF
in millimetres (tests/victims/notify_letter_check.py mirrors Notify's checks; the rules and
their sources are in src/firstcontact/victims/notify_letter_rules.py)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pdfplumber
import pytest
from fastapi.testclient import TestClient
from fpdf import FPDF

from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.victims.letter import address_lines, letter_pdf, notify_problem
from firstcontact.victims.notify_letter_rules import (
    ADDRESS_WINDOW,
    address_problem,
    uk_postcode,
)
from firstcontact.victims.tables import VictimRow
from tests.staff import sign_in
from tests.victims.conftest import record_crime, victim_of
from tests.victims.notify_letter_check import (
    findings,
    in_mm,
    window_lines,
)
from tests.victims.test_letter import choose_letter

REPORTED = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
WELSH_ADDRESS = "Fflat 3\nTŷ Gwyn\n12 Heol y Frenhines\nAberystwyth\nCeredigion\nsy23 1ab"


def printed(client: TestClient, runtime: Runtime, handler: dict[str, str],
            care: dict[str, str], language: str, address: str) -> bytes:
    victim = victim_of(client, care, record_crime(client, handler))
    choose_letter(client, care, victim["id"], language=language, name_address=address)
    sign_in(client, runtime, Role.VICTIM_CARE)
    response = client.get(f"/victims/{victim['id']}/letter.pdf")
    assert response.status_code == 200
    return bytes(response.content)


def address_chars(pdf: bytes) -> list[tuple[float, float, float, float]]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [in_mm(c) for c in document.pages[0].chars
                if c["top"] / (72 / 25.4) < ADDRESS_WINDOW.bottom + 10
                and c["x0"] / (72 / 25.4) < ADDRESS_WINDOW.right + 3]


def test_an_english_letter_meets_notifys_rules(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    pdf = printed(client, runtime, handler, care, "English", "12 High Street, Leeds LS1 4AP")
    assert findings(pdf) == []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert window_lines(document.pages[0]) == [
            "Sam Patel", "12 High Street", "Leeds", "LS1 4AP"]
    chars = address_chars(pdf)
    assert len(chars) > 20 and all(ADDRESS_WINDOW.holds(*box) for box in chars)


def test_a_welsh_letter_with_seven_address_lines_meets_notifys_rules(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    pdf = printed(client, runtime, handler, care, "Cymraeg", WELSH_ADDRESS)
    assert findings(pdf) == []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        lines = window_lines(document.pages[0])
        text = document.pages[0].extract_text()
    assert lines == ["Sam Patel", "Fflat 3", "Tŷ Gwyn", "12 Heol y Frenhines", "Aberystwyth",
                     "Ceredigion", "SY23 1AB"]
    assert "Cyfeirnod y drosedd" in text and "Annwyl Sam Patel," in text


def test_a_long_letter_keeps_inside_the_margins_on_every_page() -> None:
    body = "\n\n".join(f"Paragraff {n}: " + "Mae'r heddlu wedi cofnodi'r drosedd. " * 12
                       for n in range(40))
    pdf = letter_pdf("Heddlu Dyfed-Powys", ["Dafydd ap Gwilym", "Tŷ Gwyn", "SA1 1AA"],
                     "Cyfeirnod y drosedd: CR-1", body, REPORTED)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert 3 <= len(document.pages) <= 10
    assert findings(pdf) == []


def test_the_fonts_are_embedded_and_print_welsh_letters() -> None:
    pdf = letter_pdf("Heddlu", ["Siân Ŵyn", "Tŷ Ẁ", "CF10 1AA"], "Pwnc ŵ ŷ", "Testun ẃ ỳ",
                     REPORTED)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        assert {c["fontname"].split("+")[-1] for c in page.chars} == {
            "DejaVuSansBook", "DejaVuSansBold"}
        assert "Pwnc ŵ ŷ" in page.extract_text() and "Testun ẃ ỳ" in page.extract_text()
    assert findings(pdf) == []


def test_the_check_finds_what_notify_would_refuse() -> None:
    """The checks can fail: a letter with text between the address and the body, text in the
    NOTIFY tag's corner on page 2, Helvetica (not embedded) and eight address lines."""
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    for number, line in enumerate(["A", "B", "C", "D", "E", "F", "G", "LS1 4AP"]):
        pdf.set_xy(26, 40 + number * 3.5)
        pdf.cell(50, 3.5, line)
    pdf.set_xy(20, 75)
    pdf.cell(50, 5, "Dear Sam")
    pdf.add_page()
    pdf.set_xy(3, 3)
    pdf.cell(20, 4, "NOTIFY")
    found = " | ".join(findings(bytes(pdf.output())))
    expected = ("font-not-embedded on page 1",
                "content-outside-printable-area on page 1: 'D' at (21.0, 75.6",
                "content-outside-printable-area on page 1 (pixels)",
                "address-window-not-clear: 'L'",
                "notify-tag-area-not-clear on page 2",
                "address-not-accepted: the address has more than 7 lines")
    assert [rule for rule in expected if rule not in found] == [], found


def test_the_check_finds_a_shape_drawn_across_the_margin() -> None:
    pdf = letter_pdf("Force", ["Sam Patel", "1 Mill Lane", "LS1 4AP"], "Subject", "Text",
                     REPORTED)
    assert findings(pdf) == []
    marked = FPDF(format="A4")
    marked.add_page()
    marked.rect(100, 290, 20, 5, style="F")
    assert findings(bytes(marked.output())) == [
        "content-outside-printable-area on page 1: 'rect' at (100.0, 290.0, 120.0, 295.0) mm",
        "content-outside-printable-area on page 1 (pixels)",
        "address-not-accepted: the address has fewer than 3 lines"]


def victim(address: str, party: str = "person", contact_name: str = "") -> VictimRow:
    return VictimRow(name="Sam Patel", party=party, contact_name=contact_name,
                     postal_address=address)


@pytest.mark.parametrize(("address", "lines"), [
    ("1 Mill Lane, Anytown LS1 4AP", ["Sam Patel", "1 Mill Lane", "Anytown", "LS1 4AP"]),
    ("1 Mill Lane\nAnytown\nls14ap", ["Sam Patel", "1 Mill Lane", "Anytown", "LS1 4AP"]),
    ("1 Mill Lane\nSheffield S1 2HE", ["Sam Patel", "1 Mill Lane", "Sheffield", "S1 2HE"]),
    ("1 Mill Lane, Anytown", ["Sam Patel", "1 Mill Lane", "Anytown"]),
])
def test_the_postcode_goes_on_the_last_line_of_its_own(address: str, lines: list[str]) -> None:
    assert address_lines(victim(address)) == lines


def test_a_businesss_letter_names_the_contact_then_the_business() -> None:
    assert address_lines(victim("Unit 4, Mill Road, Leeds LS2 7EW", "business", "Jo Bloggs")) \
        == ["Jo Bloggs", "Sam Patel", "Unit 4", "Mill Road", "Leeds", "LS2 7EW"]


@pytest.mark.parametrize(("lines", "problem"), [
    (["Sam Patel", "LS1 4AP"], "fewer than 3 lines"),
    (["Sam Patel", *"ABCDEF", "LS1 4AP"], "more than 7 lines"),
    (["Sam Patel", "1 Mill Lane", "Anytown"], "not a UK postcode"),
    (["Sam Patel", "1 Mill Lane", "AN1 1AA"], "not a UK postcode"),
    (["Sam Patel", "(Flat 2)", "LS1 4AP"], "starts with a character"),
    (["Sam Patel", "NFA", "LS1 4AP"], "no fixed abode"),
    (["Sam Patel", "No fixed abode", "LS1 4AP"], "no fixed abode"),
])
def test_addresses_notify_would_refuse(lines: list[str], problem: str) -> None:
    assert problem in (address_problem(lines) or "")


def test_postcodes_as_notify_reads_them() -> None:
    assert uk_postcode("sw1a1aa") == "SW1A 1AA" and uk_postcode("EC1A 1BB") == "EC1A 1BB"
    assert uk_postcode("AN1 1AA") is None  # no such postcode area
    assert uk_postcode("LS1 4CP") is None  # C is never in the last two letters
    assert address_problem(["Sam Patel", "1 Mill Lane", "cf10 1aa"]) is None


def test_an_address_too_long_for_notify_still_prints_inside_the_window_for_staff() -> None:
    lines = ["Sam Patel", *(f"Line {n}" for n in range(1, 15)), "LS1 4AP"]
    pdf = letter_pdf("Force", lines, "Subject", "Text", REPORTED)
    assert findings(pdf) == ["address-not-accepted: the last line of the address is not a "
                             "UK postcode"]  # lines 7 to 16 run on in the seventh
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert window_lines(document.pages[0])[-1].endswith("Line 14, LS1 4AP")


def test_an_address_line_too_wide_for_the_window_is_not_sent() -> None:
    assert notify_problem(victim("12 High Street\nLeeds\nLS1 4AP")) is None
    long_street = "Flat 2, " + "The Old Mill at the Bottom of Long Hill Road " * 2
    assert notify_problem(victim(long_street.replace(",", "") + ", Leeds LS1 4AP")) == (
        "an address line is too long for the envelope window")
