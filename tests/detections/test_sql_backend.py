"""The pySigma SQL backend: each case of backend_cases.yaml (a detection, a record) run on DuckDB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest
import yaml
from sigma.collection import SigmaCollection
from sigma.rule import SigmaRule

from iamwarden.collect.cloudtrail_schema import duckdb_columns
from iamwarden.detections.sql_backend import CloudTrailSQLBackend

CASES = yaml.safe_load((Path(__file__).parent / "backend_cases.yaml").read_text())


def _rule(detection: dict[str, Any]) -> str:
    doc = {"title": "t", "logsource": {"product": "aws", "service": "cloudtrail"}, "detection": detection}
    return yaml.safe_dump(doc)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    rule = SigmaCollection.from_yaml(_rule(case["detection"])).rules[0]
    assert isinstance(rule, SigmaRule)
    (predicate,) = CloudTrailSQLBackend().convert_rule(rule)
    record = {"eventTime": "2026-01-01T00:00:00Z", "eventSource": "x.amazonaws.com", **case["record"]}
    path = tmp_path / "r.jsonl"
    path.write_bytes(orjson.dumps(record))
    con = duckdb.connect()
    row = con.execute(
        f"SELECT ({predicate}) FROM read_json(?, columns={duckdb_columns()}, format='newline_delimited')", [str(path)]
    ).fetchone()
    assert row is not None and bool(row[0]) is case["match"], predicate


def test_unknown_field_refused() -> None:
    rule = SigmaCollection.from_yaml(_rule({"sel": {"nosuch.field": "x"}, "condition": "sel"})).rules[0]
    assert isinstance(rule, SigmaRule)
    with pytest.raises(Exception, match="not in the CloudTrail record schema"):
        CloudTrailSQLBackend().convert_rule(rule)
