"""``iamwarden collect``: read a live AWS account (read-only) into a snapshot file, or with ``--org`` every account of
an organization into an org bundle."""

from __future__ import annotations

import os
import threading
from collections import Counter, defaultdict
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from iamwarden.cli.app import handles_input_errors
from iamwarden.cli.history_options import DbOption, RecordOption, record_scan_before_reports
from iamwarden.errors import InputError, Problem
from iamwarden.report.words import plural

if TYPE_CHECKING:  # boto3, the collector and the snapshot models are imported when the command runs
    import boto3
    from rich.progress import Progress, TaskID

    from iamwarden.collect.bundle import OrgBundle
    from iamwarden.collect.live import ProgressEvent
    from iamwarden.collect.org import AccountDone
    from iamwarden.collect.snapshot import Gap, Snapshot

GAPS_SHOWN = 20
"""Gap groups listed in the summary without --verbose."""
MESSAGE_LIMIT = 240
"""Characters of a gap's line in the summary (the snapshot keeps the whole message)."""


@handles_input_errors
def collect(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Snapshot file to write (gzip-compressed when it ends in .gz); with --org, the bundle's folder.",
            metavar="PATH",
        ),
    ],
    profile: Annotated[
        str | None, typer.Option("--profile", help="AWS profile to use (default: the usual boto3 credential chain).")
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option("--region", help="Region to collect; repeat for several (default: the profile's region)."),
    ] = None,
    all_regions: Annotated[
        bool, typer.Option("--all-regions", help="Collect every region enabled for the account (ec2:DescribeRegions).")
    ] = False,
    service_last_accessed: Annotated[
        bool,
        typer.Option(
            "--service-last-accessed",
            help="Also ask IAM when each user, role and group last used each service (one job per principal; slow).",
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every gap, not a summary of them.")] = False,
    record: RecordOption = False,
    db: DbOption = None,
    org: Annotated[
        bool,
        typer.Option(
            "--org",
            help="Collect every account of the organization into an org bundle (run from the management account "
            "or a delegated administrator).",
        ),
    ] = False,
    role_name: Annotated[
        str | None,
        typer.Option(
            "--role-name",
            help="With --org: the role to assume in each member account (default: iamwarden-member, the role of "
            "docs/iamwarden-member-role.stackset.yaml).",
            metavar="NAME",
            show_default=False,
        ),
    ] = None,
    external_id: Annotated[
        str | None,
        typer.Option(
            "--external-id", help="With --org: the external id the member role's trust asks for.", metavar="ID"
        ),
    ] = None,
    accounts: Annotated[
        list[str] | None,
        typer.Option(
            "--accounts",
            help="With --org: collect only these account ids (comma-separated or repeated).",
            metavar="IDS",
        ),
    ] = None,
    ous: Annotated[
        list[str] | None,
        typer.Option(
            "--ous",
            help="With --org: collect only the accounts under these OU (or root) ids, at any depth.",
            metavar="IDS",
        ),
    ] = None,
    max_workers: Annotated[
        int | None,
        typer.Option(
            "--max-workers",
            help="With --org: accounts collected at once (default 8; each account's request quotas are its own).",
            metavar="N",
            min=1,
            show_default=False,
        ),
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh", help="With --org: collect again the accounts an earlier run into the same folder collected."
        ),
    ] = False,
) -> None:
    """Read an AWS account into a snapshot file, or every account of an organization into an org bundle, read-only.

    Needs the permissions in docs/iamwarden-readonly-policy.json; with --org, those of docs/permissions.md for the
    management account and the member role.

    A call AWS refuses becomes a gap in the snapshot, listed at the end; the run goes on. The snapshot is validated
    as every command reads it before it is written: one that would be refused is not written (exit 2).

    With --org (docs/org-bundle.md): the organization's accounts, OUs, SCPs, RCPs and delegated administrators go
    to ORG/org.json, each account's snapshot to ORG/accounts/ID.json.gz, one progress line per account. An account
    that cannot be reached (its role cannot be assumed, it is suspended) is a gap with AWS's error; the others carry
    on. Run again into the same folder, it keeps the accounts already collected (--refresh collects them again).

    AWS_ENDPOINT_URL is honoured (e.g. a local moto server).

    AWS_MAX_ATTEMPTS (attempts per call, the first included) overrides the default of 11.

    Examples:

      iamwarden collect -o account.json.gz --all-regions

      iamwarden collect --org -o org/ --role-name iamwarden-member --ous ou-ab12-11111111
    """
    if region and all_regions:
        raise InputError("command line", Problem("--region / --all-regions", "give one or the other, not both"))
    org_only = {
        "--role-name": role_name is not None,
        "--external-id": external_id is not None,
        "--accounts": bool(accounts),
        "--ous": bool(ous),
        "--max-workers": max_workers is not None,
        "--refresh": refresh,
    }
    if not org:
        given = [name for name, used in org_only.items() if used]
        if given:
            raise InputError("command line", Problem(given[0], "needs --org"))
    else:
        if record:
            raise InputError("command line", Problem("--record", "records one account: not with --org"))
        _collect_org(
            output,
            profile=profile,
            regions=list(region) if region else None,
            all_regions=all_regions,
            service_last_accessed=service_last_accessed,
            role_name=role_name,
            external_id=external_id,
            accounts=_ids(accounts, "--accounts"),
            ous=_ids(ous, "--ous"),
            max_workers=max_workers,
            refresh=refresh,
        )
        return
    if output.is_dir():
        raise InputError(str(output), Problem("", "is a folder: give a snapshot file (or --org for a bundle)"))
    from iamwarden.collect.live import collect_account
    from iamwarden.collect.snapshot import write_snapshot

    session = _session(profile)
    retries = _retries()
    err = Console(stderr=True, highlight=False)
    with CollectProgress(err, service_last_accessed=service_last_accessed) as bar:
        snapshot = collect_account(
            session,
            regions=list(region) if region else None,
            all_regions=all_regions,
            service_last_accessed=service_last_accessed,
            progress=bar.on_event,
            retries=retries,
        )
    write_snapshot(snapshot, output, validate=True)  # what `scan` would refuse is not written
    console = Console(highlight=False, soft_wrap=True)
    _summary(console, snapshot, output, bar, verbose=verbose)
    if record:
        from iamwarden.checks.runner import run_checks
        from iamwarden.model import build_account

        assessment = run_checks(build_account(snapshot))
        record_scan_before_reports(db, snapshot, assessment, output, trends=False).finish(console)


