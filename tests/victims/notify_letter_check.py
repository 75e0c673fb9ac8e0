"""What GOV.UK Notify checks in a precompiled PDF letter, done on the PDF as Notify does it.

It mirrors alphagov/notifications-template-preview, app/precompiled.py (sanitise_file_contents):
the page count (is_letter_too_long), A4 portrait on every page (_is_page_A4_portrait), content
inside the printable areas (_overlay_printable_areas_with_white then _get_out_of_bounds_pages:
the page rendered to pixels, the printable areas painted white, any pixel left that is not
white fails), the address read from the words within 3 mm of the address block
(extract_address_block) and checked as notifications-utils's PostalAddress does, and no NOTIFY
tag on later pages (_get_pages_with_notify_tag). It adds what Notify fixes rather than refuses
and what it does not measure: every font embedded (app/embedded_fonts.py), each character of
the address inside the window itself (not just within 3 mm of it), nothing printed in the
window but the address, the NOTIFY tag's corner clear on every page, the file size (2 MB,
from the letter specification). Where Notify is 1 mm generous around each area, this is not.

The findings are Notify's own message codes where it has one.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import Any

import pdfplumber
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from firstcontact.victims.notify_letter_rules import (
    A4_MM,
    ADDRESS_READ_MM,
    ADDRESS_WINDOW,
    FIRST_PAGE_AREAS,
    LATER_PAGE_AREA,
    MAX_BYTES,
    MAX_PAGES,
    NOTIFY_TAG_AREA,
    Box,
    address_problem,
)

PT_PER_MM = 72 / 25.4
RENDER_DPI = 150
"""Notify renders at pdf2image's default 200 dpi; 150 is enough to see a stray millimetre."""
ADDRESS_READ = Box(ADDRESS_WINDOW.left - ADDRESS_READ_MM, ADDRESS_WINDOW.top - ADDRESS_READ_MM,
                   ADDRESS_WINDOW.right + ADDRESS_READ_MM,
                   ADDRESS_WINDOW.bottom + ADDRESS_READ_MM)


def in_mm(thing: dict[str, Any]) -> tuple[float, float, float, float]:
    """A pdfplumber object's box (left, top, right, bottom) in millimetres."""
    return (thing["x0"] / PT_PER_MM, thing["top"] / PT_PER_MM,
            thing["x1"] / PT_PER_MM, thing["bottom"] / PT_PER_MM)


def areas_for(page_number: int) -> tuple[Box, ...]:
    return FIRST_PAGE_AREAS if page_number == 1 else (LATER_PAGE_AREA,)


def findings(pdf: bytes) -> list[str]:
    """Everything in this letter that Notify would refuse, or that breaks its specification."""
    found = [*file_findings(pdf), *page_findings(pdf)]
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            found += drawn_findings(page)
            found += pixel_findings(page)
        found += address_findings(document.pages[0])
    return found


def file_findings(pdf: bytes) -> Iterator[str]:
    if len(pdf) > MAX_BYTES:
        yield f"file-too-big: {len(pdf)} bytes"
    pages = PdfReader(io.BytesIO(pdf)).pages
    if len(pages) > MAX_PAGES:
        yield f"letter-too-long: {len(pages)} pages"


def page_findings(pdf: bytes) -> Iterator[str]:
    """A4 portrait and unrotated, and every font used embedded, on every page."""
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        size = (float(page.mediabox.width) / PT_PER_MM, float(page.mediabox.height) / PT_PER_MM)
        if any(abs(got - want) > 0.5 for got, want in zip(size, A4_MM, strict=True)) or (
                page.get("/Rotate") or 0) != 0:
            yield f"letter-not-a4-portrait-oriented on page {number}: {size}"
        resources: Any = page["/Resources"].get_object()
        fonts: Any = resources.get("/Font", DictionaryObject()).get_object()
        for name, font in fonts.items():
            if not embedded(font.get_object()):
                yield f"font-not-embedded on page {number}: {name}"


def embedded(font: Any) -> bool:
    """A font carries its glyphs: its descriptor (a Type0 font's in its descendant) has a
    FontFile, FontFile2 or FontFile3, as app/embedded_fonts.py looks for."""
    if "/DescendantFonts" in font:
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(
        key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def drawn(page: Any) -> Iterable[dict[str, Any]]:
    """Everything pdfplumber sees drawn: characters, rectangles, lines, curves, images."""
    return [*page.chars, *page.rects, *page.lines, *page.curves, *page.images]


def drawn_findings(page: Any) -> Iterator[str]:
    """Each character and shape inside a printable area, and none in the NOTIFY tag's corner.
    On page 1, what Notify would read as the address (within 3 mm of the window) is only
    characters, each inside the window itself."""
    number = page.page_number
    for thing in drawn(page):
        box, what = in_mm(thing), thing.get("text", thing["object_type"])
        at = "({:.1f}, {:.1f}, {:.1f}, {:.1f}) mm".format(*box)
        if not any(area.holds(*box) for area in areas_for(number)):
            yield f"content-outside-printable-area on page {number}: {what!r} at {at}"
        if NOTIFY_TAG_AREA.touches(*box):
            yield f"notify-tag-area-not-clear on page {number}: {what!r}"
        if number == 1 and ADDRESS_READ.touches(*box) and not (
                thing["object_type"] == "char" and ADDRESS_WINDOW.holds(*box)):
            yield f"address-window-not-clear: {what!r} at {at}"


def pixel_findings(page: Any) -> Iterator[str]:
    """Notify's own test: the page as pixels, the printable areas painted white, nothing left
    that is not white; and no ink at all in the NOTIFY tag's corner (read before painting, as
    page 1's logo block overlaps it)."""
    image = page.to_image(resolution=RENDER_DPI).original.convert("RGB")
    per_mm = image.width / A4_MM[0]
    tag = NOTIFY_TAG_AREA
    if not blank(image.crop((0, 0, round(tag.right * per_mm), round(tag.bottom * per_mm)))):
        yield f"notify-tag-area-not-clear on page {page.page_number} (pixels)"
    painter = ImageDraw.Draw(image)
    for area in areas_for(page.page_number):
        painter.rectangle([area.left * per_mm, area.top * per_mm,
                           area.right * per_mm, area.bottom * per_mm], fill="white")
    if not blank(image):
        yield f"content-outside-printable-area on page {page.page_number} (pixels)"


def blank(image: Image.Image) -> bool:
    colours = image.getcolors(maxcolors=image.width * image.height) or []
    return all(colour == (255, 255, 255) for _count, colour in colours)


def window_lines(page: Any) -> list[str]:
    """The address as Notify reads it: the words touching the window or within 3 mm of it,
    in reading order, a line for each baseline (extract_address_block)."""
    words = [w for w in page.extract_words() if ADDRESS_READ.touches(*in_mm(w))]
    words.sort(key=lambda w: (round(w["bottom"], 1), w["x0"]))
    return [" ".join(w["text"] for w in line)
            for _bottom, line in groupby(words, key=lambda w: round(w["bottom"], 1))]


def address_findings(first_page: Any) -> Iterator[str]:
    """The address Notify would read passes notifications-utils's PostalAddress checks."""
    problem = address_problem(window_lines(first_page))
    if problem:
        yield f"address-not-accepted: {problem}"
