"""Condition values: each parsed by its operator's own parser (the registry's, which the engine uses too), and
Access Analyzer's value checks ("IAM Access Analyzer policy check reference"): type mismatches, variables under
operators that take none, empty value lists, wildcards under operators that do not match them, epoch dates, CIDR
blocks with host bits, private addresses in aws:SourceIp, redundant numeric bounds, the aws:VpcSourceIp pairing;
and ours: the aws:MultiFactorAuthPresent patterns that let long-term access keys through.
"""

from __future__ import annotations

import ipaddress

from iamwarden.policy.conditions.registry import OperatorName
from iamwarden.policy.lint.findings import Collector, Statement
from iamwarden.policy.lint.jsonpos import JMember, JObject, JScalar
from iamwarden.policy.lint.regions import REGION_KEYS, is_pattern, is_region

#: Keys whose Date operators take epoch seconds as written (the key itself is epoch time).
_EPOCH_KEYS = frozenset({"aws:epochtime"})
#: Keys that Access Analyzer wants paired with another key in the same Condition element.
_PAIRS = {"aws:vpcsourceip": ("aws:SourceVpc", "aws:sourcevpc")}
#: Private address space (RFC 1918 and IPv6 unique local addresses), which aws:SourceIp never holds.
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))
_BOUNDS = frozenset(("NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"))


def check_values(st: Statement, op: OperatorName, member: JMember, values: list[JScalar], out: Collector) -> None:
    if not values:
        _empty(op, member, out)
        return
    kinds = {_json_type(v.value) for v in values}
    if len(kinds) > 1:
        out.at(
            "INVALID_CONDITION_DATA_TYPE",
            member.value,
            f"the values of {member.key} mix JSON types ({', '.join(sorted(kinds))}); write them all alike",
        )
    texts = [(v, _text(v.value)) for v in values]
    if not op.operator.variables:
        with_variables = [node for node, text in texts if "${" in text]
        for node in with_variables:
            out.at(
                "INVALID_VARIABLE_FOR_OPERATOR",
                node,
                f"{op.operator.name} takes no policy variable (only String and ARN operators do)",
            )
        texts = [(node, text) for node, text in texts if node not in with_variables]
    if op.operator.family == "Null" and op.set_modifier is not None:
        out.add(
            "NULL_WITH_QUALIFIER",
            f"{op.text}: with {op.set_modifier} the Null operator is always "
            f"{'true' if op.set_modifier == 'ForAllValues' else 'false'}",
            member.value.path,
            member.key_pos,
        )
    _check_parsed(op, texts, out)
    _check_family(op, member, texts, out)
    _check_mfa(st, op, member, texts, out)


def _empty(op: OperatorName, member: JMember, out: Collector) -> None:
    if op.set_modifier == "ForAllValues":
        code, why = "EMPTY_ARRAY_CONDITION_FORALLVALUES", "matches only when the key is absent; use Null"
    elif op.set_modifier == "ForAnyValue":
        code, why = "EMPTY_ARRAY_CONDITION_FORANYVALUE", "never matches"
    elif op.if_exists:
        code, why = "EMPTY_ARRAY_CONDITION_IFEXISTS", "matches only when the key is absent; use Null"
    else:
        code, why = "EMPTY_ARRAY_CONDITION", "has no value to compare"
    out.at(code, member.value, f"{member.key} under {op.text} lists no value: the condition {why}")


def _check_parsed(op: OperatorName, texts: list[tuple[JScalar, str]], out: Collector) -> None:
    family, parse = op.operator.family, op.operator.parse
    codes = {
        "Numeric": ("TYPE_MISMATCH_NUMBER", "is not a number"),
        "Date": ("TYPE_MISMATCH_DATE", "is not a date (2026-01-31T00:00:00Z) or epoch seconds"),
        "Bool": ("TYPE_MISMATCH_BOOLEAN", "is not true or false"),
        "Null": ("TYPE_MISMATCH_BOOLEAN", "is not true or false"),
        "IPAddress": ("TYPE_MISMATCH_IP_RANGE", "is not an IP address or CIDR range"),
        "Binary": ("TYPE_MISMATCH_STRING", "is not base64"),
    }
    if family not in codes:
        return
    code, what = codes[family]
    parsed = set()
    for node, text in texts:
        value = parse(text)
        if value is None:
            out.at(code, node, f"{text!r} {what}")
        else:
            parsed.add(value)
    if family == "Bool" and len(parsed) > 1:
        out.at("INVALID_CONDITION_MULTIPLE_BOOLEAN", texts[0][0], "the condition lists both true and false")


