"""Least-privilege analysis on a large account: iamwarden against Cloudsplaining, same file, same run.

Input: a ``get-account-authorization-details`` file (written first with ``benchmarks/generate_account.py`` when
missing: 2,000 users, 5,000 roles, 300 groups, 5,000 customer-managed policies by default). Each side runs in its own
child process, one after the other, and the figures come from that child's ``wait4`` resource usage:

- **iamwarden**: read the file into the account model, then the effective permissions of every user and role
  (:mod:`iamwarden.analysis.effective`: identity policies, boundaries, SCPs when the input has them, denies,
  conditions), then, when ``iamwarden.analysis.escalation`` offers ``escalation_graph``, the escalation graph and every
  path to an administrator. The child prints its own phase timings.
- **Cloudsplaining**: ``cloudsplaining scan --input-file FILE --output DIR`` from its own virtualenv
  (``/work/helpers/cloudsplaining-venv`` or ``$CLOUDSPLAINING_VENV``; created with
  ``python3 -m venv /work/helpers/cloudsplaining-venv && /work/helpers/cloudsplaining-venv/bin/pip install
  cloudsplaining``). Without it, the script says so and prints iamwarden's figures alone.

It prints wall time, CPU time and peak RSS of both and the ratios; it asserts nothing::

    .venv/bin/python benchmarks/least_privilege.py
    .venv/bin/python benchmarks/least_privilege.py --input benchmarks/out/gaad.json --skip-cloudsplaining
    .venv/bin/python benchmarks/least_privilege.py --no-escalation --skip-cloudsplaining   # effective permissions alone
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = ROOT / "benchmarks" / "out" / "gaad-2000u-5000r-300g-5000p.json"
DEFAULT_VENV = Path(os.environ.get("CLOUDSPLAINING_VENV", "/work/helpers/cloudsplaining-venv"))
MIB = 1024 * 1024


def child_ours(path: Path, escalation_too: bool = True) -> None:
    """Run in the child: load, effective permissions for everyone, escalation paths when available."""
    phases: dict[str, float] = {}
    cpu: dict[str, float] = {}
    c0 = time.process_time()
    t0 = time.perf_counter()
    from iamwarden.analysis.context import AnalysisContext
    from iamwarden.analysis.effective import action_index, all_effective_access
    from iamwarden.collect.authdetails import snapshot_from_authorization_details
    from iamwarden.model import build_account
    from iamwarden.runtime import gc_paused

    account = build_account(snapshot_from_authorization_details(path))
    t1 = time.perf_counter()
    phases["load"] = t1 - t0
    c1 = time.process_time()
    cpu["load"] = c1 - c0
    action_index()
    t2 = time.perf_counter()
    phases["catalogue index"] = t2 - t1
    c2 = time.process_time()
    cpu["catalogue index"] = c2 - c1
    context = AnalysisContext(account)
    with gc_paused():  # as the who-can command does: bitsets and compiled statements form no cycles
        found = all_effective_access(context)
    t3 = time.perf_counter()
    phases["effective permissions"] = t3 - t2
    c3 = time.process_time()
    cpu["effective permissions"] = c3 - c2
    shapes = len({id(f.shape) for f in found})
    atoms = sum(len(f.atoms) for f in found)
    allowed_actions = sum(bin(f.candidates).count("1") for f in found)
    result: dict[str, Any] = {
        "principals": len(found),
        "distinct_shapes": shapes,
        "atoms": atoms,
        "action_grants": allowed_actions,
        "escalation": "not available (iamwarden.analysis.escalation has no escalation_graph)",
    }
    build = None
    if not escalation_too:
        result["escalation"] = "left out (--no-escalation)"
    else:
        try:
            from iamwarden.analysis import escalation
        except ImportError as exc:
            result["escalation"] = f"not available ({exc})"
        else:
            build = getattr(escalation, "escalation_graph", None)
    if callable(build):
        with gc_paused():  # as the paths command does: edges and decisions form no cycles
            graph = build(context)
            paths = graph.paths()
        t4 = time.perf_counter()
        phases["escalation paths"] = t4 - t3
        cpu["escalation paths"] = time.process_time() - c3
        result["escalation"] = {
            "sources": len(paths),
            "with_paths": sum(1 for v in paths.values() if v),
            "paths": sum(len(v) for v in paths.values()),
        }
    result["phases"] = phases
    result["phases_cpu"] = cpu
    print(json.dumps(result), flush=True)
    gc.freeze()  # as the iamwarden command does when it ends (iamwarden.cli.app.main): no last collector passes


def _run(cmd: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, Any, str, str, int]:
    """Run ``cmd``; (wall seconds, rusage of the child, stdout, stderr, exit status)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage, out.read().decode(), err.read().decode(), proc.returncode


