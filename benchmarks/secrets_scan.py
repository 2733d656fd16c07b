"""Secrets scan over a large generated git history, beside detect-secrets and trufflehog3 in the same run.

    .venv/bin/python benchmarks/secrets_scan.py                 # 10,000 commits, about 200 MB of history
    .venv/bin/python benchmarks/secrets_scan.py --quick         # 1,000 commits, about 20 MB
    .venv/bin/python benchmarks/secrets_scan.py --commits 3000 --megabytes 60 --keep /tmp/history

The history is made with ``git fast-import``: each commit rewrites one or two files of a source tree with fresh text
(code-like lines), every 50th plants an AWS credential in one of the formats and encodings of
``benchmarks/secrets_corpus.py`` (removed again a few commits later), every 37th adds decoys (hashes, UUIDs, base64
of random bytes, 40-character strings under secret-like names, the documentation's example keys). Then, in the same
run and on the same repository:

* **iamwarden**: ``iamwarden secrets scan REPO --history -f json`` (a subprocess);
* **trufflehog3** (PyPI): ``trufflehog3 --format JSON --depth N --no-current REPO``, its own history walk;
* **detect-secrets** (PyPI) has no history mode: every distinct blob of the history is written to a folder (not
  timed) and ``detect-secrets scan --all-files`` reads it - the same bytes iamwarden reads. It runs twice: with every
  plugin (its default) and with ``AWSKeyDetector`` alone.

Each line gives the wall-clock time, the CPU time of the tool's processes (user + system, children included),
throughput in MB/s (history size / wall time, and / CPU time), recall (planted values found, by value), decoys
reported, and other reports (neither planted nor decoy). "History size" is the total size of the distinct blobs.

The peers run from their own virtualenv (``/tmp/secrets-peers`` or ``$SECRETS_PEERS``), never ours::

    python3 -m venv /tmp/secrets-peers && /tmp/secrets-peers/bin/pip install detect-secrets trufflehog3

Without it the peers are skipped with a note. Figures depend on the machine's load: compare lines of one run.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from benchmarks.secrets_corpus import (
    ENCODINGS,
    FORMATS,
    GIT_ENV,
    Credential,
    decoy_text,
    make_key_id,
    make_secret,
    make_token,
)
from iamwarden.collect.secrets.keys import fingerprint

ACCOUNT = "444455556666"
PLANT_EVERY = 50
DECOY_EVERY = 37
PEERS = Path(os.environ.get("SECRETS_PEERS", "/tmp/secrets-peers"))
WORDS = (
    "def", "class", "return", "import", "from", "self", "value", "result", "config", "client", "request",
    "response", "items", "index", "count", "total", "for", "while", "if", "else", "try", "except", "with", "yield",
    "async", "await", "print", "format", "json", "load", "dump", "path", "open", "read", "write", "region",
    "bucket", "table", "query", "user", "role", "policy", "account", "session", "token", "cache", "retry",
    "timeout", "logger", "error",
)  # fmt: skip


@dataclass
class History:
    root: Path
    commits: int
    planted: dict[str, str] = field(default_factory=dict)
    """value -> kind."""
    decoys: set[str] = field(default_factory=set)
    examples: set[str] = field(default_factory=set)


def _text_pool(rng: random.Random, size: int) -> str:
    lines = []
    total = 0
    while total < size:
        indent = "    " * rng.randint(0, 3)
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 10)))
        line = f"{indent}{words}({rng.randint(0, 9999)})  # {rng.getrandbits(32):08x}"
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines) + "\n"


def generate(root: Path, commits: int, megabytes: int, seed: int = 16) -> History:
    """A repository at ``root`` with ``commits`` commits and about ``megabytes`` MB of distinct blob content."""
    rng = random.Random(seed)
    history = History(root, commits)
    root.mkdir(parents=True)
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], env=env, check=True)
    per_commit = megabytes * 1_000_000 // commits
    pool = _text_pool(rng, 2_000_000)
    files = [f"src/pkg{d}/module{f}.py" for d in range(40) for f in range(25)]
    pending_removal: list[tuple[int, str]] = []
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=root, stdin=subprocess.PIPE, env=env)
    assert proc.stdin is not None
    out = proc.stdin

    def data(payload: bytes) -> None:
        out.write(b"data %d\n" % len(payload) + payload + b"\n")

    clock = 1_600_000_000
    for n in range(1, commits + 1):
        clock += 1800
        out.write(b"commit refs/heads/main\nmark :%d\n" % n)
        out.write(
            b"author Bench <bench@example.com> %d +0000\ncommitter Bench <bench@example.com> %d +0000\n"
            % (clock, clock)
        )
        data(f"change {n}".encode())
        if n > 1:
            out.write(b"from :%d\n" % (n - 1))
        for _ in range(rng.choice((1, 2))):
            size = per_commit * 2 // 3  # one or two files a commit: 1.5 on average
            start = rng.randrange(0, len(pool) - size - 1)
            path = rng.choice(files)
            out.write(f"M 100644 inline {path}\n".encode())
            data(pool[start : start + size].encode())
        if n % PLANT_EVERY == 0:
            fmt = FORMATS[(n // PLANT_EVERY) % len(FORMATS)]
            _, encode = ENCODINGS[(n // PLANT_EVERY // len(FORMATS)) % len(ENCODINGS)]
            cred = Credential(
                make_key_id(ACCOUNT, rng, "ASIA" if fmt.temporary else "AKIA"),
                make_secret(rng),
                make_token(rng) if fmt.temporary else None,
            )
            path = f"leaks/{n}/{fmt.path}"
            out.write(f"M 100644 inline {path}\n".encode())
            data(encode(fmt.render(cred)))
            history.planted[cred.key_id] = "access_key_id"
            history.planted[cred.secret] = "secret_access_key"
            if cred.token:
                history.planted[cred.token] = "session_token"
            pending_removal.append((n + rng.randint(1, 20), path))
        if n % DECOY_EVERY == 0:
            text, decoys = decoy_text(rng)
            history.decoys.update(decoys)
            out.write(f"M 100644 inline fixtures/decoys-{n}.txt\n".encode())
            data(text.encode())
        for due, path in [p for p in pending_removal if p[0] <= n]:
            out.write(f"D {path}\n".encode())
            pending_removal.remove((due, path))
    out.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    history.examples = {"AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE"} | {
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    }
    return history


def blobs(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every distinct blob of the repository (for detect-secrets' folder and the history size)."""
    listing = subprocess.run(
        ["git", "-C", str(root), "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"],
        capture_output=True,
        check=True,
    ).stdout.split(b"\n")
    ids = [line.split()[0] for line in listing if line.endswith(b" blob")]
    with tempfile.TemporaryFile() as names:  # a file as stdin: writing a pipe while git fills the other deadlocks
        names.write(b"".join(i + b"\n" for i in ids))
        names.seek(0)
        proc = subprocess.Popen(["git", "-C", str(root), "cat-file", "--batch"], stdin=names, stdout=subprocess.PIPE)
        assert proc.stdout is not None
        for _ in ids:
            header = proc.stdout.readline().split()
            payload = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)
            yield header[0].decode(), payload
    proc.wait()


