"""What a principal can do, as entries grouped by service (``iamwarden access``, ``iamwarden who-can``): the
report side of the effective-permissions index (:mod:`iamwarden.analysis.effective`).

Each :class:`Entry` gathers actions of one service allowed on the same resources under the same conditions by the same
statements; the conditions are what the engine leaves undecided offline (:func:`iamwarden.policy.query.
conditions_state`), and the limits say what narrows a grant (partial denies, boundary and SCP statements); the AWS
limits name the resources AWS manages where it refuses an action whatever the policies say (the engine's
:mod:`iamwarden.policy.aws_rules`). Actions AWS allows whatever the policies say (``sts:GetCallerIdentity``) get an
entry of their own naming the rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from iamwarden.analysis.effective import KNOWN_KEYS, EffectiveAccess, Grant
from iamwarden.analysis.effective_actions import ActionIndex
from iamwarden.analysis.effective_text import describe_condition, resource_patterns, resources_text
from iamwarden.policy.aws_rules import RULE_ACTIONS, ManagedResources, always_allowed, aws_rule, managed_resources
from iamwarden.policy.catalogue import ACCESS_LEVELS, AccessLevel
from iamwarden.policy.conditions import Condition
from iamwarden.policy.matching import PrincipalInfo
from iamwarden.policy.query import Tri, Undecided, conditions_state

LEVELS: Mapping[str, AccessLevel] = {
    "list": "List",
    "read": "Read",
    "write": "Write",
    "permissions-management": "Permissions management",
    "tagging": "Tagging",
}
"""Command-line spelling of the access levels."""


# ----------------------------------------------------------------------------------------------------------------
# Listing: what a principal can do, grouped


@dataclass(frozen=True, slots=True)
class Entry:
    """Actions of one service allowed on the same resources under the same conditions, by the same statements."""

    service: str
    actions: tuple[str, ...]
    """Canonical names, or ``("s3:*",)`` when every action of the service is in."""
    resources: tuple[str, ...]
    not_resource: bool
    conditions: tuple[str, ...]
    """Undecided offline: what must hold (empty: allowed outright)."""
    limits: tuple[str, ...]
    """What narrows the grant: partial denies, boundary and SCP statements that do not cover everything."""
    granted_by: tuple[Grant, ...]
    count: int
    excluded: tuple[str, ...] = ()
    """For the entry ``*``: the actions it does not include (whole services as ``iam:*``)."""
    aws_limits: tuple[str, ...] = ()
    """Resources AWS manages that the grant reaches, where AWS refuses some of its actions whatever the policies say
    (the engine's :mod:`iamwarden.policy.aws_rules`); like ``excluded``, they leave the status as it is."""
    aws_rules: tuple[str, ...] = ()
    """For actions AWS allows whatever the policies say (:func:`iamwarden.policy.aws_rules.always_allowed`): the
    rules that allow them (``granted_by`` is then empty)."""

    @property
    def status(self) -> str:
        return "conditional" if self.conditions or self.limits else "allowed"

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "status": self.status,
            "actions": list(self.actions),
            "action_count": self.count,
            "resources": list(self.resources),
            "not_resource": self.not_resource,
            "conditions": list(self.conditions),
            "limits": list(self.limits),
            "granted_by": [g.to_json() for g in self.granted_by],
            "excluded": list(self.excluded),
            **({"aws_limits": list(self.aws_limits)} if self.aws_limits else {}),
            **({"aws_rules": list(self.aws_rules)} if self.aws_rules else {}),
        }


def _offline_state(grant: Grant, ctx: Mapping[str, Any]) -> tuple[Tri, list[str]]:
    """The statement's conditions (not its resources) decided offline: True, False, or None with what is undecided."""
    undecided: list[Undecided] = []
    if not conditions_state(grant.statement, ctx, KNOWN_KEYS | frozenset(ctx), undecided):
        return False, []
    return (None if undecided else True), [describe_condition(c) for c in undecided if isinstance(c, Condition)]


