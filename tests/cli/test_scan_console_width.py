"""scan's console summary at 80 and 120 columns (``COLUMNS``): no line wider than the terminal, check ids never
wrapped, every example resource whole; one line per failing check when it fits, the example under its check when not."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from iamwarden.checks.registry import CHECKS
from iamwarden.cli.app import app
from tests.cli.test_paths_cmd import DEMO

runner = CliRunner()
IDS = {c.id for c in CHECKS}


def _failing_checks(output: str) -> list[str]:
    """The lines of the failing-checks table (between its title and the next blank line), header and rule dropped."""
    section = output.split("Failing checks: ", 1)[1].split("\n\n", 1)[0]
    return section.splitlines()[3:]


@pytest.mark.parametrize("columns", [80, 120])
def test_failing_checks_table_fits_and_keeps_ids_whole(columns: int) -> None:
    result = runner.invoke(app, ["scan", "--snapshot", str(DEMO)], env={"COLUMNS": str(columns)})
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
