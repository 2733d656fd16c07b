"""Conditions the attacker satisfies by how it calls: the request contexts it can choose.

A condition on a key the caller controls is no protection (IAM User Guide, "AWS global condition context keys",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):

- ``aws:TokenIssueTime`` is in the context of requests signed with temporary credentials: a user gets some with
  ``sts:GetSessionToken``, which needs no permission (AWS STS API reference, GetSessionToken: "No permissions are
  required for users to perform this operation"), a role always has them; the attacker's session is issued now (and,
  without MFA, carries ``aws:MultiFactorAuthPresent`` false).
- ``aws:RequestTag/KEY`` and ``aws:TagKeys``: the tags the request passes, chosen by the caller (for actions whose
  Service Authorization Reference entry lists the key: those that take tags).
- ``aws:UserAgent``, ``aws:Referer``: HTTP headers the caller's client sends; ``aws:SecureTransport``: whether it
  calls over TLS.
- ``aws:PrincipalTag/KEY``: the principal's own tags, and any tag when it may tag itself (``iam:TagUser`` /
  ``iam:TagRole`` on itself, decided by the engine with that tag in the request): ABAC self-tagging.
- ``aws:ResourceTag/KEY`` / ``iam:ResourceTag/KEY`` on a user or role: that principal's tags, and any tag when the
  attacker may tag it.

Keys the attacker cannot choose (``aws:MultiFactorAuthPresent`` when it has no MFA, ``aws:SourceIp``,
``aws:SourceVpc``, ``aws:PrincipalOrgID``...) are left as they are. This module only proposes contexts, built from
the values the policies' own conditions name; the engine decides each one (:meth:`~.decisions.DecisionCache.grant`),
and the first it allows is the edge's, with notes saying which conditions the attacker satisfies and how.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from iamwarden.policy import Policy
from iamwarden.policy.conditions import Condition
from iamwarden.policy.variables import ContextValue

SESSION_KEY = "aws:tokenissuetime"
HEADERS = {"aws:useragent": "aws:UserAgent", "aws:referer": "aws:Referer"}
TRANSPORT = "aws:securetransport"
TAG_KEYS = "aws:tagkeys"
REQUEST_TAG = "aws:requesttag/"
PRINCIPAL_TAG = "aws:principaltag/"
RESOURCE_TAGS = ("aws:resourcetag/", "iam:resourcetag/")
FREE_VALUE = "iamwarden-attacker"
"""A value none of the policy's values is (for negated operators: ``StringNotEquals``)."""
SELF_TAGGING = "iamwarden-001"
"""Our id for ABAC self-tagging (no catalogue lists it): ``iam:TagUser`` / ``iam:TagRole`` on itself, to satisfy an
``aws:PrincipalTag`` condition of the next action."""
TARGET_TAGGING = "iamwarden-002"
"""Our id for tagging the target first (``iam:TagUser`` / ``iam:TagRole`` on it), to satisfy an
``aws:ResourceTag`` / ``iam:ResourceTag`` condition of the next action."""
MAX_CONTEXTS = 64
"""At most this many contexts are tried for one request (the product of each key's options)."""


def controlled(key: str) -> bool:
    """Is ``key`` (lower-cased) one the caller sets by how it calls, or may set by tagging?"""
    return (
        key in (SESSION_KEY, TRANSPORT, TAG_KEYS)
        or key in HEADERS
        or key.startswith((REQUEST_TAG, PRINCIPAL_TAG, *RESOURCE_TAGS))
    )


def caller_conditions(policies: Iterable[Policy | None], action: str) -> tuple[Condition, ...]:
    """The conditions on caller-controlled keys of the policies' statements naming ``action``."""
    low = action.lower()
    return tuple(
        cond
        for policy in policies
        if policy is not None
        for st in policy.statements_for(low)
        for cond in st.conditions
        if controlled(cond.key_lower)
    )


def _values(conditions: Iterable[Condition]) -> list[str]:
    """The literal values the conditions name (wildcards filled in, so ``dev-*`` gives ``dev-x``), then a value none
    of them is."""
    out: list[str] = []
    for cond in conditions:
        for value in cond.values:
            if "${" in value:
                continue
            filled = value.replace("*", "x").replace("?", "x")
            if filled not in out:
                out.append(filled)
    return [*out, FREE_VALUE]


