"""Loading the victims room's policy file, checked, with errors that name file, line and field.

Read once at start-up (and cached), like the risk room's policy: a mistake stops the server
rather than telling a victim the wrong date later. The file-reading helpers are the
platform's (platform/policyfile.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from firstcontact.platform.policyfile import PolicyError, fail, line_of, read_toml, table
from firstcontact.victims.model import (
    PERSON,
    CrimeType,
    Deadline,
    Entitlement,
    Party,
    VictimsPolicy,
)

POLICY_DIR = Path(__file__).resolve().parent / "policy"
REQUIRED_ENTITLEMENTS = ("written_acknowledgement", "support_referral")
REQUIRED_CRIMES = ("other_crime",)

__all__ = ["PolicyError", "load_policy", "victims_policy"]


def load_policy(path: Path = POLICY_DIR / "entitlements.toml") -> VictimsPolicy:
    data, text = read_toml(path)
    reasons = {str(k): str(v) for k, v in table(path, text, data, "reasons").items()}
    flags = {str(k): str(v) for k, v in table(path, text, data, "flags").items()}
    for flag, reason in flags.items():
        if reason and reason not in reasons:
            raise fail(path, line_of(text, f"{flag} ="), f"flags.{flag}",
                        f"unknown reason {reason!r}; known: {sorted(reasons)}")
    crimes = {code: _crime(path, text, code, entry, flags)
              for code, entry in table(path, text, data, "crimes").items()}
    for code in REQUIRED_CRIMES:
        if code not in crimes:
            raise fail(path, 0, "crimes", f"needs a crime type {code!r} for unmapped codes")
    entitlements = tuple(_entitlement(path, text, index, entry)
                         for index, entry in enumerate(data.get("entitlements", [])))
    codes = [e.code for e in entitlements]
    for code in REQUIRED_ENTITLEMENTS:
        if code not in codes:
            raise fail(path, 0, "entitlements", f"the Code requires an entry for {code!r}")
    return VictimsPolicy(
        entitlements=entitlements, crimes=crimes, reasons=reasons, flags=flags,
        bank_holidays=_bank_holidays(path, text, data),
        timezone=_timezone(path, text, data),
        acknowledgement_working_days=_days(path, text, data, "acknowledgement_working_days"),
        referral_working_days=_days(path, text, data, "referral_working_days"),
        under_age=_days(path, text, data, "under_age"),
        written_languages=tuple(str(x) for x in data.get("written_languages", ["en", "cy"])),
        nsir_codes=_mapping(path, text, data, "nsir_codes", crimes),
        nsir_qualifiers=_mapping(path, text, data, "nsir_qualifiers", crimes),
        nsir_flags=_mapping(path, text, data, "nsir_flags", flags),
        source=str(path), parties=_parties(path, text, data, flags, codes))


def _parties(path: Path, text: str, data: Mapping[str, Any], flags: Mapping[str, str],
             entitlements: list[str]) -> dict[str, Party]:
    """Who a victim can be; "person" (the caller who is the victim) is always there."""
    found = {"person": PERSON}
    for code, entry in table(path, text, data, "parties").items():
        line = _labelled(path, text, f"parties.{code}", entry, "party")
        party_flags = _flags(path, line, f"parties.{code}.flags", entry.get("flags", []), flags)
        not_applicable = entry.get("not_applicable", {})
        for key in not_applicable:
            if key not in entitlements or not str(not_applicable[key]).strip():
                raise fail(path, line_of(text, f"{key} =") or line,
                           f"parties.{code}.not_applicable.{key}",
                           f"needs an entitlement code from {entitlements} and a reason")
        found[str(code)] = Party(
            str(code), str(entry["label"]), str(entry.get("contact", "")),
            str(entry.get("relationship", "")), entry.get("under_18") is True,
            party_flags, entry.get("enhanced_rights", True) is not False,
            {str(k): str(v) for k, v in not_applicable.items()})
    return found


def _mapping(path: Path, text: str, data: Mapping[str, Any], name: str,
             allowed: Mapping[str, object]) -> dict[str, str]:
    """A table whose values must each name an entry of `allowed` (a crime type or a flag)."""
    entries = table(path, text, data, name)
    for key, value in entries.items():
        if value not in allowed:
            raise fail(path, line_of(text, f'"{key}"') or line_of(text, f"{key} ="),
                       f"{name}.{key}", f"unknown {value!r}; known: {sorted(allowed)}")
    return {str(k): str(v) for k, v in entries.items()}


def _days(path: Path, text: str, data: Mapping[str, Any], name: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 60:
        raise fail(path, line_of(text, name), name, "must be a whole number from 1 to 60")
    return value


def _timezone(path: Path, text: str, data: Mapping[str, Any]) -> ZoneInfo:
    name = str(data.get("timezone", "Europe/London"))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(path, line_of(text, "timezone"), "timezone",
                    f"unknown time zone {name!r}") from None


def _bank_holidays(path: Path, text: str, data: Mapping[str, Any]) -> holidays.HolidayBase:
    """England and Wales bank holidays ("GB-ENG": Wales keeps the same days)."""
    name = str(data.get("bank_holidays", "GB-ENG"))
    country, _, subdiv = name.partition("-")
    try:
        return holidays.country_holidays(country, subdiv=subdiv or None)
    except NotImplementedError:
        raise fail(path, line_of(text, "bank_holidays"), "bank_holidays",
                    f"unknown calendar {name!r}; use e.g. GB-ENG") from None


def _crime(path: Path, text: str, code: str, entry: Any, flags: Mapping[str, str]
           ) -> CrimeType:
    line = _labelled(path, text, f"crimes.{code}", entry, "crime type")
    implies = _flags(path, line, f"crimes.{code}.implies", entry.get("implies", []), flags)
    for key in ("most_serious", "explicit_consent", "bereaved"):
        if not isinstance(entry.get(key, False), bool):
            raise fail(path, line, f"crimes.{code}.{key}", "must be true or false")
    return CrimeType(code, str(entry["label"]), bool(entry.get("most_serious", False)),
                     bool(entry.get("explicit_consent", False)),
                     bool(entry.get("bereaved", False)), implies)


def _labelled(path: Path, text: str, where: str, entry: Any, what: str) -> int:
    """The line of the table `[where]` (for errors), once it is checked to have a label."""
    line = line_of(text, f"[{where}]")
    if not isinstance(entry, dict) or not str(entry.get("label", "")).strip():
        raise fail(path, line, f"{where}.label", f"every {what} needs a label")
    return line


def _flags(path: Path, line: int, where: str, value: Any, flags: Mapping[str, str]
           ) -> tuple[str, ...]:
    """A list of flags, each one the policy defines."""
    if not isinstance(value, list) or any(flag not in flags for flag in value):
        raise fail(path, line, where, f"must be a list drawn from the flags {sorted(flags)}")
    return tuple(str(flag) for flag in value)


def _entitlement(path: Path, text: str, index: int, entry: Mapping[str, Any]) -> Entitlement:
    line = line_of(text, "[[entitlements]]", index)
    where = f"entitlements[{index}]"
    for key in ("code", "title", "text"):
        if not str(entry.get(key, "")).strip():
            raise fail(path, line, f"{where}.{key}", "must not be empty")
    right = entry.get("right")
    if not isinstance(right, int) or not 1 <= right <= 12:
        raise fail(path, line, f"{where}.right", "must be a Code right from 1 to 12")
    deadline = entry.get("deadline")
    if deadline is not None and deadline not in {d.value for d in Deadline}:
        raise fail(path, line, f"{where}.deadline",
                    f"must be one of {[d.value for d in Deadline]} or left out")
    only_if = entry.get("only_if")
    if only_if not in (None, "language_not_written"):
        raise fail(path, line, f"{where}.only_if", "the only condition is language_not_written")
    return Entitlement(str(entry["code"]), right, str(entry["title"]), str(entry["text"]),
                       str(entry.get("link", "")), Deadline(deadline) if deadline else None,
                       only_if == "language_not_written",
                       entry.get("in_acknowledgement") is True)


@cache
def victims_policy() -> VictimsPolicy:
    """The force's Victims' Code policy (read once)."""
    return load_policy()
