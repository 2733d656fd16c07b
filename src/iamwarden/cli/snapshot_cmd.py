"""``iamwarden snapshot``: check, build and inspect snapshot files without AWS."""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iamwarden.cli.consoles import stdout_console
from iamwarden.cli.errors import err_console, handles_input_errors
from iamwarden.report.tables import plain_table
from iamwarden.report.words import plural, wrap

if TYPE_CHECKING:  # the snapshot models are imported when a command runs
    from iamwarden.collect.snapshot import Snapshot

app = typer.Typer(
    help="Check, build and inspect snapshot files (docs/snapshot-format.md) and org bundles (docs/org-bundle.md).",
    no_args_is_help=True,
)

console = stdout_console(soft_wrap=True)

Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="On bad input, list every problem, not just the first.")]


@app.command()
@handles_input_errors
def validate(
    file: Annotated[
        Path,
        typer.Argument(
            help="A snapshot file (.json or .json.gz), or an org bundle folder (iamwarden collect --org).",
            show_default=False,
            metavar="PATH",
        ),
    ],
    verbose: Verbose = False,
) -> None:
    """Check a snapshot file, or an org bundle: its org.json and every account snapshot it lists.

    A snapshot: its envelope and every stored AWS response against its raw shape. An org bundle (a folder, see
    docs/org-bundle.md): org.json against its schema and its ids against each other, then each account's snapshot;
    an account recorded as a gap (not reachable when collected) is listed, not an error.

    Prints a summary and OK, or one line per problem on stderr (the file, the JSON path or line, what is wrong)
    and exits with code 2.
    """
    from iamwarden.collect.snapshot import read_snapshot

    if file.is_dir():
        _validate_bundle(file, verbose=verbose)
        return
    snapshot = read_snapshot(file)
    _summary(snapshot, str(file))
    console.print("OK")


def _validate_bundle(directory: Path, *, verbose: bool) -> None:
    """Summary of org.json, one line per account; every unreadable account snapshot is one error line (exit 2)."""
    from iamwarden.collect.bundle import read_account_snapshot, read_bundle
    from iamwarden.errors import InputError

    console = stdout_console(soft_wrap=True)  # its width read now (COLUMNS), not when the module was imported
    bundle = read_bundle(directory)
    org = bundle.organization
    names = bundle.unit_names()
    collected = sum(1 for a in bundle.accounts if a.snapshot is not None)
    types = Counter("SCP" if p.type == "SERVICE_CONTROL_POLICY" else "RCP" for p in bundle.policies)
    console.print(f"bundle:       {directory / 'org.json'}", markup=False)
    console.print(
        f"organization: {org.id} (management account {org.management_account_id}, feature set {org.feature_set})",
        markup=False,
    )
    console.print(f"collected:    {bundle.collected_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC", markup=False)
    accounts = (
        f"accounts:     {len(bundle.accounts)} ({collected} collected, "
        f"{plural(len(bundle.accounts) - collected, 'gap')}); "
        f"{plural(len(bundle.organizational_units), 'OU')}; {plural(types['SCP'], 'SCP')}, "
        f"{plural(types['RCP'], 'RCP')}; {plural(len(bundle.delegated_administrators), 'delegated administrator')}"
    )
    console.print(wrap(accounts, console.width, hanging=14), markup=False)
    table = plain_table()
    for column in ("Account", "Name", "OU", "Snapshot"):
        table.add_column(column, overflow="fold")
    bad: list[InputError] = []
    for entry in bundle.accounts:
        row = (entry.id, entry.name, "/".join(names.get(node, node) for node in entry.ou_path))
        if entry.gap is not None:
            table.add_row(*row, f"gap: {entry.gap.describe()}")
            continue
        try:
            snapshot = read_account_snapshot(directory, entry)
        except InputError as exc:
            bad.append(exc)
            table.add_row(*row, f"{entry.snapshot}: unreadable")
            continue
        table.add_row(*row, f"{entry.snapshot}: {plural(len(snapshot.gaps), 'gap')}")
    console.print(table)
    if bad:
        for earlier in bad[:-1]:
            for line in earlier.all_lines() if verbose else [earlier.one_line()]:
                err_console.print(f"error: {line}", markup=False)
        raise bad[-1]
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
        typer.Option(
            "--account-id", help="The 12-digit account id, when no file tells it.", show_default=False, metavar="ID"
        ),
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
    calls = plain_table("Calls")
    for column in ("API", "Region", "Responses"):
        calls.add_column(column, justify="right" if column == "Responses" else "left")
    for api, regions in sorted(snapshot.calls.items()):
        for region, targets in sorted(regions.items()):
            calls.add_row(api, region, str(len(targets)))
    console.print(calls)
    if not snapshot.gaps:
        console.print("No gaps.")
        return
    gaps = plain_table("Gaps")
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
