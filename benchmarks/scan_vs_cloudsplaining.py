"""The whole ``scan`` command against Cloudsplaining's, on the same authorization-details file, in the same run.

    .venv/bin/python benchmarks/scan_vs_cloudsplaining.py                      # 500 users, 1,000 roles, ...
    .venv/bin/python benchmarks/scan_vs_cloudsplaining.py --cloudsplaining /tmp/cs/bin/cloudsplaining --repeat 3
    .venv/bin/python benchmarks/scan_vs_cloudsplaining.py --input gaad.json    # a file of your own

The file is ``aws iam get-account-authorization-details`` output from ``benchmarks/generate_account.py``
(``--format authorization-details``; default 500 users / 1,000 roles / 100 groups / 1,000 customer-managed policies,
seed 0), written once into ``benchmarks/out/``. Each tool runs as a user runs it, in a fresh process, process start
included:

- ``iamwarden scan --authorization-details FILE --format json -o OUT`` (every check, escalation, the JSON report);
- ``cloudsplaining scan --input-file FILE --output DIR --skip-open-report`` (its JSON results and HTML report).

For each run: wall time (this process's clock), CPU time (user + system) and peak resident memory of the child, from
``os.wait4``. The ratio is Cloudsplaining / iamwarden, wall and CPU, of the medians. Goal: at least 20x faster, and
iamwarden under 1 GiB.

Cloudsplaining runs from its own virtualenv, never ours::

    python3 -m venv /tmp/cs && /tmp/cs/bin/pip install cloudsplaining

``--cloudsplaining PATH`` names its executable (default ``/tmp/cs/bin/cloudsplaining`` or ``$CLOUDSPLAINING``);
when it is missing, iamwarden's figures are printed alone with a line saying so. No assertion: targets live here.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
MIB = 1024 * 1024
GOAL_RATIO = 20.0
GOAL_MIB = 1024
DEFAULT_CLOUDSPLAINING = "/tmp/cs/bin/cloudsplaining"


@dataclass(frozen=True)
class Run:
    """One child process: wall and CPU seconds, peak RSS in MiB."""

    wall_s: float
    cpu_s: float
    peak_mib: float


def run_child(command: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run ``command`` to its end (output discarded; a failure raises with its stderr)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
            raise SystemExit(f"{command[0]} exited {process.returncode}: {' / '.join(tail)}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)  # Linux: KiB


def ensure_input(users: int, roles: int, groups: int, policies: int, seed: int) -> Path:
    path = OUT / f"gaad-{users}u-{roles}r-{groups}g-{policies}p-seed{seed}.json"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        counts = ["--users", str(users), "--roles", str(roles), "--groups", str(groups), "--policies", str(policies)]
        command = [sys.executable, str(HERE / "generate_account.py"), *counts, "--seed", str(seed)]
        subprocess.run([*command, "--format", "authorization-details", "-o", str(path)], check=True)
    return path


def iamwarden_env() -> dict[str, str] | None:
    """iamwarden's environment: ours, except that with ``PYTHONDONTWRITEBYTECODE`` set (as in some sandboxes) its
    modules would be compiled again in every run, while Cloudsplaining reads the bytecode pip wrote when it was
    installed; so iamwarden's bytecode goes to ``benchmarks/out/pycache`` (filled by an untimed first run), as an
    installed iamwarden's or a plain checkout's would be in ``__pycache__``. ``None``: ours as it is."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return None
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    return env


def iamwarden_scan(path: Path, out: Path, env: dict[str, str] | None = None) -> Run:
    executable = Path(sys.executable).parent / "iamwarden"
    command = [str(executable), "scan", "--authorization-details", str(path)]
    return run_child([*command, "--format", "json", "-o", str(out)], env)


def cloudsplaining_scan(executable: str, path: Path, out: Path) -> Run:
    out.mkdir(parents=True, exist_ok=True)
    return run_child([executable, "scan", "--input-file", str(path), "--output", str(out), "--skip-open-report"])


def _median(runs: Sequence[Run]) -> Run:
    return Run(*(statistics.median(getattr(r, f) for r in runs) for f in ("wall_s", "cpu_s", "peak_mib")))


def _line(name: str, run: Run) -> str:
    return f"{name:<15} {run.wall_s:8.2f} s wall {run.cpu_s:8.2f} s CPU {run.peak_mib:8,.0f} MiB peak RSS"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, help="an authorization-details file (default: a generated one)")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--roles", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--policies", type=int, default=1000, help="customer-managed policies")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each tool, alternating (default 1)")
    parser.add_argument(
        "--cloudsplaining",
        default=os.environ.get("CLOUDSPLAINING", DEFAULT_CLOUDSPLAINING),
        help=f"Cloudsplaining's executable (default $CLOUDSPLAINING or {DEFAULT_CLOUDSPLAINING})",
    )
    args = parser.parse_args(argv)
    path = args.input or ensure_input(args.users, args.roles, args.groups, args.policies, args.seed)
    print(f"input: {path} ({path.stat().st_size / MIB:.1f} MiB)")
    cloudsplaining = shutil.which(args.cloudsplaining)
    if cloudsplaining is None:
        print(
            f"Cloudsplaining not found at {args.cloudsplaining}: iamwarden alone. Install it in its own virtualenv:\n"
            "    python3 -m venv /tmp/cs && /tmp/cs/bin/pip install cloudsplaining\n"
            "and give --cloudsplaining /tmp/cs/bin/cloudsplaining"
        )
    ours: list[Run] = []
    theirs: list[Run] = []
    env = iamwarden_env()
    with tempfile.TemporaryDirectory() as tmp:
        if env is not None:
            iamwarden_scan(path, Path(tmp) / "findings.json", env)
            print(f"PYTHONDONTWRITEBYTECODE is set: iamwarden's bytecode in {env['PYTHONPYCACHEPREFIX']} (untimed run)")
        print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        for i in range(args.repeat):
            ours.append(iamwarden_scan(path, Path(tmp) / "findings.json", env))
            print(_line(f"iamwarden #{i + 1}", ours[-1]))
            if cloudsplaining is not None:
                theirs.append(cloudsplaining_scan(cloudsplaining, path, Path(tmp) / f"cloudsplaining-{i}"))
                print(_line(f"cloudsplaining #{i + 1}", theirs[-1]))
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    mine = _median(ours)
    print(_line("iamwarden", mine) + f"   (median of {len(ours)})")
    print(f"    memory goal under {GOAL_MIB:,} MiB: {'met' if mine.peak_mib < GOAL_MIB else 'NOT met'}")
    if theirs:
        other = _median(theirs)
        print(_line("cloudsplaining", other) + f"   (median of {len(theirs)})")
        wall, cpu = other.wall_s / mine.wall_s, other.cpu_s / mine.cpu_s
        verdict = "met" if wall >= GOAL_RATIO else "NOT met"
        print(f"cloudsplaining / iamwarden: {wall:.1f}x wall, {cpu:.1f}x CPU (goal {GOAL_RATIO:.0f}x wall: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
