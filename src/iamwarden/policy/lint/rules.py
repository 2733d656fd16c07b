"""Every issue code the linter reports: its kind, a title and help text (shown in SARIF and docs/lint.md).

Codes follow IAM Access Analyzer's policy checks where Access Analyzer has one (``origin="access-analyzer"``, same
code and kind); codes Access Analyzer does not have are ours (``origin="iamwarden"``). Codes are stable: never
rename one, add a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FindingKind = Literal["ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION"]

#: Kinds from least to most severe.
KIND_ORDER: tuple[FindingKind, ...] = ("SUGGESTION", "WARNING", "SECURITY_WARNING", "ERROR")

AA_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    kind: FindingKind
    title: str
    help: str
    origin: Literal["access-analyzer", "iamwarden"]

    @property
    def help_uri(self) -> str | None:
        """Access Analyzer's page for its codes; ours are described in docs/lint.md (no public URL yet)."""
        return AA_DOC if self.origin == "access-analyzer" else None


def _aa(code: str, kind: FindingKind, title: str, help_: str) -> Rule:
    return Rule(code, kind, title, help_, "access-analyzer")


def _ours(code: str, kind: FindingKind, title: str, help_: str) -> Rule:
    return Rule(code, kind, title, help_, "iamwarden")


_RULES: tuple[Rule, ...] = (
    # --- ERROR: AWS rejects the policy, or a part of it can never work
    _aa("JSON_SYNTAX_ERROR", "ERROR", "JSON syntax error", "The text is not valid JSON; AWS rejects it."),
    _aa(
        "DATA_TYPE_MISMATCH",
        "ERROR",
        "Data type mismatch",
        "An element has the wrong JSON type (a number where a string is expected, an object where a list is).",
    ),
    _aa(
        "INVALID_POLICY_ELEMENT",
        "ERROR",
        "Invalid policy element",
        "The element is not part of the policy grammar for this policy type; AWS rejects it.",
    ),
    _aa("INVALID_VERSION", "ERROR", "Invalid version", 'Version must be "2012-10-17" (or the old "2008-10-17").'),
    _aa("MISSING_STATEMENT", "ERROR", "Missing statement", "A policy needs at least one statement."),
    _aa("MISSING_EFFECT", "ERROR", "Missing effect", 'Every statement needs "Effect": "Allow" or "Deny".'),
    _aa("INVALID_EFFECT", "ERROR", "Invalid effect", 'Effect must be exactly "Allow" or "Deny".'),
    _aa("MISSING_ACTION", "ERROR", "Missing action", "Every statement needs an Action or NotAction element."),
    _aa(
        "MISSING_RESOURCE",
        "ERROR",
        "Missing resource",
        "Statements of this policy type need a Resource or NotResource element.",
    ),
    _aa(
        "MISSING_PRINCIPAL",
        "ERROR",
        "Missing principal",
        "Resource-based and trust policies need a Principal (or NotPrincipal) in every statement.",
    ),
    _aa(
        "INVALID_PRINCIPAL_KEY",
        "ERROR",
        "Invalid principal key",
        "Principal keys are AWS, Service, Federated and CanonicalUser.",
    ),
    _aa(
        "UNSUPPORTED_PRINCIPAL",
        "ERROR",
        "Unsupported principal",
        "Identity-based policies and permissions boundaries cannot name a Principal; AWS rejects them.",
    ),
    _aa(
        "SCP_SYNTAX_ERROR_PRINCIPAL",
        "ERROR",
        "SCP syntax error principal",
        "Service control policies cannot name a Principal; use the aws:PrincipalArn condition key instead.",
    ),
    _ours(
        "RCP_SYNTAX_ERROR_PRINCIPAL",
        "ERROR",
        'RCP principal must be "*"',
        'Resource control policies take only "Principal": "*" (narrow with conditions) and no NotPrincipal.',
    ),
    _aa(
        "UNSUPPORTED_ELEMENT_COMBINATION",
        "ERROR",
        "Unsupported element combination",
        "Action/NotAction, Resource/NotResource and Principal/NotPrincipal exclude each other in one statement.",
    ),
    _aa("UNIQUE_SIDS_REQUIRED", "ERROR", "Unique Sids required", "Statement IDs must be unique in this policy type."),
    _aa("UNSUPPORTED_SID", "ERROR", "Unsupported Sid", "IAM Sids may hold only letters A-Z, a-z and digits 0-9."),
    _aa(
        "INVALID_ACTION",
        "ERROR",
        "Invalid action",
        "The action does not exist in the catalogue, or the wildcard matches no action; it grants nothing.",
    ),
    _aa(
        "INVALID_SERVICE_IN_ACTION", "ERROR", "Invalid service in action", "The action's service prefix does not exist."
    ),
    _aa("INVALID_ARN_PREFIX", "ERROR", "Invalid ARN prefix", 'A resource ARN must start with "arn:" (or be "*").'),
    _aa(
        "MISSING_ARN_FIELD",
        "ERROR",
        "Missing ARN field",
        "A resource ARN needs six fields: arn:partition:service:region:account:resource.",
    ),
    _aa("INVALID_PARTITION", "ERROR", "Invalid partition", "The ARN's partition is not an AWS partition."),
    _aa(
        "INVALID_ARN_ACCOUNT",
        "ERROR",
        "Invalid ARN account",
        "The ARN's account must be 12 digits (or empty or a wildcard).",
    ),
    _aa("INVALID_ARN_SERVICE_CASE", "ERROR", "Invalid ARN service case", "The ARN's service must be lowercase."),
    _aa(
        "INVALID_ARN_RESOURCE",
        "ERROR",
        "Invalid ARN resource",
        "The ARN fits the ARN format of no resource type of its service, so it matches nothing.",
    ),
    _aa("INVALID_CONDITION_OPERATOR", "ERROR", "Invalid condition operator", "The condition operator does not exist."),
    _aa("NULL_WITH_IF_EXISTS", "ERROR", "Null with if exists", "The Null operator cannot take the IfExists suffix."),
    _aa(
        "INVALID_CONDITION_KEY_FORMAT",
        "ERROR",
        "Invalid condition key format",
        "Condition keys are written prefix:name.",
    ),
    _aa(
        "INVALID_GLOBAL_CONDITION_KEY",
        "ERROR",
        "Invalid global condition key",
        "No global condition key has this name.",
    ),
    _aa(
        "UNSUPPORTED_GLOBAL_CONDITION_KEY",
        "ERROR",
        "Unsupported global condition key",
        "AWS does not support this global key (aws:ARN): use aws:PrincipalArn or aws:SourceArn.",
    ),
    _aa(
        "MISSING_TAG_KEY_IN_CONDITION",
        "ERROR",
        "Missing tag key in condition",
        "Tag condition keys need the tag key after the slash: aws:ResourceTag/team.",
    ),
    _aa(
        "INVALID_SERVICE", "ERROR", "Invalid service", "The condition key's prefix is no service or identity provider."
    ),
    _aa(
        "INVALID_SERVICE_CONDITION_KEY",
        "ERROR",
        "Invalid service condition key",
        "The service defines no condition key of this name.",
    ),
    _aa(
        "INVALID_CONDITION_MULTIPLE_BOOLEAN",
        "ERROR",
        "Invalid condition multiple Boolean",
        "A Boolean condition takes one value; both true and false make it meaningless.",
    ),
    _aa(
        "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        "ERROR",
        "Policy size exceeds identity policy quota",
        "The policy is longer than AWS accepts for this kind of policy (whitespace outside strings not counted).",
    ),
    _aa(
        "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
        "ERROR",
        "Policy size exceeds SCP quota",
        "Service and resource control policies are limited to 5,120 characters.",
    ),
    _ours(
        "POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA",
        "ERROR",
        "Trust policy size exceeds quota",
        "Role trust policies are limited to 2,048 characters by default (quota can be raised to 8,192).",
    ),
    # --- SECURITY_WARNING: valid, but grants more than it seems to
    _ours(
        "ALLOW_WITH_NOT_ACTION",
        "SECURITY_WARNING",
        "Allow with NotAction",
        "Allow with NotAction grants every action not listed, of every service, including ones added later.",
    ),
    _ours(
        "ALLOW_WITH_NOT_RESOURCE",
        "SECURITY_WARNING",
        "Allow with NotResource",
        "Allow with NotResource grants the actions on every resource not listed, including ones created later.",
    ),
    _aa(
        "ALLOW_WITH_NOT_PRINCIPAL",
        "SECURITY_WARNING",
        "Allow with NotPrincipal",
        "Allow with NotPrincipal grants everyone not listed, anonymous users included.",
    ),
    _aa(
        "PASS_ROLE_WITH_STAR_IN_RESOURCE",
        "SECURITY_WARNING",
        "Pass role with star in resource",
        'iam:PassRole on "*" lets the caller hand any role (an admin role too) to a service it controls. Name the '
        "roles, or add iam:PassedToService.",
    ),
    _aa(
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
        "SECURITY_WARNING",
        "Pass role with star in action and resource",
        'A wildcard action that includes iam:PassRole on "*" lets the caller pass any role.',
    ),
    _aa(
        "PASS_ROLE_WITH_NOT_RESOURCE",
        "SECURITY_WARNING",
        "Pass role with NotResource",
        "iam:PassRole with NotResource allows passing every role not listed.",
    ),
    _ours(
        "ALLOW_TO_EVERYONE",
        "SECURITY_WARNING",
        "Allow to everyone",
        'Principal "*" (or {"AWS": "*"}) with no condition: any AWS principal, in any account, and for some '
        "services anonymous users, get the access.",
    ),
    _ours(
        "OIDC_TRUST_WITHOUT_SUBJECT",
        "SECURITY_WARNING",
        "OIDC trust without a subject condition",
        "The role trusts an OIDC provider's tokens with no condition on <provider>:sub; providers such as GitHub "
        "Actions issue tokens to everyone, so anyone's workflow could assume the role.",
    ),
    _aa(
        "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
        "SECURITY_WARNING",
        "ForAllValues with single valued key",
        "ForAllValues is true when the key is absent; on a single-valued key it can allow more than intended.",
    ),
    _ours(
        "ALLOW_MFA_BOOL_IF_EXISTS",
        "SECURITY_WARNING",
        "Allow with BoolIfExists on aws:MultiFactorAuthPresent",
        "Requests signed with long-term access keys carry no aws:MultiFactorAuthPresent, so BoolIfExists is true "
        "for them: the statement allows access-key calls without MFA. Use Bool.",
    ),
    _ours(
        "DENY_MFA_BOOL_WITHOUT_IF_EXISTS",
        "SECURITY_WARNING",
        "Deny with Bool false on aws:MultiFactorAuthPresent",
        'Long-term access keys carry no aws:MultiFactorAuthPresent, so Bool "false" does not deny them. Use '
        'BoolIfExists (or Null "true" in a second statement).',
    ),
    # --- WARNING: probably not what was meant
    _aa(
        "MISSING_VERSION",
        "WARNING",
        "Missing version",
        'Without "Version": "2012-10-17", policy variables such as ${aws:username} are not replaced.',
    ),
    _aa(
        "MISMATCHED_ACTION_FOR_PRINCIPAL",
        "WARNING",
        "Mismatched action for principal",
        "SAML providers assume roles with sts:AssumeRoleWithSAML, OIDC providers with sts:AssumeRoleWithWebIdentity, "
        "AWS and service principals with sts:AssumeRole; the statement allows a different one.",
    ),
    _ours(
        "UNSUPPORTED_ACTION_IN_TRUST_POLICY",
        "WARNING",
        "Action not for trust policies",
        "A role trust policy controls only sts:AssumeRole*, sts:TagSession, sts:SetSourceIdentity and "
        "sts:SetContext; other actions in it do nothing.",
    ),
    _ours(
        "DUPLICATE_KEY",
        "WARNING",
        "Duplicate key",
        "The same key appears twice in one object; only one of them counts.",
    ),
    _aa(
        "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
        "ERROR",
        "Duplicate keys with different case",
        "The same condition key appears twice with different capitalization in one condition block.",
    ),
    _ours(
        "OPERATOR_KEY_TYPE_MISMATCH",
        "WARNING",
        "Operator does not fit the key's type",
        "The operator compares a different type than the key holds (Bool on a string key, Numeric on an ARN ...); "
        "the condition will not match as intended.",
    ),
    _ours(
        "FORANYVALUE_WITH_SINGLE_VALUED_KEY",
        "WARNING",
        "ForAnyValue with single valued key",
        "ForAnyValue is meant for multivalued keys; on a single-valued key drop the qualifier.",
    ),
    _ours(
        "CONDITION_KEY_NOT_SUPPORTED_BY_ACTIONS",
        "WARNING",
        "Condition key not supported by the statement's actions",
        "None of the statement's actions has this key in its request context: an Allow never matches, a Deny "
        "never applies (unless ...IfExists).",
    ),
    _ours(
        "RESOURCE_NOT_USED_BY_ACTIONS",
        "WARNING",
        "Resource not used by the statement's actions",
        "The ARN is of a resource type none of the statement's actions acts on (a bucket ARN for s3:GetObject, "
        "which acts on objects): that entry grants or denies nothing.",
    ),
    _aa("TYPE_MISMATCH_NUMBER", "WARNING", "Type mismatch number", "Numeric operators need numeric values."),
    _ours(
        "TYPE_MISMATCH_DATE",
        "WARNING",
        "Type mismatch date",
        "Date operators need an ISO 8601 date (2026-01-31T00:00:00Z) or epoch seconds.",
    ),
    _ours("TYPE_MISMATCH_BOOLEAN", "WARNING", "Type mismatch Boolean", 'Bool takes "true" or "false".'),
    _aa(
        "TYPE_MISMATCH_IP_RANGE", "WARNING", "Type mismatch IP range", "IP operators need an IP address or CIDR range."
    ),
    # --- SUGGESTION: works, could be tidier
    _aa(
        "REDUNDANT_ACTION",
        "SUGGESTION",
        "Redundant action",
        "Another entry of the statement already covers this action.",
    ),
    _aa(
        "REDUNDANT_RESOURCE",
        "SUGGESTION",
        "Redundant resource",
        "Another entry of the statement already covers this ARN.",
    ),
    _aa("EMPTY_ARRAY_ACTION", "SUGGESTION", "Empty array action", "The statement lists no action: it does nothing."),
    _aa(
        "EMPTY_ARRAY_RESOURCE",
        "SUGGESTION",
        "Empty array resource",
        "The statement lists no resource: it does nothing.",
    ),
    _aa("EMPTY_OBJECT_CONDITION", "SUGGESTION", "Empty object condition", "The Condition element is empty; remove it."),
    _ours(
        "STRING_OPERATOR_ON_TYPED_KEY",
        "SUGGESTION",
        "String operator on a typed key",
        "The key holds an ARN, number, date or Boolean; the matching operator family (ArnLike, Numeric..., Date..., "
        "Bool) says what is meant and checks the value.",
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
