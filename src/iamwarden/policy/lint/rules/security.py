"""SECURITY_WARNING: valid, but grants more than it seems to."""

from __future__ import annotations

from iamwarden.policy.lint.rules.base import Rule, aa, ours

_PASS_ROLE_HELP = (
    "lets the caller hand roles, an administrator's too, to services it controls. Name the roles in Resource; "
    "iam:PassedToService narrows the services but not the roles."
)

RULES: tuple[Rule, ...] = (
    ours(
        "ALLOW_WITH_NOT_ACTION",
        "SECURITY_WARNING",
        "Allow with NotAction",
        "Allow with NotAction grants every action not listed, of every service, including ones added later.",
    ),
    ours(
        "ALLOW_WITH_NOT_RESOURCE",
        "SECURITY_WARNING",
        "Allow with NotResource",
        "Allow with NotResource grants the actions on every resource not listed, including ones created later.",
    ),
    aa(
        "ALLOW_WITH_NOT_PRINCIPAL",
        "SECURITY_WARNING",
        "Allow with NotPrincipal",
        "Allow with NotPrincipal grants everyone not listed, anonymous users included.",
    ),
    aa(
        "PASS_ROLE_WITH_STAR_IN_RESOURCE",
        "SECURITY_WARNING",
        "Pass role with star in resource",
        f'iam:PassRole on "*" (or every role, arn:aws:iam::*:role/*) {_PASS_ROLE_HELP}',
    ),
    aa(
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
        "SECURITY_WARNING",
        "Pass role with star in action and resource",
        f'A wildcard action that includes iam:PassRole, on "*" or every role, {_PASS_ROLE_HELP}',
    ),
    aa(
        "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
        "SECURITY_WARNING",
        "Pass role with star in resource and NotAction",
        f'NotAction that does not list iam:PassRole, on "*" or every role, {_PASS_ROLE_HELP}',
        anchor="pass-role-with-star-in-resource-and-not-action",
    ),
    aa(
        "PASS_ROLE_WITH_NOT_RESOURCE",
        "SECURITY_WARNING",
        "Pass role with NotResource",
        f"iam:PassRole with NotResource, on every role not listed, {_PASS_ROLE_HELP}",
        anchor="pass-role-with-not-resource",
    ),
    aa(
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
        "SECURITY_WARNING",
        "Pass role with star in action and NotResource",
        f"A wildcard action that includes iam:PassRole, with NotResource, {_PASS_ROLE_HELP}",
        anchor="pass-role-with-star-in-action-and-not-resource",
    ),
    aa(
        "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
        "SECURITY_WARNING",
        "Pass role with NotAction and NotResource",
        f"NotAction that does not list iam:PassRole, with NotResource, {_PASS_ROLE_HELP}",
        anchor="pass-role-with-not-action-and-not-resource",
    ),
    ours(
        "ALLOW_TO_EVERYONE",
        "SECURITY_WARNING",
        "Allow to everyone",
        'Principal "*" (or {"AWS": "*"}) with no condition: any AWS principal, in any account, and for some '
        "services anonymous users, get the access.",
    ),
    ours(
        "OIDC_TRUST_WITHOUT_SUBJECT",
        "SECURITY_WARNING",
        "OIDC trust without a subject condition",
        "The role trusts an OIDC provider's tokens with no condition on <provider>:sub; providers such as GitHub "
        "Actions issue tokens to everyone, so anyone's workflow could assume the role.",
    ),
    aa(
        "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
        "SECURITY_WARNING",
        "ForAllValues with single valued key",
        "ForAllValues is true when the key is absent; on a single-valued key it can allow more than intended.",
    ),
    aa(
        "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
        "SECURITY_WARNING",
        "Deny with unsupported tag condition key for service",
        "A Deny conditioned on a tag key (aws:ResourceTag, aws:RequestTag, aws:TagKeys) does not deny the actions "
        "of services that do not support that key: the key is never in their requests.",
    ),
    aa(
        "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
        "SECURITY_WARNING",
        "Deny NotAction with unsupported tag condition key for service",
        "A Deny with NotAction conditioned on a tag key does not deny the actions (today's and future ones) that "
        "do not support the key. List the actions to deny instead.",
        anchor="deny-notaction-with-unsupported-tag-condition-key-for-service",
    ),
    aa(
        "MISSING_PAIRED_CONDITION_KEYS",
        "SECURITY_WARNING",
        "Missing paired condition keys",
        "aws:VpcSourceIp is more secure paired with aws:SourceVpc in the same condition block: the same private "
        "address exists in every VPC.",
    ),
    ours(
        "ALLOW_MFA_BOOL_IF_EXISTS",
        "SECURITY_WARNING",
        "Allow with BoolIfExists on aws:MultiFactorAuthPresent",
        "Requests signed with long-term access keys carry no aws:MultiFactorAuthPresent, so BoolIfExists is true "
        "for them: the statement allows access-key calls without MFA. Use Bool.",
    ),
    ours(
        "DENY_MFA_BOOL_WITHOUT_IF_EXISTS",
        "SECURITY_WARNING",
        "Deny with Bool false on aws:MultiFactorAuthPresent",
        'Long-term access keys carry no aws:MultiFactorAuthPresent, so Bool "false" does not deny them. Use '
        'BoolIfExists (or Null "true" in a second statement).',
    ),
)
