"""``iamwarden history``: the recorded scans (list, show one, prune old ones). See docs/history.md."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.table import Table

from iamwarden.cli.consoles import stdout_console
from iamwarden.cli.errors import handles_input_errors
from iamwarden.cli.history_options import DbOption
from iamwarden.cli.options import format_option, output_option, parse_choice
from iamwarden.report.tables import plain_table

if TYPE_CHECKING:
    from iamwarden.store import ScanRecord

app = typer.Typer(
    help="The scan history: scans recorded with `scan --record` (list, show, prune). See docs/history.md.",
    no_args_is_help=True,
)

FormatOption = Annotated[str, format_option("console or json (json with -o).")]
OutputOption = Annotated[Path | None, output_option("Write the JSON here.", dir_okay=False)]


@app.command("list")
@handles_input_errors
def list_scans(
    account: Annotated[str | None, typer.Option("--account", help="Only this account id.", metavar="ID")] = None,
    org: Annotated[
        str | None, typer.Option("--org", help="Only accounts of this organization id (o-...).", metavar="ID")
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = "console",
    output: OutputOption = None,
) -> None:
    """List the recorded scans, oldest first, per account (and organization).

    Example: iamwarden history list --account 444455556666
    """
    from iamwarden.store import History

    fmt = _format(fmt, output)
    with History.open(db) as history:
        scans = history.scans(account_id=account, org_id=org)
        where = history.where
    if fmt == "json":
        _write_json({"database": where, "scans": [s.to_json() for s in scans]}, output)
        return
    console = stdout_console(soft_wrap=True)
    accounts = sorted({s.account_id for s in scans})
    console.print(
        f"{_count(len(scans), 'scan')} of {_count(len(accounts), 'account')} in {where}",
        markup=False,
    )
    for account_id in accounts:
        mine = [s for s in scans if s.account_id == account_id]
        orgs = sorted({s.org_id for s in mine if s.org_id})
        title = f"Account {account_id}" + (f" (organization {', '.join(orgs)})" if orgs else "")
        console.print(_table(title, mine))


def _table(title: str, scans: Sequence[ScanRecord]) -> Table:
    table = plain_table(title)
    table.add_column("Scan", justify="right")
    table.add_column("Collected (UTC)")
    table.add_column("Recorded (UTC)")
    table.add_column("iamwarden")
    table.add_column("Snapshot", overflow="fold")
    for s in scans:
        table.add_row(
            str(s.id),
            s.collected_at.strftime("%Y-%m-%d %H:%M"),
            s.recorded_at.strftime("%Y-%m-%d %H:%M"),
            s.tool_version,
            s.snapshot_path or f"sha256 {s.snapshot_hash[:12]}",
        )
    return table


@app.command("show")
@handles_input_errors
def show(
    scan: Annotated[str, typer.Argument(help="Scan id, or ACCOUNT@latest|previous|YYYY-MM-DD.")],
    db: DbOption = None,
    fmt: FormatOption = "console",
    output: OutputOption = None,
) -> None:
    """Show one recorded scan: what was scanned, each practice's score, and its open failures by severity.

    Example: iamwarden history show 444455556666@latest
    """
    from iamwarden.checks.base import PRACTICES, Severity
    from iamwarden.store import History

    fmt = _format(fmt, output)
    with History.open(db) as history:
        record = history.resolve(scan)
        content = history.content(record.id)
    failures = [r for r in content.results.values() if r.open_failure]
    by_severity = {s.value: sum(1 for r in failures if r.severity == s.value) for s in Severity}
    practices = [
        {
            "number": p.practice,
            "title": PRACTICES.get(p.practice, ""),
            "score": p.score,
            "pass": p.passed,
            "fail": p.failed,
            "unknown": p.unknown,
            "suppressed": p.suppressed,
        }
        for p in content.practices
    ]
    kinds: dict[str, int] = {}
    for kind, _ in content.entities:
        kinds[kind] = kinds.get(kind, 0) + 1
    if fmt == "json":
        _write_json(
            {
                "scan": record.to_json(),
                "results": len(content.results),
                "failures_by_severity": by_severity,
                "practices": practices,
                "entities": kinds,
            },
            output,
        )
        return
    console = stdout_console(soft_wrap=True)
    shown = ", ".join(f"{n} {s}" for s, n in by_severity.items() if n)
    console.print(
        f"Scan {record.id} of account {record.account_id}"
        + (f" (organization {record.org_id})" if record.org_id else "")
        + f", collected {record.collected_at:%Y-%m-%d %H:%M} UTC: {len(failures)} open failures"
        + (f" ({shown})" if shown else ""),
        markup=False,
    )
    console.print(
        f"recorded {record.recorded_at:%Y-%m-%d %H:%M} UTC by iamwarden {record.tool_version}; snapshot "
        f"{record.snapshot_path or '(no file)'} sha256 {record.snapshot_hash}",
        markup=False,
    )
    console.print("entities: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())), markup=False)
    if practices:
        table = plain_table("Practices")
        for col in ("#", "Practice", "Pass", "Fail", "Unknown", "Score"):
            table.add_column(col, justify="left" if col == "Practice" else "right")
        for p in practices:
            table.add_row(
                str(p["number"]),
                str(p["title"]),
                str(p["pass"]),
                str(p["fail"]),
                str(p["unknown"]),
                "-" if p["score"] is None else str(p["score"]),
            )
        console.print(table)


@app.command("prune")
@handles_input_errors
def prune(
    keep_days: Annotated[
        int, typer.Option("--keep-days", min=0, help="Keep the scans collected in the last N days; delete the rest.")
    ],
    account: Annotated[str | None, typer.Option("--account", help="Only this account's scans.", metavar="ID")] = None,
    db: DbOption = None,
    fmt: FormatOption = "console",
    output: OutputOption = None,
) -> None:
    """Delete scans collected more than --keep-days days ago (and the stored documents no other scan uses).

    Example: iamwarden history prune --keep-days 365
    """
    from iamwarden.store import History

    fmt = _format(fmt, output)
    with History.open(db) as history:
        gone = history.prune(keep_days, account_id=account)
        where = history.where
    if fmt == "json":
        _write_json({"database": where, "deleted": [s.to_json() for s in gone]}, output)
        return
    stdout_console(soft_wrap=True).print(
        f"deleted {_count(len(gone), 'scan')} collected more than {keep_days} days ago from {where}",
        markup=False,
    )


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


def _format(fmt: str, output: Path | None) -> str:
    name = parse_choice(fmt, ("console", "json"))
    if output is not None:
        name = "json"
    return name


def _write_json(data: dict[str, Any], output: Path | None) -> None:
    text = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    if output is None:
        typer.echo(text.decode("utf-8"), nl=False)
        return
    from iamwarden.runtime import write_atomically

    write_atomically(output, text, "the history report")
    stdout_console(soft_wrap=True).print(f"wrote {output}", markup=False)
