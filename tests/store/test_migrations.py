"""The migrations build the schema :mod:`iamwarden.store.schema` describes, and upgrade databases written by the
previous schema versions (checked-in files, ``data/history-0001.sqlite``, ``data/history-0002.sqlite`` and
``data/history-0004.sqlite``; ``data/make_old_database.py`` made them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import inspect

from iamwarden.store import History, schema
from iamwarden.store.database import SCHEMA_REVISION, head_revision

DATA = Path(__file__).parent / "data"


def test_migrations_build_the_described_schema(db: str) -> None:
    with History.open(db) as history, history.engine.connect() as conn:
        found = inspect(conn)
        assert set(found.get_table_names()) == {*schema.TABLES, "alembic_version"}
        for table in schema.metadata.sorted_tables:
            columns = {c["name"]: c for c in found.get_columns(table.name)}
            assert set(columns) == {c.name for c in table.columns}, table.name
            for column in table.columns:
                assert columns[column.name]["nullable"] == column.nullable, (table.name, column.name)
            described = {tuple(i.columns.keys()) for i in table.indexes}
            assert described <= {tuple(i["column_names"]) for i in found.get_indexes(table.name)}, table.name


@pytest.mark.parametrize("revision", ["0001", "0002", "0004"])
def test_a_database_of_a_previous_schema_is_migrated(tmp_path: Path, revision: str) -> None:
    path = tmp_path / "history.sqlite"
    shutil.copy(DATA / f"history-{revision}.sqlite", path)
    with History.open(str(path)) as history:
        with history.engine.connect() as conn:
            from sqlalchemy import text

            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
        scans = history.scans()
        assert [s.id for s in scans] == [1, 2]
        old = history.content(1)
        alice = old.entities[("user", "arn:aws:iam::111122223333:user/alice")]
        assert old.document(alice["inline"]["read"])["Statement"][0]["Action"] == "s3:GetObject"
        if revision == "0004":  # its results' text statuses and severities became codes, read back as names
            assert [(p.practice, p.score) for p in old.practices] == [(2, 0)]
            assert [p.scores for p in history.trend("111122223333")] == [{2: 0}, {2: 100}]
            root = old.results["iw-0000000000000002"]
            assert (root.status, root.severity, root.suppressed) == ("not_applicable", "critical", True)
            assert history.content(2).results["iw-0000000000000001"].status == "pass"
        else:
            assert old.practices == []  # recorded before practice scores existed
            assert history.trend("111122223333") == []
        assert old.results["iw-0000000000000001"].status == "fail"
        assert old.results["iw-0000000000000001"].severity == "high"
        assert history.first_failed("111122223333", ["iw-0000000000000001"]) == {
            "iw-0000000000000001": scans[0].collected_at
        }
        from dataclasses import replace

        new = replace(old, collected_at=scans[1].collected_at.replace(day=3))
        scan_id = history.record(new, tool_version="test", snapshot_hash="c" * 64, snapshot_path=None, source="live").id
        assert history.content(scan_id).results == old.results


def test_every_status_and_severity_has_a_stored_code() -> None:
    from iamwarden.checks.base import Severity, Status

    assert set(schema.STATUS_CODES) == {s.value for s in Status}
    assert set(schema.SEVERITY_CODES) == {s.value for s in Severity}


def test_the_code_tables_name_the_codes(db: str) -> None:
    from sqlalchemy import select

    with History.open(db) as history, history.engine.connect() as conn:
        statuses = dict(conn.execute(select(schema.result_statuses.c.name, schema.result_statuses.c.code)).all())
        severities = dict(conn.execute(select(schema.severities.c.name, schema.severities.c.code)).all())
    assert statuses == schema.STATUS_CODES and severities == schema.SEVERITY_CODES


def test_the_revision_open_compares_is_the_newest_migration() -> None:
    # History.open reads alembic_version and compares it with SCHEMA_REVISION, without Alembic: a new migration
    # must move it, or databases would be taken as up to date without being migrated
    assert head_revision() == SCHEMA_REVISION


def test_the_failed_status_the_store_keeps_is_the_checks_own() -> None:
    from iamwarden.checks.base import Status
    from iamwarden.store.content import FAIL

    assert Status.FAIL.value == FAIL
