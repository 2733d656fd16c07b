"""Run the checks over an account and score each practice.

Scoring (per practice, 0-100): every ``pass`` and ``fail`` result counts with its severity's weight (critical 10,
high 5, medium 3, low 1, info 0)::

    score = round(100 * sum(weight of passes) / sum(weight of passes and fails))

A check that finds nothing to look at (no groups, no trails) reports one ``not_applicable`` result for the account.
``unknown`` and ``not_applicable`` results do not count either way (unknowns are listed beside the score so missing
evidence is never mistaken for compliance). A practice with nothing weighed has no score (``None``). Info results
never move a score. Suppressed results (accepted risks, docs/suppressions.md) do not count either; they are
counted apart.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from fnmatch import fnmatchcase

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.organization import OrganizationFacts
from iamwarden.analysis.permissions import admin_of
from iamwarden.analysis.principals import principal_policies
from iamwarden.checks.base import PRACTICES, Check, Finding, Outcome, Severity, Status, account_arn
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import inventory_missing
from iamwarden.checks.organization._common import OrgCheck
from iamwarden.checks.registry import CHECKS
from iamwarden.checks.suppressions import Suppression, covered_counts, match, today_utc
from iamwarden.model import Account, Role, User
from iamwarden.runtime import gc_paused

SUPPRESSIBLE = frozenset({Status.FAIL, Status.UNKNOWN})
"""Statuses a suppression can cover: a pass or a not-applicable result has no risk to accept."""


@dataclass(frozen=True, slots=True)
class PracticeSummary:
    number: int
    title: str
    passed: int
    failed: int
    unknown: int
    not_applicable: int
    score: int | None
    suppressed: int = 0
    """Results taken out of the counts above and of the score by an unexpired suppression."""

    def to_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "title": self.title,
            "pass": self.passed,
            "fail": self.failed,
            "unknown": self.unknown,
            "not_applicable": self.not_applicable,
            "suppressed": self.suppressed,
            "score": self.score,
        }


@dataclass(frozen=True, slots=True)
class SuppressionUse:
    """A suppression and how many results it covered in this run."""

    suppression: Suppression
    results: int

    def to_json(self) -> dict[str, object]:
        return {**self.suppression.to_json(), "results": self.results}


@dataclass(frozen=True, slots=True)
class Assessment:
    """Every finding of one run, in check order, and the per-practice summary."""

    account: Account
    thresholds: Thresholds
    checks: tuple[Check, ...]
    findings: tuple[Finding, ...]
    practices: tuple[PracticeSummary, ...]
    suppressions: tuple[Suppression, ...] = ()
    """The suppressions this run applied (from iamwarden.toml and --suppressions)."""
    suppressions_checked_on: date | None = None
    """The day expiry was judged against (the real current date in UTC unless a test gives one)."""
    expired_suppressions: tuple[SuppressionUse, ...] = ()
    """Suppressions past their ``expires`` date: they suppressed nothing."""
    stale_suppressions: tuple[Suppression, ...] = ()
    """Unexpired suppressions that matched no failing or unknown result."""

    def failures(self) -> list[Finding]:
        """Unsuppressed failed findings, worst severity first, then practice and check order."""
        order = {c.id: i for i, c in enumerate(self.checks)}
        return sorted(
            (f for f in self.findings if f.status is Status.FAIL and not f.suppressed),
            key=lambda f: (f.severity.rank, f.check.practice, order[f.check.id], f.resource),
        )

    def suppressed(self) -> list[Finding]:
        """Findings an unexpired suppression covers, in check order."""
        return [f for f in self.findings if f.suppressed]

    def failures_at_or_above(self, severity: Severity) -> list[Finding]:
        """Unsuppressed failures of ``severity`` or worse (what ``scan --fail-on`` gates on)."""
        return [f for f in self.failures() if f.severity.rank <= severity.rank]


def score(findings: Sequence[Finding]) -> int | None:
    """The 0-100 score of a set of findings (see the module docstring); ``None`` when nothing is weighed."""
    good = sum(f.severity.weight for f in findings if f.status is Status.PASS and not f.suppressed)
    bad = sum(f.severity.weight for f in findings if f.status is Status.FAIL and not f.suppressed)
    if good + bad == 0:
        return None
    return round(100 * good / (good + bad))


def summarize(findings: Sequence[Finding], practices: Sequence[int] = tuple(PRACTICES)) -> tuple[PracticeSummary, ...]:
    out = []
    for number in practices:
        mine = [f for f in findings if f.check.practice == number]
        counts = {s: sum(1 for f in mine if f.status is s and not f.suppressed) for s in Status}
        out.append(
            PracticeSummary(
                number=number,
                title=PRACTICES[number],
                passed=counts[Status.PASS],
                failed=counts[Status.FAIL],
                unknown=counts[Status.UNKNOWN],
                not_applicable=counts[Status.NOT_APPLICABLE],
                score=score(mine),
                suppressed=sum(1 for f in mine if f.suppressed),
            )
        )
    return tuple(out)


def _evaluate_all(
    context: AnalysisContext, thresholds: Thresholds, checks: Sequence[Check], aside: frozenset[str] = frozenset()
) -> list[Finding]:
    """Every check's findings, in ``checks`` order. The checks named in ``aside`` are evaluated in a forked child
    process while this one evaluates the others (see :func:`_fork`); their outcomes are the same either way."""
    if aside:
        _shared_answers(context)
    forked = _fork(context, thresholds, [c for c in checks if c.id in aside]) if aside else None
    outcomes = {c.id: list(c.evaluate(context, thresholds)) for c in checks if forked is None or c.id not in aside}
    if forked is not None:
        outcomes.update(forked())
    findings: list[Finding] = []
    for check in checks:
        seen: set[str] = set()
        for outcome in outcomes[check.id]:
            if outcome.resource in seen:
                raise ValueError(f"check {check.id} reported {outcome.resource} twice")
            seen.add(outcome.resource)
            findings.append(Finding(check.metadata, outcome))
        if not seen:
            nothing = Outcome(
                Status.NOT_APPLICABLE,
                account_arn(context.account),
                f"nothing to check: the account has no resources of this kind ({check.metadata.resource_type})",
                resource_type="AwsAccount",
            )
            findings.append(Finding(check.metadata, nothing))
    return findings


PARALLEL_CHECKS = frozenset({"least_privilege.privilege_escalation"})
"""Checks worth a second core on a large account: the escalation graph is about a third of a scan's CPU and shares
no cache with the other checks that they would miss."""

PARALLEL_MIN_PRINCIPALS = 300
"""Below this many users and roles a fork costs more than it saves."""


def _parallel(account: Account) -> frozenset[str]:
    """The checks to evaluate aside: :data:`PARALLEL_CHECKS` when the account is large, the platform forks, there
    is a second CPU and no other thread runs (a fork copies only the calling thread)."""
    if len(account.users) + len(account.roles) < PARALLEL_MIN_PRINCIPALS:
        return frozenset()
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        return frozenset()
    return PARALLEL_CHECKS


def _shared_answers(context: AnalysisContext) -> None:
    """Fill the context with what the checks on both sides of the fork ask first: every principal's compiled
    policies and administrator verdict (``least_privilege.effective_admins`` here, the escalation graph in the
    child). The child inherits them instead of computing them a second time; the answers are the same."""
    account = context.account
    if inventory_missing(account):
        return
    principals: list[User | Role] = [*account.users, *account.roles]
    for principal in principals:
        if not (isinstance(principal, Role) and principal.service_linked):
            admin_of(context, principal_policies(context, principal))


def _fork(
    context: AnalysisContext, thresholds: Thresholds, checks: Sequence[Check]
) -> Callable[[], dict[str, list[Outcome]]]:
    """Start evaluating ``checks`` in a forked child (a copy of this process: same account, same context); the
    returned function waits for the child and gives each check's outcomes, unpickled. When the child fails in any
    way the checks are evaluated here instead, so an error is raised as it would be without the fork."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: evaluate, send, leave without running the parent's exit handlers
        code = 0
        try:
            os.close(read_end)
            done = {c.id: list(c.evaluate(context, thresholds)) for c in checks}
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(done, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - the parent evaluates again and raises what there is to raise
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)

    def result() -> dict[str, list[Outcome]]:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) == 0:
            done: dict[str, list[Outcome]] = pickle.loads(data)
            return done
        return {c.id: list(c.evaluate(context, thresholds)) for c in checks}

    return result


