"""Git repositories as blobs, read with the ``git`` command (chosen by measurement: docs/secrets.md, "Reading git").

* :func:`staged_blobs` - the index's version of every staged change (what ``git commit`` is about to record);
* :func:`history_blobs` - every blob of the repository, each read once: those any commit of any ref or reflog entry
  introduced (deleted files included), and with ``since`` only those introduced by commits not reachable from it;
  without ``since`` also the blobs no commit reaches (unreachable objects still in a pack or loose).

Where a blob came from is taken from one ``git log --raw`` pass over every ref and the reflogs (which commit added
which blob at which path, its author and author date); contents come from one ``git cat-file --batch`` process.
A broken or missing object is recorded as a problem and the read goes on with the next one.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from iamwarden.collect.secrets.sources import MAX_BYTES, Blob, Place, ScanStats

GIT = "git"
MAX_PLACES = 20
"""Places kept per blob (the earliest by author date): a blob copied into hundreds of commits reports 20 of them."""
_ZERO = "0" * 40


class GitError(Exception):
    """A git command failed in a way that stops the read (not a repository, git missing)."""


def _git(repo: Path, *args: str) -> list[str]:
    return [GIT, "-C", str(repo), "-c", "core.quotePath=false", *args]


def repository_root(path: Path) -> Path | None:
    """The top folder of the work tree ``path`` is in, or ``None`` when it is not in a git repository."""
    folder = path if path.is_dir() else path.parent
    try:
        out = subprocess.run(
            _git(folder, "rev-parse", "--show-toplevel"), capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or not out.stdout.strip():
        return None
    return Path(out.stdout.strip())


def resolve_commit(repo: Path, ref: str) -> str:
    """The full commit id ``ref`` names; :class:`GitError` when it names none."""
    out = subprocess.run(
        _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise GitError(f"{ref!r} is not a commit of {repo}")
    return out.stdout.strip()


def _introductions(repo: Path, since: str | None, stats: ScanStats) -> dict[str, list[Place]]:
    """blob id -> the places (commit, path, author) that introduced it, earliest first."""
    revs = ["--all", f"^{since}"] if since else ["--all", "--reflog"]
    cmd = _git(
        repo,
        "log",
        *revs,
        "--raw",
        "-z",
        "--no-abbrev",
        "--no-renames",
        "--diff-merges=first-parent",
        "--format=%x01%H%x09%at%x09%aI%x09%an",
    )
    places: dict[str, dict[tuple[str, str], Place]] = {}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        commit = date = author = ""
        when = 0
        pending: tuple[str, str] | None = None  # (blob, status) waiting for its path
        for token in _tokens(proc.stdout):
            if pending is not None:
                blob, _status = pending
                pending = None
                path = token.decode("utf-8", errors="replace")
                seen = places.setdefault(blob, {})
                if (commit, path) not in seen:
                    seen[(commit, path)] = Place(path, "history", commit, date, when, author, str(repo))
                continue
            if token.startswith(b"\x01"):
                commit, seconds, date, author = [*token[1:].decode("utf-8", errors="replace").split("\t"), "", "", ""][
                    :4
                ]
                when = int(seconds) if seconds.isdigit() else 0
                continue
            raw = token.lstrip(b"\n")
            if raw.startswith(b":"):
                fields = raw[1:].decode("ascii", errors="replace").split()
                if len(fields) >= 5:
                    new_mode, new_blob, status = fields[1], fields[3], fields[4]
                    if new_blob != _ZERO and not status.startswith("D") and new_mode.startswith("100"):
                        pending = (new_blob, status)
                    else:
                        pending = ("", status)
        err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
    if proc.returncode != 0:
        stats.skip(str(repo), f"git log failed: {err.splitlines()[-1] if err else proc.returncode}", problem=True)
    places.pop("", None)
    return {
        blob: sorted(seen.values(), key=lambda p: (p.author_time or 0, p.commit or "", p.path))[:MAX_PLACES]
        for blob, seen in places.items()
    }


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """NUL-separated tokens of a stream, read in large chunks."""
    rest = b""
    while chunk := stream.read(1 << 20):
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


def _all_blobs(repo: Path, stats: ScanStats) -> dict[str, int]:
    """Every blob object of the repository (packed or loose, reachable or not) and its size."""
    cmd = _git(repo, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype) %(objectsize)")
    out = subprocess.run([*cmd, "--unordered"], capture_output=True, check=False)
    if out.returncode != 0:
        err = out.stderr.decode(errors="replace").strip().splitlines()
        stats.skip(str(repo), f"cannot list objects: {err[-1] if err else out.returncode}", problem=True)
    blobs: dict[str, int] = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == b"blob":
            blobs[parts[0].decode()] = int(parts[2])
    return blobs


def _sizes(repo: Path, ids: list[str]) -> dict[str, int]:
    """The sizes of the blobs ``ids`` (``git cat-file --batch-check``); unknown ones are left out."""
    if not ids:
        return {}
    out = subprocess.run(
        _git(repo, "cat-file", "--batch-check"), input="".join(f"{i}\n" for i in ids).encode(), capture_output=True
    )
    sizes: dict[str, int] = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == b"blob":
            sizes[parts[0].decode()] = int(parts[2])
    return sizes


def _read_blobs(repo: Path, ids: list[str], stats: ScanStats, label: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    """The contents of ``ids`` through ``git cat-file --batch``; an object git cannot read is recorded and the read
    restarts after it."""
    start = 0
    while start < len(ids):
        todo = ids[start:]
        with subprocess.Popen(
            _git(repo, "cat-file", "--batch"), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as proc:
            assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
            writer = threading.Thread(target=_feed, args=(proc.stdin, todo), daemon=True)
            writer.start()
            done = 0
            failed = False
            for oid in todo:
                header = proc.stdout.readline()
                if not header:
                    failed = True
                    break
                parts = header.split()
                if len(parts) == 2 and parts[1] == b"missing":
                    stats.skip(label.get(oid, oid), f"git object {oid[:12]} is missing", problem=True)
                    done += 1
                    continue
                size = int(parts[2]) if len(parts) == 3 else -1
                data = proc.stdout.read(size) if size >= 0 else b""
                if size < 0 or len(data) != size:
                    failed = True
                    break
                proc.stdout.read(1)  # the newline after the content
                done += 1
                yield oid, data
            proc.stdout.close()
            err = proc.stderr.read().decode(errors="replace").strip()
            writer.join(timeout=5)
        if not failed:
            return
        broken = todo[done]
        why = err.splitlines()[-1] if err else "unreadable"
        stats.skip(label.get(broken, broken), f"broken git object {broken[:12]}: {why}", problem=True)
        start += done + 1


def _feed(stdin: IO[bytes], ids: Iterable[str]) -> None:
    try:
        stdin.write(b"".join(f"{oid}\n".encode() for oid in ids))
        stdin.close()
    except (BrokenPipeError, OSError):  # cat-file died on a broken object: the reader records it
        pass


def history_blobs(
    repo: Path, stats: ScanStats, *, since: str | None = None, max_bytes: int = MAX_BYTES
) -> Iterator[Blob]:
    """Every blob of the repository's history (see the module docstring), each once, with where it was introduced."""
    introduced = _introductions(repo, since, stats)
    sizes = _all_blobs(repo, stats)
    wanted = [oid for oid in introduced if oid in sizes] if since else list(sizes)
    for oid in introduced:
        if oid not in sizes:
            place = introduced[oid][0]
            stats.skip(place.describe(), f"git object {oid[:12]} is missing", problem=True)
    label = {oid: introduced[oid][0].describe() if oid in introduced else _unreachable(oid) for oid in wanted}
    readable = []
    for oid in wanted:
        if sizes[oid] > max_bytes:
            stats.skip(label[oid], f"too large ({sizes[oid]:,} bytes > {max_bytes:,})", problem=True)
        else:
            readable.append(oid)
    for oid, data in _read_blobs(repo, readable, stats, label):
        places = introduced.get(oid)
        if places is None:
            places = [Place(_unreachable(oid), "unreachable", repository=str(repo))]
        yield Blob(data, tuple(places))


