"""The AWS global condition context keys, written from the IAM User Guide page "AWS global condition context keys".

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html

Each entry gives the key's name as the page spells it, its data type as the page gives it (``String``, ``ARN``,
``Bool``, ``Date``, ``Numeric``, ``IPAddress``; a multivalued key is written ``ArrayOf<type>`` as the Service
Authorization Reference does), whether it is multivalued, and a one-line description in our own words.
Keys with a ``/tag-key`` (or other) suffix are written with a ``${...}`` placeholder, as the Service Authorization
Reference does, and match any non-empty suffix.

The page also lists a few *cross-service* keys whose prefix is a service (``ec2:SourceInstanceArn``,
``lambda:SourceFunctionArn``, ...): they are in :data:`CROSS_SERVICE_KEYS`, valid in a statement of any service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class GlobalConditionKey:
    """One global condition key: ``type`` is ``String``/``ARN``/``Bool``/``Date``/``Numeric``/``IPAddress`` or
    ``ArrayOf<that>`` for a multivalued key."""

    name: str
    type: str
    description: str

    @property
    def multivalued(self) -> bool:
        return self.type.startswith("ArrayOf")

    @property
    def base_type(self) -> str:
        """The type of one value: ``ArrayOfString`` -> ``String``."""
        return self.type.removeprefix("ArrayOf")


def _k(name: str, type_: str, description: str) -> GlobalConditionKey:
    return GlobalConditionKey(name, type_, description)


GLOBAL_CONDITION_KEYS: tuple[GlobalConditionKey, ...] = (
    # --- Properties of the principal
    _k("aws:PrincipalArn", "ARN", "ARN of the principal that made the request (for a role session: the role's ARN)."),
    _k("aws:PrincipalAccount", "String", "Account ID the requesting principal belongs to."),
    _k("aws:PrincipalOrgPaths", "ArrayOfString", "AWS Organizations paths of the principal's account."),
    _k("aws:PrincipalOrgID", "String", "ID of the organization the principal's account is a member of."),
    _k("aws:PrincipalTag/${TagKey}", "String", "A tag attached to the principal (user, role, or session tag)."),
    _k("aws:PrincipalIsAWSService", "Bool", "Whether the call is made by an AWS service principal."),
    _k("aws:PrincipalServiceName", "String", "Service principal name when the call is made by an AWS service."),
    _k("aws:PrincipalServiceNamesList", "ArrayOfString", "All service principal names of the calling service."),
    _k("aws:PrincipalType", "String", "Type of principal: Account, User, FederatedUser, AssumedRole, Anonymous."),
    _k("aws:userid", "String", "Principal identifier of the requester (unique ID, or role-id:session-name)."),
    _k("aws:username", "String", "User name of an IAM user making the request."),
    # --- Properties of a role session
    _k("aws:AssumedRoot", "String", "Present (value 'true') when the request uses an sts:AssumeRoot session."),
    _k("aws:FederatedProvider", "String", "Identity provider that issued the session's federated identity."),
    _k("aws:TokenIssueTime", "Date", "When the temporary security credentials were issued."),
    _k("aws:MultiFactorAuthAge", "Numeric", "Seconds since the principal authenticated with MFA."),
    _k("aws:MultiFactorAuthPresent", "Bool", "Whether MFA validated the temporary credentials of the request."),
    _k("aws:ChatbotSourceArn", "ARN", "ARN of the chat channel configuration for an AWS Chatbot session."),
    _k("aws:Ec2InstanceSourceVpc", "String", "VPC where the EC2 instance's role credentials were delivered."),
    _k("aws:Ec2InstanceSourcePrivateIPv4", "IPAddress", "Primary private IPv4 address of the EC2 instance."),
    _k("aws:SourceIdentity", "String", "Source identity set by the principal when it assumed the role."),
    # --- Properties of the network
    _k("aws:SourceIp", "IPAddress", "Requester's public IP address."),
    _k("aws:SourceVpc", "String", "VPC the request travels through (via a VPC endpoint)."),
    _k("aws:SourceVpcArn", "ARN", "ARN of the VPC the request travels through (via a VPC endpoint)."),
    _k("aws:SourceVpce", "String", "VPC endpoint identifier of the request."),
    _k("aws:VpceAccount", "String", "Account that owns the VPC endpoint the request travels through."),
    _k("aws:VpceOrgID", "String", "Organization ID of the account owning the VPC endpoint."),
    _k("aws:VpceOrgPaths", "ArrayOfString", "Organizations paths of the account owning the VPC endpoint."),
    _k("aws:VpcSourceIp", "IPAddress", "Requester's IP address inside the VPC (via a VPC endpoint)."),
    # --- Properties of the resource
    _k("aws:ResourceAccount", "String", "Account ID of the owner of the requested resource."),
    _k("aws:ResourceOrgID", "String", "Organization ID of the account owning the requested resource."),
    _k("aws:ResourceOrgPaths", "ArrayOfString", "Organizations path of the account owning the resource."),
    _k("aws:ResourceTag/${TagKey}", "String", "A tag attached to the requested resource."),
    # --- Properties of the request
    _k("aws:CalledVia", "ArrayOfString", "Services that made the request on the principal's behalf, in order."),
    _k("aws:CalledViaFirst", "String", "First service in the aws:CalledVia chain."),
    _k("aws:CalledViaLast", "String", "Last service in the aws:CalledVia chain."),
    _k("aws:ViaAWSService", "Bool", "Whether an AWS service made the request using the principal's credentials."),
    _k("aws:CurrentTime", "Date", "Date and time of the request."),
    _k("aws:EpochTime", "Date", "Date and time of the request in epoch (Unix) seconds (Date or Numeric operators)."),
    _k("aws:referer", "String", "HTTP Referer header of the request (client-supplied, not a security control)."),
    _k("aws:RequestedRegion", "String", "Region the request was made to."),
    _k("aws:RequestTag/${TagKey}", "String", "A tag key-value pair passed in the request."),
    _k("aws:TagKeys", "ArrayOfString", "Tag keys passed in the request."),
    _k("aws:SecureTransport", "Bool", "Whether the request was sent over TLS."),
    _k("aws:SourceAccount", "String", "Account of the resource making a service-to-service request."),
    _k("aws:SourceArn", "ARN", "ARN of the resource making a service-to-service request."),
    _k("aws:SourceOrgID", "String", "Organization ID of the resource making a service-to-service request."),
    _k(
        "aws:SourceOrgPaths", "ArrayOfString", "Organizations path of the resource making a service-to-service request."
    ),
    _k("aws:UserAgent", "String", "HTTP User-Agent of the requester's client (client-supplied)."),
    # --- Requests made through AWS-managed MCP servers (Agent Toolkit for AWS documentation)
    _k("aws:ViaAWSMCPService", "Bool", "Whether the request comes through an AWS-managed MCP server."),
    _k("aws:CalledViaAWSMCP", "String", "Name of the AWS-managed MCP server the request came through."),
    # --- Keys AWS uses in its own managed policies without listing them on the page above
    _k("aws:IsMcpServiceAction", "Bool", "Used in AWS managed policies to mark actions taken through an MCP service."),
    _k(
        "aws:PrincipalOrgMasterAccountId",
        "String",
        "Used in AWSSSOServiceRolePolicy: the organization's management account.",
    ),
)

CROSS_SERVICE_KEYS: tuple[GlobalConditionKey, ...] = (
    _k("ec2:RoleDelivery", "Numeric", "Instance metadata service version that delivered the role credentials."),
    _k("ec2:SourceInstanceArn", "ARN", "ARN of the EC2 instance the role credentials were delivered to."),
    _k("glue:RoleAssumedBy", "String", "AWS Glue service that assumed the role."),
    _k("glue:CredentialIssuingService", "String", "AWS Glue service that issued the credentials."),
    _k("lambda:SourceFunctionArn", "ARN", "ARN of the Lambda function whose execution role made the request."),
    _k("ssm:SourceInstanceArn", "ARN", "ARN of the Systems Manager managed instance that made the request."),
    _k("identitystore:UserId", "String", "IAM Identity Center user ID of the session."),
)

#: Keys AWS names but does not support; Access Analyzer reports them (see docs/lint.md).
UNSUPPORTED_GLOBAL_KEYS: dict[str, str] = {
    "aws:arn": "aws:ARN is not supported; use aws:PrincipalArn or aws:SourceArn instead",
}


def _pattern(name: str) -> re.Pattern[str]:
    parts = re.split(r"\$\{[^}]*\}|<[^>]*>", name)
    return re.compile("(?i)" + ".+".join(re.escape(p) for p in parts) + r"\Z")


@cache
def _index() -> tuple[dict[str, GlobalConditionKey], tuple[tuple[re.Pattern[str], GlobalConditionKey], ...]]:
    exact: dict[str, GlobalConditionKey] = {}
    patterns: list[tuple[re.Pattern[str], GlobalConditionKey]] = []
    for key in GLOBAL_CONDITION_KEYS + CROSS_SERVICE_KEYS:
        if "${" in key.name:
            patterns.append((_pattern(key.name), key))
        else:
            exact[key.name.lower()] = key
    return exact, tuple(patterns)


def global_key(name: str) -> GlobalConditionKey | None:
    """The global (or cross-service) key ``name`` names, case-insensitively; ``aws:ResourceTag/team`` finds
    ``aws:ResourceTag/${TagKey}``. ``None`` when it is not one.

    >>> global_key("AWS:SourceIP").name
    'aws:SourceIp'
    >>> global_key("aws:RequestTag/team").type
    'String'
    """
    exact, patterns = _index()
    found = exact.get(name.lower())
    if found is not None:
        return found
    for pattern, key in patterns:
        if pattern.match(name):
            return key
    return None


def needs_tag_key(name: str) -> bool:
    """``aws:ResourceTag`` / ``aws:RequestTag/`` / ``aws:PrincipalTag`` without the tag key after the slash."""
    lowered = name.lower().rstrip("/")
    return lowered in ("aws:resourcetag", "aws:requesttag", "aws:principaltag")
