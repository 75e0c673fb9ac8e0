"""GOV.UK Notify's rules for a precompiled PDF letter, in millimetres from the top left of the
page, with where each rule is published.

Notify accepts the letter at once (201) and checks it afterwards: a letter that breaks a rule
ends as "validation-failed" days later, after the acknowledgement was recorded as sent. So the
letter builder follows these rules, the address is checked before sending, and the tests read
the PDF back against them.

Sources:
- SPEC: the letter specification, https://www.notifications.service.gov.uk/using-notify/
  guidance/letter-specification (alphagov/notifications-admin,
  app/templates/views/guidance/letter-specification.html): A4 portrait, 2 MB, 10 pages,
  margins 15 mm left and right and 5 mm top and bottom, the address block 24.6 mm from the left
  and 39.5 mm from the top, 95.4 mm wide and 26.8 mm high, the letter contact block.
- VALIDATOR: Notify's checker, alphagov/notifications-template-preview, app/precompiled.py:
  the same boxes as constants (ADDRESS_*, BORDER_*, BODY_TOP_FROM_TOP_OF_PAGE = 95,
  SERVICE_ADDRESS_LEFT_FROM_LEFT_OF_PAGE = 125, LOGO_BOTTOM_FROM_TOP_OF_PAGE = 30); it renders
  each page, paints these areas white (1 mm more generous on each side) and fails the letter
  if any pixel is left that is not white ("content-outside-printable-area"); it reads the
  address from the words within 3 mm of the address block; it looks for its NOTIFY tag 4.3 mm
  from the top and 7.4 mm from the left (Arial 6 pt, with 5 mm and 3 mm either side) and fails
  a letter that has it on a later page; app/embedded_fonts.py embeds any font left unembedded.
- NOTIFY_TAG: alphagov/notifications-template-preview, docs/notify-tag.md: the printer (DVLA)
  reads the tag inside (0, 0)-(15.191, 6.149) mm to find each letter's first page.
- ADDRESS: alphagov/notifications-utils, notifications_utils/recipient_validation/
  postal_address.py (PostalAddress): 3 to 7 lines, the last a real UK postcode (or a country,
  for a service allowed to post abroad), no line starting with one of @()=[]"\\/,<>~, no "NFA"
  or "no fixed abode"; the postcode areas are notifications_utils/countries/_data/
  uk-postcode-zones.txt.
- PAGES: alphagov/notifications-utils, notifications_utils/__init__.py: LETTER_MAX_PAGE_COUNT
  = 10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """An area of the page, in millimetres from the top left corner."""

    left: float
    top: float
    right: float
    bottom: float

    def holds(self, left: float, top: float, right: float, bottom: float) -> bool:
        return (self.left <= left and right <= self.right
                and self.top <= top and bottom <= self.bottom)

    def touches(self, left: float, top: float, right: float, bottom: float) -> bool:
        return left < self.right and right > self.left and top < self.bottom and bottom > self.top


A4_MM = (210.0, 297.0)
"""SPEC: A4 portrait."""
MAX_PAGES = 10
"""SPEC and PAGES: 10 pages (5 double-sided sheets)."""
MAX_BYTES = 2 * 1024 * 1024
"""SPEC: 2 MB."""

ADDRESS_WINDOW = Box(24.6, 39.5, 120.0, 66.3)
"""SPEC: 24.6 mm from the left, 39.5 mm from the top, 95.4 mm wide, 26.8 mm high;
VALIDATOR: ADDRESS_LEFT/RIGHT/TOP/BOTTOM. What shows through the envelope's window."""
ADDRESS_READ_MM = 3.0
"""VALIDATOR (extract_address_block): Notify reads as the address every word within 3 mm of the
address block, so nothing else may be printed there."""
NOTIFY_TAG_AREA = Box(0.0, 0.0, 20.5, 10.0)
"""Kept clear on every page: NOTIFY_TAG's DVLA box (0, 0)-(15.191, 6.149) and the VALIDATOR's
search box for the tag (7.4 - 5 to 7.4 + the tag's width + 5 across, about 20.2 mm; 4.3 - 3 to
4.3 + its height + 3 down, about 9.6 mm), rounded up."""

FIRST_PAGE_AREAS = (
    Box(15.0, 95.0, 195.0, 292.0),   # the body, below the address and contact blocks
    Box(125.0, 5.0, 195.0, 95.0),    # the letter contact block, up to the top right corner
    Box(15.0, 5.0, 125.0, 30.0),     # the logo block
    ADDRESS_WINDOW,
)
"""VALIDATOR (_overlay_printable_areas_with_white): where page 1 may be printed; everything
else on it (around the address window) must stay blank."""
LATER_PAGE_AREA = Box(15.0, 5.0, 195.0, 292.0)
"""SPEC and VALIDATOR: pages 2 to 10 inside the 15 mm side and 5 mm top and bottom margins."""
CONTACT_BLOCK = Box(125.0, 30.0, 190.0, 95.0)
"""SPEC: the letter contact block, 125 mm from the left and 30 mm from the top, 65 mm by 65 mm:
where the letter says who it is from."""

ADDRESS_MIN_LINES = 3
ADDRESS_MAX_LINES = 7
"""ADDRESS: PostalAddress.MIN_LINES and MAX_LINES, counting the addressee's name."""
_BAD_LINE_START = tuple('@()=[]"\\/,<>~')
_POSTCODE_AREAS = (
    "AB", "AL", "B", "BA", "BB", "BD", "BF", "BH", "BL", "BN", "BR", "BS", "BT", "BX", "CA", "CB",
    "CF", "CH", "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT",
    "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA", "HD", "HG", "HP",
    "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "GIR", "LA",
    "LD", "LE", "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR",
    "NW", "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG",
    "SK", "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ",
    "TR", "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE")
"""ADDRESS: uk-postcode-zones.txt, the postcode areas Notify accepts."""
_POSTCODE = re.compile(
    rf"({'|'.join(sorted(_POSTCODE_AREAS, key=len, reverse=True))})"
    r"[0-9][0-9A-Z]?[0-9][ABD-HJLNP-UW-Z]{2}")
_NO_FIXED_ABODE = re.compile(r"no fixed (abode|address)", re.IGNORECASE)


def uk_postcode(text: str) -> str | None:
    """The postcode as Royal Mail sorts it ("SW1A 1AA"), if `text` is one Notify accepts
    (ADDRESS: _is_a_real_uk_postcode and format_postcode_for_printing)."""
    compact = "".join(text.split()).upper()
    if not _POSTCODE.fullmatch(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def address_problem(lines: list[str]) -> str | None:
    """Why Notify would refuse this address (the addressee's name first, as printed in the
    window), or None: the checks of PostalAddress.valid for a letter posted in the UK."""
    if len(lines) < ADDRESS_MIN_LINES:
        return f"the address has fewer than {ADDRESS_MIN_LINES} lines"
    if len(lines) > ADDRESS_MAX_LINES:
        return f"the address has more than {ADDRESS_MAX_LINES} lines"
    if uk_postcode(lines[-1]) is None:
        return "the last line of the address is not a UK postcode"
    if any(line.startswith(_BAD_LINE_START) for line in lines):
        return "an address line starts with a character Notify does not accept"
    if any(line.lower() == "nfa" for line in lines) or _NO_FIXED_ABODE.search("\n".join(lines)):
        return "the address is 'no fixed abode'"
    return None
