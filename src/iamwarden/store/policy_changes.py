"""What a change to a policy document means, decided by the policy engine (:func:`iamwarden.policy.evaluate`).

Text first: the statements of the old and new documents are compared as JSON, so the reader sees which were added and
which removed (a statement edited in place is one removed and one added). Then meaning: the catalogue actions those
statements cover (:class:`~iamwarden.analysis.effective.ActionIndex`) are split into classes the very same statements
cover (within a class every action is decided alike), and one action of each class is asked of the engine, alone
under the old document and alone under the new one, on each resource the changed statements name. Whatever the new
document allows that the old did not is *newly allowed*; the reverse is *no longer allowed*. An action allowed only
when a condition's context key is present (``aws:MultiFactorAuthPresent``, ``aws:SourceIp`` ...) counts as allowed
"under conditions", named by its keys. So a reworded statement that allows the same is no change, and a new Deny
shows as what it takes away.

A role's trust policy is compared by who may assume the role (:func:`compare_trust`): principals named (AWS, Service,
Federated) and, for principals outside the account, the engine's decision with an empty context
(:func:`iamwarden.analysis.trust.external_trust`): a trust *opened* admits someone new or drops a condition; a
trust *narrowed* the reverse.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from iamwarden.analysis.effective import ActionIndex, action_index
from iamwarden.analysis.permissions import probe_principal
from iamwarden.analysis.trust import external_trust
from iamwarden.errors import InputError
from iamwarden.policy import Policy, Request, Statement, evaluate, parse_policy
from iamwarden.store.content import canonical

MAX_RESOURCES = 12
"""Resources asked about per changed document (the changed statements' own, plus ``*``)."""

ALLOWED, CONDITIONAL, DENIED = "allowed", "conditional", "denied"
_RANK = {DENIED: 0, CONDITIONAL: 1, ALLOWED: 2}


@dataclass(frozen=True, slots=True)
class AccessChange:
    """Actions whose decision on ``resource`` moved between the documents."""

    direction: str
    """``newly_allowed`` or ``no_longer_allowed``."""
    resource: str
    actions: tuple[str, ...]
    """Compact (``s3:*``, ``s3:Get*``, ``iam:PassRole``)."""
    before: str
    after: str
    condition_keys: tuple[str, ...] = ()
    """The context keys an ``conditional`` decision waits for."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "resource": self.resource,
            "actions": list(self.actions),
            "before": self.before,
            "after": self.after,
        }
        if self.condition_keys:
            out["condition_keys"] = list(self.condition_keys)
        return out

    def describe(self) -> str:
        head = ", ".join(self.actions[:6]) + (f" (+{len(self.actions) - 6} more)" if len(self.actions) > 6 else "")
        when = f" when {', '.join(self.condition_keys)}" if self.condition_keys else ""
        how = "" if CONDITIONAL not in (self.before, self.after) else f" ({self.before} -> {self.after}{when})"
        return f"{head} on {self.resource}{how}"


@dataclass(frozen=True, slots=True)
class DocumentChange:
    """A policy document compared with its previous version, statement by statement and by meaning."""

    added: tuple[Mapping[str, Any], ...]
    removed: tuple[Mapping[str, Any], ...]
    newly_allowed: tuple[AccessChange, ...] = ()
    no_longer_allowed: tuple[AccessChange, ...] = ()
    errors: tuple[str, ...] = ()
    """A document the engine could not parse (then only the text comparison stands)."""

    @property
    def widened(self) -> bool:
        return bool(self.newly_allowed)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "statements_added": [dict(s) for s in self.added],
            "statements_removed": [dict(s) for s in self.removed],
            "newly_allowed": [c.to_json() for c in self.newly_allowed],
            "no_longer_allowed": [c.to_json() for c in self.no_longer_allowed],
        }
        if self.errors:
            out["errors"] = list(self.errors)
        return out


def statements_of(document: Any) -> list[Mapping[str, Any]]:
    if not isinstance(document, Mapping):
        return []
    raw = document.get("Statement", [])
    items = [raw] if isinstance(raw, Mapping) else raw if isinstance(raw, list) else []
    return [s for s in items if isinstance(s, Mapping)]


def compare_documents(old: Any, new: Any, account_id: str, partition: str = "aws") -> DocumentChange:
    """How ``new`` differs from ``old`` (either may be ``None``: a policy added or removed)."""
    old_st, new_st = statements_of(old), statements_of(new)
    old_keys = {canonical(s) for s in old_st}
    new_keys = {canonical(s) for s in new_st}
    added = tuple(s for s in new_st if canonical(s) not in old_keys)
    removed = tuple(s for s in old_st if canonical(s) not in new_keys)
    if not added and not removed:
        return DocumentChange((), ())
    try:
        old_policy = parse_policy(old if old is not None else {"Version": "2012-10-17", "Statement": []}, name="old")
        new_policy = parse_policy(new if new is not None else {"Version": "2012-10-17", "Statement": []}, name="new")
    except InputError as exc:
        return DocumentChange(added, removed, errors=(exc.one_line(),))
    changed = [s for s in old_policy.statements if canonical(_raw(old_st, s)) not in new_keys]
    changed += [s for s in new_policy.statements if canonical(_raw(new_st, s)) not in old_keys]
    up, down = _access_changes(old_policy, new_policy, changed, probe_principal(account_id, partition))
    return DocumentChange(added, removed, tuple(up), tuple(down))


def _raw(raws: Sequence[Mapping[str, Any]], st: Statement) -> Mapping[str, Any]:
    return raws[st.index] if st.index < len(raws) else {}


def _classes(index: ActionIndex, statements: Sequence[Statement], candidates: int) -> Iterator[int]:
    """``candidates`` split into classes of actions covered by exactly the same ``statements``."""
    parts = [candidates]
    for st in statements:
        bits = index.statement_bits(st)
        split: list[int] = []
        for part in parts:
            inside, outside = part & bits, part & ~bits
            split += [p for p in (inside, outside) if p]
        parts = split
    yield from parts


def _state(policy: Policy, principal: str, action: str, resource: str) -> tuple[str, frozenset[str]]:
    decision = evaluate(Request(principal, action, resource, {}), identity_policies=(policy,))
    if decision.allowed:
        return ALLOWED, frozenset()
    if decision.decision == "implicit_deny" and decision.missing_context_keys:
        return CONDITIONAL, decision.missing_context_keys
    return DENIED, frozenset()


def _access_changes(
    old: Policy, new: Policy, changed: Sequence[Statement], principal: str
) -> tuple[list[AccessChange], list[AccessChange]]:
    index = action_index()
    candidates = 0
    resources: list[str] = []
    for st in changed:
        candidates |= index.statement_bits(st)
        if st.resources is None or st.not_resource:
            resources.append("*")
        else:
            resources += [r.raw for r in st.resources]
    if not candidates:
        return [], []
    resources = list(dict.fromkeys(["*", *resources]))[:MAX_RESOURCES]
    every = [*old.statements, *new.statements]
    moved: dict[tuple[str, str, str, tuple[str, ...]], int] = {}
    for part in _classes(index, every, candidates):
        action = index.names[part.bit_length() - 1]
        for resource in resources:
            before, _ = _state(old, principal, action, resource)
            after, keys = _state(new, principal, action, resource)
            if before != after:
                gate = tuple(sorted(keys)) if after == CONDITIONAL else ()
                key = (resource, before, after, gate)
                moved[key] = moved.get(key, 0) | part
    up: list[AccessChange] = []
    down: list[AccessChange] = []
    for (resource, before, after, gate), bits in sorted(moved.items()):
        actions = tuple(a for svc in _services(index, bits) for a in index.compact(svc, bits))
        change = AccessChange(
            "newly_allowed" if _RANK[after] > _RANK[before] else "no_longer_allowed",
            resource,
            actions,
            before,
            after,
            gate,
        )
        (up if change.direction == "newly_allowed" else down).append(change)
    return up, down


def _services(index: ActionIndex, bits: int) -> list[str]:
    """The services with an action in ``bits``, in the index's order: found from the set bits (a change touches a
    few of the catalogue's 457 services; testing each service's range costs a shift of the whole set per service)."""
    starts, prefixes = _service_starts(index)
    out: list[str] = []
    while bits:
        position = (bits & -bits).bit_length() - 1
        n = bisect_right(starts, position) - 1
        prefix = prefixes[n]
        out.append(prefix)
        bits &= ~index.service_bits(prefix)
    return out


@cache
def _service_starts(index: ActionIndex) -> tuple[list[int], list[str]]:
    ranges = sorted((start, prefix) for prefix, (start, end) in index.service_ranges.items() if end > start)
    return [start for start, _ in ranges], [prefix for _, prefix in ranges]


# ---------------------------------------------------------------------------------------------------------------------
# Trust policies


@dataclass(frozen=True, slots=True)
class TrustChange:
    """Who may assume a role, before and after its trust policy changed."""

    opened: tuple[str, ...] = ()
    """Principals newly admitted, or admitted now without the condition that gated them."""
    narrowed: tuple[str, ...] = ()
    """Principals no longer admitted, or now gated by a condition."""
    statements: DocumentChange = field(default_factory=lambda: DocumentChange((), ()))

    def to_json(self) -> dict[str, Any]:
        return {
            "opened": list(self.opened),
            "narrowed": list(self.narrowed),
            "statements_added": [dict(s) for s in self.statements.added],
            "statements_removed": [dict(s) for s in self.statements.removed],
        }


def compare_trust(old: Any, new: Any, role_arn: str, account_id: str, partition: str = "aws") -> TrustChange:
    before, after = _admitted(old, role_arn, account_id, partition), _admitted(new, role_arn, account_id, partition)
    opened = sorted(p for p, state in after.items() if _RANK[state] > _RANK[before.get(p, DENIED)])
    narrowed = sorted(p for p, state in before.items() if _RANK[state] > _RANK[after.get(p, DENIED)])
    old_st, new_st = statements_of(old), statements_of(new)
    old_keys, new_keys = {canonical(s) for s in old_st}, {canonical(s) for s in new_st}
    text = DocumentChange(
        tuple(s for s in new_st if canonical(s) not in old_keys),
        tuple(s for s in old_st if canonical(s) not in new_keys),
    )
    return TrustChange(tuple(opened), tuple(narrowed), text)


def _admitted(document: Any, role_arn: str, account_id: str, partition: str) -> dict[str, str]:
    """Each principal an Allow statement of the compiled trust policy names: ``allowed`` (with an empty context, for
    principals outside the account the engine decides), ``conditional`` (the engine wants a context key, or the
    statement has a condition)."""
    if not isinstance(document, Mapping):
        return {}
    try:
        trust = parse_policy(document, name="trust")
    except InputError:
        return {}
    out: dict[str, str] = {}
    for statement in trust.statements:
        if statement.effect != "Allow" or statement.principal is None or statement.not_principal:
            continue
        state = CONDITIONAL if statement.conditions else ALLOWED
        for _kind, name in statement.principal.values:
            if _RANK[state] > _RANK[out.get(name, DENIED)]:
                out[name] = state
    for verdict in external_trust(trust, role_arn, account_id, partition):
        out[verdict.trusted.value] = ALLOWED if verdict.open else CONDITIONAL
    return out
