"""Loading the hidden-harm catalogue: one TOML file per harm type in `indicators/`, and the
levels and cue words in `scanning.toml`, checked at start-up with errors naming file, line and
field (a safeguarding lead edits these files; a typo must stop the server, not go quiet).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from firstcontact.harm.learned import load_learned
from firstcontact.harm.model import (
    HARM_TYPES,
    MAX_FORMS,
    MAX_VARIANTS,
    Catalogue,
    Cues,
    Indicator,
    Thresholds,
    choices,
    form_count,
    phrase_key,
    variants,
    word_forms,
)
from firstcontact.harm.scanner import Scanner, compile_scanner
from firstcontact.platform.policyfile import PolicyError, fail, line_of, read_toml

ROOM = Path(__file__).resolve().parent
INDICATORS_DIR = ROOM / "indicators"
SCANNING_FILE = ROOM / "scanning.toml"

__all__ = ["PolicyError", "catalogue", "load_catalogue", "scanner"]


def load_catalogue(directory: Path = INDICATORS_DIR, scanning: Path = SCANNING_FILE,
                   known_qualifiers: Collection[str] | None = None) -> Catalogue:
    """Every indicator file and the scanning settings, checked; the first mistake is raised.

    `known_qualifiers` (the NSIR list) checks each file's `qualifiers` when given."""
    indicators: list[Indicator] = []
    actions: dict[str, str] = {}
    qualifiers: dict[str, tuple[str, ...]] = {}
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.toml")):
        harm_type, action, found = _indicator_file(path)
        actions[harm_type] = action
        qualifiers[harm_type] = _qualifiers(path, known_qualifiers)
        for indicator in found:
            if indicator.id in seen:
                raise fail(path, line_of(path.read_text(encoding="utf-8"),
                                         f'id = "{indicator.id}"'), "id",
                           f"{indicator.id!r} is already used in {seen[indicator.id].name}")
            seen[indicator.id] = path
        indicators.extend(found)
    missing = sorted(set(HARM_TYPES) - set(actions))
    if missing:
        raise fail(directory, 0, "harm_type", f"no indicator file for {missing}")
    thresholds, cues, forms = _scanning(scanning)
    for indicator in indicators:
        _check_forms(seen[indicator.id], indicator, forms)
    return Catalogue(tuple(indicators), thresholds, actions, cues, qualifiers, forms)


def _check_forms(path: Path, indicator: Indicator, forms: Mapping[str, tuple[str, ...]]) -> None:
    """A phrase may stand for at most MAX_FORMS phrases once its words take their forms."""
    for phrase in (*indicator.phrases, *indicator.with_any, *indicator.not_with):
        if form_count(phrase_key(phrase), forms) > MAX_FORMS:
            raise fail(path, line_of(path.read_text(encoding="utf-8"),
                                     f'id = "{indicator.id}"'), f"{indicator.id}.phrases",
                       f"phrase {phrase!r} stands for more than {MAX_FORMS} phrases once its "
                       "words take their forms (scanning.toml [word_forms]); write it shorter")


def _qualifiers(path: Path, known: Collection[str] | None) -> tuple[str, ...]:
    data, text = read_toml(path)
    value = data.get("qualifiers", [])
    line = line_of(text, "qualifiers")
    if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
        raise fail(path, line, "qualifiers", "must be a list of NSIR qualifier codes")
    unknown = [v for v in value if known is not None and v not in known]
    if unknown:
        raise fail(path, line, "qualifiers",
                   f"unknown NSIR qualifier {unknown[0]!r}; known: {sorted(known or [])}")
    return tuple(value)


def _indicator_file(path: Path) -> tuple[str, str, list[Indicator]]:
    data, text = read_toml(path)
    harm_type = data.get("harm_type")
    if harm_type not in HARM_TYPES:
        raise fail(path, line_of(text, "harm_type"), "harm_type",
                   f"unknown harm type {harm_type!r}; known: {sorted(HARM_TYPES)}")
    if path.stem != harm_type:
        raise fail(path, line_of(text, "harm_type"), "harm_type",
                   f"the file for {harm_type!r} must be named {harm_type}.toml")
    action = _text(path, text, data, "action", line_of(text, "action"))
    entries = data.get("indicators")
    if not isinstance(entries, list) or not entries:
        raise fail(path, 0, "indicators", "needs at least one [[indicators]] entry")
    found = [_indicator(path, text, index, harm_type, action, entry)
             for index, entry in enumerate(entries)]
    return str(harm_type), action, found


def _indicator(path: Path, text: str, index: int, harm_type: str, default_action: str,
               entry: Mapping[str, Any]) -> Indicator:
    line = line_of(text, "[[indicators]]", index)
    where = f"indicators[{index}]"
    identifier = _text(path, text, entry, "id", line, where)
    weight = entry.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 10:
        raise fail(path, line, f"{where}.weight", "must be a number above 0, at most 10")
    phrases = _phrases(path, line, f"{where}.phrases", entry.get("phrases"), required=True)
    with_any = _phrases(path, line, f"{where}.with_any", entry.get("with_any", []))
    return Indicator(
        id=identifier, harm_type=harm_type,
        description=_text(path, text, entry, "description", line, where),
        phrases=phrases, with_any=with_any,
        not_with=_not_with(path, line, where, entry.get("not_with", []), (*phrases, *with_any)),
        weight=float(weight),
        action=str(entry.get("action") or default_action),
        source=_text(path, text, entry, "source", line, where),
    )


