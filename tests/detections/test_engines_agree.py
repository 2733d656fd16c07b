"""DuckDB and Spark (local mode, Debian's Java) run the same compiled rules and raise the same alerts, alert for
alert, on the Stratus Red Team corpus and on the demo trail (with the demo account's escalation rules)."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest

from iamwarden.analysis.context import AnalysisContext
from iamwarden.collect.cloudtrail import TRUNCATED, log_files
from iamwarden.collect.snapshot import read_snapshot
from iamwarden.detections import RuleSet, detect, load_rules
from iamwarden.detections.context import account_facts, escalation_rules
from iamwarden.model import build_account
from iamwarden.report.detect_outputs import alert_json
from tests.corpora import STRATUS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@cache
def demo() -> tuple[RuleSet, Any]:
    context = AnalysisContext(build_account(read_snapshot(ROOT / "demo" / "demo-account.json.gz")))
    rules = load_rules(generated=[("escalation rules", escalation_rules(context))])
    return rules, account_facts(context)


def _alerts(files: list[Path], rules: RuleSet, engine: str, facts: Any = None) -> list[dict[str, Any]]:
    result = detect(files, rules, engine=engine, facts=facts)
    assert result.report.problems == {}
    return sorted((alert_json(a) for a in result.alerts), key=lambda a: (a["id"], a["rule"]["id"]))


@pytest.mark.skipif(not STRATUS.is_dir(), reason="Stratus Red Team corpus not present")
def test_stratus_corpus() -> None:
    files = sorted(STRATUS.glob("*.json"))
    rules = load_rules()
    duck = _alerts(files, rules, "duckdb")
    assert len(duck) > 35
    assert _alerts(files, rules, "spark") == duck


def test_demo_trail() -> None:
    rules, facts = demo()
    files = [ROOT / "demo" / "demo-trail.json"]
    duck = _alerts(files, rules, "duckdb", facts)
    assert any(a["kind"] == "escalation" for a in duck)
    assert _alerts(files, rules, "spark", facts) == duck


def test_bad_input_is_counted_alike(tmp_path: Path) -> None:
    """A gzip file cut short, a line that is not JSON, records without their name or a date: both engines count each
    per file and reason, read the rest, and raise the same alerts (Spark skips the rest of a corrupt file instead of
    failing the whole job)."""
    trail = orjson.loads((ROOT / "demo" / "demo-trail.json").read_bytes())
    records = trail["Records"] if isinstance(trail, dict) else trail
    (tmp_path / "bad.jsonl").write_text('{not json\n{"eventName": "GetUser"}\n')
    (tmp_path / "good.json").write_bytes(orjson.dumps({"Records": records}))
    nameless = {k: v for k, v in records[0].items() if k != "eventName"}
    (tmp_path / "nameless.json").write_bytes(orjson.dumps({"Records": [nameless, records[1]]}))
    undated = {**records[2], "eventTime": "yesterday"}  # Spark's ANSI cast failed the whole job on it
    (tmp_path / "undated.json").write_bytes(orjson.dumps({"Records": [undated, records[3]]}))
    whole = gzip.compress(orjson.dumps({"Records": records}))
    (tmp_path / "cut.json.gz").write_bytes(whole[: len(whole) // 2])
    lines = gzip.compress(b"\n".join(orjson.dumps(r) for r in records))
    (tmp_path / "cut.jsonl.gz").write_bytes(lines[: len(lines) * 3 // 4])
    files = log_files(tmp_path)
    results = {engine: detect(files, load_rules(), engine=engine) for engine in ("duckdb", "spark")}
    duck, spark = (results[e].report for e in ("duckdb", "spark"))
    assert duck.problems[(str(tmp_path / "cut.json.gz"), TRUNCATED)] == 1
    assert duck.problems[(str(tmp_path / "bad.jsonl"), "line that is not JSON")] == 1
    assert duck.problems[(str(tmp_path / "undated.json"), "record whose eventTime is not a date and time")] == 1
    assert spark.problems == duck.problems
    assert (spark.records, spark.files_read) == (duck.records, duck.files_read)
    assert [alert_json(a) for a in results["spark"].alerts] == [alert_json(a) for a in results["duckdb"].alerts]
