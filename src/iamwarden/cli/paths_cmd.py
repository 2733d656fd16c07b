"""``iamwarden paths``: every privilege-escalation path of an account, proven by the policy engine.

Loads an account like ``scan`` (snapshot, authorization details or AWS CLI outputs), builds the escalation graph
(:mod:`iamwarden.analysis.escalation`) and prints, for each principal (or the one given with ``--from``), the paths to
an administrator, shortest first, each hop with its pathfinding.cloud technique, the actions and the statements that
allow them; with ``--to ARN``, the paths to that user or role instead. See docs/escalation.md.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import typer

from iamwarden.cli.errors import handles_input_errors
from iamwarden.cli.inputs import AccountIdOption, AuthDetailsOption, ImportDirOption, SnapshotOption, load_input
from iamwarden.cli.options import JsonAliasOption, chosen_format, format_option, parse_choice
from iamwarden.errors import InputError, Problem
from iamwarden.report.words import plural


@handles_input_errors
def paths(
    snapshot: SnapshotOption = None,
    authorization_details: AuthDetailsOption = None,
    import_dir: ImportDirOption = None,
    account_id: AccountIdOption = None,
    source: Annotated[
        str | None, typer.Option("--from", help="Only paths from this user or role (ARN). Default: every principal.")
    ] = None,
    to: Annotated[
        str,
        typer.Option("--to", help="`admin` (any administrator, the default) or the ARN of a user or role to reach."),
    ] = "admin",
    output_format: Annotated[str | None, format_option("text (the default) or json.")] = None,
    json_alias: JsonAliasOption = False,
    max_hops: Annotated[int, typer.Option("--max-hops", min=1, max=10, help="Longest path reported.")] = 5,
    max_paths: Annotated[
        int, typer.Option("--max-paths", min=0, help="Most paths reported per starting principal (0: every path).")
    ] = 20,
    max_targets: Annotated[
        int,
        typer.Option(
            "--max-targets",
            min=0,
            help="Most targets per technique and principal that are not administrators themselves, such as roles "
            "a policy attachment would make administrators (0: every target; slower on large accounts).",
        ),
    ] = 3,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every input problem.")] = False,
) -> None:
    """Privilege-escalation paths: who can become an administrator (or reach --to), and how, hop by hop.

    Exit codes: 0 (whether or not paths were found), 2 for bad input.
    """
    as_json = parse_choice(chosen_format(output_format, json_alias, "text"), ("text", "json")) == "json"
    from iamwarden.analysis.context import AnalysisContext
    from iamwarden.analysis.escalation import ADMIN, EscalationGraph, escalation_graph, principal_escalation
    from iamwarden.model import build_account
    from iamwarden.runtime import gc_paused

    account = build_account(load_input(snapshot, authorization_details, import_dir, account_id))
    known = {u.arn for u in account.users} | {r.arn for r in account.roles}
    for option, value in (("--from", source), ("--to", None if to == ADMIN else to)):
        if value is not None and value not in known:
            raise InputError("command line", Problem(option, f"{value!r} is not a user or role of the account"))
    per_technique = max_targets or None
    results: list[dict[str, Any]] = []
    with gc_paused():  # edges, grants and decisions form no cycles; the collector's passes cost a fifth
        if to == ADMIN:
            graph = escalation_graph(AnalysisContext(account), per_technique)
        else:
            graph = EscalationGraph(AnalysisContext(account), targets=[to], per_technique=per_technique)
        sources = [source] if source else graph.principals
        for arn in sources:
            if graph.gaps(arn):
                results.append({"principal": arn, "status": "unknown", "gaps": list(graph.gaps(arn))})
                continue
            if graph.is_admin(arn):
                if source:
                    results.append({"principal": arn, "status": "administrator"})
                continue
            found = principal_escalation(graph, arn, to, max_hops, max_paths)
            if found.paths or found.lateral or source:
                results.append({"principal": arn, "status": "paths" if found.paths else "none", **found.to_json()})
    document = {
        "account": account.account_id,
        "to": to,
        "limits": {"max_hops": max_hops, "max_paths": max_paths, "max_targets": max_targets},
        "principals": results,
    }
    if as_json:
        typer.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
        return
    _print_text(document, account.account_id)


def _short(arn: str, account_id: str) -> str:
    return arn.split(f":{account_id}:", 1)[-1] if f":{account_id}:" in arn else arn


def _print_text(document: dict[str, Any], account_id: str) -> None:
    to = document["to"]
    goal = "an administrator" if to == "admin" else _short(to, account_id)
    shown = 0
    for entry in document["principals"]:
        who = _short(entry["principal"], account_id)
        if entry["status"] == "unknown":
            typer.echo(f"{who}: unknown ({'; '.join(entry['gaps'])})")
            continue
        if entry["status"] == "administrator":
            typer.echo(f"{who}: already an administrator")
            continue
        paths = entry.get("paths", [])
        if not paths:
            typer.echo(f"{who}: no path to {goal}")
            continue
        shown += 1
        typer.echo(f"{who}  [{', '.join(entry['pathfinding_ids'])}]")
        for i, path in enumerate(paths, 1):
            outcome = path.get("outcome", "admin")
            hops = path["hops"]
            route = " -> ".join(
                [who, *("(itself)" if h["to"] == h["from"] else _short(h["to"], account_id) for h in hops)]
            )
            label = "lateral" if outcome == "lateral" else ("administrator" if to == "admin" else "reaches")
            gains = f" (gains {path['gains']})" if outcome == "lateral" else ""
            typer.echo(f"  {i}. {label}: {route}{gains}")
            for hop in hops:
                typer.echo(f"       {hop['technique']} {' + '.join(hop['actions'])}: {hop['reason']}")
    admin = sum(1 for e in document["principals"] if e.get("status") == "paths")
    typer.echo(f"{plural(shown, 'principal')} with paths; {admin} can reach {goal}.")
