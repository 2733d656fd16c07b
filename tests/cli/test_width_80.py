"""Every command's output at 80 columns (``COLUMNS=80``, output not a terminal: a CI log): no line wider than 80
columns, nothing cut (long text wrapped under itself), and the same text on one line each in a wide layout. The
one exception is data meant to be copied whole: a diff's policy statements as JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app
from tests.cli.test_demo_org import DEMO_ORG
from tests.cli.test_table_style import db
from tests.store.contents import DEMO

__all__ = ["db"]
runner = CliRunner()
TRAIL = Path(__file__).resolve().parents[2] / "demo" / "demo-trail.json"
MARIA = "arn:aws:iam::444455556666:user/maria.garcia"
GLUE = "arn:aws:iam::444455556666:role/data-pipeline-glue"

COMMANDS = {
    "detect": ["detect", str(TRAIL), "--snapshot", str(DEMO)],
    "simulate": ["simulate", "--snapshot", str(DEMO), "--principal", MARIA, "--action", "s3:GetObject"],
    "paths": ["paths", "--snapshot", str(DEMO), "--to", "admin", "--lateral"],
    "validate": ["snapshot", "validate", str(DEMO_ORG)],
    "suggest": ["policy", "suggest", "--snapshot", str(DEMO), "--principal", GLUE],
    "unused": ["policy", "unused", "--snapshot", str(DEMO), "--cloudtrail", str(TRAIL)],
    "who-can": ["who-can", "iam:PassRole", "--snapshot", str(DEMO)],
}


def _run(args: list[str], columns: int) -> str:
    result = runner.invoke(app, args, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


def _words(text: str) -> list[str]:
    return text.replace("─", " ").split()


def _assert_fits(output: str) -> None:
    wide = [
        line
        for line in output.splitlines()
        if len(line.rstrip()) > 80 and not line.startswith(("      - {", "      + {"))
    ]
    assert not wide, "\n".join(wide)
    assert "…" not in output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_line_fits_80_columns_and_says_what_a_wide_layout_says(name: str) -> None:
    narrow = _run(COMMANDS[name], 80)
    _assert_fits(narrow)
    wide = _run(COMMANDS[name], 400)
    if name in ("simulate", "detect", "paths", "suggest"):  # text wrapped, not tables: the same words in order
        assert _words(narrow) == _words(wide)


def test_detect_summary_wraps_under_itself() -> None:
    lines = _run(COMMANDS["detect"], 80).splitlines()
    assert lines[0].startswith("8 alerts (4 critical, 1 high, 1 medium, 2 low) from 10 records in 1 file;")
    assert lines[1] == "  rules ran" or lines[1].startswith("  ")
    assert _run(COMMANDS["detect"], 400).splitlines()[0].endswith("85 rules ran")


def test_diff_first_line_carries_the_news(db: str) -> None:
    output = _run(["diff", "444455556666@previous", "444455556666@latest", "--db", db], 80)
    _assert_fits(output)
    assert output.splitlines()[0].startswith("Account 444455556666: 4 IAM changes; findings: 4 new, 0 regressed,")


def test_secrets_scan_summary_and_findings_fit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a path is one word: longer than a line, it would be left whole
    (tmp_path / "settings.ini").write_text(
        "[aws]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    output = _run(["secrets", "scan", ".", "--snapshot", str(DEMO)], 80)
    _assert_fits(output)
    assert output.startswith("Secrets scan: ") and "(1 kB)" in output.splitlines()[0]
