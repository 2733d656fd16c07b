"""Gather and compile everything that governs a principal's requests.

Identity policies of a user are its inline and attached managed policies plus those of each of its groups; of a role,
its own. Managed policies count with their default version. The permissions boundary is the managed policy named by
``PermissionsBoundary``. SCPs come from ``account.organization.levels("SERVICE_CONTROL_POLICY")`` (root first), and do
not apply in the management account.

What the snapshot lacks is listed: a managed policy or boundary missing from it in :attr:`PrincipalPolicies.gaps` (a
caller then says "unknown" instead of guessing); SCPs that could not be applied (organization path or documents not
collected, as in most member accounts) in :attr:`PrincipalPolicies.caveats` (SCPs only restrict, so answers stand "as
far as IAM policies go").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from iamwarden.analysis.context import AnalysisContext
from iamwarden.errors import InputError
from iamwarden.model import DEFAULT_REGION, Account, Group, ManagedPolicy, Role, User
from iamwarden.policy import Policy, parse_policy

Principal = User | Role


@dataclass(frozen=True, slots=True)
class NamedDocument:
    """A policy document and what to call it in evidence (``user/alice inline ops``, an ARN ...)."""

    name: str
    document: Mapping[str, Any]
    kind: str
    """``inline``, ``managed``, ``boundary``, ``scp`` or ``trust``."""


@dataclass(frozen=True, slots=True)
class PrincipalPolicies:
    """Compiled policies that govern one principal, plus what could not be found."""

    principal: Principal
    identity: tuple[Policy, ...]
    boundary: Policy | None
    scps: tuple[tuple[Policy, ...], ...]
    management_account: bool
    gaps: tuple[str, ...] = field(default=())
    """Missing identity policies or boundary: answers about this principal are unknown."""
    caveats: tuple[str, ...] = field(default=())
    """SCPs that could not be applied: answers stand "as far as IAM policies go" and say so."""
    region: str = DEFAULT_REGION
    """The region requests are simulated in (``aws:RequestedRegion``): the account's :attr:`~Account.first_region`."""

    node: str = ""
    """What-if analyses: the key answers for these policies are remembered under when they are not the principal's
    own (the escalation analysis's user that joined groups on a path); empty for the principal's own policies."""
    every: tuple[Policy, ...] = field(init=False, compare=False, repr=False)
    """Every policy that takes part in the principal's decisions: identity, boundary, then the SCPs level by level
    (derived at construction: the escalation analysis asks for it about a hundred thousand times)."""
    key: str = field(init=False, compare=False, repr=False)
    """:attr:`node`, or the principal's ARN."""

    def __post_init__(self) -> None:
        boundary = (self.boundary,) if self.boundary else ()
        object.__setattr__(self, "every", (*self.identity, *boundary, *(p for level in self.scps for p in level)))
        object.__setattr__(self, "key", self.node or self.principal.arn)


def compile_document(context: AnalysisContext, doc: NamedDocument) -> Policy | str:
    """The compiled policy, or the reason it cannot be compiled (a malformed document in the snapshot); compiled once
    per run."""
    cache = context.compiled
    key = (doc.kind, doc.name)
    hit = cache.get(key)
    if hit is not None:
        return hit
    result: Policy | str
    try:
        text = orjson.dumps(doc.document)
    except TypeError:  # not plain JSON data: compiled (and reported) as it is
        text = None
    same = context.compiled_by_text.get(text) if text is not None else None
    if same is not None:
        # The statements depend on the document alone: the same text compiles to the same statements.
        result = replace(same, name=doc.name, source=doc.name, document=doc.document)
    else:
        try:
            result = parse_policy(doc.document, name=doc.name, source=doc.name)
        except InputError as exc:
            result = f"{doc.name} could not be parsed: {exc.one_line()}"
        if text is not None and not isinstance(result, str):
            context.compiled_by_text[text] = result
    cache[key] = result
    return result


def managed_document(policy: ManagedPolicy) -> NamedDocument | None:
    doc = policy.document
    return NamedDocument(policy.arn, doc, "managed") if doc is not None else None


def inline_name(owner: User | Group | Role, policy_name: str) -> str:
    """The resource name iamwarden gives an inline policy: ``<owner ARN>/inline-policy/<name>``."""
    return f"{owner.arn}/inline-policy/{policy_name}"


def identity_documents(account: Account, principal: Principal) -> tuple[list[NamedDocument], list[str]]:
    """The principal's identity policy documents (own and groups'), and the gaps (managed policies not found)."""
    docs: list[NamedDocument] = []
    gaps: list[str] = []
    owners: list[User | Group | Role] = [principal]
    if isinstance(principal, User):
        owners += list(account.user_groups(principal))
        gaps += [f"group {g} not in the snapshot" for g in principal.group_names if g not in account.groups_by_name]
    for owner in owners:
        docs += [NamedDocument(inline_name(owner, p.name), p.document, "inline") for p in owner.inline_policies]
        for arn in owner.attached_policy_arns:
            policy = account.policies_by_arn.get(arn)
            named = managed_document(policy) if policy else None
            if named is None:
                gaps.append(f"managed policy {arn} (attached to {owner.arn}) not in the snapshot")
            else:
                docs.append(named)
    return docs, gaps


