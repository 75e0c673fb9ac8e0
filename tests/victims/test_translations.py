"""The Welsh catalogue covers every message of the acknowledgement and its entitlements."""

from __future__ import annotations

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from firstcontact.victims.policy import POLICY_DIR, victims_policy
from firstcontact.victims.wording import LOCALE_DIR, SUBJECT

TEMPLATE = POLICY_DIR.parent / "templates" / "victims" / "email" / "acknowledgement.txt"


def test_every_message_in_the_acknowledgement_has_a_welsh_translation() -> None:
    with (LOCALE_DIR / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        welsh = read_po(source, locale="cy")
    found = [message for _, message, _, _ in extract_from_file(
        "jinja2.ext:babel_extract", str(TEMPLATE), options={"trimmed": "false"})]
    wanted = {m if isinstance(m, str) else m[0] for m in found if "entitlement" not in str(m)}
    assert len(wanted) >= 9, wanted
    wanted.add(SUBJECT)
    wanted |= {e.title for e in victims_policy().entitlements if e.in_acknowledgement
               and e.code != "written_acknowledgement"}
    wanted |= {e.text for e in victims_policy().entitlements if e.in_acknowledgement
               and e.code != "written_acknowledgement"}
    missing = sorted(m for m in wanted if not (welsh.get(m) and welsh[m].string))
    assert missing == []
