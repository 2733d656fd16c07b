"""A secrets report read back (``iamwarden scan --secrets FILE``): the access keys ``iamwarden secrets scan --format
json`` found in code, by fingerprint (the report never holds a key in full), with their account and locations.

The writer is :mod:`iamwarden.report.secrets`; ``tests/report/test_secrets_report.py`` reads what it writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from iamwarden.collect.secrets.keys import fingerprint
from iamwarden.collect.secrets.sources import describe_place
from iamwarden.errors import InputError, Problem

REPORT_KIND = "iamwarden-secrets-report"
REPORT_VERSION = 1


@dataclass(frozen=True, slots=True)
class CodeLocation:
    """Where a key was found: a file path and line, and for git history the commit and its author date."""

    path: str
    line: int
    commit: str | None = None
    author_date: str | None = None
    repository: str | None = None

    def describe(self) -> str:
        return describe_place(self.path, self.line, self.commit, self.author_date)


@dataclass(frozen=True, slots=True)
class LeakedKey:
    """An access key id found in code, as a secrets report records it."""

    fingerprint: str
    """``sha256:`` + 16 hex digits of the key id (:func:`iamwarden.collect.secrets.keys.fingerprint`)."""
    masked: str
    account_id: str | None
    secret_exposed: bool
    """Whether its secret access key was found next to it."""
    example: bool
    locations: tuple[CodeLocation, ...]

    def is_key(self, key_id: str) -> bool:
        return fingerprint(key_id) == self.fingerprint


def read_secrets_report(path: Path) -> tuple[LeakedKey, ...]:
    """The access keys of a secrets report; a file that is not one is an :class:`InputError` naming the place."""
    source = str(path)
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputError(source, Problem("", "no such file")) from None
    except OSError as exc:
        raise InputError(source, Problem("", f"cannot read: {exc.strerror or exc}")) from None
    except orjson.JSONDecodeError as exc:
        raise InputError(source, Problem("", f"not JSON: {exc}")) from None
    if not isinstance(data, dict) or data.get("kind") != REPORT_KIND:
        raise InputError(
            source,
            Problem("$.kind", f"not a secrets report (expected {REPORT_KIND!r}: iamwarden secrets scan -f json)"),
        )
    if data.get("version") != REPORT_VERSION:
        raise InputError(source, Problem("$.version", f"unsupported version {data.get('version')!r}"))
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise InputError(source, Problem("$.findings", "expected a list"))
    out: list[LeakedKey] = []
    problems: list[Problem] = []
    for n, item in enumerate(findings):
        place = f"$.findings[{n}]"
        try:
            if item["kind"] != "access_key_id":
                continue
            locations = tuple(_location(loc) for loc in item["locations"])
            out.append(
                LeakedKey(
                    fingerprint=_text(item["fingerprint"]),
                    masked=_text(item["masked"]),
                    account_id=item.get("account_id"),
                    secret_exposed=bool(item.get("secret_exposed", False)),
                    example=bool(item.get("example", False)),
                    locations=locations,
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(Problem(place, f"malformed finding ({type(exc).__name__}: {exc})"))
    if problems:
        raise InputError(source, problems)
    return tuple(out)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected text, got {value!r}")
    return value


def _location(raw: Any) -> CodeLocation:
    return CodeLocation(
        path=_text(raw["path"]),
        line=int(raw["line"]),
        commit=raw.get("commit"),
        author_date=raw.get("author_date"),
        repository=raw.get("repository"),
    )