def scp_levels(context: AnalysisContext) -> tuple[tuple[tuple[Policy, ...], ...], bool, list[str]]:
    """(SCP levels root first, whether this is the management account, gaps); computed once per run."""
    if context.scp_levels is None:
        levels, management, gaps = _scp_levels(context)
        context.scp_levels = (levels, management, tuple(gaps))
    levels, management, known_gaps = context.scp_levels
    return levels, management, list(known_gaps)


def _scp_levels(context: AnalysisContext) -> tuple[tuple[tuple[Policy, ...], ...], bool, list[str]]:
    account = context.account
    org = account.organization
    gaps: list[str] = []
    if org is None:
        if not account.was_collected("organizations:DescribeOrganization"):
            gaps.append("organizations:DescribeOrganization not collected: SCPs unknown")
        return (), False, gaps
    management = org.management_account_id == account.account_id
    if not org.path:
        gaps.append("the account's organization path is unknown: SCPs not applied")
        return (), management, gaps
    levels: list[tuple[Policy, ...]] = []
    for level in org.levels("SERVICE_CONTROL_POLICY"):
        compiled: list[Policy] = []
        for scp in level:
            if scp.document is None:
                gaps.append(f"SCP {scp.policy_id} document not collected")
                continue
            result = compile_document(context, NamedDocument(f"SCP {scp.name} ({scp.policy_id})", scp.document, "scp"))
            if isinstance(result, str):
                gaps.append(result)
            else:
                compiled.append(result)
        levels.append(tuple(compiled))
    empty = [org.path[i] for i, level in enumerate(levels) if not level]
    if empty:
        # AWS keeps at least one SCP attached at every level; an empty level means the snapshot lacks it.
        gaps.append(f"no SCP found attached at {', '.join(empty)} (incomplete organization data): SCPs not applied")
        return (), management, gaps
    return tuple(levels), management, gaps


def principal_policies(context: AnalysisContext, principal: Principal) -> PrincipalPolicies:
    """Everything the engine needs to decide the principal's requests (computed once per run and principal)."""
    found = context.principal_policies.get(principal.arn)
    if found is None:
        found = context.principal_policies[principal.arn] = _principal_policies(context, principal)
    return found


def _principal_policies(context: AnalysisContext, principal: Principal) -> PrincipalPolicies:
    account = context.account
    docs, gaps = identity_documents(account, principal)
    identity: list[Policy] = []
    for doc in docs:
        result = compile_document(context, doc)
        if isinstance(result, str):
            gaps.append(result)
        else:
            identity.append(result)
    boundary: Policy | None = None
    if principal.permissions_boundary_arn:
        bpolicy = account.policies_by_arn.get(principal.permissions_boundary_arn)
        named = managed_document(bpolicy) if bpolicy else None
        if named is None:
            gaps.append(f"permissions boundary {principal.permissions_boundary_arn} not in the snapshot")
        else:
            result = compile_document(context, NamedDocument(named.name, named.document, "boundary"))
            if isinstance(result, str):
                gaps.append(result)
            else:
                boundary = result
    levels, management, scp_gaps = scp_levels(context)
    if management or (isinstance(principal, Role) and principal.service_linked):
        levels = ()  # SCPs do not apply to the management account nor to service-linked roles
    region = account.first_region
    return PrincipalPolicies(
        principal, tuple(identity), boundary, levels, management, tuple(gaps), tuple(scp_gaps), region
    )


@dataclass(frozen=True, slots=True)
class ExaminedPolicy:
    """A policy a check looks at on its own: its resource name, type and document."""

    resource: str
    resource_type: str
    """``AwsIamPolicy`` (managed) or ``AwsIamInlinePolicy``."""
    document: NamedDocument
    aws_managed: bool
    attached_to: tuple[str, ...]
    boundary_only: bool = False
    """Used only as a permissions boundary: it limits, it grants nothing by itself."""


def examined_policies(account: Account, *, include_aws_managed: bool = True) -> list[ExaminedPolicy]:
    """Customer-managed policies (attached or not), AWS-managed policies attached to something, and every inline
    policy of users, groups and roles (named ``<owner ARN>/inline-policy/<name>``)."""
    owners: list[User | Group | Role] = [*account.users, *account.groups, *account.roles]
    attached: dict[str, list[str]] = {}
    for owner in owners:
        for arn in owner.attached_policy_arns:
            attached.setdefault(arn, []).append(owner.arn)
    out: list[ExaminedPolicy] = []
    bounded: list[User | Role] = [*account.users, *account.roles]
    boundaries = {p.permissions_boundary_arn for p in bounded}
    for policy in account.policies:
        named = managed_document(policy)
        if named is None:
            continue
        users_of = tuple(attached.get(policy.arn, ()))
        if policy.aws_managed and (not include_aws_managed or not users_of):
            continue
        boundary_only = not users_of and (policy.arn in boundaries or bool(policy.boundary_usage_count))
        out.append(ExaminedPolicy(policy.arn, "AwsIamPolicy", named, policy.aws_managed, users_of, boundary_only))
    for owner in owners:
        if isinstance(owner, Role) and owner.service_linked:
            continue
        for inline in owner.inline_policies:
            name = inline_name(owner, inline.name)
            out.append(
                ExaminedPolicy(
                    name, "AwsIamInlinePolicy", NamedDocument(name, inline.document, "inline"), False, (owner.arn,)
                )
            )
    return out
