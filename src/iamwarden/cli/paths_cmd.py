"""``iamwarden paths``: every privilege-escalation path of an account, proven by the policy engine.

Loads an account like ``scan`` (snapshot, authorization details or AWS CLI outputs), builds the escalation graph
(:mod:`iamwarden.analysis.escalation`) and prints, for each principal (or the one given with ``--from``), the paths to
an administrator, shortest first, each hop with its pathfinding.cloud technique, the actions and the statements that
allow them; with ``--to ARN``, the paths to that user or role instead. See docs/escalation.md.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from iamwarden.cli.consoles import stdout_console
from iamwarden.cli.errors import handles_input_errors
from iamwarden.cli.inputs import AccountIdOption, AuthDetailsOption, ImportDirOption, SnapshotOption, load_input
from iamwarden.cli.options import JsonAliasOption, chosen_format, format_option, parse_choice
from iamwarden.errors import InputError, Problem
from iamwarden.report.arns import SHORT_ARNS, short_arn, shorten_arns
from iamwarden.report.words import plural, wrap


@handles_input_errors
def paths(
    snapshot: SnapshotOption = None,
    authorization_details: AuthDetailsOption = None,
    import_dir: ImportDirOption = None,
    account_id: AccountIdOption = None,
    source: Annotated[
        str | None,
        typer.Option("--from", help="Only paths from this user or role. Default: every principal.", metavar="ARN"),
    ] = None,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="`admin` (any administrator, the default) or the ARN of a user or role to reach.",
            metavar="admin|ARN",
        ),
    ] = "admin",
    output_format: Annotated[
        str | None,
        format_option("text (the default), json, or a graph of the paths: dot (Graphviz) or mermaid."),
    ] = None,
    every_path: Annotated[
        bool,
        typer.Option("--all", help="Text: every path to each target, not only the shortest (the JSON has them all)."),
    ] = False,
    lateral: Annotated[
        bool,
        typer.Option(
            "--lateral",
            help="Text and graphs: also the lateral moves, takeovers of a principal that is no administrator but may "
            "do something the starting one may not (the JSON has them always).",
        ),
    ] = False,
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
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="An organization bundle (folder with org.json): the paths that cross accounts, hop by hop with "
            "account ids, and the trusts to accounts outside the organization (docs/organizations.md).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Privilege-escalation paths: who can become an administrator (or reach --to), and how, hop by hop.

    Exit codes: 0 (whether or not paths were found), 2 for bad input.

    Examples:

      iamwarden paths --snapshot demo/demo-account.json.gz --lateral

      iamwarden paths -s account.json.gz --from ARN --format json

      iamwarden paths -s account.json.gz --format mermaid    (a graph; dot for Graphviz)
    """
    shape = parse_choice(chosen_format(output_format, json_alias, "text"), ("text", "json", "dot", "mermaid"))
    if bundle is not None:
        if any(v is not None for v in (snapshot, authorization_details, import_dir)):
            raise InputError("command line", Problem("--bundle", "give either --bundle or one account input"))
        if lateral:
            raise InputError("command line", Problem("--lateral", "lists one account's lateral moves, not --bundle's"))
        _bundle_paths(bundle, shape, max_hops)
        return
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
            if found.paths or found.lateral or found.admin_makings or source:
                results.append({"principal": arn, "status": "paths" if found.paths else "none", **found.to_json()})
    document: dict[str, Any] = {
        "account": account.account_id,
        "to": to,
        "limits": {"max_hops": max_hops, "max_paths": max_paths, "max_targets": max_targets},
        "principals": results,
    }
    if shape == "json":
        typer.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
        return
    if shape in ("dot", "mermaid"):
        from iamwarden.report.paths_graph import to_dot, to_mermaid

        shown = document if lateral else _without_lateral(document)
        typer.echo((to_dot if shape == "dot" else to_mermaid)(shown), nl=False)
        return
    _print_text(document if lateral else _without_lateral(document), account.account_id, every_path=every_path)
    if not lateral:
        moves = {(e["principal"], p["target"]) for e in document["principals"] for p in _lateral_paths(e)}
        if moves:
            typer.echo(f"{plural(len(moves), 'lateral move')} not shown: --lateral lists them.")


def _lateral_paths(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in entry.get("paths", []) if p.get("outcome") == "lateral"]


def _without_lateral(document: dict[str, Any]) -> dict[str, Any]:
    """The paths document without its lateral moves."""
    principals = [
        {**entry, "paths": [p for p in entry["paths"] if p.get("outcome") != "lateral"]} if "paths" in entry else entry
        for entry in document["principals"]
    ]
    return {**document, "principals": principals}


