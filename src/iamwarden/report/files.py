"""What report files share. They are written with :func:`iamwarden.runtime.write_atomically` (never half a report;
a file that cannot be written is an :class:`~iamwarden.errors.OutputError` naming it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson


def json_array_lines(items: Iterable[Any]) -> bytes:
    """A JSON array with one compact item per line: one JSON document for JSON tools, and a line per item for
    people and line-based tools (``jq -c '.[]'`` turns it into JSON Lines)."""
    body = b",\n".join(orjson.dumps(item) for item in items)
    return b"[\n" + body + b"\n]\n" if body else b"[]\n"
