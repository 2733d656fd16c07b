"""Record scans into the history database and read them back: :class:`History`.

A scan is written in one transaction (its row, results, scores, entities and any blob not stored yet), so a scan that
fails half-way leaves nothing, and two recorders writing at once both land (SQLite queues them on its write lock;
PostgreSQL lets them run side by side, blobs inserted with ``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from iamwarden.store import schema
from iamwarden.store.content import PracticeScore, ResultRow, ScanContent, canonical, digest
from iamwarden.store.database import StoreError, describe, open_database

BATCH = 2_000
"""Rows per INSERT round trip."""

DOCUMENT = "document"
"""Entity kind of a scan's reference to a policy document it holds (key and digest: the document's digest), so blobs
no scan refers to can be pruned."""

REF = re.compile(r"^(?P<account>\d{12})@(?P<when>latest|previous|\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """A scan row: which scan, of what, when, by which iamwarden."""

    id: int
    recorded_at: datetime
    collected_at: datetime
    account_id: str
    org_id: str | None
    tool_version: str
    snapshot_hash: str
    snapshot_path: str | None
    source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "recorded_at": _iso(self.recorded_at),
            "collected_at": _iso(self.collected_at),
            "account_id": self.account_id,
            "org_id": self.org_id,
            "tool_version": self.tool_version,
            "snapshot_hash": self.snapshot_hash,
            "snapshot_path": self.snapshot_path,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One scan's scores and failure counts, for the trend chart."""

    scan_id: int
    collected_at: datetime
    scores: Mapping[int, int | None]
    failed: Mapping[int, int]


