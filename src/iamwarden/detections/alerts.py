"""Alerts, built from what an engine matched: one per (rule, principal), one per correlation that fired.

A single-event rule raises one alert per principal it matched (counting the events, quoting the first
:data:`QUOTED`); a correlation rule raises one alert per group (its ``group-by`` values) whose events within the
timespan meet its condition, quoting those events. A correlation *folds* the alerts of its own rules: an event it
quotes is no longer counted in the alert of the rule that matched it (that alert disappears if nothing is left), so a
sequence reads as one alert naming what happened, not as its parts again.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from iamwarden.collect.cloudtrail import principal_of
from iamwarden.detections.hits import Hits, Identity
from iamwarden.detections.rules import LEVELS, CompiledCorrelation, RuleInfo, RuleSet

QUOTED = 20
"""Events quoted in an alert (all are counted)."""


@dataclass(frozen=True, slots=True)
class Alert:
    rule: RuleInfo
    principal: str
    first: datetime
    last: datetime
    count: int
    event_ids: tuple[str, ...]
    events: tuple[dict[str, Any], ...]
    """Up to :data:`QUOTED` of the records, as read."""
    kind: str = "event"
    """``event`` (one rule), ``correlation``, ``escalation`` (a predicted escalation path walked)."""
    severity: str = ""
    """The rule's level, raised or lowered by what the principal is (``reasons`` say why)."""
    reasons: tuple[str, ...] = ()
    group: tuple[tuple[str, str], ...] = ()
    """A correlation's group-by values."""
    context: dict[str, Any] = field(default_factory=dict)
    """Who the principal is, from --snapshot."""

    @property
    def id(self) -> str:
        """Stable across runs over the same records."""
        key = "\0".join((self.rule.id, self.principal, self.event_ids[0] if self.event_ids else ""))
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    @property
    def rank(self) -> int:
        return LEVELS.index(self.severity or self.rule.level)


def _principal(identity: Identity) -> str:
    kind, arn, issuer = identity
    return principal_of(kind, arn, issuer) or arn or kind or "unknown"


def build_alerts(hits: Hits, rules: RuleSet, quoted: int = QUOTED) -> list[Alert]:
    """Every alert of a scan, folded, sorted by time."""
    info = {r.info.id: r for r in rules.rules}
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for group in hits.groups():
        key = (group.rule_id, _principal(group.identity))
        entry = merged.setdefault(key, {"count": 0, "first": group.first, "last": group.last, "ids": []})
        entry["count"] += group.count
        entry["first"] = min(entry["first"], group.first)
        entry["last"] = max(entry["last"], group.last)
        entry["ids"].extend(group.event_ids)
    samples: dict[tuple[str, str], list[tuple[datetime, str, dict[str, Any]]]] = defaultdict(list)
    for row in hits.samples(quoted):
        samples[(row.rule_id, _principal(row.identity))].append(
            (row.time, str(row.record.get("eventID", "")), row.record)
        )
    by_event: dict[str, dict[str, Any]] = {}
    for rows in samples.values():
        for _, event_id, record in rows:
            by_event[event_id] = record
    correlations = [a for c in rules.correlations for a in _correlate(hits, c, by_event, quoted)]
    folded: dict[str, set[str]] = defaultdict(set)
    for alert in correlations:
        correlation = next(c for c in rules.correlations if c.info.id == alert.rule.id)
        for rule_id in correlation.rules:
            folded[rule_id].update(alert.event_ids)
    alerts: list[Alert] = []
    for (rule_id, principal), entry in merged.items():
        if not info[rule_id].generate:
            continue
        ids = list(dict.fromkeys(entry["ids"]))  # distinct, in the order first seen
        left = [i for i in ids if i not in folded[rule_id]]
        if not left:
            continue
        rows = sorted(s for s in samples[(rule_id, principal)] if s[1] not in folded[rule_id])
        alerts.append(
            Alert(
                rule=info[rule_id].info,
                principal=principal,
                first=rows[0][0] if rows else entry["first"],
                last=entry["last"],
                count=len(left) if len(left) < len(ids) else entry["count"],
                event_ids=tuple(left),
                events=tuple(r[2] for r in rows[:quoted]),
                severity=info[rule_id].info.level,
            )
        )
    alerts.extend(correlations)
    alerts.extend(first_seen_alerts(hits.first_seen()))
    return sorted(alerts, key=lambda a: (a.first, a.principal, a.rule.id))


