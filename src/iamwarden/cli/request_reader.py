"""Reading ``simulate --request-file``: one request document, or JSON Lines of many, decided in order.

:func:`decide_request_file` yields one :class:`LineResult` per request: its decision, or — for a JSON Lines line
that is not valid JSON or not a valid request document — the problems that kept it from being decided, so one bad
line does not stop the batch (the command reports it in its place and exits 2 at the end). A single document (one
JSON value over several lines) that is not valid raises :class:`~iamwarden.errors.InputError`, as any bad input does.

Lines are read about a megabyte at a time and decided one by one, so a large batch streams; lines that carry the same
policies compile them once (:class:`_PolicyCache`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from iamwarden.errors import InputError, Problem
from iamwarden.policy import Decision, Request, evaluate, read_request_document
from iamwarden.policy.simulation import REQUEST_KEYS

_CACHE_LIMIT = 4096
_READ_HINT = 1 << 20  # JSON Lines are read about a megabyte at a time
_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9*?_.-]+")
_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True, slots=True)
class LineResult:
    """One request of a request file: its decision, or why it could not be decided."""

    line: int | None
    """The line number (JSON Lines), or ``None`` for a single document."""
    request: Mapping[str, Any]
    """The request's principal, action and resource, as given (empty when unreadable)."""
    decision: Decision | None
    problems: tuple[Problem, ...] = ()
    """Why the line could not be decided (each with its place: a JSON path, or ``column N`` for invalid JSON)."""


def decide_request_file(path: Path) -> Iterator[LineResult]:
    """Decide every request of ``path`` in order. Raises :class:`InputError` for a file that cannot be read, holds
    nothing, or is a single document that is not a valid request document."""
    source = str(path)
    cache = _PolicyCache()
    for number, payload in _iter_documents(path):
        if number is None:
            try:
                decision = cache.decide(payload)
            except InputError as exc:
                raise relocated(exc, source, "") from None
            raw_request = payload.get("request") if isinstance(payload, Mapping) else None
            yield LineResult(None, request_summary(raw_request), decision)
            continue
        try:
            decision, raw_request = cache.decide_line(payload)
        except orjson.JSONDecodeError as exc:
            yield LineResult(number, {}, None, (Problem(f"column {exc.colno}", f"invalid JSON: {exc.msg}"),))
            continue
        except InputError as exc:
            yield LineResult(number, request_summary(_request_of(payload)), None, tuple(exc.problems))
            continue
        yield LineResult(number, request_summary(raw_request), decision)


def request_summary(req: Any) -> dict[str, Any]:
    """The principal, action and resource of a raw request object (what the output repeats of it)."""
    if not isinstance(req, Mapping):
        return {}
    return {k: req[k] for k in ("principal", "action", "resource") if k in req}


def _request_of(line: bytes) -> Any:
    """The ``request`` object of a line that parses but is not a valid document (``None`` otherwise)."""
    try:
        doc = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return doc.get("request") if isinstance(doc, Mapping) else None


class _PolicyCache:
    """Compile each distinct set of policies once: lines of a batch usually share them and differ in the request.

    A JSON Lines line that starts with its ``"request"`` object is split there: the request is decoded on its own,
    and the rest of the line (the policies, byte for byte) is the cache key, so a line whose policies were seen
    before is neither parsed nor compiled again. The rest of the line before is tried first, without a look-up: a
    batch usually repeats one set of policies line after line. Other documents are keyed by their policies'
    canonical JSON (orjson, sorted keys)."""

    def __init__(self) -> None:
        self._compiled: dict[bytes, dict[str, Any]] = {}
        self._by_tail: dict[bytes, dict[str, Any]] = {}
        self._last_tail = b""
        self._last: dict[str, Any] | None = None
        self._requests: dict[bytes, tuple[Request, Any]] = {}
        """Built requests by their exact bytes on the line (a batch often repeats a request): neither parsed, checked
        nor built again. A :class:`Request` is immutable, so one is shared by every line that spells it alike."""

    def _remember(self, table: dict[Any, dict[str, Any]], key: Any, kwargs: dict[str, Any]) -> None:
        if len(table) >= _CACHE_LIMIT:
            table.clear()
        table[key] = kwargs

    def _remember_request(self, key: bytes, request: Request, raw_request: Any) -> None:
        if len(self._requests) >= _CACHE_LIMIT:
            self._requests.clear()
        self._requests[key] = (request, raw_request)

    def decide(self, doc: Any) -> Decision:
        if not isinstance(doc, Mapping) or not isinstance(doc.get("request"), Mapping):
            request, kwargs = read_request_document(doc)  # raises the precise InputError
            return evaluate(request, **kwargs)
        policies = {k: v for k, v in doc.items() if k != "request"}
        key = orjson.dumps(policies, option=orjson.OPT_SORT_KEYS)
        cached = self._compiled.get(key)
        if cached is None:
            request, kwargs = read_request_document(doc)
            self._remember(self._compiled, key, kwargs)
            return evaluate(request, **kwargs)
        return evaluate(_fast_request(doc["request"]), **cached)

    def decide_line(self, line: bytes) -> tuple[Decision, Any]:
        """Decide one JSON Lines line: (decision, the parsed request object, for the summary).
        Raises ``orjson.JSONDecodeError`` for a line that is not JSON, ``InputError`` for a bad document."""
        head = _HEAD.match(line)
        split: tuple[Any, bytes] | None = None
        if head is not None:
            start = head.end()
            end = len(line)
            while end > start and line[end - 1] in _BLANK:
                end -= 1
            last = self._last_tail
            cut = end - len(last)
            if self._last is not None and cut > start and line.startswith(last, cut):
                known = self._requests.get(line[start:cut])
                if known is not None:
                    return evaluate(known[0], **self._last), known[1]
                raw_request = _object_at(line, start, cut)
                if raw_request is not None:
                    request = _fast_request(raw_request)
                    self._remember_request(line[start:cut], request, raw_request)
                    return evaluate(request, **self._last), raw_request
            split = _split_request(line, start, end)
            if split is not None:
                raw_request, tail = split
                cached = self._by_tail.get(tail)
                if cached is not None:
                    self._last_tail, self._last = tail, cached
                    return evaluate(_fast_request(raw_request), **cached), raw_request
        doc = orjson.loads(line)
        if split is not None and isinstance(doc, Mapping) and isinstance(doc.get("request"), Mapping):
            request, kwargs = read_request_document(doc)
            if _tail_without_request(split[1]):
                self._remember(self._by_tail, split[1], kwargs)
                self._last_tail, self._last = split[1], kwargs
            return evaluate(request, **kwargs), doc["request"]
        return self.decide(doc), doc.get("request") if isinstance(doc, Mapping) else None


