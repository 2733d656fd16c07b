"""The batch loader: bad input counted per file and reason (never a traceback), filters, the S3 layout's pruning."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from iamwarden.collect.cloudtrail import ReadReport, TrailFilter, TrailReader, log_files


def event(name: str, when: str = "2026-11-01T10:00:00Z", region: str = "us-east-1", account: str = "111122223333"):  # type: ignore[no-untyped-def]
    return {
        "eventTime": when,
        "eventSource": "iam.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "recipientAccountId": account,
        "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::{account}:user/a"},
    }


def read(files: list[Path], where: TrailFilter | None = None) -> tuple[list[str], ReadReport]:
    con = duckdb.connect()
    report = ReadReport()
    names: list[str] = []
    for table in TrailReader(con, where, report, batch_bytes=1).batches(files):
        names.extend(r[0] for r in con.execute(f'SELECT "eventName" FROM {table}').fetchall())
    return sorted(names), report


def test_bad_files_are_counted_and_the_rest_read(tmp_path: Path) -> None:
    good = tmp_path / "good.json.gz"
    good.write_bytes(gzip.compress(json.dumps({"Records": [event("A"), event("B")]}).encode()))
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(gzip.compress(json.dumps({"Records": [event("C")] * 50}).encode())[:-30])
    lines = tmp_path / "some.jsonl"
    lines.write_text(json.dumps(event("D")) + "\n{not json\n" + json.dumps({"eventName": "E"}) + "\n")
    empty = tmp_path / "empty.json"
    empty.write_text("")
    names, report = read([good, cut, lines, empty])
    assert names == ["A", "B", "D"]
    assert report.records == 3
    assert report.problems == {
        (str(cut), "truncated gzip (records after the cut are lost)"): 1,
        (str(lines), "line that is not JSON"): 1,
        (str(lines), "record without eventSource or eventName"): 1,
        (str(empty), "empty file"): 1,
    }


def test_truncated_json_lines_keep_the_whole_lines(tmp_path: Path) -> None:
    cut = tmp_path / "cut.jsonl.gz"
    text = "".join(json.dumps(event(f"N{i}")) + "\n" for i in range(200))
    cut.write_bytes(gzip.compress(text.encode())[:-40])
    names, report = read([cut])
    assert 0 < len(names) < 200 and report.problems[(str(cut), "truncated gzip (records after the cut are lost)")] == 1


def test_filters(tmp_path: Path) -> None:
    log = tmp_path / "t.json"
    log.write_text(
        json.dumps(
            [
                event("Old", "2026-10-01T00:00:00Z"),
                event("New", "2026-11-02T00:00:00Z"),
                event("Elsewhere", "2026-11-02T00:00:00Z", region="eu-west-1"),
                event("Other", "2026-11-02T00:00:00Z", account="444455556666"),
            ]
        )
    )
    where = TrailFilter(
        since=datetime(2026, 11, 1, tzinfo=UTC), accounts=frozenset({"111122223333"}), regions=frozenset({"us-east-1"})
    )
    names, report = read([log], where)
    assert names == ["New"] and report.filtered == 3


def test_s3_layout_pruned_before_reading(tmp_path: Path) -> None:
    def put(account: str, region: str, day: str) -> None:
        folder = tmp_path / "AWSLogs" / account / "CloudTrail" / region / day
        folder.mkdir(parents=True)
        (folder / f"{account}_CloudTrail_{region}_20261101T0000Z_x.json.gz").write_bytes(
            gzip.compress(json.dumps({"Records": [event("X")]}).encode())
        )

    put("111122223333", "us-east-1", "2026/11/01")
    put("111122223333", "us-east-1", "2026/10/01")
    put("111122223333", "eu-west-1", "2026/11/01")
    put("444455556666", "us-east-1", "2026/11/01")
    where = TrailFilter(
        since=datetime(2026, 10, 15, tzinfo=UTC), accounts=frozenset({"111122223333"}), regions=frozenset({"us-east-1"})
    )
    kept = log_files(tmp_path, where)
    assert [p.relative_to(tmp_path).parts[1:4] for p in kept] == [("111122223333", "CloudTrail", "us-east-1")]
    assert "2026/11/01" in "/".join(kept[0].parts)
