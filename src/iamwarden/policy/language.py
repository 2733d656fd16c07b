"""The IAM policy language: a JSON policy document parsed into frozen, compiled objects.

``parse_policy(doc)`` checks the document's shape and collects *every* problem with its JSON path
(``$.Statement[1].Condition.StringEquals["aws:username"]``) into one :class:`~iamwarden.errors.InputError`. What it
accepts (IAM User Guide, "IAM JSON policy element reference"):

- ``Version``: ``2012-10-17`` or ``2008-10-17``; absent means ``2008-10-17`` — policy variables are then literal text;
- ``Id``: any string;
- ``Statement``: one statement object, or a list of them, each with ``Sid`` (optional), ``Effect`` (``Allow`` or
  ``Deny``), exactly one of ``Action`` / ``NotAction``, at most one of ``Resource`` / ``NotResource`` (absent in a role
  trust policy: the statement applies to any resource), at most one of ``Principal`` / ``NotPrincipal`` (``"*"``, or
  an object whose keys are ``AWS``, ``Service``, ``Federated``, ``CanonicalUser``, each a string or a list), and an
  optional ``Condition`` (``{operator: {key: value or [values]}}``; numbers and booleans are taken as their JSON text).

The compiled :class:`Policy` keeps its statements and an index by service prefix, so evaluating a request looks only at
the statements whose ``Action`` can name the request's service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from iamwarden.errors import InputError, Problem, json_path
from iamwarden.policy.conditions import Condition
from iamwarden.policy.conditions.registry import case_hint, parse_operator_name
from iamwarden.policy.matching import (
    ActionPattern,
    PrincipalSpec,
    ResourceCheck,
    ResourcePattern,
    compile_resource_check,
)

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
VERSIONS = (VERSION_2012, VERSION_2008)
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
STATEMENT_KEYS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)
DOCUMENT_KEYS = frozenset({"Version", "Id", "Statement"})

Effect = Literal["Allow", "Deny"]

# Patterns are immutable and depend on their text alone; an account repeats the same few thousand texts across its
# policies, so each is compiled (regular expressions included) once.
_action_pattern = lru_cache(maxsize=65536)(ActionPattern.compile)
_resource_pattern = lru_cache(maxsize=65536)(ResourcePattern.compile)
Path = tuple[int | str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement, compiled. ``index`` is its position in the policy; ``path`` its JSON path."""

    index: int
    sid: str | None
    effect: Effect
    actions: tuple[ActionPattern, ...]
    not_action: bool
    resources: tuple[ResourcePattern, ...] | None  # None: no Resource element (trust policies)
    not_resource: bool
    principal: PrincipalSpec | None
    not_principal: bool
    conditions: tuple[Condition, ...]
    path: str
    resource_check: ResourceCheck | None = field(default=None, init=False, compare=False, repr=False)
    """``resources`` / ``not_resource`` compiled to one test (see
    :func:`~iamwarden.policy.matching.compile_resource_check`); ``None`` when the statement applies to any resource."""
    problems: tuple[Problem, ...] = field(default=(), init=False, compare=False, repr=False)
    """Condition values the operator cannot read, each with its JSON path: a decision that tests this statement's
    conditions carries them as errors."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "resource_check", compile_resource_check(self.resources, self.not_resource))
        problems = tuple(Problem(c.path, text) for c in self.conditions if c.invalid for text in c.problems())
        if problems:
            object.__setattr__(self, "problems", problems)

    @property
    def label(self) -> str:
        """The statement's ``Sid``, or its index as ``#2``."""
        return self.sid if self.sid else f"#{self.index}"

    def matches_action(self, action: str) -> bool:
        hit = any(p.matches(action) for p in self.actions)
        return hit != self.not_action


@dataclass(frozen=True, slots=True, eq=False)
class StatementIndex:
    """A policy's statements by the service prefix their ``Action`` can name (lower-cased), and those that can name
    any service (``NotAction``, a service wildcard). Immutable, compared and hashed by identity (one index per compiled
    document); :data:`ACTION_STATEMENTS` remembers its answers to "which statements cover this action"."""

    by_service: Mapping[str, tuple[Statement, ...]]
    any_service: tuple[Statement, ...]

    @classmethod
    def build(cls, statements: Sequence[Statement]) -> StatementIndex:
        by_service: dict[str, list[Statement]] = {}
        any_service: list[Statement] = []
        for st in statements:
            services = {p.service for p in st.actions}
            if st.not_action or None in services:
                any_service.append(st)
                continue
            for svc in services:
                assert svc is not None
                by_service.setdefault(svc, []).append(st)
        return cls({k: tuple(v) for k, v in by_service.items()}, tuple(any_service))

    def statements_for(self, action: str) -> tuple[Statement, ...]:
        """The statements whose ``Action`` / ``NotAction`` covers ``action`` (lower-cased), in policy order
        (computed each time: :meth:`ActionStatements.lookup` remembers it)."""
        service = action.partition(":")[0]
        named = self.by_service.get(service, ())
        candidates = named + self.any_service
        if named and self.any_service:
            candidates = tuple(sorted(candidates, key=lambda s: s.index))
        return tuple(s for s in candidates if s.matches_action(action))


