"""Read CloudTrail logs with DuckDB (embedded), in batches, and aggregate the calls each principal made.

One loader serves ``detect``, ``policy unused`` and ``policy suggest``. Input: files or folders (searched
recursively) of ``.json`` / ``.json.gz`` / ``.jsonl`` / ``.jsonl.gz`` files, each in one of three shapes: as S3
delivers them (``{"Records": [...]}``), a JSON array of events (what ``aws cloudtrail lookup-events``, CloudTrail Lake
exports and the Stratus Red Team detonation logs give) or JSON Lines (one event a line, as Athena exports). Folders in
the S3 layout (``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/``) are pruned by the accounts, regions and days asked
for before any file is opened.

:class:`TrailReader` reads the files a batch at a time (bounded memory whatever the trail's size) into a temporary
table with the explicit schema of :mod:`iamwarden.collect.cloudtrail_schema`, plus ``_file`` (where the record came
from) and ``_time`` (``eventTime`` as a timestamp). Bad input never stops the read: a file that cannot be read
(truncated gzip, not JSON), a line that is not JSON, a record without its source, name or time, is counted per file
and reason in :class:`ReadReport`; the caller decides (``detect`` fails only when nothing at all could be read).

:func:`read_calls` returns, per (principal, event source, event name), the last time it was seen, how often, and the
resource ARNs named (the event's ``resources`` and ARN-valued ``requestParameters``). The principal of an assumed-role
session is its role (``userIdentity.sessionContext.sessionIssuer.arn``, or the role named in an
``arn:aws:sts::...:assumed-role/NAME/SESSION`` ARN). Calls that were refused (an error code containing ``AccessDenied``
or ``Unauthorized``) are counted apart: they show no use of a permission.
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson

from iamwarden.collect.cloudtrail_schema import RECORD, duckdb_columns, duckdb_structure
from iamwarden.errors import InputError, Problem

UNNAMED_LIMIT = 100
SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
_RECORDS = re.compile(rb'^\s*\{\s*"Records"\s*:')
_STS_SESSION = re.compile(r"^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/")
_S3_NAME = re.compile(r"^\d{12}_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z_\w+\.json\.gz$")
MAX_OBJECT = 256 << 20
"""Largest JSON object DuckDB reads (a whole ``{"Records": [...]}`` file is one object; S3 delivers far smaller
files): 256 MiB. DuckDB's read buffer is twice this."""
MAX_RECORD = 16 << 20
"""Largest record of an array or JSON Lines file."""
BATCH_BYTES = 64 << 20
"""Files read together in one batch: up to this many bytes on disk (gzip: about 10x as much JSON)."""
BATCH_TABLE = "trail_batch"


@dataclass(frozen=True, slots=True)
class TrailFilter:
    """Which records to keep: a time window and accounts / regions (empty: all)."""

    since: datetime | None = None
    until: datetime | None = None
    accounts: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()

    def keeps_day(self, day: date) -> bool:
        return (self.since is None or day >= self.since.date()) and (self.until is None or day <= self.until.date())

    def keeps_layout(self, parts: Sequence[str]) -> bool:
        """Whether a path (or S3 key) in the S3 layout may hold records kept: ``.../AWSLogs/[o-.../]ACCOUNT/CloudTrail/
        REGION/YYYY/MM/DD/...``; paths outside the layout are kept."""
        try:
            at = parts.index("CloudTrail")
        except ValueError:
            return True
        if at < 1 or not re.fullmatch(r"\d{12}", parts[at - 1]):
            return True
        if self.accounts and parts[at - 1] not in self.accounts:
            return False
        if len(parts) > at + 1 and self.regions and parts[at + 1] not in self.regions:
            return False
        ymd = parts[at + 2 : at + 5]
        if len(ymd) == 3 and all(p.isdigit() for p in ymd):
            try:
                return self.keeps_day(date(int(ymd[0]), int(ymd[1]), int(ymd[2])))
            except ValueError:
                return True
        return True