BASELINE = timedelta(hours=24)
"""First-seen behaviour: how long a principal must have been seen in the logs before something new of it is news."""


def _first_seen_rule(kind: str, title: str, level: str, why: str, fp: str) -> RuleInfo:
    return RuleInfo(
        id=f"iamwarden-first-seen-{kind.replace(' ', '-').lower()}",
        name=f"first_seen_{kind.replace(' ', '_').lower()}",
        title=title,
        level=level,
        author="iamwarden developers",
        license="Apache-2.0",
        source="iamwarden.detections.alerts (first-seen behaviour)",
        description=why,
        falsepositives=(fp,),
        category="first-seen",
    )


FIRST_SEEN_RULES = {
    "IAM write": _first_seen_rule(
        "IAM write",
        "First IAM write by this principal in the logs read",
        "medium",
        "A principal seen for at least a day, and never changing IAM, made its first successful IAM write.",
        "A new task given to an existing automation or person",
    ),
    "region": _first_seen_rule(
        "region",
        "First call of this principal in a new region",
        "low",
        "A principal seen for at least a day made its first successful call in a region it had not used.",
        "A workload deployed to a new region",
    ),
    "access key": _first_seen_rule(
        "access key",
        "First use of an access key by this principal",
        "low",
        "A principal seen for at least a day used a long-term access key (AKIA...) not seen before: a new or "
        "another copy of its credentials.",
        "Key rotation",
    ),
}


def first_seen_alerts(rows: Sequence[tuple[str, Identity, str, datetime, str]]) -> list[Alert]:
    """A principal's first IAM write, first new region, first new access key, at least :data:`BASELINE` after it was
    first seen in the logs read (before that, everything it does is first)."""
    start: dict[str, datetime] = {}
    firsts: dict[tuple[str, str, str], tuple[datetime, str]] = {}
    for kind, identity, value, when, event_id in rows:
        principal = _principal(identity)
        if kind == "any":
            start[principal] = min(start.get(principal, when), when)
            continue
        key = (kind, principal, value)
        if key not in firsts or (when, event_id) < firsts[key]:
            firsts[key] = (when, event_id)
    out: list[Alert] = []
    for (kind, principal, value), (when, event_id) in sorted(firsts.items()):
        if principal in start and when - start[principal] >= BASELINE:
            rule = FIRST_SEEN_RULES[kind]
            out.append(
                Alert(
                    rule=rule,
                    principal=principal,
                    first=when,
                    last=when,
                    count=1,
                    event_ids=(event_id,),
                    events=(),
                    kind="first-seen",
                    severity=rule.level,
                    group=((kind, value),),
                )
            )
    return out


_OPS = {
    "gte": lambda n, c: n >= c,
    "gt": lambda n, c: n > c,
    "lte": lambda n, c: n <= c,
    "lt": lambda n, c: n < c,
    "eq": lambda n, c: n == c,
    "neq": lambda n, c: n != c,
}