@dataclass
class Result:
    tool: str
    wall: float
    cpu: float
    found: set[str]
    """Reported values (or sha1 of values, for detect-secrets)."""
    note: str = ""


def timed(cmd: list[str], **kwargs: object) -> tuple[float, float, subprocess.CompletedProcess[bytes]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, check=False, **kwargs)  # type: ignore[call-overload]
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def run_iamwarden(history: History, work: Path) -> Result:
    report = work / "iamwarden.json"
    iamwarden = Path(sys.executable).with_name("iamwarden")
    wall, cpu, done = timed(
        [str(iamwarden), "secrets", "scan", str(history.root), "--history", "-f", "json", "-o", str(report)]
    )
    if done.returncode != 0:
        raise SystemExit(f"iamwarden failed: {done.stderr.decode()[-500:]}")
    findings = orjson.loads(report.read_bytes())["findings"]
    found = {f["fingerprint"] for f in findings if f["severity"] != "info"}
    return Result("iamwarden", wall, cpu, found)


def run_trufflehog3(history: History, work: Path) -> Result | str:
    tool = PEERS / "bin" / "trufflehog3"
    if not tool.exists():
        return f"trufflehog3 skipped: {tool} missing"
    out = work / "trufflehog3.json"
    cmd = [str(tool), "--format", "JSON", "-o", str(out), "-z", "--depth", str(history.commits + 10), "--no-current"]
    wall, cpu, done = timed([*cmd, str(history.root)])
    if not out.exists():
        return f"trufflehog3 failed: {done.stderr.decode()[-300:]}"
    issues = orjson.loads(out.read_bytes())
    return Result("trufflehog3", wall, cpu, {str(i.get("secret", "")) for i in issues})


