"""``iamwarden simulate``: decide requests with the policy engine and say why.

Two forms:

* ``--request-file FILE``: FILE holds one request document (the format in docs/simulate.md) or JSON Lines of many;
  one decision per request, in order, streamed as the lines are read (:mod:`iamwarden.cli.request_reader`). A bad
  line gets its error in its place; the command exits 2 at the end when there was one.
* ``--snapshot S --principal ARN --action A [--resource R] [--context k=v ...]``: the principal's own policies,
  permissions boundary and SCPs are gathered from the snapshot (a role's trust policy too, for ``sts:AssumeRole*``
  on a role of the account).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from iamwarden.cli.app import handles_input_errors
from iamwarden.cli.consoles import print_wrapped, stdout_console
from iamwarden.cli.options import JsonAliasOption, chosen_format, format_option, parse_choice
from iamwarden.cli.request_reader import decide_request_file, relocated
from iamwarden.errors import InputError, Problem
from iamwarden.policy import Decision, evaluate, read_request_document

_STYLE = {"allowed": "bold green", "explicit_deny": "bold red", "implicit_deny": "bold yellow"}
_LABEL = {"allowed": "ALLOWED", "explicit_deny": "EXPLICIT DENY", "implicit_deny": "IMPLICIT DENY"}


def _render(console: Console, decision: Decision, request: Mapping[str, Any], caveats: list[str]) -> None:
    principal = escape(str(request.get("principal", "?")))
    action = escape(str(request.get("action", "?")))
    resource = escape(str(request.get("resource", "*")))
    style = _STYLE[decision.decision]
    print_wrapped(console, f"[{style}]{_LABEL[decision.decision]}[/]  {principal}  {action}  {resource}")
    reasons = list(decision.reasons)
    i = 0
    while i < len(reasons):
        reason = reasons[i]
        repeats = 1
        while i + repeats < len(reasons) and reasons[i + repeats] == reason:
            repeats += 1  # the same SCP/RCP allowing at several organization levels
        i += repeats
        statement = f" statement {escape(reason.statement)}" if reason.statement is not None else ""
        effect = {"Allow": "[green]Allow[/]", "Deny": "[red]Deny[/]"}.get(reason.effect, "[yellow]no Allow[/]")
        standard = reason.statement is not None and reason.detail.startswith(
            f"statement {reason.statement} of {reason.policy} "
        )
        detail = "" if standard else f": [dim]{escape(reason.detail)}[/]"
        levels = f" [dim](at {repeats} levels)[/]" if repeats > 1 else ""
        print_wrapped(
            console, f"{effect}  {reason.policy_type}  {escape(reason.policy)}{statement}{detail}{levels}", indent=2
        )
    if decision.not_allowing and decision.decision == "implicit_deny":
        print_wrapped(console, f"not allowed by: {escape(', '.join(decision.not_allowing))}", indent=2)
    for key in sorted(decision.missing_context_keys):
        print_wrapped(
            console,
            f"[cyan]what if[/] {escape(key)} were in the request? A condition needed it and it was absent "
            "(give it in the request context to see that decision).",
            indent=2,
        )
    for error in decision.errors:
        print_wrapped(console, f"[bold red]error[/] {escape(error.describe())}", indent=2)
    for caveat in caveats:
        print_wrapped(console, f"[yellow]caveat[/] {escape(caveat)}", indent=2)


def _json_line(decision: Decision, request: Mapping[str, Any], caveats: list[str], line: int | None = None) -> bytes:
    data = decision.to_json()
    data["request"] = dict(request)
    if line is not None:
        data["line"] = line
    if caveats:
        data["caveats"] = caveats
    return orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE)


def _emit(
    out: IO[str],
    console: Console,
    decision: Decision,
    request: Mapping[str, Any],
    json_output: bool,
    caveats: list[str],
    line: int | None = None,
) -> None:
    if json_output:
        out.write(_json_line(decision, request, caveats, line).decode())
    else:
        _render(console, decision, request, caveats)


_CHUNK = 256
"""JSON decisions written to stdout together (as bytes): one write per line costs more than deciding it."""


def _problems_text(problems: tuple[Problem, ...], verbose: bool) -> str:
    """A bad line's problems on one line: the first (and how many more), or all of them with ``--verbose``."""
    if verbose or len(problems) == 1:
        return "; ".join(str(p) for p in problems)
    more = len(problems) - 1
    return f"{problems[0]} (and {more} more problem{'s' if more > 1 else ''}; --verbose lists them)"


