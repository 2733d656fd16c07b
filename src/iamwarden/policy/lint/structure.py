"""The policy's shape: top-level and statement elements, Version, Sid, Effect, Principal rules per policy type, and
the size quota. Builds the :class:`Statement` views the other checks read."""

from __future__ import annotations

import json
import re
from typing import Literal

from iamwarden.policy.lint.findings import Collector, Statement, strings_of, type_name
from iamwarden.policy.lint.formats import check_service_principal
from iamwarden.policy.lint.jsonpos import JArray, JNode, JObject, JScalar, to_python

IdentityKind = Literal["managed", "user", "role", "group"]

TOP_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
VERSIONS = ("2012-10-17", "2008-10-17")
PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
_IAM_TYPES = ("identity", "trust", "permission_boundary", "scp", "rcp")
_SID = re.compile(r"[A-Za-z0-9]*\Z")
_ACCOUNT = re.compile(r"[0-9]{12}\Z")

#: Characters AWS accepts per policy (identity quotas are per policy; inline quotas are the principal's total).
IDENTITY_QUOTAS: dict[IdentityKind, tuple[int, str]] = {
    "managed": (6144, "a managed policy"),
    "user": (2048, "a user's inline policies"),
    "role": (10240, "a role's inline policies"),
    "group": (5120, "a group's inline policies"),
}
TRUST_QUOTA = 2048
ORG_POLICY_QUOTA = 5120


_STRING_OR_SPACE = re.compile(r'"(?:[^"\\]|\\[\s\S])*(?:"|\\?\Z)|([ \t\r\n]+)')
"""A string (to its closing quote, or to the end of an unterminated one) or a run of whitespace outside strings."""


def aws_size(text: str) -> int:
    """The length AWS counts for IAM quotas: every character except whitespace outside strings."""
    text = text.removeprefix("\ufeff")
    if not any(ch in text for ch in " \t\r\n"):
        return len(text)
    outside = sum(len(m.group(1)) for m in _STRING_OR_SPACE.finditer(text) if m.group(1))
    return len(text) - outside


def check_size(text: str, out: Collector, root: JNode, identity_kind: IdentityKind) -> None:
    size = aws_size(text)
    kind = out.policy_type
    if kind in ("identity", "permission_boundary"):
        quota, what = IDENTITY_QUOTAS["managed" if kind == "permission_boundary" else identity_kind]
        if size > quota:
            out.at(
                "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
                root,
                f"{size:,} characters (whitespace outside strings not counted); {what} may hold {quota:,}",
            )
    elif kind == "trust":
        if size > TRUST_QUOTA:
            out.at(
                "POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA",
                root,
                f"{size:,} characters (whitespace outside strings not counted); a role trust policy may hold "
                f"{TRUST_QUOTA:,} by default (the quota can be raised to 8,192 in Service Quotas)",
            )
    elif kind in ("scp", "rcp"):
        written = len(text.removeprefix("\ufeff"))
        if written > ORG_POLICY_QUOTA:
            out.at(
                "POLICY_SIZE_EXCEEDS_SCP_QUOTA" if kind == "scp" else "POLICY_SIZE_EXCEEDS_RCP_QUOTA",
                root,
                f"{written:,} characters as written ({size:,} without whitespace outside strings: the console "
                f"strips it, the API and CLI keep it); an {kind.upper()} may hold {ORG_POLICY_QUOTA:,}",
            )


def _suggest(name: str, known: tuple[str, ...]) -> str:
    for candidate in known:
        if candidate.lower() == name.lower():
            return f" (did you mean {candidate!r}? element names are case-sensitive)"
    return ""


def _duplicates(obj: JObject, out: Collector) -> None:
    seen: set[str] = set()
    for member in obj.members:
        if member.key in seen:
            out.add("DUPLICATE_KEY", f"{member.key!r} appears more than once here", member.value.path, member.key_pos)
        seen.add(member.key)