def run_checks(
    account: Account,
    thresholds: Thresholds | None = None,
    checks: Sequence[Check] = CHECKS,
    *,
    suppressions: Sequence[Suppression] = (),
    today: date | None = None,
    context: AnalysisContext | None = None,
) -> Assessment:
    """Run ``checks`` (all registered ones by default) over ``account``, then apply ``suppressions`` as of ``today``
    (default: the real current date in UTC). Deterministic: same input and day, same output. The checks share one
    :class:`AnalysisContext`, built here for this run unless given (``context``: the caller asks more of it after,
    e.g. the cross-account summary of ``scan BUNDLE``)."""
    thresholds = thresholds or Thresholds()
    # A context built here serves these checks only, so some may run in a second process (one given is asked more
    # of after: its caches must fill here).
    aside = _parallel(account) if context is None else frozenset()
    with gc_paused():  # results and engine verdicts form no cycles; the collector's passes cost a third of the run
        findings = _evaluate_all(context or AnalysisContext(account), thresholds, checks, aside)
    numbers = sorted({c.metadata.practice for c in checks}) or list(PRACTICES)
    if not suppressions:
        return Assessment(account, thresholds, tuple(checks), tuple(findings), summarize(findings, numbers))
    day = today or today_utc()
    # the check glob is tried once per check, not once per result (50,000 results x 100 suppressions stays fast)
    by_check = {c.id: [s for s in suppressions if fnmatchcase(c.id, s.check)] for c in checks}
    applied = [
        match(by_check[f.check.id], f.check.id, f.resource, day) if f.status in SUPPRESSIBLE else None for f in findings
    ]
    findings = [f if a is None else replace(f, suppression=a) for f, a in zip(findings, applied, strict=True)]
    counts = covered_counts(suppressions, applied)
    return Assessment(
        account,
        thresholds,
        tuple(checks),
        tuple(findings),
        summarize(findings, numbers),
        suppressions=tuple(suppressions),
        suppressions_checked_on=day,
        expired_suppressions=tuple(SuppressionUse(s, counts[s]) for s in suppressions if s.expired(day)),
        stale_suppressions=tuple(s for s in suppressions if not s.expired(day) and counts[s] == 0),
    )


