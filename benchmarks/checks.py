"""The full scan of a generated account: wall time, CPU time and peak memory, then where the time goes.

.venv/bin/python benchmarks/checks.py                      # 10,000 principals (generated into benchmarks/out/ once)
.venv/bin/python benchmarks/checks.py --principals 1000
.venv/bin/python benchmarks/checks.py --snapshot FILE --no-phases
.venv/bin/python benchmarks/checks.py --exclude least_privilege.privilege_escalation   # the scan without one check

(a) **Full scan**: ``iamwarden scan --snapshot FILE --format json -o OUT`` in a fresh interpreter, as a user runs it
    (read and validate the snapshot, build the model, every registered check, the JSON report with every result).
    Wall time from this process; CPU time (user + system) and peak resident memory (``ru_maxrss``: the whole
    process, interpreter and imports included) from ``getrusage(RUSAGE_CHILDREN)`` after it exits; the result
    count and statuses read back from the report. The goal for 10,000 principals: under 30 s and 2 GiB.
(b) **Phases** (skipped with ``--no-phases``), in this process: loading, ``run_checks`` over all checks, then the CPU
    time of each check on a freshly loaded account, in registry order as ``run_checks`` runs them (caches shared
    between checks, such as compiled policies and principals' engine verdicts, are paid by the first check to ask),
    the slowest listed.

On a shared machine wall time depends on the other processes; CPU time is the steadier figure.
No assertion: the targets live here, not in the test suite.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.snapshot_load import ensure_snapshot  # noqa: E402

MIB = 1024 * 1024
GOAL_SECONDS = 30.0
GOAL_MIB = 2048


EXCLUDING = """
import sys
from iamwarden.checks import runner
from iamwarden.cli.app import main
excluded = set(sys.argv[1].split(","))
runner.run_checks.__defaults__ = (None, tuple(c for c in runner.CHECKS if c.id not in excluded))
sys.argv = ["iamwarden", *sys.argv[2:]]
main()
"""
"""``iamwarden scan`` with some checks left out of the registry's default (``--exclude``)."""


def full_scan(snapshot: Path, exclude: Sequence[str] = ()) -> dict[str, object]:
    """Run ``iamwarden scan`` in a child process; its wall and CPU time, peak RSS and results."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "findings.json"
        command = [str(Path(sys.executable).parent / "iamwarden"), "scan", "--snapshot", str(snapshot)]
        if exclude:
            command = [sys.executable, "-c", EXCLUDING, ",".join(exclude), *command[1:]]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([*command, "--format", "json", "-o", str(report)], check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        doc = json.loads(report.read_bytes())
    return {
        "wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_rss_mib": after.ru_maxrss / 1024,  # Linux reports KiB
        "results": len(doc["findings"]),
        "statuses": dict(sorted(Counter(f["status"] for f in doc["findings"]).items())),
    }


def phases(snapshot: Path, top: int, exclude: Sequence[str]) -> None:
    from iamwarden.analysis.context import AnalysisContext
    from iamwarden.checks.config import Thresholds
    from iamwarden.checks.registry import CHECKS
    from iamwarden.checks.runner import run_checks
    from iamwarden.model import load_account

    start = time.perf_counter()
    account = load_account(str(snapshot))
    print(
        f"(b) load: {len(account.users):,} users, {len(account.roles):,} roles, {len(account.groups):,} groups, "
        f"{len(account.policies):,} policies in {time.perf_counter() - start:.2f} s"
    )
    start, cpu = time.perf_counter(), time.process_time()
    checks = tuple(c for c in CHECKS if c.id not in exclude)
    assessment = run_checks(account, Thresholds(), checks)
    print(
        f"    run_checks: {len(assessment.findings):,} results from {len(checks)} checks in "
        f"{time.perf_counter() - start:.2f} s wall, {time.process_time() - cpu:.2f} s CPU"
    )
    context = AnalysisContext(load_account(str(snapshot)))
    timings = []
    for check in checks:
        cpu = time.process_time()
        n = sum(1 for _ in check.evaluate(context, Thresholds()))
        timings.append((time.process_time() - cpu, check.id, n))
    total = sum(t for t, _, _ in timings)
    print(f"    slowest checks (CPU s of {total:.1f}), in registry order on a fresh account as in run_checks (shared")
    print("    caches such as compiled policies and principals' engine verdicts are paid by the first check to ask):")
    for seconds, check_id, n in sorted(timings, reverse=True)[:top]:
        print(f"    {seconds:7.2f} s  {check_id} ({n:,} results)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--principals", type=int, default=10_000, help="size of the generated account (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--snapshot", type=Path, help="scan this snapshot instead of a generated one")
    parser.add_argument("--no-phases", action="store_true", help="only the full scan")
    parser.add_argument("--top", type=int, default=10, help="how many of the slowest checks to list")
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="CHECK_ID", help="leave this check out (repeatable)"
    )
    args = parser.parse_args(argv)
    if args.snapshot:
        snapshot = args.snapshot
    else:
        snapshot, generated = ensure_snapshot(args.principals, args.seed)
        if generated is not None:
            print(f"generated {snapshot} in {generated:.1f} s")
    print(f"snapshot: {snapshot} ({snapshot.stat().st_size / MIB:.1f} MiB)")
    if args.exclude:
        print(f"left out: {', '.join(args.exclude)}")
    scan = full_scan(snapshot, args.exclude)
    wall, rss = float(str(scan["wall_s"])), float(str(scan["peak_rss_mib"]))
    print(
        f"(a) full scan (iamwarden scan --format json): {wall:.1f} s wall, {scan['cpu_s']:.1f} s CPU, "
        f"peak RSS {rss:,.0f} MiB; {scan['results']:,} results {scan['statuses']}"
    )
    print(
        f"    goal under {GOAL_SECONDS:.0f} s and {GOAL_MIB:,} MiB: "
        f"time {'met' if wall < GOAL_SECONDS else 'NOT met'}, memory {'met' if rss < GOAL_MIB else 'NOT met'}"
    )
    if not args.no_phases:
        phases(snapshot, args.top, args.exclude)
    return 0


if __name__ == "__main__":
    sys.exit(main())
