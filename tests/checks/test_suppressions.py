"""Suppressions: parsing (YAML with line numbers, iamwarden.toml tables), matching, expiry, effect on a run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import orjson
import pytest

from iamwarden.checks.config import load_settings
from iamwarden.checks.runner import run_checks
from iamwarden.checks.suppressions import Suppression, load_suppressions_file, match, suppressions_from_yaml
from iamwarden.errors import InputError
from iamwarden.report.findings_json import dumps
from tests.checks.harness import build_case_account

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "findings.schema.json").read_text())
TODAY = date(2026, 6, 15)

GOOD_YAML = """\
# accepted risks
- check: "credentials.*"
  resource: "re:arn:aws:iam::\\\\d{12}:user/ci-.*"
  reason: CI users, keys rotated by the vault
  expires: 2026-12-31
  owner: platform-team
- check: root.hardware_mfa
  reason: virtual MFA in a safe
"""


def test_yaml_file_parses_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "supp.yaml"
    path.write_text(GOOD_YAML)
    first, second = load_suppressions_file(path)
    assert first == Suppression(
        "credentials.*",
        r"re:arn:aws:iam::\d{12}:user/ci-.*",
        "CI users, keys rotated by the vault",
        date(2026, 12, 31),
        "platform-team",
        f"{path} item 1, line 2",
    )
    assert (second.resource, second.expires, second.owner, second.origin) == ("*", None, None, f"{path} item 2, line 7")


BAD_YAML = [
    ("- check: a.b\n  resource: x\n", "line 1: item 1.reason: required"),
    ("- check: a.b\n  reason: ''\n", "line 2: item 1.reason: must not be empty"),
    ("- check: a.b\n  reason: ok\n  expire: 2026-01-01\n", "line 3: item 1.expire: unknown key"),
    ("- check: a.b\n  reason: ok\n  expires: 31/12/2026\n", "line 3: item 1.expires: expected a date (YYYY-MM-DD)"),
    ("- check: a.b\n  reason: ok\n  expires: 2026-02-30\n", "line 3: item 1.expires: not a valid date"),
    ("- check: a.b\n  reason: ok\n  resource: 're:(unclosed'\n", "line 3: item 1.resource: not a valid regular"),
    ("- check: a.b\n  reason: ok\n- reason: no check\n", "line 3: item 2.check: required"),
    ("- check: a.b\n  reason: ok\n  reason: again\n", "line 3: item 1.reason: given twice"),
    ("- check: [a, b]\n  reason: ok\n", "line 1: item 1.check: expected text"),
    ("check: a.b\nreason: ok\n", "line 1: expected a list of suppressions"),
    ("- just text\n", "line 1: item 1: expected a mapping"),
    ("- check: a.b\n  reason: [unclosed\n", "line 3: not valid YAML"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_YAML)
def test_bad_yaml_is_one_line_with_the_line_number(text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        suppressions_from_yaml(text, "supp.yaml")
    assert caught.value.one_line().startswith(f"supp.yaml: {expected}"), caught.value.one_line()


def test_empty_yaml_means_no_suppressions() -> None:
    assert suppressions_from_yaml("# nothing yet\n", "supp.yaml") == []


TOML = """\
[thresholds]
password_min_length = 16

[[suppressions]]
check = "mfa.*"
resource = "arn:aws:iam::*:user/break-glass"
reason = "break-glass user, hardware token in the safe"
expires = 2026-09-30