_HEAD = re.compile(rb'\s*\{\s*"request"\s*:\s*')
_BLANK = frozenset(b" \t\r\n")
_SPLIT_TRIES = 16


def _object_at(line: bytes, start: int, end: int) -> Any:
    """The JSON object that is exactly ``line[start:end]``, or ``None``. An object's extent is fixed by its first
    character, so a slice that parses as one object is the whole value that starts there."""
    if line[start : start + 1] != b"{":
        return None
    try:
        value = orjson.loads(line[start:end])
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _split_request(line: bytes, start: int, end: int) -> tuple[Any, bytes] | None:
    """(the request object, the rest of the line up to ``end``) for a line that starts with ``{"request": {...}``:
    the object ends at one of the first ``}`` after ``start`` (tried in order); ``None`` when none fits."""
    pos = line.find(b"}", start, end)
    tries = 0
    while pos != -1 and tries < _SPLIT_TRIES:
        found = _object_at(line, start, pos + 1)
        if found is not None:
            return found, line[pos + 1 : end]
        pos = line.find(b"}", pos + 1, end)
        tries += 1
    return None


def _tail_without_request(tail: bytes) -> bool:
    """Whether the rest of a line (``,"identity_policies": [...]}``) is safe as a cache key: it names no second
    ``request`` (a duplicate key replaces the first in JSON parsers)."""
    try:
        rest = orjson.loads(b"{" + tail.lstrip(b", \t\r\n"))
    except orjson.JSONDecodeError:
        return False
    return isinstance(rest, dict) and "request" not in rest


def _fast_request(raw: Mapping[str, Any]) -> Request:
    """The :class:`Request` of a plainly well-formed ``request`` object, built directly; anything unusual goes
    through the engine's full validation (:func:`read_request_document`), which names the problem."""
    principal = raw.get("principal")
    action = raw.get("action")
    resource = raw.get("resource", "*")
    context = raw.get("context")
    account = raw.get("resource_account")
    if (
        raw.keys() <= REQUEST_KEYS
        and type(principal) is str
        and type(action) is str
        and _ACTION.fullmatch(action)
        and type(resource) is str
        and resource
        and (context is None or (type(context) is dict and all(k and _plain_value(v) for k, v in context.items())))
        and (account is None or (type(account) is str and _ACCOUNT.fullmatch(account)))
    ):
        return Request(principal, action, resource, context or {}, account)
    request, _ = read_request_document({"request": raw})
    return request


def _plain_value(value: Any) -> bool:
    """A context value the fast path takes as it is: a string, or a list of strings."""
    return type(value) is str or (type(value) is list and all(type(v) is str for v in value))


def relocated(exc: InputError, source: str, place: str) -> InputError:
    """The engine's ``InputError("request", ...)`` re-issued against the file, each JSON path prefixed by ``place``."""
    return InputError(source, [Problem(f"{place} {p.place}".strip(), p.message) for p in exc.problems])


def _iter_documents(path: Path) -> Iterator[tuple[int | None, Any]]:
    """Yield (line number, raw line bytes) for JSON Lines, or (``None``, document) for a single (possibly
    pretty-printed) JSON document."""
    source = str(path)
    try:
        handle: IO[bytes] = path.open("rb")
    except OSError as exc:
        raise InputError(source, Problem("", exc.strerror or str(exc))) from None
    with handle:
        first = handle.readline()
        while first and not first.strip():
            first = handle.readline()
        if not first:
            raise InputError(source, Problem("line 1", "the file holds no request document"))
        try:
            head = orjson.loads(first)
        except orjson.JSONDecodeError:
            head = None
        if head is None and not _looks_like_a_line(first):
            # Not one document per line: a single JSON document spread over several lines.
            from iamwarden.collect.snapshot import load_json_file

            yield None, load_json_file(path)
            return
        handle.seek(0)
        number = 0
        while batch := handle.readlines(_READ_HINT):
            for line in batch:
                number += 1
                if line and not line.isspace():  # (isspace stops at the first other byte: no copy of the line)
                    yield number, line


def _looks_like_a_line(first: bytes) -> bool:
    """Whether a first line that is not valid JSON is still a JSON Lines line (a whole object on one line, gone
    wrong) rather than the start of a document spread over several lines (``{`` alone, or ``{"request": {``)."""
    text = first.strip()
    return text.startswith(b"{") and text.endswith(b"}") and len(text) > 2
