"""Every console table in one style, scan's (a header over one rule, no box): the scan history, a diff, the
organization's accounts, who-can and access; and no cell cut short with an ellipsis at 80 columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app
from tests.cli.test_demo_org import DEMO_ORG
from tests.store.contents import DEMO, demo_change_script

runner = CliRunner()
BOX = set("┏┓┗┛┃━┡┩╇┳┻│┌┐└┘├┤┬┴┼═║")
RULE = "─" * 20


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("history")
    changed = folder / "changed.json.gz"
    assert demo_change_script().main([str(DEMO), str(changed)]) == 0
    path = folder / "history.sqlite"
    for snapshot in (DEMO, changed):
        result = runner.invoke(app, ["scan", "-s", str(snapshot), "--record", "--db", str(path), "-q"])
        assert result.exit_code == 0, result.output
    return str(path)


def _output(args: list[str], columns: int = 80) -> str:
    result = runner.invoke(app, args, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


def _assert_scan_style(output: str) -> None:
    assert not BOX & set(output), output
    assert RULE in output, output
    assert "…" not in output, output


@pytest.mark.parametrize(
    "args",
    [
        ["history", "list"],
        ["history", "show", "444455556666@latest"],
        ["diff", "444455556666@previous", "444455556666@latest"],
    ],
)
def test_history_and_diff_tables(db: str, args: list[str]) -> None:
    _assert_scan_style(_output([*args, "--db", db]))


def test_who_can_and_access_tables() -> None:
    _assert_scan_style(_output(["who-can", "iam:PassRole", "--snapshot", str(DEMO)]))
    principal = "arn:aws:iam::444455556666:user/noah.smith"
    _assert_scan_style(_output(["access", "--snapshot", str(DEMO), "--principal", principal, "--service", "s3"]))


def test_organization_table_keeps_every_gap_whole(tmp_path: Path) -> None:
    output = _output(["scan", str(DEMO_ORG), "--output-dir", str(tmp_path), "--workers", "1"])
    _assert_scan_style(output)
    table = output.split("Accounts, worst first", 1)[1].split("Organization checks", 1)[0]
    assert "sts:AssumeRole" in table and "arn:aws:iam::123456789012:user/auditor" in "".join(table.split())


def test_access_and_who_can_name_the_accounts_arns_short() -> None:
    principal = "arn:aws:iam::444455556666:user/noah.smith"
    access = _output(["access", "--snapshot", str(DEMO), "--principal", principal, "--service", "s3"], 200)
    table = access.split("\n", 1)[1]
    assert "policy/web-deploy statement #1" in table and "arn:aws:iam::444455556666:" not in table
    assert "(ARNs of account 444455556666 named without arn:aws: and the account id)" in access.splitlines()[0]
    who_can = _output(["who-can", "iam:PassRole", "--snapshot", str(DEMO)], 200)
    assert "ARNs of account 444455556666 are named without arn:aws: and the account id." in who_can
    assert "user/svc-ci-legacy" in who_can and "arn:aws:iam::444455556666:" not in who_can
