"""What an engine hands back after a scan: matched records, grouped per rule and caller, and samples of them.

Every engine (:mod:`~iamwarden.detections.duckdb_engine`, :mod:`~iamwarden.detections.spark_engine`) answers the same
three questions over the records its rules matched, in the same shapes, so that alerts are built once
(:mod:`iamwarden.detections.alerts`) whatever ran the rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import orjson

from iamwarden.collect.cloudtrail import ACCOUNTING_COLUMNS
from iamwarden.collect.cloudtrail_schema import RECORD
from iamwarden.detections.rules import CompiledRule

KEPT_COLUMNS = frozenset((*ACCOUNTING_COLUMNS, "errorCode", "readOnly", "eventID"))
"""The columns an engine keeps for every record read (the others only for the records a rule matched): the read's
accounting, first-seen behaviour (:func:`firsts_sql`) and the caller's identity."""
JSON_FIELDS = frozenset(k for k, v in RECORD.items() if v == "json")


def _identity(q: str) -> str:
    issuer = f"{q}userIdentity{q}.{q}sessionContext{q}.{q}sessionIssuer{q}.{q}arn{q}"
    arn = f"{q}userIdentity{q}.{q}arn{q}"
    # a role session's ARN names the session: left out when the issuer names the role, so that one role's sessions
    # group together (principal_of names the role from the issuer alone)
    return f"{q}userIdentity{q}.{q}type{q}, CASE WHEN {issuer} LIKE '%:role/%' THEN NULL ELSE {arn} END, {issuer}"


IDENTITY_SQL = {"duckdb": _identity('"'), "spark": _identity("`")}
"""The caller's identity type, ARN and session issuer ARN: what :func:`iamwarden.collect.cloudtrail.principal_of`
needs to name the principal."""

Identity = tuple[str | None, str | None, str | None]


@dataclass(frozen=True, slots=True)
class HitGroup:
    """The records one rule matched for one caller identity."""

    rule_id: str
    identity: Identity
    count: int
    first: datetime
    last: datetime
    event_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HitRow:
    """One matched record, as read (nulls dropped; JSON fields decoded)."""

    rule_id: str
    identity: Identity
    time: datetime
    record: dict[str, Any]


class Hits(Protocol):
    """An engine after :meth:`scan`."""

    def groups(self) -> list[HitGroup]: ...

    def samples(self, limit: int) -> Iterator[HitRow]: ...

    def correlation_rows(
        self,
        rule_ids: Sequence[str],
        exprs: dict[str, tuple[str, ...]],
        width: int = 0,
        least: tuple[int, int] = (1, 1),
    ) -> list[tuple[Any, ...]]: ...

    def first_seen(self) -> list[tuple[str, Identity, str, datetime, str]]: ...

    def close(self) -> None: ...