EMPTY_INDEX = StatementIndex({}, ())

ByIndex = dict[StatementIndex, tuple[Statement, ...]]
"""For one action: the statements of each index that cover it."""


class ActionStatements:
    """A memo of :meth:`StatementIndex.statements_for`: which statements of each compiled policy cover an action.

    Arranged action first: a decision asks about one action across several policies, so it fetches the action's
    table once (:meth:`for_action`) and then finds each policy's answer with one lookup by index identity
    (:meth:`answer`); a batch asks about the same few actions again and again. Bounded: emptied when it holds more
    than ``limit`` answers (it holds the indexes it answered for; the compiled policies stay immutable)."""

    __slots__ = ("_by_action", "_limit", "_size")

    def __init__(self, limit: int = 1 << 16) -> None:
        self._by_action: dict[str, ByIndex] = {}
        self._limit = limit
        self._size = 0

    def for_action(self, action: str) -> ByIndex:
        """The table of ``action`` (lower-cased); pass it to :meth:`answer`."""
        table = self._by_action.get(action)
        if table is None:
            table = self._by_action[action] = {}
        return table

    def answer(self, table: ByIndex, index: StatementIndex, action: str) -> tuple[Statement, ...]:
        """The statements of ``index`` covering ``action``, ``table`` being :meth:`for_action` of that action."""
        found = table.get(index)
        if found is None:
            found = index.statements_for(action)
            if self._size >= self._limit:
                self._by_action.clear()
                self._size = 0
            table[index] = found
            self._size += 1
        return found

    def lookup(self, index: StatementIndex, action: str) -> tuple[Statement, ...]:
        """:meth:`answer` for one policy (:meth:`Policy.statements_for`, asked about a million times in an escalation
        analysis of a large account: the remembered answer in two lookups, without a further call)."""
        table = self._by_action.get(action)
        if table is not None:
            found = table.get(index)
            if found is not None:
                return found
        return self.answer(self.for_action(action), index, action)


ACTION_STATEMENTS = ActionStatements()
"""The engine's one memo of which statements cover an action (:func:`~iamwarden.policy.evaluate` and
:meth:`Policy.statements_for` use it)."""


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed and compiled policy document (immutable)."""

    name: str
    source: str
    version: str
    id: str | None
    statements: tuple[Statement, ...]
    document: Mapping[str, Any] = field(compare=False, repr=False)
    index: StatementIndex = field(compare=False, repr=False, default=EMPTY_INDEX)
    """The statements by service (built by :func:`parse_policy`)."""
    problems: tuple[Problem, ...] = field(compare=False, repr=False, default=())
    """Why the document could not be compiled (:func:`compile_policy`); such a policy has no statements, and every
    decision it takes part in carries these problems as errors."""

    @property
    def variables_enabled(self) -> bool:
        return self.version == VERSION_2012

    def may_name(self, service: str) -> bool:
        """Could a statement of this policy cover an action of ``service`` (lower-cased)? False only when no
        statement's ``Action`` names the service and none has ``NotAction`` or a service wildcard."""
        return bool(self.index.any_service) or service in self.index.by_service

    def statements_for(self, action: str) -> tuple[Statement, ...]:
        """The statements whose ``Action`` / ``NotAction`` covers ``action`` (lower-cased), in policy order."""
        return ACTION_STATEMENTS.lookup(self.index, action)


