"""ERROR: AWS rejects the policy, or a part of it can never work."""

from __future__ import annotations

from iamwarden.policy.lint.rules.base import Rule, aa, ours

RULES: tuple[Rule, ...] = (
    aa("JSON_SYNTAX_ERROR", "ERROR", "Json syntax error", "The text is not valid JSON; AWS rejects it."),
    aa(
        "DATA_TYPE_MISMATCH",
        "ERROR",
        "Data type mismatch",
        "An element has the wrong JSON type (a number where a string is expected, an object where a list is).",
    ),
    aa(
        "INVALID_POLICY_ELEMENT",
        "ERROR",
        "Invalid policy element",
        "The element is not part of the policy grammar for this policy type; AWS rejects it.",
    ),
    aa("INVALID_VERSION", "ERROR", "Invalid version", 'Version must be "2012-10-17" (or the old "2008-10-17").'),
    aa("MISSING_STATEMENT", "ERROR", "Missing statement", "A policy needs at least one statement."),
    aa("MISSING_EFFECT", "ERROR", "Missing effect", 'Every statement needs "Effect": "Allow" or "Deny".'),
    aa("INVALID_EFFECT", "ERROR", "Invalid effect", 'Effect must be exactly "Allow" or "Deny".'),
    aa("MISSING_ACTION", "ERROR", "Missing action", "Every statement needs an Action or NotAction element."),
    aa(
        "MISSING_RESOURCE",
        "ERROR",
        "Missing resource",
        "Statements of this policy type need a Resource or NotResource element.",
    ),
    aa(
        "MISSING_PRINCIPAL",
        "ERROR",
        "Missing principal",
        "Resource-based and trust policies need a Principal (or NotPrincipal) in every statement.",
    ),
    aa(
        "INVALID_PRINCIPAL_FORMAT",
        "ERROR",
        "Invalid principal format",
        'Principal is "*" or an object of key-value pairs such as {"AWS": "123456789012"}.',
    ),
    aa(
        "INVALID_PRINCIPAL_KEY",
        "ERROR",
        "Invalid principal key",
        "Principal keys are AWS, Service, Federated and CanonicalUser.",
    ),
    aa(
        "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
        "ERROR",
        "Unsupported wildcard in principal",
        'A principal value takes no wildcard (* or ?) other than the whole value "*": name the account, user or role.',
    ),
    aa(
        "UNSUPPORTED_PRINCIPAL",
        "ERROR",
        "Unsupported principal",
        "Identity-based policies and permissions boundaries cannot name a Principal; AWS rejects them.",
    ),
    aa(
        "SCP_SYNTAX_ERROR_PRINCIPAL",
        "ERROR",
        "SCP syntax error principal",
        "Service control policies cannot name a Principal; use the aws:PrincipalArn condition key instead.",
    ),
    ours(
        "RCP_SYNTAX_ERROR_PRINCIPAL",
        "ERROR",
        'RCP principal must be "*"',
        'Resource control policies take only "Principal": "*" (narrow with conditions) and no NotPrincipal.',
    ),
    aa(
        "UNSUPPORTED_ELEMENT_COMBINATION",
        "ERROR",
        "Unsupported element combination",
        "Action/NotAction, Resource/NotResource and Principal/NotPrincipal exclude each other in one statement.",
    ),
    aa("UNIQUE_SIDS_REQUIRED", "ERROR", "Unique Sids required", "Statement IDs must be unique in this policy type."),
    aa("UNSUPPORTED_SID", "ERROR", "Unsupported Sid", "IAM Sids may hold only letters A-Z, a-z and digits 0-9."),
    aa(
        "INVALID_ACTION",
        "ERROR",
        "Invalid action",
        "The action does not exist in the catalogue, or the wildcard matches no action; it grants nothing.",
    ),
    aa(
        "INVALID_SERVICE_IN_ACTION", "ERROR", "Invalid service in action", "The action's service prefix does not exist."
    ),
    aa("INVALID_ARN_PREFIX", "ERROR", "Invalid ARN prefix", 'A resource ARN must start with "arn:" (or be "*").'),
    aa(
        "MISSING_ARN_FIELD",
        "ERROR",
        "Missing ARN field",
        "A resource ARN needs six fields: arn:partition:service:region:account:resource.",
    ),
    aa("INVALID_PARTITION", "ERROR", "Invalid partition", "The ARN's partition is not an AWS partition."),
    aa(
        "INVALID_ARN_ACCOUNT",
        "ERROR",
        "Invalid ARN account",
        "The ARN's account must be 12 digits (or empty or a wildcard).",
    ),
    aa(
        "ARN_ACCOUNT_NOT_ALLOWED",
        "ERROR",
        "ARN account not allowed",
        "The service's ARNs of this resource type have no account field (an S3 bucket, for one); remove the "
        "account ID.",
    ),
    aa(
        "ARN_REGION_NOT_ALLOWED",
        "ERROR",
        "ARN Region not allowed",
        "The service's ARNs of this resource type have no Region field (IAM is global); remove the Region.",
    ),
    aa(
        "MISSING_ARN_REGION",
        "ERROR",
        "Missing ARN Region",
        "The service's ARNs of this resource type need a Region (or a wildcard).",
    ),
    aa(
        "INVALID_ARN_REGION",
        "ERROR",
        "Invalid ARN Region",
        "The ARN's Region field is no AWS Region (eu-west-1, cn-north-1, us-gov-west-1, ...).",
    ),
    aa(
        "INVALID_REGION",
        "ERROR",
        "Invalid Region",
        "A value of aws:RequestedRegion is no AWS Region name, so it never matches a request.",
    ),
    aa("INVALID_ARN_SERVICE_CASE", "ERROR", "Invalid ARN service case", "The ARN's service must be lowercase."),
    aa(
        "INVALID_ARN_RESOURCE",
        "ERROR",
        "Invalid ARN resource",
        "The ARN fits the ARN format of no resource type of its service, so it matches nothing.",
    ),
    aa("INVALID_CONDITION_OPERATOR", "ERROR", "Invalid condition operator", "The condition operator does not exist."),
    aa("NULL_WITH_IF_EXISTS", "ERROR", "Null with if exists", "The Null operator cannot take the IfExists suffix."),
    aa(
        "INVALID_CONDITION_KEY_FORMAT",
        "ERROR",
        "Invalid condition key format",
        "Condition keys are written prefix:name.",
    ),
    aa(
        "INVALID_GLOBAL_CONDITION_KEY",
        "ERROR",
        "Invalid global condition key",
        "No global condition key has this name.",
    ),
    aa(
        "UNSUPPORTED_GLOBAL_CONDITION_KEY",
        "ERROR",
        "Unsupported global condition key",
        "AWS does not support this global key (aws:ARN): use aws:PrincipalArn or aws:SourceArn.",
    ),
    aa(
        "MISSING_QUALIFIER",
        "ERROR",
        "Missing qualifier",
        "The key holds several values (the catalogue types it ArrayOf...): write ForAnyValue: or ForAllValues: "
        "before the operator.",
    ),
    aa(
        "INVALID_VARIABLE_FOR_OPERATOR",
        "ERROR",
        "Invalid variable for operator",
        "Policy variables work only under String and ARN operators; elsewhere the value is taken as written.",
    ),
    aa(
        "PRIVATE_IP_ADDRESS",
        "ERROR",
        "Private IP address",
        "aws:SourceIp holds public addresses only: an IpAddress condition listing only private ones never matches "
        "(use aws:VpcSourceIp).",
    ),
    aa(
        "PRIVATE_NOT_IP_ADDRESS",
        "ERROR",
        "Private NotIpAddress",
        "aws:SourceIp holds public addresses only: a NotIpAddress condition listing only private ones always matches.",
        anchor="private-not-ip-address",
    ),
    aa(
        "MISSING_TAG_KEY_IN_CONDITION",
        "ERROR",
        "Missing tag key in condition",
        "Tag condition keys need the tag key after the slash: aws:ResourceTag/team.",
    ),
    aa("INVALID_SERVICE", "ERROR", "Invalid service", "The condition key's prefix is no service or identity provider."),
    aa(
        "INVALID_SERVICE_CONDITION_KEY",
        "ERROR",
        "Invalid service condition key",
        "The service defines no condition key of this name.",
    ),
    aa(
        "INVALID_CONDITION_DATA_TYPE",
        "ERROR",
        "Invalid condition data type",
        "The values of one condition key mix JSON types (a string, a number, a Boolean); write them all alike.",
    ),
    aa(
        "INVALID_CONDITION_MULTIPLE_BOOLEAN",
        "ERROR",
        "Invalid condition multiple Boolean",
        "A Boolean condition takes one value; both true and false make it meaningless.",
    ),
    aa(
        "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
        "ERROR",
        "Duplicate keys with different case",
        "The same condition key appears twice with different capitalization in one condition block.",
    ),
    aa(
        "MISSING_BRACE_IN_VARIABLE",
        "ERROR",
        "Missing brace in variable",
        "A policy variable opened with ${ has no closing }.",
    ),
    aa(
        "UNSUPPORTED_SPACE_IN_VARIABLE",
        "ERROR",
        "Unsupported space in variable",
        "A policy variable's name takes no space (only its default value, after the comma, may hold one).",
    ),
    aa(
        "UNSUPPORTED_SYMBOL_IN_VARIABLE",
        "ERROR",
        "Unsupported symbol in variable",
        "A policy variable's name is a context key (letters, digits and _ . : / = + - @); a default value is written "
        "in single quotes, not double or typographic ones.",
    ),
    aa(
        "MISSING_QUOTE_IN_VARIABLE",
        "ERROR",
        "Missing quote in variable",
        "A policy variable's default value is written in single quotes: ${aws:username, 'anonymous'}.",
    ),
    aa("EMPTY_VARIABLE", "ERROR", "Empty variable", "The policy variable ${} names nothing."),
    aa(
        "VARIABLE_UNSUPPORTED_IN_ELEMENT",
        "ERROR",
        "Variable unsupported in element",
        "Policy variables work only in the Resource element and in condition values; elsewhere they are literal text.",
    ),
    aa(
        "VARIABLE_UNSUPPORTED_IN_VERSION",
        "ERROR",
        "Variable unsupported in version",
        'Policy variables need "Version": "2012-10-17"; under an older or missing Version they are literal text.',
    ),
    ours(
        "POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA",
        "ERROR",
        "Trust policy size exceeds quota",
        "Role trust policies are limited to 2,048 characters by default (quota can be raised to 8,192).",
    ),
    aa(
        "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
        "ERROR",
        "Policy size exceeds SCP quota",
        "Service and resource control policies are limited to 5,120 characters.",
    ),
    aa(
        "POLICY_SIZE_EXCEEDS_RCP_QUOTA",
        "ERROR",
        "Policy size exceeds RCP quota",
        "Resource control policies are limited to 5,120 characters.",
    ),
    aa(
        "RCP_SYNTAX_ERROR_ALLOW",
        "ERROR",
        "RCP syntax error allow",
        'An Allow in a resource control policy takes only "Principal": "*", "Resource": "*" and no Condition.',
    ),
    aa(
        "RCP_SYNTAX_ERROR_NOTACTION",
        "ERROR",
        "RCP syntax error NotAction",
        "Resource control policies take no NotAction element; list the actions in Action.",
        anchor="notaction",
    ),
    aa(
        "MISMATCHED_ACTION_FOR_PRINCIPAL",
        "ERROR",
        "Mismatched action for principal",
        "SAML providers assume roles with sts:AssumeRoleWithSAML, OIDC providers with sts:AssumeRoleWithWebIdentity, "
        "AWS and service principals with sts:AssumeRole; the statement allows a different one.",
    ),
    aa(
        "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL",
        "ERROR",
        "Role trust policy syntax error notprincipal",
        "A role trust policy takes no NotPrincipal; name the principals in Principal.",
    ),
    aa(
        "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
        "ERROR",
        "Role trust policy unsupported wildcard in principal",
        'A role trust policy takes no "Principal": "*"; name the principals that may assume the role.',
    ),
    aa(
        "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE",
        "ERROR",
        "Role trust policy syntax error resource",
        "A role trust policy takes no Resource or NotResource: it applies to the role it is attached to.",
    ),
    aa(
        "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY",
        "ERROR",
        "Missing action for roles anywhere trust policy",
        "The rolesanywhere.amazonaws.com service principal needs sts:AssumeRole, sts:SetSourceIdentity and "
        "sts:TagSession to assume a role.",
    ),
    aa(
        "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY",
        "ERROR",
        "Invalid federated principal syntax in role trust policy",
        "A Federated principal is a domain name (an identity provider such as cognito-identity.amazonaws.com) or the "
        "ARN of a SAML or OIDC provider.",
    ),
    aa(
        "INVALID_SERVICE_PRINCIPAL_FORMAT",
        "ERROR",
        "Invalid service principal format",
        "A service principal is written in lowercase as service-name.amazonaws.com (kms:ViaService: "
        "service-name.region.amazonaws.com).",
    ),
    aa(
        "INVALID_VPC_FORMAT",
        "ERROR",
        "Invalid vpc format",
        "An aws:SourceVpc value is vpc- followed by 8 or 17 alphanumeric characters.",
    ),
    aa(
        "INVALID_VPCE_FORMAT",
        "ERROR",
        "Invalid vpce format",
        "An aws:SourceVpce value is vpce- followed by 8 or 17 alphanumeric characters.",
    ),
)
