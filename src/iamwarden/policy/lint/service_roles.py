"""Allowing iam:PassRole or iam:CreateServiceLinkedRole on every role: Access Analyzer's PASS_ROLE_* and
CREATE_SLR_* checks ("IAM Access Analyzer policy check reference", the "Pass role with ..." security warnings and
the "Create SLR with ..." general warnings).

Each family has six codes, by how the statement reaches the action (named, through a wildcard action, or through
NotAction) and which roles it names (``"*"`` or every role, or NotResource). A resource names every role when it is
``"*"`` or a role ARN whose name is all wildcards (``arn:aws:iam::*:role/*``, ``.../role/service-role/*``); a name
with text in it (``role/AWSGlueServiceRole*``) is the naming convention the reference says the check accepts.

iam:PassedToService does not silence PASS_ROLE_*: it narrows the services a role can be passed to, not the roles
(the reference lists AWSServiceRoleForAmazonEKSNodegroup, whose PassRole on "*" carries that condition). An
iam:AWSServiceName condition that names services without wildcards does silence CREATE_SLR_*: it names the roles
(the reference lists AlexaForBusinessFullAccess, whose condition value is the pattern ``*a4b.amazonaws.com``).

Service and resource control policies grant nothing (their Allow only bounds what identity policies grant), so their
statements are not checked here.
"""

from __future__ import annotations

from dataclasses import dataclass

from iamwarden.policy.lint.actions import ResolvedActions
from iamwarden.policy.lint.findings import Collector, Statement, strings_of
from iamwarden.policy.lint.jsonpos import JObject, JScalar


@dataclass(frozen=True, slots=True)
class RoleAction:
    """One action that acts on many roles when granted broadly, and its six codes by statement shape."""

    action: str
    code_prefix: str
    what: str

    def code(self, how: str, resources: str) -> str:
        shape = {
            ("named", "star"): "WITH_STAR_IN_RESOURCE",
            ("wildcard", "star"): "WITH_STAR_IN_ACTION_AND_RESOURCE",
            ("notaction", "star"): "WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
            ("named", "notresource"): "WITH_NOT_RESOURCE",
            ("wildcard", "notresource"): "WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
            ("notaction", "notresource"): "WITH_NOT_ACTION_AND_NOT_RESOURCE",
        }[(how, resources)]
        return f"{self.code_prefix}_{shape}"


PASS_ROLE = RoleAction("iam:PassRole", "PASS_ROLE", "pass any role to a service")
CREATE_SLR = RoleAction("iam:CreateServiceLinkedRole", "CREATE_SLR", "create any service-linked role")


#: Policy types whose Allow grants (or, for a boundary, lets through) permissions; SCPs and RCPs only limit them,
#: and their Allow "*" (FullAWSAccess) passes no role by itself.
GRANTING_TYPES = frozenset({"identity", "boundary", "resource"})


def check_service_roles(st: Statement, resolved: ResolvedActions, out: Collector) -> None:
    if st.effect != "Allow" or st.resource_node is None or out.policy_type not in GRANTING_TYPES:
        return
    for role_action in (PASS_ROLE, CREATE_SLR):
        how = _how_granted(st, resolved, role_action.action)
        if how is None:
            continue
        if role_action is CREATE_SLR and _names_services(st):
            continue
        _report(st, role_action, how, out)


def _how_granted(st: Statement, resolved: ResolvedActions, action: str) -> str | None:
    """``named``, ``wildcard`` or ``notaction``: how the statement grants ``action``; ``None`` if it does not."""
    if st.action_key == "NotAction":
        listed = resolved.has_star or any(action in names for names in resolved.names)
        return None if listed else "notaction"
    named, wildcard = False, resolved.has_star
    for (entry, _), names in zip(resolved.entries, resolved.names, strict=True):
        if action in names:
            if _is_wildcard(str(entry.value)):
                wildcard = True
            else:
                named = True
    if named:
        return "named"
    return "wildcard" if wildcard else None


def _report(st: Statement, role_action: RoleAction, how: str, out: Collector) -> None:
    assert st.resource_node is not None
    if st.resource_key == "NotResource":
        if any(entry.value == "*" for entry in st.resources):
            return  # NotResource "*" matches nothing
        code = role_action.code(how, "notresource")
        out.at(code, st.resource_node, f"{role_action.action} with NotResource can {role_action.what} not listed")
        return
    every = next((entry for entry in st.resources if every_role(str(entry.value))), None)
    if every is None:
        return
    code = role_action.code(how, "star")
    through = {"named": "", "wildcard": " (through a wildcard action)", "notaction": " (through NotAction)"}[how]
    out.at(code, every, f"{role_action.action}{through} on {every.value!r} can {role_action.what}")


def every_role(resource: str) -> bool:
    """``"*"``, or an IAM ARN whose role name is only wildcards (every role, or every role under a path).

    >>> [every_role(r) for r in ("*", "arn:aws:iam::*:role/*", "arn:aws:iam::*:role/AWSGlue*", "arn:aws:iam::1:*")]
    [True, True, False, True]
    """
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[2] not in ("iam", "*"):
        return False
    rest = parts[5]
    if not rest.strip("*"):
        return True
    if not rest.startswith("role/"):
        return False
    return not rest.rsplit("/", 1)[-1].strip("*?")


def _is_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _names_services(st: Statement) -> bool:
    """Whether an iam:AWSServiceName condition limits the statement to services named without wildcards."""
    if st.condition is None:
        return False
    for op in st.condition.members:
        if "Not" in op.key or op.key.startswith(("Null", "ForAllValues")) or not isinstance(op.value, JObject):
            continue
        for member in op.value.members:
            if member.key.lower() != "iam:awsservicename":
                continue
            values = strings_of(member.value)
            if values and not any(_is_wildcard(str(v.value)) for v in values if isinstance(v, JScalar)):
                return True
    return False
