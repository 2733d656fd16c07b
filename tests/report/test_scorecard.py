"""The console scorecard: one row per practice, failures worst first, filters by practice and severity."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from iamwarden.checks.base import Severity
from iamwarden.checks.runner import run_checks
from iamwarden.report.outputs import emit
from iamwarden.report.scorecard import render
from tests.checks.harness import build_case_account

SNAPSHOT = {
    "summary": {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1, "AccountPasswordPresent": 1},
    "password_policy": {"MinimumPasswordLength": 8},
}


def _text(**kw: object) -> str:
    console = Console(record=True, width=200)
    render(run_checks(build_case_account(SNAPSHOT)), console, **kw)  # type: ignore[arg-type]
    return console.export_text()


def test_scorecard_rows_and_failures() -> None:
    text = _text()
    assert "Least privilege" in text and "Audit and compliance" in text
    assert text.index("root.mfa_enabled") < text.index("password_policy.complexity")  # critical before low


def test_filters() -> None:
    only_root = _text(practices=[2])
    assert "root.no_access_keys" in only_root and "password_policy" not in only_root
    critical = _text(min_severity=Severity.CRITICAL)
    assert "root.no_access_keys" in critical and "password_policy.minimum_length" not in critical


def test_failures_are_capped() -> None:
    text = _text(show=1)
    assert "more failures: --show N or --show all" in text
    listed = text.split("Top 1 of")[1]
    assert "root.mfa_enabled" in listed and "password_policy.complexity" not in listed
    assert "password_policy.complexity" in text  # still in the table of failing checks


def test_summary_first_and_short_resources() -> None:
    text = _text()
    assert text.index("scorecard") < text.index("Failing checks") < text.index("failures\n")
    assert "arn:aws:iam::" not in text  # the header names the account once; resources are short
    assert "failures (" in text.strip().splitlines()[-1]  # ends with the one-line summary


def test_emit_writes_json_to_the_output_dir(tmp_path: Path) -> None:
    console = Console(record=True, width=120)
    written = emit(
        run_checks(build_case_account(SNAPSHOT)), formats=["console", "json"], console=console, output_dir=tmp_path
    )
    assert written == [tmp_path / "findings.json"] and written[0].stat().st_size > 0
    assert "scorecard" in console.export_text()
