"""Who a contact is about: identifiers normalised, compared, and weighed into a match score.

A person rings on 101, then 999 from another phone, then writes online with a nickname: the
control room needs to see that these are one person (a repeat caller, a repeat victim) without
ever merging two different people on a weak likeness. Every rule here is pure (no clock, no
database); the weights and thresholds a force may tune live in people/policy/matching.toml.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from firstcontact.contacts.model import normalise_phone
from firstcontact.platform.model import ValidationError

IDENTIFIERS = ("given_name", "surname", "date_of_birth", "address", "postcode", "phone", "email")
"""What a record about a person may carry (any may be empty), as the CSV contract names them."""

MATCHED = (*IDENTIFIERS, "social_handle")
"""Everything compared when two records meet: the CSV identifiers and, from the digital
channels, a social-media handle ("platform:id"; the same id on another platform is not it)."""

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
OLDEST_AGE_YEARS = 125


class Outcome(enum.StrEnum):
    """How one identifier compared between two records."""

    AGREE = "agree"
    SIMILAR = "similar"
    PARTIAL = "partial"
    DISAGREE = "disagree"


@dataclass(frozen=True, slots=True)
class Identity:
    """One record's identifiers, normalised so that equal means equal.

    `date_of_birth` is kept as eight digits (YYYYMMDD) so a typo'd or day/month-swapped date
    can still be compared digit by digit.
    """

    given_name: str = ""
    surname: str = ""
    date_of_birth: str = ""
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    social_handle: str = ""


@dataclass(frozen=True)
class NameVariants:
    """Nicknames and transliterations: each known spelling mapped to its group's first name."""

    canonical: Mapping[str, str]

    def of(self, name: str) -> str:
        return self.canonical.get(name, name)


@dataclass(frozen=True)
class MatchPolicy:
    """Weights per identifier and outcome, and the two thresholds (from matching.toml)."""

    weights: Mapping[str, Mapping[Outcome, float]]
    auto_link: float
    offer: float
    max_block_size: int
    source: str = ""

    def band(self, score: float) -> MatchBand:
        if score >= self.auto_link:
            return MatchBand.AUTO_LINK
        if score >= self.offer:
            return MatchBand.OFFER
        return MatchBand.NO_MATCH


class MatchBand(enum.StrEnum):
    AUTO_LINK = "auto_link"
    OFFER = "offer"
    NO_MATCH = "no_match"


@dataclass(frozen=True, slots=True)
class Agreement:
    identifier: str
    outcome: Outcome
    weight: float

    def describe(self) -> str:
        return f"{self.identifier.replace('_', ' ')} {self.outcome.value} ({self.weight:+.1f})"


@dataclass(frozen=True)
class Score:
    """A match score and why: which identifiers agreed, which differed, and their weights."""

    total: float
    agreements: tuple[Agreement, ...]

    def explain(self) -> str:
        return "; ".join(a.describe() for a in self.agreements) or "nothing to compare"


# --- normalising what people give us -------------------------------------------------------

def normalise_name(raw: str) -> str:
    """Lower case, accents folded, punctuation dropped: "O'Brien-Smith " -> "obrien smith"."""
    folded = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode().lower()
    letters = re.sub(r"[^a-z\s-]", "", folded).replace("-", " ")
    return " ".join(letters.split())


def normalise_email(field: str, raw: str) -> str:
    text = raw.strip().lower()
    if not text:
        return ""
    if len(text) > 254 or not _EMAIL.match(text):
        raise ValidationError(field, "Enter an email address, like name@example.com")
    return text


def normalise_postcode(field: str, raw: str, *, uk_only: bool = True) -> str:
    """A UK postcode as "SW1A 1AA". With `uk_only` off (bulk linking of other countries'
    data), anything else is kept as its upper-case letters and digits."""
    compact = re.sub(r"[^A-Z0-9]", "", raw.upper())
    if not compact:
        return ""
    found = _POSTCODE.match(compact)
    if found:
        return f"{found.group(1)} {found.group(2)}"
    if uk_only:
        raise ValidationError(field, "Enter a UK postcode, like SW1A 1AA")
    return compact


def social_handle(platform: str, sender_id: str) -> str:
    """A social-media sender as "platform:id" (lower case, no leading @): the handle means one
    account only on its own platform."""
    handle = sender_id.strip().lstrip("@").lower()
    return f"{platform.strip().lower()}:{handle}" if handle and platform.strip() else ""