def _simulate_file(path: Path, json_output: bool, verbose: bool) -> None:
    """Decide every request of the file; a bad JSON Lines line is reported in its place and the command exits 2
    at the end, with the count of bad lines on stderr."""
    console = stdout_console(soft_wrap=True)
    out = sys.stdout
    binary: IO[bytes] | None = getattr(out, "buffer", None) if json_output else None
    pending: list[bytes] = []
    first = True
    total = bad = 0
    try:
        for result in decide_request_file(path):
            total += 1
            decision = result.decision
            if json_output:
                if decision is None:
                    bad += 1
                    error = {"line": result.line, "error": _problems_text(result.problems, verbose)}
                    pending.append(orjson.dumps(error, option=orjson.OPT_APPEND_NEWLINE))
                else:
                    pending.append(_json_line(decision, result.request, [], result.line))
                if len(pending) >= _CHUNK:
                    _write(out, binary, pending)
                continue
            if not first:
                console.print()
            first = False
            if decision is None:
                bad += 1
                text = _problems_text(result.problems, verbose)
                console.print(f"[bold red]ERROR[/]  line {result.line}: {escape(text)}")
            else:
                _emit(out, console, decision, result.request, json_output, [], result.line)
    finally:
        _write(out, binary, pending)
        out.flush()
    if bad:
        lines = "line" if total == 1 else "lines"
        raise InputError(
            str(path),
            Problem("", f"{bad} of {total} request {lines} could not be decided (each has its error in its place)"),
        )


def _write(out: IO[str], binary: IO[bytes] | None, pending: list[bytes]) -> None:
    """Write the pending JSON lines (to the byte stream under ``out`` when there is one) and empty the list."""
    if not pending:
        return
    data = b"".join(pending)
    pending.clear()
    if binary is not None:
        out.flush()
        binary.write(data)
    else:
        out.write(data.decode())


