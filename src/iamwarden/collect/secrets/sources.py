"""What a secrets scan reads, and what it reports about what it could not read.

A scan yields :class:`Blob` objects (the bytes of one file version and where they come from) and records a
:class:`Skipped` for everything it left out on purpose or could not read, so the report can say so: nothing is
skipped silently, and nothing raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Origin = Literal["file", "index", "history", "unreachable"]


def printable(path: str) -> str:
    """A file name as reports can hold it: bytes that are not UTF-8 (kept by Python as surrogates) become U+FFFD."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def describe_place(
    path: str, line: int | None = None, commit: str | None = None, author_date: str | None = None, staged: bool = False
) -> str:
    """How every output names a place: ``path:line @ commit12 (author day)``, ``path:line (staged)``.

    >>> describe_place("deploy/.env", 3, "3f2a9c0d1e4b5a6789abcdef0123456789abcdef", "2026-10-01T10:00:00+02:00")
    'deploy/.env:3 @ 3f2a9c0d1e4b (2026-10-01)'
    """
    where = path if line is None else f"{path}:{line}"
    if commit:
        where += f" @ {commit[:12]}" + (f" ({author_date[:10]})" if author_date else "")
    elif staged:
        where += " (staged)"
    return where


@dataclass(frozen=True, slots=True)
class Place:
    """Where a blob was seen: a path (relative to the scanned folder or repository), and for git its commit."""

    path: str
    origin: Origin = "file"
    commit: str | None = None
    author_date: str | None = None
    """ISO 8601, the commit's author date (with the author's offset)."""
    author_time: int | None = None
    """The author date as seconds since the epoch: what "earliest" is judged by."""
    author: str | None = None
    repository: str | None = None
    """The repository folder, for blobs read from git."""

    def describe(self, line: int | None = None) -> str:
        return describe_place(self.path, line, self.commit, self.author_date, self.origin == "index")

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"path": self.path, "origin": self.origin}
        if self.repository is not None:
            out["repository"] = self.repository
        if self.commit is not None:
            out.update(commit=self.commit, author_date=self.author_date, author=self.author)
        return out


@dataclass(frozen=True, slots=True)
class Blob:
    """The content of one file version and every place it was seen (git stores identical content once)."""

    data: bytes
    places: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something the scan did not search, and why (``binary``, ``vendored``, ``too large``, ``unreadable: ...``)."""

    path: str
    reason: str
    problem: bool = False
    """True for what went wrong (unreadable, broken object, symlink loop), False for what is left out by design."""

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "reason": self.reason, "problem": self.problem}


@dataclass(slots=True)
class ScanStats:
    """How much was read."""

    blobs: int = 0
    bytes: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def skip(self, path: str, reason: str, problem: bool = False) -> None:
        self.skipped.append(Skipped(path, reason, problem))


MAX_BYTES = 20 * 1024 * 1024
"""Files (and git blobs) larger than this are skipped as ``too large`` (``--max-size`` changes it)."""

VENDORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "bower_components",
        "vendor",
        "third_party",
        ".venv",
        "venv",
        "site-packages",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".terraform",
        ".gradle",
    }
)
"""Folders not searched by default (``--include-vendored`` searches them): other people's code, caches, and the
``.git`` folder itself (its objects are read with ``--history``)."""

BINARY_SUFFIXES = frozenset(
    {
        ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tif", ".tiff", ".pdf", ".psd",
        ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".tar", ".jar", ".war", ".whl", ".egg",
        ".so", ".dll", ".dylib", ".exe", ".bin", ".o", ".a", ".class", ".pyc", ".pyo", ".wasm",
        ".mp3", ".mp4", ".mov", ".avi", ".wav", ".flac", ".ogg", ".woff", ".woff2", ".ttf", ".otf", ".eot",
        ".sqlite", ".db", ".parquet", ".avro", ".orc", ".pkl", ".npy", ".npz", ".h5",
    }
)  # fmt: skip
"""File names ending so are binary and not read at all; any other file is read and judged by its bytes
(:func:`iamwarden.collect.secrets.keys.text_bytes`)."""