def run_org_checks(
    facts: OrganizationFacts, thresholds: Thresholds | None = None, checks: Sequence[OrgCheck] | None = None
) -> tuple[Finding, ...]:
    """Run the organization-wide checks (all registered ones by default) over an organization's facts."""
    from iamwarden.checks.registry import ORG_CHECKS

    thresholds = thresholds or Thresholds()
    findings: list[Finding] = []
    for check in ORG_CHECKS if checks is None else checks:
        seen: set[str] = set()
        for outcome in check.evaluate(facts, thresholds):
            if outcome.resource in seen:
                raise ValueError(f"check {check.id} reported {outcome.resource} twice")
            seen.add(outcome.resource)
            findings.append(Finding(check.metadata, outcome))
        if not seen:
            nothing = Outcome(
                Status.NOT_APPLICABLE,
                facts.bundle.organization.arn,
                f"nothing to check: the organization has no resources of this kind ({check.metadata.resource_type})",
                resource_type="AwsOrganizationsOrganization",
            )
            findings.append(Finding(check.metadata, nothing))
    return tuple(findings)


def filter_findings(
    findings: Sequence[Finding], *, practices: Sequence[int] = (), min_severity: Severity | None = None
) -> list[Finding]:
    """Findings of the given practices at or above ``min_severity``."""
    return [
        f
        for f in findings
        if (not practices or f.check.practice in practices)
        and (min_severity is None or f.severity.rank <= min_severity.rank)
    ]
