"""Alerts that know the account (``detect --snapshot``): who each principal is, and escalations the graph predicted.

:func:`account_facts` tells, per user and role of the snapshot, whether a person or a workload stands behind it, whether
it is effectively an administrator (:func:`iamwarden.analysis.permissions.admin_of`), its MFA, console password and
active access keys, and the escalation techniques (pathfinding.cloud ids) the graph found for it.
:func:`with_context` joins every alert with those facts and raises or lowers its severity, each change with its
reason:

- a principal the snapshot does not know (another account, a user deleted since): one level up;
- a person without MFA (a console password and no MFA device): one level up, for alerts of medium and above;
- an administrator: one level up, for alerts of medium and above (what it does reaches the whole account);
- a CIS change-monitoring event (``low``) made by a workload (a role trusted by a service or an OIDC provider):
  lowered to informational, the infrastructure-as-code changes the CIS rules' false positives name.

:func:`escalation_rules` writes, for every escalation the graph predicts (each first hop of a path to an
administrator, and each lateral takeover), Sigma rules matching the principal's successful calls of each action the
hop needs, and a temporal correlation over them within an hour at level critical: when the trail shows the principal
carrying out the whole hop, that is one critical alert naming the technique, the path and the events. The rules are
compiled by pySigma like any other.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.escalation import Edge, escalation_graph, principal_escalation
from iamwarden.analysis.permissions import admin_of
from iamwarden.analysis.principals import NamedDocument, compile_document, principal_policies
from iamwarden.analysis.usage import event_of
from iamwarden.detections.alerts import Alert
from iamwarden.detections.rules import LEVELS
from iamwarden.model import Role, User

ESCALATION_WINDOW = "1h"
NOT_LOGGED = frozenset({"iam:PassRole"})
"""Actions that are permissions checked inside another call, never a CloudTrail event of their own."""


@dataclass(frozen=True, slots=True)
class PrincipalFacts:
    arn: str
    kind: str
    """``person``, ``workload``, ``root`` or ``assumed by other principals``."""
    administrator: bool
    mfa: bool | None
    console_password: bool | None
    active_access_keys: int
    escalations: tuple[str, ...] = ()
    """pathfinding.cloud ids of the escalations the graph found for it."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "administrator": self.administrator,
            "mfa": self.mfa,
            "console_password": self.console_password,
            "active_access_keys": self.active_access_keys,
            "escalations": list(self.escalations),
        }


def _role_kind(context: AnalysisContext, role: Role) -> str:
    """Who assumes the role, from the principals its compiled trust policy names (and Identity Center's role names)."""
    named: list[tuple[str, str]] = []
    if role.trust_policy is not None:
        trust = compile_document(context, NamedDocument(f"{role.arn} trust policy", role.trust_policy, "trust"))
        if not isinstance(trust, str):
            named = [v for st in trust.statements if st.principal and not st.not_principal for v in st.principal.values]
    if any("saml-provider" in value for _, value in named) or "AWSReservedSSO" in role.name:
        return "person"
    if any(kind == "Service" or "oidc-provider" in value for kind, value in named):
        return "workload"
    return "assumed by other principals"


def _user_facts(user: User) -> tuple[str, bool | None, bool | None, int]:
    keys = sum(1 for k in user.access_keys or () if k.status == "Active")
    console = user.has_console_password
    mfa = bool(user.mfa_devices) if user.mfa_devices is not None else None
    kind = "person" if console else "workload" if keys else "person"
    return kind, mfa, console, keys


def account_facts(context: AnalysisContext) -> dict[str, PrincipalFacts]:
    account = context.account
    graph = escalation_graph(context)
    facts: dict[str, PrincipalFacts] = {}
    in_graph = set(graph.principals)
    principals: list[User | Role] = [*account.users, *account.roles]
    for principal in principals:
        admin = admin_of(context, principal_policies(context, principal)).admin
        escalations: tuple[str, ...] = ()
        if principal.arn in in_graph and not admin and not graph.gaps(principal.arn):
            escalations = tuple(principal_escalation(graph, principal.arn).pathfinding_ids)
        if isinstance(principal, User):
            kind, mfa, console, keys = _user_facts(principal)
            facts[principal.arn] = PrincipalFacts(principal.arn, kind, admin, mfa, console, keys, escalations)
        elif isinstance(principal, Role):
            facts[principal.arn] = PrincipalFacts(
                principal.arn, _role_kind(context, principal), admin, None, None, 0, escalations
            )
    root = f"arn:{account.partition}:iam::{account.account_id}:root"
    facts[root] = PrincipalFacts(root, "root", True, None, None, 0)
    return facts


