"""The snapshot: one JSON document holding every AWS response iamwarden collected, and every gap.

Layout (``docs/snapshot-format.md`` and ``docs/snapshot.schema.json`` describe it)::

    {"format": "iamwarden-snapshot", "format_version": 1, "account_id": "123456789012", "partition": "aws",
     "collected_at": "2026-11-28T10:00:00Z", "regions": ["us-east-1"],
     "tool": {"name": "iamwarden", "version": "0.1.0"},
     "source": "live", "options": {...},
     "calls": {"iam:GetAccountSummary": {"global": {"_": {...response...}}},
               "cloudtrail:GetTrailStatus": {"us-east-1": {"arn:aws:cloudtrail:...:trail/main": {...}}}},
     "gaps": [{"api": "iam:GetCredentialReport", "region": "global", "target": "_",
               "error_code": "AccessDenied", "message": "..."}]}

A file whose name ends in ``.gz`` is gzip-compressed. Writes are atomic: a temporary file renamed into place.
"""

from __future__ import annotations

import gzip
import threading
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from iamwarden import __version__
from iamwarden.collect.apis import API_BY_KEY, GLOBAL, NO_TARGET
from iamwarden.errors import InputError, Problem, json_path
from iamwarden.runtime import gc_paused, write_atomically

FORMAT_NAME = "iamwarden-snapshot"
FORMAT_VERSION = 1

Source = Literal["live", "import", "authorization-details", "demo", "generated"]

GapCode = str
"""AWS's error code (AccessDenied, AccessDeniedException, UnauthorizedOperation ...) or one of ours:
``Throttled`` (still throttled after retries), ``RegionDisabled`` (opt-in region not enabled),
``NotCollected`` (not asked for, or its file was missing from an import), ``Incomplete`` (answered without a field
AWS documents, at the thing lacking it), ``Error`` (anything else)."""

Responses = dict[str, dict[str, dict[str, Any]]]
"""api -> region -> target -> response (``None`` where AWS answered "there is none", e.g. no password policy)."""


@dataclass(frozen=True, slots=True)
class Gap:
    """A call whose answer is missing from the snapshot, and why."""

    api: str
    region: str
    target: str
    error_code: GapCode
    message: str = ""

    def describe(self) -> str:
        where = "" if self.region == GLOBAL else f" in {self.region}"
        what = "" if self.target == NO_TARGET else f" for {self.target}"
        return f"{self.api}{what}{where}: {self.error_code}" + (f" ({self.message})" if self.message else "")


def gaps_for(gaps: Iterable[Gap], api: str, region: str | None = None, target: str | None = None) -> list[Gap]:
    """The gaps of ``api``, narrowed to a region and a target when given (a gap on the whole call, target
    ``NO_TARGET``, counts for every target)."""
    return [
        g
        for g in gaps
        if g.api == api
        and (region is None or g.region == region)
        and (target is None or g.target in (target, NO_TARGET))
    ]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A validated snapshot envelope. ``calls`` holds raw AWS responses; :mod:`iamwarden.collect.raw` types them."""

    account_id: str
    partition: str
    collected_at: datetime
    regions: tuple[str, ...]
    tool_version: str
    source: Source
    calls: Mapping[str, Mapping[str, Mapping[str, Any]]]
    gaps: tuple[Gap, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)

    def has(self, api: str, region: str = GLOBAL, target: str = NO_TARGET) -> bool:
        return target in self.calls.get(api, {}).get(region, {})

    def response(self, api: str, region: str = GLOBAL, target: str = NO_TARGET) -> Any:
        """The stored response (``None`` for "there is none"); ``KeyError`` when it was not collected."""
        return self.calls[api][region][target]

    def targets(self, api: str, region: str = GLOBAL) -> Mapping[str, Any]:
        """Every stored response of a per-target call in one region, by target."""
        return self.calls.get(api, {}).get(region, {})

    def gaps_for(self, api: str, region: str | None = None, target: str | None = None) -> list[Gap]:
        """:func:`gaps_for` over the snapshot's gaps."""
        return gaps_for(self.gaps, api, region, target)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "account_id": self.account_id,
            "partition": self.partition,
            "collected_at": self.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "regions": list(self.regions),
            "tool": {"name": "iamwarden", "version": self.tool_version},
            "source": self.source,
            "options": dict(self.options),
            "calls": self.calls,
            "gaps": [
                {
                    "api": g.api,
                    "region": g.region,
                    "target": g.target,
                    "error_code": g.error_code,
                    "message": g.message,
                }
                for g in self.gaps
            ],
        }


