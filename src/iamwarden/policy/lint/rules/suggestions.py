"""SUGGESTION: works, could be tidier."""

from __future__ import annotations

from iamwarden.policy.lint.rules.base import Rule, aa

RULES: tuple[Rule, ...] = (
    aa(
        "REDUNDANT_ACTION",
        "SUGGESTION",
        "Redundant action",
        "Another entry of the statement already covers this action.",
    ),
    aa(
        "REDUNDANT_RESOURCE",
        "SUGGESTION",
        "Redundant resource",
        "Another entry of the statement already covers this ARN.",
    ),
    aa(
        "REDUNDANT_STATEMENT",
        "SUGGESTION",
        "Redundant statement",
        "The policy holds this statement twice; remove one (an edit to one copy would leave the other).",
    ),
    aa("EMPTY_ARRAY_ACTION", "SUGGESTION", "Empty array action", "The statement lists no action: it does nothing."),
    aa(
        "EMPTY_ARRAY_RESOURCE",
        "SUGGESTION",
        "Empty array resource",
        "The statement lists no resource: it does nothing.",
    ),
    aa(
        "EMPTY_ARRAY_PRINCIPAL",
        "SUGGESTION",
        "Empty array principal",
        "The statement names no principal in this list: it does nothing.",
    ),
    aa(
        "EMPTY_OBJECT_PRINCIPAL",
        "SUGGESTION",
        "Empty object principal",
        "The Principal object is empty: the statement does nothing.",
    ),
    aa("EMPTY_OBJECT_CONDITION", "SUGGESTION", "Empty object condition", "The Condition element is empty; remove it."),
    aa(
        "EMPTY_ARRAY_CONDITION",
        "SUGGESTION",
        "Empty array condition",
        "The condition key lists no value: the condition has nothing to compare.",
    ),
    aa(
        "EMPTY_ARRAY_CONDITION_FORALLVALUES",
        "SUGGESTION",
        "Empty array condition ForAllValues",
        'ForAllValues with no value matches only when the key is absent; use Null "true" to say that.',
        anchor="empty-array-condition-forallvalues",
    ),
    aa(
        "EMPTY_ARRAY_CONDITION_FORANYVALUE",
        "SUGGESTION",
        "Empty array condition ForAnyValue",
        "ForAnyValue with no value never matches: the statement does nothing.",
        anchor="empty-array-condition-foranyvalue",
    ),
    aa(
        "EMPTY_ARRAY_CONDITION_IFEXISTS",
        "SUGGESTION",
        "Empty array condition IfExists",
        '...IfExists with no value matches only when the key is absent; use Null "true" to say that.',
        anchor="empty-array-condition-ifexists",
    ),
    aa(
        "NULL_WITH_QUALIFIER",
        "SUGGESTION",
        "Null with qualifier",
        "ForAllValues:Null is always true and ForAnyValue:Null always false; use Null alone.",
    ),
    aa(
        "IMPROVE_IP_RANGE",
        "SUGGESTION",
        "Improve IP range",
        "The CIDR block has bits set past the mask, which are ignored; write the network address.",
    ),
    aa(
        "PRIVATE_IP_ADDRESS_SUBSET",
        "SUGGESTION",
        "Private IP address subset",
        "aws:SourceIp holds public addresses only: the private ones listed under IpAddress never match (use "
        "aws:VpcSourceIp for them).",
    ),
    aa(
        "PRIVATE_NOT_IP_ADDRESS_SUBSET",
        "SUGGESTION",
        "Private NotIpAddress subset",
        "aws:SourceIp holds public addresses only: the private ones listed under NotIpAddress have no effect.",
        anchor="private-not-ip-address-subset",
    ),
    aa(
        "REDUNDANT_CONDITION_VALUE_NUM",
        "SUGGESTION",
        "Redundant condition value num",
        "Several values under a less-than or greater-than operator: only the greatest (or least) counts.",
    ),
    aa("EMPTY_SID_VALUE", "SUGGESTION", "Empty Sid value", "The Sid is an empty string; give it a value or drop it."),
    aa(
        "WILDCARD_IN_SERVICE_NAME",
        "SUGGESTION",
        "Wildcard in service name",
        "A wildcard in the ARN's service (arn:aws:*code*:...) also matches services added later with similar names.",
    ),
    aa(
        "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
        "SUGGESTION",
        "Allow with unsupported tag condition key for service",
        "An Allow conditioned on a tag key (aws:ResourceTag, aws:RequestTag, aws:TagKeys) never allows the actions "
        "of services that do not support that key; move them to a statement without it.",
    ),
    aa(
        "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
        "SUGGESTION",
        "Allow NotAction with unsupported tag condition key for service",
        "An Allow with NotAction conditioned on a tag key allows only the actions that support the key; list the "
        "actions instead.",
        anchor="allow-notaction-with-unsupported-tag-condition-key-for-service",
    ),
)