def _covers(deny: Grant, allow: Grant) -> bool:
    """Whether ``deny``'s resources include every resource ``allow``'s do (a sound, simple test: the deny's patterns,
    without ``?`` or variables, match the allow's pattern text)."""
    d, a = deny.statement, allow.statement
    if d.resource_check is None:
        return True
    if a.resources is None or a.not_resource or d.not_resource or d.resources is None:
        return False
    if any("?" in p.raw or "${" in p.raw for p in d.resources):
        return False
    check = d.resource_check
    return all(check(p.raw, {}, set()) for p in a.resources)


def _limit_text(what: str, grants: Sequence[Grant], ctx: Mapping[str, Any]) -> str | None:
    """How a boundary or SCP level narrows an atom, or ``None`` when one of its allows covers everything."""
    parts: list[str] = []
    for g in grants:
        state, why = _offline_state(g, ctx)
        if state is False:
            continue
        if state is True and g.all_resources:
            return None
        text = f"on {resources_text(g.statement)}"
        if why:
            text += " if " + " and ".join(why)
        parts.append(text)
    if not parts:
        return f"{what}: allows none of these here"
    return f"{what}: only " + " or ".join(parts)


def access_entries(
    access: EffectiveAccess,
    *,
    service: str | None = None,
    level: AccessLevel | None = None,
    actions: int | None = None,
) -> list[Entry]:
    """What the principal can do, as entries grouped by service (then by resources and conditions); only ``service``,
    actions of access level ``level``, and the ``actions`` bitset when given."""
    index = access.index
    wanted = index.all
    if actions is not None:
        wanted &= actions
    if service is not None:
        wanted &= index.service_bits(service)
    if level is not None:
        wanted &= index.level_bits(level)
    mask = access.candidates & wanted
    request = access.request("iam:ListUsers")
    ctx = request.full_context
    info = request.info
    managed = managed_resources(info.account or "", info.partition)
    ruled = index.from_ids(i for i in (index.id(a) for a in RULE_ACTIONS) if i is not None)
    rows: dict[tuple[Any, ...], list[Any]] = {}
    for atom in access.atoms:
        bits = atom.actions & mask
        if not bits:
            continue
        limits: list[str] = []
        if atom.boundary is not None:
            text = _limit_text("boundary", atom.boundary, ctx)
            if text is not None:
                limits.append(text)
        for i, level_grants in enumerate(atom.scp_levels):
            text = _limit_text(f"SCP level {i}", level_grants, ctx)
            if text is not None:
                limits.append(text)
        live_denies: list[tuple[Grant, list[str]]] = []
        for d in atom.denies:
            state, why = _offline_state(d, ctx)
            if state is not False:
                live_denies.append((d, why))
        states = [(g, *_offline_state(g, ctx)) for g in atom.allows]
        if any(state is True and g.all_resources for g, state, _ in states):
            # an allow on every resource without conditions: the narrower allows of the atom add nothing
            states = [(g, state, why) for g, state, why in states if state is True and g.all_resources]
        for g, state, why in states:
            if state is False:
                continue
            own_limits = list(limits)
            removed = False
            for d, dwhy in live_denies:
                if not dwhy and _covers(d, g):
                    removed = True
                    break
                text = f"denied by {d.label}"
                if not d.all_resources:
                    text += f" on {resources_text(d.statement)}"
                if dwhy:
                    text += " if " + " and ".join(dwhy)
                own_limits.append(text)
            if removed:
                continue
            aws_limits = _managed_limits(bits & ruled, g, managed, index, info, ctx)
            st = g.statement
            key = (
                resource_patterns(st),
                st.not_resource,
                tuple(why),
                tuple(own_limits),
                tuple(aws_limits),
            )
            row = rows.get(key)
            if row is None:
                rows[key] = [bits, [g]]
            else:
                row[0] |= bits
                if g not in row[1]:
                    row[1].append(g)
    # the same actions granted by several statements on the same terms: one entry, every statement named
    out: list[Entry] = []
    for (resources, not_resource, conditions, limits_t, aws_t), (bits, grants) in rows.items():
        count = bin(bits).count("1")
        if service is None and level is None and actions is None and count * 2 > index.size:
            # most of the catalogue: one entry "*", naming what is not in it
            excluded = tuple(_compact(index, index.all & ~bits))
            entry = Entry(
                "*", ("*",), resources, not_resource, conditions, limits_t, tuple(grants), count, excluded, aws_t
            )
            out.append(entry)
            continue
        for prefix, _ in _services_in(index, bits):
            svc_bits = bits & index.service_bits(prefix)
            svc_count = bin(svc_bits).count("1")
            names = tuple(_compact(index, svc_bits))
            granting = tuple(g for g in grants if g.actions & svc_bits)
            out.append(
                Entry(
                    prefix, names, resources, not_resource, conditions, limits_t, granting, svc_count, aws_limits=aws_t
                )
            )
    out += _aws_allowed_entries(index, info, wanted, rows)
    out.sort(key=lambda e: (e.service, e.status != "allowed", e.resources, e.actions))
    return out