[[suppressions]]
check = "root.*"
owner = "security"
"""


def test_toml_missing_reason_names_the_table_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "iamwarden.toml"
    path.write_text(TOML)
    with pytest.raises(InputError) as caught:
        load_settings(path)
    assert caught.value.one_line() == f"{path}: line 10: suppressions[2].reason: required"


def test_toml_unknown_key_and_good_tables(tmp_path: Path) -> None:
    path = tmp_path / "iamwarden.toml"
    path.write_text(TOML.replace('owner = "security"', 'reason = "org-managed root"\nowners = "security"'))
    with pytest.raises(InputError) as caught:
        load_settings(path)
    assert caught.value.one_line().startswith(f"{path}: line 13: suppressions[2].owners: unknown key")
    path.write_text(TOML.replace('owner = "security"', 'reason = "org-managed root"'))
    settings = load_settings(path)
    assert settings.thresholds.password_min_length == 16
    first, second = settings.suppressions
    assert first.expires == date(2026, 9, 30) and first.origin == f"{path} suppressions[1], line 4"
    assert second.resource == "*" and second.reason == "org-managed root"


def test_toml_suppressions_must_be_tables(tmp_path: Path) -> None:
    path = tmp_path / "iamwarden.toml"
    path.write_text('suppressions = "none"\n')
    with pytest.raises(InputError, match="suppressions: expected an array of tables"):
        load_settings(path)


def test_matching_globs_regex_and_expiry() -> None:
    glob = Suppression("credentials.*", "arn:aws:iam::*:user/ci-*", "r", date(2026, 6, 15))
    regex = Suppression("*", r"re:arn:aws:iam::\d+:user/svc", "r")
    user = "arn:aws:iam::111122223333:user/ci-deploy"
    assert glob.covers("credentials.unused_access_keys", user)
    assert not glob.covers("credentials.unused_access_keys", "arn:aws:iam::111122223333:user/alice")
    assert not glob.covers("mfa.console_users", user)
    assert regex.covers("root.mfa_enabled", "arn:aws:iam::111122223333:user/svc")
    assert not regex.covers("root.mfa_enabled", "arn:aws:iam::111122223333:user/svc-2")  # the whole resource
    assert not glob.expired(date(2026, 6, 15)) and glob.expired(date(2026, 6, 16))  # holds through its last day


def test_an_unexpired_suppression_wins_over_an_expired_one() -> None:
    old = Suppression("*", "*", "old", date(2025, 1, 1))
    new = Suppression("root.*", "*", "new", date(2027, 1, 1))
    applied = match([old, new], "root.mfa_enabled", "arn", TODAY)
    assert applied is not None and applied.suppression is new and not applied.expired
    applied = match([old, new], "mfa.console_users", "arn", TODAY)
    assert applied is not None and applied.suppression is old and applied.expired
    assert match([new], "mfa.console_users", "arn", TODAY) is None


SNAPSHOT = {
    "summary": {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1, "AccountPasswordPresent": 1},
    "password_policy": {"MinimumPasswordLength": 16, "PasswordReusePrevention": 24},
    "users": [{"name": "alice"}],
}


def test_suppressed_results_leave_scores_and_failures_but_stay_in_json() -> None:
    account = build_case_account(SNAPSHOT)
    plain = run_checks(account)
    root_fail = next(f for f in plain.failures() if f.check.id == "root.mfa_enabled")
    active = Suppression("root.mfa_enabled", "*", "org-managed root", date(2026, 12, 31), "sec", "item 1 (line 1)")
    stale = Suppression("groups.*", "arn:aws:iam::*:user/nobody", "gone", None, None, "item 2 (line 6)")
    passing = Suppression("password_policy.minimum_length", "*", "never suppresses a pass", None, None, "item 3")
    complexity = Suppression("password_policy.complexity", "*", "SSO users only", None, None, "item 4")
    run = run_checks(account, suppressions=[active, stale, passing, complexity], today=TODAY)

    assert root_fail.id not in {f.id for f in run.failures()}
    assert [f.check.id for f in run.suppressed()] == ["root.mfa_enabled", "password_policy.complexity"]
    root = next(p for p in run.practices if p.number == 2)
    before = next(p for p in plain.practices if p.number == 2)
    assert (root.failed, root.suppressed) == (before.failed - 1, 1)
    # practice 9: passes weigh 3+3+1, failures 1+1+1 (low); one low failure suppressed: 7/9 instead of 7/10
    assert [p.score for p in plain.practices if p.number == 9] == [70]
    assert [p.score for p in run.practices if p.number == 9] == [round(100 * 7 / 9)]
    assert run.stale_suppressions == (stale, passing) and run.expired_suppressions == ()

    doc = orjson.loads(dumps(run))
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc)) == []
    finding = next(f for f in doc["findings"] if f["id"] == root_fail.id)
    assert finding["status"] == "fail"
    assert finding["suppressed"] == {
        "reason": "org-managed root",
        "expires": "2026-12-31",
        "owner": "sec",
        "origin": "item 1 (line 1)",
    }
    assert doc["summary"]["totals"]["suppressed"] == 2
    assert sum(doc["summary"]["totals"].values()) == len(doc["findings"])
    assert doc["suppressions"]["checked_on"] == "2026-06-15"
    assert [s["origin"] for s in doc["suppressions"]["stale"]] == ["item 2 (line 6)", "item 3"]


def test_an_expired_suppression_suppresses_nothing_and_is_reported() -> None:
    account = build_case_account(SNAPSHOT)
    expired = Suppression("root.mfa_enabled", "*", "was accepted", date(2026, 6, 14), None, "item 1 (line 1)")
    run = run_checks(account, suppressions=[expired], today=TODAY)
    plain = run_checks(account)
    assert [p.score for p in run.practices] == [p.score for p in plain.practices]
    assert run.suppressed() == []
    assert [(u.suppression, u.results) for u in run.expired_suppressions] == [(expired, 1)]
    assert run.stale_suppressions == ()
    doc = orjson.loads(dumps(run))
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc)) == []
    finding = next(f for f in doc["findings"] if f["check"] == "root.mfa_enabled")
    assert "suppressed" not in finding and finding["suppression_expired"]["expires"] == "2026-06-14"
    assert doc["suppressions"]["expired"][0]["results"] == 1
    assert "suppressions" not in orjson.loads(dumps(plain))
