"""What a check is, what it decides, and how its decisions become findings.

A check is one small module holding its :class:`CheckMetadata` beside a pure function
``evaluate(context, thresholds) -> Iterable[Outcome]`` (no state, no I/O, no clock: "now" is the snapshot's
``collected_at``). The :class:`~iamwarden.analysis.context.AnalysisContext` holds the account and the answers the
checks of one run share (compiled policies, engine verdicts). The runner turns each :class:`Outcome` into a
:class:`Finding` carrying the check's metadata and a stable id, the hash of the check id and the resource, so the same
problem keeps its id from one run to the next.

Statuses:

* ``pass``           - the evidence was collected and shows the practice is followed
* ``fail``           - the evidence shows it is not
* ``unknown``        - the evidence was not collected, or its call failed: the outcome names the gap (never a pass)
* ``not_applicable`` - the practice does not apply here (no console password, not in an organization ...)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from iamwarden.collect.apis import GLOBAL, NO_TARGET

if TYPE_CHECKING:  # annotations only: the CLI imports this module (severities, practices) before any account exists
    from iamwarden.analysis.context import AnalysisContext
    from iamwarden.checks.config import Thresholds
    from iamwarden.checks.suppressions import AppliedSuppression
    from iamwarden.model import Account


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical up to 4 for info: sort by it to list the worst first."""
        return list(Severity).index(self)

    @property
    def weight(self) -> int:
        """How much a result of this severity counts in a practice's score (see :mod:`iamwarden.checks.runner`)."""
        return _WEIGHTS[self]


_WEIGHTS = {
    Severity.CRITICAL: 10,
    Severity.HIGH: 5,
    Severity.MEDIUM: 3,
    Severity.LOW: 1,
    Severity.INFO: 0,
}

PRACTICES: Mapping[int, str] = {
    1: "Least privilege",
    2: "Root user",
    3: "Multi-factor authentication",
    4: "Groups for permissions",
    5: "Roles instead of long-term keys",
    6: "Credential hygiene",
    7: "Monitoring (CloudTrail)",
    8: "Policy conditions",
    9: "Password policy",
    10: "No access keys in code",
    11: "Audit and compliance",
}
"""The 11 practices, by number."""

CHECK_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
CIS_ID = re.compile(r"^\d+(\.\d+)+$")
SECURITY_HUB_ID = re.compile(r"^[A-Za-z0-9]+\.\d+$")


@dataclass(frozen=True, slots=True)
class Remediation:
    """How to fix a failure: a sentence, then AWS CLI commands and console steps."""

    summary: str
    cli: tuple[str, ...] = ()
    console: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary, "cli": list(self.cli), "console": list(self.console)}


