"""Finding AWS credentials in files, folders and git repositories (``iamwarden secrets scan``): the reading half.

:func:`scan_sources` reads what the command names and returns every :class:`Hit` (a candidate credential and the
places its blob was seen) with the reading statistics; :mod:`iamwarden.analysis.secrets` groups and attributes them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from iamwarden.collect.secrets.files import walk
from iamwarden.collect.secrets.git import GitError, history_blobs, repository_root, resolve_commit, staged_blobs
from iamwarden.collect.secrets.keys import MIN_ENTROPY, Candidate, find_candidates, text_bytes
from iamwarden.collect.secrets.sources import MAX_BYTES, Blob, Place, ScanStats, Skipped
from iamwarden.errors import InputError, Problem

__all__ = [
    "Candidate",
    "Hit",
    "Place",
    "ScanOptions",
    "ScanStats",
    "Skipped",
    "scan_sources",
]


@dataclass(frozen=True, slots=True)
class Hit:
    """One candidate credential in one blob, with every place that blob was seen and the blob's text encoding."""

    candidate: Candidate
    places: tuple[Place, ...]
    encoding: str


@dataclass(frozen=True, slots=True)
class ScanOptions:
    staged: bool = False
    """Read the index's version of the staged changes instead of the files (for pre-commit)."""
    history: bool = False
    """Also read every blob of the repository's history."""
    since: str | None = None
    """With ``history``: only the commits not reachable from this one."""
    include_vendored: bool = False
    max_bytes: int = MAX_BYTES
    min_entropy: float = MIN_ENTROPY


def _blobs(paths: Sequence[Path], options: ScanOptions, stats: ScanStats) -> Iterator[Blob]:
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise InputError(str(path), Problem("", "no such file or folder"))
        repo = repository_root(path) if (options.staged or options.history) else None
        if (options.staged or options.history) and repo is None:
            flag = "--staged" if options.staged else "--history"
            raise InputError(str(path), Problem("", f"not in a git repository ({flag} reads git)"))
        if options.staged:
            assert repo is not None
            yield from staged_blobs(repo, stats, max_bytes=options.max_bytes)
            continue
        yield from walk(path, stats, include_vendored=options.include_vendored, max_bytes=options.max_bytes)
        if options.history:
            assert repo is not None
            since = None
            if options.since:
                try:
                    since = resolve_commit(repo, options.since)
                except GitError as exc:
                    raise InputError("--since", Problem("", str(exc))) from None
            yield from history_blobs(repo, stats, since=since, max_bytes=options.max_bytes)


def scan_sources(paths: Sequence[Path], options: ScanOptions) -> tuple[list[Hit], ScanStats]:
    """Every candidate credential in ``paths`` (see :class:`ScanOptions`); what could not be read is in the
    statistics' ``skipped`` list, never an exception. A path that does not exist, or ``--staged``/``--history`` on
    a folder outside git, is an :class:`InputError`."""
    stats = ScanStats()
    hits: list[Hit] = []
    for blob in _blobs(paths, options, stats):
        stats.blobs += 1
        stats.bytes += len(blob.data)
        text, encoding = text_bytes(blob.data)
        if text is None:
            stats.skip(blob.places[0].describe(), "binary")
            continue
        for candidate in find_candidates(text, options.min_entropy):
            hits.append(Hit(candidate, blob.places, encoding))
    return hits, stats
