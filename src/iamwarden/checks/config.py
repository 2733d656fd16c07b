"""Thresholds the checks use, read from ``iamwarden.toml`` (or ``--config FILE``) with documented defaults.

File format (every key optional; ``docs/configuration.md`` lists them)::

    [thresholds]
    access_key_max_age_days = 90
    password_min_length = 14

    [[suppressions]]              # accepted risks: see iamwarden.checks.suppressions and docs/suppressions.md
    check = "credentials.*"
    resource = "arn:aws:iam::*:user/ci-*"
    reason = "CI users, keys rotated by the vault"

Unknown keys and values of the wrong type or out of range are errors naming the file and the key, so a typo never
silently falls back to a default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from iamwarden.checks.suppressions import Suppression, suppressions_from_toml
from iamwarden.errors import InputError, Problem, read_input_text

DEFAULT_FILE = "iamwarden.toml"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The numbers behind the checks. Each field's docstring is its documentation (``docs/configuration.md``)."""

    max_admins: int = 5
    """More effective administrators than this fails the account's ``least_privilege.effective_admins`` result
    (practice 1): administrators should be few, known and deliberate."""
    unused_principal_days: int = 90
    """A role or user with no activity for this many days is unused (practice 1)."""
    unused_service_days: int = 90
    """A service granted but not accessed for this many days is unused (practice 1; service-last-accessed data)."""
    root_unused_days: int = 90
    """The root user should not have been used (password or keys) for this many days (practice 2)."""
    require_root_hardware_mfa: bool = True
    """Whether the root user needs a hardware MFA device (CIS 2.5, Level 2: high-value accounts). False makes the
    check not applicable."""
    access_key_max_age_days: int = 90
    """Active access keys older than this fail (practice 6, CIS 2.13)."""
    access_key_unused_days: int = 45
    """Active access keys not used for this many days fail (practice 6, CIS 2.11)."""
    password_unused_days: int = 45
    """Console passwords not used for this many days fail (practice 6, CIS 2.11)."""
    initial_key_window_seconds: int = 600
    """An access key created within this many seconds of its user counts as created at user setup (CIS 2.10)."""
    workload_key_recent_days: int = 90
    """A programmatic-only user whose key was used within this many days is a workload using keys (practice 5)."""
    password_min_length: int = 14
    """Minimum password length the account password policy must require (practice 9, CIS 2.7)."""
    password_reuse_prevention: int = 24
    """How many previous passwords the policy must remember (practice 9, CIS 2.8)."""
    password_max_age_days: int = 90
    """The policy must expire passwords within this many days (practice 9, Security Hub IAM.17). NIST SP 800-63B
    advises against forced periodic changes; set 0 to make that check not applicable."""
    secret_min_entropy: float = 4.0
    """Shannon entropy (bits per character) a 40-character string needs to be reported as a likely secret access key
    (practice 10)."""

    @classmethod
    def documentation(cls) -> list[tuple[str, str, str]]:
        """(key, default, description) for every threshold, in order (from the field docstrings in this file)."""
        docs = _field_docs()
        return [(f.name, _toml_value(f.default), docs.get(f.name, "")) for f in fields(cls)]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _field_docs() -> dict[str, str]:
    """The docstring under each field of :class:`Thresholds`, read from this module's source."""
    import ast

    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Thresholds":
            body = node.body
            for i, stmt in enumerate(body[:-1]):
                nxt = body[i + 1]
                if (
                    isinstance(stmt, ast.AnnAssign)
                    and isinstance(stmt.target, ast.Name)
                    and isinstance(nxt, ast.Expr)
                    and isinstance(nxt.value, ast.Constant)
                    and isinstance(nxt.value.value, str)
                ):
                    out[stmt.target.id] = " ".join(nxt.value.value.split())
    return out


_LIMITS: dict[str, tuple[float, float]] = {
    "password_min_length": (6, 128),
    "password_reuse_prevention": (0, 24),
    "password_max_age_days": (0, 1095),
    "secret_min_entropy": (0.0, 6.0),
}


def thresholds_from_mapping(data: Any, source: str) -> Thresholds:
    """Validate a parsed TOML document; every problem is reported at once, each at ``thresholds.<key>``."""
    if not isinstance(data, dict):
        raise InputError(source, Problem("", "expected a TOML table"))
    problems: list[Problem] = []
    unknown_tables = sorted(set(data) - {"thresholds", "suppressions"})
    problems += [
        Problem(key, "unknown table or key (expected [thresholds] or [[suppressions]])") for key in unknown_tables
    ]
    table = data.get("thresholds", {})
    if not isinstance(table, dict):
        raise InputError(source, [*problems, Problem("thresholds", "expected a table")])
    by_name = {f.name: f for f in fields(Thresholds)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        place = f"thresholds.{key}"
        spec = by_name.get(key)
        if spec is None:
            problems.append(Problem(place, f"unknown threshold (known: {', '.join(by_name)})"))
            continue
        default = spec.default
        if isinstance(default, bool):
            if not isinstance(value, bool):
                problems.append(Problem(place, f"expected true or false, got {value!r}"))
                continue
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(Problem(place, f"expected a whole number, got {value!r}"))
                continue
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(Problem(place, f"expected a number, got {value!r}"))
                continue
            value = float(value)
        low, high = _LIMITS.get(key, (0, 36500))
        if not low <= value <= high:
            problems.append(Problem(place, f"{value!r} is out of range ({low:g} to {high:g})"))
            continue
        values[key] = value
    if problems:
        raise InputError(source, problems)
    return Thresholds(**values)


@dataclass(frozen=True, slots=True)
class Settings:
    """What ``iamwarden.toml`` holds: the thresholds and the suppressions."""

    thresholds: Thresholds
    suppressions: tuple[Suppression, ...] = ()


def load_thresholds(path: Path | None = None, *, search_dir: Path | None = None) -> Thresholds:
    """Thresholds from ``path``; without one, from ``iamwarden.toml`` in ``search_dir`` (the working directory) when it
    exists; otherwise the defaults. Raises :class:`InputError` naming the file, and the line or key."""
    return load_settings(path, search_dir=search_dir).thresholds


def load_settings(path: Path | None = None, *, search_dir: Path | None = None) -> Settings:
    """Thresholds and suppressions from ``path`` (or ``./iamwarden.toml`` when present; else the defaults and no
    suppressions). Raises :class:`InputError` naming the file, and the line or key."""
    if path is None:
        candidate = (search_dir or Path.cwd()) / DEFAULT_FILE
        if not candidate.is_file():
            return Settings(Thresholds())
        path = candidate
    source = str(path)
    text = read_input_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, Problem(_toml_place(str(exc)), f"not valid TOML: {exc}")) from None
    thresholds = thresholds_from_mapping(data, source)
    return Settings(thresholds, tuple(suppressions_from_toml(data.get("suppressions"), source, text)))


def _toml_place(message: str) -> str:
    import re

    match = re.search(r"line (\d+)", message)
    return f"line {match.group(1)}" if match else ""