@dataclass(frozen=True, slots=True)
class CheckMetadata:
    """Everything a report says about a check, validated when the module is imported."""

    id: str
    """Stable dotted id, ``<practice area>.<what>`` (``root.mfa_enabled``); never reused for another meaning."""
    title: str
    practice: int
    severity: Severity
    resource_type: str
    """The kind of resource results name (ASFF names: ``AwsIamUser``, ``AwsAccount``, ``AwsCloudTrailTrail`` ...)."""
    why: str
    """Why it matters: the risk when the check fails."""
    remediation: Remediation
    cis_aws_v6: tuple[str, ...] = ()
    """CIS AWS Foundations Benchmark v6.0.0 recommendation ids."""
    security_hub: tuple[str, ...] = ()
    """AWS Security Hub control ids (``IAM.5``)."""
    references: tuple[str, ...] = ()
    decided_by: Literal["facts", "engine", "linter"] = "facts"
    """``engine``: the policy engine decides (effective permissions); ``linter``: the policy linter; ``facts``:
    collected facts alone."""
    severities: tuple[Severity, ...] = ()
    """Every severity a failing result may carry, when it depends on the reason (an :class:`Outcome` may give its
    own); empty: always ``severity``. docs/checks.md lists them; tests/checks/test_cases.py holds every result to
    them."""

    @property
    def result_severities(self) -> tuple[Severity, ...]:
        """The severities of this check's results, worst first."""
        return tuple(sorted(set(self.severities) | {self.severity}, key=lambda s: s.rank))

    @property
    def engine(self) -> bool:
        return self.decided_by == "engine"

    def __post_init__(self) -> None:
        problems = []
        if not CHECK_ID.match(self.id):
            problems.append(f"id {self.id!r} is not <area>.<name> in lower snake case")
        if self.practice not in PRACTICES:
            problems.append(f"practice {self.practice} is not 1-11")
        if not self.title or not self.why or not self.remediation.summary:
            problems.append("title, why and remediation summary are required")
        if self.severities and self.severity not in self.severities:
            problems.append(f"severities {[s.value for s in self.severities]} leave out severity {self.severity.value}")
        problems += [f"CIS id {c!r} is malformed" for c in self.cis_aws_v6 if not CIS_ID.match(c)]
        problems += [f"Security Hub id {c!r} is malformed" for c in self.security_hub if not SECURITY_HUB_ID.match(c)]
        problems += [f"reference {r!r} is not an https URL" for r in self.references if not r.startswith("https://")]
        if problems:
            raise ValueError(f"check {self.id}: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class Outcome:
    """One decision of a check about one resource, with the facts it decided on."""

    status: Status
    resource: str
    """The resource's ARN (or, for things without one, a stable ARN-like name documented by the check)."""
    detail: str
    """One line for humans: what was found."""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    """The facts the decision rests on (JSON-able): dates, flags, the statements that allow, the gap that hides."""
    resource_type: str | None = None
    """Overrides the check's resource type when one check looks at several kinds."""
    severity: Severity | None = None
    """Overrides the check's severity for this one result (e.g. an admin user without MFA)."""


Evaluate = Callable[["AnalysisContext", "Thresholds"], Iterable[Outcome]]


@dataclass(frozen=True, slots=True)
class Check:
    """A check: its metadata and its pure evaluation function."""

    metadata: CheckMetadata
    evaluate: Evaluate

    @property
    def id(self) -> str:
        return self.metadata.id


def finding_id(check_id: str, resource: str) -> str:
    """The stable id of a finding: the same check and resource give the same id in every run.

    >>> finding_id("root.mfa_enabled", "arn:aws:iam::111122223333:root")
    'iw-9ccbb16846b63b2a'
    """
    digest = hashlib.sha256(f"{check_id}\n{resource}".encode()).hexdigest()
    return f"iw-{digest[:16]}"


@dataclass(frozen=True, slots=True)
class Finding:
    """An :class:`Outcome` with its check's metadata: what reports show."""

    check: CheckMetadata
    outcome: Outcome
    suppression: AppliedSuppression | None = None
    """The suppression covering this result (set by the runner; ``expired`` ones suppress nothing)."""

    @property
    def id(self) -> str:
        return finding_id(self.check.id, self.outcome.resource)

    @property
    def suppressed(self) -> bool:
        """Whether an unexpired suppression takes this result out of the scores and the failure list."""
        return self.suppression is not None and not self.suppression.expired

    @property
    def status(self) -> Status:
        return self.outcome.status

    @property
    def severity(self) -> Severity:
        return self.outcome.severity or self.check.severity

    @property
    def resource(self) -> str:
        return self.outcome.resource

    @property
    def resource_type(self) -> str:
        return self.outcome.resource_type or self.check.resource_type

    @property
    def detail(self) -> str:
        return self.outcome.detail


# --- helpers the checks share ------------------------------------------------------------------------------------


def passed(resource: str, detail: str, **evidence: Any) -> Outcome:
    return Outcome(Status.PASS, resource, detail, evidence)


def failed(resource: str, detail: str, **evidence: Any) -> Outcome:
    return Outcome(Status.FAIL, resource, detail, evidence)


def not_applicable(resource: str, detail: str, **evidence: Any) -> Outcome:
    return Outcome(Status.NOT_APPLICABLE, resource, detail, evidence)


def unknown(resource: str, detail: str, **evidence: Any) -> Outcome:
    return Outcome(Status.UNKNOWN, resource, detail, evidence)


def gap_text(account: Account, api: str, region: str | None = GLOBAL, target: str | None = None) -> str:
    """Why ``api`` has no answer: the recorded gaps (error codes and messages), or "not collected"."""
    gaps = account.gaps_for(api, region, target)
    if gaps:
        return "; ".join(g.describe() for g in gaps)
    where = "" if region in (None, GLOBAL) else f" in {region}"
    what = "" if target in (None, NO_TARGET) else f" for {target}"
    return f"{api}{what}{where} was not collected"


def missing(
    account: Account, resource: str, api: str, region: str | None = GLOBAL, target: str | None = None
) -> Outcome:
    """An ``unknown`` outcome naming the missing evidence."""
    text = gap_text(account, api, region, target)
    return unknown(resource, f"evidence missing: {text}", missing_api=api, gap=text)


def account_arn(account: Account) -> str:
    """The resource name of account-wide results."""
    return f"arn:{account.partition}:iam::{account.account_id}:root"


def days_between(earlier: Any, later: Any) -> int:
    """Whole days from ``earlier`` to ``later`` (datetimes)."""
    return int((later - earlier).total_seconds() // 86400)


def iso(value: Any) -> str | None:
    """A datetime as ISO 8601 text for evidence (``None`` stays ``None``)."""
    return None if value is None else str(value.isoformat())