def _ids(values: list[str] | None, option: str) -> frozenset[str]:
    """Ids given comma-separated or repeated; account ids must be 12 digits."""
    ids = frozenset(part.strip() for value in values or () for part in value.split(",") if part.strip())
    if option == "--accounts":
        for value in sorted(ids):
            if not (len(value) == 12 and value.isdigit()):
                raise InputError("command line", Problem(option, f"{value!r} is not a 12-digit account id"))
    return ids


def _collect_org(
    output: Path,
    *,
    profile: str | None,
    regions: list[str] | None,
    all_regions: bool,
    service_last_accessed: bool,
    role_name: str | None,
    external_id: str | None,
    accounts: frozenset[str],
    ous: frozenset[str],
    max_workers: int | None,
    refresh: bool,
) -> None:
    from iamwarden.collect.org import (
        DEFAULT_ROLE_NAME,
        DEFAULT_WORKERS,
        AccountCollection,
        MemberAccess,
        Selection,
        collect_organization,
        list_organization,
        unknown_ids,
    )

    if output.exists() and not output.is_dir():
        raise InputError(str(output), Problem("", "is a file: --org writes a bundle folder (org.json, accounts/)"))
    session = _session(profile)
    if session.region_name is None and not regions:
        raise InputError(
            "region", Problem("", "no AWS region: pass --region, or set AWS_REGION / a region in your AWS profile")
        )
    if session.region_name is None and regions:
        import boto3

        session = boto3.Session(profile_name=profile, region_name=regions[0])
    retries = _retries()
    structure = list_organization(session, retries=retries)
    selection = Selection(accounts, ous)
    problems = unknown_ids(structure, selection)
    if problems:
        raise InputError("command line", problems)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    names = structure.bundle.unit_names()
    bundle = collect_organization(
        session,
        output,
        access=MemberAccess(role_name or DEFAULT_ROLE_NAME, external_id),
        selection=selection,
        collection=AccountCollection(regions, all_regions, service_last_accessed, retries),
        max_workers=max_workers or DEFAULT_WORKERS,
        refresh=refresh,
        progress=lambda done: err.print(account_line(done, names), markup=False),
        structure=structure,
    )
    _org_summary(Console(highlight=False, soft_wrap=True), bundle, output)


def account_line(done: AccountDone, names: dict[str, str]) -> str:
    """One progress line: ``[2/5] 222233334444 prod (Root/Workloads/Prod): collected in 4.1 s, 3 gaps``."""
    entry = done.entry
    where = "/".join(names.get(node, node) for node in entry.ou_path)
    head = f"[{done.index}/{done.total}] {entry.id} {entry.name} ({where}): "
    if done.outcome == "gap" and entry.gap is not None:
        return one_line(f"{head}gap {entry.gap.describe()}")
    gaps = plural(len(done.snapshot.gaps), "gap") if done.snapshot is not None else ""
    if done.outcome == "kept" and done.snapshot is not None:
        collected = done.snapshot.collected_at.astimezone(UTC)
        return f"{head}kept from {collected:%Y-%m-%d %H:%M} UTC ({gaps}; --refresh collects it again)"
    return f"{head}collected in {done.seconds:.1f} s ({gaps})"


