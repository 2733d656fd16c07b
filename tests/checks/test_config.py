"""Thresholds: defaults, iamwarden.toml, and errors that name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamwarden.checks.config import Thresholds, load_thresholds
from iamwarden.errors import InputError


def test_defaults_without_a_file(tmp_path: Path) -> None:
    assert load_thresholds(search_dir=tmp_path) == Thresholds()
    assert Thresholds().access_key_max_age_days == 90 and Thresholds().password_min_length == 14


def test_values_from_the_working_directory_file(tmp_path: Path) -> None:
    (tmp_path / "iamwarden.toml").write_text(
        "[thresholds]\naccess_key_max_age_days = 30\nrequire_root_hardware_mfa = false\nsecret_min_entropy = 3\n"
    )
    loaded = load_thresholds(search_dir=tmp_path)
    assert loaded.access_key_max_age_days == 30
    assert loaded.require_root_hardware_mfa is False
    assert loaded.secret_min_entropy == 3.0
    assert loaded.password_min_length == 14


@pytest.mark.parametrize(
    ("text", "place", "message"),
    [
        ("[thresholds]\naccess_key_max_age = 30\n", "thresholds.access_key_max_age", "unknown threshold"),
        ("[thresholds]\npassword_min_length = '14'\n", "thresholds.password_min_length", "whole number"),
        ("[thresholds]\npassword_min_length = 200\n", "thresholds.password_min_length", "out of range"),
        ("[thresholds]\nrequire_root_hardware_mfa = 1\n", "thresholds.require_root_hardware_mfa", "true or false"),
        ("[threshold]\n", "threshold", "unknown table"),
        ("[thresholds]\npassword_min_length = \n", "line 2", "not valid TOML"),
    ],
)
def test_bad_values_name_file_and_key(tmp_path: Path, text: str, place: str, message: str) -> None:
    path = tmp_path / "custom.toml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_thresholds(path)
    assert info.value.source == str(path)
    assert info.value.problems[0].place == place
    assert message in info.value.problems[0].message


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "iamwarden.toml"
    path.write_text("[thresholds]\npassword_min_length = 3\nbogus = 1\n")
    with pytest.raises(InputError) as info:
        load_thresholds(path)
    assert len(info.value.problems) == 2


def test_missing_explicit_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_thresholds(tmp_path / "absent.toml")


def test_every_threshold_is_documented() -> None:
    docs = Thresholds.documentation()
    assert [d[0] for d in docs] == list(Thresholds.__dataclass_fields__)
    assert all(text for _, _, text in docs)
