"""What the cross-account analysis keeps of one account: a compact, picklable summary extracted while the account's
full model is in memory, so that an organization of hundreds of accounts is joined without holding any of them.

Kept (:class:`AccountSummary`):

- **callers**: every user and role whose identity policies have an ``Allow`` covering ``sts:AssumeRole`` (asked of
  the engine's statement index, :meth:`~iamwarden.policy.Policy.statements_for`), with those policies' documents
  (only the policies with a statement covering the action: the others cannot take part in the decision) and the
  permissions boundary's; the join decides their requests with the engine (:func:`~iamwarden.policy.evaluate`).
- **trusts**: every role whose trust policy names an AWS principal of another account (:func:`~iamwarden.analysis.
  trust.foreign_principals`), with the trust document.
- **administrators**: the account's principals that are administrators, and those with a path to one (the account's
  escalation graph, :mod:`iamwarden.analysis.escalation`), with the shortest path's techniques.

Documents are held as their JSON bytes, each distinct text once per account.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.escalation import escalation_graph
from iamwarden.analysis.principals import NamedDocument, compile_document, principal_policies
from iamwarden.analysis.trust import foreign_principals
from iamwarden.model import Role, User

ASSUME_ROLE = "sts:assumerole"


@dataclass(frozen=True, slots=True)
class Caller:
    """A principal that may call ``sts:AssumeRole`` on some role: the documents that decide it."""

    arn: str
    identity: tuple[int, ...]
    """Indexes into :attr:`AccountSummary.documents`: the identity policies with a statement covering the action."""
    boundary: int | None
    """Index of the permissions boundary's document (``None``: no boundary)."""


@dataclass(frozen=True, slots=True)
class TrustingRole:
    """A role whose trust policy names principals of other accounts."""

    arn: str
    document: int
    """Index of the trust policy's document in :attr:`AccountSummary.documents`."""
    named: tuple[str, ...]
    """The foreign principals it names, as written (``*``, an account id, an ARN)."""


@dataclass(frozen=True, slots=True)
class AdminReach:
    """A principal that is an administrator of its account, or has a path to one."""

    arn: str
    admin: bool
    techniques: tuple[str, ...] = ()
    """For a principal with a path: the techniques of its shortest path (pathfinding.cloud ids)."""
    through: tuple[str, ...] = ()
    """The principals the path goes through, ending at the administrator it reaches (or itself)."""


@dataclass(frozen=True, slots=True)
class AccountSummary:
    account_id: str
    partition: str
    callers: tuple[Caller, ...]
    trusts: tuple[TrustingRole, ...]
    admins: tuple[AdminReach, ...]
    documents: tuple[bytes, ...]
    principals: int
    """How many users and roles the account has (for the report)."""
    gaps: tuple[str, ...] = field(default=())
    """Principals left out because their policies are incomplete in the snapshot (answers about them would guess)."""


class _Documents:
    def __init__(self) -> None:
        self.index: dict[bytes, int] = {}

    def add(self, document: object) -> int:
        text = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def all(self) -> tuple[bytes, ...]:
        return tuple(self.index)


def summarize_account(context: AnalysisContext) -> AccountSummary:
    """The account's :class:`AccountSummary`; reuses the context's compiled policies and escalation graph (built by
    the checks when they ran first)."""
    account = context.account
    docs = _Documents()
    callers: list[Caller] = []
    gaps: list[str] = []
    principals: list[User | Role] = [*account.users, *(r for r in account.roles if not r.service_linked)]
    for principal in principals:
        policies = principal_policies(context, principal)
        relevant = [p for p in policies.identity if p.statements_for(ASSUME_ROLE)]
        if not any(st.effect == "Allow" for p in relevant for st in p.statements_for(ASSUME_ROLE)):
            continue
        if policies.gaps:
            gaps.append(f"{principal.arn}: {'; '.join(policies.gaps)}")
            continue
        boundary = docs.add(policies.boundary.document) if policies.boundary is not None else None
        callers.append(Caller(principal.arn, tuple(docs.add(p.document) for p in relevant), boundary))
    trusts: list[TrustingRole] = []
    for role in account.roles:
        if role.trust_policy is None or role.service_linked:
            continue
        compiled = compile_document(context, NamedDocument(f"{role.arn} trust policy", role.trust_policy, "trust"))
        if isinstance(compiled, str):
            gaps.append(compiled)
            continue
        named = foreign_principals(compiled, account.account_id)
        if named:
            trusts.append(TrustingRole(role.arn, docs.add(role.trust_policy), tuple(t.value for t in named)))
    return AccountSummary(
        account.account_id,
        account.partition,
        tuple(callers),
        tuple(trusts),
        _admins(context),
        docs.all(),
        len(principals),
        tuple(gaps),
    )


def _admins(context: AnalysisContext) -> tuple[AdminReach, ...]:
    graph = escalation_graph(context)
    out: list[AdminReach] = []
    for arn in graph.principals:
        if graph.is_admin(arn):
            out.append(AdminReach(arn, True))
            continue
        paths = graph.paths_from(arn, max_paths=1)
        if paths:
            hops = paths[0].hops
            out.append(AdminReach(arn, False, tuple(h.technique for h in hops), tuple(h.target for h in hops)))
    return tuple(out)


__all__ = ["ASSUME_ROLE", "AccountSummary", "AdminReach", "Caller", "TrustingRole", "summarize_account"]
