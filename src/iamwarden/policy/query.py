"""Questions analyses ask about compiled policies, answered by the engine's own objects and rules.

The effective-permissions index (:mod:`iamwarden.analysis.effective`) and the escalation graph
(:mod:`iamwarden.analysis.escalation`) do not read policy JSON nor match ARNs themselves; they ask here:

- **Which statements could match** action A on resources R: :func:`allow_resource_patterns` (the ``Resource``
  patterns of the Allow statements that cover an action, ``None`` when one of them applies to any resource), and
  :func:`matching_arns` (which ARNs of a sorted list a set of patterns matches, as
  :meth:`~iamwarden.policy.matching.ResourcePattern.matches` decides; a pattern with policy variables matches what it
  could match for *some* values of them: :func:`loose_pattern`).
- **Under which conditions** a statement applies when only part of the request is known: :func:`statement_state`
  answers ``True`` / ``False`` / ``None`` (three-valued) with the conditions (and resource variables) left undecided.
- **How policy types combine**: :func:`~iamwarden.policy.combination.combine`, the rule
  :func:`~iamwarden.policy.evaluate` itself uses, in three-valued logic (re-exported here with :func:`any_of` /
  :func:`all_of`); :func:`request_scope` says which policy types must allow a request and :func:`needs_resource_policy`
  which requests the identity side alone never allows (cross-account, a role's trust policy, a KMS key policy).
- **What a policy reads from the request**: :func:`context_keys` (condition keys and policy variables, lower-cased).

Case (IAM User Guide, "IAM JSON policy elements: Resource", https://docs.aws.amazon.com/IAM/latest/UserGuide/
reference_policies_elements_resource.html: "In the Resource element, the IAM user name is case sensitive"; and
"IAM JSON policy elements: Condition operators", ``ArnEquals`` / ``ArnLike``: "Case-sensitive match of the ARN"):
resource ARNs are matched case-sensitively, every part of them; actions case-insensitively ("IAM JSON policy elements:
Action"). ``tests/policy/test_query.py`` holds the table, and proves each answer here against :func:`evaluate`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import lru_cache

from iamwarden.policy.combination import Scope, Tri, all_of, any_of, combine
from iamwarden.policy.combination import needs_resource_policy as scope_needs_resource_policy
from iamwarden.policy.conditions import Condition
from iamwarden.policy.evaluation import Request
from iamwarden.policy.language import Policy, Statement
from iamwarden.policy.matching import ResourcePattern, WildcardTemplate
from iamwarden.policy.variables import ContextValue, Template, Variable

# ----------------------------------------------------------------------------------------------------------------
# Which statements could match an action on a resource


def allow_statements(policies: Iterable[Policy], action: str) -> Iterable[Statement]:
    """The Allow statements of ``policies`` whose ``Action`` / ``NotAction`` covers ``action``, in policy order."""
    low = action.lower()
    for policy in policies:
        for st in policy.statements_for(low):
            if st.effect == "Allow":
                yield st


def allow_resource_patterns(policy: Policy, action: str) -> tuple[ResourcePattern, ...] | None:
    """The ``Resource`` patterns of the policy's Allow statements covering ``action`` (lower-cased); ``None`` when one
    of them may apply to any resource (no ``Resource`` element, or ``NotResource``)."""
    out: list[ResourcePattern] = []
    for st in allow_statements((policy,), action):
        if st.resources is None or st.not_resource:
            return None
        out += st.resources
    return tuple(out)


@dataclass(frozen=True, slots=True)
class LoosePattern:
    """A ``Resource`` value as a superset test: every ARN the engine could match with it, for some values of its
    policy variables (each variable stands for any text). Without variables it matches exactly what the engine
    matches. ``prefix``: the literal text every match starts with (for a bisection over sorted ARNs)."""

    raw: str
    regex: re.Pattern[str]
    prefix: str

    def fullmatch(self, arn: str) -> bool:
        return self.regex.fullmatch(arn) is not None


def loose_pattern(pattern: ResourcePattern) -> LoosePattern:
    """:class:`LoosePattern` of a compiled ``Resource`` value."""
    return _loose(pattern.raw, pattern.template)


@lru_cache(maxsize=65536)
def _loose(raw: str, template: Template) -> LoosePattern:
    """Once per distinct value (large accounts hold more of them than the ``re`` module's own cache)."""
    fragments = WildcardTemplate.compile(template, "arn").fragments
    source = "".join(".*" if isinstance(f, Variable) else f for f in fragments)
    prefix = ""
    for part in template.parts:
        if isinstance(part, Variable):
            break
        text = part.text
        if part.wildcards:
            cut = min((i for i in (text.find("*"), text.find("?")) if i >= 0), default=-1)
            if cut >= 0:
                prefix += text[:cut]
                break
        prefix += text
    return LoosePattern(raw, re.compile(source, re.DOTALL), prefix)


def matching_arns(patterns: Iterable[ResourcePattern], ordered: Sequence[str], every: Set[str]) -> frozenset[str]:
    """The ARNs of ``every`` (``ordered``: the same, sorted) that one of ``patterns`` could match
    (:class:`LoosePattern`: exactly the engine's matches for a pattern without variables): exact values looked up,
    literal prefixes found by bisection, expressions run over the part of the list that shares their prefix."""
    out: set[str] = set()
    for p in patterns:
        if p.kind == "all":
            return frozenset(every)
        if p.kind == "exact":
            if p.text in every:
                out.add(p.text)
            continue
        if p.kind == "prefix":
            prefix, test = p.text, None
        else:
            loose = loose_pattern(p)
            prefix, test = loose.prefix, loose.regex.fullmatch
        start, end = bisect_left(ordered, prefix), len(ordered)
        if prefix:
            end = bisect_left(ordered, prefix[:-1] + chr(ord(prefix[-1]) + 1), start)
        span = ordered[start:end]
        out.update(span if test is None else filter(test, span))
    return frozenset(out)


# ----------------------------------------------------------------------------------------------------------------
# Under which conditions a statement applies


@dataclass(frozen=True, slots=True)
class UndecidedResource:
    """The statement's ``Resource`` test could not be decided: it uses these (unknown) policy variables."""

    keys: tuple[str, ...]


Undecided = Condition | UndecidedResource
"""What a three-valued answer left open: a condition on an unknown key, or a resource test with unknown variables."""


def conditions_state(
    st: Statement, ctx: Mapping[str, ContextValue], known: frozenset[str] | None, undecided: list[Undecided]
) -> bool:
    """False when one of the statement's conditions is decided false; a condition that needs a key outside ``known``
    (lower-cased) goes into ``undecided`` instead (``known`` ``None``: every key is known, absent keys are absent)."""
    for cond in st.conditions:
        if known is None:
            if not cond.test(ctx):
                return False
            continue
        missing: set[str] = set()
        if cond.key_lower not in known:
            undecided.append(cond)
            continue
        result = cond.test(ctx, missing)
        if any(m.lower() not in known for m in missing):
            undecided.append(cond)
        elif not result:
            return False
    return True


def statement_state(
    st: Statement, resource: str, ctx: Mapping[str, ContextValue], known: frozenset[str] | None
) -> tuple[Tri, list[Undecided]]:
    """Whether ``st`` applies to ``resource`` (its action is taken to match) in a request of which only the keys in
    ``known`` are known: ``True``, ``False``, or ``None`` with what is undecided. ``known`` ``None``: ``ctx`` is the
    whole request context, decided as :func:`~iamwarden.policy.evaluate` does."""
    undecided: list[Undecided] = []
    check = st.resource_check
    if check is not None:
        missing: set[str] = set()
        if not check(resource, ctx, missing):
            unknown = [m for m in missing if known is not None and m.lower() not in known]
            if not unknown:
                return False, []
            undecided.append(UndecidedResource(tuple(sorted(unknown))))
    if not conditions_state(st, ctx, known, undecided):
        return False, []
    return (None if undecided else True), undecided


# ----------------------------------------------------------------------------------------------------------------
# How policy types combine


def request_scope(request: Request) -> Scope:
    """Which policy types must allow ``request`` (:func:`~iamwarden.policy.combination.scope_of`, derived when the
    request is built)."""
    return request.scope


def needs_resource_policy(request: Request) -> bool:
    """Requests the identity side alone never allows: cross-account ones (the resource's account is not the
    principal's) and those a resource policy must allow by itself (a role's trust policy, a KMS key policy:
    :func:`~iamwarden.policy.combination.is_strict_resource_policy`)."""
    return scope_needs_resource_policy(request_scope(request))


# ----------------------------------------------------------------------------------------------------------------
# What a policy reads from the request


def _template_keys(template: Template) -> Iterable[str]:
    return (p.key for p in template.parts if isinstance(p, Variable))


def statement_context_keys(st: Statement) -> frozenset[str]:
    """The request context keys (lower-cased) the statement's conditions test or its variables read."""
    keys: set[str] = set()
    for cond in st.conditions:
        keys.add(cond.key_lower)
        for template in cond.templates:
            keys.update(_template_keys(template))
    for pattern in st.resources or ():
        keys.update(_template_keys(pattern.template))
    return frozenset(keys)


def context_keys(policy: Policy) -> frozenset[str]:
    """Every request context key (lower-cased) the policy's conditions test or its variables read."""
    out: set[str] = set()
    for st in policy.statements:
        out |= statement_context_keys(st)
    return frozenset(out)


__all__ = [
    "LoosePattern",
    "Scope",
    "Tri",
    "Undecided",
    "UndecidedResource",
    "all_of",
    "allow_resource_patterns",
    "allow_statements",
    "any_of",
    "combine",
    "conditions_state",
    "context_keys",
    "loose_pattern",
    "matching_arns",
    "needs_resource_policy",
    "request_scope",
    "statement_context_keys",
    "statement_state",
]
