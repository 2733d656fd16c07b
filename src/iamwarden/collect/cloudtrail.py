"""Read CloudTrail logs with duckdb (embedded) and aggregate the calls each principal made.

Input: one file or a folder (searched recursively) of ``.json`` / ``.json.gz`` / ``.jsonl`` / ``.jsonl.gz`` files, each
in one of three shapes: as S3 delivers them (``{"Records": [...]}``), a JSON array of events (what
``aws cloudtrail lookup-events`` and the Stratus Red Team detonation logs give) or JSON Lines (one event a line).

Every event becomes a row (file, record index, time, event source and name, principal, resources, error code) of an
in-memory duckdb table; :func:`read_calls` returns, per (principal, event source, event name), the last time it was
seen, how often, and the resource ARNs named (the event's ``resources`` and ARN-valued ``requestParameters``).

The principal of an assumed-role session is its role (``userIdentity.sessionContext.sessionIssuer.arn``, or the role
named in an ``arn:aws:sts::...:assumed-role/NAME/SESSION`` ARN). Calls that were refused (an error code containing
``AccessDenied`` or ``Unauthorized``) are counted apart: they show no use of a permission.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson

from iamwarden.errors import InputError, Problem

UNNAMED_LIMIT = 100
SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
_RECORDS = re.compile(rb'^\s*\{\s*"Records"\s*:')
_STS_SESSION = re.compile(r"^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/")


@dataclass(frozen=True, slots=True)
class ObservedCall:
    """One (principal, API call) seen in the logs: the last time, how many times, and the resources named."""

    principal_arn: str
    event_source: str
    event_name: str
    last_seen: datetime
    count: int
    resources: tuple[str, ...]
    """Resource ARNs the calls named."""
    denied: bool
    """Every call was refused (AccessDenied / Unauthorized): an attempt, not a use."""
    unnamed: tuple[tuple[tuple[str, str], ...], ...] = ()
    """For the calls that named no ARN: their string request parameters with ``@region``, ``@account`` and
    ``@partition``, one sorted tuple per distinct call, so that an ARN may be built from the catalogue's formats."""
    unnamed_overflow: bool = False
    """More than :data:`UNNAMED_LIMIT` distinct calls named no ARN (``unnamed`` is then empty): the action needs
    ``*``."""


def log_files(path: Path) -> list[Path]:
    """The CloudTrail files at ``path`` (a file, or every log file under a folder, sorted)."""
    if path.is_file():
        return [path]
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES))
        if not found:
            raise InputError(str(path), Problem("", f"no CloudTrail log files ({', '.join(SUFFIXES)}) in this folder"))
        return found
    raise InputError(str(path), Problem("", "no such file or folder"))


def _head(path: Path) -> bytes:
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                return fh.read(256)
        with path.open("rb") as fh:
            return fh.read(256)
    except (OSError, EOFError) as exc:
        raise InputError(str(path), Problem("", f"cannot read: {exc}")) from None


def _shape(path: Path) -> str:
    head = _head(path).lstrip()
    if not head:
        raise InputError(str(path), Problem("", "empty file"))
    if head.startswith(b"["):
        return "array"
    if _RECORDS.match(head):
        return "records"
    return "lines"


MAX_OBJECT = 1 << 30
"""Largest JSON object duckdb reads (a whole ``{"Records": [...]}`` file is one object): 1 GiB."""

_LOAD = {
    "array": "SELECT row_number() OVER () - 1, json FROM "
    f"read_json_objects(?, format='array', maximum_object_size={MAX_OBJECT})",
    "lines": "SELECT row_number() OVER () - 1, json FROM "
    f"read_json_objects(?, format='newline_delimited', maximum_object_size={MAX_OBJECT})",
    "records": "SELECT generate_subscripts(r, 1) - 1, unnest(r) FROM (SELECT json_extract(json, '$.Records[*]') AS r "
    f"FROM read_json_objects(?, format='auto', maximum_object_size={MAX_OBJECT}))",
}

_EXTRACT = """
CREATE TABLE events AS SELECT
    file, idx,
    json_type(ev) AS kind,
    ev->>'$.eventTime' AS event_time,
    ev->>'$.eventSource' AS event_source,
    ev->>'$.eventName' AS event_name,
    ev->>'$.errorCode' AS error_code,
    ev->>'$.userIdentity.type' AS identity_type,
    ev->>'$.userIdentity.arn' AS identity_arn,
    ev->>'$.userIdentity.sessionContext.sessionIssuer.arn' AS issuer_arn,
    json_extract_string(ev, '$.resources[*].ARN') AS resource_arns,
    ev->'$.requestParameters' AS request_parameters,
    ev->>'$.awsRegion' AS region,
    coalesce(ev->>'$.userIdentity.accountId', ev->>'$.recipientAccountId') AS account
FROM raw
"""


def _locate(path: Path, shape: str, reason: str) -> Problem:
    """Where a file duckdb could not read is broken (parsed again, record by record, to name the place)."""
    try:
        data = gzip.decompress(path.read_bytes()) if path.name.lower().endswith(".gz") else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return Problem("", f"cannot read: {exc}")
    if shape == "lines":
        for number, line in enumerate(data.splitlines(), 1):
            if line.strip():
                try:
                    orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    return Problem(f"line {number}", f"not JSON: {exc}")
        return Problem("", "not JSON Lines")
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return Problem("", f"not JSON: {exc}")
    if shape == "records" and not isinstance(doc.get("Records") if isinstance(doc, dict) else None, list):
        return Problem("$.Records", "expected a list of events")
    return Problem("", f"not a CloudTrail log file ({reason})")


