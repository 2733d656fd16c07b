"""Condition checks: operators, keys (global and of the statement's services), operator/key type fit and qualifier
use. The values are checked in :mod:`.condition_values`."""

from __future__ import annotations

from iamwarden.policy.catalogue import Catalogue, ConditionKey
from iamwarden.policy.conditions.registry import OperatorName, case_hint, parse_operator_name
from iamwarden.policy.global_keys import UNSUPPORTED_GLOBAL_KEYS, global_key, needs_tag_key
from iamwarden.policy.lint.actions import ResolvedActions
from iamwarden.policy.lint.condition_values import check_pairs, check_values
from iamwarden.policy.lint.findings import Collector, Statement, type_name
from iamwarden.policy.lint.formats import check_value_format
from iamwarden.policy.lint.jsonpos import JArray, JMember, JNode, JObject, JScalar

#: Keys that take both Date and Numeric operators.
_DATE_OR_NUMBER = frozenset({"aws:epochtime"})


def _operator_hint(text: str) -> str:
    right = case_hint(text)
    return f" (did you mean {right!r}? operator names are case-sensitive)" if right else ""


def check_conditions(st: Statement, resolved: ResolvedActions | None, cat: Catalogue, out: Collector) -> None:
    if st.condition is None:
        return
    if not st.condition.members:
        out.at("EMPTY_OBJECT_CONDITION", st.condition, "the Condition element is empty")
        return
    check_pairs(st.condition, out)
    for op_member in st.condition.members:
        op = parse_operator_name(op_member.key)
        if op is None:
            hint = _operator_hint(op_member.key)
            out.add(
                "INVALID_CONDITION_OPERATOR",
                f"{op_member.key!r} is not a condition operator{hint}",
                op_member.value.path,
                op_member.key_pos,
            )
        elif op.problem is not None:
            out.add(
                "NULL_WITH_IF_EXISTS",
                op.problem,
                op_member.value.path,
                op_member.key_pos,
            )
        block = op_member.value
        if not isinstance(block, JObject):
            out.at("DATA_TYPE_MISMATCH", block, f"a condition operator takes an object of keys, not {type_name(block)}")
            continue
        seen: dict[str, str] = {}
        for key_member in block.members:
            low = key_member.key.lower()
            if low in seen and seen[low] != key_member.key:
                out.add(
                    "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
                    f"{key_member.key!r} and {seen[low]!r} are the same key (key names are not case-sensitive)",
                    key_member.value.path,
                    key_member.key_pos,
                )
            seen.setdefault(low, key_member.key)
            values = _values(key_member.value, out)
            key = _check_key(key_member, st, resolved, cat, out)
            if op is None or values is None:
                continue
            if key is not None:
                _check_fit(op, key, key_member, out)
            check_values(st, op, key_member, values, out)
            check_value_format(low, op.operator.family, values, out)


def _values(node: JNode, out: Collector) -> list[JScalar] | None:
    items: tuple[JNode, ...] = node.items if isinstance(node, JArray) else (node,)
    good: list[JScalar] = []
    for item in items:
        if isinstance(item, JScalar) and item.value is not None:
            good.append(item)
        else:
            out.at(
                "DATA_TYPE_MISMATCH", item, f"condition values are strings, numbers or Booleans, not {type_name(item)}"
            )
            return None
    return good


def _check_key(
    member: JMember, st: Statement, resolved: ResolvedActions | None, cat: Catalogue, out: Collector
) -> ConditionKey | None:
    name = member.key
    path, pos = member.value.path, member.key_pos
    prefix, sep, rest = name.partition(":")
    if not sep or not prefix or not rest:
        out.add("INVALID_CONDITION_KEY_FORMAT", f"{name!r} is not a condition key: write prefix:name", path, pos)
        return None
    if prefix.lower() == "aws":
        if name.lower() in UNSUPPORTED_GLOBAL_KEYS:
            out.add("UNSUPPORTED_GLOBAL_CONDITION_KEY", UNSUPPORTED_GLOBAL_KEYS[name.lower()], path, pos)
            return None
        if needs_tag_key(name):
            out.add(
                "MISSING_TAG_KEY_IN_CONDITION", f"{name!r} needs a tag key: {name.rstrip('/')}/<tag-key>", path, pos
            )
            return None
        key = cat.condition_key(name)
        if key is None:
            out.add("INVALID_GLOBAL_CONDITION_KEY", f"{name!r} is not a global condition key", path, pos)
        return key
    key = cat.condition_key(name)
    if key is None:
        if "." in prefix or "/" in prefix:
            return None  # an OIDC identity provider's claim (myidp.example.com:sub): any claim name may be valid
        if cat.has_service(prefix) or prefix.lower() in cat.condition_key_prefixes():
            out.add("INVALID_SERVICE_CONDITION_KEY", f"{prefix} defines no condition key {name!r}", path, pos)
        else:
            out.add("INVALID_SERVICE", f"no service or identity provider has the prefix {prefix!r}", path, pos)
        return None
    if (
        global_key(name) is None
        and cat.has_service(prefix)
        and resolved is not None
        and resolved.complete
        and not resolved.has_star
        and st.action_key == "Action"
        and resolved.entries
        and not any(cat.action_supports_key(action, name) for action in resolved.actions())
    ):
        out.add(
            "CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS",
            f"no action of this statement has {key.name!r} in its request context",
            path,
            pos,
        )
    return key


def _check_fit(op: OperatorName, key: ConditionKey, member: JMember, out: Collector) -> None:
    path, pos = member.value.path, member.key_pos
    if op.set_modifier is None and key.multivalued and op.operator.family != "Null":
        out.add(
            "MISSING_QUALIFIER",
            f"{key.name} holds several values: write ForAnyValue:{op.text} or ForAllValues:{op.text}",
            path,
            pos,
        )
    if op.set_modifier is not None and not key.multivalued:
        code = (
            "FORALLVALUES_WITH_SINGLE_VALUED_KEY"
            if op.set_modifier == "ForAllValues"
            else "FORANYVALUE_WITH_SINGLE_VALUED_KEY"
        )
        out.add(code, f"{op.set_modifier} on {key.name}, which holds a single value", path, pos)
    family, kind = op.operator.family, key.base_type
    if family in ("Null", "Binary"):
        return
    if key.name.lower() in _DATE_OR_NUMBER and family in ("Date", "Numeric"):
        return
    if family == "String":
        if kind == "ARN":
            if op.operator.name in ("StringLike", "StringNotLike"):
                out.add(
                    "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS",
                    f"{key.name} holds ARNs: {op.operator.name.replace('String', 'Arn')} matches them field by field",
                    path,
                    pos,
                )
        elif kind in ("Numeric", "Date", "Bool", "IPAddress"):
            better = {"Numeric": "Numeric...", "Date": "Date...", "Bool": "Bool", "IPAddress": "IpAddress"}[kind]
            out.add("TYPE_MISMATCH", f"{key.name} holds {kind} values: use {better}, not {op.operator.name}", path, pos)
        return
    if family == "ARN" and kind == "String":
        return  # ArnLike on a string key holding ARNs (kms:EncryptionContext:aws:s3:arn) works as meant
    if family != kind:
        out.add(
            "TYPE_MISMATCH",
            f"{op.operator.name} compares {family} values but {key.name} holds {kind} values",
            path,
            pos,
        )
