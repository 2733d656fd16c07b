"""Suppressions: accepted risks, written down with a reason, an owner and an end date.

A suppression names the results it covers by check id and resource, and says why they are accepted::

    # iamwarden.toml                                # or a YAML list given with --suppressions FILE
    [[suppressions]]                                # - check: "credentials.*"
    check = "credentials.*"                         #   resource: "re:arn:aws:iam::\\d+:user/ci-.*"
    resource = "arn:aws:iam::*:user/ci-*"           #   reason: CI users, keys rotated by the vault
    reason = "CI users, keys rotated by the vault"  #   expires: 2027-03-31
    expires = 2027-03-31                            #   owner: platform-team
    owner = "platform-team"

* ``check`` - a glob over check ids (``fnmatch`` rules, case-sensitive: ``*``, ``?``, ``[abc]``).
* ``resource`` - a glob over the result's resource (ARN), or a regular expression when written ``re:<pattern>``;
  both must match the whole resource. Default ``*``.
* ``reason`` - required, not empty.
* ``expires`` - optional date (``YYYY-MM-DD``). The suppression holds up to and including that day. "Today" is the
  real current date in UTC when the scan runs (not the snapshot's date): an accepted risk ends on the calendar,
  whatever the age of the evidence.
* ``owner`` - optional: who accepted the risk.

Only ``fail`` and ``unknown`` results are suppressed (a pass has nothing to accept). A suppressed result stays in the
JSON report, marked, and leaves the scores and the failure list. An expired suppression suppresses nothing: its
results count again and the report names it. A suppression that matches no failing or unknown result is stale and is
reported too, so the list does not outlive the problems it was written for.

Bad files are :class:`~iamwarden.errors.InputError` naming the file and the place: the line for YAML (from the
parser's node marks), ``suppressions[N].key`` (N counts ``[[suppressions]]`` tables from 1) and the line for TOML.
Unknown keys are errors.

This module is pure apart from reading the file: :func:`match` decides which suppression covers a result.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iamwarden.errors import InputError, Problem, read_input_text

if TYPE_CHECKING:
    import yaml

KEYS = ("check", "resource", "reason", "expires", "owner")
REGEX_PREFIX = "re:"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Suppression:
    """One accepted risk. ``origin`` says where it was written (``iamwarden.toml suppressions[2], line 14``)."""

    check: str
    resource: str
    reason: str
    expires: date | None = None
    owner: str | None = None
    origin: str = ""

    def covers(self, check_id: str, resource: str) -> bool:
        """Whether this suppression names ``check_id`` and ``resource`` (expiry aside).

        >>> s = Suppression("credentials.*", "re:arn:aws:iam::\\\\d+:user/ci-.*", "CI")
        >>> s.covers("credentials.access_key_rotation", "arn:aws:iam::111122223333:user/ci-deploy")
        True
        >>> s.covers("root.mfa_enabled", "arn:aws:iam::111122223333:user/ci-deploy")
        False
        """
        if not fnmatchcase(check_id, self.check):
            return False
        return _resource_pattern(self.resource).fullmatch(resource) is not None

    def expired(self, today: date) -> bool:
        """Expired once ``today`` is past the ``expires`` day."""
        return self.expires is not None and today > self.expires

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "resource": self.resource,
            "reason": self.reason,
            "expires": self.expires.isoformat() if self.expires else None,
            "owner": self.owner,
            "origin": self.origin,
        }

    def describe(self) -> str:
        return f"{self.origin} (check {self.check}, resource {self.resource})"


@cache
def _resource_pattern(resource: str) -> re.Pattern[str]:
    """The compiled form of a ``resource`` glob or ``re:`` expression (compiled once per distinct text)."""
    if resource.startswith(REGEX_PREFIX):
        return re.compile(resource[len(REGEX_PREFIX) :])
    return re.compile(fnmatch.translate(resource))


@dataclass(frozen=True, slots=True)
class AppliedSuppression:
    """The suppression that covers one result, and whether it had expired on the day of the scan."""

    suppression: Suppression
    expired: bool

    def to_json(self) -> dict[str, Any]:
        s = self.suppression
        return {
            "reason": s.reason,
            "expires": s.expires.isoformat() if s.expires else None,
            "owner": s.owner,
            "origin": s.origin,
        }


def today_utc() -> date:
    """The date expiry is judged against: the real current date in UTC."""
    return datetime.now(UTC).date()


def match(suppressions: Sequence[Suppression], check_id: str, resource: str, today: date) -> AppliedSuppression | None:
    """The first unexpired suppression covering the result; else the first expired one (reported as expired);
    else ``None``."""
    expired: Suppression | None = None
    for s in suppressions:
        if s.covers(check_id, resource):
            if not s.expired(today):
                return AppliedSuppression(s, expired=False)
            if expired is None:
                expired = s
    return AppliedSuppression(expired, expired=True) if expired is not None else None


# --- parsing ---------------------------------------------------------------------------------------------------


def _validate(
    raw: Mapping[str, Any], place: str, where: Mapping[str, str], source: str
) -> tuple[Suppression | None, list[Problem]]:
    """One suppression from its raw keys. ``place`` is ``suppressions[N]`` or ``item N``; ``where`` maps each key to
    its location text (a line) for the messages."""

    def at(key: str) -> str:
        loc = where.get(key) or where.get("", "")
        return f"{loc}: {place}.{key}" if loc else f"{place}.{key}"

    problems: list[Problem] = []
    for key in raw:
        if key not in KEYS:
            problems.append(Problem(at(key), f"unknown key (known: {', '.join(KEYS)})"))

    def text(key: str, required: bool, default: str | None = None) -> str | None:
        value = raw.get(key)
        if value is None:
            if required:
                problems.append(Problem(at(key), "required"))
            return default
        if not isinstance(value, str):
            problems.append(Problem(at(key), f"expected text, got {value!r}"))
            return default
        if not value.strip():
            problems.append(Problem(at(key), "must not be empty"))
            return default
        return value.strip()

    check = text("check", required=True)
    resource = text("resource", required=False, default="*") or "*"
    reason = text("reason", required=True)
    owner = text("owner", required=False)
    if resource.startswith(REGEX_PREFIX):
        try:
            re.compile(resource[len(REGEX_PREFIX) :])
        except re.error as exc:
            problems.append(Problem(at("resource"), f"not a valid regular expression: {exc}"))
    expires: date | None = None
    value = raw.get("expires")
    if isinstance(value, datetime):
        problems.append(Problem(at("expires"), "expected a date (YYYY-MM-DD), not a date and time"))
    elif isinstance(value, date):
        expires = value
    elif isinstance(value, str) and _DATE.match(value.strip()):
        try:
            expires = date.fromisoformat(value.strip())
        except ValueError as exc:
            problems.append(Problem(at("expires"), f"not a valid date: {exc}"))
    elif value is not None:
        problems.append(Problem(at("expires"), f"expected a date (YYYY-MM-DD), got {value!r}"))
    if problems or check is None or reason is None:
        return None, problems
    origin = f"{source} {place}, {where['']}" if where.get("") else f"{source} {place}"
    return Suppression(check, resource, reason, expires, owner, origin), []


def suppressions_from_toml(value: Any, source: str, text: str = "") -> list[Suppression]:
    """The ``suppressions`` array of a parsed ``iamwarden.toml``. ``text`` (the file's text) lets messages give the
    line of each ``[[suppressions]]`` table and key."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(source, Problem("suppressions", "expected an array of tables ([[suppressions]])"))
    headers = _toml_headers(text)
    lines = text.splitlines()
    out: list[Suppression] = []
    problems: list[Problem] = []
    for n, item in enumerate(value, start=1):
        place = f"suppressions[{n}]"
        header = headers[n - 1] if len(headers) == len(value) else None
        where: dict[str, str] = {}
        if header is not None:
            where[""] = f"line {header}"
            for key in item if isinstance(item, dict) else ():
                line = _toml_key_line(lines, header, key)
                if line:
                    where[key] = f"line {line}"
        if not isinstance(item, dict):
            problems.append(Problem(f"{where.get('', '')}: {place}".lstrip(": "), "expected a table"))
            continue
        suppression, found = _validate(item, place, where, source)
        problems += found
        if suppression is not None:
            out.append(suppression)
    if problems:
        raise InputError(source, problems)
    return out


_TOML_HEADER = re.compile(r"^\s*\[\[\s*suppressions\s*\]\]")
_TOML_TABLE = re.compile(r"^\s*\[")


def _toml_headers(text: str) -> list[int]:
    """Line numbers (from 1) of the ``[[suppressions]]`` headers."""
    return [i for i, line in enumerate(text.splitlines(), start=1) if _TOML_HEADER.match(line)]


def _toml_key_line(lines: Sequence[str], header: int, key: str) -> int | None:
    """The line of ``key = ...`` inside the table starting at line ``header``."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for i in range(header, len(lines)):
        if _TOML_TABLE.match(lines[i]):
            return None
        if pattern.match(lines[i]):
            return i + 1
    return None


def load_suppressions_file(path: Path) -> list[Suppression]:
    """Suppressions from a YAML file holding a list of mappings (``--suppressions FILE``)."""
    source = str(path)
    text = read_input_text(path)
    return suppressions_from_yaml(text, source)


def suppressions_from_yaml(text: str, source: str) -> list[Suppression]:
    """Parse YAML text keeping the nodes' line numbers for the messages."""
    import yaml  # here: a scan without a suppressions file does not import the YAML parser

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"line {mark.line + 1}" if mark is not None else ""
        raise InputError(source, Problem(place, f"not valid YAML: {exc.problem or exc}")) from None
    except yaml.YAMLError as exc:
        raise InputError(source, Problem("", f"not valid YAML: {exc}")) from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise InputError(source, Problem(_line(root), "expected a list of suppressions (- check: ..., reason: ...)"))
    out: list[Suppression] = []
    problems: list[Problem] = []
    for n, node in enumerate(root.value, start=1):
        place = f"item {n}"
        if not isinstance(node, yaml.MappingNode):
            problems.append(Problem(f"{_line(node)}: {place}", "expected a mapping (check: ..., reason: ...)"))
            continue
        raw: dict[str, Any] = {}
        where: dict[str, str] = {"": _line(node)}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            where[key] = _line(key_node)
            if key in raw:
                problems.append(Problem(f"{_line(key_node)}: {place}.{key}", "given twice"))
                continue
            raw[key] = _scalar(value_node)
        suppression, found = _validate(raw, place, where, source)
        problems += found
        if suppression is not None:
            out.append(suppression)
    if problems:
        raise InputError(source, problems)
    return out


_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"


def _scalar(node: yaml.Node) -> Any:
    """A node's value as the validator wants it: text for scalars (dates stay text and are checked as YYYY-MM-DD),
    ``None`` for null, and the node kind's name for lists and mappings (rejected as "expected text")."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL:
            return None
        if node.tag == _STR or node.tag.endswith(":timestamp"):
            return node.value
        return yaml.safe_load(yaml.serialize(node))  # numbers and booleans keep their type for the message
    return [] if isinstance(node, yaml.SequenceNode) else {}


def _line(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}"


def covered_counts(
    suppressions: Iterable[Suppression], applied: Iterable[AppliedSuppression | None]
) -> dict[Suppression, int]:
    """How many results each suppression was applied to (expired or not); suppressions that matched nothing get 0."""
    counts = dict.fromkeys(suppressions, 0)
    for a in applied:
        if a is not None:
            counts[a.suppression] = counts.get(a.suppression, 0) + 1
    return counts
