"""Files and folders as blobs: a walk that follows symbolic links once, skips binaries, vendored folders and huge
files, and records every file it could not read instead of failing."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from iamwarden.collect.secrets.sources import (
    BINARY_SUFFIXES,
    MAX_BYTES,
    VENDORED_DIRS,
    Blob,
    Place,
    ScanStats,
    printable,
)


def _shown(path: Path, root: Path) -> str:
    """``path`` as reports show it: the folder as the user gave it, joined with the path inside it."""
    try:
        inside = path.relative_to(root).as_posix()
    except ValueError:
        return printable(path.as_posix())
    return printable(os.path.normpath(root / inside).replace(os.sep, "/"))


def read_file(path: Path, shown: str, stats: ScanStats, max_bytes: int = MAX_BYTES) -> Blob | None:
    """One file as a blob, or ``None`` with the reason recorded in ``stats``."""
    if path.suffix.lower() in BINARY_SUFFIXES:
        stats.skip(shown, "binary (by name)")
        return None
    try:
        size = path.stat().st_size
        if size > max_bytes:
            stats.skip(shown, f"too large ({size:,} bytes > {max_bytes:,})", problem=True)
            return None
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        stats.skip(shown, f"unreadable: {exc.strerror or exc}", problem=True)
        return None
    if len(data) > max_bytes:  # grew while we read it
        stats.skip(shown, f"too large (> {max_bytes:,} bytes)", problem=True)
        return None
    return Blob(data, (Place(shown),))


def walk(root: Path, stats: ScanStats, *, include_vendored: bool = False, max_bytes: int = MAX_BYTES) -> Iterator[Blob]:
    """Every file under ``root`` (or ``root`` itself when it is a file), as blobs; paths shown as ``root`` was
    given joined with the path under it. Directory symbolic links are followed unless they lead
    back to a folder already being walked (a loop, recorded as a problem)."""
    if not root.is_dir():
        blob = read_file(root, printable(root.as_posix()), stats, max_bytes)
        if blob is not None:
            yield blob
        return
    yield from _walk_dir(root, root, stats, include_vendored, max_bytes, ancestors=())


def _walk_dir(
    folder: Path,
    root: Path,
    stats: ScanStats,
    include_vendored: bool,
    max_bytes: int,
    ancestors: tuple[tuple[int, int], ...],
) -> Iterator[Blob]:
    try:
        info = folder.stat()
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        stats.skip(_shown(folder, root), f"unreadable folder: {exc.strerror or exc}", problem=True)
        return
    here = (info.st_dev, info.st_ino)
    if here in ancestors:
        stats.skip(_shown(folder, root), "symlink loop (leads back to a folder being scanned)", problem=True)
        return
    ancestors = (*ancestors, here)
    for entry in entries:
        path = Path(entry.path)
        shown = _shown(path, root)
        try:
            mode = entry.stat(follow_symlinks=True).st_mode
        except OSError as exc:
            reason = "broken symlink" if entry.is_symlink() else "unreadable"
            stats.skip(shown, f"{reason}: {exc.strerror or exc}", problem=True)
            continue
        if stat.S_ISDIR(mode):
            if entry.name == ".git":  # not content: its objects are read with --history
                continue
            if entry.name in VENDORED_DIRS and not include_vendored:
                stats.skip(shown + "/", "vendored or tool folder (not searched by default)")
                continue
            yield from _walk_dir(path, root, stats, include_vendored, max_bytes, ancestors)
        elif stat.S_ISREG(mode):
            blob = read_file(path, shown, stats, max_bytes)
            if blob is not None:
                yield blob
        else:
            stats.skip(shown, "not a regular file")