def check_document(root: JNode, out: Collector) -> list[Statement]:
    """Check the top level and every statement; return the statements to check further."""
    if not isinstance(root, JObject):
        out.at("DATA_TYPE_MISMATCH", root, f"a policy is a JSON object, not {type_name(root)}")
        return []
    _duplicates(root, out)
    for member in root.members:
        if member.key not in TOP_ELEMENTS:
            hint = _suggest(member.key, TOP_ELEMENTS)
            out.add(
                "INVALID_POLICY_ELEMENT",
                f"{member.key!r} is not a policy element{hint}",
                member.value.path,
                member.key_pos,
            )
    version = root.get("Version")
    if version is None:
        out.at("MISSING_VERSION", root, 'the policy has no Version; add "Version": "2012-10-17"')
    elif not (isinstance(version, JScalar) and isinstance(version.value, str)):
        out.at("DATA_TYPE_MISMATCH", version, f"Version is a string, not {type_name(version)}")
    elif version.value not in VERSIONS:
        out.at("INVALID_VERSION", version, f'{version.value!r} is not a policy version; use "2012-10-17"')
    identifier = root.get("Id")
    if identifier is not None and not (isinstance(identifier, JScalar) and isinstance(identifier.value, str)):
        out.at("DATA_TYPE_MISMATCH", identifier, f"Id is a string, not {type_name(identifier)}")

    body = root.get("Statement")
    if body is None:
        out.at("MISSING_STATEMENT", root, "the policy has no Statement")
        return []
    if isinstance(body, JObject):
        nodes: tuple[JNode, ...] = (body,)
    elif isinstance(body, JArray):
        nodes = body.items
        if not nodes:
            out.at("MISSING_STATEMENT", body, "the Statement list is empty")
    else:
        out.at("DATA_TYPE_MISMATCH", body, f"Statement is an object or a list of objects, not {type_name(body)}")
        return []

    statements: list[Statement] = []
    sids: dict[str, int] = {}
    for index, node in enumerate(nodes):
        if not isinstance(node, JObject):
            out.at("DATA_TYPE_MISMATCH", node, f"a statement is an object, not {type_name(node)}")
            continue
        statements.append(_statement(index, node, out, sids))
    return statements


def _string_or_list(node: JNode, name: str, out: Collector) -> None:
    """Report entries that are not strings in a string-or-list element."""
    if isinstance(node, JScalar) and isinstance(node.value, str):
        return
    if isinstance(node, JArray):
        for item in node.items:
            if not (isinstance(item, JScalar) and isinstance(item.value, str)):
                out.at("DATA_TYPE_MISMATCH", item, f"{name} entries are strings, not {type_name(item)}")
        return
    out.at("DATA_TYPE_MISMATCH", node, f"{name} is a string or a list of strings, not {type_name(node)}")


