"""``scan --record``, ``history`` and ``diff`` from the command line, on SQLite and on a real PostgreSQL server; the
same commands ``make demo`` runs."""

from __future__ import annotations

import socket
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app
from tests.store.contents import DEMO, demo_change_script
from tests.store.postgres import db, postgres_server

__all__ = ["db", "postgres_server"]

runner = CliRunner()
WIDE = {"COLUMNS": "200"}
ACCOUNT = "444455556666"


@pytest.fixture(scope="module")
def day2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo-account-day2.json.gz"
    assert demo_change_script().main([str(DEMO), str(path)]) == 0
    return path


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=WIDE)
    return result.exit_code, result.output


def test_record_two_scans_then_list_show_and_diff(db: str, day2: Path, tmp_path: Path) -> None:
    code, out = run("scan", "-s", str(DEMO), "--record", "--db", db, "-f", "json", "-o", str(tmp_path / "1.json"))
    assert code == 0, out
    assert f"recorded scan 1 of account {ACCOUNT}" in out
    code, out = run("scan", "-s", str(day2), "--record", "--db", db, "-f", "json", "-o", str(tmp_path / "2.json"))
    assert code == 0 and f"recorded scan 2 of account {ACCOUNT}" in out, out

    code, out = run("history", "list", "--db", db, "--format", "json")
    assert code == 0, out
    scans = orjson.loads(out)["scans"]
    assert [(s["id"], s["account_id"], s["org_id"]) for s in scans] == [
        (1, ACCOUNT, "o-nw4example1"),
        (2, ACCOUNT, "o-nw4example1"),
    ]
    assert scans[1]["snapshot_path"] == str(day2.resolve())
    code, out = run("history", "list", "--db", db)
    assert (
        code == 0
        and out.startswith("2 scans of 1 account in ")
        and f"Account {ACCOUNT} (organization o-nw4example1)" in out
    )

    code, out = run("history", "show", f"{ACCOUNT}@latest", "--db", db)
    assert code == 0 and out.startswith(
        f"Scan 2 of account {ACCOUNT} (organization o-nw4example1), collected 2026-11-20 10:00 UTC"
    )

    code, out = run("diff", f"{ACCOUNT}@previous", f"{ACCOUNT}@latest", "--db", db)
    assert code == 0, out
    assert out.startswith(
        f"Account {ACCOUNT}: 4 IAM changes; findings: 4 new, 0 regressed, 2 resolved, 115 unchanged; "
        "scan 1 (2026-11-20 09:00 UTC) -> scan 2 (2026-11-20 10:00 UTC)"
    )
    for line in (
        "user/raj.mehta became an administrator via AdministratorAccess",
        "trust policy of role/security-audit-readonly opened: now admits arn:aws:iam::777788889999:root",
        "user/priya.patel: key AKIA************MPLE (created 2026-05-04) deleted, "
        "AKIA************MPLE (created 2026-11-20) created",
    ):
        assert line in out

    code, out = run("diff", "1", "2", "--db", db, "--format", "json,html", "-o", str(tmp_path / "changes"))
    assert code == 0, out
    data = orjson.loads((tmp_path / "changes" / "changes.json").read_bytes())
    assert data["summary"] == {
        "iam_changes": 4,
        "findings": {"new": 4, "regressed": 0, "resolved": 2, "unchanged": 115},
    }
    page = (tmp_path / "changes" / "changes.html").read_text(encoding="utf-8")
    assert "<h2>What changed</h2>" in page and "raj.mehta became an administrator" in page
    assert "default-src &#39;none&#39;" in page or "default-src 'none'" in page

    code, out = run("diff", f"{ACCOUNT}@previous", f"{ACCOUNT}@latest", "--db", db, "--fail-on-new", "high")
    assert code == 1 and "1 new or regressed failure at or above high (--fail-on-new): exit 1" in out
    code, _ = run("diff", f"{ACCOUNT}@previous", f"{ACCOUNT}@latest", "--db", db, "--fail-on-new", "critical")
    assert code == 0

    code, out = run("history", "prune", "--keep-days", "0", "--db", db)
    assert code == 0 and "deleted 2 scans" in out
    code, out = run("history", "list", "--db", db, "--format", "json")
    assert orjson.loads(out)["scans"] == []


