"""The options several commands share, declared once so that a flag means the same thing everywhere
(docs/cli.md lists the conventions), and the parsing of their values into what the reports take.

- ``-f/--format FORMAT``: what to print or write; ``--json`` is a hidden alias of ``--format json`` where a command
  used to take it.
- ``-o/--output PATH``: where the report goes instead of stdout; ``-d/--output-dir DIR``: a folder of reports.
- ``-p/--principal ARN``: the user or role a command is about.
- ``--severity LEVEL``, ``--practice N``: narrow what the console shows.
- ``-q/--quiet``: only the summary line; ``-v/--verbose``: every gap and every problem of bad input.
- ``--show N|all``: how many details follow a summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer

from iamwarden.checks.base import PRACTICES, Severity
from iamwarden.errors import InputError, Problem

SEVERITIES = ", ".join(s.value for s in Severity)


def format_option(help: str) -> Any:
    """``-f/--format FORMAT`` with a command's own help (the formats it knows)."""
    return typer.Option("--format", "-f", help=help, metavar="FORMAT")


def output_option(help: str, *, dir_okay: bool = True) -> Any:
    """``-o/--output PATH`` with a command's own help."""
    return typer.Option("--output", "-o", help=help, metavar="PATH", dir_okay=dir_okay)


def verbose_option(help: str = "List every gap and every problem of bad input.") -> Any:
    return typer.Option("--verbose", "-v", help=help)


JsonAliasOption = Annotated[
    bool, typer.Option("--json", hidden=True, help="Same as --format json (kept for scripts written before it).")
]
PrincipalOption = Annotated[
    str, typer.Option("--principal", "-p", help="ARN of a user or role of the account.", metavar="ARN")
]
SeverityOption = Annotated[
    str | None,
    typer.Option(
        "--severity",
        help=f"Show failures of this severity or worse: {SEVERITIES}.",
        metavar="LEVEL",
        show_default=False,
    ),
]
PracticeOption = Annotated[
    list[int] | None,
    typer.Option("--practice", help="Show only this practice (1-11) on the console; repeat for several.", metavar="N"),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the summary line.")]
ShowOption = Annotated[
    str,
    typer.Option(
        "--show",
        help="How many failures to list after the summary, worst first: a number, or all.",
        metavar="N|all",
    ),
]


def chosen_format(value: str | None, json_alias: bool, default: str) -> str:
    """The ``--format`` asked for, ``json`` when only the hidden ``--json`` alias was given; both at once must agree."""
    if json_alias:
        if value is not None and value.strip().lower() != "json":
            raise InputError("command line", Problem("--json", f"--json contradicts --format {value}"))
        return "json"
    return default if value is None else value.strip().lower()


def parse_choice(text: str, known: Sequence[str], option: str = "--format") -> str:
    """One of ``known`` (case-insensitive); anything else is an error naming the option and the known values."""
    name = text.strip().lower()
    if name not in known:
        raise InputError("command line", Problem(option, f"unknown value {text!r} (known: {', '.join(known)})"))
    return name


def parse_formats(text: str, known: Sequence[str]) -> list[str]:
    """``"console,json"`` -> ``["console", "json"]``; ``all`` is every format of ``known``; unknown names are an
    error naming the option."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if "all" in names:
        names = [n for n in names if n != "all"] + list(known)
    bad = [n for n in names if n not in known]
    if bad or not names:
        raise InputError(
            "command line",
            Problem("--format", f"unknown format {', '.join(bad) or text!r} (known: {', '.join(known)}, all)"),
        )
    return list(dict.fromkeys(names))


def parse_severity(text: str | None, option: str = "--severity") -> Severity | None:
    """A severity given on the command line (``--severity``: the minimum to show, ``high`` shows critical and high;
    ``--fail-on``: the minimum that fails the run); an unknown name is an error naming ``option``."""
    if text is None:
        return None
    try:
        return Severity(text.strip().lower())
    except ValueError:
        raise InputError("command line", Problem(option, f"unknown severity {text!r} (known: {SEVERITIES})")) from None


def parse_practices(values: Sequence[int] | None) -> list[int]:
    chosen = list(values or ())
    bad = [v for v in chosen if v not in PRACTICES]
    if bad:
        raise InputError("command line", Problem("--practice", f"no practice {bad[0]} (practices are 1-11)"))
    return chosen


def parse_show(text: str) -> int | None:
    """``--show``: a count (``0``: none), or ``all`` (``None``)."""
    value = text.strip().lower()
    if value == "all":
        return None
    if value.isdigit():
        return int(value)
    raise InputError("command line", Problem("--show", f"expected a number or all, got {text!r}"))