def _figures(name: str, wall: float, usage: Any) -> dict[str, float]:
    cpu = usage.ru_utime + usage.ru_stime
    rss = usage.ru_maxrss / 1024  # KiB on Linux
    print(f"{name:>15}: wall {wall:7.1f} s   CPU {cpu:7.1f} s   peak RSS {rss:8.0f} MiB")
    return {"wall": wall, "cpu": cpu, "rss": rss}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT, help="authorization-details file")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="Cloudsplaining's virtualenv")
    parser.add_argument("--skip-cloudsplaining", action="store_true")
    parser.add_argument("--no-escalation", action="store_true", help="time the effective permissions alone")
    parser.add_argument("--child-ours", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_ours:
        child_ours(args.child_ours, not args.no_escalation)
        return 0
    if not args.input.exists():
        print(f"writing {args.input} (2,000 users, 5,000 roles, 300 groups, 5,000 policies) ...", flush=True)
        args.input.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "generate_account.py"),
                "--format",
                "authorization-details",
                "--users",
                "2000",
                "--roles",
                "5000",
                "--groups",
                "300",
                "--policies",
                "5000",
                "-o",
                str(args.input),
            ],
            check=True,
        )
    size = args.input.stat().st_size
    print(f"input: {args.input} ({size / MIB:.1f} MiB); machine: {os.cpu_count()} CPUs (shared)")

    child = [sys.executable, __file__, "--child-ours", str(args.input)]
    wall, usage, out, err, code = _run([*child, "--no-escalation"] if args.no_escalation else child)
    if code != 0:
        print(f"iamwarden run failed (exit {code}):\n{err[-2000:]}")
        return 1
    detail = json.loads(out.strip().splitlines()[-1])
    ours = _figures("iamwarden", wall, usage)
    cpu = detail.pop("phases_cpu")
    phases = ", ".join(f"{k} {v:.1f} s (CPU {cpu[k]:.1f} s)" for k, v in detail.pop("phases").items())
    print(f"{'':>15}  phases, wall: {phases}")
    print(f"{'':>15}  {json.dumps(detail)}")

    if args.skip_cloudsplaining:
        print("Cloudsplaining skipped (--skip-cloudsplaining)")
        return 0
    exe = args.venv / "bin" / "cloudsplaining"
    if not exe.exists():
        print(
            f"Cloudsplaining skipped: {exe} not found. Install it in its own virtualenv:\n"
            f"  python3 -m venv {args.venv} && {args.venv}/bin/pip install cloudsplaining"
        )
        return 0
    with tempfile.TemporaryDirectory() as outdir:
        wall, usage, out, err, code = _run([str(exe), "scan", "--input-file", str(args.input), "--output", outdir])
        written = sorted(p.name for p in Path(outdir).iterdir())
    if code != 0:
        print(f"Cloudsplaining failed (exit {code}):\n{err[-2000:]}")
        return 1
    theirs = _figures("Cloudsplaining", wall, usage)
    print(f"{'':>15}  wrote {', '.join(written)}")
    print(
        f"ratio (Cloudsplaining / iamwarden): wall {theirs['wall'] / ours['wall']:.1f}x, "
        f"CPU {theirs['cpu'] / ours['cpu']:.1f}x, peak RSS {theirs['rss'] / ours['rss']:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
