"""``iamwarden access --principal ARN``: what a user or role can do, on which resources, under which conditions.

Computed from the principal's effective permissions (:mod:`iamwarden.analysis.effective`): its own and its groups'
policies, its permissions boundary and the SCPs on the account's organization path, explicit denies included.
Conditions that only a real request can decide (source IP, MFA, region, tags) are listed, never assumed.
See docs/access.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape

from iamwarden.cli.consoles import stdout_console
from iamwarden.cli.errors import handles_input_errors
from iamwarden.cli.inputs import AccountIdOption, AuthDetailsOption, ImportDirOption, SnapshotOption
from iamwarden.cli.options import (
    JsonAliasOption,
    PrincipalOption,
    chosen_format,
    format_option,
    parse_choice,
    verbose_option,
)
from iamwarden.errors import InputError, Problem
from iamwarden.report.arns import SHORT_ARNS, shorten_arns
from iamwarden.report.tables import plain_table

ACTIONS_SHOWN = 8
"""On the console, an entry lists at most this many actions (``--format json`` lists them all)."""


def input_name(snapshot: Path | None, authorization_details: Path | None, import_dir: Path | None) -> str:
    """The file or folder the account was read from, for error messages."""
    for given in (snapshot, authorization_details, import_dir):
        if given is not None:
            return str(given)
    return "command line"


def load_account(
    snapshot: Path | None, authorization_details: Path | None, import_dir: Path | None, account_id: str | None
) -> Any:
    """The account model from exactly one of the three inputs (as ``iamwarden scan`` reads them)."""
    from iamwarden.cli.inputs import load_input
    from iamwarden.model import build_account

    return build_account(load_input(snapshot, authorization_details, import_dir, account_id))


def actions_text(actions: tuple[str, ...], shown: int = ACTIONS_SHOWN) -> str:
    if len(actions) <= shown:
        return ", ".join(actions)
    return ", ".join(actions[:shown]) + f", ... ({len(actions) - shown} more; --json lists all)"


def entry_terms(entry: Any) -> str:
    """Conditions and limits of an entry, one per line."""
    lines = [f"if {c}" for c in entry.conditions] + list(entry.limits) + list(entry.aws_limits)
    return "\n".join(lines) if lines else "-"


def entry_resources(entry: Any) -> str:
    text = "\n".join(entry.resources)
    return f"anything but\n{text}" if entry.not_resource else text


@handles_input_errors
def access(
    principal: PrincipalOption,
    service: Annotated[
        str | None, typer.Option("--service", help="Only this service prefix (s3, iam, ec2 ...).")
    ] = None,
    level: Annotated[
        str | None,
        typer.Option("--level", help="Only this access level: list, read, write, tagging, permissions-management."),
    ] = None,
    output_format: Annotated[str | None, format_option("text (the default) or json.")] = None,
    json_alias: JsonAliasOption = False,
    snapshot: SnapshotOption = None,
    authorization_details: AuthDetailsOption = None,
    import_dir: ImportDirOption = None,
    account_id: AccountIdOption = None,
    verbose: Annotated[bool, verbose_option("List every problem of bad input.")] = False,
) -> None:
    """List what a principal can do, grouped by service: actions, resources, conditions, granting statements."""
    json_output = parse_choice(chosen_format(output_format, json_alias, "text"), ("text", "json")) == "json"
    from iamwarden.analysis.context import AnalysisContext
    from iamwarden.analysis.effective import action_index, effective_access
    from iamwarden.analysis.effective_entries import LEVELS, access_entries
    from iamwarden.model import Role, User

    source = input_name(snapshot, authorization_details, import_dir)
    if level is not None and level.lower() not in LEVELS:
        raise InputError("command line", Problem("--level", f"{level!r} is not one of {', '.join(LEVELS)}"))
    index = action_index()
    if service is not None and service.lower() not in index.service_ranges:
        raise InputError("command line", Problem("--service", f"{service!r} is not a service prefix of the catalogue"))
    account = load_account(snapshot, authorization_details, import_dir, account_id)
    subject = account.principals_by_arn.get(principal)
    if not isinstance(subject, User | Role):
        raise InputError(
            source, Problem("--principal", f"{principal!r} is not a user or role of account {account.account_id}")
        )
    found = effective_access(AnalysisContext(account), subject)
    entries = access_entries(
        found, service=service.lower() if service else None, level=LEVELS[level.lower()] if level else None
    )
    caveats = [
        *found.policies.gaps,
        *found.policies.caveats,
        "resource-based policies, RCPs and session policies are not applied",
    ]
    if json_output:
        doc = {
            "principal": subject.arn,
            "service": service,
            "level": level,
            "entries": [e.to_json() for e in entries],
            "gaps": list(found.policies.gaps),
            "caveats": caveats[len(found.policies.gaps) :],
        }
        sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
        return
    console = stdout_console()
    allowed = sum(e.count for e in entries if e.status == "allowed")
    conditional = sum(e.count for e in entries if e.status != "allowed")
    mine = account.account_id
    console.print(
        f"[bold]{escape(subject.arn)}[/]: {len(entries)} entries, {allowed} action grants outright, "
        f"{conditional} under conditions or limits" + (f" (ARNs of account {mine} {SHORT_ARNS})" if entries else "")
    )
    if entries:
        table = plain_table(show_lines=True)
        for column in ("Service", "Actions", "Resources", "Conditions / limits", "Granted by"):
            table.add_column(column, overflow="fold")
        for e in entries:
            actions = actions_text(e.actions)
            if e.excluded:
                actions += "\nexcept " + actions_text(e.excluded)
            style = "green" if e.status == "allowed" else "yellow"
            table.add_row(
                f"[{style}]{escape(e.service)}[/]",
                escape(actions),
                escape(shorten_arns(entry_resources(e), mine)),
                escape(shorten_arns(entry_terms(e), mine)),
                escape(
                    shorten_arns("\n".join(g.label for g in e.granted_by) or "AWS: " + ", ".join(e.aws_rules), mine)
                ),
            )
        console.print(table)
    for line in caveats:
        console.print(f"[yellow]caveat[/] {escape(line)}")