@dataclass
class ReadReport:
    """What a read saw: files, records kept, and every problem counted per (file, reason)."""

    files: int = 0
    files_read: int = 0
    records: int = 0
    filtered: int = 0
    """Records read but outside --since/--until/--account/--region."""
    problems: Counter[tuple[str, str]] = field(default_factory=Counter)
    places: dict[tuple[str, str], str] = field(default_factory=dict)
    """Where in its file each problem was first seen: ``line 3`` (JSON Lines), ``$.Records[2]``, ``$[2]``."""

    def add(self, file: str, reason: str, count: int = 1, place: str = "") -> None:
        self.problems[(file, reason)] += count
        if place:
            self.places.setdefault((file, reason), place)

    def _problem(self, file: str, reason: str, n: int) -> Problem:
        place = self.places.get((file, reason), "")
        more = n - 1 if place else n
        like = f" (and {more} more record{'s' if more > 1 else ''} like it)" if place else f" ({n} records)"
        return Problem(place, reason + (like if more > (0 if place else 1) else ""))

    def _ordered(self) -> list[tuple[str, str, int]]:
        """The problems file by file, each file's in the order of their first place in it (unplaced ones last)."""

        def key(item: tuple[tuple[str, str], int]) -> tuple[str, int, str]:
            (file, reason), _ = item
            digits = re.search(r"\d+", self.places.get((file, reason), ""))
            return file, int(digits[0]) if digits else sys.maxsize, reason

        return [(f, reason, n) for (f, reason), n in sorted(self.problems.items(), key=key)]

    def problem_lines(self) -> list[str]:
        return [f"{f}: {self._problem(f, reason, n)}" for f, reason, n in self._ordered()]

    def error(self) -> InputError:
        """The problems as one :class:`InputError`, named after the first file with a problem: its one line names
        the file, the first bad record's place and what is wrong with it."""
        if not self.problems:
            return InputError("CloudTrail logs", Problem("", "no CloudTrail record found"))
        first = min(self.problems)[0]
        problems = []
        for f, reason, n in self._ordered():
            problem = self._problem(f, reason, n)
            if f != first:
                problem = Problem(f"{f}: {problem.place}" if problem.place else f, problem.message)
            problems.append(problem)
        return InputError(first, problems)

    @property
    def skipped(self) -> int:
        return sum(self.problems.values())


