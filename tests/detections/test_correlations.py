"""Sigma correlation rules (event count, value count, temporal, ordered temporal) and how they fold their rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from iamwarden.detections import detect, load_rules

USER = {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/mallory", "userName": "mallory"}


def ev(name: str, second: int, **extra: Any) -> dict[str, Any]:
    return {
        "eventTime": f"2026-11-01T10:{second // 60:02d}:{second % 60:02d}Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": name,
        "eventID": f"{name}-{second}",
        "userIdentity": USER,
        **extra,
    }


def rules_dir(tmp_path: Path, correlation: dict[str, Any], generate: bool = False) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    base = [
        {
            "title": n,
            "name": n,
            "logsource": {"product": "aws", "service": "cloudtrail"},
            "level": "low",
            "detection": {"sel": {"eventName": n}, "condition": "sel"},
        }
        for n in ("GetUser", "CreateUser", "AttachUserPolicy")
    ]
    corr = {"title": "corr", "name": "corr", "level": "high", "correlation": {**correlation, "generate": generate}}
    (folder / "r.yml").write_text(yaml.safe_dump_all([*base, corr]))
    return folder


def run(tmp_path: Path, correlation: dict[str, Any], events: list[dict[str, Any]], generate: bool = False) -> list[Any]:
    log = tmp_path / "trail.json"
    log.write_text(json.dumps(events))
    rules = load_rules([rules_dir(tmp_path, correlation, generate)], pack=False)
    assert rules.unsupported == []
    return detect([log], rules).alerts


def test_event_count_within_timespan(tmp_path: Path) -> None:
    corr = {
        "type": "event_count",
        "rules": ["GetUser"],
        "group-by": ["userIdentity.arn"],
        "timespan": "1m",
        "condition": {"gte": 3},
    }
    fired = run(tmp_path, corr, [ev("GetUser", s) for s in (0, 20, 40)])
    assert [(a.rule.name, a.count, a.kind) for a in fired] == [("corr", 3, "correlation")]


def test_event_count_spread_out_does_not_fire(tmp_path: Path) -> None:
    corr = {
        "type": "event_count",
        "rules": ["GetUser"],
        "group-by": ["userIdentity.arn"],
        "timespan": "1m",
        "condition": {"gte": 3},
    }
    assert run(tmp_path, corr, [ev("GetUser", s) for s in (0, 50, 120)]) == []


def test_value_count_counts_distinct_values(tmp_path: Path) -> None:
    corr = {
        "type": "value_count",
        "rules": ["GetUser"],
        "group-by": ["userIdentity.arn"],
        "timespan": "5m",
        "condition": {"gte": 2, "field": "requestParameters.userName"},
    }
    same = [ev("GetUser", s, requestParameters={"userName": "a"}) for s in (0, 1, 2)]
    assert run(tmp_path, corr, same) == []
    (tmp_path / "rules" / "r.yml").unlink()
    (tmp_path / "rules").rmdir()
    two = [*same, ev("GetUser", 3, requestParameters={"userName": "b"})]
    assert [a.count for a in run(tmp_path, corr, two)] == [4]


def test_temporal_ordered_needs_the_order(tmp_path: Path) -> None:
    corr = {
        "type": "temporal_ordered",
        "rules": ["CreateUser", "AttachUserPolicy"],
        "group-by": ["userIdentity.arn"],
        "timespan": "10m",
    }
    assert run(tmp_path, corr, [ev("AttachUserPolicy", 0), ev("CreateUser", 5)]) == []


def test_temporal_folds_its_rules_alerts(tmp_path: Path) -> None:
    corr = {
        "type": "temporal",
        "rules": ["CreateUser", "AttachUserPolicy"],
        "group-by": ["userIdentity.arn"],
        "timespan": "10m",
    }
    fired = run(tmp_path, corr, [ev("AttachUserPolicy", 0), ev("CreateUser", 5), ev("CreateUser", 3000)], generate=True)
    # the sequence is one alert; the CreateUser outside the timespan stays an alert of its own rule
    assert sorted((a.rule.name, a.count) for a in fired) == [("CreateUser", 1), ("corr", 2)]
    assert next(a for a in fired if a.rule.name == "CreateUser").event_ids == ("CreateUser-3000",)
