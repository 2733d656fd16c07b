"""``iamwarden scan BUNDLE``: every account of an organization bundle assessed in a process pool, one account's model
in memory per worker, then the organization view (scores per account and practice, organization-wide checks, the
cross-account graph).

:func:`assess_member` is the per-account function: bundle folder and account id in, a small picklable
:class:`AccountOutcome` out (scores, failure counts, the cross-account :class:`~iamwarden.analysis.cross_account.
AccountSummary`, the account's reports written under ``accounts/<id>/``). Any engine that maps a function over a list
(a process pool here; Spark or Ray over a cluster, docs/organizations.md) can run it.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rich.console import Console

from iamwarden.analysis.cross_account import CrossAccountGraph
from iamwarden.analysis.organization import MemberFacts
from iamwarden.checks.base import Finding, Severity
from iamwarden.checks.config import Thresholds
from iamwarden.checks.runner import score
from iamwarden.checks.suppressions import Suppression
from iamwarden.report.organization import AccountOutcome, node_name
from iamwarden.report.words import plural

ACCOUNTS_DIR = "accounts"


@dataclass(frozen=True, slots=True)
class MemberTask:
    """What a worker needs to assess one account."""

    bundle: Path
    account_id: str
    output_dir: Path | None
    formats: tuple[str, ...]
    thresholds: Thresholds
    suppressions: tuple[Suppression, ...] = ()
    checks: bool = True
    """False: only the cross-account summary (``paths --bundle``)."""


_BUNDLES: dict[Path, object] = {}


def _bundle(directory: Path) -> object:
    from iamwarden.collect.bundle import read_bundle

    found = _BUNDLES.get(directory)
    if found is None:
        found = _BUNDLES[directory] = read_bundle(directory)
    return found


def assess_member(task: MemberTask) -> AccountOutcome:
    """Load one account of the bundle (its Organization from org.json), run every check, summarize it for the
    cross-account analysis and write its reports; a missing or unreadable snapshot is a gap, not an error."""
    from iamwarden.analysis.context import AnalysisContext
    from iamwarden.analysis.cross_account import summarize_account
    from iamwarden.analysis.organization import member_facts
    from iamwarden.checks.base import Status
    from iamwarden.checks.runner import run_checks
    from iamwarden.collect.bundle import OrgBundle
    from iamwarden.model.bundle import load_member
    from iamwarden.runtime import gc_paused

    started = time.perf_counter()
    bundle = _bundle(task.bundle)
    assert isinstance(bundle, OrgBundle)
    member = load_member(task.bundle, task.account_id, bundle)
    entry = member.entry
    if member.account is None:
        gap = member.gap.describe() if member.gap is not None else "no snapshot"
        facts = MemberFacts(entry.id, entry.name, entry.ou_path, entry.status, gap)
        return AccountOutcome(entry.id, facts, None, seconds=time.perf_counter() - started, peak_rss_kib=_rss())
    account = member.account
    context = AnalysisContext(account)
    if not task.checks:
        with gc_paused():
            summary = summarize_account(context)
        facts = member_facts(account, entry.name, entry.ou_path, entry.status)
        return AccountOutcome(entry.id, facts, summary, seconds=time.perf_counter() - started, peak_rss_kib=_rss())
    with gc_paused():
        assessment = run_checks(account, task.thresholds, suppressions=task.suppressions, context=context)
        summary = summarize_account(context)
    reports: list[str] = []
    if task.output_dir is not None and task.formats:
        from rich.console import Console

        from iamwarden.report.outputs import emit

        folder = task.output_dir / ACCOUNTS_DIR / entry.id
        folder.mkdir(parents=True, exist_ok=True)
        with gc_paused():
            written = emit(assessment, formats=task.formats, console=Console(quiet=True), output_dir=folder)
        reports = [str(p.relative_to(task.output_dir)) for p in written]
    failures: dict[str, int] = {}
    for finding in assessment.failures():
        failures[finding.severity.value] = failures.get(finding.severity.value, 0) + 1
    unknown = sum(1 for f in assessment.findings if f.status is Status.UNKNOWN and not f.suppressed)
    return AccountOutcome(
        entry.id,
        member_facts(account, entry.name, entry.ou_path, entry.status),
        summary,
        assessment.practices,
        score(assessment.findings),
        failures,
        unknown,
        tuple(reports),
        time.perf_counter() - started,
        _rss(),
    )


def _rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def default_workers() -> int:
    """One worker per core the process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def assess_members(
    tasks: Sequence[MemberTask], workers: int, progress: Callable[[AccountOutcome], None] | None = None
) -> Iterator[AccountOutcome]:
    """Every task's outcome, as they finish. ``workers`` 1 runs in this process; more, in a pool of processes with
    at most twice as many accounts in flight as workers (results stream back; nothing waits in a queue)."""
    if workers <= 1:
        for task in tasks:
            outcome = assess_member(task)
            if progress is not None:
                progress(outcome)
            yield outcome
        return
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["iamwarden.cli.org_scan", "iamwarden.checks.registry"])
    pending = list(reversed(tasks))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, max_tasks_per_child=50) as pool:
        running: set[Future[AccountOutcome]] = set()
        while pending or running:
            while pending and len(running) < 2 * workers:
                running.add(pool.submit(assess_member, pending.pop()))
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = future.result()
                if progress is not None:
                    progress(outcome)
                yield outcome


