"""The conformance suite: AWS IAM User Guide rules as JSON case tables, each decided by the policy engine.

Every file in ``tests/policy/conformance/`` cites the documentation page its cases come from; every case states the
rule it tests, gives a request document (the ``simulate --request-file`` format) and the decision the page implies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamwarden.policy import evaluate_request_document

CONFORMANCE_DIR = Path(__file__).parent / "conformance"
DOC_PREFIXES = ("https://docs.aws.amazon.com/",)
DECISIONS = {"allowed", "explicit_deny", "implicit_deny"}


def _load_tables() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.stem, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(CONFORMANCE_DIR.glob("*.json"))
    ]


TABLES = _load_tables()
CASES = [pytest.param(case, id=f"{stem}/{case['id']}") for stem, table in TABLES for case in table["cases"]]


@pytest.mark.parametrize("case", CASES)
def test_case(case: dict[str, Any]) -> None:
    decision = evaluate_request_document(case["input"])
    expect = case["expect"]
    reasons = "; ".join(f"{r.policy_type} {r.policy} {r.statement} {r.effect}: {r.detail}" for r in decision.reasons)
    assert decision.decision == expect["decision"], f"{case['description']} -- engine said: {reasons}"
    assert decision.allowed == (expect["decision"] == "allowed")
    missing = set(expect.get("missing_context_keys", []))
    assert missing <= set(decision.missing_context_keys), (
        f"{case['description']} -- missing keys reported: {sorted(decision.missing_context_keys)}"
    )
    if "errors" in expect:  # the problems the decision met (Decision.errors), counted
        assert len(decision.errors) == expect["errors"], [e.describe() for e in decision.errors]


def test_suite_size_and_shape() -> None:
    ids = [f"{stem}/{case['id']}" for stem, table in TABLES for case in table["cases"]]
    assert len(ids) >= 300
    assert len(ids) == len(set(ids))
    for stem, table in TABLES:
        assert str(table.get("source", "")).startswith(DOC_PREFIXES), f"{stem}: no documentation URL in source"
        assert table.get("title"), stem
        local_ids = [case["id"] for case in table["cases"]]
        assert len(local_ids) == len(set(local_ids)), stem
        for case in table["cases"]:
            assert case["description"], f"{stem}/{case['id']}"
            assert case["expect"]["decision"] in DECISIONS, f"{stem}/{case['id']}"