def _step(level: str, by: int) -> str:
    return LEVELS[max(0, min(len(LEVELS) - 1, LEVELS.index(level) + by))]


def with_context(alerts: Iterable[Alert], facts: Mapping[str, PrincipalFacts]) -> list[Alert]:
    out: list[Alert] = []
    for alert in alerts:
        level = alert.severity or alert.rule.level
        reasons: list[str] = []
        found = facts.get(alert.principal)
        if alert.kind == "escalation":
            out.append(alert)
            continue
        if found is None:
            if ":role/" in alert.principal or ":user/" in alert.principal:
                level = _step(level, 1)
                reasons.append("the principal is not in the snapshot (another account, or deleted since); raised")
        else:
            rank = LEVELS.index(level)
            if found.kind == "person" and found.console_password and found.mfa is False and rank >= 2:
                level = _step(level, 1)
                reasons.append("a person without MFA: a stolen password is enough; raised")
            if found.administrator and rank >= 2:
                level = _step(level, 1)
                reasons.append("the principal is an administrator: what it does reaches the whole account; raised")
            if found.kind == "workload" and alert.rule.category == "cis" and level == "low":
                level = "informational"
                reasons.append("a workload making infrastructure changes (the rule's stated false positive); lowered")
        context = found.to_json() if found else {"kind": "not in the snapshot"}
        out.append(replace(alert, severity=level, reasons=(*alert.reasons, *reasons), context=context))
    return out


def _name(*parts: str) -> str:
    return "esc_" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _caller(arn: str) -> dict[str, str]:
    if ":role/" in arn:
        return {"userIdentity.sessionContext.sessionIssuer.arn": arn}
    return {"userIdentity.arn": arn}


def escalation_rules(context: AnalysisContext) -> str:
    """Sigma rules (YAML, several documents) for every escalation hop the graph predicts; empty when none."""
    graph = escalation_graph(context)
    docs: list[dict[str, Any]] = []
    for arn in graph.principals:
        if graph.is_admin(arn) or graph.gaps(arn):
            continue
        found = principal_escalation(graph, arn)
        edges: list[tuple[Edge, str]] = [(p.hops[0], _path_text(p.hops)) for p in found.paths]
        edges += [(edge, f"lateral: {action} on {resource}") for edge, (action, resource) in found.lateral]
        seen: set[tuple[str, str]] = set()
        for edge, path in edges:
            if (edge.technique, edge.target) in seen:
                continue
            seen.add((edge.technique, edge.target))
            docs.extend(_hop_rules(arn, edge, path))
    if not docs:
        return ""
    return yaml.safe_dump_all(docs, sort_keys=False)


def _path_text(hops: Iterable[Edge]) -> str:
    return " -> ".join(f"{h.technique} to {h.target}" for h in hops)


def _hop_rules(arn: str, edge: Edge, path: str) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    names: list[str] = []
    for action in [a for a in edge.actions if a not in NOT_LOGGED]:
        source, pattern = event_of(action)
        name = _name(arn, edge.technique, edge.target, action)
        names.append(name)
        docs.append(
            {
                "title": f"{action} by {arn}",
                "name": name,
                "license": "Apache-2.0",
                "author": "iamwarden (generated from the escalation graph)",
                "logsource": {"product": "aws", "service": "cloudtrail"},
                "detection": {
                    "selection": {"eventSource": source, "eventName|re": pattern, **_caller(arn)},
                    "refused": {"errorCode|exists": True},
                    "condition": "selection and not refused",
                },
                "falsepositives": ["Building block of the escalation correlation"],
                "level": "informational",
            }
        )
    short = re.sub(r"^arn:[^:]+:iam::\d+:", "", arn)
    docs.append(
        {
            "title": f"Escalation path walked: {short} used {edge.technique}",
            "name": _name(arn, edge.technique, edge.target),
            "description": f"{arn} made every call of pathfinding.cloud technique {edge.technique} "
            f"({', '.join(edge.actions)}) within {ESCALATION_WINDOW}, as the escalation graph predicted: {path}. "
            f"Why it works: {edge.reason()}",
            "license": "Apache-2.0",
            "author": "iamwarden (generated from the escalation graph)",
            "tags": ["attack.privilege-escalation"],
            "pathfinding": edge.technique,
            "category": "escalation",
            "correlation": {"type": "temporal", "rules": names, "timespan": ESCALATION_WINDOW, "generate": False},
            "falsepositives": ["An administrator doing the same on purpose with this principal's credentials"],
            "level": "critical",
        }
    )
    return docs
