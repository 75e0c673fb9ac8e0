"""The written acknowledgement's words, in the victim's language: the one text the email, the
text message, the Notify template's ((body)) and the printed letter all say.

Translated through Babel message catalogues (locale/<language>/LC_MESSAGES/messages.po);
English is the source text. The letters go to whoever receives them for the victim: a
business's named contact, a child's parent or guardian, and then say whom they are about.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, PackageLoader, StrictUndefined

from firstcontact.settings import Settings
from firstcontact.victims.model import VictimsPolicy, language_code
from firstcontact.victims.tables import VictimRow

ACKNOWLEDGEMENT = "written_acknowledgement"
SUBJECT = "Your crime reference %(ref)s"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The Babel catalogue for `language` (compiled from its .po file when first needed);
    English is the source text."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as source:
        catalogue = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)


@cache
def templates(language: str) -> Environment:
    """The plain-text templates, translated into `language` through its catalogue."""
    environment = Environment(loader=PackageLoader("firstcontact.victims", "templates"),
                              autoescape=False,  # noqa: S701 (plain text, never HTML)
                              undefined=StrictUndefined, keep_trailing_newline=True,
                              extensions=["jinja2.ext.i18n"])
    environment.install_gettext_translations(translations(language),  # type: ignore[attr-defined]
                                             newstyle=True)
    return environment


def written_language(victim: VictimRow, policy: VictimsPolicy) -> str:
    code = language_code(victim.language)
    return code if code in policy.written_languages else "en"


def acknowledgement_text(settings: Settings, victim: VictimRow, policy: VictimsPolicy
                         ) -> tuple[str, str]:
    """The acknowledgement's subject and text, in English or Welsh: the email and the letter
    say the same."""
    language = written_language(victim, policy)
    crime = policy.crimes.get(victim.crime_type)
    body = templates(language).get_template("victims/email/acknowledgement.txt").render(
        victim=victim, addressee=victim.contact_name or victim.name,
        about=victim.name if victim.contact_name else "", force_name=settings.force_name,
        force_contact=settings.force_contact,
        crime_label=crime.label if crime else victim.crime_type,
        reported_on=reported_on(victim, policy),
        entitlements=[e for e in policy.entitlements if e.in_acknowledgement
                      and e.code != ACKNOWLEDGEMENT],
        enhanced=victim.enhanced)
    return translations(language).gettext(SUBJECT) % {"ref": victim.crime_reference}, body


def reported_on(victim: VictimRow, policy: VictimsPolicy) -> str:
    return victim.reported_at.astimezone(policy.timezone).strftime("%-d %B %Y")


