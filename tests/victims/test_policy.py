"""The victims policy file loads, agrees with the NSIR lists, and a mistake names file, line
and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from firstcontact.risk.policy import PolicyError, load_nsir
from firstcontact.victims.policy import POLICY_DIR, load_policy

GOOD = (POLICY_DIR / "entitlements.toml").read_text()


def load_broken(tmp_path: Path, old: str, new: str) -> str:
    assert old in GOOD
    path = tmp_path / "entitlements.toml"
    path.write_text(GOOD.replace(old, new, 1))
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    return str(caught.value)


def test_the_shipped_policy_maps_only_real_nsir_crime_codes_and_qualifiers() -> None:
    victims = load_policy()
    nsir = load_nsir()
    assert set(victims.nsir_codes) <= set(nsir.categories["crime"].opening_codes)
    assert set(victims.nsir_qualifiers) | set(victims.nsir_flags) <= set(nsir.qualifiers)
    assert victims.acknowledgement_working_days == 5 and victims.referral_working_days == 2


def test_an_unknown_deadline_names_file_line_and_field(tmp_path: Path) -> None:
    message = load_broken(tmp_path, 'deadline = "referral"', 'deadline = "soon"')
    line = GOOD.splitlines().index('code = "support_referral"')  # its [[entitlements]] line
    assert message.endswith(f"entitlements.toml:{line}: entitlements[1].deadline: must be one "
                            "of ['acknowledgement', 'referral'] or left out")


def test_a_target_that_is_not_a_number_of_days_is_refused(tmp_path: Path) -> None:
    message = load_broken(tmp_path, "acknowledgement_working_days = 5",
                          'acknowledgement_working_days = "five"')
    assert "acknowledgement_working_days: must be a whole number" in message


def test_a_crime_implying_an_unknown_flag_is_refused(tmp_path: Path) -> None:
    message = load_broken(tmp_path, 'implies = ["persistently_targeted"]',
                          'implies = ["followed"]')
    assert "crimes.stalking_harassment.implies" in message


def test_a_mapping_to_an_unknown_crime_type_is_refused(tmp_path: Path) -> None:
    message = load_broken(tmp_path, '"CR-FRD" = "fraud"', '"CR-FRD" = "scam"')
    assert "nsir_codes.CR-FRD: unknown 'scam'" in message


def test_the_code_requires_the_acknowledgement_and_the_referral(tmp_path: Path) -> None:
    message = load_broken(tmp_path, 'code = "support_referral"', 'code = "referral"')
    assert "support_referral" in message