def compare_handle(a: str, b: str) -> Outcome | None:
    """Handles on the same platform agree or disagree; on different platforms they say nothing."""
    if not a or not b or a.split(":", 1)[0] != b.split(":", 1)[0]:
        return None
    return Outcome.AGREE if a == b else Outcome.DISAGREE


def normalise_address(raw: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9\s]", " ", raw.lower()).split())


def ascii_digits(text: str) -> str:
    """Digits typed in another script (Arabic-Indic, full-width...) as 0-9, so a date is
    stored, compared and shown in one form whatever keyboard it was typed on."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def parse_date_of_birth(field: str, raw: str, today: date) -> str:
    """A date of birth as YYYYMMDD; accepts YYYY-MM-DD, YYYYMMDD and DD/MM/YYYY.

    Rejects a date that does not exist, one in the future, and one over 125 years ago.
    """
    text = ascii_digits(raw.strip())
    if not text:
        return ""
    day_first = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text)
    if day_first:
        text = f"{day_first.group(3)}{int(day_first.group(2)):02d}{int(day_first.group(1)):02d}"
    digits = text.replace("-", "") if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) else text
    if not re.fullmatch(r"[0-9]{8}", digits):
        raise ValidationError(field, "Enter a date of birth as YYYY-MM-DD, like 1984-03-27")
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ValidationError(field, "Date of birth must be a real date") from None
    if born > today:
        raise ValidationError(field, "Date of birth must be in the past")
    if today.year - born.year > OLDEST_AGE_YEARS:
        raise ValidationError(field, f"Date of birth must be within {OLDEST_AGE_YEARS} years")
    return digits


def identity_of(fields: Mapping[str, str | None], today: date, *,
                uk_only: bool = True) -> Identity:
    """Normalise a record's identifiers; the first bad field raises ValidationError."""
    get = {name: (fields.get(name) or "") for name in IDENTIFIERS}
    return Identity(
        given_name=normalise_name(get["given_name"]),
        surname=normalise_name(get["surname"]),
        date_of_birth=parse_date_of_birth("date_of_birth", get["date_of_birth"], today),
        address=normalise_address(get["address"]),
        postcode=normalise_postcode("postcode", get["postcode"], uk_only=uk_only),
        phone=normalise_phone("phone", get["phone"]),
        email=normalise_email("email", get["email"]),
    )


def split_name(full_name: str) -> tuple[str, str]:
    """A caller's name as one field ("Sam Patel") split into given name and surname."""
    parts = normalise_name(full_name).split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return "", parts[0]
    return " ".join(parts[:-1]), parts[-1]


# --- comparing two identities --------------------------------------------------------------

_SOUNDEX = str.maketrans("bfpvcgjkqsxzdtlmnraeiouyhw", "11112222222233455600000000")


@cache
def name_key(name: str) -> str:
    """A sound-alike key (Soundex): Smith, Smyth and Smithe share S530."""
    letters = name.replace(" ", "")
    if not letters:
        return ""
    digits = letters.translate(_SOUNDEX)
    key, last = letters[0].upper(), digits[0]
    for char, code in zip(letters[1:], digits[1:], strict=True):
        if code not in "0" and code != last and code.isdigit():
            key += code
        if char not in "hw":
            last = code
    return (key + "000")[:4]


def compare_given(a: str, b: str, variants: NameVariants) -> Outcome | None:
    if not a or not b:
        return None
    first_a, first_b = a.split()[0], b.split()[0]
    if a == b or variants.of(first_a) == variants.of(first_b):
        return Outcome.AGREE
    if JaroWinkler.normalized_similarity(a, b) >= 0.88:
        return Outcome.SIMILAR
    if (len(first_a) == 1 or len(first_b) == 1) and first_a[0] == first_b[0]:
        return Outcome.PARTIAL
    return Outcome.DISAGREE


def compare_surname(a: str, b: str) -> Outcome | None:
    if not a or not b:
        return None
    if a == b:
        return Outcome.AGREE
    if JaroWinkler.normalized_similarity(a, b) >= 0.9:
        return Outcome.SIMILAR
    if name_key(a) == name_key(b):
        return Outcome.PARTIAL
    return Outcome.DISAGREE


def compare_date_of_birth(a: str, b: str) -> Outcome | None:
    """Equal; day and month swapped, or a typo (SIMILAR); the same year, or the same day and
    month in another year (PARTIAL); otherwise DISAGREE."""
    if not a or not b:
        return None
    if a == b:
        return Outcome.AGREE
    if a[:4] + a[6:] + a[4:6] == b or one_typo_apart(a, b):
        return Outcome.SIMILAR
    if a[:4] == b[:4] or a[4:] == b[4:]:
        return Outcome.PARTIAL
    return Outcome.DISAGREE


