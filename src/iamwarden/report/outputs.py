"""What ``iamwarden scan`` prints and writes, from parsed options: one call for the scan command.

Formats: ``console`` (the scorecard and failures, :mod:`.scorecard`) and ``json`` (every result,
:mod:`.findings_json`), comma-separated. The JSON report goes to ``-o FILE``, else ``<output dir>/findings.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from iamwarden.checks.base import PRACTICES, Severity
from iamwarden.checks.runner import Assessment
from iamwarden.errors import InputError, Problem
from iamwarden.report.findings_json import write_report
from iamwarden.report.scorecard import render

FORMATS = ("console", "json")
JSON_FILE = "findings.json"


def parse_formats(text: str) -> list[str]:
    """``"console,json"`` -> ``["console", "json"]``; unknown names are an error naming the option."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise InputError(
            "command line",
            Problem("--format", f"unknown format {', '.join(bad) or text!r} (known: {', '.join(FORMATS)})"),
        )
    return list(dict.fromkeys(names))


def parse_severity(text: str | None) -> Severity | None:
    """The minimum severity to show (``high`` shows critical and high)."""
    if text is None:
        return None
    try:
        return Severity(text.strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in Severity)
        raise InputError("command line", Problem("--severity", f"unknown severity {text!r} (known: {known})")) from None


def parse_practices(values: Sequence[int] | None) -> list[int]:
    chosen = list(values or ())
    bad = [v for v in chosen if v not in PRACTICES]
    if bad:
        raise InputError("command line", Problem("--practice", f"no practice {bad[0]} (practices are 1-11)"))
    return chosen


def json_destination(output: Path | None, output_dir: Path | None) -> Path:
    if output is not None:
        return output
    return (output_dir or Path.cwd()) / JSON_FILE


def emit(
    assessment: Assessment,
    *,
    formats: Sequence[str],
    console: Console,
    output: Path | None = None,
    output_dir: Path | None = None,
    practices: Sequence[int] = (),
    min_severity: Severity | None = None,
    max_failures: int | None = 200,
) -> list[Path]:
    """Print and write what ``formats`` ask for; returns the files written. The JSON report always holds every result
    (filters only narrow what the console shows)."""
    written: list[Path] = []
    if "console" in formats:
        render(assessment, console, practices=practices, min_severity=min_severity, max_failures=max_failures)
    if "json" in formats:
        path = json_destination(output, output_dir)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_report(assessment, path)
        except OSError as exc:
            raise InputError(str(path), Problem("", f"cannot write the report: {exc.strerror or exc}")) from None
        written.append(path)
    return written
