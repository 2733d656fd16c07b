"""The DuckDB engine (default): reads the trail a batch at a time and keeps the records some rule matched.

Each batch of records (:class:`iamwarden.collect.cloudtrail.TrailReader`, explicit schema, files read in place) is
tested against every compiled rule in one pass: one SQL query computes, per record, the list of rules it matches, and
only the matched records are kept (in table ``hits``, with the rule's index). DuckDB runs with a memory limit and a
temporary folder, so a trail of any size streams: the batches are bounded, and ``hits`` spills to disk if it must.
Once the trail is read, the limit is lowered (:data:`ANSWER_MEMORY_LIMIT`) to leave room for the answers alerts take
into Python.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb

from iamwarden.collect.cloudtrail import BATCH_TABLE, ReadReport, TrailFilter, TrailReader
from iamwarden.collect.cloudtrail_schema import RECORD, duckdb_type
from iamwarden.detections.hits import (
    IDENTITY_SQL,
    KEPT_COLUMNS,
    FirstSeen,
    HitGroup,
    HitRow,
    first_seen_of,
    firsts_sql,
    matches_sql,
    record_of,
)
from iamwarden.detections.rules import CompiledRule

MEMORY_LIMIT = "1500MB"
"""DuckDB's memory limit while a trail is read (a batch's JSON is parsed whole); beyond it, ``hits`` spills to disk."""
ANSWER_MEMORY_LIMIT = "1000MB"
"""DuckDB's memory limit once the trail is read, while alerts ask their questions: the answers (every event id, the
rows of the correlated rules) are Python objects, which DuckDB's limit does not count. At the reading's limit DuckDB
filled its memory with ``hits`` read back from disk (about 1,300 MB at 10M records) and the answers came on top: 2,391
MiB at the peak; with this one, 1,426 MiB."""
FETCH_ROWS = 100_000
"""Rows brought into Python at a time from a large result."""


class HitsTable:
    """The questions alerts ask of the matched records, answered from DuckDB tables: ``hits`` (each matched record
    with ``_rule``, the index of the rule it matched) and ``seen`` (first-seen candidates, :func:`firsts_sql`).

    Every engine fills these tables (the Spark engine brings its matched records over Arrow), so that alerts are
    built from the same answers whatever ran the rules."""

    def __init__(
        self,
        rules: Sequence[CompiledRule],
        threads: int | None = None,
        memory_limit: str = MEMORY_LIMIT,
        answer_limit: str = ANSWER_MEMORY_LIMIT,
    ):
        self.rules = list(rules)
        self.memory_limit = memory_limit
        self.answer_limit = answer_limit
        self._tmp = tempfile.TemporaryDirectory(prefix="iamwarden-duckdb-")
        self.con = duckdb.connect(":memory:")
        self._limit(memory_limit)
        self.con.execute(f"SET temp_directory = '{self._tmp.name}'")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET enable_progress_bar = false")  # DuckDB draws it on stdout, where JSON Lines may go
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")

    def close(self) -> None:
        self.con.close()
        self._tmp.cleanup()

    def _limit(self, limit: str) -> None:
        """DuckDB's memory limit from now on (:data:`MEMORY_LIMIT` to read, :data:`ANSWER_MEMORY_LIMIT` to answer)."""
        self.con.execute(f"SET memory_limit = '{limit}'")

    def _create_empty(self) -> None:
        columns = ", ".join(f'NULL::{duckdb_type(RECORD[k])} AS "{k}"' for k in RECORD)
        self.con.execute(
            f"CREATE TEMP TABLE hits AS SELECT NULL::INTEGER AS _rule, NULL::VARCHAR AS _file, {columns}, "
            "NULL::TIMESTAMPTZ AS _time LIMIT 0"
        )
        self.con.execute(
            "CREATE TEMP TABLE seen AS SELECT ''::VARCHAR AS kind, ''::VARCHAR AS _t, ''::VARCHAR AS _a, "
            "''::VARCHAR AS _i, ''::VARCHAR AS value, ''::VARCHAR AS k LIMIT 0"
        )

    def first_seen(self) -> list[FirstSeen]:
        """Per (kind, caller identity, value), the first record of the whole scan."""
        return first_seen_of(
            self.con.execute("SELECT kind, _t, _a, _i, value, min(k) FROM seen GROUP BY ALL ORDER BY ALL").fetchall()
        )

    def groups(self) -> list[HitGroup]:
        """Per (rule, caller identity): the count, the first and last time, and every event id (once)."""
        # each id once, where it first occurs (alerts keep no more of it): a record read twice (CloudTrail delivers
        # at least once; a trail copied twice) costs no second id, in DuckDB's lists or in Python
        rows = self.con.execute(
            f"""SELECT _rule, _type, _arn, _issuer, sum(_n), min(_first), max(_last),
                       list(_id ORDER BY _first, "eventID", _id)
                FROM (SELECT _rule, {IDENTITY_SQL["duckdb"]}, "eventID",
                             coalesce("eventID", _file || '#' || CAST(_time AS VARCHAR)), count(*), min(_time),
                             max(_time)
                      FROM hits GROUP BY ALL) AS g(_rule, _type, _arn, _issuer, "eventID", _id, _n, _first, _last)
                GROUP BY ALL"""
        ).fetchall()
        return [
            HitGroup(self.rules[r[0]].info.id, (r[1], r[2], r[3]), int(r[4]), r[5], r[6], tuple(r[7])) for r in rows
        ]

    def samples(self, limit: int) -> Iterator[HitRow]:
        """The first ``limit`` records of each (rule, caller identity) group, in time order."""
        cols = list(RECORD)
        quoted = ", ".join(f'"{c}"' for c in cols)
        # the window runs over the few columns it orders and partitions by, and only the rows it keeps are read whole
        # (ranking whole rows cost as much as the rest of the alerts together)
        cursor = self.con.execute(
            f"""SELECT _rule, {IDENTITY_SQL["duckdb"]}, _time, {quoted} FROM hits WHERE rowid IN (
                    SELECT _r FROM (
                        SELECT rowid AS _r, row_number() OVER (PARTITION BY _rule, {IDENTITY_SQL["duckdb"]}
                                                               ORDER BY _time, "eventID") AS _n FROM hits)
                    WHERE _n <= {int(limit)})
                ORDER BY _time, "eventID", _rule"""
        )
        for row in cursor.fetchall():
            yield HitRow(
                self.rules[row[0]].info.id,
                (row[1], row[2], row[3]),
                row[4],
                record_of(dict(zip(cols, row[5:], strict=True))),
            )

    def correlation_rows(
        self,
        rule_ids: Sequence[str],
        exprs: dict[str, tuple[str, ...]],
        width: int = 0,
        least: tuple[int, int] = (1, 1),
    ) -> list[tuple[Any, ...]]:
        """``(rule id, time, event id, caller identity..., *exprs[rule])`` for the hits of ``rule_ids``.

        ``width``: the first ``width`` of each rule's ``exprs`` are its group-by values; ``least``: the fewest rows,
        and distinct rules, a group must have for the correlation to be able to fire (the caller's test, which still
        decides). Rows of groups with fewer, or with a group-by value missing, are not fetched."""
        index = {r.info.id: i for i, r in enumerate(self.rules)}
        out: list[tuple[Any, ...]] = []
        keys = least != (1, 1)
        if keys:
            self._can_fire(rule_ids, exprs, width, least, index)
        # a hit's row is mostly what other rows hold too (the caller, the group-by values, the second it happened):
        # each such value is kept once, and the rows are fetched a chunk at a time, so that the rows cost little more
        # than their tuples (10M records: 930,000 rows, which were several hundred MiB of Python objects)
        shared: dict[Any, Any] = {}
        try:
            for rule_id in rule_ids:
                extra = "".join(f", {e}" for e in exprs.get(rule_id, ()))
                group = exprs.get(rule_id, ())[:width]
                where = (
                    " AND EXISTS (SELECT 1 FROM _can_fire AS k WHERE "
                    + (" AND ".join(f"k._g{n} = {e}" for n, e in enumerate(group)) or "true")
                    + ")"
                    if keys
                    else ""
                )
                cursor = self.con.execute(
                    f"""SELECT _time, coalesce("eventID", _file || '#' || CAST(_time AS VARCHAR)),
                               {IDENTITY_SQL["duckdb"]}{extra}
                        FROM hits WHERE _rule = ?{where} ORDER BY _time, "eventID" """,
                    [index[rule_id]],
                )
                while chunk := cursor.fetchmany(FETCH_ROWS):
                    out.extend((rule_id, *(_shared(shared, v) for v in row)) for row in chunk)
        finally:
            if keys:
                self.con.execute("DROP TABLE IF EXISTS _can_fire")
        return out

    def _can_fire(
        self,
        rule_ids: Sequence[str],
        exprs: dict[str, tuple[str, ...]],
        width: int,
        least: tuple[int, int],
        index: dict[str, int],
    ) -> None:
        """Table ``_can_fire``: the group-by values of the groups with at least ``least`` rows and distinct rules."""
        parts = []
        for rule_id in rule_ids:
            group = exprs.get(rule_id, ())[:width]
            present = " AND ".join(f"({e}) IS NOT NULL" for e in group) or "true"
            values = "".join(f", {e} AS _g{n}" for n, e in enumerate(group))
            parts.append(
                f"SELECT {index[rule_id]} AS _r{values} FROM hits WHERE _rule = {index[rule_id]} AND {present}"
            )
        names = ", ".join(f"_g{n}" for n in range(width)) or "1 AS _all"
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE _can_fire AS SELECT {names} FROM ({' UNION ALL '.join(parts)}) "
            f"GROUP BY ALL HAVING count(*) >= {int(least[0])} AND count(DISTINCT _r) >= {int(least[1])}"
        )


