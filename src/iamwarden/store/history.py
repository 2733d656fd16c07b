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
from sqlalchemy import Engine, Text, and_, any_, bindparam, case, delete, false, func, insert, or_, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from iamwarden.store import schema
from iamwarden.store.content import (
    FAIL,
    PracticeScore,
    ResultRow,
    ScanContent,
    canonical,
    digest,
    documents_referenced,
)
from iamwarden.store.database import READ_ONLY, StoreError, describe, open_database

BATCH = 2_000
"""Rows per INSERT round trip."""

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
        bodies: dict[str, str] = {}
        entity_digests: dict[tuple[str, str], str] = {}
        for key, data in content.entities.items():
            d = digest(data)
            bodies.setdefault(d, canonical(data).decode("utf-8"))
            entity_digests[key] = d
        for d, document in content.documents.items():
            bodies.setdefault(d, canonical(document).decode("utf-8"))
        with self._transaction() as conn:
            scan_id = int(conn.execute(insert(schema.scans).returning(schema.scans.c.id), row).scalar_one())
            blob_ids = _ensure(
                conn, schema.blob_store, ("digest",), {(d,): {"digest": d, "body": b} for d, b in bodies.items()}
            )
            finding_ids = _ensure(
                conn,
                schema.findings,
                ("finding_id",),
                {
                    (r.finding_id,): {"finding_id": r.finding_id, "check_id": r.check_id, "resource": r.resource}
                    for r in content.results.values()
                },
            )
            entity_ids = _ensure(
                conn, schema.entity_keys, ("kind", "key"), {k: {"kind": k[0], "key": k[1]} for k in entity_digests}
            )
            _insert_many(
                conn,
                schema.scan_results,
                [
                    {
                        "scan_id": scan_id,
                        "finding": finding_ids[(r.finding_id,)],
                        "status": schema.STATUS_CODES[r.status],
                        "severity": schema.SEVERITY_CODES[r.severity],
                        "suppressed": r.suppressed,
                    }
                    for r in content.results.values()
                ],
            )
            _first_failures(
                conn,
                content.account_id,
                content.collected_at,
                [finding_ids[(r.finding_id,)] for r in content.results.values() if r.open_failure],
            )
            _insert_many(
                conn,
                schema.scan_entities,
                [
                    {"scan_id": scan_id, "entity": entity_ids[k], "blob": blob_ids[(d,)]}
                    for k, d in entity_digests.items()
                ],
            )
            _insert_many(
                conn,
                schema.scan_documents,
                [{"scan_id": scan_id, "blob": blob_ids[(d,)]} for d in content.documents],
            )
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
        if self.engine.dialect.name == "postgresql":
            # fresh planner statistics for the scan just written: without them the first diff after a record cost the
            # server 7-10 s of CPU (benchmarks/history.py), the next ones 0.2 s once autovacuum had run. In its own
            # transaction: ANALYZE locks the table against another ANALYZE until commit, and two recorders each
            # waiting for the other's rows and ANALYZE would deadlock
            with self._transaction() as conn:
                conn.execute(text("ANALYZE scan_results, scan_entities, first_failures"))
        return ScanRecord(id=scan_id, **row)  # type: ignore[arg-type]

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
                for table in (schema.scan_results, schema.scan_entities, schema.scan_documents, schema.practice_scores):
                    conn.execute(delete(table).where(table.c.scan_id.in_(chunk)))
                conn.execute(delete(schema.scans).where(schema.scans.c.id.in_(chunk)))
            if ids:  # first failures recomputed from the remaining scans, then what no remaining scan refers to
                _recompute_first_failures(conn, sorted({r.account_id for r in gone}))
                blobs = schema.blob_store.c.id
                conn.execute(
                    delete(schema.blob_store)
                    .where(blobs.not_in(select(schema.scan_entities.c.blob)))
                    .where(blobs.not_in(select(schema.scan_documents.c.blob)))
                )
                conn.execute(
                    delete(schema.findings).where(schema.findings.c.id.not_in(select(schema.scan_results.c.finding)))
                )
                conn.execute(
                    delete(schema.entity_keys).where(
                        schema.entity_keys.c.id.not_in(select(schema.scan_entities.c.entity))
                    )
                )
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
        s = schema.scans
        # the newest scans first, by the (account_id, collected_at) index: a year of daily scans is not read
        query = select(s).where(s.c.account_id == account).order_by(s.c.collected_at.desc(), s.c.id.desc())
        if when in ("latest", "previous"):
            wanted = 1 if when == "latest" else 2
            with self._read() as conn:
                scans = [_record(r) for r in conn.execute(query.limit(wanted)).mappings()]
            if len(scans) < wanted:
                raise StoreError(ref, f"the history holds {len(scans)} scan(s) of account {account}")
            return scans[-1]
        try:
            day = date.fromisoformat(when)
        except ValueError:
            raise StoreError(ref, f"{when!r} is not a date") from None
        # collected before the next day starts (UTC, as stored): the last scan of that day or before it
        with self._read() as conn:
            row = conn.execute(query.where(s.c.collected_at < _day_after(day)).limit(1)).mappings().first()
        if row is None:
            raise StoreError(ref, f"no scan of account {account} collected on or before {day}")
        return _record(row)

    def content(self, scan_id: int) -> ScanContent:
        """A recorded scan read back as :class:`ScanContent` (documents are loaded when asked for)."""
        record = self.scan(scan_id)
        se, ek, bs = schema.scan_entities, schema.entity_keys, schema.blob_store
        sr, f = schema.scan_results, schema.findings
        with self._read() as conn:
            entity_rows = conn.execute(
                select(ek.c.kind, ek.c.key, bs.c.body)
                .select_from(se.join(ek, ek.c.id == se.c.entity).join(bs, bs.c.id == se.c.blob))
                .where(se.c.scan_id == scan_id)
            ).all()
            result_rows = conn.execute(
                select(f.c.finding_id, f.c.check_id, f.c.resource, sr.c.status, sr.c.severity, sr.c.suppressed)
                .select_from(sr.join(f, f.c.id == sr.c.finding))
                .where(sr.c.scan_id == scan_id)
            )
            statuses, severities = schema.STATUS_NAMES, schema.SEVERITY_NAMES
            results = {
                finding_id: ResultRow(
                    finding_id, check_id, resource, statuses[status], severities[severity], bool(suppressed)
                )
                for finding_id, check_id, resource, status, severity, suppressed in result_rows
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

    def compared(self, old_id: int, new_id: int) -> tuple[ScanContent, ScanContent, dict[str, datetime]]:
        """Two recorded scans read back for :func:`iamwarden.store.diff.diff_scans`, and when each of their open
        failures first failed (in scans collected up to ``new_id``'s). The database does the comparing: each side holds
        only the entities whose facts differ from the other side's (an entity with the same facts on both sides
        changes nothing) and only its open failures (all the findings part of a diff looks at), with the policy
        documents those entities name; a 5,000-principal scan is 10,000 entities and 76,000 results, of which a day's
        diff needs a few hundred and the failures."""
        old_record, new_record = self.scan(old_id), self.scan(new_id)
        with self._read() as conn:
            old_entities = _entities_unlike(conn, old_id, new_id)
            new_entities = _entities_unlike(conn, new_id, old_id)
            first: dict[str, datetime] = {}
            until = new_record.collected_at
            old_results = _open_failures(conn, old_id, first, old_record.account_id, until)
            new_results = _open_failures(conn, new_id, first, new_record.account_id, until)
        digests = documents_referenced(old_entities.values()) | documents_referenced(new_entities.values())
        documents = self.documents(digests)
        sides = []
        for record, entities, results in (
            (old_record, old_entities, old_results),
            (new_record, new_entities, new_results),
        ):
            sides.append(
                ScanContent(
                    account_id=record.account_id,
                    org_id=record.org_id,
                    collected_at=record.collected_at,
                    entities=entities,
                    results=results,
                    practices=[],
                    documents=documents,
                    fetch_documents=self.documents,
                    complete=False,
                )
            )
        return sides[0], sides[1], first

    def documents(self, digests: Iterable[str]) -> dict[str, Any]:
        keys = list(set(digests))
        out: dict[str, Any] = {}
        with self._read() as conn:
            for start in range(0, len(keys), BATCH):
                chunk = keys[start : start + BATCH]
                bs = schema.blob_store
                rows = conn.execute(select(bs.c.digest, bs.c.body).where(bs.c.digest.in_(chunk)))
                out.update({d: orjson.loads(body) for d, body in rows})
        return out

    def first_failed(
        self, account_id: str, finding_ids: Sequence[str], *, before: datetime | None = None
    ) -> dict[str, datetime]:
        """For each finding id that ever failed (unsuppressed) in the account's scans (collected up to ``before`` when
        given): when it first did (kept in ``first_failures`` as scans are recorded: one row per finding, whatever the
        history's length)."""
        ff, f = schema.first_failures, schema.findings
        first: dict[str, datetime] = {}
        with self._read() as conn:
            for start in range(0, len(finding_ids), BATCH):
                chunk = list(finding_ids[start : start + BATCH])
                query = (
                    select(f.c.finding_id, ff.c.first_at)
                    .select_from(ff.join(f, f.c.id == ff.c.finding))
                    .where(f.c.finding_id.in_(chunk), ff.c.account_id == account_id)
                )
                if before is not None:
                    query = query.where(ff.c.first_at <= before)
                first.update((finding_id, _utc(when)) for finding_id, when in conn.execute(query))
        return first

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
        return _Guarded(self.where, self.engine.connect().execution_options(**{READ_ONLY: True}))


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


def _ensure(
    conn: Connection, table: Any, keys: tuple[str, ...], rows: Mapping[tuple[str, ...], dict[str, Any]]
) -> dict[tuple[str, ...], int]:
    """The integer ids of ``rows`` (by their ``keys`` columns) in ``table``, inserting those not stored yet. Another
    recorder may insert the same rows meanwhile (PostgreSQL runs them side by side): ``ON CONFLICT DO NOTHING`` keeps
    the first, and its id is read back."""
    wanted = list(rows)
    ids: dict[tuple[str, ...], int] = {}
    if len(keys) == 1:  # one statement with the keys as one parameter
        ids.update(_select_ids_at_once(conn, table, keys[0], [k[0] for k in wanted]))
    else:
        for start in range(0, len(wanted), BATCH):
            ids.update(_select_ids(conn, table, keys, wanted[start : start + BATCH]))
    missing = [k for k in wanted if k not in ids]
    if missing:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(table).on_conflict_do_nothing()
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            conn.execute(stmt, [rows[k] for k in chunk])
            ids.update(_select_ids(conn, table, keys, chunk))
    return ids


def _select_ids(
    conn: Connection, table: Any, keys: tuple[str, ...], chunk: list[tuple[str, ...]]
) -> dict[tuple[str, ...], int]:
    columns = [table.c[k] for k in keys]
    where = columns[0].in_([k[0] for k in chunk]) if len(keys) == 1 else tuple_(*columns).in_(chunk)
    return {tuple(row[1:]): row[0] for row in conn.execute(select(table.c.id, *columns).where(where))}


def _select_ids_at_once(conn: Connection, table: Any, key: str, values: list[str]) -> dict[tuple[str, ...], int]:
    """The ids of the rows of ``table`` whose ``key`` column is one of ``values``, in one statement whose values are
    one parameter (a PostgreSQL array; a JSON array SQLite's ``json_each`` reads): IN lists of :data:`BATCH` bound
    values cost a 76,000-result scan about 40 statements, each built, sent and parsed (a second of client and
    server CPU on PostgreSQL)."""
    if not values:
        return {}
    column = table.c[key]
    if conn.dialect.name == "postgresql":
        listed = bindparam("values", values, type_=postgresql.ARRAY(Text))
        where = column == any_(listed)
    else:
        listed = bindparam("values", orjson.dumps(values).decode("utf-8"), type_=Text)
        where = column.in_(select(_json_values(listed)))
    return {(value,): row_id for row_id, value in conn.execute(select(table.c.id, column).where(where))}


def _json_values(listed: Any) -> Any:
    """``SELECT value FROM json_each(:listed)``'s column (SQLite)."""
    return func.json_each(listed).table_valued("value").c.value


def _first_failures(conn: Connection, account_id: str, when: datetime, findings: list[int]) -> None:
    """Findings failing in a scan of ``account_id`` collected ``when``: their first failure is the earlier of the
    stored one and this one (scans may be recorded out of order, and two recorders may race: one upsert per row)."""
    table = schema.first_failures
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.account_id, table.c.finding],
        set_={
            "first_at": case(
                (stmt.excluded.first_at < table.c.first_at, stmt.excluded.first_at), else_=table.c.first_at
            )
        },
    )
    rows = [{"account_id": account_id, "finding": f, "first_at": when} for f in findings]
    for start in range(0, len(rows), BATCH):
        conn.execute(stmt, rows[start : start + BATCH])