class _Parser:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: Path, message: str) -> None:
        self.problems.append(Problem(json_path(path), message))

    def strings(self, value: Any, path: Path, what: str) -> tuple[str, ...]:
        """A string or a non-empty list of strings."""
        if isinstance(value, str):
            items: list[Any] = [value]
            paths: list[Path] = [path]
        elif isinstance(value, list):
            if not value:
                self.problem(path, f"{what} must not be an empty list")
            items = value
            paths = [(*path, i) for i in range(len(value))]
        else:
            self.problem(path, f"{what} must be a string or a list of strings, not {type(value).__name__}")
            return ()
        out: list[str] = []
        for item, p in zip(items, paths, strict=True):
            if not isinstance(item, str):
                self.problem(p, f"{what} must be a string, not {type(item).__name__}")
            elif not item:
                self.problem(p, f"{what} must not be empty")
            else:
                out.append(item)
        return tuple(out)

    def actions(self, value: Any, path: Path) -> tuple[ActionPattern, ...]:
        out = []
        texts = self.strings(value, path, "an action")
        for i, text in enumerate(texts):
            p = path if isinstance(value, str) else (*path, i)
            if text != "*" and (":" not in text or text.startswith(":") or text.endswith(":")):
                self.problem(p, f"action {text!r} is not of the form service:Action (or *)")
                continue
            out.append(_action_pattern(text))
        return tuple(out)

    def principal(self, value: Any, path: Path) -> PrincipalSpec | None:
        if value == "*":
            return PrincipalSpec.compile([("*", "*")])
        if not isinstance(value, dict):
            self.problem(path, 'a principal must be "*" or an object with AWS, Service, Federated or CanonicalUser')
            return None
        if not value:
            self.problem(path, "a principal object must name at least one principal")
        entries: list[tuple[str, str]] = []
        for kind, items in value.items():
            if kind not in PRINCIPAL_TYPES:
                self.problem(
                    (*path, kind), f"unknown principal type {kind!r} (expected one of {', '.join(PRINCIPAL_TYPES)})"
                )
                continue
            for text in self.strings(items, (*path, kind), "a principal"):
                entries.append((kind, text))
        return PrincipalSpec.compile(entries)

    def condition_values(self, value: Any, path: Path) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not value:
            self.problem(path, "a condition needs at least one value")
        out: list[str] = []
        for i, item in enumerate(items):
            p = (*path, i) if isinstance(value, list) else path
            if isinstance(item, bool):
                out.append("true" if item else "false")
            elif isinstance(item, str):
                out.append(item)
            elif isinstance(item, int | float):
                out.append(repr(item) if isinstance(item, float) else str(item))
            else:
                self.problem(p, f"a condition value must be a string, number or boolean, not {type(item).__name__}")
        return tuple(out)

    def conditions(self, value: Any, path: Path, variables: bool) -> tuple[Condition, ...]:
        if not isinstance(value, dict):
            self.problem(path, "Condition must be an object of {operator: {key: values}}")
            return ()
        out: list[Condition] = []
        for op_text, block in value.items():
            op_path = (*path, op_text)
            name = parse_operator_name(op_text) if isinstance(op_text, str) else None
            if name is None:
                right = case_hint(op_text) if isinstance(op_text, str) else None
                hint = f" (operator names are case-sensitive: {right!r})" if right else ""
                self.problem(op_path, f"unknown condition operator {op_text!r}{hint}")
                continue
            if name.problem is not None:
                self.problem(op_path, f"unknown condition operator {op_text!r} ({name.problem})")
                continue
            if not isinstance(block, dict) or not block:
                self.problem(op_path, "a condition operator needs an object of {key: values}")
                continue
            for key, raw in block.items():
                key_path = (*op_path, key)
                if not key:
                    self.problem(key_path, "a condition key must not be empty")
                    continue
                values = self.condition_values(raw, key_path)
                if not values:
                    continue
                out.append(Condition.compile(name, key, values, variables=variables, path=json_path(key_path)))
        return tuple(out)

    def statement(self, raw: Any, index: int, path: Path, variables: bool) -> Statement | None:
        if not isinstance(raw, dict):
            self.problem(path, f"a statement must be an object, not {type(raw).__name__}")
            return None
        before = len(self.problems)
        for key in raw:
            if key not in STATEMENT_KEYS:
                self.problem((*path, key), f"unknown statement element {key!r}")
        sid = raw.get("Sid")
        if sid is not None and not isinstance(sid, str):
            self.problem((*path, "Sid"), "Sid must be a string")
            sid = None
        effect = raw.get("Effect")
        if effect not in ("Allow", "Deny"):
            self.problem((*path, "Effect"), f'Effect must be "Allow" or "Deny", not {effect!r}')
        if ("Action" in raw) == ("NotAction" in raw):
            self.problem(path, "a statement needs exactly one of Action or NotAction")
        action_key = "Action" if "Action" in raw else "NotAction"
        actions = self.actions(raw.get(action_key), (*path, action_key)) if action_key in raw else ()
        if "Resource" in raw and "NotResource" in raw:
            self.problem(path, "a statement can have Resource or NotResource, not both")
        resource_key = "Resource" if "Resource" in raw else ("NotResource" if "NotResource" in raw else None)
        resources: tuple[ResourcePattern, ...] | None = None
        if resource_key is not None:
            texts = self.strings(raw[resource_key], (*path, resource_key), "a resource")
            resources = tuple(_resource_pattern(t, variables=variables) for t in texts)
        if "Principal" in raw and "NotPrincipal" in raw:
            self.problem(path, "a statement can have Principal or NotPrincipal, not both")
        principal_key = "Principal" if "Principal" in raw else ("NotPrincipal" if "NotPrincipal" in raw else None)
        principal = None
        if principal_key is not None:
            principal = self.principal(raw[principal_key], (*path, principal_key))
        conditions = self.conditions(raw["Condition"], (*path, "Condition"), variables) if "Condition" in raw else ()
        if len(self.problems) > before or effect not in ("Allow", "Deny"):
            return None
        return Statement(
            index=index,
            sid=sid,
            effect="Allow" if effect == "Allow" else "Deny",
            actions=actions,
            not_action=action_key == "NotAction",
            resources=resources,
            not_resource=resource_key == "NotResource",
            principal=principal,
            not_principal=principal_key == "NotPrincipal",
            conditions=conditions,
            path=json_path(path),
        )


