"""The model built from a hand-made snapshot holding real AWS response shapes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest

from iamwarden.collect.snapshot import SnapshotBuilder, snapshot_from_json
from iamwarden.model import Account, build_account

ACCOUNT = "111122223333"
ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
REPORT = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
    "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
    "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
    "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
    f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-01T10:00:00+00:00,"
    "not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    f"alice,arn:aws:iam::{ACCOUNT}:user/alice,2024-01-01T00:00:00+00:00,true,2026-11-20T08:00:00+00:00,"
    "2024-01-01T00:00:00+00:00,N/A,false,true,2024-01-02T00:00:00+00:00,2026-11-27T00:00:00+00:00,us-east-1,s3,"
    "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
)


def _details() -> dict[str, Any]:
    return {
        "UserDetailList": [
            {
                "Path": "/",
                "UserName": "alice",
                "UserId": "AIDAEXAMPLEALICE",
                "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
                "CreateDate": "2024-01-01T00:00:00+00:00",
                "GroupList": ["admins"],
                "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": "%7B%22Statement%22%3A%5B%5D%7D"}],
                "AttachedManagedPolicies": [],
                "Tags": [{"Key": "team", "Value": "platform"}],
            }
        ],
        "GroupDetailList": [
            {
                "Path": "/",
                "GroupName": "admins",
                "GroupId": "AGPAEXAMPLE",
                "Arn": f"arn:aws:iam::{ACCOUNT}:group/admins",
                "CreateDate": "2024-01-01T00:00:00Z",
                "GroupPolicyList": [],
                "AttachedManagedPolicies": [
                    {"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}
                ],
            }
        ],
        "RoleDetailList": [
            {
                "Path": "/",
                "RoleName": "web",
                "RoleId": "AROAEXAMPLE",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/web",
                "CreateDate": "2024-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    ],
                },
                "InstanceProfileList": [
                    {
                        "Path": "/",
                        "InstanceProfileName": "web",
                        "InstanceProfileId": "AIPAEXAMPLE",
                        "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/web",
                        "CreateDate": "2024-01-01T00:00:00Z",
                        "Roles": [{"RoleName": "web"}],
                    }
                ],
                "RolePolicyList": [],
                "AttachedManagedPolicies": [],
                "PermissionsBoundary": {
                    "PermissionsBoundaryType": "Policy",
                    "PermissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/boundary",
                },
                "RoleLastUsed": {"LastUsedDate": "2026-10-01T00:00:00Z", "Region": "eu-west-1"},
            }
        ],
        "Policies": [
            {
                "PolicyName": "AdministratorAccess",
                "PolicyId": "ANPAEXAMPLE",
                "Arn": "arn:aws:iam::aws:policy/AdministratorAccess",
                "Path": "/",
                "DefaultVersionId": "v1",
                "AttachmentCount": 1,
                "PolicyVersionList": [{"Document": ADMIN_DOC, "VersionId": "v1", "IsDefaultVersion": True}],
            }
        ],
    }


def _snapshot_account() -> Account:
    b = SnapshotBuilder(account_id=ACCOUNT, regions=["us-east-1", "eu-west-1"], source="import")
    b.record("iam:GetAccountAuthorizationDetails", _details())
    b.record("iam:GetCredentialReport", {"Content": REPORT, "ReportFormat": "text/csv"})
    b.record("iam:GetAccountSummary", {"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0}})
    b.record(
        "iam:ListVirtualMFADevices",
        {
            "VirtualMFADevices": [
                {
                    "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device",
                    "User": {"Arn": f"arn:aws:iam::{ACCOUNT}:root", "UserId": ACCOUNT},
                    "EnableDate": "2020-01-02T00:00:00Z",
                },
                {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/unassigned"},
            ]
        },
    )
    b.record("iam:GetAccountPasswordPolicy", None)
    b.record(
        "iam:ListAccessKeys",
        {
            "AccessKeyMetadata": [
                {"AccessKeyId": "AKIAEXAMPLEKEY000001", "Status": "Active", "CreateDate": "2024-01-02"}
            ]
        },
        target="alice",
    )
    b.record(
        "iam:GetAccessKeyLastUsed",
        {"AccessKeyLastUsed": {"LastUsedDate": "2026-11-27T00:00:00Z", "ServiceName": "s3", "Region": "us-east-1"}},
        target="AKIAEXAMPLEKEY000001",
    )
    trail_arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main"
    trail = {"Name": "main", "TrailARN": trail_arn, "HomeRegion": "us-east-1", "IsMultiRegionTrail": True}
    for region in ("us-east-1", "eu-west-1"):
        b.record("cloudtrail:DescribeTrails", {"trailList": [trail]}, region=region)
    b.record("cloudtrail:GetTrailStatus", {"IsLogging": True}, region="us-east-1", target=trail_arn)
    b.record(
        "ec2:DescribeInstances",
        {
            "Reservations": [
                {
                    "Instances": [
                        {
                            "InstanceId": "i-0abc",
                            "State": {"Name": "running"},
                            "MetadataOptions": {"HttpTokens": "optional"},
                        }
                    ]
                }
            ]
        },
        region="eu-west-1",
    )
    b.record(
        "ec2:DescribeInstanceAttribute",
        {"InstanceId": "i-0abc", "UserData": {"Value": base64.b64encode(b"#!/bin/sh\necho hi\n").decode()}},
        region="eu-west-1",
        target="i-0abc",
    )
    b.record("organizations:DescribeOrganization", {"Organization": {"Id": "o-abc", "MasterAccountId": "999988887777"}})
    b.record(
        "organizations:ListParents", {"Parents": [{"Id": "ou-abc-1", "Type": "ORGANIZATIONAL_UNIT"}]}, target=ACCOUNT
    )
    b.record("organizations:ListParents", {"Parents": [{"Id": "r-abc", "Type": "ROOT"}]}, target="ou-abc-1")
    b.record(
        "organizations:ListPolicies",
        {"Policies": [{"Id": "p-full", "Name": "FullAWSAccess", "AwsManaged": True}, {"Id": "p-deny", "Name": "deny"}]},
        target="SERVICE_CONTROL_POLICY",
    )
    for pid, target in (("p-full", "r-abc"), ("p-deny", "ou-abc-1")):
        b.record(
            "organizations:DescribePolicy",
            {"Policy": {"PolicySummary": {"Id": pid, "Name": pid}, "Content": '{"Statement": []}'}},
            target=pid,
        )
        b.record(
            "organizations:ListTargetsForPolicy",
            {"Targets": [{"TargetId": target, "Type": "ROOT" if target.startswith("r-") else "ORGANIZATIONAL_UNIT"}]},
            target=pid,
        )
    b.gap("iam:ListServerCertificates", "AccessDenied", "not authorized")
    # Through JSON and validation, as a file would be read.
    return build_account(snapshot_from_json(_roundtrip(b.build().to_json()), "test"))


def _roundtrip(doc: dict[str, Any]) -> Any:
    import orjson

    return orjson.loads(orjson.dumps(doc))


@pytest.fixture(scope="module")
def account() -> Account:
    return _snapshot_account()


def test_users_groups_and_policies_are_linked(account: Account) -> None:
    alice = account.users_by_name["alice"]
    assert alice.group_names == ("admins",)
    assert account.groups_by_name["admins"].member_names == ("alice",)
    assert alice.inline_policies[0].document == {"Statement": []}  # URL-encoded in the input
    admin = account.policies_by_arn["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert admin.aws_managed and admin.document == ADMIN_DOC
    assert [p.arn for g in account.user_groups(alice) for p in account.managed_policies_of(g)] == [admin.arn]
    assert alice.tags[0].key == "team"


def test_keys_passwords_and_mfa(account: Account) -> None:
    alice = account.users_by_name["alice"]
    assert alice.access_keys is not None
    (key,) = alice.access_keys
    assert key.active and key.last_used == datetime(2026, 11, 27, tzinfo=UTC) and key.last_used_service == "s3"
    assert key.masked_id == "AKIA************0001"
    assert alice.has_console_password is True  # from the credential report: GetLoginProfile not collected
    assert alice.mfa_devices == ()  # not in the virtual list and the report says no MFA
    assert alice.credential_report is not None and alice.credential_report.access_key_1_active


def test_root_user(account: Account) -> None:
    assert account.root.mfa_enabled is True
    assert account.root.hardware_mfa is False  # a virtual device is assigned to root
    assert account.root.access_keys_present is False
    assert account.root.credential_report is not None
    assert account.root.credential_report.password_enabled is None  # not_supported
    assert account.root.credential_report.password_last_used == datetime(2026, 11, 1, 10, tzinfo=UTC)


def test_roles(account: Account) -> None:
    web = account.roles_by_name["web"]
    assert web.trust_policy is not None and web.trust_policy["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }
    assert web.instance_profiles[0].role_names == ("web",)
    assert web.permissions_boundary_arn == f"arn:aws:iam::{ACCOUNT}:policy/boundary"
    assert web.last_used_region == "eu-west-1" and not web.service_linked


def test_absent_and_missing_are_told_apart(account: Account) -> None:
    assert account.password_policy is None and account.was_collected("iam:GetAccountPasswordPolicy")
    assert account.server_certificates is None and not account.was_collected("iam:ListServerCertificates")
    assert [g.error_code for g in account.gaps_for("iam:ListServerCertificates")] == ["AccessDenied"]


def test_regional_resources(account: Account) -> None:
    assert len(account.trails) == 1  # the shadow copy in eu-west-1 is the same trail
    (trail,) = account.trails
    assert trail.multi_region and trail.status is not None and trail.status.is_logging
    (instance,) = account.instances
    assert instance.user_data == "#!/bin/sh\necho hi\n" and instance.http_tokens == "optional"


def test_organization_path_and_scps(account: Account) -> None:
    org = account.organization
    assert org is not None
    assert org.path == ("r-abc", "ou-abc-1", ACCOUNT)
    levels = org.levels("SERVICE_CONTROL_POLICY")
    assert [[p.policy_id for p in level] for level in levels] == [["p-full"], ["p-deny"], []]
    assert org.management_account_id == "999988887777"
