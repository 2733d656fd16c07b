"""``iamwarden detect`` end to end: formats (JSON Lines, CSV, OCSF Detection Finding), --fail-on, bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app
from tests.corpora import STRATUS

pytestmark = pytest.mark.skipif(not STRATUS.is_dir(), reason="Stratus Red Team corpus not present")
runner = CliRunner()
ADMIN = STRATUS / "aws.persistence.iam-create-admin-user.json"

# OCSF schema (github.com/ocsf/ocsf-schema): base_event.json (activity_id, category_uid, class_uid, type_uid,
# severity_id, time, metadata required), findings/finding.json + detection_finding.json (finding_info required),
# objects/metadata.json (product, version), objects/product.json (vendor_name), objects/finding_info.json (uid,
# title), objects/analytic.json (type_id required), objects/cloud.json (provider).
REQUIRED: list[tuple[str, str, type]] = [
    ("", "activity_id", int),
    ("", "category_uid", int),
    ("", "class_uid", int),
    ("", "type_uid", int),
    ("", "severity_id", int),
    ("", "time", int),
    ("", "metadata", dict),
    ("", "finding_info", dict),
    ("metadata", "version", str),
    ("metadata.product", "vendor_name", str),
    ("finding_info", "uid", str),
    ("finding_info", "title", str),
    ("finding_info.analytic", "type_id", int),
    ("cloud", "provider", str),
]
ENUMS: list[tuple[str, str, set[Any]]] = [
    ("", "activity_id", {0, 1, 2, 3, 99}),
    ("", "category_uid", {2}),
    ("", "class_uid", {2004}),
    ("", "type_uid", {200400, 200401, 200402, 200403, 200499}),
    ("", "severity_id", {0, 1, 2, 3, 4, 5, 6, 99}),
    ("", "status_id", {0, 1, 2, 3, 4, 5, 6, 99}),
    ("finding_info.analytic", "type_id", {0, 1, 2, 3, 4, 5, 6, 99}),
]


def _get(event: dict[str, Any], path: str) -> Any:
    for key in filter(None, path.split(".")):
        event = event[key]
    return event


def test_console_summary_first() -> None:
    result = runner.invoke(app, ["detect", str(STRATUS)])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("48 alerts (") and "from 310 records in 35 files" in first


def test_jsonl_csv_ocsf(tmp_path: Path) -> None:
    result = runner.invoke(app, ["detect", str(ADMIN), "-f", "jsonl,csv,ocsf", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    alerts = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    sequence = next(a for a in alerts if a["kind"] == "correlation")
    assert sequence["rule"]["technique"] == "aws.persistence.iam-create-admin-user"
    assert sequence["count"] == 3 and len(sequence["events"]) == 3
    assert sequence["rule"]["attack"] == ["T1136.003"]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "alerts.csv").read_text())))
    assert {r["id"] for r in rows} == {a["id"] for a in alerts}
    events = orjson.loads((tmp_path / "alerts.ocsf.json").read_bytes())
    assert len(events) == len(alerts)
    for event in events:
        for path, name, kind in REQUIRED:
            assert isinstance(_get(event, path)[name], kind), (path, name)
        for path, name, allowed in ENUMS:
            assert _get(event, path)[name] in allowed, (path, name)


def test_fail_on() -> None:
    assert runner.invoke(app, ["detect", str(ADMIN), "--fail-on", "high", "-q"]).exit_code == 1
    assert runner.invoke(app, ["detect", str(ADMIN), "--fail-on", "critical", "-q"]).exit_code == 0
    bad = runner.invoke(app, ["detect", str(ADMIN), "--fail-on", "severe"])
    assert bad.exit_code == 2 and "--fail-on" in bad.output


def test_nothing_readable_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{not json")
    result = runner.invoke(app, ["detect", str(tmp_path / "a.json")])
    assert result.exit_code == 2
    assert "a.json" in result.output and "Traceback" not in result.output


def test_partly_bad_input_is_counted(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text("{not json\n")
    (tmp_path / "good.json").write_bytes(ADMIN.read_bytes())
    result = runner.invoke(app, ["detect", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 skipped" in result.output.splitlines()[0]
    assert "bad.jsonl: line 1: line that is not JSON" in result.output


def test_severity_lists_the_worst_and_counts_every_alert() -> None:
    everything = runner.invoke(app, ["detect", str(STRATUS), "--show", "all"])
    high = runner.invoke(app, ["detect", str(STRATUS), "--show", "all", "--severity", "high"])
    assert everything.exit_code == high.exit_code == 0, high.output
    first = everything.output.splitlines()[0]
    assert first == high.output.splitlines()[0] and "6 info" in first and "informational" not in everything.output
    listed = [line.split()[2] for line in high.output.splitlines() if line.startswith("  20")]
    assert listed and set(listed) <= {"critical", "high"}
    below = len([line for line in everything.output.splitlines() if line.startswith("  20")]) - len(listed)
    assert f"  {below} alerts below --severity high not listed" in high.output
    bad = runner.invoke(app, ["detect", str(ADMIN), "--severity", "severe"])
    assert bad.exit_code == 2 and "--severity: unknown severity 'severe' (known: info, low," in bad.output


def test_info_is_the_word_in_files_and_informational_still_a_flag_value(tmp_path: Path) -> None:
    result = runner.invoke(app, ["detect", str(STRATUS), "-f", "jsonl,csv", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    alerts = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert {a["severity"] for a in alerts} == {"high", "medium", "low", "info"}
    assert any(a["rule"]["level"] == "informational" for a in alerts)  # the rule's Sigma level, as written
    assert "informational" not in {
        r["severity"] for r in csv.DictReader(io.StringIO((tmp_path / "alerts.csv").read_text()))
    }
    assert runner.invoke(app, ["detect", str(ADMIN), "--fail-on", "informational", "-q"]).exit_code == 1
