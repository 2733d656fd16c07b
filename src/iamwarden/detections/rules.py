"""Sigma rules, loaded and compiled with pySigma: our pack (``detections/pack/``) and the user's ``--rules`` folders.

Every rule file is parsed by pySigma (:class:`sigma.collection.SigmaCollection`); a detection rule compiles with
:class:`~iamwarden.detections.sql_backend.CloudTrailSQLBackend` into one SQL predicate per dialect, a correlation rule
(event count, value count, temporal, ordered temporal) into a :class:`CompiledCorrelation` over the rules it names. A
rule that cannot be used is never dropped silently: :attr:`RuleSet.unsupported` gives the file, the rule and why (a
logsource other than CloudTrail, a field outside the record schema, a feature the backend has not).

Licence and authorship travel with each rule (DRL 1.1 asks alerts to name the author): a rule's own ``license`` field,
else the licence file beside it (``LICENSE.Detection.Rules.md`` means DRL 1.1, as in SigmaHQ's repository).
Our pack's rules add ``technique`` (a Stratus Red Team technique id), ``cis`` (CIS AWS Foundations ids) and
``category`` as custom attributes, which pySigma keeps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sigma.collection import SigmaCollection
from sigma.conditions import ConditionAND, ConditionFieldEqualsValueExpression, ConditionItem, ConditionOR
from sigma.correlations import SigmaCorrelationCondition, SigmaCorrelationRule, SigmaCorrelationType
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule
from sigma.types import SigmaString

from iamwarden.detections.sql_backend import DIALECTS, CloudTrailSQLBackend, backend

PACK = Path(__file__).parent / "pack"
"""Our rule pack (Sigma YAML, one family per file)."""
PACK_LICENSE = "Apache-2.0"
LEVELS = ("informational", "low", "medium", "high", "critical")
_LICENSE_FILES = {"LICENSE.Detection.Rules.md": "DRL-1.1"}
_ATTACK = re.compile(r"^t\d{4}(\.\d{3})?$")
_EVENT_NAME = re.compile(r"[A-Za-z0-9_.:-]+")


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What an alert says about the rule that raised it."""

    id: str
    name: str
    """The rule's ``name`` (how correlations refer to it), else its id."""
    title: str
    level: str
    author: str
    license: str
    source: str
    """The rule file."""
    description: str = ""
    falsepositives: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    attack: tuple[str, ...] = ()
    """ATT&CK technique ids (``T1098.001``), from the ``attack.tNNNN`` tags."""
    tactics: tuple[str, ...] = ()
    technique: str | None = None
    """The Stratus Red Team technique the rule detects (``aws.persistence.iam-backdoor-user``)."""
    cis: tuple[str, ...] = ()
    category: str = ""
    pathfinding: str | None = None
    """The pathfinding.cloud escalation technique (``iam-001``) a generated escalation rule watches for."""

    @property
    def rank(self) -> int:
        return LEVELS.index(self.level)


@dataclass(frozen=True, slots=True)
class CompiledRule:
    info: RuleInfo
    sql: dict[str, str]
    """Dialect -> SQL predicate over one record."""
    generate: bool = True
    """Raise alerts of its own (false for a rule only a correlation with ``generate: false`` uses)."""
    event_names: frozenset[str] | None = None
    """The event names (lower case) of every record the rule can match, or ``None`` when it names none or its
    condition does not confine it to some (:func:`event_names`). Engines may skip the rule on other records; what
    it matches is still decided by :attr:`sql` alone."""


@dataclass(frozen=True, slots=True)
class CompiledCorrelation:
    info: RuleInfo
    type: str
    """``event_count``, ``value_count``, ``temporal`` or ``temporal_ordered``."""
    rules: tuple[str, ...]
    """Ids of the compiled rules it correlates, in order."""
    group_by: tuple[str, ...]
    group_sql: dict[str, dict[str, tuple[str, ...]]]
    """Dialect -> rule id -> one SQL expression per group-by field (aliases resolved per rule)."""
    timespan: int
    """Seconds."""
    op: str
    """``gte``, ``gt``, ``lte``, ``lt``, ``eq``, ``neq``."""
    count: float
    value_field_sql: dict[str, dict[str, str]] = field(default_factory=dict)
    """value_count: dialect -> rule id -> the SQL expression of the counted field."""


@dataclass(frozen=True, slots=True)
class Unsupported:
    source: str
    rule: str
    reason: str


@dataclass
class RuleSet:
    rules: list[CompiledRule] = field(default_factory=list)
    correlations: list[CompiledCorrelation] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)
    files: int = 0

    def by_id(self) -> dict[str, RuleInfo]:
        out = {r.info.id: r.info for r in self.rules}
        out.update({c.info.id: c.info for c in self.correlations})
        return out


def rule_files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml"))


def _license_near(path: Path, root: Path) -> str | None:
    for folder in (path.parent, *path.parent.parents):
        for name, spdx in _LICENSE_FILES.items():
            if (folder / name).is_file():
                return spdx
        if folder == root.parent or folder == folder.parent:
            break
    return None