def log_files(path: Path, where: TrailFilter | None = None) -> list[Path]:
    """The CloudTrail files at ``path`` (a file, or every log file under a folder, sorted), pruned by ``where``."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(str(path), Problem("", "no such file or folder"))
    where = where or TrailFilter()
    found: list[Path] = []
    for p in sorted(path.rglob("*")):
        if p.is_file() and p.name.lower().endswith(SUFFIXES) and where.keeps_layout(p.relative_to(path).parts):
            found.append(p)
    if not found:
        raise InputError(str(path), Problem("", f"no CloudTrail log files ({', '.join(SUFFIXES)}) in this folder"))
    return found


def _head(path: Path) -> bytes:
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            return fh.read(256)
    with path.open("rb") as fh:
        return fh.read(256)


def file_shape(path: Path) -> str:
    """``records``, ``array`` or ``lines``; raises ``OSError`` / ``EOFError`` / ``ValueError`` for a file that cannot
    be read or is empty."""
    if _S3_NAME.match(path.name):
        return "records"
    head = _head(path).lstrip()
    if not head:
        raise ValueError("empty file")
    if head.startswith(b"["):
        return "array"
    if _RECORDS.match(head):
        return "records"
    return "lines"


_COLUMN_LIST = ", ".join(f'"{k}"' for k in RECORD)
_OPTIONS = f"filename=true, maximum_object_size={MAX_RECORD}"
_LOAD = {
    # json_transform of each whole file's object: ten times faster than read_json's typed list of structs, and the
    # object is parsed once (extracting ``$.Records`` first would write it out as text and parse it again)
    "records": "SELECT _file, unnest(r) FROM (SELECT _file, unnest(CASE WHEN d.Records IS NOT NULL THEN d.Records "
    "ELSE error('no Records list') END) AS r FROM (SELECT filename AS _file, "
    f"json_transform(json, '{{\"Records\": [{duckdb_structure()}]}}') AS d "
    f"FROM read_json_objects(?, format='unstructured', filename=true, maximum_object_size={MAX_OBJECT})))",
    "array": f"SELECT filename AS _file, {_COLUMN_LIST} FROM "
    f"read_json(?, columns={duckdb_columns()}, format='array', {_OPTIONS})",
    "lines": f"SELECT filename AS _file, {_COLUMN_LIST} FROM "
    f"read_json(?, columns={duckdb_columns()}, format='newline_delimited', {_OPTIONS})",
}
ACCOUNTING_COLUMNS = ("eventSource", "eventName", "eventTime", "awsRegion", "recipientAccountId", "userIdentity")
"""The columns :class:`TrailReader` counts bad records and applies the filter with."""
_BAD = """SELECT _file, CASE
        WHEN "eventSource" IS NULL OR "eventName" IS NULL THEN 'record without eventSource or eventName'
        WHEN "eventTime" IS NULL THEN 'record without eventTime'
        WHEN _time IS NULL THEN 'record whose eventTime is not a date and time' END AS reason, count(*)
    FROM {table} WHERE reason IS NOT NULL GROUP BY ALL"""


class TrailReader:
    """Reads CloudTrail files into the temporary table :data:`BATCH_TABLE`, a batch at a time.

    ``keep_sql`` says what the table keeps of each batch's records: a query over ``({records})`` (the records with
    ``_file`` and ``_time``), by default all of them. It must keep the columns the read's own accounting uses
    (:data:`ACCOUNTING_COLUMNS`, ``_file`` and ``_time``), one row per record; the detection engine keeps the other
    columns of the records some rule matched only, so that a batch costs little more than reading it."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        where: TrailFilter | None = None,
        report: ReadReport | None = None,
        batch_bytes: int = BATCH_BYTES,
        progress: Callable[[int], None] | None = None,
        keep_sql: str = "SELECT * FROM ({records})",
    ) -> None:
        self.con = con
        self.where = where or TrailFilter()
        self.report = report if report is not None else ReadReport()
        self.batch_bytes = batch_bytes
        self.progress = progress
        self.keep_sql = keep_sql

    def batches(self, files: Iterable[Path]) -> Iterator[str]:
        """Yield the name of the table holding each batch's good records (replaced at the next batch)."""
        pending: dict[str, list[Path]] = {"records": [], "array": [], "lines": []}
        size: dict[str, int] = dict.fromkeys(pending, 0)
        for path in files:
            self.report.files += 1
            try:
                shape = file_shape(path)
                length = path.stat().st_size
            except (OSError, EOFError, ValueError, zlib.error) as exc:
                self.report.add(str(path), _reason(exc))
                self._done(1)
                continue
            pending[shape].append(path)
            size[shape] += length
            if size[shape] >= self.batch_bytes:
                yield from self._batch(shape, pending[shape])
                pending[shape], size[shape] = [], 0
        for shape, paths in pending.items():
            if paths:
                yield from self._batch(shape, paths)

    def _done(self, n: int) -> None:
        if self.progress is not None:
            self.progress(n)

    def _batch(self, shape: str, paths: list[Path]) -> Iterator[str]:
        try:
            self._load(_LOAD[shape], [str(p) for p in paths])
        except duckdb.Error:
            if len(paths) > 1:  # find the bad file(s): each alone
                for path in paths:
                    yield from self._batch(shape, [path])
                return
            if not self._salvage(paths[0], shape):
                self._done(1)
                return
        self.report.files_read += len(paths)
        self._done(len(paths))
        if self._finish():
            yield BATCH_TABLE

    def _load(self, select: str, *params: Any) -> None:
        records = f'SELECT *, try_cast("eventTime" AS TIMESTAMPTZ) AS _time FROM ({select})'
        keep = self.keep_sql.replace("{records}", records)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {BATCH_TABLE} AS {keep}", list(params))

    def _finish(self) -> bool:
        """Count and drop the bad records and those outside the filter; whether any record is left."""
        bad = 0
        for file, reason, count in self.con.execute(_BAD.format(table=BATCH_TABLE)).fetchall():
            located = (file, reason) in self.report.places
            self.report.add(file, reason, int(count), "" if located else _first_place(Path(file), reason))
            bad += int(count)
        keep, params = self._filter_sql()
        total = _count(self.con)
        self.con.execute(f"DELETE FROM {BATCH_TABLE} WHERE NOT ({keep})", params)
        kept = _count(self.con)
        self.report.records += kept
        self.report.filtered += total - kept - bad
        return kept > 0

    def _filter_sql(self) -> tuple[str, list[Any]]:
        clauses = ['"eventSource" IS NOT NULL', '"eventName" IS NOT NULL', "_time IS NOT NULL"]
        params: list[Any] = []
        if self.where.since is not None:
            clauses.append("_time >= ?")
            params.append(self.where.since)
        if self.where.until is not None:
            clauses.append("_time <= ?")
            params.append(self.where.until)
        if self.where.accounts:
            clauses.append('coalesce("recipientAccountId", "userIdentity"."accountId") IN ?')
            params.append(sorted(self.where.accounts))
        if self.where.regions:
            clauses.append('"awsRegion" IN ?')
            params.append(sorted(self.where.regions))
        return " AND ".join(clauses), params

    def _salvage(self, path: Path, shape: str) -> bool:
        """Read what can be read of a file DuckDB refused, counting what cannot; whether anything was loaded."""
        try:
            data = _decompress(path)
        except OSError as exc:
            self.report.add(str(path), _reason(exc))
            return False
        truncated = isinstance(data, _Truncated)
        if truncated:
            self.report.add(str(path), TRUNCATED)
        events: list[bytes] = []
        if truncated and shape != "lines":
            return False  # a cut JSON document: nothing of it can be read safely
        if shape == "lines":
            lines = bytes(data).splitlines()
            if truncated and lines and shape == "lines":
                lines = lines[:-1]  # the cut line
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    doc = orjson.loads(line)
                except orjson.JSONDecodeError:
                    self.report.add(str(path), "line that is not JSON", place=f"line {number}")
                    continue
                self._keep(path, doc, events, f"line {number}")
        else:
            try:
                doc = orjson.loads(bytes(data))
            except orjson.JSONDecodeError as exc:
                self.report.add(str(path), f"not JSON ({exc})")
                return False
            items = doc.get("Records") if isinstance(doc, dict) else doc
            if not isinstance(items, list):
                self.report.add(str(path), 'neither {"Records": [...]} nor a list of events')
                return False
            where = "$.Records" if isinstance(doc, dict) else "$"
            for index, item in enumerate(items):
                self._keep(path, item, events, f"{where}[{index}]")
        if not events:
            return False
        with tempfile.NamedTemporaryFile(suffix=".jsonl") as tmp:
            tmp.write(b"\n".join(events))
            tmp.flush()
            try:
                self._load(_LOAD["lines"].replace("filename AS _file", "? AS _file", 1), str(path), tmp.name)
            except duckdb.Error as exc:
                self.report.add(str(path), f"unreadable: {str(exc).splitlines()[0]}", len(events))
                return False
        return True

    def _keep(self, path: Path, doc: Any, events: list[bytes], place: str) -> None:
        if not isinstance(doc, dict):
            self.report.add(str(path), "record that is not an object", place=place)
            return
        bad = [k for k in ("userIdentity", "sessionContext") if k in doc and not isinstance(doc[k], dict | None)]
        if bad:
            self.report.add(str(path), f"record whose {bad[0]} is not an object", place=place)
            return
        events.append(orjson.dumps(doc))


