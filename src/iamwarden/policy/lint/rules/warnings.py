"""WARNING (Access Analyzer's "general warning"): probably not what was meant."""

from __future__ import annotations

from iamwarden.policy.lint.rules.base import Rule, aa, ours

_SLR_HELP = (
    "lets the caller create service-linked roles for services it should not use. Name the roles in Resource "
    "(arn:aws:iam::*:role/aws-service-role/SERVICE/...) or limit iam:AWSServiceName."
)

RULES: tuple[Rule, ...] = (
    aa(
        "MISSING_VERSION",
        "WARNING",
        "Missing version",
        'Without "Version": "2012-10-17", policy variables such as ${aws:username} are not replaced.',
    ),
    aa(
        "UNIQUE_SIDS_RECOMMENDED",
        "WARNING",
        "Unique Sids recommended",
        "Two statements share a Sid; unique statement IDs keep a policy readable and its statements addressable.",
    ),
    aa(
        "CREATE_SLR_WITH_STAR_IN_RESOURCE",
        "WARNING",
        "Create SLR with star in resource",
        f'iam:CreateServiceLinkedRole on "*" (or every role) {_SLR_HELP}',
    ),
    aa(
        "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
        "WARNING",
        "Create SLR with star in action and resource",
        f'A wildcard action ("*", "iam:*", "iam:Create*") that includes iam:CreateServiceLinkedRole, on "*", '
        f"{_SLR_HELP}",
    ),
    aa(
        "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
        "WARNING",
        "Create SLR with star in resource and NotAction",
        f'NotAction that does not list iam:CreateServiceLinkedRole, on "*", {_SLR_HELP}',
        anchor="create-slr-with-star-in-resource-and-not-action",
    ),
    aa(
        "CREATE_SLR_WITH_NOT_RESOURCE",
        "WARNING",
        "Create SLR with NotResource",
        f"iam:CreateServiceLinkedRole with NotResource {_SLR_HELP}",
        anchor="create-slr-with-not-resource",
    ),
    aa(
        "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
        "WARNING",
        "Create SLR with star in action and NotResource",
        f"A wildcard action that includes iam:CreateServiceLinkedRole, with NotResource, {_SLR_HELP}",
        anchor="create-slr-with-star-in-action-and-not-resource",
    ),
    aa(
        "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE",
        "WARNING",
        "Create SLR with NotAction and NotResource",
        f"NotAction that does not list iam:CreateServiceLinkedRole, with NotResource, {_SLR_HELP}",
        anchor="create-slr-with-not-action-and-not-resource",
    ),
    aa(
        "INVALID_ROLE_REFERENCE",
        "WARNING",
        "Invalid role reference",
        "The Principal names a role by its unique ID (AROA...); name it by ARN, which survives the role being "
        "recreated.",
    ),
    aa(
        "INVALID_USER_REFERENCE",
        "WARNING",
        "Invalid user reference",
        "The Principal names a user by its unique ID (AIDA...); name it by ARN, which survives the user being "
        "recreated.",
    ),
    aa(
        "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        "WARNING",
        "Policy size exceeds identity policy quota",
        "The policy is longer than AWS accepts for this kind of policy (whitespace outside strings not counted).",
    ),
    ours(
        "UNSUPPORTED_ACTION_IN_TRUST_POLICY",
        "WARNING",
        "Action not for trust policies",
        "A role trust policy controls only sts:AssumeRole*, sts:TagSession, sts:SetSourceIdentity and "
        "sts:SetContext; other actions in it do nothing.",
    ),
    ours(
        "DUPLICATE_KEY",
        "WARNING",
        "Duplicate key",
        "The same key appears twice in one object; only one of them counts.",
    ),
    aa(
        "TYPE_MISMATCH",
        "WARNING",
        "Type mismatch",
        "The operator compares a different type than the key holds (a String operator on a Boolean key such as "
        "aws:ViaAWSService, Bool on a string key, Numeric on an ARN ...); use the operator of the key's type.",
    ),
    aa(
        "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS",
        "WARNING",
        "String like operator with ARN condition keys",
        "StringLike (or StringNotLike) on a key that holds ARNs: ArnLike matches ARNs field by field, as meant.",
    ),
    ours(
        "FORANYVALUE_WITH_SINGLE_VALUED_KEY",
        "WARNING",
        "ForAnyValue with single valued key",
        "ForAnyValue is meant for multivalued keys; on a single-valued key drop the qualifier.",
    ),
    ours(
        "CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS",
        "WARNING",
        "Condition key not supported by the statement's actions",
        "None of the statement's actions has this key in its request context: an Allow never matches, a Deny "
        "never applies (unless ...IfExists).",
    ),
    ours(
        "RESOURCE_NOT_USED_BY_ACTIONS",
        "WARNING",
        "Resource not used by the statement's actions",
        "The ARN is of a resource type none of the statement's actions acts on (a bucket ARN for s3:GetObject, "
        "which acts on objects): that entry grants or denies nothing.",
    ),
    aa(
        "WILDCARD_WITHOUT_LIKE_OPERATOR",
        "WARNING",
        "Wildcard without like operator",
        "A value holds * or ?, which StringEquals (and the other non-Like operators) compare as characters; use "
        "StringLike to match a pattern.",
    ),
    aa(
        "INVALID_DATE_VALUE",
        "WARNING",
        "Invalid date value",
        "A date written as epoch seconds might not resolve as expected; write YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.",
    ),
    aa(
        "TYPE_MISMATCH_STRING",
        "WARNING",
        "Type mismatch string",
        "BinaryEquals takes base64-encoded values.",
    ),
    aa("TYPE_MISMATCH_NUMBER", "WARNING", "Type mismatch number", "Numeric operators need numeric values."),
    aa(
        "TYPE_MISMATCH_DATE",
        "WARNING",
        "Type mismatch date",
        "Date operators need an ISO 8601 date (2026-01-31T00:00:00Z) or epoch seconds.",
    ),
    aa("TYPE_MISMATCH_BOOLEAN", "WARNING", "Type mismatch Boolean", 'Bool takes "true" or "false".'),
    aa("TYPE_MISMATCH_IP_RANGE", "WARNING", "Type mismatch IP range", "IP operators need an IP address or CIDR range."),
)