def _record_place(shape: str, idx: int) -> str:
    return f"line {idx + 1}" if shape == "lines" else ("$.Records" if shape == "records" else "$") + f"[{idx}]"


def _load(con: duckdb.DuckDBPyConnection, files: list[Path]) -> dict[str, str]:
    con.execute("CREATE TABLE raw (file VARCHAR, idx BIGINT, ev JSON)")
    shapes: dict[str, str] = {}
    for path in files:
        shape = _shape(path)
        shapes[str(path)] = shape
        try:
            con.execute(f"INSERT INTO raw SELECT ?, * FROM ({_LOAD[shape]})", [str(path), str(path)])
        except duckdb.Error as exc:
            raise InputError(str(path), _locate(path, shape, str(exc).splitlines()[0])) from None
    return shapes


def _check(con: duckdb.DuckDBPyConnection, shapes: dict[str, str]) -> None:
    bad = con.execute(
        """SELECT file, idx, kind, event_time, event_source, event_name,
                  try_cast(event_time AS TIMESTAMPTZ) IS NULL AS bad_time
           FROM events
           WHERE kind <> 'OBJECT' OR event_source IS NULL OR event_name IS NULL OR event_time IS NULL
              OR try_cast(event_time AS TIMESTAMPTZ) IS NULL
           ORDER BY file, idx LIMIT 1"""
    ).fetchone()
    if bad is None:
        return
    file, idx, kind, event_time, source, name, bad_time = bad
    place = _record_place(shapes[file], int(idx))
    if kind != "OBJECT":
        message = f"expected an event object, found {_JSON_KINDS.get(str(kind), str(kind).lower())}"
    elif source is None or name is None:
        message = "missing eventSource or eventName"
    elif event_time is None:
        message = "missing eventTime"
    else:
        message = f"eventTime {event_time!r} is not a date and time" if bad_time else "unreadable event"
    raise InputError(file, Problem(place, message))


_JSON_KINDS = {
    "ARRAY": "a list",
    "VARCHAR": "a string",
    "BOOLEAN": "a boolean",
    "NULL": "null",
    "UBIGINT": "a number",
    "BIGINT": "a number",
    "DOUBLE": "a number",
}


def _principal(identity_type: str | None, arn: str | None, issuer: str | None) -> str | None:
    if issuer and ":role/" in issuer:
        return issuer
    if arn is None:
        return None
    session = _STS_SESSION.match(arn)
    if session is not None:
        partition, account, role = session.groups()
        return f"arn:{partition}:iam::{account}:role/{role}"
    if identity_type in ("IAMUser", "Root") or ":user/" in arn or arn.endswith(":root"):
        return arn
    return None


def _arns(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value.startswith("arn:"):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arns(item)
    elif isinstance(value, list):
        for item in value:
            yield from _arns(item)


def _parameters(request: Any, principal: str, region: str | None, account: str | None) -> tuple[tuple[str, str], ...]:
    found = {k: v for k, v in request.items() if isinstance(v, str)} if isinstance(request, dict) else {}
    found["@partition"] = principal.split(":", 2)[1]
    found["@account"] = account or principal.split(":", 5)[4]
    if region:
        found["@region"] = region
    return tuple(sorted(found.items()))


def _denied(error_code: str | None) -> bool:
    return error_code is not None and ("accessdenied" in error_code.lower() or "unauthorized" in error_code.lower())


def read_calls(path: Path) -> list[ObservedCall]:
    """Every (principal, event source, event name) in the logs at ``path``, with its last time, count and resources.

    Raises :class:`InputError` naming the file and the record (``$.Records[3]``, ``$[3]`` or ``line 4``) when a log
    cannot be read or an event lacks its source, name or time."""
    files = log_files(path)
    con = duckdb.connect(":memory:")
    try:
        shapes = _load(con, files)
        con.execute(_EXTRACT)
        _check(con, shapes)
        rows = con.execute(
            """SELECT identity_type, identity_arn, issuer_arn, event_source, event_name,
                      epoch_ms(CAST(event_time AS TIMESTAMPTZ)) AS seen_at, error_code, resource_arns,
                      request_parameters, region, account
               FROM events"""
        ).fetchall()
    finally:
        con.close()
    grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
    for identity_type, arn, issuer, source, name, at, error_code, resource_arns, params, region, account in rows:
        principal = _principal(identity_type, arn, issuer)
        if principal is None:
            continue
        entry = grouped.setdefault(
            (principal, source, name),
            {"last": at, "count": 0, "resources": set(), "denied": True, "unnamed": set()},
        )
        entry["last"] = max(entry["last"], at)
        entry["count"] += 1
        denied = _denied(error_code)
        if denied:
            continue
        entry["denied"] = False
        request = orjson.loads(params) if params else None
        named = set(resource_arns or [])
        named |= set(_arns(request))
        named.discard(None)
        if named:
            entry["resources"] |= named
            continue
        if entry["unnamed"] is not None:
            entry["unnamed"].add(_parameters(request, principal, region, account))
            if len(entry["unnamed"]) > UNNAMED_LIMIT:
                entry["unnamed"] = None
    return [
        ObservedCall(
            principal_arn=principal,
            event_source=source,
            event_name=name,
            last_seen=datetime.fromtimestamp(e["last"] / 1000, UTC),
            count=e["count"],
            resources=tuple(sorted(e["resources"])),
            denied=e["denied"],
            unnamed=tuple(sorted(e["unnamed"])) if e["unnamed"] else (),
            unnamed_overflow=e["unnamed"] is None,
        )
        for (principal, source, name), e in sorted(grouped.items())
    ]