def _check_family(op: OperatorName, member: JMember, texts: list[tuple[JScalar, str]], out: Collector) -> None:
    name, family, key = op.operator.name, op.operator.family, member.key.lower()
    if family == "String" and key in REGION_KEYS:
        for node, text in texts:
            if not is_pattern(text) and not is_region(text):
                out.at("INVALID_REGION", node, f"{text!r} is not an AWS Region, so {member.key} never equals it")
    if family == "String" and "Like" not in name:
        for node, text in texts:
            if "*" in _without_variables(text) or "?" in _without_variables(text):
                out.at(
                    "WILDCARD_WITHOUT_LIKE_OPERATOR",
                    node,
                    f"{text!r} holds a wildcard, which {name} compares as a character; use "
                    f"{name.replace('Equals', 'Like').replace('IgnoreCase', '')} to match a pattern",
                )
    elif family == "Date" and key not in _EPOCH_KEYS:
        for node, text in texts:
            if text.strip().lstrip("-").isdigit():
                out.at(
                    "INVALID_DATE_VALUE", node, f"{text!r} is epoch seconds; write the date as YYYY-MM-DD(Thh:mm:ssZ)"
                )
    elif family == "Numeric" and name in _BOUNDS and len(texts) > 1:
        out.add(
            "REDUNDANT_CONDITION_VALUE_NUM",
            f"{name} with several values: only the {'greatest' if 'Less' in name else 'least'} counts",
            member.value.path,
            member.key_pos,
        )
    elif family == "IPAddress":
        _check_addresses(op, member, texts, out)


def _check_addresses(op: OperatorName, member: JMember, texts: list[tuple[JScalar, str]], out: Collector) -> None:
    networks = []
    for node, text in texts:
        try:
            network = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            continue
        networks.append(network)
        try:
            ipaddress.ip_network(text.strip())
        except ValueError:
            out.at("IMPROVE_IP_RANGE", node, f"{text!r} has bits set past the mask, which are ignored; write {network}")
    if member.key.lower() != "aws:sourceip" or not networks:
        return
    private = [n for n in networks if any(_within(n, block) for block in PRIVATE_NETWORKS)]
    if not private:
        return
    negated = op.operator.negated
    if len(private) == len(networks):
        code = "PRIVATE_NOT_IP_ADDRESS" if negated else "PRIVATE_IP_ADDRESS"
    else:
        code = "PRIVATE_NOT_IP_ADDRESS_SUBSET" if negated else "PRIVATE_IP_ADDRESS_SUBSET"
    out.add(
        code,
        f"aws:SourceIp holds public addresses only; {', '.join(map(str, private))} never match it "
        "(use aws:VpcSourceIp for addresses in a VPC)",
        member.value.path,
        member.key_pos,
    )


def check_pairs(condition: JObject, out: Collector) -> None:
    """aws:VpcSourceIp without aws:SourceVpc in the same Condition element (the reference's "condition block")."""
    members = [m for op in condition.members if isinstance(op.value, JObject) for m in op.value.members]
    keys = {m.key.lower() for m in members}
    for member in members:
        pair = _PAIRS.get(member.key.lower())
        if pair is not None and pair[1] not in keys:
            out.add(
                "MISSING_PAIRED_CONDITION_KEYS",
                f"{member.key} is more secure paired with {pair[0]} in the same Condition element",
                member.value.path,
                member.key_pos,
            )


def _within(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network, block: ipaddress.IPv4Network | ipaddress.IPv6Network
) -> bool:
    return network.version == block.version and network.subnet_of(block)  # type: ignore[arg-type]


def _without_variables(text: str) -> str:
    """The text with ``${...}`` variables cut out (``${*}`` stands for a literal ``*``)."""
    out, rest = [], text
    while "${" in rest:
        head, _, tail = rest.partition("${")
        out.append(head)
        _, _, rest = tail.partition("}")
    out.append(rest)
    return "".join(out)


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "Boolean"
    return "number" if isinstance(value, int | float) else "string"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_mfa(
    st: Statement, op: OperatorName, member: JMember, texts: list[tuple[JScalar, str]], out: Collector
) -> None:
    if member.key.lower() != "aws:multifactorauthpresent" or op.operator.name != "Bool" or op.set_modifier is not None:
        return
    values = {text.lower() for _, text in texts}
    if st.effect == "Allow" and op.if_exists and "true" in values:
        out.add(
            "ALLOW_MFA_BOOL_IF_EXISTS",
            "BoolIfExists is true when the key is absent, as it is for long-term "
            "access keys: this allows them without MFA; use Bool",
            member.value.path,
            member.key_pos,
        )
    if st.effect == "Deny" and not op.if_exists and "false" in values:
        out.add(
            "DENY_MFA_BOOL_WITHOUT_IF_EXISTS",
            'Bool "false" does not match when the key is absent, as it is '
            "for long-term access keys: they are not denied; use BoolIfExists",
            member.value.path,
            member.key_pos,
        )
