"""The engines' shared SQL: testing a rule only on records of its event names changes no record's list of rules."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from iamwarden.analysis.context import AnalysisContext
from iamwarden.collect.cloudtrail import BATCH_TABLE, TrailReader
from iamwarden.collect.snapshot import read_snapshot
from iamwarden.detections import load_rules
from iamwarden.detections.context import escalation_rules
from iamwarden.detections.hits import matches_sql
from iamwarden.model import build_account
from tests.corpora import SIGMA, STRATUS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not STRATUS.is_dir() or not SIGMA.is_dir(), reason="shared corpora not present")
def test_rules_skipped_by_event_name_would_not_have_matched() -> None:
    context = AnalysisContext(build_account(read_snapshot(ROOT / "demo" / "demo-account.json.gz")))
    rules = load_rules([SIGMA], generated=[("escalation rules", escalation_rules(context))]).rules
    assert sum(r.event_names is not None for r in rules) > len(rules) // 2
    gated, every = (matches_sql(rules, "duckdb", by_event_name=b) for b in (True, False))
    assert gated != every
    con = duckdb.connect()
    reader = TrailReader(con, keep_sql=f"SELECT {gated} AS _g, {every} AS _e, * FROM ({{records}})")
    records = matched = 0
    for _ in reader.batches([*sorted(STRATUS.glob("*.json")), ROOT / "demo" / "demo-trail.json"]):
        differ = con.execute(f"SELECT count(*) FROM {BATCH_TABLE} WHERE _g IS DISTINCT FROM _e").fetchone()
        assert differ == (0,)
        counts = con.execute(f"SELECT count(*), count(*) FILTER (WHERE len(_e) > 0) FROM {BATCH_TABLE}").fetchone()
        assert counts is not None
        records, matched = records + counts[0], matched + counts[1]
    assert records >= 300 and matched >= 100  # 320 records, 144 matched by some rule
