"""What the engine answers: a :class:`Decision` with its reasons and errors (Cedar's
``Response{decision, diagnostics{reason, errors}}``).

Writing the reasons (one sentence per statement that allowed or denied, per policy type that did not allow) costs
about as much as deciding, and most callers (effective permissions, escalation) read only ``decision``. So a decision
keeps its :class:`Explanation` — what :func:`~iamwarden.policy.evaluate` found — and writes the reasons from it each
time they are read: :attr:`Decision.reasons` builds :class:`Reason` objects, :meth:`Decision.to_json` writes the JSON
directly. A decision built by hand states its reasons (:class:`StatedReasons`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from iamwarden.policy.language import Policy, Statement
from iamwarden.policy.matching import MatchKind
from iamwarden.policy.types import PolicyType

DecisionValue = Literal["allowed", "explicit_deny", "implicit_deny"]
Effect = Literal["Allow", "Deny", "NotAllowed"]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the decision came out as it did: one statement that allowed or denied, or a policy type that did not allow
    (``effect`` ``"NotAllowed"``, ``statement`` ``None``)."""

    effect: Effect
    policy_type: PolicyType
    policy: str
    statement: str | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "effect": self.effect,
            "policy_type": self.policy_type,
            "policy": self.policy,
            "statement": self.statement,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class PolicyError:
    """A problem met while deciding (Cedar's ``diagnostics.errors``): a policy that could not be compiled, or a
    condition value its operator cannot read in a statement the request reached. The decision stands as AWS would
    make it (an unreadable value matches nothing), and says that it rests on a faulty policy."""

    policy_type: PolicyType
    policy: str
    statement: str | None
    place: str
    """The JSON path in the policy (``$.Statement[0].Condition.NumericLessThan["s3:max-keys"]``)."""
    message: str

    def describe(self) -> str:
        where = f" statement {self.statement}" if self.statement is not None else ""
        at = f" at {self.place}" if self.place else ""
        return f"{self.policy_type} {self.policy}{where}{at}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "policy_type": self.policy_type,
            "policy": self.policy,
            "statement": self.statement,
            "place": self.place,
            "message": self.message,
        }


ReasonFields = tuple[Effect, PolicyType, str, str | None, str]
"""A reason's fields, in :class:`Reason`'s order."""


class Explanation:
    """Where a decision's reasons come from."""

    __slots__ = ()

    def fields(self) -> list[ReasonFields]:
        raise NotImplementedError

    def reasons(self) -> tuple[Reason, ...]:
        return tuple(Reason(*f) for f in self.fields())

    def reasons_json(self) -> list[dict[str, Any]]:
        return [
            {"effect": e, "policy_type": t, "policy": p, "statement": st, "detail": d}
            for e, t, p, st, d in self.fields()
        ]


class StatedReasons(Explanation):
    """Reasons given as they are (a decision built by hand, or one read back from a pickle)."""

    __slots__ = ("_reasons",)

    def __init__(self, reasons: Sequence[Reason] = ()) -> None:
        self._reasons = tuple(reasons)

    def fields(self) -> list[ReasonFields]:
        return [(r.effect, r.policy_type, r.policy, r.statement, r.detail) for r in self._reasons]

    def reasons(self) -> tuple[Reason, ...]:
        return self._reasons


Match = tuple[PolicyType, Policy, Statement, MatchKind]
"""A statement that applies: (policy type, policy, statement, how its Principal element named the principal)."""

NotAllowed = tuple[PolicyType, Sequence[Policy], str]
"""A policy type that did not allow: (type, its policies, detail)."""

ROOT_DETAIL = "the account root user has full access"

_HOW: dict[MatchKind, str] = {
    "direct": "",
    "role": " (names the role of the session)",
    "account": " (names the principal's account)",
}


