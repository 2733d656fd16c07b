"""What the history keeps of one scan, taken from the account and the assessment: :class:`ScanContent`.

The same structure comes out of a snapshot file being scanned and out of a scan read back from the database, so
:mod:`.diff` compares any two of them. Entities are JSON facts keyed by ``(kind, key)``:

``user`` / ``role`` / ``group`` (key: ARN)
    name, groups or members, attached policy ARNs, inline policies (name -> document digest), permissions boundary,
    a role's trust policy digest, whether a user has a console password
``policy`` (key: ARN)
    name, whether AWS manages it, default version id, every stored version (id -> document digest)
``key`` (key: access key id)
    the user's ARN, status and creation time
``mfa`` (key: device serial, or ``root`` for the root user's MFA)
    the user's ARN and whether the device is virtual
``admin`` (key: principal ARN)
    a principal :mod:`least_privilege.effective_admins <iamwarden.checks.least_privilege.effective_admins>` found to be
    an administrator, and the policies that make it so
``escalation`` (key: principal ARN)
    the escalation paths :mod:`least_privilege.privilege_escalation
    <iamwarden.checks.least_privilege.privilege_escalation>` found from it (each as technique chain and target)

Policy documents live apart in ``documents`` (digest -> JSON), so a policy changed in one scan out of a year is stored
twice, not 365 times.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:  # reading a scan back (diff, trends) needs neither the checks nor the model: imported when typing
    from iamwarden.checks.base import Finding
    from iamwarden.checks.runner import Assessment, PracticeSummary
    from iamwarden.model import Account, Group, InlinePolicy, Role, User

Key = tuple[str, str]
"""(kind, key) of an entity."""

ADMINS_CHECK = "least_privilege.effective_admins"
ESCALATION_CHECK = "least_privilege.privilege_escalation"
FAIL = "fail"
"""``Status.FAIL``'s value (:mod:`iamwarden.checks.base`; a test holds them equal)."""


def digest(value: Any) -> str:
    """The content hash of a JSON value (keys sorted): 32 hex characters of SHA-256."""
    return hashlib.sha256(canonical(value)).hexdigest()[:32]


def canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One result as the history keeps it."""

    finding_id: str
    check_id: str
    resource: str
    status: str
    severity: str
    suppressed: bool

    @property
    def open_failure(self) -> bool:
        """A failure nobody accepted (what gates and counts as "new")."""
        return self.status == FAIL and not self.suppressed


@dataclass(frozen=True, slots=True)
class PracticeScore:
    practice: int
    score: int | None
    passed: int
    failed: int
    unknown: int
    suppressed: int


@dataclass(slots=True)
class ScanContent:
    """One scan's account, entities, results and scores, whether just computed or read back from the history."""

    account_id: str
    org_id: str | None
    collected_at: datetime
    entities: dict[Key, dict[str, Any]]
    results: dict[str, ResultRow]
    practices: list[PracticeScore]
    documents: dict[str, Any] = field(default_factory=dict)
    """Policy documents by digest (those known so far; see :meth:`document`)."""
    fetch_documents: Callable[[Iterable[str]], Mapping[str, Any]] | None = None
    """Loads documents missing from :attr:`documents` (a stored scan reads them from the database on demand)."""
    complete: bool = True
    """``False`` when read back for a diff (:meth:`iamwarden.store.History.compared`): only the entities that differ
    from the other side, only the open failures, no practice scores."""

    def document(self, key: str | None) -> Any:
        if key is None:
            return None
        if key not in self.documents and self.fetch_documents is not None:
            self.documents.update(self.fetch_documents([key]))
        return self.documents.get(key)

    def of_kind(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for (kd, k), v in self.entities.items() if kd == kind}


def documents_referenced(entities: Iterable[Mapping[str, Any]]) -> set[str]:
    """The digests of the policy documents a diff reads of ``entities`` (facts of users, roles, groups and policies):
    inline policies, trust policies and a managed policy's default version."""
    out: set[str] = set()
    for facts in entities:
        named = [*(facts.get("inline") or {}).values(), facts.get("trust")]
        named.append((facts.get("versions") or {}).get(facts.get("default")))
        out.update(d for d in named if isinstance(d, str))
    return out


