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

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from fnmatch import fnmatchcase

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.organization import OrganizationFacts
from iamwarden.checks.base import PRACTICES, Check, Finding, Outcome, Severity, Status, account_arn
from iamwarden.checks.config import Thresholds
from iamwarden.checks.organization._common import OrgCheck
from iamwarden.checks.registry import CHECKS
from iamwarden.checks.suppressions import Suppression, covered_counts, match, today_utc
from iamwarden.model import Account
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


def _evaluate_all(context: AnalysisContext, thresholds: Thresholds, checks: Sequence[Check]) -> list[Finding]:
    findings: list[Finding] = []
    for check in checks:
        seen: set[str] = set()
        for outcome in check.evaluate(context, thresholds):
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
    with gc_paused():  # results and engine verdicts form no cycles; the collector's passes cost a third of the run
        findings = _evaluate_all(context or AnalysisContext(account), thresholds, checks)
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