class SnapshotBuilder:
    """Collects responses and gaps (thread-safe: regions are collected in parallel) into a :class:`Snapshot`."""

    def __init__(
        self,
        *,
        account_id: str,
        partition: str = "aws",
        regions: tuple[str, ...] | list[str] = (),
        source: Source = "live",
        options: Mapping[str, Any] | None = None,
        collected_at: datetime | None = None,
    ) -> None:
        self.account_id = account_id
        self.partition = partition
        self.regions = tuple(regions)
        self.source: Source = source
        self.options = dict(options or {})
        self.collected_at = collected_at or datetime.now(UTC)
        self._calls: Responses = {}
        self._gaps: list[Gap] = []
        self._lock = threading.Lock()

    def record(
        self, api: str, response: Any, *, region: str = GLOBAL, target: str = NO_TARGET, plain: bool = False
    ) -> None:
        """Store one response (pages already merged). ``api`` must be listed in :data:`iamwarden.collect.apis.APIS`.
        ``plain``: the response is already JSON data (read from JSON and validated by :mod:`iamwarden.collect.raw`,
        which keeps timestamps as text), stored as it is; otherwise boto3's types are converted first."""
        if api not in API_BY_KEY:
            raise ValueError(f"unknown API key {api!r}: add it to iamwarden.collect.apis.APIS")
        if not plain:
            response = jsonable(response)
        with self._lock:
            self._calls.setdefault(api, {}).setdefault(region, {})[target] = response

    def gap(
        self,
        api: str,
        error_code: GapCode,
        message: str = "",
        *,
        region: str = GLOBAL,
        target: str = NO_TARGET,
    ) -> None:
        if api not in API_BY_KEY:
            raise ValueError(f"unknown API key {api!r}: add it to iamwarden.collect.apis.APIS")
        with self._lock:
            self._gaps.append(Gap(api, region, target, error_code, message))

    def build(self) -> Snapshot:
        with self._lock:
            calls = {a: {r: dict(t) for r, t in regions.items()} for a, regions in sorted(self._calls.items())}
            gaps = tuple(sorted(self._gaps, key=lambda g: (g.api, g.region, g.target)))
        return Snapshot(
            account_id=self.account_id,
            partition=self.partition,
            collected_at=self.collected_at,
            regions=self.regions,
            tool_version=__version__,
            source=self.source,
            calls=calls,
            gaps=gaps,
            options=self.options,
        )


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: boto3's datetimes become ISO 8601 strings; bytes are refused."""
    return orjson.loads(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))


# --- reading and writing -------------------------------------------------------------------------------------


