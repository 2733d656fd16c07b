"""Principal checks for resource-based and trust policies: an Allow open to everyone, the role-assumption action
that fits each kind of principal, and OIDC trust without a subject condition."""

from __future__ import annotations

from iamwarden.policy.lint.actions import ResolvedActions
from iamwarden.policy.lint.findings import Collector, Statement, strings_of
from iamwarden.policy.lint.jsonpos import JNode, JObject, JScalar

#: Identity providers AWS knows by name in "Federated" (web identity), besides IAM OIDC provider ARNs.
WEB_IDENTITY_PROVIDERS = frozenset(
    {"cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com"}
)
#: The actions a role trust policy can allow.
TRUST_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
        "sts:assumeroot",
    }
)


def _principal_values(node: JNode | None) -> list[tuple[str, JScalar]]:
    """(principal type, value) pairs; ``"Principal": "*"`` is ("*", node)."""
    if isinstance(node, JScalar) and isinstance(node.value, str):
        return [("*", node)]
    if not isinstance(node, JObject):
        return []
    return [(member.key, value) for member in node.members for value in strings_of(member.value)]


def check_principals(st: Statement, resolved: ResolvedActions | None, out: Collector) -> None:
    if out.policy_type not in ("resource", "trust") or st.principal_key != "Principal":
        return
    principal = st.node.get("Principal")
    values = _principal_values(principal)
    everyone = any(value.value == "*" and kind == "AWS" for kind, value in values) or (
        out.policy_type == "resource" and any(kind == "*" and value.value == "*" for kind, value in values)
    )  # a trust policy's "Principal": "*" is ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL
    if st.effect == "Allow" and st.condition is None and principal is not None and everyone:
        what = "assume this role" if out.policy_type == "trust" else "use this resource"
        out.at(
            "ALLOW_TO_EVERYONE",
            principal,
            f"any AWS principal, in any account or anonymous, can {what}: "
            "name the principals or add a condition such as aws:PrincipalOrgID",
        )
    if out.policy_type != "trust" or resolved is None:
        return
    actions = {a.full_name.lower() for a in resolved.actions()}
    if resolved.has_star:
        actions |= TRUST_ACTIONS
    for entry, found in resolved.entries:
        names = {a.full_name.lower() for a in found}
        if names and not names & TRUST_ACTIONS and st.action_key == "Action":
            out.at(
                "UNSUPPORTED_ACTION_IN_TRUST_POLICY",
                entry,
                f"{entry.value!r} is not a role-assumption action (sts:AssumeRole*, sts:TagSession, ...)",
            )
    if st.action_key != "Action" or not resolved.complete:
        return
    _check_roles_anywhere(st, values, actions, out)
    for kind, value in values:
        text = str(value.value)
        if kind == "Federated":
            if ":saml-provider/" in text:
                needed = "sts:AssumeRoleWithSAML"
            elif ":oidc-provider/" in text or text in WEB_IDENTITY_PROVIDERS:
                needed = "sts:AssumeRoleWithWebIdentity"
                if st.effect == "Allow" and ":oidc-provider/" in text:
                    _check_oidc_subject(st, text.split(":oidc-provider/", 1)[1], value, out)
            else:
                continue
        elif kind in ("AWS", "Service", "*"):
            needed = "sts:AssumeRole"
        else:
            continue
        if needed.lower() not in actions:
            out.at(
                "MISMATCHED_ACTION_FOR_PRINCIPAL",
                value,
                f"this {kind} principal assumes a role with {needed}, which the statement does not allow",
            )


ROLES_ANYWHERE = "rolesanywhere.amazonaws.com"
#: What IAM Roles Anywhere's service principal needs to assume a role (IAM Roles Anywhere User Guide, "Trust model").
ROLES_ANYWHERE_ACTIONS = ("sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession")


def _check_roles_anywhere(st: Statement, values: list[tuple[str, JScalar]], actions: set[str], out: Collector) -> None:
    if st.effect != "Allow":
        return
    for kind, value in values:
        if kind == "Service" and value.value == ROLES_ANYWHERE:
            missing = [a for a in ROLES_ANYWHERE_ACTIONS if a.lower() not in actions]
            if missing:
                out.at(
                    "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY",
                    value,
                    f"{ROLES_ANYWHERE} assumes a role with {', '.join(ROLES_ANYWHERE_ACTIONS)}: add "
                    f"{', '.join(missing)}",
                )


def _check_oidc_subject(st: Statement, provider: str, value: JScalar, out: Collector) -> None:
    """An IAM OIDC provider trust should pin the token's subject (``<provider>:sub``): many identity providers
    (GitHub Actions, GitLab, Terraform Cloud) issue tokens to every customer, so audience alone admits them all."""
    keys: set[str] = set()
    if st.condition is not None:
        for op in st.condition.members:
            if isinstance(op.value, JObject):
                keys.update(m.key.lower() for m in op.value.members)
    if f"{provider.lower()}:sub" not in keys:
        out.at(
            "OIDC_TRUST_WITHOUT_SUBJECT",
            value,
            f"the statement trusts {provider} tokens without a condition on "
            f"{provider}:sub: any subject the provider issues tokens to (any repository, project, ...) can assume "
            "the role",
        )
