"""scan's console summary at 80 and 120 columns (``COLUMNS``): no line wider than the terminal, check ids never
wrapped, every example resource whole; one line per failing check when it fits, the example under its check when not;
unknown results' reasons wrapped under their check, not folded into a narrow column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iamwarden.checks.registry import CHECKS
from iamwarden.cli.app import app
from iamwarden.report.scorecard import CHECKS_SHOWN
from tests.cli.test_paths_cmd import DEMO

runner = CliRunner()
IDS = {c.id for c in CHECKS}
CLI_OUTPUTS = Path(__file__).parents[1] / "collect" / "data" / "cli-outputs"


def _failing_checks(output: str) -> list[str]:
    """The lines of the failing-checks table (between its title and the next blank line), header and rule dropped."""
    section = output.split("Failing checks: ", 1)[1].split("\n\n", 1)[0]
    return [line for line in section.splitlines()[3:] if not line.startswith("... ")]


@pytest.mark.parametrize("columns", [80, 120])
def test_failing_checks_table_fits_and_keeps_ids_whole(columns: int) -> None:
    result = runner.invoke(app, ["scan", "--snapshot", str(DEMO), "--show", "all"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    lines = _failing_checks(result.output)
    assert all(len(line.rstrip()) <= columns for line in result.output.splitlines())
    ids = [word for line in lines for word in line.split() if word in IDS]
    assert len(ids) == int(re.search(r"Failing checks: (\d+) checks", result.output)[1])  # type: ignore[index]
    examples = [line for line in lines if "e.g. " in line]
    if columns == 80:  # 8 + 43 (the longest id) + 5 + the longest example do not fit: examples go under their check
        assert len(lines) == 2 * len(ids) and len(examples) == len(ids)
        assert "    e.g. lambda:us-east-1:function:nightly-report-export" in result.output
    else:
        assert len(lines) == len(ids) and not examples
        row = next(line for line in lines if "secrets.lambda_environment" in line)
        assert row.split()[-1] == "lambda:us-east-1:function:nightly-report-export"


def test_the_summary_lists_the_worst_checks_and_counts_the_rest() -> None:
    result = runner.invoke(app, ["scan", "--snapshot", str(DEMO)], env={"COLUMNS": "200"})
    lines = _failing_checks(result.output)
    assert len(lines) == CHECKS_SHOWN
    total = int(re.search(r"Failing checks: (\d+) checks", result.output)[1])  # type: ignore[index]
    more = re.search(r"^\.\.\. (\d+) more failing checks \((.*)\) with (\d+) failures: --show all", result.output, re.M)
    assert more and int(more[1]) == total - CHECKS_SHOWN
    assert sum(int(part.split()[0]) for part in more[2].split(", ")) == int(more[1])
    wider = runner.invoke(app, ["scan", "--snapshot", str(DEMO), "--show", "20"], env={"COLUMNS": "200"})
    assert len(_failing_checks(wider.output)) == 20


@pytest.mark.parametrize("columns", [80, 240])
def test_unknown_reasons_are_not_folded_into_a_narrow_column(columns: int) -> None:
    details = (
        Path(__file__).parents[1] / "collect" / "data" / "cli-outputs" / "iam-get-account-authorization-details.json"
    )
    result = runner.invoke(app, ["scan", "--authorization-details", str(details)], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    section = result.output.split("Unknown: ", 1)[1]
    assert all(len(line.rstrip()) <= columns for line in section.splitlines())
    assert "evidence missing: iam:GetCredentialReport: NotCollected (not in an" in section  # the reason, not a strip
    assert ("Why" in section.splitlines()[1]) is (columns == 240)  # a table only where its rows fit
