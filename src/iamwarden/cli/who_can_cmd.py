"""``iamwarden who-can ACTION [--resource ARN]``: the users and roles that can perform an action.

Each principal's effective permissions (:mod:`iamwarden.analysis.effective`) are asked about the action: on the given
resource (a decision: allowed, or allowed under conditions that only a real request can decide), or, without
``--resource``, on which resources and under which conditions. The granting statements are named. See docs/access.md.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape

from iamwarden.cli.access_cmd import (
    input_name,
    load_account,
)
from iamwarden.cli.consoles import stdout_console
from iamwarden.cli.errors import handles_input_errors
from iamwarden.cli.inputs import AccountIdOption, AuthDetailsOption, ImportDirOption, SnapshotOption
from iamwarden.cli.options import JsonAliasOption, chosen_format, format_option, parse_choice, verbose_option
from iamwarden.errors import InputError, Problem
from iamwarden.report.arns import SHORT_ARNS, short_arn, shorten_arns
from iamwarden.report.tables import plain_table


def _on_resource(found: Any, action: str, resource: str) -> dict[str, Any] | None:
    answer = found.decide(action, resource)
    status = answer.identity_decision if answer.needs_resource_policy else answer.decision
    if status not in ("allowed", "conditional"):
        return None
    conditions = list(answer.conditions)
    if answer.needs_resource_policy:
        conditions.append("the resource policy (key policy, trust policy, or cross-account) allows it too")
        status = "conditional"
    return {
        "principal": found.arn,
        "status": status,
        "resources": [resource],
        "conditions": conditions,
        "granted_by": [g.to_json() for g in answer.allowed_by],
    }


def _anywhere(found: Any, action_id: int) -> list[dict[str, Any]]:
    from iamwarden.analysis.effective_entries import access_entries

    out = []
    for e in access_entries(found, actions=1 << action_id):
        out.append(
            {
                "principal": found.arn,
                "status": e.status,
                "resources": list(e.resources),
                "not_resource": e.not_resource,
                "conditions": [*e.conditions, *e.limits, *e.aws_limits],
                "granted_by": [g.to_json() for g in e.granted_by],
                **({"aws_rules": list(e.aws_rules)} if e.aws_rules else {}),
            }
        )
    return out


@handles_input_errors
def who_can(
    action: Annotated[str, typer.Argument(help="An action of the catalogue, e.g. iam:PassRole.")],
    resource: Annotated[
        str | None, typer.Option("--resource", "-r", help="Only principals that can act on this resource ARN.")
    ] = None,
    output_format: Annotated[str | None, format_option("text (the default) or json.")] = None,
    json_alias: JsonAliasOption = False,
    snapshot: SnapshotOption = None,
    authorization_details: AuthDetailsOption = None,
    import_dir: ImportDirOption = None,
    account_id: AccountIdOption = None,
    verbose: Annotated[bool, verbose_option("List every problem of bad input.")] = False,
) -> None:
    """List the users and roles that can perform ACTION (allowed, or allowed under conditions), with the statements
    that grant it."""
    json_output = parse_choice(chosen_format(output_format, json_alias, "text"), ("text", "json")) == "json"
    from iamwarden.analysis.context import AnalysisContext
    from iamwarden.analysis.effective import action_index, all_effective_access
    from iamwarden.runtime import gc_paused

    index = action_index()
    action_id = index.id(action)
    if action_id is None:
        raise InputError("command line", Problem("ACTION", f"{action!r} is not an action of the catalogue"))
    name = index.names[action_id]
    source = input_name(snapshot, authorization_details, import_dir)
    account = load_account(snapshot, authorization_details, import_dir, account_id)
    rows: list[dict[str, Any]] = []
    with gc_paused():  # bitsets and compiled statements form no cycles; the collector's passes cost a third
        everyone = all_effective_access(AnalysisContext(account))
    for found in everyone:
        if resource is not None:
            row = _on_resource(found, name, resource)
            if row is not None:
                rows.append(row)
        else:
            rows += _anywhere(found, action_id)
    if json_output:
        doc = {"action": name, "resource": resource, "source": source, "principals": rows}
        sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
        return
    console = stdout_console()
    who = len({r["principal"] for r in rows})
    where = f" on {resource}" if resource else ""
    console.print(f"[bold]{who}[/] principals can {escape(name)}{escape(where)}")
    if not rows:
        return
    mine = account.account_id
    console.print(f"ARNs of account {mine} are {SHORT_ARNS}.", markup=False)
    table = plain_table(show_lines=True)
    for column in ("Principal", "Status", "Resources", "Conditions / limits", "Granted by"):
        table.add_column(column, overflow="fold")
    for r in rows:
        style = "green" if r["status"] == "allowed" else "yellow"
        terms = "\n".join(
            f"if {c}" if not c.startswith(("boundary", "SCP", "denied", "AWS manages")) else c for c in r["conditions"]
        )
        res = "\n".join(r["resources"])
        if r.get("not_resource"):
            res = "anything but\n" + res
        granted = "\n".join(f"{g['policy']} statement {g['statement']}" for g in r["granted_by"])
        table.add_row(
            escape(short_arn(r["principal"], mine)),
            f"[{style}]{r['status']}[/]",
            escape(shorten_arns(res, mine)),
            escape(shorten_arns(terms or "-", mine)),
            escape(shorten_arns(granted or "AWS: " + ", ".join(r.get("aws_rules", [])), mine)),
        )
    console.print(table)