def _print_text(document: dict[str, Any], account_id: str, *, every_path: bool = False) -> None:
    """Per principal, its paths grouped by target: administrators (or the --to target) first, the shortest path of
    each target with its hops and wrapped reasons, the other techniques to the same target named once; lateral moves
    after, one line per target. ``every_path``: every path in full."""
    console = stdout_console()
    width = max(console.width, 60)
    to = document["to"]
    goal = "an administrator" if to == "admin" else short_arn(to, account_id)
    typer.echo(wrap(f"Account {account_id}: paths to {goal} (resources {SHORT_ARNS})", width))
    with_paths = 0
    for entry in document["principals"]:
        who = short_arn(entry["principal"], account_id)
        if entry["status"] == "unknown":
            typer.echo(f"{who}: unknown ({'; '.join(entry['gaps'])})")
            continue
        if entry["status"] == "administrator":
            typer.echo(f"{who}: already an administrator")
            continue
        paths = entry.get("paths", [])
        for making in entry.get("can_make_administrators", []):
            sample = ", ".join(short_arn(t, account_id) for t in making["sample"])
            typer.echo(
                f"{who}: can make another principal an administrator: {making['technique']} "
                f"({making['action']}) on {making['targets']} principal(s), e.g. {sample}"
            )
        if not paths:
            if not entry.get("can_make_administrators"):
                typer.echo(f"{who}: no path to {goal}")
            continue
        with_paths += 1
        typer.echo("")
        typer.echo(f"{who}  [{', '.join(entry['pathfinding_ids'])}]")
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for path in sorted(paths, key=lambda p: (p.get("outcome") == "lateral", len(p["hops"]))):
            groups.setdefault((path.get("outcome", "admin"), path["target"]), []).append(path)
        for (outcome, target), group in groups.items():
            shown = group if every_path else group[:1]
            others = sorted({p["hops"][0]["technique"] for p in group[1:]} - {group[0]["hops"][0]["technique"]})
            if outcome == "lateral":
                also = f"; also {', '.join(others)}" if others else ""
                gains = shorten_arns(group[0]["gains"], account_id)
                lateral = (
                    f"lateral: {short_arn(target, account_id)} (gains {gains}) via {group[0]['hops'][0]['technique']}"
                )
                typer.echo(wrap(lateral + also, width, indent=2, hanging=4))
                if not every_path:
                    continue
            for path in shown:
                hops = path["hops"]
                route = " -> ".join(
                    [who, *("(itself)" if h["to"] == h["from"] else short_arn(h["to"], account_id) for h in hops)]
                )
                label = {"admin": "administrator", "reaches": "reaches", "lateral": "lateral"}.get(outcome, outcome)
                typer.echo(wrap(f"{label}: {route} ({plural(len(hops), 'hop')})", width, indent=2, hanging=4))
                for hop in hops:
                    reason = shorten_arns(hop["reason"], account_id)
                    typer.echo(
                        textwrap.fill(
                            f"{hop['technique']} {' + '.join(hop['actions'])}: {reason}",
                            width=width,
                            initial_indent="    ",
                            subsequent_indent="      ",
                            break_on_hyphens=False,
                        )
                    )
            if len(group) > len(shown):
                also = f" (also via {', '.join(others)})" if others else ""
                more = f"... {plural(len(group) - 1, 'other path')} to {short_arn(target, account_id)}{also}: --all"
                typer.echo(wrap(more, width, indent=4))
    reached = sum(1 for e in document["principals"] if e.get("status") == "paths")
    typer.echo("")
    typer.echo(f"{plural(with_paths, 'principal')} with paths; {reached} can reach {goal}.")


def _bundle_paths(bundle: Path, shape: str, max_hops: int) -> None:
    """``paths --bundle``: the organization's cross-account paths and external trusts."""
    from iamwarden.cli.org_scan import cross_account_graph, default_workers

    if shape not in ("text", "json"):
        raise InputError("command line", Problem("--format", "--bundle prints text or json"))
    graph = cross_account_graph(bundle, default_workers())
    found = [p for s in graph.sources() for p in graph.paths_from(s, max_hops)]
    found.sort(key=lambda p: (len(p.hops), p.source_account, p.source, p.target_account))
    console = stdout_console()
    if shape == "json":
        data = {**graph.to_json(), "paths": [p.to_json() for p in found]}
        console.print(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode(), markup=False, soft_wrap=True)
        return
    console.print(
        f"{plural(len(found), 'cross-account path')} to administrators of another account, "
        f"{plural(len(graph.external), 'trust')} to accounts outside the organization",
        markup=False,
    )
    for path in found:
        who = "administrators" if path.source.startswith("admin:") else path.source
        cond = " (conditional)" if path.conditional else ""
        console.print(f"\n[{path.source_account}] {who} -> administrator of {path.target_account}{cond}", markup=False)
        for i, hop in enumerate(path.hops, 1):
            console.print(f"  {i}. {hop.describe()}", markup=False)
            for why in hop.statements if hop.kind in ("assume", "as_admin") else ():
                console.print(f"       allowed by {why}", markup=False)
    for trust in graph.external:
        keys = f" if {', '.join(trust.gated_by)}" if trust.gated_by else ""
        console.print(
            f"\nexternal: [{trust.account_id}] {trust.role} trusts {trust.principal}: {trust.decision}{keys}",
            markup=False,
        )