class _RawTool(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    version: str


class _RawGap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api: str
    region: str
    target: str = NO_TARGET
    error_code: str
    message: str = ""


class _RawSnapshot(BaseModel):
    """The envelope as it is on disk; responses inside ``calls`` are checked per API by ``raw.validate_calls``."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["iamwarden-snapshot"]
    format_version: Literal[1]
    account_id: str = Field(pattern=r"^\d{12}$")
    partition: Literal["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"]
    collected_at: datetime
    regions: list[str]
    tool: _RawTool
    source: Literal["live", "import", "authorization-details", "demo", "generated"]
    options: dict[str, Any] = Field(default_factory=dict)
    calls: dict[str, dict[str, dict[str, Any]]]
    gaps: list[_RawGap] = Field(default_factory=list)


def problems_from_validation(exc: ValidationError, prefix: tuple[int | str, ...] = ()) -> list[Problem]:
    """Every pydantic error as a :class:`Problem` at its JSON path."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        problems.append(Problem(json_path(prefix + loc), err["msg"]))
    return problems


def load_json_file(path: Path) -> Any:
    """Read (gunzipping ``*.gz``) and parse a JSON file; any failure is an :class:`InputError` naming the place."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(source, Problem("", exc.strerror or str(exc))) from None
    if path.name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except EOFError:
            raise InputError(source, Problem(f"byte {len(data)}", "gzip data ends early (truncated?)")) from None
        except (OSError, zlib.error) as exc:
            raise InputError(source, Problem("byte 0", f"not valid gzip data ({exc})")) from None
    return parse_json_bytes(data, source)


def parse_json_bytes(data: bytes, source: str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        line, col = _line_col(data, exc.pos)
        reason = exc.msg
        if exc.pos >= len(data.rstrip()):
            reason = f"{reason} (the file ends early: truncated?)"
        raise InputError(source, Problem(f"line {line} column {col}", f"invalid JSON: {reason}")) from None


def _line_col(data: bytes, pos: int) -> tuple[int, int]:
    head = data[:pos]
    line = head.count(b"\n") + 1
    col = pos - (head.rfind(b"\n") + 1) + 1
    return line, col


def snapshot_from_json(doc: Any, source: str) -> Snapshot:
    """Validate a parsed snapshot document: the envelope, then every response against its API's raw shape."""
    from iamwarden.collect.raw import validate_calls

    if not isinstance(doc, dict):
        raise InputError(source, Problem("$", f"a snapshot is a JSON object, not {type(doc).__name__}"))
    if doc.get("format") != FORMAT_NAME:
        raise InputError(
            source,
            Problem("$.format", f"not an iamwarden snapshot (expected format {FORMAT_NAME!r})"),
        )
    try:
        raw = _RawSnapshot.model_validate(doc)
    except ValidationError as exc:
        raise InputError(source, problems_from_validation(exc)) from None
    problems = validate_calls(raw.calls)
    if problems:
        raise InputError(source, problems)
    try:
        collected_at = (
            raw.collected_at.astimezone(UTC) if raw.collected_at.tzinfo else raw.collected_at.replace(tzinfo=UTC)
        )
    except OverflowError:
        raise InputError(source, Problem("$.collected_at", "out of range once in UTC")) from None
    return Snapshot(
        account_id=raw.account_id,
        partition=raw.partition,
        collected_at=collected_at,
        regions=tuple(raw.regions),
        tool_version=raw.tool.version,
        source=raw.source,
        calls=raw.calls,
        gaps=tuple(Gap(g.api, g.region, g.target, g.error_code, g.message) for g in raw.gaps),
        options=raw.options,
    )


def read_snapshot(path: str | Path) -> Snapshot:
    """Load and validate a snapshot file (``.json`` or ``.json.gz``); bad input raises :class:`InputError`."""
    path = Path(path)
    with gc_paused():
        return snapshot_from_json(load_json_file(path), str(path))


def dumps_snapshot(snapshot: Snapshot) -> bytes:
    return orjson.dumps(snapshot.to_json(), option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)


def write_snapshot(snapshot: Snapshot, path: str | Path, *, validate: bool = False) -> None:
    """Write atomically and owner-only (:func:`iamwarden.runtime.write_atomically`); gzip when the name ends in
    ``.gz``. ``validate``: first check the bytes as :func:`read_snapshot` would; what it would refuse is not written
    (an :class:`InputError` naming the place, the file ``(not written)``)."""
    path = Path(path)
    data = dumps_snapshot(snapshot)
    if validate:
        with gc_paused():
            snapshot_from_json(orjson.loads(data), f"{path} (not written)")
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=6, mtime=0)
    write_atomically(path, data, "the snapshot", private=True)