def _info(rule: SigmaRule | SigmaCorrelationRule, source: Path, license_default: str) -> RuleInfo:
    tags = [str(t) for t in rule.tags]
    custom: dict[str, Any] = rule.custom_attributes or {}
    cis = custom.get("cis") or ()
    rule_id = str(rule.id) if rule.id else (rule.name or f"{source.name}:{rule.title}")
    return RuleInfo(
        id=rule_id,
        name=rule.name or rule_id,
        title=rule.title,
        level=rule.level.name.lower() if rule.level is not None else "medium",
        author=rule.author or "unknown",
        license=rule.license or license_default,
        source=str(source),
        description=(rule.description or "").strip(),
        falsepositives=tuple(rule.falsepositives),
        references=tuple(rule.references),
        attack=tuple(t.split(".", 1)[1].upper() for t in tags if t.startswith("attack.") and _ATTACK.match(t[7:])),
        tactics=tuple(t.split(".", 1)[1] for t in tags if t.startswith("attack.") and not _ATTACK.match(t[7:])),
        technique=custom.get("technique"),
        cis=tuple(str(c) for c in (cis if isinstance(cis, list | tuple) else [cis])),
        category=str(custom.get("category", "")),
        pathfinding=custom.get("pathfinding"),
    )


def load_rules(folders: Sequence[Path] = (), pack: bool = True, generated: Sequence[tuple[str, str]] = ()) -> RuleSet:
    """Our pack (unless ``pack`` is false), every ``.yml`` rule under ``folders`` and the ``generated`` rule texts
    (``(name, YAML)``: the escalation rules of :mod:`iamwarden.detections.context`), compiled."""
    out = RuleSet()
    backends = {d: backend(d) for d in DIALECTS}
    sources: list[tuple[Path, str]] = [(p, PACK_LICENSE) for p in rule_files(PACK)] if pack else []
    for folder in folders:
        for path in rule_files(folder):
            sources.append((path, _license_near(path, folder) or "unknown"))
    parsed: list[tuple[Path, str, SigmaCollection]] = []
    texts: dict[Path, str] = {Path(name): text for name, text in generated}
    for path, license_default in [*sources, *((Path(name), "Apache-2.0") for name, _ in generated)]:
        out.files += 1
        try:
            text = texts[path] if path in texts else path.read_text(encoding="utf-8")
            collection = SigmaCollection.from_yaml(text, collect_errors=True, resolve_references=False)
        except (SigmaError, OSError, ValueError) as exc:
            out.unsupported.append(Unsupported(str(path), "", f"not a Sigma rule file: {exc}"))
            continue
        parsed.append((path, license_default, collection))
    # one collection, so that correlations find rules of other files by name or id
    everything = SigmaCollection([r for _, _, c in parsed for r in c.rules], resolve_references=False)
    try:
        everything.resolve_rule_references()
    except SigmaError as exc:
        out.unsupported.append(Unsupported("", "", f"correlation references: {exc}"))
    origin = {id(r): (p, lic) for p, lic, c in parsed for r in c.rules}
    hidden = _not_generated(everything.rules)
    for rule in everything.rules:
        path, license_default = origin[id(rule)]
        if rule.errors:
            out.unsupported.append(Unsupported(str(path), rule.title, "; ".join(str(e) for e in rule.errors)))
            continue
        if isinstance(rule, SigmaCorrelationRule):
            _add_correlation(out, rule, path, license_default, backends)
        else:
            _add_rule(out, rule, path, license_default, backends, hidden)
    # a correlation over a rule that could not compile cannot run either
    compiled = {r.info.id for r in out.rules}
    for correlation in list(out.correlations):
        missing = [r for r in correlation.rules if r not in compiled]
        if missing:
            out.correlations.remove(correlation)
            out.unsupported.append(
                Unsupported(
                    correlation.info.source, correlation.info.title, f"names rules that did not compile: {missing}"
                )
            )
    return out


def _not_generated(rules: Iterable[Any]) -> set[int]:
    """Rules used only by correlations with ``generate: false``: no alerts of their own (Sigma's default)."""
    hidden: set[int] = set()
    shown: set[int] = set()
    for rule in rules:
        if isinstance(rule, SigmaCorrelationRule):
            for ref in rule.rules or []:
                target = getattr(ref, "rule", None)
                if target is not None:
                    (shown if rule.generate else hidden).add(id(target))
    return hidden - shown


def _add_rule(
    out: RuleSet,
    rule: SigmaRule,
    path: Path,
    license_default: str,
    backends: dict[str, CloudTrailSQLBackend],
    hidden: set[int],
) -> None:
    info = _info(rule, path, license_default)
    source = rule.logsource
    if (source.product not in (None, "aws")) or (source.service not in (None, "cloudtrail")):
        out.unsupported.append(
            Unsupported(str(path), rule.title, f"logsource {source.product}/{source.service} is not AWS CloudTrail")
        )
        return
    sql: dict[str, str] = {}
    try:
        for dialect, converter in backends.items():
            converter.convert_rule(rule)  # a rule only a correlation outputs converts, but returns nothing
            queries = rule.get_conversion_result()
            if not queries or not all(isinstance(q, str) for q in queries):
                raise SigmaError("the backend produced no query")
            sql[dialect] = " OR ".join(f"({q})" for q in queries) if len(queries) > 1 else str(queries[0])
    except (SigmaError, NotImplementedError) as exc:
        out.unsupported.append(Unsupported(str(path), rule.title, str(exc).splitlines()[0]))
        return
    out.rules.append(CompiledRule(info, sql, generate=id(rule) not in hidden, event_names=event_names(rule)))