def one_typo_apart(a: str, b: str) -> bool:
    """One character wrong, or two neighbours transposed (1956 typed as 1965)."""
    if len(a) != len(b):
        return False
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    return len(differ) == 1 or (len(differ) == 2 and differ[1] == differ[0] + 1
                                and a[differ[0]] == b[differ[1]] and a[differ[1]] == b[differ[0]])


def compare_code(a: str, b: str) -> Outcome | None:
    """A postcode: equal, or one typo apart (SIMILAR)."""
    if not a or not b:
        return None
    if a == b:
        return Outcome.AGREE
    return Outcome.SIMILAR if one_typo_apart(a, b) else Outcome.DISAGREE


def compare_text(a: str, b: str) -> Outcome | None:
    if not a or not b:
        return None
    if a == b:
        return Outcome.AGREE
    similarity = fuzz.token_set_ratio(a, b) / 100
    if similarity >= 0.9:
        return Outcome.SIMILAR
    if similarity >= 0.7:
        return Outcome.PARTIAL
    return Outcome.DISAGREE


def compare_exact(a: str, b: str) -> Outcome | None:
    if not a or not b:
        return None
    return Outcome.AGREE if a == b else Outcome.DISAGREE


def _names(a: Identity, b: Identity, variants: NameVariants,
           policy: MatchPolicy) -> tuple[Outcome | None, Outcome | None]:
    """Given name and surname; when they disagree and an initial crosses over, also compared
    crossed (written the wrong way round), and the better reading counts."""
    names = (compare_given(a.given_name, b.given_name, variants),
             compare_surname(a.surname, b.surname))
    if (Outcome.DISAGREE in names and a.given_name and b.given_name and a.surname
            and b.surname and (a.given_name[0] == b.surname[0]
                               or a.surname[0] == b.given_name[0])):
        crossed = (compare_given(a.given_name, b.surname, variants),
                   compare_surname(a.surname, b.given_name))
        names = max((names, crossed), key=lambda pair: _weigh_names(pair, policy))
    return names


def score(a: Identity, b: Identity, policy: MatchPolicy, variants: NameVariants) -> Score:
    """The match score of two records, with its explanation."""
    result = score_at_least(a, b, policy, variants, None)
    assert result is not None
    return result


def score_at_least(a: Identity, b: Identity, policy: MatchPolicy, variants: NameVariants,
                   at_least: float | None) -> Score | None:
    """Sum each identifier's weight for how it compared (identifiers either side lacks add 0).

    With `at_least`, the cheap comparisons come first and the costly fuzzy ones are skipped
    (None returned) as soon as the score can no longer reach it: what keeps matching against a
    million People fast.
    """
    weights = policy.weights
    outcomes: dict[str, Outcome | None] = {
        "date_of_birth": compare_date_of_birth(a.date_of_birth, b.date_of_birth),
        "postcode": compare_code(a.postcode, b.postcode),
        "phone": compare_exact(a.phone, b.phone),
        "email": compare_exact(a.email, b.email),
        "social_handle": compare_handle(a.social_handle, b.social_handle)}
    pending = [name for name, mine, theirs in (("given_name", a.given_name, b.given_name),
                                               ("surname", a.surname, b.surname),
                                               ("address", a.address, b.address))
               if mine and theirs]

    def cannot_reach() -> bool:
        if at_least is None:
            return False
        best = sum(weights[n][Outcome.AGREE] for n in pending)
        return sum(weights[n][o] for n, o in outcomes.items() if o) + best < at_least

    if cannot_reach():
        return None
    outcomes["given_name"], outcomes["surname"] = _names(a, b, variants, policy)
    pending = [n for n in pending if n == "address"]
    if cannot_reach():
        return None
    outcomes["address"] = compare_text(a.address, b.address)
    agreements = tuple(Agreement(name, outcome, weights[name][outcome])
                       for name in MATCHED if (outcome := outcomes.get(name)) is not None)
    return Score(round(sum(x.weight for x in agreements), 2), agreements)


def _weigh_names(pair: tuple[Outcome | None, Outcome | None], policy: MatchPolicy) -> float:
    given, surname = pair
    return ((policy.weights["given_name"][given] if given else 0.0)
            + (policy.weights["surname"][surname] if surname else 0.0))
