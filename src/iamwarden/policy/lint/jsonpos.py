"""A small JSON reader that remembers where every value and key starts (line and column, both from 1).

Policies are linted on the raw text so that each finding can point at its line and column, and so that the linter
can report on documents any stricter parser rejects. Duplicate keys are kept (a policy may carry them).

>>> doc = parse('{"Version": "2012-10-17",\\n "Statement": []}')
>>> doc.member("Statement").value.pos.line
2
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass

PathPart = str | int
Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Pos:
    """Where a value starts: ``offset`` into the text (0-based), ``line`` and ``column`` (1-based, characters)."""

    offset: int
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class JScalar:
    pos: Pos
    path: tuple[PathPart, ...]
    value: Scalar


@dataclass(frozen=True, slots=True)
class JArray:
    pos: Pos
    path: tuple[PathPart, ...]
    items: tuple[JNode, ...]


@dataclass(frozen=True, slots=True)
class JMember:
    key: str
    key_pos: Pos
    value: JNode


@dataclass(frozen=True, slots=True)
class JObject:
    pos: Pos
    path: tuple[PathPart, ...]
    members: tuple[JMember, ...]

    def member(self, key: str) -> JMember | None:
        """The last member named exactly ``key`` (JSON readers keep the last of duplicate keys)."""
        found = None
        for m in self.members:
            if m.key == key:
                found = m
        return found

    def get(self, key: str) -> JNode | None:
        m = self.member(key)
        return m.value if m is not None else None


JNode = JScalar | JArray | JObject


class JsonSyntaxError(ValueError):
    """The text is not JSON; ``pos`` says where reading stopped."""

    def __init__(self, message: str, pos: Pos) -> None:
        super().__init__(f"{message} (line {pos.line} column {pos.column})")
        self.message = message
        self.pos = pos


_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_STRING_END = re.compile(r'["\\\x00-\x1f]')
_WS = " \t\n\r"


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def pos(self, offset: int | None = None) -> Pos:
        offset = self.i if offset is None else offset
        if not self.newlines:  # one line (compact JSON, as the scan lints)
            return Pos(offset, 1, offset + 1)
        line = bisect.bisect_left(self.newlines, offset)
        start = self.newlines[line - 1] + 1 if line else 0
        return Pos(offset, line + 1, offset - start + 1)

    def fail(self, message: str, offset: int | None = None) -> JsonSyntaxError:
        return JsonSyntaxError(message, self.pos(offset))

    def skip_ws(self) -> None:
        text, i = self.text, self.i
        if i < len(text) and text[i] not in _WS:
            return
        while i < len(text) and text[i] in _WS:
            i += 1
        self.i = i

    def value(self, path: tuple[PathPart, ...], depth: int) -> JNode:
        if depth > 64:
            raise self.fail("nesting deeper than 64 levels")
        self.skip_ws()
        if self.i >= len(self.text):
            raise self.fail("unexpected end of text: a value was expected")
        c = self.text[self.i]
        if c == "{":
            return self.object(path, depth)
        if c == "[":
            return self.array(path, depth)
        pos = self.pos()
        if c == '"':
            return JScalar(pos, path, self.string())
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.i):
                self.i += len(word)
                return JScalar(pos, path, val)
        m = _NUMBER.match(self.text, self.i)
        if m and m.end() > self.i:
            self.i = m.end()
            raw = m.group()
            number: int | float = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
            return JScalar(pos, path, number)
        raise self.fail(f"unexpected character {c!r}: a value was expected")

    def string(self) -> str:
        start = self.i
        i = start + 1
        text = self.text
        while True:
            m = _STRING_END.search(text, i)
            if m is None:
                raise self.fail("unterminated string", start)
            ch = m.group()
            if ch == '"':
                end = m.end()
                break
            if ch == "\\":
                i = m.end() + 1
                continue
            raise self.fail("control character inside a string", m.start())
        if "\\" not in text[start + 1 : end - 1]:  # no escapes (control characters were refused above): the text
            self.i = end
            return text[start + 1 : end - 1]
        try:
            decoded = json.loads(text[start:end])
        except json.JSONDecodeError as exc:
            raise self.fail(f"invalid string escape ({exc.msg})", start + exc.pos) from None
        self.i = end
        return str(decoded)

    def object(self, path: tuple[PathPart, ...], depth: int) -> JObject:
        pos = self.pos()
        self.i += 1
        members: list[JMember] = []
        self.skip_ws()
        if self.text.startswith("}", self.i):
            self.i += 1
            return JObject(pos, path, ())
        while True:
            self.skip_ws()
            if not self.text.startswith('"', self.i):
                raise self.fail("expected a quoted member name")
            key_pos = self.pos()
            key = self.string()
            self.skip_ws()
            if not self.text.startswith(":", self.i):
                raise self.fail("expected ':' after the member name")
            self.i += 1
            members.append(JMember(key, key_pos, self.value((*path, key), depth + 1)))
            self.skip_ws()
            if self.text.startswith(",", self.i):
                self.i += 1
                continue
            if self.text.startswith("}", self.i):
                self.i += 1
                return JObject(pos, path, tuple(members))
            raise self.fail("expected ',' or '}' after an object member")

    def array(self, path: tuple[PathPart, ...], depth: int) -> JArray:
        pos = self.pos()
        self.i += 1
        items: list[JNode] = []
        self.skip_ws()
        if self.text.startswith("]", self.i):
            self.i += 1
            return JArray(pos, path, ())
        while True:
            items.append(self.value((*path, len(items)), depth + 1))
            self.skip_ws()
            if self.text.startswith(",", self.i):
                self.i += 1
                continue
            if self.text.startswith("]", self.i):
                self.i += 1
                return JArray(pos, path, tuple(items))
            raise self.fail("expected ',' or ']' after an array item")


def parse(text: str) -> JNode:
    """Read ``text`` (a leading byte-order mark is skipped) into positioned nodes; :class:`JsonSyntaxError` if it
    is not one JSON value."""
    reader = _Reader(text)
    if text.startswith("\ufeff"):
        reader.i = 1
    node = reader.value((), 0)
    reader.skip_ws()
    if reader.i < len(text):
        raise reader.fail("extra data after the JSON value")
    return node


class _NotCompact(Exception):
    """The value has something :func:`compact` does not write as ``json.dumps`` would and :func:`parse` read."""


def compact(value: object, text: str) -> JNode:
    """The nodes of ``text``, the compact JSON of an already parsed value (``json.dumps(value, separators=(",",
    ":"))``), equal to ``parse(text)`` but built from the value without reading the text (the scan lints every
    policy of the account this way: the positions are offsets into the one-line text). What the value holds that is
    not written as assumed here (``NaN``, nesting deeper than 64 levels, keys that are not strings) is read from the
    text instead, so :class:`JsonSyntaxError` is raised as ``parse`` raises it."""
    try:
        node, end = _compact(value, (), 0, 0)
    except _NotCompact:
        return parse(text)
    if end != len(text):
        return parse(text)
    return node


def _compact(value: object, path: tuple[PathPart, ...], depth: int, offset: int) -> tuple[JNode, int]:
    """The node of ``value`` written at ``offset`` and the offset after it."""
    if depth > 64:
        raise _NotCompact
    pos = Pos(offset, 1, offset + 1)
    if isinstance(value, dict):
        offset += 1
        members: list[JMember] = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotCompact
            if members:
                offset += 1
            key_pos = Pos(offset, 1, offset + 1)
            offset += len(json.dumps(key)) + 1
            node, offset = _compact(item, (*path, key), depth + 1, offset)
            members.append(JMember(key, key_pos, node))
        return JObject(pos, path, tuple(members)), offset + 1
    if isinstance(value, list | tuple):
        offset += 1
        items: list[JNode] = []
        for item in value:
            if items:
                offset += 1
            node, offset = _compact(item, (*path, len(items)), depth + 1, offset)
            items.append(node)
        return JArray(pos, path, tuple(items)), offset + 1
    if isinstance(value, str):
        return JScalar(pos, path, value), offset + len(json.dumps(value))
    if value is None or isinstance(value, bool):
        return JScalar(pos, path, value), offset + (4 if value is None or value is True else 5)
    if isinstance(value, int):
        return JScalar(pos, path, int(value)), offset + len(repr(int(value)))
    if isinstance(value, float) and math.isfinite(value):
        raw = repr(value)
        return JScalar(pos, path, float(raw) if any(ch in raw for ch in ".eE") else int(raw)), offset + len(raw)
    raise _NotCompact


def json_path(path: tuple[PathPart, ...]) -> str:
    """``("Statement", 0, "Action")`` -> ``$.Statement[0].Action``; keys that are not identifiers are quoted."""
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += "[" + json.dumps(part) + "]"
    return out


def to_python(node: JNode) -> object:
    """The plain Python value of a node (the last of duplicate keys wins, as in ``json.loads``)."""
    if isinstance(node, JScalar):
        return node.value
    if isinstance(node, JArray):
        return [to_python(item) for item in node.items]
    return {m.key: to_python(m.value) for m in node.members}