class History:
    """The history database. Open with :meth:`open` (migrates it); use as a context manager to close it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.where = describe(engine.url)

    @classmethod
    def open(cls, db: str | None) -> History:
        return cls(open_database(db))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------------------------------------------------------
    # Writing

    def record(
        self,
        content: ScanContent,
        *,
        tool_version: str,
        snapshot_hash: str,
        snapshot_path: str | None,
        source: str,
        recorded_at: datetime | None = None,
    ) -> ScanRecord:
        """Write one scan in one transaction; its new id is in the record returned."""
        now = recorded_at or datetime.now(UTC)
        row = {
            "recorded_at": now,
            "collected_at": content.collected_at,
            "account_id": content.account_id,
            "org_id": content.org_id,
            "tool_version": tool_version,
            "snapshot_hash": snapshot_hash,
            "snapshot_path": snapshot_path,
            "source": source,
        }
        bodies: dict[str, bytes] = {}
        entity_rows = []
        for (kind, key), data in content.entities.items():
            body = canonical(data)
            d = digest(data)
            bodies.setdefault(d, body)
            entity_rows.append({"kind": kind, "key": key, "digest": d})
        for d, document in content.documents.items():
            bodies.setdefault(d, canonical(document))
            entity_rows.append({"kind": DOCUMENT, "key": d, "digest": d})  # the scan's reference to the document
        with self._transaction() as conn:
            scan_id = int(conn.execute(insert(schema.scans).returning(schema.scans.c.id), row).scalar_one())
            self._insert_blobs(conn, bodies)
            _insert_many(
                conn,
                schema.results,
                [
                    {
                        "scan_id": scan_id,
                        "finding_id": r.finding_id,
                        "check_id": r.check_id,
                        "resource": r.resource,
                        "status": r.status,
                        "severity": r.severity,
                        "suppressed": r.suppressed,
                    }
                    for r in content.results.values()
                ],
            )
            _insert_many(conn, schema.entities, [{"scan_id": scan_id, **e} for e in entity_rows])
            _insert_many(
                conn,
                schema.practice_scores,
                [
                    {
                        "scan_id": scan_id,
                        "practice": p.practice,
                        "score": p.score,
                        "passed": p.passed,
                        "failed": p.failed,
                        "unknown": p.unknown,
                        "suppressed": p.suppressed,
                    }
                    for p in content.practices
                ],
            )
        return ScanRecord(id=scan_id, **row)  # type: ignore[arg-type]

    def _insert_blobs(self, conn: Connection, bodies: Mapping[str, bytes]) -> None:
        known: set[str] = set()
        keys = list(bodies)
        for start in range(0, len(keys), BATCH):
            chunk = keys[start : start + BATCH]
            known.update(conn.execute(select(schema.blobs.c.digest).where(schema.blobs.c.digest.in_(chunk))).scalars())
        rows = [{"digest": d, "body": b.decode("utf-8")} for d, b in bodies.items() if d not in known]
        if not rows:
            return
        # another recorder may store the same blob meanwhile (PostgreSQL runs them side by side): keep the first
        dialect = conn.dialect.name
        stmt = (
            postgresql.insert(schema.blobs).on_conflict_do_nothing()
            if dialect == "postgresql"
            else sqlite.insert(schema.blobs).on_conflict_do_nothing()
        )
        for start in range(0, len(rows), BATCH):
            conn.execute(stmt, rows[start : start + BATCH])

    def prune(self, keep_days: int, *, account_id: str | None = None, now: datetime | None = None) -> list[ScanRecord]:
        """Delete the scans collected more than ``keep_days`` days ago (of one account, or all), and the blobs no
        remaining scan uses; the scans deleted are returned."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
        query = select(schema.scans).where(schema.scans.c.collected_at < cutoff)
        if account_id is not None:
            query = query.where(schema.scans.c.account_id == account_id)
        with self._transaction() as conn:
            gone = [_record(r) for r in conn.execute(query.order_by(schema.scans.c.id)).mappings()]
            ids = [r.id for r in gone]
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                for table in (schema.results, schema.entities, schema.practice_scores):
                    conn.execute(delete(table).where(table.c.scan_id.in_(chunk)))
                conn.execute(delete(schema.scans).where(schema.scans.c.id.in_(chunk)))
            if ids:
                used = select(schema.entities.c.digest)
                conn.execute(delete(schema.blobs).where(schema.blobs.c.digest.not_in(used)))
        return gone

    # ---------------------------------------------------------------------------------------------------------------
    # Reading

    def scans(self, account_id: str | None = None, org_id: str | None = None) -> list[ScanRecord]:
        """Scans, oldest first (by collection time), of one account or organization or all."""
        query = select(schema.scans)
        if account_id is not None:
            query = query.where(schema.scans.c.account_id == account_id)
        if org_id is not None:
            query = query.where(schema.scans.c.org_id == org_id)
        query = query.order_by(schema.scans.c.collected_at, schema.scans.c.id)
        with self._read() as conn:
            return [_record(r) for r in conn.execute(query).mappings()]

    def scan(self, scan_id: int) -> ScanRecord:
        with self._read() as conn:
            row = conn.execute(select(schema.scans).where(schema.scans.c.id == scan_id)).mappings().first()
        if row is None:
            raise StoreError(self.where, f"no scan {scan_id} in the history")
        return _record(row)

    def resolve(self, ref: str) -> ScanRecord:
        """A scan named by its id or ``ACCOUNT@latest`` / ``ACCOUNT@previous`` / ``ACCOUNT@YYYY-MM-DD`` (the last scan
        collected on or before that day)."""
        if ref.isdigit():
            return self.scan(int(ref))
        m = REF.match(ref)
        if m is None:
            raise StoreError(ref, "not a scan id, a snapshot file or ACCOUNT@latest|previous|YYYY-MM-DD")
        account, when = m.group("account"), m.group("when")
        scans = self.scans(account_id=account)
        if when in ("latest", "previous"):
            wanted = 1 if when == "latest" else 2
            if len(scans) < wanted:
                raise StoreError(ref, f"the history holds {len(scans)} scan(s) of account {account}")
            return scans[-wanted]
        try:
            day = date.fromisoformat(when)
        except ValueError:
            raise StoreError(ref, f"{when!r} is not a date") from None
        before = [s for s in scans if s.collected_at.date() <= day]
        if not before:
            raise StoreError(ref, f"no scan of account {account} collected on or before {day}")
        return before[-1]

    def content(self, scan_id: int) -> ScanContent:
        """A recorded scan read back as :class:`ScanContent` (documents are loaded when asked for)."""
        record = self.scan(scan_id)
        e, b = schema.entities, schema.blobs
        with self._read() as conn:
            entity_rows = conn.execute(
                select(e.c.kind, e.c.key, b.c.body)
                .join(b, b.c.digest == e.c.digest)
                .where(e.c.scan_id == scan_id, e.c.kind != DOCUMENT)
            ).all()
            result_rows = conn.execute(select(schema.results).where(schema.results.c.scan_id == scan_id)).mappings()
            results = {
                r["finding_id"]: ResultRow(
                    finding_id=r["finding_id"],
                    check_id=r["check_id"],
                    resource=r["resource"],
                    status=r["status"],
                    severity=r["severity"],
                    suppressed=bool(r["suppressed"]),
                )
                for r in result_rows
            }
            practices = [
                PracticeScore(
                    practice=r["practice"],
                    score=r["score"],
                    passed=r["passed"],
                    failed=r["failed"],
                    unknown=r["unknown"],
                    suppressed=r["suppressed"],
                )
                for r in conn.execute(
                    select(schema.practice_scores)
                    .where(schema.practice_scores.c.scan_id == scan_id)
                    .order_by(schema.practice_scores.c.practice)
                ).mappings()
            ]
        return ScanContent(
            account_id=record.account_id,
            org_id=record.org_id,
            collected_at=record.collected_at,
            entities={(kind, key): orjson.loads(body) for kind, key, body in entity_rows},
            results=results,
            practices=practices,
            fetch_documents=self.documents,
        )

    def documents(self, digests: Iterable[str]) -> dict[str, Any]:
        keys = list(set(digests))
        out: dict[str, Any] = {}
        with self._read() as conn:
            for start in range(0, len(keys), BATCH):
                chunk = keys[start : start + BATCH]
                rows = conn.execute(
                    select(schema.blobs.c.digest, schema.blobs.c.body).where(schema.blobs.c.digest.in_(chunk))
                )
                out.update({d: orjson.loads(body) for d, body in rows})
        return out

    def first_failed(
        self, account_id: str, finding_ids: Sequence[str], *, before: datetime | None = None
    ) -> dict[str, tuple[datetime, list[datetime]]]:
        """For each finding id: when it first failed (unsuppressed) in the account's scans, and the collection times
        of every scan where it failed (collected up to ``before`` when given)."""
        r, s = schema.results, schema.scans
        times: dict[str, list[datetime]] = {}
        with self._read() as conn:
            for start in range(0, len(finding_ids), BATCH):
                chunk = list(finding_ids[start : start + BATCH])
                query = (
                    select(r.c.finding_id, s.c.collected_at)
                    .join(s, s.c.id == r.c.scan_id)
                    .where(r.c.finding_id.in_(chunk), r.c.status == "fail", r.c.suppressed.is_(False))
                    .where(s.c.account_id == account_id)
                )
                if before is not None:
                    query = query.where(s.c.collected_at <= before)
                for finding_id, when in conn.execute(query):
                    times.setdefault(finding_id, []).append(_utc(when))
        return {k: (min(v), sorted(v)) for k, v in times.items()}

    def trend(self, account_id: str) -> list[TrendPoint]:
        """Each recorded scan of the account with practice scores: its scores and failure counts, oldest first."""
        p, s = schema.practice_scores, schema.scans
        query = (
            select(s.c.id, s.c.collected_at, p.c.practice, p.c.score, p.c.failed)
            .join(p, p.c.scan_id == s.c.id)
            .where(s.c.account_id == account_id)
            .order_by(s.c.collected_at, s.c.id, p.c.practice)
        )
        points: dict[int, TrendPoint] = {}
        with self._read() as conn:
            for scan_id, collected_at, practice, score, failed in conn.execute(query):
                point = points.get(scan_id)
                if point is None:
                    point = points[scan_id] = TrendPoint(scan_id, _utc(collected_at), {}, {})
                point.scores[practice] = score  # type: ignore[index]
                point.failed[practice] = failed  # type: ignore[index]
        return list(points.values())

    def count(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.scans)).scalar_one())

    # ---------------------------------------------------------------------------------------------------------------

    def _transaction(self) -> Any:
        return _Guarded(self.where, self.engine.begin())

    def _read(self) -> Any:
        return _Guarded(self.where, self.engine.connect())


