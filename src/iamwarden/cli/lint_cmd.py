"""``iamwarden lint``: check IAM policy files the way IAM Access Analyzer does, offline, with line and column."""

from __future__ import annotations

import enum
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from iamwarden.cli.app import handles_input_errors
from iamwarden.errors import InputError, Problem
from iamwarden.report.words import plural
from iamwarden.runtime import write_atomically

if TYPE_CHECKING:  # the linter and the SARIF models are imported when the command runs
    from iamwarden.policy.lint import Finding
    from iamwarden.policy.types import PolicyType

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2


class PolicyTypeChoice(enum.StrEnum):
    identity = "identity"
    resource = "resource"
    trust = "trust"
    scp = "scp"
    rcp = "rcp"
    boundary = "boundary"


_POLICY_TYPE: dict[PolicyTypeChoice, PolicyType] = {
    PolicyTypeChoice.identity: "identity",
    PolicyTypeChoice.resource: "resource",
    PolicyTypeChoice.trust: "trust",
    PolicyTypeChoice.scp: "scp",
    PolicyTypeChoice.rcp: "rcp",
    PolicyTypeChoice.boundary: "permission_boundary",  # --type boundary: the policy type's name, shortened
}


class IdentityKindChoice(enum.StrEnum):
    managed = "managed"
    user = "user"
    role = "role"
    group = "group"


class OutputFormat(enum.StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


class KindChoice(enum.StrEnum):
    suggestion = "suggestion"
    warning = "warning"
    security_warning = "security_warning"
    error = "error"


_STYLE = {"ERROR": "bold red", "SECURITY_WARNING": "bold magenta", "WARNING": "yellow", "SUGGESTION": "cyan"}


@handles_input_errors
def lint(
    files: Annotated[
        list[Path],
        typer.Argument(help="Policy documents (JSON) to check.", dir_okay=False, show_default=False),
    ],
    policy_type: Annotated[
        PolicyTypeChoice,
        typer.Option(
            "--type",
            "-t",
            help="What the policies are: identity (user/group/role), resource (bucket, key ...), trust (a role's "
            "trust policy), scp, rcp, or boundary (permissions boundary). Picks the Principal rules and size quota.",
        ),
    ] = PolicyTypeChoice.identity,
    identity_kind: Annotated[
        IdentityKindChoice,
        typer.Option(
            "--identity-kind",
            help="For --type identity: size quota of a managed policy (6,144) or of the inline policies of a "
            "user (2,048), role (10,240) or group (5,120).",
        ),
    ] = IdentityKindChoice.managed,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text (file:line:col kind code message), json or sarif.")
    ] = OutputFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file instead of stdout.")
    ] = None,
    min_kind: Annotated[
        KindChoice,
        typer.Option(
            "--min-kind",
            help="Report only findings of this kind or worse (suggestion < warning < security_warning < error); "
            "the exit code counts only what is reported.",
        ),
    ] = KindChoice.suggestion,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            help="Do not report this issue code (repeatable). A renamed code still works: it names the code that "
            "replaced it (docs/lint.md, Renamed codes).",
            show_default=False,
            metavar="CODE",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every problem of an unreadable file.")] = False,
) -> None:
    """Check IAM policy files offline, with Access Analyzer's finding kinds and issue codes (docs/lint.md).

    Exit code 0: nothing reported, or only suggestions.

    Exit code 1: a warning, security warning or error was reported.

    Exit code 2: a file could not be read (the others are still checked).

    Exit code 4: the report could not be written.
    """
    from iamwarden.policy.lint import KIND_ORDER, lint_policy_text

    threshold = [k.lower() for k in KIND_ORDER].index(min_kind.value)
    ignored = _ignored_codes(ignore or [])
    findings: list[Finding] = []
    unreadable: list[InputError] = []
    for path in files:
        try:
            text = _read(path)
        except InputError as exc:
            unreadable.append(exc)
            continue
        found = lint_policy_text(
            text, policy_type=_POLICY_TYPE[policy_type], source=str(path), identity_kind=identity_kind.value
        )
        findings.extend(f for f in found if f.severity >= threshold and f.code not in ignored)

    if output_format is OutputFormat.text:
        _write_text(findings, len(files) - len(unreadable), output)
    elif output_format is OutputFormat.json:
        _write(output, orjson.dumps(_json_report(findings), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        from iamwarden.report.sarif import lint_sarif

        _write(output, orjson.dumps(lint_sarif(findings), option=orjson.OPT_INDENT_2) + b"\n")

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for problem in unreadable:
        for line in problem.all_lines() if verbose else [problem.one_line()]:
            err.print(f"error: {line}", markup=False)
    if unreadable:
        raise typer.Exit(EXIT_UNREADABLE)
    if any(f.severity >= KIND_ORDER.index("WARNING") for f in findings):
        raise typer.Exit(EXIT_FINDINGS)


def _ignored_codes(codes: list[str]) -> frozenset[str]:
    """The codes ``--ignore`` names, renamed ones mapped to their new code (said on stderr); an unknown code is a
    usage error (exit 2)."""
    from iamwarden.policy.lint import REDIRECTS, canonical

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    out = set()
    for code in codes:
        found = canonical(code.strip().upper())
        if found is None:
            raise typer.BadParameter(f"{code!r} is not an issue code (docs/lint.md lists them)", param_hint="--ignore")
        if code.strip().upper() in REDIRECTS:
            err.print(f"note: --ignore {code}: that code is now {found}", markup=False)
        out.add(found)
    return frozenset(out)


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), Problem("", exc.strerror or str(exc))) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), Problem(f"byte {exc.start}", "not UTF-8 text")) from None


def _write(output: Path | None, data: bytes) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    write_atomically(output, data, "the report")
    typer.echo(f"wrote {output}")


def _summary(findings: list[Finding]) -> dict[str, int]:
    from iamwarden.policy.lint import KIND_ORDER

    counts = Counter(f.kind for f in findings)
    return {kind: counts.get(kind, 0) for kind in reversed(KIND_ORDER)}


def _write_text(findings: list[Finding], files: int, output: Path | None) -> None:
    lines = [(f, f"{f.source}:{f.line}:{f.column}: {f.kind} {f.code} {f.message}") for f in findings]
    counts = _summary(findings)
    summary = ", ".join(plural(n, kind.lower().replace("_", " ")) for kind, n in counts.items() if n)
    tail = f"{plural(len(findings), 'finding')} in {plural(files, 'file')}"
    tail += f" ({summary})" if summary else ""
    if output is not None:
        _write(output, ("\n".join([line for _, line in lines] + [tail]) + "\n").encode())
        return
    console = Console(highlight=False, soft_wrap=True)
    for finding, _ in lines:
        console.print(
            f"{escape(finding.source)}:{finding.line}:{finding.column}: "
            f"[{_STYLE[finding.kind]}]{finding.kind}[/] [bold]{finding.code}[/] {escape(finding.message)}"
        )
    console.print(tail, style="dim" if not findings else None)


def _json_report(findings: list[Finding]) -> dict[str, Any]:
    from iamwarden import __version__

    return {
        "tool": "iamwarden",
        "version": __version__,
        "summary": _summary(findings),
        "findings": [f.to_json() for f in findings],
    }
