"""Tag condition keys with actions of services that do not support them: Access Analyzer's
``ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE`` and ``DENY_WITH_...`` (and their NotAction forms)
("IAM Access Analyzer policy check reference": Suggestion - Allow with unsupported tag condition key for service,
Security Warning - Deny with unsupported tag condition key for service, and the NotAction sections).

A tag key (``aws:ResourceTag/...``, ``aws:RequestTag/...``, ``aws:TagKeys``) is in a request's context only when
the action supports it; for the other actions the condition is false, so an Allow never allows them and a Deny
never denies them. The catalogue lists, per action, the keys its requests carry (on the action, its resource-type
rows and the resource types). A service is reported when none of the statement's actions of that service supports
the key (a service that supports it for some of the listed actions is the "subset" case the reference describes;
its other actions are left to the per-action check, ``CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS``, which skips global
keys). With NotAction the statement covers actions of every service, today's and future ones, some of which never
carry the key.
"""

from __future__ import annotations

from iamwarden.policy.catalogue import Catalogue
from iamwarden.policy.lint.actions import ResolvedActions
from iamwarden.policy.lint.findings import Collector, Statement
from iamwarden.policy.lint.jsonpos import JMember, JObject

TAG_KEY_PREFIXES = ("aws:resourcetag/", "aws:requesttag/")
TAG_KEYS = frozenset({"aws:tagkeys"})


def is_tag_key(name: str) -> bool:
    low = name.lower()
    return low in TAG_KEYS or (low.startswith(TAG_KEY_PREFIXES) and len(low) > len("aws:resourcetag/"))


def check_tag_keys(st: Statement, resolved: ResolvedActions | None, cat: Catalogue, out: Collector) -> None:
    if st.condition is None or resolved is None or st.effect is None:
        return
    members = [m for m in _key_members(st.condition) if is_tag_key(m.key)]
    if not members:
        return
    allow = st.effect == "Allow"
    if st.action_key == "NotAction":
        code = (
            "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE"
            if allow
            else "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE"
        )
        for member in members:
            what = "allows only" if allow else "denies only"
            out.add(
                code,
                f"NotAction covers actions that never carry {member.key}: the statement {what} the ones that do; "
                "list the actions instead",
                member.value.path,
                member.key_pos,
            )
        return
    if resolved.has_star:
        return
    by_service: dict[str, bool] = {}
    for member in members:
        by_service.clear()
        for action in resolved.actions():
            supported = cat.action_supports_key(action, member.key)
            by_service[action.service] = by_service.get(action.service, False) or supported
        unsupported = sorted(service for service, ok in by_service.items() if not ok)
        if not unsupported:
            continue
        if allow:
            code = "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE"
            effect = "never allows"
        else:
            code = "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE"
            effect = "never denies"
        out.add(
            code,
            f"the statement's {', '.join(unsupported)} actions never carry {member.key}, so it {effect} them; "
            "move them to a statement without the key",
            member.value.path,
            member.key_pos,
        )


def _key_members(condition: JObject) -> list[JMember]:
    return [key for op in condition.members if isinstance(op.value, JObject) for key in op.value.members]
