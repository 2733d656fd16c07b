"""DuckDB and Spark (local mode, Debian's Java) run the same compiled rules and raise the same alerts, alert for
alert, on the Stratus Red Team corpus and on the demo trail (with the demo account's escalation rules)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from iamwarden.analysis.context import AnalysisContext
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
