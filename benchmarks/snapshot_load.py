"""How fast and how big: loading a generated snapshot (read + validate, build the model), 1k / 10k / 50k principals.

    .venv/bin/python benchmarks/snapshot_load.py                    # sizes 1000 10000 50000, seed 0, 3 runs each
    .venv/bin/python benchmarks/snapshot_load.py --sizes 10000 --repeat 5

Snapshots are generated once into ``benchmarks/out/`` (``account-<N>-seed<S>.json.gz``) and reused. Every run is a
fresh interpreter (``--child``) that imports iamwarden, then times ``read_snapshot`` and ``build_account`` and reports
its own peak RSS (``getrusage(RUSAGE_SELF).ru_maxrss``: the whole process, interpreter and imports included). One more
child per size runs the load under ``tracemalloc`` for the peak of Python allocations alone (its times are not used:
tracemalloc slows Python down). Goal: 10,000 principals load in under 2 s and under 1 GiB.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
MIB = 1024 * 1024


def snapshot_path(principals: int, seed: int) -> Path:
    return OUT / f"account-{principals}-seed{seed}.json.gz"


def ensure_snapshot(principals: int, seed: int) -> tuple[Path, float | None]:
    """The cached snapshot of this size and seed, generated when missing; (path, generation seconds or None)."""
    path = snapshot_path(principals, seed)
    if path.exists():
        return path, None
    start = time.perf_counter()
    command = [sys.executable, str(HERE / "generate_account.py"), "--principals", str(principals)]
    subprocess.run([*command, "--seed", str(seed), "-o", str(path)], check=True, stdout=subprocess.DEVNULL)
    return path, time.perf_counter() - start


def child(path: str, trace: bool) -> dict[str, Any]:
    """Run in a fresh interpreter: import, load, build; report times and memory as JSON."""
    if trace:
        import tracemalloc

        tracemalloc.start()
    from iamwarden.collect.snapshot import read_snapshot
    from iamwarden.model import build_account

    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    snapshot = read_snapshot(path)
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    account = build_account(snapshot)
    build_s = time.perf_counter() - start
    result: dict[str, Any] = {
        "read_s": read_s,
        "build_s": build_s,
        "baseline_rss_mib": baseline_kib / 1024,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "principals": len(account.users) + len(account.roles),
    }
    if trace:
        import tracemalloc

        result["traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / MIB
    return result


def run_child(path: Path, trace: bool = False) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(path)] + (["--trace"] if trace else [])
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def measure(sizes: Sequence[int], seed: int, repeat: int, trace: bool) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        path, generated = ensure_snapshot(n, seed)
        if generated is not None:
            print(f"generated {path.name} in {generated:.1f} s", file=sys.stderr)
        runs = [run_child(path) for _ in range(repeat)]
        row: dict[str, Any] = {
            "principals": n,
            "file_mib": path.stat().st_size / MIB,
            "read_s": statistics.median(r["read_s"] for r in runs),
            "build_s": statistics.median(r["build_s"] for r in runs),
            "total_s": statistics.median(r["read_s"] + r["build_s"] for r in runs),
            "baseline_rss_mib": max(r["baseline_rss_mib"] for r in runs),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
            "traced_peak_mib": run_child(path, trace=True)["traced_peak_mib"] if trace else None,
        }
        rows.append(row)
        print(f"measured {n:,} principals", file=sys.stderr)
    return rows


def table(rows: list[dict[str, Any]], repeat: int) -> str:
    head = (
        f"{'principals':>10}  {'json.gz':>9}  {'read+validate':>13}  {'build model':>11}  {'total':>7}  "
        f"{'peak RSS':>9}  {'tracemalloc peak':>16}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        traced = f"{r['traced_peak_mib']:,.0f} MiB" if r["traced_peak_mib"] is not None else "-"
        lines.append(
            f"{r['principals']:>10,}  {r['file_mib']:>5.1f} MiB  {r['read_s']:>11.2f} s  {r['build_s']:>9.2f} s  "
            f"{r['total_s']:>5.2f} s  {r['peak_rss_mib']:>5,.0f} MiB  {traced:>16}"
        )
    baseline = max(r["baseline_rss_mib"] for r in rows)
    lines += [
        "",
        f"times: median of {repeat} fresh processes; peak RSS: getrusage(RUSAGE_SELF).ru_maxrss of the loading process",
        "(interpreter + imports + snapshot + model);",
        f"baseline RSS after importing iamwarden only: {baseline:,.0f} MiB.",
        "tracemalloc peak: Python allocations during import + load + build, measured in a separate run.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000], help="principals per snapshot")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes timed per size (median reported)")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--child", metavar="SNAPSHOT", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        gc.collect()
        print(json.dumps(child(args.child, args.trace)))
        return 0
    rows = measure(args.sizes, args.seed, max(1, args.repeat), trace=not args.no_trace)
    print(table(rows, max(1, args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
