"""A well-run account, as a case spec for :func:`tests.checks.harness.build_case_snapshot`: every check should find
nothing to fail in it.

Contoso Payments (``111122223333``), a member account of an organization, collected 2026-11-28 in two regions:

* root: hardware MFA (no virtual device), no access keys, no signing certificates, last signed in 200 days ago;
  the organization manages member root credentials centrally;
* people: three users with console passwords and virtual MFA, each only in groups (developers, auditors), each
  signed in within the week; one developer holds a single 30-day-old key used yesterday;
* groups hold scoped customer policies (named buckets and tables, no service-wide wildcard, IAM writes only for the
  user's own credentials and only with MFA);
* roles with tight trusts, all used recently: support (AWSSupportAccess, assumed from this account with MFA), a
  GitHub Actions role that uploads build artifacts (OIDC with ``aud`` and ``sub``; it cannot update the functions'
  code, which would let it act as their role), an EC2 role (instance profile), a Lambda role, a
  third-party auditor role (ExternalId) and Config's service-linked role;
* a strong password policy; a multi-region trail logging all management events, with log-file validation, KMS and
  CloudWatch Logs, delivering without error; Access Analyzer and Config recording in both regions;
* EC2 instances with instance profiles and harmless user data; Lambda functions without keys in their
  environment; no server certificates; service-last-accessed data showing every granted service in use.

Administrators, as a well-run account has them (each listed in ``least_privilege.effective_admins``' evidence):
``dana`` in the ``administrators`` group (AWS's AdministratorAccess), with a console password, MFA and no access key;
a ``break-glass`` role with AdministratorAccess that only this account's principals can assume, and only with MFA;
IAM Identity Center's ``AWSReservedSSO_AdministratorAccess_...`` role of the AdministratorAccess permission set,
assumed through the Identity Center SAML provider. None is restricted by source IP or VPC: network conditions are a
recommendation of the IAM best practices, and each administrator's every use already needs MFA or an identity
provider's sign-in, so ``conditions.admin_network_bounds`` passes them, its evidence saying they are not bounded by
network. Day-to-day work goes through scoped groups and roles.
"""

from __future__ import annotations

import base64
from typing import Any

from tests.checks.harness import ACCOUNT, PREFIX

COLLECTED_AT = "2026-11-28T00:00:00+00:00"
REGIONS = ["us-east-1", "eu-west-1"]
HOME = REGIONS[0]
CREATED = "2025-01-10T09:00:00+00:00"
"""Creation date of every user, group, role and policy (older than every threshold)."""
RECENT = "2026-11-26T15:00:00+00:00"
"""A use two days before the snapshot."""
ORG_ID = "o-exampleorg1"
MANAGEMENT = "999988887777"
AUDITOR = "444455556666"
ROOT_ID = "r-ex12"
OU_ID = "ou-ex12-prod0001"
FULL_ACCESS_SCP = "p-FullAWSAccess"
TRAIL = f"arn:aws:cloudtrail:{HOME}:{ACCOUNT}:trail/organization-audit"
KMS_KEY = f"arn:aws:kms:{HOME}:{ACCOUNT}:key/1a2b3c4d-5e6f-4a1b-9c8d-7e6f5a4b3c2d"
OIDC = f"{PREFIX}oidc-provider/token.actions.githubusercontent.com"
SUPPORT_ACCESS = "arn:aws:iam::aws:policy/AWSSupportAccess"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
SSO_PROVIDER = f"{PREFIX}saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
SSO_ADMIN_ROLE = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _trust(
    principal: dict[str, Any], condition: dict[str, Any] | None = None, action: str = "sts:AssumeRole"
) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return _doc(statement)


MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}