def record_of(values: dict[str, Any]) -> dict[str, Any]:
    """A record as an engine read it, as alerts quote it: nulls dropped, the free-form JSON parts decoded."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name in JSON_FIELDS and isinstance(value, str):
            value = orjson.loads(value)
        elif isinstance(value, dict):
            value = _strip(value)
        out[name] = value
    return out


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if v is not None}
    return value


def matches_sql(rules: Sequence[CompiledRule], dialect: str, *, by_event_name: bool) -> str:
    """The indexes (in ``rules``) of the rules a record matches, in order: one SQL list expression over one record.

    ``by_event_name``: rules confined to some event names (:attr:`CompiledRule.event_names`) are tested only on
    records of one of those names; a record of another name is tested against the rules that name none, which is
    the list testing every rule gives it. Spark gains by it (200,000 records of the benchmark's mix: the pack's
    rules cost 1.96 s over the read, 0.38 s so); DuckDB does not (its vectorised ``CASE`` cost as much as the
    rules it skipped, 1.64-1.73 s of CPU against 1.88-1.95 s), so it tests every rule."""
    indexed = list(enumerate(rules))
    free = [(i, r) for i, r in indexed if r.event_names is None]
    names = sorted({n for r in rules if r.event_names is not None for n in r.event_names})
    if not by_event_name or not names or len(free) == len(indexed):
        return _listed(indexed, dialect)
    q = '"' if dialect == "duckdb" else "`"
    listed = ", ".join(f"'{n}'" for n in names)  # plain names only (rules.event_names): nothing to escape
    return (
        f"CASE WHEN lower({q}eventName{q}) IN ({listed}) THEN {_listed(indexed, dialect)} "
        f"ELSE {_listed(free, dialect)} END"
    )


def _listed(indexed: Sequence[tuple[int, CompiledRule]], dialect: str) -> str:
    if not indexed:
        return "CAST([] AS INTEGER[])" if dialect == "duckdb" else "CAST(array() AS array<int>)"
    cases = ", ".join(f"CASE WHEN ({r.sql[dialect]}) THEN {i} END" for i, r in indexed)
    if dialect == "duckdb":
        return f"list_filter([{cases}], lambda x: x IS NOT NULL)"
    return f"filter(array({cases}), x -> x IS NOT NULL)"


FIRST_SEEN_KINDS = {
    "region": ("{q}awsRegion{q}", "{q}errorCode{q} IS NULL"),
    "access key": (
        "{q}userIdentity{q}.{q}accessKeyId{q}",
        "{q}userIdentity{q}.{q}accessKeyId{q} LIKE 'AKIA%' AND {q}errorCode{q} IS NULL",
    ),
    "IAM write": (
        "'iam'",
        "{q}eventSource{q} = 'iam.amazonaws.com' AND {q}errorCode{q} IS NULL AND coalesce({q}readOnly{q}, '') <> 'true'"
        " AND NOT ({q}eventName{q} LIKE 'Get%' OR {q}eventName{q} LIKE 'List%' OR {q}eventName{q} LIKE 'Generate%'"
        " OR {q}eventName{q} LIKE 'Simulate%')",
    ),
    "any": ("''", "true"),
}
"""What first-seen behaviour looks at: the value per caller, and which records count."""


def firsts_sql(dialect: str, table: str) -> str:
    """Per (kind, caller identity, value): the first time, and the event id of that record (ties: the smallest id).

    The key ``millis|event id`` makes both engines choose the same record. The table is read once: each record is
    paired with every kind of :data:`FIRST_SEEN_KINDS` (a cross join with their names) and kept for the kinds whose
    condition it meets; a union of one query per kind had Spark read its input once per kind (four reads)."""
    q = '"' if dialect == "duckdb" else "`"
    millis = "epoch_ms(_time)" if dialect == "duckdb" else "unix_millis(_time)"
    text = "VARCHAR" if dialect == "duckdb" else "STRING"
    event_id = f"coalesce({q}eventID{q}, '')"
    identity = ", ".join(f"{c} AS _{n}" for c, n in zip(IDENTITY_SQL[dialect].split(", "), "tai", strict=True))
    names = ", ".join(f"('{kind}')" for kind in FIRST_SEEN_KINDS)
    value = " ".join(f"WHEN '{kind}' THEN {v.format(q=q)}" for kind, (v, _) in FIRST_SEEN_KINDS.items())
    where = " ".join(f"WHEN '{kind}' THEN {w.format(q=q)}" for kind, (_, w) in FIRST_SEEN_KINDS.items())
    return (
        "SELECT kind, _t, _a, _i, value, min(k) AS k FROM ("
        f"SELECT _kinds.kind AS kind, {identity}, CASE _kinds.kind {value} END AS value, "
        f"lpad(CAST({millis} AS {text}), 15, '0') || '|' || {event_id} AS k "
        f"FROM {table} CROSS JOIN (VALUES {names}) AS _kinds(kind) WHERE CASE _kinds.kind {where} ELSE false END"
        ") GROUP BY kind, _t, _a, _i, value"
    )


FirstSeen = tuple[str, Identity, str, datetime, str]
"""(kind, caller identity, value, first time, event id)."""


def first_seen_of(rows: Sequence[tuple[Any, ...]]) -> list[FirstSeen]:
    """Rows ``(kind, _t, _a, _i, value, "millis|event id")`` as :data:`FirstSeen`."""
    from datetime import UTC

    out: list[FirstSeen] = []
    for kind, t, a, i, value, key in rows:
        millis, _, event_id = str(key).partition("|")
        out.append((kind, (t, a, i), value, datetime.fromtimestamp(int(millis) / 1000, UTC), event_id))
    return out
