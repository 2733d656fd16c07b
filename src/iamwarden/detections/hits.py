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

from iamwarden.collect.cloudtrail_schema import RECORD

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

    def correlation_rows(self, rule_ids: Sequence[str], exprs: dict[str, tuple[str, ...]]) -> list[tuple[Any, ...]]: ...

    def close(self) -> None: ...
