"""Recording scans and reading them back, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from iamwarden.store import History, StoreError, schema
from tests.store.contents import demo_content, small_content

ROOT = Path(__file__).resolve().parents[2]


def day(n: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, n, hour, 0, tzinfo=UTC)


def record(history: History, content: object, tag: str = "x") -> int:
    return history.record(
        content,  # type: ignore[arg-type]
        tool_version="test",
        snapshot_hash=tag * 64 if len(tag) == 1 else tag,
        snapshot_path=None,
        source="live",
    ).id


def test_a_recorded_scan_reads_back_the_same(db: str) -> None:
    content = demo_content(0)
    with History.open(db) as history:
        scan_id = record(history, content)
        back = history.content(scan_id)
        assert back.account_id == content.account_id and back.org_id == content.org_id
        assert back.collected_at == content.collected_at
        assert back.entities == content.entities
        assert back.results == content.results
        assert back.practices == content.practices
        some = next(iter(content.documents))
        assert back.document(some) == content.documents[some]  # loaded from the database on demand
        [listed] = history.scans(account_id=content.account_id)
        assert listed.id == scan_id and listed.snapshot_hash == "x" * 64


def test_scans_are_named_by_id_latest_previous_and_day(db: str) -> None:
    with History.open(db) as history:
        ids = [record(history, small_content(day(n))) for n in (1, 3, 5)]
        record(history, small_content(day(4), account="444455556666"))
        assert history.resolve(str(ids[1])).id == ids[1]
        assert history.resolve(f"{small_content(day(1)).account_id}@latest").id == ids[2]
        assert history.resolve("111122223333@previous").id == ids[1]
        assert history.resolve("111122223333@2026-11-04").id == ids[1]  # the last scan on or before that day
        assert history.resolve("111122223333@2026-11-05").id == ids[2]
        with pytest.raises(StoreError, match="no scan of account 111122223333 collected on or before 2026-10-31"):
            history.resolve("111122223333@2026-10-31")
        with pytest.raises(StoreError, match="holds 1 scan"):
            history.resolve("444455556666@previous")
        with pytest.raises(StoreError, match="no scan 999"):
            history.resolve("999")
        assert [s.account_id for s in history.scans(org_id="o-example")].count("111122223333") == 3


def test_prune_deletes_old_scans_and_the_blobs_only_they_used(db: str) -> None:
    with History.open(db) as history:
        old = record(history, small_content(day(1), tag="-old"))
        kept = record(history, small_content(day(20)))
        gone = history.prune(10, now=day(25))
        assert [s.id for s in gone] == [old]
        assert [s.id for s in history.scans()] == [kept]
        with history.engine.connect() as conn:
            bodies = conn.execute(select(schema.blob_store.c.body)).scalars().all()
        assert not any("alice-old" in b for b in bodies)  # the old user's facts went with it
        with history.engine.connect() as conn:
            keys = conn.execute(select(schema.entity_keys.c.key)).scalars().all()
        assert keys == ["arn:aws:iam::111122223333:user/alice"]  # and its key
        assert any('"alice"' in b for b in bodies)
        back = history.content(kept)
        assert back.document(back.entities[("user", "arn:aws:iam::111122223333:user/alice")]["inline"]["read"])


def test_a_scan_that_fails_half_way_writes_nothing(db: str) -> None:
    bad = small_content(day(2))
    broken = replace(next(iter(bad.results.values())), resource=None)  # type: ignore[arg-type]
    bad.results = {broken.finding_id: broken}
    with History.open(db) as history:
        with pytest.raises(StoreError, match="database error"):
            record(history, bad)
        assert history.count() == 0
        with history.engine.connect() as conn:
            for table in (schema.blob_store, schema.scan_entities, schema.scan_results, schema.findings):
                assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0


RECORDER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from tests.store.contents import small_content
    from iamwarden.store import History

    db, who = sys.argv[1], sys.argv[2]
    for n in range(4):
        with History.open(db) as history:  # each scan opens the database anew, as `scan --record` does
            content = small_content(datetime(2026, 11, 1 + n, tzinfo=UTC), tag=f"-{who}-{n}")
            history.record(content, tool_version="test", snapshot_hash=who * 64, snapshot_path=None, source="live")
    """
)


def test_two_concurrent_recorders_both_land(db: str) -> None:
    """Two processes open a new database at once (both try to create its schema) and record four scans each."""
    env_path = f"{ROOT / 'src'}:{ROOT}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RECORDER, db, who],
            env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for who in ("a", "b")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
    with History.open(db) as history:
        scans = history.scans()
        assert len(scans) == 8
        assert sorted(s.snapshot_hash[0] for s in scans) == ["a"] * 4 + ["b"] * 4
        for s in scans:
            assert len(history.content(s.id).entities) == 1


def test_a_corrupt_file_is_one_line_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"this is not a database, it is text " * 100)
    with pytest.raises(StoreError) as exc:
        History.open(str(path))
    assert exc.value.one_line() == f"{path}: not an iamwarden history database: file is not a database"


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError, match=r"not an iamwarden history database \(it holds other tables: invoices\)"):
        History.open(str(path))
    with sqlite3.connect(path) as conn:  # untouched
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["invoices"]


def test_a_database_of_a_newer_iamwarden_is_never_read(db: str) -> None:
    from sqlalchemy import text

    History.open(db).close()
    with History.open(db) as history, history.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(
        StoreError, match=r"written by a newer iamwarden \(schema revision 0099; this version knows up to"
    ):
        History.open(db)


def test_a_postgresql_server_that_is_down_is_one_line() -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://iw:secret@127.0.0.1:{port}/history"
    with pytest.raises(StoreError) as exc:
        History.open(url)
    line = exc.value.one_line()
    assert line.startswith(f"postgresql://iw:***@127.0.0.1:{port}/history: cannot connect: ")
    assert "secret" not in line and "\n" not in line


def test_default_database_is_in_the_user_data_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from iamwarden.store import database_url, default_db_path

    monkeypatch.delenv("IAMWARDEN_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_db_path() == tmp_path / "iamwarden" / "history.sqlite"
    assert database_url(None).database == str(tmp_path / "iamwarden" / "history.sqlite")
    monkeypatch.setenv("IAMWARDEN_DB", str(tmp_path / "env.sqlite"))
    assert database_url(None).database == str(tmp_path / "env.sqlite")
    assert database_url("postgresql://u@h/d").drivername == "postgresql+psycopg"
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        database_url("mysql://u@h/d")


def test_sqlite_readers_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    """A writer holds SQLite's write lock for its whole transaction; a reader (history list, diff) still reads."""
    db = str(tmp_path / "history.sqlite")
    with History.open(db) as history:
        scan_id = record(history, small_content(day(1)))
    with History.open(db) as writer, History.open(db) as reader, writer.engine.begin() as conn:
        conn.execute(schema.scans.update().values(source="changing"))  # uncommitted, write lock held
        assert [s.id for s in reader.scans()] == [scan_id]