def _org_summary(console: Console, bundle: OrgBundle, output: Path) -> None:
    entries = bundle.accounts
    gaps = [e for e in entries if e.gap is not None and e.gap.code != "NotSelected"]
    skipped = sum(1 for e in entries if e.gap is not None and e.gap.code == "NotSelected")
    collected = sum(1 for e in entries if e.snapshot is not None)
    org = bundle.organization
    text = (
        f"Collected organization {org.id} (management account {org.management_account_id}): "
        f"{plural(len(entries), 'account')}, {collected} with a snapshot, {plural(len(gaps), 'gap')}"
    )
    console.print(text + (f", {skipped} not selected." if skipped else "."), markup=False)
    if gaps:
        console.print("Accounts not collected (recorded in org.json):", markup=False)
        for entry in gaps:
            assert entry.gap is not None
            console.print(f"  {one_line(f'{entry.id} {entry.name}: {entry.gap.describe()}')}", markup=False)
    console.print(f"wrote {output / 'org.json'} ({plural(collected, 'account snapshot')} in {output / 'accounts'})")


def _session(profile: str | None) -> boto3.Session:
    import boto3
    from botocore.exceptions import BotoCoreError, ProfileNotFound

    try:
        return boto3.Session(profile_name=profile)
    except ProfileNotFound:
        raise InputError("--profile", Problem("", f"no AWS profile named {profile!r} in your AWS config")) from None
    except BotoCoreError as exc:
        raise InputError("AWS config", Problem("", str(exc))) from None


def _retries() -> int:
    """Botocore's own AWS_MAX_ATTEMPTS (attempts, the first included), when set, overrides our 10 retries."""
    value = os.environ.get("AWS_MAX_ATTEMPTS", "")
    if not value:
        from iamwarden.collect.live import DEFAULT_RETRIES

        return DEFAULT_RETRIES
    if not value.isdigit() or int(value) < 1:
        raise InputError("AWS_MAX_ATTEMPTS", Problem("", f"{value!r} is not a whole number of attempts (1 or more)"))
    return int(value) - 1


class CollectProgress:
    """A rich progress bar per region (and one for the global calls), advanced as each API is finished."""

    def __init__(self, console: Console, *, service_last_accessed: bool) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.service_last_accessed = service_last_accessed
        self.progress: Progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.fields[region]:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[calls]:>5} calls  {task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.answered = 0
        self.failed = 0
        """Calls AWS answered, and calls that failed (gaps other than NotCollected, which marks calls not made)."""
        self._tasks: dict[str, TaskID] = {}
        self._calls_by_region: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __enter__(self) -> CollectProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def on_event(self, event: ProgressEvent) -> None:
        """Called from the collector's threads for every call made and every API finished."""
        with self._lock:
            task = self._task(event.region)
            if event.finished:
                self.progress.update(task, advance=1, description=event.api)
            elif event.error_code != "NotCollected":
                if event.error_code is None:
                    self.answered += 1
                else:
                    self.failed += 1
                self._calls_by_region[event.region] += 1
                self.progress.update(task, description=event.api, calls=self._calls_by_region[event.region])

    def _task(self, region: str) -> TaskID:
        if region not in self._tasks:
            from iamwarden.collect.apis import GLOBAL
            from iamwarden.collect.live import plan

            units = plan([] if region == GLOBAL else [region], service_last_accessed=self.service_last_accessed)
            total = len(units.get(region, []))
            self._tasks[region] = self.progress.add_task("", total=total, region=region, calls=0)
        return self._tasks[region]


def _summary(console: Console, snapshot: Snapshot, output: Path, bar: CollectProgress, *, verbose: bool) -> None:
    regions = ", ".join(snapshot.regions)
    not_called = sum(1 for g in snapshot.gaps if g.error_code == "NotCollected")
    calls = bar.answered + bar.failed
    gap_text = plural(len(snapshot.gaps), "gap")
    if snapshot.gaps:
        gap_text += f" ({bar.failed} refused or failed {'call' if bar.failed == 1 else 'calls'}"
        gap_text += f", {not_called} not called)" if not_called else ")"
    console.print(
        f"Collected account {snapshot.account_id} ({snapshot.partition}) in {regions}: "
        f"{plural(calls, 'call')} ({bar.answered} answered, {bar.failed} without an answer); {gap_text}.",
        markup=False,
    )
    console.print(f"wrote {output}", markup=False)
    if not snapshot.gaps:
        return
    console.print("Gaps (calls without an answer, recorded in the snapshot):", markup=False)
    if verbose:
        for gap in snapshot.gaps:
            console.print(f"  {one_line(gap.describe())}", markup=False)
        return
    groups = _group_gaps(snapshot.gaps)
    for (api, code), gaps in list(groups.items())[:GAPS_SHOWN]:
        if len(gaps) == 1:
            console.print(f"  {one_line(gaps[0].describe())}", markup=False)
            continue
        message = f" (e.g. {gaps[0].message})" if gaps[0].message else ""
        console.print(f"  {one_line(f'{api}: {code} x{len(gaps)}{message}')}", markup=False)
    if len(groups) > GAPS_SHOWN:
        console.print(f"  ... and {len(groups) - GAPS_SHOWN} more (--verbose lists every gap)", markup=False)


def one_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` on one line (an error page's newlines squeezed), cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _group_gaps(gaps: tuple[Gap, ...]) -> dict[tuple[str, str], list[Gap]]:
    groups: dict[tuple[str, str], list[Gap]] = defaultdict(list)
    for gap in gaps:
        groups[(gap.api, gap.error_code)].append(gap)
    return dict(groups)
