"""SARIF of an account scan with --output-dir: every result points at a line of a text file written beside it (a
judged policy document, or account.txt), within GitHub code scanning's upload limits."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app

DEMO = Path(__file__).parents[2] / "demo" / "demo-account.json.gz"


def test_every_result_lands_on_a_line_of_a_text_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # GitHub resolves relative URIs against the repository root: the working folder here
    result = CliRunner().invoke(app, ["scan", "-s", str(DEMO), "-d", "out", "-f", "sarif", "-q"])
    assert result.exit_code == 0, result.output
    sarif_file = tmp_path / "out" / "findings.sarif"
    log = json.loads(sarif_file.read_text())
    [run] = log["runs"]
    results = run["results"]
    assert results
    on_policies = 0
    for r in results:
        [location] = r["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert not uri.startswith(("file:", "/")), uri  # relative to the repository
        assert uri.endswith((".json", ".txt")), uri
        lines = (tmp_path / uri).read_text().splitlines()  # a text file that exists
        line = physical["region"]["startLine"]
        assert 1 <= line <= len(lines)
        if "/policies/" in f"/{uri}":
            on_policies += 1
            if line > 1:
                assert lines[line - 1] == "    {" or '"Statement"' in lines[line - 1]  # a statement starts there
        else:
            resource = r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            assert resource in lines[line - 1] or line == 1
    assert on_policies >= 5
    # GitHub code scanning's upload limits (docs.github.com: SARIF support for code scanning)
    assert len(gzip.compress(sarif_file.read_bytes())) < 10 * 1024 * 1024
    assert len(results) <= 25_000 and len(run["tool"]["driver"]["rules"]) <= 25_000
    assert all(len(rule.get("properties", {}).get("tags", [])) <= 20 for rule in run["tool"]["driver"]["rules"])
    assert all(len(r["locations"]) <= 1_000 for r in results)
    assert log["version"] == "2.1.0" and "sarif-schema-2.1.0" in log["$schema"]


def test_an_inline_policy_statement_line() -> None:
    from iamwarden.report.sarif_sources import _statement_lines

    text = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}, {"Effect": "Deny"}]}, indent=2)
    assert _statement_lines(text) == {0: 4, 1: 7}
    single = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow"}}, indent=2)
    assert _statement_lines(single) == {0: 3}