def _text(path: Path, text: str, data: Mapping[str, Any], key: str, line: int,
          where: str = "") -> str:
    value = data.get(key)
    field = f"{where}.{key}" if where else key
    if not isinstance(value, str) or not value.strip():
        raise fail(path, line, field, "must be some text")
    return value.strip()


def _phrases(path: Path, line: int, field: str, value: object,
             required: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
        raise fail(path, line, field, "must be a list of phrases in quotes")
    if required and not value:
        raise fail(path, line, field, "needs at least one phrase")
    expanded: list[str] = []
    for written in value:
        found = variants(written) if choices(written) <= MAX_VARIANTS else []
        if not found or any(c in p for p in found for c in "{}|"):
            raise fail(path, line, field, f"phrase {written!r}: each {{choice|choice}} must be "
                       f"closed, not nested, and stand for at most {MAX_VARIANTS} phrases")
        for phrase in found:
            if not phrase_key(phrase):
                raise fail(path, line, field, f"phrase {phrase!r} has no letters or digits")
        expanded.extend(found)
    return tuple(dict.fromkeys(expanded))


def _not_with(path: Path, line: int, where: str, value: object,
              evidence: tuple[str, ...]) -> tuple[str, ...]:
    """The words that set the indicator's phrases aside in their sentence; none of them may
    be said inside one of its own phrases or `with_any` words ("my family" against "hurt my
    family if"): the indicator would set itself aside wherever it is heard."""
    found = _phrases(path, line, f"{where}.not_with", value)
    own = [f" {phrase_key(p)} " for p in evidence]
    for word in found:
        key = f" {phrase_key(word)} "
        inside = next((p.strip() for p in own if key in p), None)
        if inside is not None:
            raise fail(path, line, f"{where}.not_with", f"{word!r} is said in the indicator's "
                       f"own phrase {inside!r}; it would set aside its own evidence")
    return found


def _scanning(path: Path) -> tuple[dict[str, Thresholds], Cues, dict[str, tuple[str, ...]]]:
    data, text = read_toml(path)
    levels = data.get("levels")
    if not isinstance(levels, dict) or "default" not in levels:
        raise fail(path, line_of(text, "[levels"), "levels", "needs a [levels.default] table")
    unknown = sorted(set(levels) - set(HARM_TYPES) - {"default"})
    if unknown:
        raise fail(path, line_of(text, f"[levels.{unknown[0]}]"), f"levels.{unknown[0]}",
                   f"unknown harm type; known: {sorted(HARM_TYPES)}")
    default = _thresholds(path, text, "default", levels["default"])
    thresholds = {harm: _thresholds(path, text, harm, levels[harm]) if harm in levels
                  else default for harm in HARM_TYPES}
    cues = data.get("cues", {})
    return thresholds, _cues(path, text, cues), _word_forms(path, text, data.get("word_forms", {}))


def _word_forms(path: Path, text: str, groups: object) -> dict[str, tuple[str, ...]]:
    """[word_forms]: named groups of single words said in each other's place."""
    if not isinstance(groups, dict):
        raise fail(path, line_of(text, "[word_forms]"), "word_forms", "must be a table of lists")
    checked: dict[str, tuple[str, ...]] = {}
    for name, members in groups.items():
        line = line_of(text, f"{name} =")
        words = _phrases(path, line, f"word_forms.{name}", members, required=True)
        keys = tuple(dict.fromkeys(map(phrase_key, words)))
        if len(keys) < 2 or any(" " in key for key in keys):
            raise fail(path, line, f"word_forms.{name}",
                       "must list at least two different single words")
        checked[name] = keys
    return word_forms(checked)


def _cues(path: Path, text: str, cues: Mapping[str, Any]) -> Cues:
    return Cues(
        negation=_phrases(path, line_of(text, "negation"), "cues.negation",
                          cues.get("negation"), required=True),
        hypothetical=_phrases(path, line_of(text, "hypothetical"), "cues.hypothetical",
                              cues.get("hypothetical"), required=True),
        consequence=_phrases(path, line_of(text, "consequence"), "cues.consequence",
                             cues.get("consequence", [])))


def _thresholds(path: Path, text: str, name: str, entry: object) -> Thresholds:
    line = line_of(text, f"[levels.{name}]")
    if not isinstance(entry, dict):
        raise fail(path, line, f"levels.{name}", "must be a table")
    possible, likely = entry.get("possible"), entry.get("likely")
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0
                  for v in (possible, likely))
    if not numbers or likely < possible:  # type: ignore[operator]
        raise fail(path, line, f"levels.{name}",
                   "possible and likely must be scores above 0, likely at least possible")
    return Thresholds(float(possible), float(likely))  # type: ignore[arg-type]


@cache
def catalogue() -> Catalogue:
    """The force's catalogue (read once, at start-up), its qualifiers checked against NSIR."""
    from firstcontact.risk import policy as risk_policy

    return load_catalogue(known_qualifiers=frozenset(risk_policy.nsir().qualifiers))


@cache
def scanner() -> Scanner:
    """The catalogue compiled for scanning, with the learned layer (`learned_words.json`,
    checked), built once."""
    return replace(compile_scanner(catalogue()), learned=load_learned())
