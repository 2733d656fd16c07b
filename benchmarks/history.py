"""The scan history at scale: a year of daily scans of a generated account, recorded, diffed and charted.

.venv/bin/python benchmarks/history.py                                  # 5,000 principals, 365 days, SQLite
.venv/bin/python benchmarks/history.py --days 30                        # a quick run
.venv/bin/python benchmarks/history.py --days 30 --postgresql          # also on a PostgreSQL server it starts
.venv/bin/python benchmarks/history.py --db postgresql://postgres@127.0.0.1:5433/bench   # on your own server

The account is generated once (``benchmarks/generate_account.py``, cached in benchmarks/out/) and scanned once with
every check; what the history keeps of it (:func:`iamwarden.store.scan_content`) is then changed a little each day,
as an account churns: about 0.2 % of the users join and 0.1 % leave (with their keys), 0.4 % of the access keys are
rotated, two customer-managed policies get a new default version, a role's trust policy changes, and 1 % of the results
flip between pass and fail (as many each way, so the open failures stay as many as the scan found). Each day is
recorded in its own transaction, as ``scan --record`` does (opening the
database each time). Figures, per database given (default: a new SQLite file in a temporary folder):

(a) **record**: seconds per scan (median, 95th percentile, max), opening the database included;
(b) **size** of the database after all the days (SQLite: the file; PostgreSQL: ``pg_database_size``);
(c) **diff**: ``iamwarden diff`` between two days read back from the database (what differs between the two scans,
    first-seen dates of the open failures, every IAM change decided with the engine), for a few pairs of days; then
    the ``iamwarden diff`` command itself in a new process (start-up, imports and the JSON file included);
(d) **trend**: the HTML report's history query (scores per scan), and the first-seen dates of every open failure of
    the last scan (read with what differs from the previous scan, as ``scan --record`` does for its reports).

Goals on 2 cores: record under 5 s per scan, diff under 2 s, trend under 1 s. The database given with ``--db`` must
be empty (a new SQLite path, or a new PostgreSQL database). On a shared machine wall times depend on the other
processes; say so when quoting them. No assertion: the targets live here, not in the test suite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.snapshot_load import ensure_snapshot  # noqa: E402

GOALS = {"record": 5.0, "diff": 2.0, "trend": 1.0}


def base_content(principals: int, seed: int) -> Any:
    """Generate (or reuse) the account, scan it with every check, and keep what the history records."""
    from iamwarden.checks.runner import run_checks
    from iamwarden.collect.snapshot import read_snapshot
    from iamwarden.model import build_account
    from iamwarden.store import scan_content

    path, generated = ensure_snapshot(principals, seed)
    if generated is not None:
        print(f"generated {path} in {generated:.1f} s")
    start = time.perf_counter()
    account = build_account(read_snapshot(path))
    assessment = run_checks(account)
    scanned = time.perf_counter() - start
    from iamwarden.runtime import gc_paused

    start, start_cpu = time.perf_counter(), time.process_time()
    with gc_paused():  # as scan --record does
        content = scan_content(account, assessment)
    extracted, extracted_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(
        f"account: {len(account.users)} users, {len(account.roles)} roles, {len(account.groups)} groups, "
        f"{len(account.policies)} managed policies; {len(content.results)} results, {len(content.entities)} entities, "
        f"{len(content.documents)} documents"
    )
    print(
        f"scan (load + every check, once): {scanned:.1f} s; what the history keeps of it: {extracted:.2f} s "
        f"({extracted_cpu:.2f} s CPU)"
    )
    return content


def churn(content: Any, day: int, rng: random.Random) -> Any:
    """The next day's content: a few users join and leave, keys rotate, policies and a trust change, results flip."""
    entities = dict(content.entities)
    documents: dict[str, Any] = {}
    results = dict(content.results)
    users = [k for k in entities if k[0] == "user"]
    template = entities[users[0]]
    account = content.account_id
    for i in range(max(1, len(users) // 500)):
        arn = f"arn:aws:iam::{account}:user/joiner-{day}-{i}"
        entities[("user", arn)] = {**template, "name": f"joiner-{day}-{i}", "groups": list(template.get("groups", []))}
        entities[("key", f"AKIAJOIN{day:05d}{i:03d}X")] = {"user": arn, "status": "Active", "created": f"day {day}"}
    leaving = set(rng.sample(users, max(1, len(users) // 1000)))
    for key in leaving:
        del entities[key]
    for key in [k for k, v in entities.items() if k[0] == "key" and ("user", v["user"]) in leaving]:
        del entities[key]
    keys = [k for k in entities if k[0] == "key"]
    for n, key in enumerate(rng.sample(keys, min(len(keys), max(1, len(keys) // 250)))):
        facts = entities.pop(key)
        entities[("key", f"AKIAROT{day:05d}{n:04d}X")] = {**facts, "status": "Active", "created": f"day {day}"}
    policies = [k for k, v in entities.items() if k[0] == "policy" and not v["aws"]]
    for n, key in enumerate(rng.sample(policies, min(2, len(policies)))):
        facts = entities[key]
        doc = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": rng.choice(["s3:GetObject", "sqs:*", "ec2:Describe*"]), "Resource": "*"}
            ],
        }
        digest = f"bench-{day}-{n}"
        documents[digest] = doc
        version = f"v{day}"
        entities[key] = {**facts, "default": version, "versions": {**facts["versions"], version: digest}}
    roles = [k for k, v in entities.items() if k[0] == "role" and v.get("trust")]
    if roles:
        key = rng.choice(roles)
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{day:012d}:root"}, "Action": "sts:AssumeRole"}
            ],
        }
        documents[f"bench-trust-{day}"] = trust
        entities[key] = {**entities[key], "trust": f"bench-trust-{day}"}
    # as many failures fixed as passes broken, so the count of open failures stays where the scan put it (flipping
    # 1 % of them at random drifted towards half failing: 9,909 open failures on day 1, 25,979 on day 197, and a
    # diff's cost follows the open failures, not the days recorded)
    passing = [fid for fid, row in results.items() if row.status == "pass"]
    failing = [fid for fid, row in results.items() if row.status == "fail"]
    flips = max(1, (len(passing) + len(failing)) // 200)
    for fid in rng.sample(passing, min(flips, len(passing))) + rng.sample(failing, min(flips, len(failing))):
        row = results[fid]
        results[fid] = replace(row, status="fail" if row.status == "pass" else "pass")
    known = dict(content.documents)
    known.update(documents)
    return replace(
        content,
        collected_at=content.collected_at + timedelta(days=1),
        entities=entities,
        results=results,
        documents=known,
    )


def size_of(history: Any, url: str) -> int:
    from sqlalchemy import text

    if history.engine.dialect.name == "postgresql":
        with history.engine.connect() as conn:
            return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    return Path(history.engine.url.database).stat().st_size


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(db: str, base: Any, days: int, seed: int, server: Any = None) -> None:
    """Record ``days`` days into ``db`` and measure; ``server`` (a PostgreSQL server the benchmark started) also
    reports the server's CPU time per scan."""
    from iamwarden.runtime import gc_paused
    from iamwarden.store import History, database_url, describe

    print(f"\n== {describe(database_url(db))}")
    rng = random.Random(seed)
    content = base
    times: list[float] = []
    cpu: list[float] = []
    server_cpu: list[float] = []
    ids: list[int] = []
    start_all = time.perf_counter()
    for day in range(days):
        if day:
            content = churn(content, day, rng)
        start, start_cpu = time.perf_counter(), time.process_time()
        start_server = server.cpu_seconds() if server is not None else 0.0
        with gc_paused(), History.open(db) as history:  # as scan --record does
            ids.append(
                history.record(
                    content, tool_version="bench", snapshot_hash=f"{day:064d}", snapshot_path=None, source="generated"
                ).id
            )
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if server is not None:
            server_cpu.append(server.cpu_seconds() - start_server)
        if days >= 10 and (day + 1) % max(1, days // 10) == 0:
            print(f"  recorded {day + 1} scans ({time.perf_counter() - start_all:.0f} s so far)", flush=True)
    print(
        f"(a) record: median {statistics.median(times):.2f} s, p95 {pct(times, 0.95):.2f} s, max {max(times):.2f} s "
        f"per scan (first {times[0]:.2f} s: every document is new); goal < {GOALS['record']:.0f} s"
    )
    print(f"    CPU time of this process (the database server's not included): median {statistics.median(cpu):.2f} s")
    if server_cpu:
        print(
            f"    CPU time of the PostgreSQL server per scan: median {statistics.median(server_cpu):.2f} s, "
            f"p95 {pct(server_cpu, 0.95):.2f} s"
        )
    measure(db, base.account_id, ids, server)


def measure(db: str, account_id: str, ids: Sequence[int], server: Any = None) -> None:
    """(b), (c) and (d) on a filled database whose scans of ``account_id`` are ``ids`` (oldest first)."""
    from iamwarden.runtime import gc_paused
    from iamwarden.store import History
    from iamwarden.store.diff import Side, diff_scans

    days = len(ids)
    with gc_paused(), History.open(db) as history:  # as diff does
        size = size_of(history, db)
        print(f"(b) size: {size / 2**20:.1f} MiB for {days} scans ({size / days / 2**10:.0f} KiB per scan)")
        pairs = list(dict.fromkeys([(ids[-2], ids[-1]), (ids[len(ids) // 2], ids[-1]), (ids[0], ids[-1])]))
        for old_id, new_id in pairs:
            start, start_cpu = time.perf_counter(), time.process_time()
            start_server = server.cpu_seconds() if server is not None else 0.0
            old, new, before = history.compared(old_id, new_id)  # as diff does for two recorded scans
            changes = diff_scans(
                old,
                new,
                Side(str(old_id), old.account_id, old.collected_at),
                Side(str(new_id), new.account_id, new.collected_at),
                before,
            )
            took, took_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            on_server = f", server {server.cpu_seconds() - start_server:.2f} s CPU" if server is not None else ""
            counts = changes.counts()
            print(
                f"(c) diff scan {old_id} -> {new_id}: {took:.2f} s ({took_cpu:.2f} s CPU{on_server}; "
                f"{len(changes.changes)} IAM "
                f"changes, {counts['new']} new, {counts['regressed']} regressed, {counts['resolved']} resolved, "
                f"{counts['unchanged']} unchanged); goal < {GOALS['diff']:.0f} s"
            )
        for old_id, new_id in pairs:
            took, took_cpu = cli_diff(db, old_id, new_id)
            print(
                f"    `iamwarden diff {old_id} {new_id} -f json -o FILE` as a new process (Python's start and imports, "
                f"the catalogue's index and writing the JSON included): {took:.2f} s ({took_cpu:.2f} s CPU)"
            )
        start = time.perf_counter()
        points = history.trend(account_id)
        trend = time.perf_counter() - start
        start, start_cpu = time.perf_counter(), time.process_time()
        _, last, first = history.compared(ids[-2], ids[-1]) if len(ids) > 1 else (None, None, {})
        ages, ages_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        failing = len(last.results) if last is not None else 0
        print(
            f"(d) trend: {trend:.2f} s for {len(points)} scans x 11 practices; first-seen dates of the last scan's "
            f"{failing} open failures, read with what differs from the previous scan (what scan --record reads for its "
            f"reports): {ages:.2f} s ({ages_cpu:.2f} s CPU, {len(first)} dates); goal < {GOALS['trend']:.0f} s"
        )


def cli_diff(db: str, old_id: int, new_id: int) -> tuple[float, float]:
    """Wall and CPU seconds of the ``iamwarden diff`` command between two recorded scans, in a process of its own."""
    import os
    import resource
    import subprocess

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-c", "from iamwarden.cli.app import main; main()", "diff", str(old_id), str(new_id)]
        command += ["--db", db, "-f", "json", "-o", str(Path(tmp) / "changes.json")]
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=os.environ)
        took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--principals", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", action="append", help="An empty database to fill (repeat for several).")
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="Also start Debian's PostgreSQL on a free port (as the postgres user when root; commits flushed to disk, "
        "as SQLite's are) and fill a new database there; the server is stopped and its folder removed at the end.",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="Without --db, fill no SQLite file.")
    parser.add_argument(
        "--measure-only",
        metavar="DB",
        help="Record nothing: measure (b), (c) and (d) on a database an earlier run filled (or partly filled: a "
        "year's run stopped part-way keeps the days it recorded).",
    )
    args = parser.parse_args(argv)
    if args.measure_only:
        from iamwarden.store import History

        with History.open(args.measure_only) as history:
            scans = history.scans()
        print(f"== {args.measure_only}: {len(scans)} scans recorded")
        measure(args.measure_only, scans[-1].account_id, [s.id for s in scans])
        return 0
    base = base_content(args.principals, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        targets = list(args.db or ([] if args.no_sqlite else [str(Path(tmp) / "history.sqlite")]))
        for db in targets:
            run(db, base, args.days, args.seed)
        if args.postgresql:
            from tests.store.postgres import running_postgres

            with running_postgres(durable=True) as server:
                print(f"\nPostgreSQL server started by the benchmark on port {server.port}")
                run(server.new_database(), base, args.days, args.seed, server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