def run_detect_secrets(folder: Path, plugins: list[str] | None) -> Result | str:
    tool = PEERS / "bin" / "detect-secrets"
    if not tool.exists():
        return f"detect-secrets skipped: {tool} missing"
    cmd = [str(tool), "scan", "--all-files"]
    if plugins is not None:
        listed = subprocess.run([str(tool), "scan", "--list-all-plugins"], capture_output=True, text=True).stdout
        for name in listed.split():
            if name not in plugins:
                cmd += ["--disable-plugin", name]
    wall, cpu, done = timed([*cmd, "."], cwd=folder)
    if done.returncode != 0:
        return f"detect-secrets failed: {done.stderr.decode()[-300:]}"
    results = orjson.loads(done.stdout)["results"]
    hashes = {item["hashed_secret"] for items in results.values() for item in items}
    name = "detect-secrets (AWS plugin)" if plugins else "detect-secrets (all plugins)"
    return Result(name, wall, cpu, hashes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="1,000 commits, 20 MB")
    parser.add_argument("--keep", type=Path, help="Build (or reuse) the repository here instead of a temporary folder")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument(
        "--aws-plugin-only", action="store_true", help="Run detect-secrets with AWSKeyDetector alone, not also with all"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.commits, args.megabytes = 1_000, 20
    work = Path(tempfile.mkdtemp(prefix="secrets-bench-"))
    try:
        root = args.keep or work / "repo"
        if root.exists():
            shutil.rmtree(root)
        start = time.perf_counter()
        history = generate(root, args.commits, args.megabytes)
        print(f"generated {args.commits:,} commits in {time.perf_counter() - start:.1f} s", flush=True)
        folder = work / "blobs"
        size = 0
        count = 0
        for oid, payload in blobs(root):
            if not args.skip_peers:  # detect-secrets' input
                target = folder / oid[:2] / f"{oid}.txt"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(payload)
            size += len(payload)
            count += 1
        megabytes = size / 1_000_000
        print(
            f"history: {count:,} distinct blobs, {megabytes:.1f} MB; planted {len(history.planted)} values, "
            f"{len(history.decoys)} decoys; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        runs: list[Result | str] = [run_iamwarden(history, work)]
        print(f"  iamwarden done in {runs[0].wall:.1f} s" if isinstance(runs[0], Result) else runs[0], flush=True)
        if not args.skip_peers:
            peers: list[Callable[[], Result | str]] = [
                lambda: run_detect_secrets(folder, ["AWSKeyDetector"]),
                lambda: run_trufflehog3(history, work),
            ]
            if not args.aws_plugin_only:
                peers.append(lambda: run_detect_secrets(folder, None))
            for run in peers:
                result = run()
                runs.append(result)
                print(
                    f"  {result.tool} done in {result.wall:.1f} s" if isinstance(result, Result) else result, flush=True
                )
                report(history, megabytes, runs)
        report(history, megabytes, runs)
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _key(tool: str) -> Callable[[str], str]:
    if tool == "iamwarden":
        return fingerprint
    if tool.startswith("detect-secrets"):
        return lambda value: hashlib.sha1(value.encode()).hexdigest()
    return lambda value: value


def report(history: History, megabytes: float, runs: list[Result | str]) -> None:
    print()
    columns = ("wall s", "CPU s", "MB/s wall", "MB/s CPU", "recall", "decoys", "other")
    widths = (8, 8, 10, 9, 14, 7, 6)
    print(f"{'tool':<30} " + " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)))
    base: Result | None = None
    for run in runs:
        if isinstance(run, str):
            print(run)
            continue
        key = _key(run.tool)
        planted = {key(v) for v in history.planted}
        decoys = {key(v) for v in history.decoys}
        examples = {key(v) for v in history.examples}
        hit = len(planted & run.found)
        other = len(run.found - planted - decoys - examples)
        recall = f"{hit}/{len(planted)} {100 * hit / len(planted):.0f}%"
        print(
            f"{run.tool:<30} {run.wall:>8.1f} {run.cpu:>8.1f} {megabytes / run.wall:>10.2f} "
            f"{megabytes / max(run.cpu, 1e-9):>9.2f} {recall:>14} {len(decoys & run.found):>7} {other:>6}"
        )
        if run.tool == "iamwarden":
            base = run
    if base is not None:
        for run in runs:
            if isinstance(run, Result) and run is not base:
                wall, cpu = run.wall / base.wall, run.cpu / max(base.cpu, 1e-9)
                print(f"iamwarden / {run.tool}: {wall:.1f}x wall, {cpu:.1f}x CPU")


if __name__ == "__main__":
    main()
