"""``iamwarden snapshot``: check, build and inspect snapshot files without AWS."""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from iamwarden.cli.consoles import stdout_console
from iamwarden.cli.errors import handles_input_errors

if TYPE_CHECKING:  # the snapshot models are imported when a command runs
    from iamwarden.collect.snapshot import Snapshot

app = typer.Typer(
    help="Check, build and inspect snapshot files (docs/snapshot-format.md describes them).",
    no_args_is_help=True,
)

console = stdout_console(soft_wrap=True)

Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="On bad input, list every problem, not just the first.")]


@app.command()
@handles_input_errors
def validate(
    file: Annotated[Path, typer.Argument(help="A snapshot file (.json or .json.gz).", show_default=False)],
    verbose: Verbose = False,
) -> None:
    """Check a snapshot file: its envelope and every stored AWS response against its raw shape.

    Prints a summary and OK, or one line per problem on stderr (the file, the JSON path or line, what is wrong)
    and exits with code 2.
    """
    from iamwarden.collect.snapshot import read_snapshot

    snapshot = read_snapshot(file)
    _summary(snapshot, str(file))
    console.print("OK")


@app.command(name="import")
@handles_input_errors
def import_(
    source: Annotated[
        Path,
        typer.Argument(
            help="A directory of AWS CLI JSON outputs (docs/collect-with-aws-cli.sh writes one), or one "
            "`aws iam get-account-authorization-details` output file (what Cloudsplaining reads).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="The snapshot file to write (.json, or .json.gz to compress).", show_default=False
        ),
    ],
    account_id: Annotated[
        str | None,
        typer.Option("--account-id", help="The 12-digit account id, when no file tells it.", show_default=False),
    ] = None,
    verbose: Verbose = False,
) -> None:
    """Build a snapshot from AWS CLI outputs, offline.

    Files missing from the directory become NotCollected gaps (checks needing them report unknown, never pass).
    Every file is checked first: when any is bad nothing is written.
    """
    from iamwarden.collect.snapshot import write_snapshot

    if source.is_dir():
        from iamwarden.collect.importer import import_directory

        snapshot = import_directory(source, account_id=account_id)
    else:
        from iamwarden.collect.authdetails import snapshot_from_authorization_details

        snapshot = snapshot_from_authorization_details(source, account_id=account_id)
    write_snapshot(snapshot, output)
    _summary(snapshot, str(output))
    console.print(f"wrote {output}")


@app.command()
@handles_input_errors
def info(
    file: Annotated[Path, typer.Argument(help="A snapshot file (.json or .json.gz).", show_default=False)],
    verbose: Verbose = False,
) -> None:
    """List what a snapshot holds: each API's responses by region, and every gap with its reason."""
    from iamwarden.collect.snapshot import read_snapshot

    snapshot = read_snapshot(file)
    _summary(snapshot, str(file))
    calls = Table(title="Calls", title_justify="left")
    for column in ("API", "Region", "Responses"):
        calls.add_column(column, justify="right" if column == "Responses" else "left")
    for api, regions in sorted(snapshot.calls.items()):
        for region, targets in sorted(regions.items()):
            calls.add_row(api, region, str(len(targets)))
    console.print(calls)
    if not snapshot.gaps:
        console.print("No gaps.")
        return
    gaps = Table(title="Gaps", title_justify="left")
    for column in ("API", "Region", "Target", "Code", "Message"):
        gaps.add_column(column, overflow="fold")
    for gap in snapshot.gaps:
        gaps.add_row(gap.api, gap.region, gap.target, gap.error_code, gap.message)
    console.print(gaps)


def _summary(snapshot: Snapshot, name: str) -> None:
    responses = sum(len(targets) for regions in snapshot.calls.values() for targets in regions.values())
    codes = Counter(gap.error_code for gap in snapshot.gaps)
    console.print(f"snapshot: {name}", markup=False)
    console.print(f"account:  {snapshot.account_id} ({snapshot.partition})", markup=False)
    collected = snapshot.collected_at.astimezone(UTC)
    console.print(f"source:   {snapshot.source}, collected {collected:%Y-%m-%d %H:%M:%S} UTC", markup=False)
    console.print(f"regions:  {', '.join(snapshot.regions) or '(none)'}", markup=False)
    console.print(f"calls:    {responses} responses of {len(snapshot.calls)} APIs", markup=False)
    by_code = ", ".join(f"{code} {n}" for code, n in sorted(codes.items()))
    console.print(f"gaps:     {len(snapshot.gaps)}" + (f" ({by_code})" if by_code else ""), markup=False)