def test_diff_of_two_snapshot_files_needs_no_database(
    day2: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IAMWARDEN_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    code, out = run("diff", str(DEMO), str(day2), "--fail-on-new", "low")
    assert code == 1, out
    assert "4 IAM changes; findings: 4 new, 0 regressed, 2 resolved, 115 unchanged" in out
    assert not (tmp_path / "data").exists()  # no history was created for it


def test_bad_references_and_options_are_one_line(tmp_path: Path) -> None:
    db_path = str(tmp_path / "h.sqlite")
    code, out = run("diff", "nope.json.gz", "1", "--db", db_path)
    assert (
        code == 2
        and out.strip()
        == "error: nope.json.gz: no such snapshot file, and not a scan id or ACCOUNT@latest|previous|YYYY-MM-DD"
    )
    code, out = run("diff", "1", "2", "--db", db_path)
    assert code == 2 and out.strip() == f"error: {db_path}: no scan 1 in the history"
    code, out = run("diff", "1", "2", "--db", db_path, "--format", "html")
    assert code == 2 and "json and html need -o/--output" in out


def test_a_corrupt_database_exits_2_after_writing_the_reports(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database\n" * 50)
    out_file = tmp_path / "findings.json"
    code, out = run("scan", "-s", str(DEMO), "--record", "--db", str(bad), "-f", "json", "-o", str(out_file))
    assert code == 2
    assert f"error: {bad}: not an iamwarden history database: file is not a database" in out
    assert orjson.loads(out_file.read_bytes())["findings"]  # the report was written first


def test_a_postgresql_server_that_is_down_exits_2_after_writing_the_reports(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out_file = tmp_path / "findings.json"
    url = f"postgresql://iw:hunter2@127.0.0.1:{port}/history"
    code, out = run("scan", "-s", str(DEMO), "--record", "--db", url, "-f", "json", "-o", str(out_file))
    assert code == 2
    [line] = [ln for ln in out.splitlines() if ln.startswith("error:")]
    assert line.startswith(f"error: postgresql://iw:***@127.0.0.1:{port}/history: cannot connect: ")
    assert "hunter2" not in out
    assert out_file.is_file()


def test_a_recorded_scans_json_report_dates_its_open_failures(db: str, day2: Path, tmp_path: Path) -> None:
    """scan --record --format json: each open failure's first_seen and since_previous_scan (new, regressed,
    unchanged); the demo, its scripted change, then the demo again an hour later (what the change fixed comes back)."""
    import gzip
    import json

    from jsonschema import Draft202012Validator

    day3 = tmp_path / "demo-account-day3.json"
    snapshot = json.loads(gzip.decompress(DEMO.read_bytes()))
    snapshot["collected_at"] = "2026-11-20T11:00:00Z"  # an hour after the change (no check crosses a day limit)
    day3.write_text(json.dumps(snapshot))
    schema = json.loads((Path(__file__).parents[2] / "docs" / "findings.schema.json").read_text())
    reports = []
    for n, path in enumerate((DEMO, day2, day3)):
        out = tmp_path / f"{n}.json"
        code, text = run("scan", "-s", str(path), "--record", "--db", db, "-f", "json", "-o", str(out))
        assert code == 0, text
        report = orjson.loads(out.read_bytes())
        Draft202012Validator(schema).validate(report)
        reports.append(report)
    times = [r["snapshot"]["collected_at"] for r in reports]

    def states(report: dict) -> dict[str, tuple[str, str]]:  # type: ignore[type-arg]
        out = {}
        for f in report["findings"]:
            failing = f["status"] == "fail" and "suppressed" not in f
            assert ("first_seen" in f) == failing and ("since_previous_scan" in f) == failing, f
            if failing:
                out[f["id"]] = (f["first_seen"], f["since_previous_scan"])
        return out

    first, second, third = (states(r) for r in reports)
    assert set(first.values()) == {(times[0], "new")}
    new_on_day2 = {f for f, state in second.items() if state == (times[1], "new")}
    assert len(new_on_day2) == 4 and new_on_day2 == second.keys() - first.keys()
    assert {second[f] for f in second.keys() & first.keys()} == {(times[0], "unchanged")}
    regressed = {f for f, state in third.items() if state[1] == "regressed"}
    assert regressed == first.keys() - second.keys() and len(regressed) == 2
    assert {third[f][0] for f in regressed} == {times[0]}  # first seen on the first day, back on the third
    assert third.keys() == first.keys() and not third.keys() & new_on_day2