def _recompute_first_failures(conn: Connection, accounts: list[str]) -> None:
    """First failures of ``accounts`` from the scans that remain (after a prune)."""
    ff, r, s = schema.first_failures, schema.scan_results, schema.scans
    conn.execute(delete(ff).where(ff.c.account_id.in_(accounts)))
    remaining = (
        select(s.c.account_id, r.c.finding, func.min(s.c.collected_at))
        .select_from(r.join(s, s.c.id == r.c.scan_id))
        .where(s.c.account_id.in_(accounts), r.c.status == schema.STATUS_CODES[FAIL], r.c.suppressed.is_(False))
        .group_by(s.c.account_id, r.c.finding)
    )
    conn.execute(insert(ff).from_select(["account_id", "finding", "first_at"], remaining))


def _entities_unlike(conn: Connection, scan_id: int, other_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    """The entities of scan ``scan_id`` that scan ``other_id`` lacks or holds with other facts (one query, both scans
    read by their primary key)."""
    se, ek, bs = schema.scan_entities, schema.entity_keys, schema.blob_store
    other = schema.scan_entities.alias("other")
    rows = conn.execute(
        select(ek.c.kind, ek.c.key, bs.c.body)
        .select_from(
            se.join(ek, ek.c.id == se.c.entity)
            .join(bs, bs.c.id == se.c.blob)
            .outerjoin(other, and_(other.c.scan_id == other_id, other.c.entity == se.c.entity))
        )
        .where(se.c.scan_id == scan_id, or_(other.c.blob.is_(None), other.c.blob != se.c.blob))
    )
    return {(kind, key): orjson.loads(body) for kind, key, body in rows}


def _open_failures(
    conn: Connection,
    scan_id: int,
    first: dict[str, datetime] | None = None,
    account_id: str = "",
    before: datetime | None = None,
) -> dict[str, ResultRow]:
    """The open failures (failed, not suppressed) of scan ``scan_id``; with ``first``, it also receives when each
    first failed in ``account_id``'s scans collected up to ``before`` (joined in the same query)."""
    sr, f, ff = schema.scan_results, schema.findings, schema.first_failures
    columns = [f.c.finding_id, f.c.check_id, f.c.resource, sr.c.severity]
    source = sr.join(f, f.c.id == sr.c.finding)
    if first is not None:
        columns.append(ff.c.first_at)
        source = source.outerjoin(
            ff, and_(ff.c.finding == sr.c.finding, ff.c.account_id == account_id, ff.c.first_at <= before)
        )
    rows = conn.execute(
        select(*columns)
        .select_from(source)
        .where(sr.c.scan_id == scan_id, sr.c.status == schema.STATUS_CODES[FAIL], sr.c.suppressed == false())
    )
    out: dict[str, ResultRow] = {}
    times: dict[datetime, datetime] = {}  # a few hundred distinct scan times for thousands of rows
    for row in rows:
        finding_id = row[0]
        out[finding_id] = ResultRow(finding_id, row[1], row[2], FAIL, schema.SEVERITY_NAMES[row[3]], False)
        if first is not None and row[4] is not None:
            when = times.get(row[4])
            if when is None:
                when = times[row[4]] = _utc(row[4])
            first[finding_id] = when
    return out


def _insert_many(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``: on PostgreSQL with ``COPY`` (one stream of rows in
    the same transaction; multi-row INSERTs of a scan's 76,000 results cost both sides seconds of parsing), else in
    INSERTs of :data:`BATCH` rows."""
    if rows and conn.dialect.name == "postgresql":
        _copy(conn, table, rows)
        return
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[start : start + BATCH])


def _copy(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    import psycopg
    from sqlalchemy.exc import DBAPIError

    columns = list(rows[0])
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except psycopg.Error as exc:  # as SQLAlchemy's own statements fail: the transaction is rolled back, one line
        raise DBAPIError(statement, None, exc) from exc


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


def _day_after(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)


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
