"""How iamwarden uses the machine it runs on: every file it writes, written atomically (whole, or piece by piece for
output too large to hold), and the cyclic garbage collector paused while large acyclic structures are built.

Outside the layers (like :mod:`iamwarden.errors`): collect writes snapshots, report writes reports, the model, the
analysis, the checks and the commands pause the collector, all with these.
"""

from __future__ import annotations

import gc
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from iamwarden.errors import OutputError


def write_atomically(path: str | Path, data: bytes, what: str = "the file", *, private: bool = False) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the whole new one, never half of it.

    The bytes go to a temporary file of a unique name in the same folder (created with its parents when missing),
    which is then renamed over ``path``; on any failure, an interrupt included, the temporary file is removed and the
    target is left as it was. A new file gets the permissions any new file gets (0666 less the umask), or, with
    ``private``, 0600 (owner only: a snapshot holds the account's configuration). A file that cannot be written is
    an :class:`~iamwarden.errors.OutputError` naming it: ``findings.json: cannot write the report: Permission
    denied``.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            tmp.replace(path)
        except BaseException:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(str(path), f"cannot write {what}: {exc.strerror or exc}") from None


@contextmanager
def open_atomically(path: str | Path, what: str = "the file") -> Iterator[IO[bytes]]:
    """A file to write piece by piece, seen by readers only once whole: as :func:`write_atomically` (a temporary
    file in the same folder renamed over ``path`` when the block ends; removed, and ``path`` left as it was, when
    the block raises), for output too large to hold in memory at once."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
            tmp.replace(path)
        except BaseException:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(str(path), f"cannot write {what}: {exc.strerror or exc}") from None


@contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a large acyclic structure is built.

    Loading a snapshot allocates millions of small dicts and strings that form no cycles; the collector's repeated
    passes over them cost about a third of a 10,000-principal load (measured in ``benchmarks/snapshot_load.py``).
    Reference counting still frees everything; the collector resumes (if it was on) when the block ends.

    ``freeze``: for a command whose process ends soon after (``scan``). When the collector resumes, its first pass
    would still walk every object the block allocated (about 0.1 s after the checks of a 2,600-principal account,
    to find a few thousand objects in cycles); instead, what is alive then is moved out of its reach
    (:func:`gc.freeze`) until the process ends. Cycles made in the block are then never collected: not for code
    that runs in a long-lived process.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze:
                gc.freeze()
            gc.enable()