class _Guarded:
    """A connection context whose database errors become one-line :class:`StoreError` naming the database."""

    def __init__(self, where: str, inner: Any) -> None:
        self.where = where
        self.inner = inner

    def __enter__(self) -> Connection:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return self.inner.__enter__()  # type: ignore[no-any-return]
        except SQLAlchemyError as exc:
            raise _store_error(self.where, exc) from None

    def __exit__(self, *exc: Any) -> bool:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            handled = bool(self.inner.__exit__(*exc))  # rolls the transaction back when the body raised
        except SQLAlchemyError as error:
            raise _store_error(self.where, error) from None
        if not handled and isinstance(exc[1], SQLAlchemyError):
            raise _store_error(self.where, exc[1]) from None
        return handled


def _store_error(where: str, exc: Exception) -> StoreError:
    from iamwarden.store.database import _reason

    return StoreError(where, _reason(exc, "database error"))  # type: ignore[arg-type]


def _insert_many(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[start : start + BATCH])


def _record(row: Mapping[str, Any]) -> ScanRecord:
    return ScanRecord(
        id=row["id"],
        recorded_at=_utc(row["recorded_at"]),
        collected_at=_utc(row["collected_at"]),
        account_id=row["account_id"],
        org_id=row["org_id"],
        tool_version=row["tool_version"],
        snapshot_hash=row["snapshot_hash"],
        snapshot_path=row["snapshot_path"],
        source=row["source"],
    )


def _utc(value: datetime) -> datetime:
    """SQLite gives naive datetimes back (stored as UTC): make them aware."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def scans_by_day(scans: Iterable[ScanRecord]) -> Iterator[tuple[date, list[ScanRecord]]]:
    by: dict[date, list[ScanRecord]] = {}
    for s in scans:
        by.setdefault(s.collected_at.date(), []).append(s)
    yield from sorted(by.items())