def _unreachable(oid: str) -> str:
    return f"(unreachable blob {oid[:12]})"


def staged_blobs(repo: Path, stats: ScanStats, *, max_bytes: int = MAX_BYTES) -> Iterator[Blob]:
    """The index's version of every file added, copied, modified or renamed in the index (``git diff --cached``)."""
    out = subprocess.run(
        _git(repo, "diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames", "--diff-filter=ACMT"),
        capture_output=True,
        check=False,
    )
    if out.returncode != 0:
        err = out.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(f"cannot list the staged changes of {repo}: {err[-1] if err else out.returncode}")
    tokens = out.stdout.split(b"\0")
    staged: dict[str, str] = {}
    for raw, path in zip(tokens[::2], tokens[1::2], strict=False):
        fields = raw.lstrip(b"\n")[1:].decode("ascii", errors="replace").split()
        if len(fields) >= 5 and fields[1].startswith("100"):
            staged[fields[3]] = path.decode("utf-8", errors="replace")
    sizes = _sizes(repo, list(staged))
    readable = []
    for oid, shown in staged.items():
        if sizes.get(oid, 0) > max_bytes:
            stats.skip(shown, f"too large ({sizes[oid]:,} bytes > {max_bytes:,})", problem=True)
        else:
            readable.append(oid)
    for oid, data in _read_blobs(repo, readable, stats, staged):
        yield Blob(data, (Place(staged[oid], "index", repository=str(repo)),))