def _statement(index: int, node: JObject, out: Collector, sids: dict[str, int]) -> Statement:
    st = Statement(index=index, node=node)
    kind = out.policy_type
    _duplicates(node, out)
    for member in node.members:
        if member.key not in STATEMENT_ELEMENTS:
            hint = _suggest(member.key, STATEMENT_ELEMENTS)
            out.add(
                "INVALID_POLICY_ELEMENT",
                f"{member.key!r} is not a statement element{hint}",
                member.value.path,
                member.key_pos,
            )

    sid = node.get("Sid")
    if sid is not None:
        if not (isinstance(sid, JScalar) and isinstance(sid.value, str)):
            out.at("DATA_TYPE_MISMATCH", sid, f"Sid is a string, not {type_name(sid)}")
        elif not sid.value:
            out.at("EMPTY_SID_VALUE", sid, "the Sid is an empty string")
        else:
            if kind in _IAM_TYPES and not _SID.match(sid.value):
                out.at("UNSUPPORTED_SID", sid, f"Sid {sid.value!r} may hold only A-Z, a-z and 0-9")
            if sid.value in sids:
                code = "UNIQUE_SIDS_REQUIRED" if kind in _IAM_TYPES else "UNIQUE_SIDS_RECOMMENDED"
                out.at(code, sid, f"Sid {sid.value!r} is also the Sid of statement {sids[sid.value]}")
            sids.setdefault(sid.value, index)

    effect = node.get("Effect")
    if effect is None:
        out.at("MISSING_EFFECT", node, "the statement has no Effect")
    elif not (isinstance(effect, JScalar) and isinstance(effect.value, str)):
        out.at("DATA_TYPE_MISMATCH", effect, f"Effect is a string, not {type_name(effect)}")
    elif effect.value not in ("Allow", "Deny"):
        out.at("INVALID_EFFECT", effect, f'Effect is "Allow" or "Deny", not {effect.value!r}')
    else:
        st.effect = effect.value

    # Action / NotAction
    action, not_action = node.get("Action"), node.get("NotAction")
    if action is not None and not_action is not None:
        out.at("UNSUPPORTED_ELEMENT_COMBINATION", not_action, "a statement has Action or NotAction, not both")
    if action is None and not_action is None:
        out.at("MISSING_ACTION", node, "the statement has no Action or NotAction")
    chosen = action if action is not None else not_action
    if chosen is not None:
        st.action_key = "Action" if action is not None else "NotAction"
        st.action_node = chosen
        _string_or_list(chosen, st.action_key, out)
        st.actions = strings_of(chosen)
        if isinstance(chosen, JArray) and not chosen.items:
            out.at("EMPTY_ARRAY_ACTION", chosen, f"{st.action_key} is an empty list")

    # Resource / NotResource
    resource, not_resource = node.get("Resource"), node.get("NotResource")
    if resource is not None and not_resource is not None:
        out.at("UNSUPPORTED_ELEMENT_COMBINATION", not_resource, "a statement has Resource or NotResource, not both")
    chosen = resource if resource is not None else not_resource
    if chosen is None:
        if kind not in ("trust",):
            out.at("MISSING_RESOURCE", node, "the statement has no Resource or NotResource")
    elif kind == "trust":
        key = "Resource" if resource is not None else "NotResource"
        what = f"a role trust policy takes no {key}: the role is the resource"
        out.at("ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", chosen, what)
    else:
        st.resource_key = "Resource" if resource is not None else "NotResource"
        st.resource_node = chosen
        _string_or_list(chosen, st.resource_key, out)
        st.resources = strings_of(chosen)
        if isinstance(chosen, JArray) and not chosen.items:
            out.at("EMPTY_ARRAY_RESOURCE", chosen, f"{st.resource_key} is an empty list")

    _principal(st, node, out)

    condition = node.get("Condition")
    if condition is not None:
        if isinstance(condition, JObject):
            st.condition = condition
        else:
            out.at("DATA_TYPE_MISMATCH", condition, f"Condition is an object, not {type_name(condition)}")

    if st.effect == "Allow":
        if st.action_key == "NotAction" and st.action_node is not None:
            out.at(
                "ALLOW_WITH_NOT_ACTION",
                st.action_node,
                "Allow with NotAction allows every action not listed, in every service",
            )
        if st.resource_key == "NotResource" and st.resource_node is not None:
            out.at(
                "ALLOW_WITH_NOT_RESOURCE",
                st.resource_node,
                "Allow with NotResource allows the actions on every resource not listed",
            )
    if kind == "rcp":
        _rcp_statement(st, out)
    return st


def _rcp_statement(st: Statement, out: Collector) -> None:
    """What an RCP statement may not say beyond its Principal (Organizations' RCP syntax): no NotAction, and an Allow
    only on every resource, without a condition."""
    if st.action_key == "NotAction" and st.action_node is not None:
        out.at("RCP_SYNTAX_ERROR_NOTACTION", st.action_node, "an RCP takes no NotAction: list the actions in Action")
    if st.effect != "Allow":
        return
    if st.resource_node is not None and (
        st.resource_key != "Resource" or any(entry.value != "*" for entry in st.resources)
    ):
        out.at("RCP_SYNTAX_ERROR_ALLOW", st.resource_node, 'an Allow in an RCP takes only "Resource": "*"')
    if st.condition is not None:
        out.at("RCP_SYNTAX_ERROR_ALLOW", st.condition, "an Allow in an RCP takes no Condition")


