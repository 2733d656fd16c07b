"""Writing report files: atomically (a temporary file beside the target, renamed into place), so a failed or
interrupted write never leaves half a report; failures are one-line :class:`~iamwarden.errors.InputError` naming
the file."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from iamwarden.errors import InputError, Problem


def json_array_lines(items: Iterable[Any]) -> bytes:
    """A JSON array with one compact item per line: one JSON document for JSON tools, and a line per item for
    people and line-based tools (``jq -c '.[]'`` turns it into JSON Lines)."""
    body = b",\n".join(orjson.dumps(item) for item in items)
    return b"[\n" + body + b"\n]\n" if body else b"[]\n"


def write_atomic(path: Path, data: bytes, what: str = "the report") -> None:
    """Write ``data`` to ``path`` (parent folders created) through ``.<name>.tmp`` and a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # an unwritable folder: nothing was left behind
            tmp.unlink(missing_ok=True)
        raise InputError(str(path), Problem("", f"cannot write {what}: {exc.strerror or exc}")) from None