class Found(Explanation):
    """What :func:`~iamwarden.policy.evaluate` found: the statements that decided (the denies of an explicit deny,
    else the allows, in policy-type then policy order), the organization levels that did not allow (listed first),
    the policy types that did not allow, or the root user's own allow, and what AWS decided itself (listed last)."""

    __slots__ = ("_reasons", "action", "after", "before", "matches", "notes")

    def __init__(
        self,
        action: str,
        matches: list[Match],
        before: list[NotAllowed] | None = None,
        after: list[NotAllowed] | None = None,
        notes: list[ReasonFields] | None = None,
    ) -> None:
        self.action = action
        self.matches = matches
        self.before = before or []
        self.after = after or []
        self.notes = notes or []
        """Reasons written out already, listed last (AWS deciding itself: :mod:`iamwarden.policy.aws_rules`)."""
        self._reasons: tuple[Reason, ...] | None = None

    def reasons(self) -> tuple[Reason, ...]:
        """Written out on the first read, then remembered (a decision shared by many callers, such as the escalation
        analysis's cached ones, is explained once)."""
        if self._reasons is None:
            self._reasons = tuple(Reason(*f) for f in self.fields())
        return self._reasons

    def fields(self) -> list[ReasonFields]:
        out = [_not_allowed_fields(e) for e in self.before]
        out += [_match_fields(m, self.action) for m in self.matches]
        out += [_not_allowed_fields(e) for e in self.after]
        return out + self.notes


def _match_fields(match: Match, action: str) -> ReasonFields:
    policy_type, policy, st, kind = match
    label = st.label
    verb = "allows" if st.effect == "Allow" else "denies"
    return st.effect, policy_type, policy.name, label, f"statement {label} of {policy.name} {verb} {action}{_HOW[kind]}"


def _not_allowed_fields(entry: NotAllowed) -> ReasonFields:
    policy_type, policies, detail = entry
    if detail is ROOT_DETAIL:
        return "Allow", "identity", "account root user", None, detail
    return "NotAllowed", policy_type, ", ".join(p.name for p in policies) or "(none)", None, detail


NO_REASONS = StatedReasons()


_set = object.__setattr__


@dataclass(frozen=True, slots=True, eq=False, init=False)
class Decision:
    """The answer for one request, saying which policies produced it and what went wrong on the way.

    ``reasons`` are written from ``explanation`` when read (see the module docstring); two decisions are equal when
    their decision, reasons, policy types not allowing, missing context keys and errors are."""

    decision: DecisionValue
    not_allowing: tuple[str, ...]
    missing_context_keys: frozenset[str]
    errors: tuple[PolicyError, ...]
    """Policies that could not be compiled and unreadable condition values the request met: the decision rests on
    them, so a caller that must be sure reports ``unknown`` naming them."""
    explanation: Explanation = field(repr=False)

    def __init__(
        self,
        decision: DecisionValue,
        not_allowing: tuple[str, ...] = (),
        missing_context_keys: frozenset[str] = frozenset(),
        errors: tuple[PolicyError, ...] = (),
        explanation: Explanation = NO_REASONS,
    ) -> None:
        # written out (the generated __init__ of a frozen dataclass looks object.__setattr__ up for every field):
        # evaluate() makes one decision per request
        _set(self, "decision", decision)
        _set(self, "not_allowing", not_allowing)
        _set(self, "missing_context_keys", missing_context_keys)
        _set(self, "errors", errors)
        _set(self, "explanation", explanation)

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.explanation.reasons()

    def _values(self) -> tuple[Any, ...]:
        return (self.decision, self.reasons, self.not_allowing, self.missing_context_keys, self.errors)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return (
            f"Decision(decision={self.decision!r}, reasons={self.reasons!r}, not_allowing={self.not_allowing!r}, "
            f"missing_context_keys={self.missing_context_keys!r}, errors={self.errors!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its reasons written out (the compiled policies an explanation refers to do not pickle)."""
        stated = StatedReasons(self.reasons)
        return (Decision, (self.decision, self.not_allowing, self.missing_context_keys, self.errors, stated))

    def to_json(self) -> dict[str, Any]:
        """The decision as JSON; ``errors`` appears only when there are some."""
        out: dict[str, Any] = {
            "decision": self.decision,
            "allowed": self.decision == "allowed",
            "reasons": self.explanation.reasons_json(),
            "not_allowing": list(self.not_allowing),
            "missing_context_keys": sorted(self.missing_context_keys),
        }
        if self.errors:
            out["errors"] = [e.to_json() for e in self.errors]
        return out