class DuckDBHits(HitsTable):
    """Runs the rules over a trail with DuckDB, into :class:`HitsTable`'s tables."""

    _created = False
    """Whether ``hits`` and ``seen`` exist (the first batch creates them, the next ones insert)."""

    def scan(
        self,
        files: Iterable[Path],
        where: TrailFilter | None = None,
        report: ReadReport | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ReadReport:
        report = report if report is not None else ReadReport()
        reader = TrailReader(self.con, where, report, progress=progress, keep_sql=self._keep_sql())
        select = f"SELECT unnest(_m) AS _rule, * EXCLUDE (_m) FROM {BATCH_TABLE} WHERE len(_m) > 0"
        firsts = firsts_sql("duckdb", BATCH_TABLE)
        self._limit(self.memory_limit)
        try:
            for _ in reader.batches(files):
                if self._created:
                    self.con.execute(f"INSERT INTO hits {select}")
                    self.con.execute(f"INSERT INTO seen {firsts}")
                else:
                    self.con.execute(f"CREATE TEMP TABLE hits AS {select}")
                    self.con.execute(f"CREATE TEMP TABLE seen AS {firsts}")
                    self._created = True
        finally:
            self.con.execute(f"DROP TABLE IF EXISTS {BATCH_TABLE}")  # the last batch: no longer needed
            self._limit(self.answer_limit)
        if not self._created:
            self._create_empty()
            self._created = True
        return report

    def _keep_sql(self) -> str:
        """Each record with ``_m``, the rules it matches (one pass over the batch, every rule in one projection);
        the columns first-seen behaviour and the read's accounting need are kept for every record, the others only
        for the records some rule matched."""
        columns = ", ".join(
            f'"{k}"' if k in KEPT_COLUMNS else f'CASE WHEN len(_m) > 0 THEN "{k}" END AS "{k}"' for k in RECORD
        )
        return (
            f"SELECT _m, _file, {columns}, _time FROM "
            f"(SELECT {matches_sql(self.rules, 'duckdb', by_event_name=False)} AS _m, * FROM ({{records}}))"
        )


def _shared(shared: dict[Any, Any], value: Any) -> Any:
    """``value``, or the equal value seen before (hashable values only: a list is kept as it is)."""
    try:
        return shared.setdefault(value, value)
    except TypeError:
        return value
