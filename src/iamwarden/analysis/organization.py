"""What the organization-wide checks look at: the bundle's ``org.json`` (accounts, OU tree, SCPs and RCPs, delegated
administrators), a few facts of each account gathered while the accounts were scanned one at a time, and the
cross-account graph (:mod:`iamwarden.analysis.cross_account`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from iamwarden.analysis.cross_account import CrossAccountGraph
from iamwarden.collect.bundle import OrgBundle
from iamwarden.model import Account


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """What the organization checks need of one account, kept after its model is gone."""

    account_id: str
    name: str
    ou_path: tuple[str, ...]
    """Root and OU ids down to the account's parent."""
    status: str
    gap: str | None
    """Why the account could not be scanned (no snapshot, an unreadable one); ``None`` when it was."""
    iam_users: int | None = None
    """How many IAM users it has; ``None`` when not known (see :attr:`users_gap`)."""
    users_gap: str | None = None
    partition: str = "aws"


def member_facts(account: Account, name: str, ou_path: tuple[str, ...], status: str) -> MemberFacts:
    """The facts of a scanned account."""
    gap = None
    if not account.was_collected("iam:GetAccountAuthorizationDetails"):
        found = account.gaps_for("iam:GetAccountAuthorizationDetails")
        gap = "; ".join(g.describe() for g in found) or "iam:GetAccountAuthorizationDetails was not collected"
    users = None if gap else len(account.users)
    return MemberFacts(account.account_id, name, ou_path, status, None, users, gap, account.partition)


@dataclass(slots=True)
class OrganizationFacts:
    bundle: OrgBundle
    members: dict[str, MemberFacts] = field(default_factory=dict)
    graph: CrossAccountGraph = field(default_factory=CrossAccountGraph)

    @property
    def management_account_id(self) -> str:
        return self.bundle.organization.management_account_id

    @property
    def partition(self) -> str:
        arn = self.bundle.organization.arn
        return arn.split(":")[1] if arn.startswith("arn:") else "aws"

    def account_arn(self, account_id: str) -> str:
        return f"arn:{self.partition}:iam::{account_id}:root"
