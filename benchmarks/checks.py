"""Time every check over a generated account and print the figures (no assertions: speed targets live here).

.venv/bin/python benchmarks/generate_account.py --principals 1000 -o /tmp/account-1000.json.gz
.venv/bin/python benchmarks/checks.py /tmp/account-1000.json.gz
"""

from __future__ import annotations

import sys
import time
from collections import Counter

from iamwarden.checks.config import Thresholds
from iamwarden.checks.registry import CHECKS
from iamwarden.checks.runner import run_checks
from iamwarden.model import load_account


def main(path: str) -> None:
    start = time.perf_counter()
    account = load_account(path)
    loaded = time.perf_counter() - start
    print(
        f"loaded {len(account.users)} users, {len(account.roles)} roles, {len(account.policies)} policies "
        f"in {loaded:.2f}s"
    )
    start = time.perf_counter()
    assessment = run_checks(account, Thresholds())
    print(
        f"run_checks: {len(assessment.findings)} results from {len(CHECKS)} checks in "
        f"{time.perf_counter() - start:.2f}s (cold caches)"
    )
    counts = Counter(f.status.value for f in assessment.findings)
    print("statuses:", dict(sorted(counts.items())))
    fresh = load_account(path)
    print("slowest checks, each alone on a fresh account (shared caches warm up across checks):")
    timings = []
    for check in CHECKS:
        start = time.perf_counter()
        n = sum(1 for _ in check.evaluate(fresh, Thresholds()))
        timings.append((time.perf_counter() - start, check.id, n))
    for seconds, check_id, n in sorted(timings, reverse=True)[:8]:
        print(f"  {seconds:6.2f}s  {check_id} ({n} results)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: benchmarks/checks.py SNAPSHOT")
    main(sys.argv[1])