def parse_policy(doc: Any, *, name: str = "policy", source: str = "<policy>", base_path: Path = ()) -> Policy:
    """Parse and compile a policy document; every problem found is raised together as one ``InputError(source, ...)``.

    ``base_path`` prefixes the JSON paths (``("resource_policy",)`` when the document sits inside a request file).
    """
    parser = _Parser()
    statements: list[Statement] = []
    version = VERSION_2008
    policy_id: str | None = None
    if isinstance(doc, str):
        parser.problem(base_path, "a policy document must be a JSON object, not a string (is it JSON-encoded twice?)")
    elif not isinstance(doc, Mapping):
        parser.problem(base_path, f"a policy document must be a JSON object, not {type(doc).__name__}")
    else:
        for key in doc:
            if key not in DOCUMENT_KEYS:
                parser.problem((*base_path, key), f"unknown policy element {key!r} (expected Version, Id, Statement)")
        raw_version = doc.get("Version", VERSION_2008)
        if raw_version not in VERSIONS:
            parser.problem((*base_path, "Version"), f"Version must be {VERSION_2012!r} or {VERSION_2008!r}")
        else:
            version = raw_version
        raw_id = doc.get("Id")
        if raw_id is not None and not isinstance(raw_id, str):
            parser.problem((*base_path, "Id"), "Id must be a string")
        policy_id = raw_id if isinstance(raw_id, str) else None
        variables = version == VERSION_2012
        raw_statements = doc.get("Statement")
        if raw_statements is None:
            parser.problem(base_path, "a policy needs a Statement element")
        elif isinstance(raw_statements, list):
            for i, raw in enumerate(raw_statements):
                st = parser.statement(raw, i, (*base_path, "Statement", i), variables)
                if st is not None:
                    statements.append(st)
        else:
            st = parser.statement(raw_statements, 0, (*base_path, "Statement"), variables)
            if st is not None:
                statements.append(st)
    if parser.problems:
        raise InputError(source, parser.problems)
    assert isinstance(doc, Mapping)
    return Policy(
        name=name,
        source=source,
        version=version,
        id=policy_id,
        statements=tuple(statements),
        document=doc,
        index=StatementIndex.build(statements),
    )


def compile_policy(doc: Any, *, name: str = "policy", source: str = "<policy>") -> Policy:
    """Like :func:`parse_policy`, but a document that cannot be compiled (a malformed policy in a snapshot) gives a
    policy with no statements whose :attr:`Policy.problems` say why, instead of an error: it allows and denies
    nothing, and every :class:`~iamwarden.policy.Decision` it takes part in lists the problems in ``errors``."""
    try:
        return parse_policy(doc, name=name, source=source)
    except InputError as exc:
        document = doc if isinstance(doc, Mapping) else {}
        return Policy(name, source, VERSION_2012, None, (), document, problems=tuple(exc.problems))


def policy_problems(policy: Policy) -> tuple[Problem, ...]:
    """Everything wrong with a compiled policy, whatever the request: why it could not be compiled, or the condition
    values its operators cannot read. Empty for a sound policy. A check whose answer rests on a policy with problems
    reports ``unknown`` naming it (a decision lists only the problems it met: :attr:`Decision.errors`)."""
    if policy.problems:
        return policy.problems
    return tuple(p for st in policy.statements for p in st.problems)


def collect_problems(doc: Any, *, base_path: Path = ()) -> list[Problem]:
    """The problems :func:`parse_policy` would raise, as a list (empty when the document is valid)."""
    try:
        parse_policy(doc, base_path=base_path)
    except InputError as exc:
        return exc.problems
    return []