POLICIES: list[dict[str, Any]] = [
    {
        "name": "DeveloperAccess",
        "document": _doc(
            {
                "Sid": "AppData",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                "Resource": ["arn:aws:s3:::contoso-payments-app", "arn:aws:s3:::contoso-payments-app/*"],
            },
            {
                "Sid": "AppTable",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
                "Resource": f"arn:aws:dynamodb:{HOME}:{ACCOUNT}:table/payments",
            },
            {
                "Sid": "ReadLogs",
                "Effect": "Allow",
                "Action": ["logs:GetLogEvents", "logs:FilterLogEvents"],
                "Resource": f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:/app/*",
            },
        ),
    },
    {
        "name": "SelfServiceCredentials",
        "document": _doc(
            {
                "Sid": "OwnPasswordAndMfa",
                "Effect": "Allow",
                "Action": ["iam:ChangePassword", "iam:GetUser", "iam:ListMFADevices", "iam:ListAccessKeys"],
                "Resource": "arn:aws:iam::*:user/${aws:username}",
            },
            {
                "Sid": "OwnKeysWithMfa",
                "Effect": "Allow",
                "Action": ["iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:DeleteAccessKey"],
                "Resource": "arn:aws:iam::*:user/${aws:username}",
                "Condition": MFA,
            },
        ),
    },
    {
        "name": "AuditRead",
        "document": _doc(
            {
                "Sid": "ReadTrailAndConfig",
                "Effect": "Allow",
                "Action": ["cloudtrail:LookupEvents", "cloudtrail:DescribeTrails", "config:DescribeConfigRules"],
                "Resource": "*",
            },
            {
                "Sid": "AssumeSupportWithMfa",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": f"{PREFIX}role/support",
                "Condition": MFA,
            },
        ),
    },
    {
        "name": "DeployApp",
        "document": _doc(
            {
                "Sid": "UploadArtifacts",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject"],
                "Resource": "arn:aws:s3:::contoso-payments-artifacts/*",
            },
            {
                "Sid": "ReadFunction",
                "Effect": "Allow",
                "Action": ["lambda:GetFunction"],
                "Resource": f"arn:aws:lambda:{HOME}:{ACCOUNT}:function:payments-*",
            },
        ),
    },
    {
        "name": "AppRuntime",
        "document": _doc(
            {
                "Sid": "AppData",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "dynamodb:GetItem", "dynamodb:Query"],
                "Resource": [
                    "arn:aws:s3:::contoso-payments-app/*",
                    f"arn:aws:dynamodb:{HOME}:{ACCOUNT}:table/payments",
                ],
            }
        ),
    },
    {
        "name": "ThirdPartyAudit",
        "document": _doc(
            {
                "Sid": "ReadConfiguration",
                "Effect": "Allow",
                "Action": ["iam:GetAccountSummary", "iam:GetCredentialReport", "config:DescribeConfigRules"],
                "Resource": "*",
            }
        ),
    },
    {
        "arn": ADMINISTRATOR_ACCESS,
        "document": _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    },
    {
        "arn": SUPPORT_ACCESS,
        "document": _doc({"Effect": "Allow", "Action": ["support:*"], "Resource": "*"}),
    },
    {
        "arn": "arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy",
        "document": _doc(
            {"Effect": "Allow", "Action": ["config:Put*", "iam:GetRole", "s3:GetBucketAcl"], "Resource": "*"}
        ),
    },
]

PEOPLE = {
    "alice": ["developers"],
    "bob": ["developers"],
    "carol": ["auditors"],
    "dana": ["administrators"],
}

USERS = [{"name": name, "groups": groups, "created": CREATED} for name, groups in PEOPLE.items()]

GROUPS = [
    {
        "name": "developers",
        "created": CREATED,
        "attached": [f"{PREFIX}policy/DeveloperAccess", f"{PREFIX}policy/SelfServiceCredentials"],
    },
    {
        "name": "auditors",
        "created": CREATED,
        "attached": [f"{PREFIX}policy/AuditRead", f"{PREFIX}policy/SelfServiceCredentials"],
    },
    {"name": "administrators", "created": CREATED, "attached": [ADMINISTRATOR_ACCESS]},
]

ROLES: list[dict[str, Any]] = [
    {
        "name": "support",
        "created": CREATED,
        "last_used": RECENT,
        "attached": [SUPPORT_ACCESS],
        "trust": _trust({"AWS": f"{PREFIX}root"}, MFA),
    },
    {
        "name": "github-deploy",
        "created": CREATED,
        "last_used": RECENT,
        "attached": [f"{PREFIX}policy/DeployApp"],
        "trust": _trust(
            {"Federated": OIDC},
            {
                "StringEquals": {
                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                    "token.actions.githubusercontent.com:sub": "repo:contoso/payments:ref:refs/heads/main",
                }
            },
            "sts:AssumeRoleWithWebIdentity",
        ),
    },
    {
        "name": "payments-ec2",
        "created": CREATED,
        "last_used": RECENT,
        "attached": [f"{PREFIX}policy/AppRuntime"],
        "trust": _trust({"Service": "ec2.amazonaws.com"}),
    },
    {
        "name": "payments-lambda",
        "created": CREATED,
        "last_used": RECENT,
        "attached": [f"{PREFIX}policy/AppRuntime"],
        "trust": _trust({"Service": "lambda.amazonaws.com"}),
    },
    {
        "name": "third-party-audit",
        "created": CREATED,
        "last_used": RECENT,
        "attached": [f"{PREFIX}policy/ThirdPartyAudit"],
        "trust": _trust(
            {"AWS": f"arn:aws:iam::{AUDITOR}:root"}, {"StringEquals": {"sts:ExternalId": "contoso-7f3a9c2e41"}}
        ),
    },
    {
        "name": "break-glass",
        "created": CREATED,
        "last_used": RECENT,
        "attached": [ADMINISTRATOR_ACCESS],
        "trust": _trust({"AWS": f"{PREFIX}root"}, MFA),
    },
    {
        "name": SSO_ADMIN_ROLE,
        "path": "/aws-reserved/sso.amazonaws.com/",
        "created": CREATED,
        "last_used": RECENT,
        "attached": [ADMINISTRATOR_ACCESS],
        "trust": _doc(
            {
                "Effect": "Allow",
                "Principal": {"Federated": SSO_PROVIDER},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            }
        ),
    },
    {
        "name": "AWSServiceRoleForConfig",
        "path": "/aws-service-role/config.amazonaws.com/",
        "created": CREATED,
        "last_used": RECENT,
        "attached": ["arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy"],
        "trust": _trust({"Service": "config.amazonaws.com"}),
    },
]

SERVICES_USED = {
    "user/alice": ["s3", "dynamodb", "logs", "iam"],
    "user/bob": ["s3", "dynamodb", "logs", "iam"],
    "user/carol": ["cloudtrail", "config", "iam", "sts"],
    "group/developers": ["s3", "dynamodb", "logs", "iam"],
    "group/auditors": ["cloudtrail", "config", "iam", "sts"],
    "role/support": ["support"],
    "role/github-deploy": ["s3", "lambda"],
    "role/payments-ec2": ["s3", "dynamodb"],
    "role/payments-lambda": ["s3", "dynamodb"],
    "role/third-party-audit": ["iam", "config"],
}


def _credential_report() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "user": "<root_account>",
            "user_creation_time": "2019-03-01T10:00:00+00:00",
            "password_last_used": "2026-05-12T08:30:00+00:00",
            "mfa_active": True,
        }
    ]
    for name in PEOPLE:
        row: dict[str, Any] = {
            "user": name,
            "user_creation_time": CREATED,
            "password_enabled": True,
            "password_last_used": RECENT,
            "password_last_changed": "2026-10-01T09:00:00+00:00",
            "mfa_active": True,
        }
        if name == "alice":
            row.update(
                access_key_1_active=True,
                access_key_1_last_rotated="2026-10-29T09:00:00+00:00",
                access_key_1_last_used_date="2026-11-27T10:00:00+00:00",
                access_key_1_last_used_region=HOME,
                access_key_1_last_used_service="s3",
            )
        rows.append(row)
    return rows


def _trail_records() -> list[dict[str, Any]]:
    trail = {
        "Name": "organization-audit",
        "S3BucketName": f"contoso-cloudtrail-{ACCOUNT}",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "HomeRegion": HOME,
        "TrailARN": TRAIL,
        "LogFileValidationEnabled": True,
        "KmsKeyId": KMS_KEY,
        "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:cloudtrail:*",
        "CloudWatchLogsRoleArn": f"{PREFIX}role/cloudtrail-to-cloudwatch",
        "HasCustomEventSelectors": False,
        "HasInsightSelectors": False,
        "IsOrganizationTrail": False,
    }
    records: list[dict[str, Any]] = [
        {"api": "cloudtrail:DescribeTrails", "region": region, "response": {"trailList": [trail]}} for region in REGIONS
    ]
    records += [
        {
            "api": "cloudtrail:GetTrailStatus",
            "region": HOME,
            "target": TRAIL,
            "response": {
                "IsLogging": True,
                "LatestDeliveryTime": "2026-11-27T23:52:00+00:00",
                "LatestCloudWatchLogsDeliveryTime": "2026-11-27T23:52:00+00:00",
                "StartLoggingTime": "2019-03-01T11:00:00+00:00",
            },
        },
        {
            "api": "cloudtrail:GetEventSelectors",
            "region": HOME,
            "target": TRAIL,
            "response": {
                "TrailARN": TRAIL,
                "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}],
            },
        },
    ]
    return records


def _regional_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    profile = f"{PREFIX}instance-profile/payments-ec2"
    script = "#!/bin/bash\ndnf update -y\nsystemctl enable --now amazon-ssm-agent\n"
    for n, region in enumerate(REGIONS):
        records.append(
            {
                "api": "access-analyzer:ListAnalyzers",
                "region": region,
                "response": {
                    "analyzers": [
                        {
                            "arn": f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/external-access",
                            "name": "external-access",
                            "type": "ACCOUNT",
                            "status": "ACTIVE",
                            "createdAt": CREATED,
                        }
                    ]
                },
            }
        )
        records.append(
            {
                "api": "config:DescribeConfigurationRecorders",
                "region": region,
                "response": {
                    "ConfigurationRecorders": [
                        {
                            "name": "default",
                            "roleARN": f"{PREFIX}role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
                            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == HOME},
                        }
                    ]
                },
            }
        )
        records.append(
            {
                "api": "config:DescribeConfigurationRecorderStatus",
                "region": region,
                "response": {
                    "ConfigurationRecordersStatus": [{"name": "default", "recording": True, "lastStatus": "SUCCESS"}]
                },
            }
        )
        instance_id = f"i-0{n}a1b2c3d4e5f6a7b"
        records.append(
            {
                "api": "ec2:DescribeInstances",
                "region": region,
                "response": {
                    "Reservations": [
                        {
                            "ReservationId": f"r-0{n}a1b2c3d4e5f6a7b",
                            "OwnerId": ACCOUNT,
                            "Instances": [
                                {
                                    "InstanceId": instance_id,
                                    "ImageId": "ami-0abcdef1234567890",
                                    "InstanceType": "t3.medium",
                                    "LaunchTime": "2026-09-01T10:00:00+00:00",
                                    "State": {"Code": 16, "Name": "running"},
                                    "IamInstanceProfile": {"Arn": profile, "Id": "AIPAEXAMPLEPROFILE01"},
                                    "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
                                }
                            ],
                        }
                    ]
                },
            }
        )
        records.append(
            {
                "api": "ec2:DescribeInstanceAttribute",
                "region": region,
                "target": instance_id,
                "response": {
                    "InstanceId": instance_id,
                    "UserData": {"Value": base64.b64encode(script.encode()).decode()},
                },
            }
        )
        records.append(
            {
                "api": "lambda:ListFunctions",
                "region": region,
                "response": {
                    "Functions": [
                        {
                            "FunctionName": f"payments-api-{region}",
                            "FunctionArn": f"arn:aws:lambda:{region}:{ACCOUNT}:function:payments-api-{region}",
                            "Runtime": "python3.12",
                            "Role": f"{PREFIX}role/payments-lambda",
                            "Handler": "app.handler",
                            "Environment": {"Variables": {"TABLE_NAME": "payments", "LOG_LEVEL": "INFO"}},
                        }
                    ]
                },
            }
        )
    return records


def _organization_records() -> list[dict[str, Any]]:
    scp = {
        "Id": FULL_ACCESS_SCP,
        "Arn": f"arn:aws:organizations::aws:policy/service_control_policy/{FULL_ACCESS_SCP}",
        "Name": "FullAWSAccess",
        "Description": "Allows access to every operation",
        "Type": "SERVICE_CONTROL_POLICY",
        "AwsManaged": True,
    }
    root_arn = f"arn:aws:organizations::{MANAGEMENT}:root/{ORG_ID}/{ROOT_ID}"
    targets = [
        {"TargetId": ROOT_ID, "Arn": root_arn, "Name": "Root", "Type": "ROOT"},
        {
            "TargetId": OU_ID,
            "Arn": f"arn:aws:organizations::{MANAGEMENT}:ou/{ORG_ID}/{OU_ID}",
            "Name": "prod",
            "Type": "ORGANIZATIONAL_UNIT",
        },
        {
            "TargetId": ACCOUNT,
            "Arn": f"arn:aws:organizations::{MANAGEMENT}:account/{ORG_ID}/{ACCOUNT}",
            "Name": "payments",
            "Type": "ACCOUNT",
        },
    ]
    return [
        {
            "api": "organizations:DescribeOrganization",
            "response": {
                "Organization": {
                    "Id": ORG_ID,
                    "Arn": f"arn:aws:organizations::{MANAGEMENT}:organization/{ORG_ID}",
                    "FeatureSet": "ALL",
                    "MasterAccountArn": f"arn:aws:organizations::{MANAGEMENT}:account/{ORG_ID}/{MANAGEMENT}",
                    "MasterAccountId": MANAGEMENT,
                    "MasterAccountEmail": "aws-management@example.com",
                    "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
                }
            },
        },
        {
            "api": "organizations:ListRoots",
            "response": {
                "Roots": [
                    {
                        "Id": ROOT_ID,
                        "Arn": root_arn,
                        "Name": "Root",
                        "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
                    }
                ]
            },
        },
        {
            "api": "organizations:ListParents",
            "target": ACCOUNT,
            "response": {"Parents": [{"Id": OU_ID, "Type": "ORGANIZATIONAL_UNIT"}]},
        },
        {
            "api": "organizations:ListParents",
            "target": OU_ID,
            "response": {"Parents": [{"Id": ROOT_ID, "Type": "ROOT"}]},
        },
        {"api": "organizations:ListPolicies", "target": "SERVICE_CONTROL_POLICY", "response": {"Policies": [scp]}},
        {
            "api": "organizations:DescribePolicy",
            "target": FULL_ACCESS_SCP,
            "response": {
                "Policy": {
                    "PolicySummary": scp,
                    "Content": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
                }
            },
        },
        {"api": "organizations:ListTargetsForPolicy", "target": FULL_ACCESS_SCP, "response": {"Targets": targets}},
        {
            "api": "iam:ListOrganizationsFeatures",
            "response": {"OrganizationId": ORG_ID, "EnabledFeatures": ["RootCredentialsManagement", "RootSessions"]},
        },
    ]


def _iam_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = [
        {"api": "iam:ListServerCertificates", "response": {"ServerCertificateMetadataList": []}},
        {
            "api": "iam:ListSAMLProviders",
            "response": {"SAMLProviderList": [{"Arn": SSO_PROVIDER, "ValidUntil": "2126-01-01T00:00:00+00:00"}]},
        },
        {"api": "iam:ListOpenIDConnectProviders", "response": {"OpenIDConnectProviderList": [{"Arn": OIDC}]}},
        {
            "api": "iam:GetOpenIDConnectProvider",
            "target": OIDC,
            "response": {
                "Url": "token.actions.githubusercontent.com",
                "ClientIDList": ["sts.amazonaws.com"],
                "ThumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"],
                "CreateDate": CREATED,
            },
        },
    ]
    for short, services in SERVICES_USED.items():
        records.append(
            {
                "api": "iam:GetServiceLastAccessedDetails",
                "target": PREFIX + short,
                "response": {
                    "JobStatus": "COMPLETED",
                    "JobCompletionDate": COLLECTED_AT,
                    "ServicesLastAccessed": [
                        {
                            "ServiceName": service,
                            "ServiceNamespace": service,
                            "LastAuthenticated": RECENT,
                            "LastAuthenticatedEntity": PREFIX + short,
                            "TotalAuthenticatedEntities": 1,
                        }
                        for service in services
                    ],
                },
            }
        )
    return records


def clean_account_spec() -> dict[str, Any]:
    """The case spec of the clean account (see the module docstring)."""
    return {
        "code_leaks": [],  # a secrets report that found none of its keys in code
        "collected_at": COLLECTED_AT,
        "regions": REGIONS,
        "summary": {
            "AccountMFAEnabled": 1,
            "AccountAccessKeysPresent": 0,
            "AccountSigningCertificatesPresent": 0,
            "AccountPasswordPresent": 1,
            "Users": len(USERS),
            "Groups": len(GROUPS),
            "Roles": len(ROLES),
        },
        "users": USERS,
        "groups": GROUPS,
        "roles": ROLES,
        "policies": POLICIES,
        "credential_report": _credential_report(),
        "access_keys": {
            "alice": [
                {
                    "id": "AKIAIOSFODNN7EXAMPLE",
                    "created": "2026-10-29T09:00:00+00:00",
                    "last_used": "2026-11-27T10:00:00+00:00",
                    "service": "s3",
                    "region": HOME,
                }
            ],
            "bob": [],
            "carol": [],
            "dana": [],
        },
        "login_profiles": {name: "2026-10-01T09:00:00+00:00" for name in PEOPLE},
        "mfa_devices": {name: [f"{PREFIX}mfa/{name}"] for name in PEOPLE},
        "virtual_mfa": [{"serial": f"{PREFIX}mfa/{name}", "user": name} for name in PEOPLE],
        "password_policy": {
            "MinimumPasswordLength": 16,
            "RequireSymbols": True,
            "RequireNumbers": True,
            "RequireUppercaseCharacters": True,
            "RequireLowercaseCharacters": True,
            "AllowUsersToChangePassword": True,
            "ExpirePasswords": True,
            "MaxPasswordAge": 90,
            "PasswordReusePrevention": 24,
            "HardExpiry": False,
        },
        "records": [*_iam_records(), *_trail_records(), *_regional_records(), *_organization_records()],
    }


def clean_account_without_users_spec() -> dict[str, Any]:
    """The same account run through IAM Identity Center: no IAM users or groups, and a root user without a password
    (the organization manages root credentials centrally), so root has no MFA device to need."""
    spec = clean_account_spec()
    spec.update(users=[], groups=[], access_keys={}, login_profiles={}, mfa_devices={}, virtual_mfa=[])
    root = dict(spec["credential_report"][0], mfa_active=False, password_last_used="no_information")
    spec["credential_report"] = [root]
    spec["summary"] = dict(spec["summary"], AccountMFAEnabled=0, AccountPasswordPresent=0, Users=0, Groups=0)
    spec["records"] = [
        r
        for r in spec["records"]
        if not (
            r["api"] == "iam:GetServiceLastAccessedDetails" and (":user/" in r["target"] or ":group/" in r["target"])
        )
    ]
    return spec
