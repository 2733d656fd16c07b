"""The privilege-escalation techniques: every path of pathfinding.cloud, modelled for the policy engine.

``techniques.json`` (beside this module) holds one technique per pathfinding.cloud path, keyed by its id
(``iam-001``, ``lambda-001`` ...). The id, name, category, required actions and their resource constraints are
pathfinding.cloud's (Datadog, Apache License 2.0: ``pathfinding-cloud.LICENSE`` and ``pathfinding-cloud.NOTICE`` here);
the rest is iamwarden's model of the path:

``shape``
    ``self`` (the principal changes its own permissions), ``principal`` (it takes over another user or role),
    ``passrole`` (it hands a role to a service that runs its code), ``existing`` (it changes a resource that already
    runs with a role).
``gains``
    ``admin`` (the technique lets the attacker write any policy, so the result is an administrator within the
    principal's permissions boundary and SCPs) or ``target`` (the attacker holds the target role's or user's
    permissions, which count only where they lead to an administrator).
``required[].on``
    The resource each action must be allowed on: ``self`` (the principal), ``self-policy`` (a customer-managed policy
    attached to it or its groups), ``self-group`` (one of its groups), ``admin-group`` (a group whose policies would
    make it an administrator), ``target`` (the other principal), ``target-policy`` (a customer-managed policy attached
    to the target), ``passed-role`` (the role handed over, with ``iam:PassedToService``), ``new`` (a resource the
    attacker creates and names: ``arn`` is its ARN template), ``existing`` (a resource that runs with the role: Lambda
    functions and EC2 instances from the snapshot, else the ``arn`` template of "any such resource"), ``any`` (``*``).
``services``
    Service principals whose trust the role must grant (decided by the engine: ``sts:AssumeRole`` by the service).
``assumed``
    Prerequisites the snapshot cannot show and that are assumed present; they are repeated in the evidence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

Shape = Literal["self", "principal", "passrole", "existing"]
On = Literal[
    "self",
    "self-policy",
    "self-group",
    "admin-group",
    "target",
    "target-policy",
    "passed-role",
    "new",
    "existing",
    "any",
]
_ON: frozenset[str] = frozenset(On.__args__)  # type: ignore[attr-defined]
_SHAPES: frozenset[str] = frozenset(Shape.__args__)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class RequiredAction:
    action: str
    on: On
    arn: str | None
    """ARN template (``{partition}``, ``{region}``, ``{account}``, ``{name}``) for ``new`` and unlisted ``existing``."""
    constraint: str
    """pathfinding.cloud's resource constraint, as written there."""


@dataclass(frozen=True, slots=True)
class Technique:
    id: str
    name: str
    category: str
    shape: Shape
    gains: Literal["admin", "target"]
    required: tuple[RequiredAction, ...]
    services: tuple[str, ...] = ()
    principal: Literal["user", "role"] | None = None
    """The starting principal must be of this kind (self techniques)."""
    target: Literal["user", "role"] | None = None
    """The kind of principal taken over (principal techniques)."""
    resource: str | None = None
    """For ``existing``: ``lambda-function``, ``ec2-instance`` (listed in snapshots) or a description of the
    resource assumed present."""
    assumed: tuple[str, ...] = ()
    instance_profile: bool = False
    """The role must be in an instance profile (EC2)."""
    running: bool = False
    """The EC2 instance must be running."""
    keys: Literal["fewer-than-two", "two"] | None = None
    login_profile: Literal["absent", "present"] | None = None

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(r.action for r in self.required)


class CatalogueError(ValueError):
    """techniques.json is inconsistent (a programming error, caught by the tests)."""


def _technique(raw: Mapping[str, Any]) -> Technique:
    tid = raw["id"]
    required = []
    for r in raw["required"]:
        if r["on"] not in _ON:
            raise CatalogueError(f"{tid}: {r['action']} on {r['on']!r} is not a known resource kind")
        if r["on"] == "new" and "{name}" not in r.get("arn", ""):
            raise CatalogueError(f"{tid}: {r['action']} creates a resource: its arn template needs {{name}}")
        required.append(RequiredAction(r["action"], r["on"], r.get("arn"), r.get("constraint", "")))
    if raw["shape"] not in _SHAPES:
        raise CatalogueError(f"{tid}: shape {raw['shape']!r}")
    if raw["shape"] in ("passrole", "existing") and not raw.get("services"):
        raise CatalogueError(f"{tid}: a {raw['shape']} technique names the service principals the role must trust")
    return Technique(
        id=tid,
        name=raw["name"],
        category=raw["category"],
        shape=raw["shape"],
        gains=raw["gains"],
        required=tuple(required),
        services=tuple(raw.get("services", ())),
        principal=raw.get("principal"),
        target=raw.get("target"),
        resource=raw.get("resource"),
        assumed=tuple(raw.get("assumed", ())),
        instance_profile=bool(raw.get("instance_profile", False)),
        running=bool(raw.get("running", False)),
        keys=raw.get("keys"),
        login_profile=raw.get("login_profile"),
    )


@cache
def techniques() -> tuple[Technique, ...]:
    """Every technique, ordered by id."""
    raw = json.loads(files("iamwarden.analysis.escalation").joinpath("techniques.json").read_text(encoding="utf-8"))
    out = tuple(sorted((_technique(t) for t in raw["techniques"]), key=lambda t: t.id))
    ids = [t.id for t in out]
    if len(ids) != len(set(ids)):
        raise CatalogueError("duplicate technique id")
    return out


def techniques_by_id() -> dict[str, Technique]:
    return {t.id: t for t in techniques()}


def catalogue_actions() -> tuple[str, ...]:
    """Every action some technique needs (the only actions the analysis asks the engine about)."""
    return tuple(sorted({a for t in techniques() for a in t.actions}))
