"""``iamwarden scan`` report formats from the command line: what ``make demo`` writes, one format to a file, several
to a folder, and bad destinations."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app

DEMO = Path(__file__).resolve().parents[2] / "demo" / "demo-account.json.gz"
SARIF_SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())
WIDE = {"COLUMNS": "200", "AWS_REGION": "us-east-1"}
runner = CliRunner()
ALL_FILES = [
    "findings.asff.json",
    "findings.csv",
    "findings.json",
    "findings.ocsf.json",
    "findings.sarif",
    "inventory.json",
    "report.html",
]


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """What ``make demo`` runs: ``scan --snapshot demo/demo-account.json.gz --output-dir demo-output``."""
    out = tmp_path_factory.mktemp("demo") / "demo-output"
    result = runner.invoke(app, ["scan", "--snapshot", str(DEMO), "--output-dir", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    return out, result.output


def test_output_dir_alone_writes_every_format(demo_output: tuple[Path, str]) -> None:
    out, text = demo_output
    assert sorted(p.name for p in out.iterdir()) == sorted([*ALL_FILES, "account.txt", "policies"])  # SARIF's sources
    assert "IAM best practices scorecard" in text  # and the console
    assert f"wrote {len(ALL_FILES)} files to {out}/: " in text
    for name in ALL_FILES:
        assert name in text.split(f"{out}/: ")[1]


def test_every_format_holds_the_same_results(demo_output: tuple[Path, str]) -> None:
    out, _ = demo_output
    findings = orjson.loads((out / "findings.json").read_bytes())["findings"]
    ids = [f["id"] for f in findings]
    failed = [f["id"] for f in findings if f["status"] == "fail"]
    ocsf = orjson.loads((out / "findings.ocsf.json").read_bytes())
    assert [e["finding_info"]["uid"] for e in ocsf] == ids
    asff = orjson.loads((out / "findings.asff.json").read_bytes())
    assert [a["ProductFields"]["iamwarden/FindingId"] for a in asff] == ids
    assert {a["ProductArn"].split(":")[3] for a in asff} == {"us-east-1"}
    rows = list(csv.DictReader(io.StringIO((out / "findings.csv").read_text(encoding="utf-8-sig"), newline="")))
    assert [r["id"] for r in rows] == ids
    sarif = orjson.loads((out / "findings.sarif").read_bytes())
    results = sarif["runs"][0]["results"]
    assert [r["partialFingerprints"]["iamwardenFindingId/v1"] for r in results] == failed
    assert "AKIAIOSFODNN7EXAMPLE" not in (out / "findings.csv").read_text(encoding="utf-8-sig")


def test_demo_sarif_validates_and_every_result_has_a_physical_location(demo_output: tuple[Path, str]) -> None:
    out, _ = demo_output
    sarif: dict[str, Any] = orjson.loads((out / "findings.sarif").read_bytes())
    errors = [e.message for e in jsonschema.Draft4Validator(SARIF_SCHEMA).iter_errors(sarif)]
    assert errors == []
    results = sarif["runs"][0]["results"]
    assert len(results) > 50
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    # GitHub code scanning refuses results without one: a line of a text file written beside the report
    assert {u.rsplit("/", 1)[-1] for u in uris} >= {"account.txt", "admin-with-mfa.json"}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results)


def test_one_format_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "scan.sarif"
    result = runner.invoke(app, ["scan", "-s", str(DEMO), "--format", "sarif", "-o", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "scorecard" not in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["scan.sarif"]
    assert orjson.loads(out.read_bytes())["version"] == "2.1.0"


def test_several_formats_to_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = runner.invoke(app, ["scan", "-s", str(DEMO), "-f", "console,csv,ocsf", "-o", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "scorecard" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "findings.ocsf.json"]


def test_several_formats_to_an_existing_file_exit_2(tmp_path: Path) -> None:
    existing = tmp_path / "report.json"
    existing.write_text("{}")
    result = runner.invoke(app, ["scan", "-s", str(DEMO), "-f", "json,asff", "-o", str(existing)], env=WIDE)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(existing) in lines[0] and "need a folder" in lines[0]
    assert existing.read_text() == "{}"


def test_help_lists_the_formats() -> None:
    result = runner.invoke(app, ["scan", "--help"], env=WIDE)
    for name in ("html", "sarif", "ocsf", "asff", "csv"):
        assert name in result.output