def worst_first(outcomes: Sequence[AccountOutcome]) -> list[AccountOutcome]:
    """Accounts with the lowest score first; gaps (no score) after the scored ones, then by id."""
    return sorted(
        outcomes,
        key=lambda o: (o.score is None, o.score if o.score is not None else 0, -_weight(o), o.account_id),
    )


def _weight(outcome: AccountOutcome) -> int:
    return sum(Severity(s).weight * n for s, n in outcome.failures.items())


@dataclass(frozen=True, slots=True)
class BundleScan:
    """Everything ``scan BUNDLE`` found, and how long its parts took."""

    outcomes: list[AccountOutcome]
    findings: tuple[Finding, ...]
    data: dict[str, Any]
    seconds: float
    graph_seconds: float
    written: list[Path]
    graph: CrossAccountGraph | None = None
    """The joined cross-account graph (with every account's summary)."""


def scan_bundle(
    directory: Path,
    *,
    output_dir: Path | None,
    formats: Sequence[str],
    thresholds: Thresholds,
    suppressions: Sequence[Suppression] = (),
    workers: int = 1,
    progress: Callable[[int, int, AccountOutcome], None] | None = None,
) -> BundleScan:
    """Assess every account of the bundle (:func:`assess_members`), join the cross-account graph from the
    summaries as they arrive, run the organization checks, and write the organization report (with ``output_dir``):
    organization.json and .html, and for each file format of ``formats`` the accounts' findings merged into one file
    (:mod:`iamwarden.report.organization_files`)."""
    from iamwarden.analysis.organization import OrganizationFacts
    from iamwarden.checks.runner import run_org_checks
    from iamwarden.collect.bundle import read_bundle
    from iamwarden.model.bundle import org_policies, organization_of
    from iamwarden.report.organization import organization_json, write_organization

    started = time.perf_counter()
    bundle = read_bundle(directory)
    facts = OrganizationFacts(bundle)
    policies = org_policies(bundle)
    files = tuple(f for f in formats if f != "console")
    tasks = [MemberTask(directory, e.id, output_dir, files, thresholds, tuple(suppressions)) for e in bundle.accounts]
    outcomes: list[AccountOutcome] = []
    for entry in bundle.accounts:
        facts.graph.add_account(entry.id, organization_of(bundle, entry, policies))
    for outcome in assess_members(tasks, workers):
        outcomes.append(outcome)
        facts.members[outcome.account_id] = outcome.facts
        if outcome.summary is not None:
            entry = bundle.account(outcome.account_id)
            facts.graph.add(outcome.summary, organization_of(bundle, entry, policies))
            outcomes[-1] = replace(outcome, summary=None)  # the graph holds what it needs
        if progress is not None:
            progress(len(outcomes), len(tasks), outcome)
    # in the bundle's order, not the order the workers finished in: the organization checks list what they find
    # by member, and the report is the same from run to run
    facts.members = {e.id: facts.members[e.id] for e in bundle.accounts if e.id in facts.members}
    joined = time.perf_counter()
    facts.graph.join()
    findings = run_org_checks(facts, thresholds)
    graph_seconds = time.perf_counter() - joined
    ordered = worst_first(outcomes)
    data = organization_json(facts, ordered, findings)
    written: list[Path] = []
    if output_dir is not None:
        output_dir.mkdir(parents=True, exist_ok=True)
        written = write_organization(data, output_dir)
        if files:
            from iamwarden.report.organization_files import write_merged

            org = bundle.organization
            organization = {"id": org.id, "management_account_id": org.management_account_id}
            written += write_merged(output_dir, [e.id for e in bundle.accounts], files, organization)
    elapsed = time.perf_counter() - started
    return BundleScan(ordered, findings, data, elapsed, graph_seconds, written, facts.graph)