@dataclass(frozen=True, slots=True)
class Caller:
    """What the attacker holds when it sends the request."""

    principal_tags: Mapping[str, str]
    """Its own tags (key as written -> value)."""
    target_tags: Mapping[str, str] | None
    """The tags of the resource, when it is a user or role of the account (else ``None``)."""
    is_user: bool
    takes_tags: bool
    """The action takes request tags (the reference lists ``aws:RequestTag/${TagKey}`` for it)."""
    may_tag_self: Callable[[str, str], bool]
    may_tag_target: Callable[[str, str], bool]
    now: str
    """When the attacker's session is issued (ISO 8601)."""


Option = tuple[dict[str, ContextValue], str | None]
"""Context keys to set (an empty dict: leave the key absent) and the note saying how the attacker does it."""


def _options(key: str, conditions: list[Condition], caller: Caller) -> list[Option]:
    name = conditions[0].key
    if key == SESSION_KEY:
        how = "a user's session from sts:GetSessionToken (no permission needed)" if caller.is_user else "a new session"
        session: dict[str, ContextValue] = {"aws:TokenIssueTime": caller.now, "aws:MultiFactorAuthPresent": "false"}
        return [(session, f"aws:TokenIssueTime: the attacker signs with {how}, issued now")]
    if key == TRANSPORT:
        return [
            ({"aws:SecureTransport": v}, f"aws:SecureTransport {v}: the attacker chooses how it calls")
            for v in ("false",)
        ]
    if key in HEADERS:
        return [
            ({HEADERS[key]: v}, f"{HEADERS[key]} {v!r}: the attacker's client sends it") for v in _values(conditions)
        ]
    if key == TAG_KEYS:
        if not caller.takes_tags:
            return []
        named = [v for v in _values(conditions) if v != FREE_VALUE]
        sets = [tuple(named), *((v,) for v in named)] if len(named) > 1 else [tuple(named)]
        return [({"aws:TagKeys": s}, f"aws:TagKeys {list(s)}: the attacker tags its request") for s in sets if s]
    if key.startswith(REQUEST_TAG):
        if not caller.takes_tags:
            return []
        tag = name.split("/", 1)[1]
        return [
            ({name: v, "aws:TagKeys": (tag,)}, f"{name} {v!r}: the attacker tags its request")
            for v in _values(conditions)
        ]
    tag = name.split("/", 1)[1]
    if key.startswith(PRINCIPAL_TAG):
        own, may_tag, whose, uses = caller.principal_tags, caller.may_tag_self, "itself", SELF_TAGGING
    else:
        if caller.target_tags is None:
            return []
        own, may_tag, whose, uses = caller.target_tags, caller.may_tag_target, "the target", TARGET_TAGGING
    out: list[Option] = []
    have = next((v for k, v in own.items() if k.lower() == tag.lower()), None)
    if have is not None:
        out.append(({name: have}, f"{name} {have!r}: the tag {whose} has"))
    for v in _values(conditions):
        if v != have and may_tag(tag, v):
            out.append(({name: v}, f"{name} {v!r}: the attacker tags {whose} first (allowed to; {uses})"))
    return out


def tagging_ids(notes: Iterable[str]) -> tuple[str, ...]:
    """Our technique ids (:data:`SELF_TAGGING`, :data:`TARGET_TAGGING`) the notes of :func:`choices` name."""
    every = list(notes)
    return tuple(i for i in (SELF_TAGGING, TARGET_TAGGING) if any(f"; {i})" in n for n in every))


def choices(conditions: Iterable[Condition], caller: Caller) -> Iterator[tuple[dict[str, ContextValue], list[str]]]:
    """Contexts the attacker can send (beyond the default one), each with its notes; at most :data:`MAX_CONTEXTS`."""
    by_key: dict[str, list[Condition]] = {}
    for cond in conditions:
        by_key.setdefault(cond.key_lower, []).append(cond)
    per_key: list[list[Option]] = []
    for key, conds in sorted(by_key.items()):
        options = _options(key, conds, caller)
        if options:
            per_key.append([*options, ({}, None)])  # or leave the key as the default context has it
    for n, combination in enumerate(itertools.product(*per_key)):
        if n >= MAX_CONTEXTS:
            return
        context: dict[str, ContextValue] = {}
        notes: list[str] = []
        for keys, note in combination:
            for k, v in keys.items():
                if k == "aws:TagKeys" and isinstance(context.get(k), tuple):
                    v = tuple(dict.fromkeys((*context[k], *v)))
                context[k] = v
            if note:
                notes.append(note)
        if notes:
            yield context, notes