def event_names(rule: SigmaRule) -> frozenset[str] | None:
    """The event names a record must have for ``rule`` to match it (lower case), read from pySigma's parse of its
    condition, or ``None`` when the condition does not confine ``eventName`` to a list of plain values.

    A plain value (no wildcard, no placeholder) compares as ``lower(eventName) = lower(value)``, or exactly under
    ``|cased`` (which implies the same lower-case names); ``A and B`` confines the names as much as any of its
    parts does, ``A or B`` only when both do; ``not``, wildcards, regular expressions and other fields confine
    nothing. A rule of several conditions matches what any of them matches."""
    found: set[str] = set()
    for condition in rule.detection.parsed_condition:
        names = _names(condition.parsed)
        if names is None:
            return None
        found |= names
    return frozenset(found)


def _names(node: ConditionItem | Any) -> frozenset[str] | None:
    if isinstance(node, ConditionAND):
        confined = [n for n in (_names(a) for a in node.args) if n is not None]
        return frozenset.intersection(*confined) if confined else None
    if isinstance(node, ConditionOR):
        parts = [_names(a) for a in node.args]
        return None if any(p is None for p in parts) else frozenset().union(*(p for p in parts if p is not None))
    if isinstance(node, ConditionFieldEqualsValueExpression) and node.field == "eventName":
        value = node.value
        if isinstance(value, SigmaString) and not value.contains_special() and not value.contains_placeholder():
            plain = value.to_plain()
            if _EVENT_NAME.fullmatch(plain):
                return frozenset((plain.lower(),))
    return None


_TYPES = {
    SigmaCorrelationType.EVENT_COUNT: "event_count",
    SigmaCorrelationType.VALUE_COUNT: "value_count",
    SigmaCorrelationType.TEMPORAL: "temporal",
    SigmaCorrelationType.TEMPORAL_ORDERED: "temporal_ordered",
}


def _add_correlation(
    out: RuleSet,
    rule: SigmaCorrelationRule,
    path: Path,
    license_default: str,
    backends: dict[str, CloudTrailSQLBackend],
) -> None:
    info = _info(rule, path, license_default)
    kind = _TYPES.get(rule.type)
    if kind is None:
        out.unsupported.append(Unsupported(str(path), rule.title, f"correlation type {rule.type.name.lower()}"))
        return
    condition = rule.condition
    op = getattr(condition, "op", None)
    if op is None or not isinstance(condition, SigmaCorrelationCondition):
        out.unsupported.append(Unsupported(str(path), rule.title, "extended correlation conditions"))
        return
    targets = [getattr(ref, "rule", None) for ref in rule.rules or []]
    if any(not isinstance(t, SigmaRule) for t in targets):
        out.unsupported.append(Unsupported(str(path), rule.title, "correlations of correlations, or unresolved"))
        return
    ids = tuple(str(t.id) if t.id else (t.name or "") for t in targets if isinstance(t, SigmaRule))
    group_by = tuple(rule.group_by or ())
    group_sql: dict[str, dict[str, tuple[str, ...]]] = {}
    value_sql: dict[str, dict[str, str]] = {}
    try:
        for dialect, converter in backends.items():
            group_sql[dialect] = {}
            value_sql[dialect] = {}
            for target, rule_id in zip(targets, ids, strict=True):
                group_sql[dialect][rule_id] = tuple(
                    converter.escape_and_quote_field(_alias(rule, name, target)) for name in group_by
                )
                if kind == "value_count":
                    fieldref = condition.fieldref
                    name = fieldref if isinstance(fieldref, str) else (fieldref or [""])[0]
                    value_sql[dialect][rule_id] = converter.escape_and_quote_field(_alias(rule, name, target))
    except SigmaError as exc:
        out.unsupported.append(Unsupported(str(path), rule.title, str(exc).splitlines()[0]))
        return
    out.correlations.append(
        CompiledCorrelation(
            info=info,
            type=kind,
            rules=ids,
            group_by=group_by,
            group_sql=group_sql,
            timespan=int(rule.timespan.seconds),
            op=op.name.lower(),
            count=float(condition.count),
            value_field_sql=value_sql,
        )
    )


def _alias(rule: SigmaCorrelationRule, name: str, target: Any) -> str:
    """The field ``name`` means in ``target``: an alias of the correlation mapped per rule, else the name itself."""
    alias = rule.aliases.aliases.get(name) if rule.aliases else None
    if alias is None:
        return name
    for ref, mapped in alias.mapping.items():
        if getattr(ref, "rule", None) is target:
            return mapped
    return name
