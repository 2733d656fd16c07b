"""least_privilege.privilege_escalation - principals that can make themselves administrators, proven by the engine.

What it does: for every IAM user (with its groups) and role, looks for the 65 pathfinding.cloud escalation paths
(self-escalation, taking over another principal, passing a role to a service, changing a resource that runs with a
role), each required action decided by the policy engine on the resource it needs, with denies, permissions
boundaries, SCPs and conditions applied, in the context of long-term credentials without MFA. Paths may take several
hops (user -> role -> role -> administrator); every path up to 5 hops is reported, shortest first, each hop with its
technique, actions and the statements that allow them. A one-hop takeover of a principal that is not an administrator
but may do something the starting principal may not is reported too, as a lateral path. See docs/escalation.md.
Why is this bad? A principal that can reach administrator is an administrator in waiting: one stolen credential of
it is a full-account compromise, and reviews that only look for "*" miss it.
Example: a role whose policy allows ``iam:CreatePolicyVersion`` on ``*`` rewrites the customer-managed policy attached
to it and grants itself everything (pathfinding.cloud iam-001).

Results: ``fail`` (critical) for a path to an administrator; ``fail`` (high) when it "can make another principal an
administrator" without being able to use that access itself (writes or attaches an administrator policy to other users,
roles or groups with members, or a new version of a policy attached to them; adds users to an administrator group:
:mod:`iamwarden.analysis.escalation.admin_makers`); ``fail`` (high) for lateral paths only; ``pass`` when there is
none; ``unknown`` when the principal's policies are not all in the snapshot; ``not_applicable`` for administrators
(nothing to escalate to: see least_privilege.effective_admins) and service-linked roles.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.escalation import EscalationGraph, escalation_graph, principal_escalation
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    account_arn,
    failed,
    missing,
    not_applicable,
    passed,
    unknown,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import AUTH_DETAILS, inventory_missing
from iamwarden.model import Role, User

METADATA = CheckMetadata(
    id="least_privilege.privilege_escalation",
    title="Principals that can escalate to administrator",
    practice=1,
    severity=Severity.HIGH,
    severities=(Severity.CRITICAL, Severity.HIGH),
    resource_type="AwsIamPrincipal",
    why="A principal that can rewrite its own policies, take over a more privileged user or role, or hand an "
    "administrator role to a service it controls is an administrator in waiting; a single stolen credential of it "
    "compromises the account, and reviews that look only for '*' miss it.",
    remediation=Remediation(
        "Remove or scope the actions named in the path's hops (the evidence names the statements): name the exact "
        "policies, roles and resources, add iam:PassedToService to iam:PassRole, and protect administrator roles "
        "with a permissions boundary or a trust policy that names who may assume them.",
        cli=(
            "iamwarden paths --snapshot account.json.gz --from <principal ARN>",
            "aws iam get-policy-version --policy-arn <arn> --version-id <default version>",
            "aws iam create-policy-version --policy-arn <arn> --policy-document file://scoped.json --set-as-default",
        ),
        console=("IAM console > <user/role> > Permissions: edit the statements listed in each hop's reason.",),
    ),
    references=(
        "https://pathfinding.cloud",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
    ),
    decided_by="engine",
)

_TYPES = {User: "AwsIamUser", Role: "AwsIamRole"}


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    graph = escalation_graph(context)
    every: list[User | Role] = [*account.users, *account.roles]
    for principal in every:
        kind = _TYPES[type(principal)]
        yield replace(_outcome(graph, principal), resource_type=kind)


def _outcome(graph: EscalationGraph, principal: User | Role) -> Outcome:
    arn = principal.arn
    if isinstance(principal, Role) and principal.service_linked:
        return not_applicable(arn, "service-linked role")
    gaps = graph.gaps(arn)
    if gaps:
        return unknown(arn, "evidence missing: " + "; ".join(gaps), gaps=list(gaps))
    if graph.is_admin(arn):
        return not_applicable(arn, "already an administrator (see least_privilege.effective_admins)")
    found = principal_escalation(graph, arn)
    evidence: dict[str, Any] = {**found.to_json(), "caveats": list(graph.finder.facts.policies[arn].caveats)}
    if not found.paths and not found.lateral and not found.admin_makings:
        return passed(arn, "no escalation path", **evidence)
    ids = found.pathfinding_ids
    if found.paths:
        first = found.paths[0]
        route = " -> ".join(first.techniques)
        more = f" ({len(found.paths)} paths)" if len(found.paths) > 1 else ""
        target = "itself" if first.target == arn else first.target.rsplit(":", 1)[-1]
        detail = f"can become administrator via {route} (to {target}){more}"
        return replace(failed(arn, detail, **evidence), severity=Severity.CRITICAL)
    if found.admin_makings:
        making = found.admin_makings[0]
        names = ", ".join(t.rsplit(":", 1)[-1] for t in making.targets[:3])
        count = len(making.targets)
        detail = (
            f"can make another principal an administrator: {making.technique} ({making.action}) on "
            f"{count} principal{'s' if count != 1 else ''}, e.g. {names}"
        )
        return replace(failed(arn, detail, **evidence), severity=Severity.HIGH)
    targets = ", ".join(sorted({e.target.rsplit(":", 1)[-1] for e, _ in found.lateral}))
    return failed(arn, f"can take over {targets} ({', '.join(ids)}), which may do more than it may", **evidence)


CHECK = Check(METADATA, evaluate)