def scan_content(account: Account, assessment: Assessment) -> ScanContent:
    """What the history keeps of ``assessment`` of ``account``."""
    documents: dict[str, Any] = {}

    def doc(document: Any) -> str | None:
        if document is None:
            return None
        key = digest(document)
        documents.setdefault(key, document)
        return key

    def inline(policies: tuple[InlinePolicy, ...]) -> dict[str, str | None]:
        return {p.name: doc(p.document) for p in policies}

    entities: dict[Key, dict[str, Any]] = {}
    for user in account.users:
        entities[("user", user.arn)] = _user(user, inline(user.inline_policies))
    for role in account.roles:
        entities[("role", role.arn)] = _role(role, inline(role.inline_policies), doc(role.trust_policy))
    for group in account.groups:
        entities[("group", group.arn)] = _group(group, inline(group.inline_policies))
    for policy in account.policies:
        entities[("policy", policy.arn)] = {
            "name": policy.name,
            "aws": policy.aws_managed,
            "default": policy.default_version_id,
            "versions": {v.version_id: doc(v.document) for v in policy.versions},
        }
    for user in account.users:
        for key in user.access_keys or ():
            entities[("key", key.key_id)] = {"user": user.arn, "status": key.status, "created": _iso(key.created)}
        for device in user.mfa_devices or ():
            entities[("mfa", device.serial)] = {"user": user.arn, "virtual": device.virtual}
    if account.root.mfa_enabled:
        entities[("mfa", "root")] = {"user": account.root.arn, "virtual": bool(account.root.virtual_mfa_serials)}
    for finding in assessment.findings:
        _derived(finding, entities)
    org = account.organization
    return ScanContent(
        account_id=account.account_id,
        org_id=org.org_id if org is not None else None,
        collected_at=account.collected_at.astimezone(UTC),
        entities=entities,
        results={row.finding_id: row for row in map(result_row, assessment.findings)},
        practices=[practice_score(p) for p in assessment.practices],
        documents=documents,
    )


def result_row(finding: Finding) -> ResultRow:
    return ResultRow(
        finding_id=finding.id,
        check_id=finding.check.id,
        resource=finding.resource,
        status=finding.status.value,
        severity=finding.severity.value,
        suppressed=finding.suppressed,
    )


def practice_score(summary: PracticeSummary) -> PracticeScore:
    return PracticeScore(
        practice=summary.number,
        score=summary.score,
        passed=summary.passed,
        failed=summary.failed,
        unknown=summary.unknown,
        suppressed=summary.suppressed,
    )


def _derived(finding: Finding, entities: dict[Key, dict[str, Any]]) -> None:
    """Administrators and escalation paths, as the checks decided them with the engine."""
    if finding.status.value != FAIL:
        return
    evidence = finding.outcome.evidence
    if finding.check.id == ADMINS_CHECK and evidence.get("admin_with_mfa"):
        via = sorted({str(s.get("policy", "")).rsplit("/", 1)[-1] for s in evidence.get("statements", [])})
        entities[("admin", finding.resource)] = {"via": via, "mfa_only": not evidence.get("admin_without_mfa")}
    elif finding.check.id == ESCALATION_CHECK:
        paths = sorted({_path_text(p) for p in evidence.get("paths", [])})
        if paths:
            entities[("escalation", finding.resource)] = {"paths": paths}


def _path_text(path: Mapping[str, Any]) -> str:
    techniques = " -> ".join(str(h.get("technique", "?")) for h in path.get("hops", []))
    outcome = path.get("outcome", "admin")
    target = str(path.get("target", "")).rsplit(":", 1)[-1]
    return f"{outcome} via {techniques} (to {target})"


def _user(user: User, inline: dict[str, str | None]) -> dict[str, Any]:
    return {
        "name": user.name,
        "groups": sorted(user.group_names),
        "attached": sorted(user.attached_policy_arns),
        "inline": inline,
        "boundary": user.permissions_boundary_arn,
        "console": user.has_console_password,
    }


def _role(role: Role, inline: dict[str, str | None], trust: str | None) -> dict[str, Any]:
    return {
        "name": role.name,
        "attached": sorted(role.attached_policy_arns),
        "inline": inline,
        "boundary": role.permissions_boundary_arn,
        "trust": trust,
    }


def _group(group: Group, inline: dict[str, str | None]) -> dict[str, Any]:
    return {
        "name": group.name,
        "attached": sorted(group.attached_policy_arns),
        "inline": inline,
        "members": sorted(group.member_names),
    }


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None