def _first_place(path: Path, reason: str) -> str:
    """Where the first record of ``path`` with the problem DuckDB counted (``reason``, one of :data:`_BAD`'s) is:
    ``line N``, ``$.Records[i]`` or ``$[i]``; empty when the file cannot be read again or no record is found by
    this (Python) reading. Only bad input pays for this second reading."""
    try:
        shape = file_shape(path)
        data = bytes(_decompress(path))
    except (OSError, EOFError, ValueError):
        return ""
    if shape == "lines":
        numbered = ((f"line {n}", line) for n, line in enumerate(data.splitlines(), 1) if line.strip())
        records: Iterable[tuple[str, Any]] = ((place, _loads(line)) for place, line in numbered)
    else:
        doc = _loads(data)
        items = doc.get("Records") if isinstance(doc, dict) else doc
        where = "$.Records" if isinstance(doc, dict) else "$"
        records = ((f"{where}[{i}]", item) for i, item in enumerate(items if isinstance(items, list) else ()))
    for place, record in records:
        if _problem_of(record) == reason:
            return place
    return ""


def _loads(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None


def _problem_of(record: Any) -> str | None:
    """What :data:`_BAD` says of ``record``, decided in Python (a time DuckDB cannot cast: not ISO 8601 here); a
    record that is not an object has no eventSource, as DuckDB reads it."""
    if not isinstance(record, dict):
        return "record without eventSource or eventName"
    if not isinstance(record.get("eventSource"), str) or not isinstance(record.get("eventName"), str):
        return "record without eventSource or eventName"
    when = record.get("eventTime")
    if when is None:
        return "record without eventTime"
    try:
        datetime.fromisoformat(str(when).replace("Z", "+00:00"))
    except ValueError:
        return "record whose eventTime is not a date and time"
    return None


def _count(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute(f"SELECT count(*) FROM {BATCH_TABLE}").fetchone()
    return int(row[0]) if row else 0


TRUNCATED = "truncated gzip (records after the cut are lost)"
"""The reason a gzip file cut short is counted under (the records before the cut are read where they can be)."""


class _Truncated(bytes):
    """The part of a gzip file before it was cut."""


def _decompress(path: Path) -> bytes:
    raw = path.read_bytes()
    if not path.name.lower().endswith(".gz"):
        return raw
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        out = inflater.decompress(raw)
    except zlib.error as exc:
        raise OSError(f"not gzip ({exc})") from None
    return out if inflater.eof else _Truncated(out)


def cut_short(path: Path) -> bool:
    """Whether ``path`` is a gzip file cut short (``OSError`` when it cannot be read, or is not gzip)."""
    return isinstance(_decompress(path), _Truncated)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "truncated gzip"
    if isinstance(exc, gzip.BadGzipFile | zlib.error):
        return f"not gzip ({exc})"
    if isinstance(exc, ValueError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"cannot read ({exc.strerror or exc})"
    return str(exc)


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


def principal_of(identity_type: str | None, arn: str | None, issuer: str | None) -> str | None:
    """The IAM principal behind a call: the user, the root, or the role of an assumed-role session."""
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


def denied(error_code: str | None) -> bool:
    """A refused call (``AccessDenied*``, ``*Unauthorized*``)."""
    return error_code is not None and ("accessdenied" in error_code.lower() or "unauthorized" in error_code.lower())


_CALLS = f"""SELECT "userIdentity"."type", "userIdentity"."arn", "userIdentity"."sessionContext"."sessionIssuer"."arn",
    "eventSource", "eventName", epoch_ms(_time), "errorCode", json_extract_string("resources", '$[*].ARN'),
    "requestParameters", "awsRegion", coalesce("userIdentity"."accountId", "recipientAccountId") FROM {BATCH_TABLE}"""


def read_calls(
    paths: Path | Sequence[Path], where: TrailFilter | None = None, report: ReadReport | None = None
) -> list[ObservedCall]:
    """Every (principal, event source, event name) in the logs at ``paths``, with its last time, count and resources.

    With no ``report`` to count them in, bad input raises :class:`InputError` naming each file and what is wrong with
    it; with one, bad input is counted there and only a read that found no record at all raises."""
    strict = report is None
    report = report if report is not None else ReadReport()
    files = [f for p in ([paths] if isinstance(paths, Path) else paths) for f in log_files(p, where)]
    grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")  # DuckDB draws it on stdout, where JSON may go
    try:
        for table in TrailReader(con, where, report).batches(files):
            assert table == BATCH_TABLE
            for row in con.execute(_CALLS).fetchall():
                _group(grouped, row)
    finally:
        con.close()
    if report.problems and (strict or report.records == 0):
        raise report.error()
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


def _group(grouped: dict[tuple[str, str, str], dict[str, Any]], row: tuple[Any, ...]) -> None:
    identity_type, arn, issuer, source, name, at, error_code, resource_arns, params, region, account = row
    principal = principal_of(identity_type, arn, issuer)
    if principal is None:
        return
    entry = grouped.setdefault(
        (principal, source, name),
        {"last": at, "count": 0, "resources": set(), "denied": True, "unnamed": set()},
    )
    entry["last"] = max(entry["last"], at)
    entry["count"] += 1
    if denied(error_code):
        return
    entry["denied"] = False
    request = orjson.loads(params) if params else None
    named = set(resource_arns or [])
    named |= set(_arns(request))
    named.discard(None)
    if named:
        entry["resources"] |= named
        return
    if entry["unnamed"] is not None:
        entry["unnamed"].add(_parameters(request, principal, region, account))
        if len(entry["unnamed"]) > UNNAMED_LIMIT:
            entry["unnamed"] = None