def _principal(st: Statement, node: JObject, out: Collector) -> None:
    kind = out.policy_type
    principal, not_principal = node.get("Principal"), node.get("NotPrincipal")
    if principal is not None and not_principal is not None:
        out.at("UNSUPPORTED_ELEMENT_COMBINATION", not_principal, "a statement has Principal or NotPrincipal, not both")
    chosen = principal if principal is not None else not_principal
    key = "Principal" if principal is not None else "NotPrincipal"
    if kind in ("identity", "permission_boundary"):
        if chosen is not None:
            what = "an identity-based policy" if kind == "identity" else "a permissions boundary"
            out.at("UNSUPPORTED_PRINCIPAL", chosen, f"{what} cannot name a {key}: it applies to its principal")
        return
    if kind == "scp":
        if chosen is not None:
            out.at("SCP_SYNTAX_ERROR_PRINCIPAL", chosen, f"an SCP cannot name a {key}; use aws:PrincipalArn")
        return
    if kind == "rcp":
        if chosen is None:
            out.at("MISSING_PRINCIPAL", node, 'an RCP statement needs "Principal": "*"')
        elif not_principal is not None or not (isinstance(chosen, JScalar) and chosen.value == "*"):
            out.at("RCP_SYNTAX_ERROR_PRINCIPAL", chosen, f'an RCP takes only "Principal": "*", not this {key}')
        return
    # resource and trust policies
    if chosen is None:
        out.at("MISSING_PRINCIPAL", node, "the statement names no Principal")
        return
    if kind == "trust" and not_principal is not None:
        what = "a role trust policy takes no NotPrincipal"
        out.at("ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", not_principal, what)
        return
    if kind == "trust" and isinstance(chosen, JScalar) and chosen.value == "*":
        out.at(
            "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
            chosen,
            'a role trust policy takes no "Principal": "*": name who may assume the role',
        )
        return
    st.principal_key = key
    if st.effect == "Allow" and not_principal is not None:
        out.at("ALLOW_WITH_NOT_PRINCIPAL", not_principal, "Allow with NotPrincipal allows everyone not listed")
    if isinstance(chosen, JScalar) and chosen.value == "*":
        return
    if isinstance(chosen, JScalar) and isinstance(chosen.value, str):
        out.at("INVALID_PRINCIPAL_FORMAT", chosen, f'{key} is "*" or an object such as {{"AWS": {chosen.value!r}}}')
        return
    if not isinstance(chosen, JObject):
        out.at(
            "DATA_TYPE_MISMATCH", chosen, f'{key} is "*" or an object such as {{"AWS": ...}}, not {type_name(chosen)}'
        )
        return
    if not chosen.members:
        out.at("EMPTY_OBJECT_PRINCIPAL", chosen, f"the {key} object names no principal")
    for member in chosen.members:
        if member.key not in PRINCIPAL_KEYS:
            out.add(
                "INVALID_PRINCIPAL_KEY",
                f"{member.key!r} is not a principal type ({', '.join(PRINCIPAL_KEYS)})",
                member.value.path,
                member.key_pos,
            )
            continue
        _string_or_list(member.value, f"{key}.{member.key}", out)
        if isinstance(member.value, JArray) and not member.value.items:
            out.at("EMPTY_ARRAY_PRINCIPAL", member.value, f"{key}.{member.key} is an empty list")
        for value in strings_of(member.value):
            _principal_value(member.key, value, out)


_UNIQUE_ID = {"AROA": ("INVALID_ROLE_REFERENCE", "role"), "AIDA": ("INVALID_USER_REFERENCE", "user")}


def _principal_value(principal_type: str, value: JScalar, out: Collector) -> None:
    text = str(value.value)
    if text == "*":
        return
    if "*" in text or "?" in text:
        out.at("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", value, f"{text!r}: a principal takes no wildcard; name it")
        return
    if principal_type == "AWS" and _UNIQUE_ID_TEXT.match(text):
        code, what = _UNIQUE_ID[text[:4]]
        out.at(code, value, f"{text!r} is a {what}'s unique ID; name the {what} by its ARN")
    if principal_type == "Service":
        check_service_principal(value, out)
    if principal_type == "Federated" and out.policy_type == "trust" and not _FEDERATED.match(text):
        out.at(
            "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY",
            value,
            f"{text!r} is neither an identity provider's domain name nor a SAML or OIDC provider ARN",
        )


_FEDERATED = re.compile(
    r"(?:arn:[a-z-]+:iam::[0-9]{12}:(?:saml-provider|oidc-provider)/\S+"
    r"|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)\Z"
)
"""A Federated principal: the ARN of an IAM SAML or OIDC provider, or a domain name (cognito-identity.amazonaws.com,
accounts.google.com, ...)."""


_UNIQUE_ID_TEXT = re.compile(r"(AROA|AIDA)[A-Z0-9]{12,}\Z")


def check_redundant_statements(statements: list[Statement], out: Collector) -> None:
    """Statements that say the same thing (Sid aside) as an earlier one."""
    seen: dict[str, int] = {}
    for st in statements:
        body = {m.key: to_python(m.value) for m in st.node.members if m.key != "Sid"}
        text = json.dumps(body, sort_keys=True)
        if text in seen:
            out.at("REDUNDANT_STATEMENT", st.node, f"the statement repeats statement {seen[text]}")
        else:
            seen[text] = st.index
