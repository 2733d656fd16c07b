"""The DuckDB engine's memory: its limit while reading and while answering, each event id once in a group, and the
correlation rows fetched a chunk at a time with their repeated values shared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from iamwarden.detections import duckdb_engine, load_rules
from iamwarden.detections.duckdb_engine import DuckDBHits

USER = {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/mallory", "userName": "mallory"}


def ev(name: str, second: int) -> dict[str, Any]:
    return {
        "eventTime": f"2026-11-01T10:{second // 60:02d}:{second % 60:02d}Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": name,
        "eventID": f"{name}-{second}",
        "userIdentity": USER,
        "requestParameters": {"userName": f"u{second % 3}"},
    }


def engine(tmp_path: Path, memory_limit: str = "600MB", answer_limit: str = "300MB") -> DuckDBHits:
    folder = tmp_path / "rules"
    folder.mkdir()
    rules = [
        {
            "title": n,
            "name": n,
            "logsource": {"product": "aws", "service": "cloudtrail"},
            "level": "low",
            "detection": {"sel": {"eventName": n}, "condition": "sel"},
        }
        for n in ("GetUser", "CreateUser")
    ]
    (folder / "r.yml").write_text(yaml.safe_dump_all(rules))
    return DuckDBHits(load_rules([folder], pack=False).rules, memory_limit=memory_limit, answer_limit=answer_limit)


def trail(tmp_path: Path, name: str, events: list[dict[str, Any]]) -> Path:
    log = tmp_path / name
    log.write_text(json.dumps(events))
    return log


def shown(limit: str) -> str:
    """How DuckDB shows a memory limit (``600MB`` is ``572.2 MiB``)."""
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{limit}'")
    row = con.execute("SELECT current_setting('memory_limit')").fetchone()
    con.close()
    assert row is not None
    return str(row[0])


def test_reads_at_the_memory_limit_and_answers_at_the_lower_one(tmp_path: Path) -> None:
    hits = engine(tmp_path)
    seen: list[str] = []

    def progress(_: int) -> None:
        row = hits.con.execute("SELECT current_setting('memory_limit')").fetchone()
        seen.append(str(row[0]) if row else "")

    try:
        hits.scan([trail(tmp_path, "a.json", [ev("GetUser", 1)])], progress=progress)
        assert seen == [shown("600MB")]
        row = hits.con.execute("SELECT current_setting('memory_limit')").fetchone()
        assert row is not None and row[0] == shown("300MB")
        # the last batch is dropped with the reading: the answers have DuckDB's memory to themselves
        assert hits.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'trail_batch'").fetchone() == (
            0,
        )
    finally:
        hits.close()


def test_a_record_read_twice_counts_twice_and_its_id_is_listed_once(tmp_path: Path) -> None:
    events = [ev("GetUser", s) for s in (5, 1, 3)] + [ev("CreateUser", 2)]
    first, again = trail(tmp_path, "a.json", events), trail(tmp_path, "b.json", events[:2])
    no_id = {k: v for k, v in ev("GetUser", 0).items() if k != "eventID"}
    hits = engine(tmp_path)
    try:
        hits.scan([first, again, trail(tmp_path, "c.json", [no_id])])
        groups = {g.rule_id: g for g in hits.groups()}
    finally:
        hits.close()
    assert len(groups) == 2
    get_user = next(g for g in groups.values() if g.count == 6)
    assert get_user.event_ids[1:] == ("GetUser-1", "GetUser-3", "GetUser-5")
    assert get_user.event_ids[0].endswith("c.json#2026-11-01 10:00:00+00")
    assert (get_user.first.second, get_user.last.second) == (0, 5)
    (create_user,) = (g for g in groups.values() if g.count == 1)
    assert create_user.event_ids == ("CreateUser-2",)


def test_correlation_rows_in_chunks_share_their_repeated_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duckdb_engine, "FETCH_ROWS", 2)
    events = [ev("GetUser", s) for s in range(7)] + [ev("CreateUser", s) for s in range(3)]
    hits = engine(tmp_path)
    try:
        hits.scan([trail(tmp_path, "a.json", events)])
        ids = [r.info.id for r in hits.rules]
        user = "json_extract_string(\"requestParameters\", '$.userName')"
        rows = hits.correlation_rows(ids, {ids[0]: ('"userIdentity"."arn"', user)})
    finally:
        hits.close()
    assert [r[0] for r in rows] == [ids[0]] * 7 + [ids[1]] * 3
    assert [r[2] for r in rows] == [f"GetUser-{s}" for s in range(7)] + [f"CreateUser-{s}" for s in range(3)]
    assert [r[-1] for r in rows[:7]] == [f"u{s % 3}" for s in range(7)]
    assert all(len(r) == 8 for r in rows[:7]) and all(len(r) == 6 for r in rows[7:])
    # one object per distinct value, however many rows (and chunks) hold it
    assert len({id(r[4]) for r in rows}) == 1
    assert len({id(r[-1]) for r in rows[:7]}) == 3


def test_correlation_rows_of_groups_too_small_to_fire_are_not_fetched(tmp_path: Path) -> None:
    # GetUser of users u0, u1, u2: 3, 2 and 2 events; CreateUser of u0, u1, u2: one each
    events = [ev("GetUser", s) for s in range(7)] + [ev("CreateUser", s) for s in range(3)]
    hits = engine(tmp_path)
    try:
        hits.scan([trail(tmp_path, "a.json", events)])
        get, create = (r.info.id for r in hits.rules)
        user = "json_extract_string(\"requestParameters\", '$.userName')"
        group: dict[str, tuple[str, ...]] = {get: (user,), create: (user,)}

        def users(rule_ids: list[str], least: tuple[int, int]) -> list[tuple[str, str]]:
            return [(r[0], r[-1]) for r in hits.correlation_rows(rule_ids, group, 1, least)]

        every = users([get, create], (1, 1))
        assert len(every) == 10
        assert users([get], (3, 1)) == [(get, "u0")] * 3  # u1 and u2 have two GetUser each
        assert users([get, create], (4, 1)) == [r for r in every if r[1] == "u0"]  # 3 + 1 across the two rules
        assert users([get, create], (2, 2)) == every  # every user has both
        assert users([create], (2, 1)) == []
        assert hits.correlation_rows([get], {}, 0, (8, 1)) == []  # no group-by: the whole of the rule's hits
        assert len(hits.correlation_rows([get], {}, 0, (7, 1))) == 7
    finally:
        hits.close()
