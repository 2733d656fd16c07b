"""``iamwarden scan PATH``: the input's kind is told from what it holds."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app
from iamwarden.cli.inputs import input_kind
from iamwarden.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo-account.json.gz"
CLI_OUTPUTS = ROOT / "tests" / "collect" / "data" / "cli-outputs"
AUTH_DETAILS = CLI_OUTPUTS / "iam-get-account-authorization-details.json"
runner = CliRunner()


def test_kinds(tmp_path: Path) -> None:
    plain = tmp_path / "demo.json"
    plain.write_bytes(gzip.decompress(DEMO.read_bytes()))
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "org.json").write_text("{}")
    assert input_kind(DEMO) == "snapshot"
    assert input_kind(plain) == "snapshot"
    assert input_kind(AUTH_DETAILS) == "authorization-details"
    assert input_kind(CLI_OUTPUTS) == "import-dir"
    assert input_kind(bundle) == "org-bundle"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"a": 1}', "cannot tell what this file is"),
        ("[1, 2]", "cannot tell what this file is"),
        ("not json", "invalid JSON"),
    ],
)
def test_unknown_file_is_one_line_exit_2(tmp_path: Path, content: str, message: str) -> None:
    odd = tmp_path / "odd.json"
    odd.write_text(content)
    result = runner.invoke(app, ["scan", str(odd)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {odd}: ") and message in lines[0]


def test_org_json_itself_is_refused(tmp_path: Path) -> None:
    (tmp_path / "org.json").write_text("{}")
    with pytest.raises(InputError, match="give the bundle's folder"):
        input_kind(tmp_path / "org.json")


@pytest.mark.parametrize("path", [DEMO, AUTH_DETAILS, CLI_OUTPUTS])
def test_scan_path_reads_each_account_kind(path: Path) -> None:
    result = runner.invoke(app, ["scan", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "failures" in result.output


def test_path_and_option_together_is_a_usage_error() -> None:
    result = runner.invoke(app, ["scan", str(DEMO), "--snapshot", str(DEMO)])
    assert result.exit_code == 2
    assert "give exactly one of PATH, --snapshot" in result.output and "PATH and --snapshot" in result.output
