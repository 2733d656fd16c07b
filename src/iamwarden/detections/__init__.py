"""Detections over CloudTrail: Sigma rules (ours and the user's) run by an engine, alerts that know the account.

Public API: :func:`detect` runs a rule set over log files and returns a :class:`Detection` (the alerts, what was read,
which rules could not be used and why). :mod:`~iamwarden.detections.rules` loads and compiles rules with pySigma,
:mod:`~iamwarden.detections.duckdb_engine` runs them (the default engine), :mod:`~iamwarden.detections.alerts` turns
the matched records into alerts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from iamwarden.collect.cloudtrail import ReadReport, TrailFilter
from iamwarden.detections.alerts import QUOTED, Alert, build_alerts
from iamwarden.detections.context import PrincipalFacts, with_context
from iamwarden.detections.hits import Hits
from iamwarden.detections.rules import RuleSet, load_rules
from iamwarden.errors import InputError, Problem

__all__ = ["ENGINES", "Alert", "Detection", "RuleSet", "detect", "load_rules"]

ENGINES = ("duckdb", "spark")


@dataclass
class Detection:
    alerts: list[Alert]
    report: ReadReport
    rules: RuleSet
    engine: str = "duckdb"
    notes: list[str] = field(default_factory=list)


def open_engine(rules: RuleSet, engine: str = "duckdb", spark_master: str | None = None) -> Hits:
    if engine == "duckdb":
        from iamwarden.detections.duckdb_engine import DuckDBHits

        return DuckDBHits(rules.rules)
    if engine == "spark":
        try:
            from iamwarden.detections.spark_engine import SparkHits

            return SparkHits(rules.rules, spark_master)
        except ImportError:
            raise InputError(
                "command line", Problem("--engine", "spark needs PySpark (pip install 'iamwarden[spark]') and Java")
            ) from None
    raise ValueError(f"unknown engine {engine!r} (one of: {', '.join(ENGINES)})")


def detect(
    files: Iterable[Path],
    rules: RuleSet,
    where: TrailFilter | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
    progress: Callable[[int], None] | None = None,
    quoted: int = QUOTED,
    facts: Mapping[str, PrincipalFacts] | None = None,
) -> Detection:
    """Run ``rules`` over the CloudTrail ``files``; bad input is counted in the result's report, never raised.

    With ``facts`` (:func:`iamwarden.detections.context.account_facts`), every alert is joined with who its principal
    is and its severity raised or lowered (:func:`iamwarden.detections.context.with_context`)."""
    hits = open_engine(rules, engine, spark_master)
    try:
        report = hits.scan(files, where, progress=progress)  # type: ignore[attr-defined]
        alerts = build_alerts(hits, rules, quoted)
    finally:
        hits.close()
    if facts is not None:
        alerts = with_context(alerts, facts)
    return Detection(alerts, report, rules, engine)