def _correlate(
    hits: Hits, correlation: CompiledCorrelation, by_event: dict[str, dict[str, Any]], quoted: int
) -> list[Alert]:
    """The alerts of one correlation rule (evaluated the same way whatever engine matched the events)."""
    dialect_exprs = correlation.group_sql.get("duckdb", {})
    value_exprs = correlation.value_field_sql.get("duckdb", {})
    exprs = {
        rule_id: dialect_exprs.get(rule_id, ()) + ((value_exprs[rule_id],) if rule_id in value_exprs else ())
        for rule_id in correlation.rules
    }
    exprs = _dialect_exprs(hits, correlation, exprs)
    groups: dict[tuple[Any, ...], list[tuple[datetime, str, str, str, Any]]] = defaultdict(list)
    width = len(correlation.group_by)
    least = _least(correlation)
    for row in hits.correlation_rows(correlation.rules, exprs, width, least):
        rule_id, time, event_id, kind, arn, issuer, *values = row
        key = tuple(values[:width])
        if width and any(v is None for v in key):
            continue  # Sigma: a group-by field missing from an event leaves it out
        value = values[width] if correlation.type == "value_count" else None
        groups[key].append((time, event_id, rule_id, _principal((kind, arn, issuer)), value))
    out: list[Alert] = []
    for key, events in sorted(groups.items(), key=lambda kv: str(kv[0])):
        if _cannot_fire(correlation, events, least):
            continue
        events.sort(key=lambda e: (e[0], e[1]))
        fired = _fire(correlation, events)
        if not fired:
            continue
        principals = list(dict.fromkeys(e[3] for e in fired))
        ids = tuple(dict.fromkeys(e[1] for e in fired))
        out.append(
            Alert(
                rule=correlation.info,
                principal=principals[0] if len(principals) == 1 else ", ".join(principals),
                first=fired[0][0],
                last=fired[-1][0],
                count=len(ids),
                event_ids=ids,
                events=tuple(by_event[i] for i in ids[:quoted] if i in by_event),
                kind="escalation" if correlation.info.pathfinding else "correlation",
                severity=correlation.info.level,
                group=tuple((name, str(v)) for name, v in zip(correlation.group_by, key, strict=True)),
            )
        )
    return out


def _dialect_exprs(
    hits: Hits, correlation: CompiledCorrelation, exprs: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    dialect = getattr(hits, "dialect", "duckdb")
    if dialect == "duckdb":
        return exprs
    group = correlation.group_sql.get(dialect, {})
    value = correlation.value_field_sql.get(dialect, {})
    return {r: group.get(r, ()) + ((value[r],) if r in value else ()) for r in correlation.rules}


def _least(correlation: CompiledCorrelation) -> tuple[int, int]:
    """The fewest events, and distinct rules, a group needs for some window of it to meet the condition, whatever
    the times: a window holds at most the group's events (so counts, and distinct values, ``>=``/``>`` a threshold
    need that many events), and a temporal rule needs every rule's event in one window."""
    if correlation.type in ("temporal", "temporal_ordered"):
        return len(set(correlation.rules)), len(set(correlation.rules))
    if correlation.op == "gte":
        return max(1, math.ceil(correlation.count)), 1
    if correlation.op == "gt":
        return max(1, math.floor(correlation.count) + 1), 1
    return 1, 1


def _cannot_fire(
    correlation: CompiledCorrelation, events: Sequence[tuple[datetime, str, str, str, Any]], least: tuple[int, int]
) -> bool:
    """Whether no window of the group can meet the condition (``least``: :func:`_least`; a temporal rule needs each
    of its rules, not only as many). Most groups (one caller's single event) end here, before any sort; the engine
    does not even fetch the rows of groups with fewer events than ``least`` asks."""
    if correlation.type in ("temporal", "temporal_ordered"):
        return not {e[2] for e in events} >= set(correlation.rules)
    return len(events) < least[0]


def _fire(correlation: CompiledCorrelation, events: Sequence[tuple[datetime, str, str, str, Any]]) -> list[Any]:
    """The events of every window (``timespan`` ending at an event) meeting the condition, in time order."""
    test = _OPS[correlation.op]
    fired: dict[str, Any] = {}
    span = correlation.timespan
    start = 0
    for end in range(len(events)):
        while (events[end][0] - events[start][0]).total_seconds() > span:
            start += 1
        window = events[start : end + 1]
        if _window_fires(correlation, window, test):
            for e in window:
                fired.setdefault(e[1], e)
    return sorted(fired.values(), key=lambda e: (e[0], e[1]))


def _window_fires(correlation: CompiledCorrelation, window: Sequence[Any], test: Any) -> bool:
    if correlation.type == "event_count":
        return bool(test(len(window), correlation.count))
    if correlation.type == "value_count":
        return bool(test(len({e[4] for e in window if e[4] is not None}), correlation.count))
    if correlation.type == "temporal":  # every rule within the timespan
        return {e[2] for e in window} >= set(correlation.rules)
    # temporal_ordered: the rules' events occur in the rules' order
    wanted = list(correlation.rules)
    for e in window:
        if wanted and e[2] == wanted[0]:
            wanted.pop(0)
    return not wanted


def with_severity(alert: Alert, severity: str, reason: str) -> Alert:
    return replace(alert, severity=severity, reasons=(*alert.reasons, reason))