def render_bundle_scan(result: BundleScan, console: Console, show: int | None = 10) -> None:
    """The organization summary: accounts worst first, the organization checks' failures, cross-account paths."""
    from iamwarden.checks.base import Status
    from iamwarden.report.tables import plain_table

    data = result.data
    org = data["organization"]
    gaps = [o for o in result.outcomes if o.gap]
    console.print(
        f"Organization {org['id']} (management account {org['management_account_id']}): "
        f"{plural(len(result.outcomes), 'account')}, {len(gaps)} not scanned",
        markup=False,
    )
    table = plain_table("Accounts, worst first")
    for column in ("Account", "Name", "OU", "Score", "Failures"):
        table.add_column(column, overflow="fold")  # a long word (an ARN in a gap) folded, never cut with an ellipsis
    rows = data["accounts"] if show is None else data["accounts"][:show]
    for a in rows:
        failures = ", ".join(f"{n} {s}" for s, n in a["failures"].items())
        score_text = "-" if a["score"] is None else str(a["score"])
        table.add_row(
            a["id"], a["name"], "/".join(a["ou_names"]), score_text, (a["gap"] and f"gap: {a['gap']}") or failures
        )
    console.print(table)
    failing = [f for f in result.findings if f.status is Status.FAIL]
    console.print(f"Organization checks: {plural(len(failing), 'failure')}", markup=False)
    for f in sorted(failing, key=lambda f: f.severity.rank)[: show or None]:
        where = f.outcome.evidence.get("account") or f.outcome.evidence.get("source_account") or "organization"
        console.print(f"  {f.severity.value:8} {f.check.id}  [{where}] {f.detail}", markup=False)
    paths = data["cross_account"]["paths"]
    console.print(f"Cross-account paths to administrators: {len(paths)}", markup=False)
    for p in paths[: show or None]:
        hops = " -> ".join(f"[{h['to_account']}] {node_name(h['to'])}" for h in p["hops"])
        console.print(f"  [{p['source_account']}] {node_name(p['source'])} -> {hops}", markup=False)


def cross_account_graph(directory: Path, workers: int = 1) -> CrossAccountGraph:
    """The organization's cross-account graph, joined (accounts summarized in the pool, no checks run)."""
    from iamwarden.collect.bundle import read_bundle
    from iamwarden.model.bundle import org_policies, organization_of

    bundle = read_bundle(directory)
    policies = org_policies(bundle)
    graph = CrossAccountGraph()
    for entry in bundle.accounts:
        graph.add_account(entry.id, organization_of(bundle, entry, policies))
    tasks = [MemberTask(directory, e.id, None, (), Thresholds(), checks=False) for e in bundle.accounts]
    for outcome in assess_members(tasks, workers):
        if outcome.summary is not None:
            graph.add(outcome.summary, organization_of(bundle, bundle.account(outcome.account_id), policies))
    graph.join()
    return graph
