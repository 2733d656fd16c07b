"""A lint finding and the collector the checks report into."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iamwarden.policy.lint.jsonpos import JArray, JNode, JObject, JScalar, PathPart, Pos, json_path
from iamwarden.policy.lint.rules import KIND_ORDER, RULES, FindingKind
from iamwarden.policy.types import PolicyType

POLICY_TYPES: tuple[PolicyType, ...] = ("identity", "resource", "trust", "scp", "rcp", "permission_boundary")
"""The policy types the linter checks (a session policy is checked as ``identity``)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One issue in one policy: the kind and code (see docs/lint.md), what is wrong, and where: the element's JSON
    path and the line and column where it starts in the text."""

    kind: FindingKind
    code: str
    message: str
    path: str
    line: int
    column: int
    source: str

    @property
    def severity(self) -> int:
        """0 for SUGGESTION up to 3 for ERROR."""
        return KIND_ORDER.index(self.kind)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "source": self.source,
        }


@dataclass(slots=True)
class Statement:
    """What the checks need of one statement, read leniently: entries of the wrong type are left out (the structure
    check has reported them)."""

    index: int
    node: JObject
    effect: str | None = None
    action_key: str | None = None  # "Action" or "NotAction"
    actions: list[JScalar] = field(default_factory=list)
    action_node: JNode | None = None
    resource_key: str | None = None  # "Resource" or "NotResource"
    resources: list[JScalar] = field(default_factory=list)
    resource_node: JNode | None = None
    principal_key: str | None = None
    condition: JObject | None = None


@dataclass(slots=True)
class Collector:
    """Findings of one policy, each placed at a node (its start) or a key."""

    source: str
    policy_type: PolicyType
    findings: list[Finding] = field(default_factory=list)

    def add(self, code: str, message: str, path: tuple[PathPart, ...], pos: Pos) -> None:
        rule = RULES[code]
        self.findings.append(Finding(rule.kind, code, message, json_path(path), pos.line, pos.column, self.source))

    def at(self, code: str, node: JNode, message: str) -> None:
        self.add(code, message, node.path, node.pos)


def strings_of(node: JNode | None) -> list[JScalar]:
    """The string entries of a string-or-list-of-strings element."""
    if node is None:
        return []
    if isinstance(node, JScalar):
        return [node] if isinstance(node.value, str) else []
    if isinstance(node, JArray):
        return [item for item in node.items if isinstance(item, JScalar) and isinstance(item.value, str)]
    return []


def type_name(node: JNode) -> str:
    if isinstance(node, JObject):
        return "an object"
    if isinstance(node, JArray):
        return "a list"
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a Boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string"