def _managed_limits(
    bits: int,
    grant: Grant,
    managed: Sequence[ManagedResources],
    index: ActionIndex,
    info: PrincipalInfo,
    ctx: Mapping[str, Any],
) -> list[str]:
    """The engine's AWS rules (:mod:`iamwarden.policy.aws_rules`) as limits: resources AWS manages that the grant's
    ``Resource`` reaches, where AWS refuses some of its actions whatever the policies say."""
    if not bits:
        return []
    out: list[str] = []
    check = grant.statement.resource_check
    for m in managed:
        if check is not None and not check(m.example, ctx, set()):
            continue
        refused = [name for name in index.names_of(bits) if aws_rule(name.lower(), m.example, info) is m.rule]
        if refused:
            out.append(f"AWS manages {m.pattern}: {', '.join(refused)} refused there ({m.rule.id})")
    return out


def _aws_allowed_entries(
    index: ActionIndex, info: PrincipalInfo, wanted: int, rows: Mapping[tuple[Any, ...], list[Any]]
) -> list[Entry]:
    """Actions AWS allows whatever the policies say (``sts:GetCallerIdentity`` ...), unless a statement already
    allows them outright."""
    granted = 0
    for (_, _, conditions, limits, _), (bits, _) in rows.items():
        if not conditions and not limits:
            granted |= bits
    ids = [i for i in (index.id(a) for a in always_allowed(info)) if i is not None]
    extra = index.from_ids(ids) & wanted & ~granted
    out: list[Entry] = []
    for prefix, _ in _services_in(index, extra):
        svc_bits = extra & index.service_bits(prefix)
        names = tuple(index.names_of(svc_bits))
        rules = tuple(dict.fromkeys(r.id for r in (aws_rule(n.lower(), "*", info) for n in names) if r is not None))
        out.append(Entry(prefix, names, ("*",), False, (), (), (), len(names), aws_rules=rules))
    return out


def _compact(index: ActionIndex, bits: int) -> list[str]:
    """Action names, a whole service written ``svc:*``."""
    out: list[str] = []
    for prefix, (start, end) in _services_in(index, bits):
        svc_bits = bits & index.service_bits(prefix)
        if bin(svc_bits).count("1") == end - start:
            out.append(f"{prefix}:*")
        else:
            out.extend(index.names_of(svc_bits))
    return out


def _services_in(index: ActionIndex, bits: int) -> list[tuple[str, tuple[int, int]]]:
    found: list[tuple[str, tuple[int, int]]] = []
    for prefix, (start, end) in index.service_ranges.items():
        if end > start and (bits >> start) & ((1 << (end - start)) - 1):
            found.append((prefix, (start, end)))
    return found


assert set(LEVELS.values()) == set(ACCESS_LEVELS)
