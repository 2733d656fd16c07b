"""Which facts about the caller a policy reads (:class:`KeyReads`): what lets the cross-account graph ask the engine
once for callers that must get the same answer (:mod:`.graph`, its ``shortcuts``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from iamwarden.policy import Policy
from iamwarden.policy.language import StatementIndex
from iamwarden.policy.query import context_keys

PRINCIPAL_KEYS = frozenset({"aws:principalarn", "aws:username", "aws:userid"})
"""Context keys that differ between principals of one account and kind (tags are not known offline: absent for
all)."""
PROBE_SENSITIVE_KEYS = PRINCIPAL_KEYS | {"aws:principaltype"}
"""Keys by which a policy may treat the allow-all probe (a role) unlike a caller of the same account."""
ACCOUNT_SENSITIVE_KEYS = PROBE_SENSITIVE_KEYS | {"aws:principalaccount"}
"""Keys the engine derives from the caller's ARN (:func:`~iamwarden.policy.evaluation.evaluate`'s defaults) by which
a policy may tell callers of different accounts apart; with ``aws:PrincipalTag/...`` (absent offline, read all the
same), a policy reading none of them decides alike for callers of the same kind whatever their account."""

Reads = tuple[bool, bool, bool]
"""Whether policies read :data:`PRINCIPAL_KEYS`, :data:`PROBE_SENSITIVE_KEYS` (or a principal tag),
:data:`ACCOUNT_SENSITIVE_KEYS` (or a principal tag)."""


@dataclass(slots=True)
class KeyReads:
    """The context keys each policy reads and what they tell apart, once per compiled policy (its statement
    index)."""

    _context_keys: dict[StatementIndex, frozenset[str]] = field(default_factory=dict)
    _flags: dict[StatementIndex, Reads] = field(default_factory=dict)

    def reads(self, policies: Iterable[Policy]) -> Reads:
        """Whether any of ``policies`` reads :data:`PRINCIPAL_KEYS`, :data:`PROBE_SENSITIVE_KEYS` (or a principal
        tag), :data:`ACCOUNT_SENSITIVE_KEYS` (or a principal tag); once per policy."""
        who = probe = account = False
        for policy in policies:
            found = self._flags.get(policy.index)
            if found is None:
                keys = self.keys(policy)
                tags = any(k.startswith("aws:principaltag/") for k in keys)
                found = self._flags[policy.index] = (
                    bool(keys & PRINCIPAL_KEYS),
                    bool(keys & PROBE_SENSITIVE_KEYS) or tags,
                    bool(keys & ACCOUNT_SENSITIVE_KEYS) or tags,
                )
            who, probe, account = who or found[0], probe or found[1], account or found[2]
        return who, probe, account

    def keys(self, policy: Policy) -> frozenset[str]:
        """:func:`~iamwarden.policy.query.context_keys` of a policy, once per policy."""
        found = self._context_keys.get(policy.index)
        if found is None:
            found = self._context_keys[policy.index] = context_keys(policy)
        return found
