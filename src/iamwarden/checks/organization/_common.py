"""What an organization-wide check is, and the question several of them ask: does every member account's SCP chain
deny these actions?"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from iamwarden.analysis.cross_account.places import SCP
from iamwarden.analysis.organization import OrganizationFacts
from iamwarden.analysis.trust import ALLOW_ALL
from iamwarden.checks.base import CheckMetadata, Outcome, failed, passed, unknown
from iamwarden.policy import Request, evaluate

if TYPE_CHECKING:
    from iamwarden.checks.config import Thresholds

OrgEvaluate = Callable[[OrganizationFacts, "Thresholds"], Iterable[Outcome]]


@dataclass(frozen=True, slots=True)
class OrgCheck:
    """A check over the whole organization: its metadata and its pure evaluation function."""

    metadata: CheckMetadata
    evaluate: OrgEvaluate

    @property
    def id(self) -> str:
        return self.metadata.id


PROBE_ROLE = "iamwarden-scp-probe"
"""The caller the SCP questions are asked for: a role of the member account allowed everything by its own policies,
so that only the SCPs decide."""


def scp_denials(facts: OrganizationFacts, actions: Sequence[tuple[str, str]], what: str) -> Iterator[Outcome]:
    """One outcome per active member account: pass when its SCPs (every level of its OU path) explicitly deny each of
    ``actions`` ((action, resource) pairs, the resource with ``{account}`` for the account id), fail naming those
    they do not deny. The management account is outside SCPs: not listed."""
    management = facts.management_account_id
    for entry in facts.bundle.accounts:
        if entry.id == management or entry.status != "ACTIVE":
            continue
        resource = facts.account_arn(entry.id)
        levels = facts.graph.levels(entry.id, SCP)
        if not levels:
            yield unknown(resource, f"the SCPs of {entry.id} are unknown (no OU path in org.json)", account=entry.id)
            continue
        caller = f"arn:{facts.partition}:iam::{entry.id}:role/{PROBE_ROLE}"
        open_actions: list[str] = []
        denied_by: dict[str, list[str]] = {}
        for action, target in actions:
            request = Request(caller, action, target.format(account=entry.id))
            decision = evaluate(request, identity_policies=(ALLOW_ALL,), scps=levels)
            if decision.decision == "explicit_deny":
                denied_by[action] = sorted(
                    {f"{r.policy} {r.statement}" for r in decision.reasons if r.effect == "Deny"}
                )
            else:
                open_actions.append(action)
        if open_actions:
            yield failed(
                resource,
                f"no SCP on its path denies {what}: {', '.join(open_actions)} allowed",
                account=entry.id,
                ou_path=list(entry.ou_path),
                not_denied=open_actions,
                denied_by=denied_by,
            )
        else:
            yield passed(
                resource, f"SCPs deny {what}", account=entry.id, ou_path=list(entry.ou_path), denied_by=denied_by
            )