def _parse_context(pairs: list[str]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    problems: list[Problem] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(Problem("--context", f"{pair!r} is not key=value (e.g. aws:SourceIp=10.1.2.3)"))
            continue
        if key in context:  # a repeated key builds a multivalued key (aws:TagKeys=a --context aws:TagKeys=b)
            previous = context[key]
            context[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            context[key] = value
    if problems:
        raise InputError("command line", problems)
    return context


def _simulate_snapshot(
    snapshot: Path,
    principal: str,
    action: str,
    resource: str,
    context: dict[str, Any],
    resource_account: str | None,
    json_output: bool,
) -> None:
    from iamwarden.analysis.context import AnalysisContext
    from iamwarden.analysis.principals import principal_policies
    from iamwarden.collect.snapshot import read_snapshot
    from iamwarden.model import Role, User, build_account

    account = build_account(read_snapshot(snapshot))
    subject = account.principals_by_arn.get(principal)
    if subject is None and ":assumed-role/" in principal:
        role_name = principal.split(":assumed-role/", 1)[1].split("/", 1)[0]
        subject = account.roles_by_name.get(role_name)
    if not isinstance(subject, User | Role):
        raise InputError(
            str(snapshot),
            Problem(
                "--principal",
                f"{principal!r} is not a user, role or role session of account {account.account_id} in the snapshot",
            ),
        )
    gathered = principal_policies(AnalysisContext(account), subject)
    doc = {"request": {"principal": principal, "action": action, "resource": resource, "context": context}}
    if resource_account is not None:
        doc["request"]["resource_account"] = resource_account
    try:
        request, _ = read_request_document(doc)
    except InputError as exc:
        raise relocated(exc, "command line", "") from None
    resource_policy = None
    caveats = [*gathered.gaps, *gathered.caveats]
    if action.lower().startswith("sts:assumerole"):
        target = account.principals_by_arn.get(resource)
        if isinstance(target, Role) and target.trust_policy is not None:
            from iamwarden.policy import parse_policy

            try:
                resource_policy = parse_policy(target.trust_policy, name=f"{target.arn} trust policy")
            except InputError as exc:
                caveats.append(f"the trust policy of {target.arn} could not be parsed: {exc.one_line()}")
    decision = evaluate(
        request,
        identity_policies=gathered.identity,
        resource_policy=resource_policy,
        permission_boundary=gathered.boundary,
        scps=gathered.scps,  # the engine exempts the management account and service-linked roles itself
        management_account=gathered.management_account,
    )
    console = stdout_console(soft_wrap=True)
    _emit(sys.stdout, console, decision, doc["request"], json_output, caveats)
    sys.stdout.flush()


@handles_input_errors
def simulate(
    request_file: Annotated[
        Path | None,
        typer.Option(
            "--request-file",
            help="A request document (JSON) or JSON Lines of many; see docs/simulate.md for the format.",
            dir_okay=False,
        ),
    ] = None,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            "--snapshot", "-s", help="A snapshot file: gather the principal's policies from it.", dir_okay=False
        ),
    ] = None,
    principal: Annotated[
        str | None,
        typer.Option("--principal", "-p", help="With --snapshot: a user, role or role-session ARN.", metavar="ARN"),
    ] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="With --snapshot: the action, e.g. s3:GetObject.")
    ] = None,
    resource: Annotated[str, typer.Option("--resource", help="With --snapshot: the resource ARN (default *).")] = "*",
    context: Annotated[
        list[str] | None,
        typer.Option(
            "--context",
            "-c",
            help="With --snapshot: a request context key=value (repeat; a repeated key makes a list).",
            metavar="KEY=VALUE",
        ),
    ] = None,
    resource_account: Annotated[
        str | None,
        typer.Option(
            "--resource-account",
            help="With --snapshot: the resource's account when its ARN has none (S3).",
            metavar="ID",
        ),
    ] = None,
    output_format: Annotated[
        str | None, format_option("text (the default) or json (one JSON decision per line).")
    ] = None,
    json_alias: JsonAliasOption = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every problem of a bad input.")] = False,
) -> None:
    """Decide requests the way AWS does and explain each decision (policy, statement, effect, missing context keys).

    Either --request-file FILE (one request document, or JSON Lines of many), or --snapshot S --principal ARN
    --action A [--resource R] [--context k=v ...]. Bad input exits 2 naming the file, the line and the JSON path.
    """
    json_output = parse_choice(chosen_format(output_format, json_alias, "text"), ("text", "json")) == "json"
    if request_file is not None:
        if snapshot is not None or principal is not None or action is not None:
            raise InputError("command line", Problem("--request-file", "use either --request-file or --snapshot"))
        if context or resource != "*" or resource_account is not None:
            raise InputError(
                "command line",
                Problem(
                    "--request-file",
                    "--resource, --context and --resource-account go with --snapshot; a request "
                    "document carries its own",
                ),
            )
        _simulate_file(request_file, json_output, verbose)
        return
    if snapshot is None:
        raise InputError("command line", Problem("", "give --request-file FILE, or --snapshot S --principal --action"))
    missing = [name for name, value in (("--principal", principal), ("--action", action)) if not value]
    if missing:
        raise InputError("command line", [Problem(name, "required with --snapshot") for name in missing])
    assert principal is not None and action is not None
    _simulate_snapshot(
        snapshot, principal, action, resource, _parse_context(context or []), resource_account, json_output
    )
