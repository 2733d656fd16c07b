"""The live collector against moto: what it stores, and how refused or failed calls become gaps."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from moto import mock_aws

from iamwarden.collect.apis import GLOBAL
from iamwarden.collect.live import Polling, ProgressEvent, collect_account, plan
from iamwarden.collect.raw import parse_credential_report
from iamwarden.collect.snapshot import Snapshot, read_snapshot, write_snapshot
from iamwarden.errors import InputError
from iamwarden.model import build_account
from tests.collect.moto_account import (
    OTHER_REGION,
    REGION,
    SCP,
    USER_DATA,
    BuiltAccount,
    populate_account,
    use_dummy_credentials,
)

FAST = Polling(interval_s=0.01, timeout_s=2.0)

MOTO_GAPS = {
    ("access-analyzer:ListAnalyzers", REGION, "404"),
    ("iam:ListOrganizationsFeatures", GLOBAL, "Error"),
}
"""What moto (5.2) lacks, so every collection against it has these gaps: IAM Access Analyzer answers 404, and
ListOrganizationsFeatures / GenerateServiceLastAccessedDetails are not implemented. The collector must record them."""


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[BuiltAccount]:
    use_dummy_credentials(monkeypatch)
    with mock_aws():
        yield populate_account(boto3.Session(region_name=REGION))


@pytest.fixture
def empty_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    """An account with one user (no password), no password policy, no organization."""
    use_dummy_credentials(monkeypatch)
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        session.client("iam").create_user(UserName="carol")
        yield session


@dataclass(frozen=True)
class Collected:
    account: BuiltAccount
    snapshot: Snapshot
    """Written with ``write_snapshot`` and read back with ``read_snapshot`` (which validated it)."""


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collected]:
    """One collection of the fixture account, shared by the tests that only read it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_dummy_credentials(monkeypatch)
        with mock_aws():
            account = populate_account(boto3.Session(region_name=REGION))
            path = tmp_path_factory.mktemp("live") / "live.json.gz"
            write_snapshot(collect(account.session), path)
    yield Collected(account, read_snapshot(path))


def collect(session: boto3.Session, **kwargs: Any) -> Snapshot:
    options: dict[str, Any] = {"regions": None, "all_regions": False, "service_last_accessed": False} | kwargs
    return collect_account(
        session,
        options.pop("regions"),
        options.pop("all_regions"),
        options.pop("service_last_accessed"),
        polling=FAST,
        **options,
    )


def gap_set(snapshot: Snapshot) -> set[tuple[str, str, str]]:
    return {(g.api, g.region, g.error_code) for g in snapshot.gaps}


def test_collects_the_account_and_reads_back_valid(collected: Collected) -> None:
    snapshot = collected.snapshot

    assert (snapshot.account_id, snapshot.partition, snapshot.source) == ("123456789012", "aws", "live")
    assert snapshot.regions == (REGION,)
    assert snapshot.response("sts:GetCallerIdentity")["Account"] == "123456789012"

    details = snapshot.response("iam:GetAccountAuthorizationDetails")
    assert {u["UserName"] for u in details["UserDetailList"]} == {"alice", "bob"}
    assert {r["RoleName"] for r in details["RoleDetailList"]} == {"app", "fn"}
    assert [g["GroupName"] for g in details["GroupDetailList"]] == ["admins"]
    assert [p["PolicyName"] for p in details["GroupDetailList"][0]["GroupPolicyList"]] == ["admin"]

    report = parse_credential_report(snapshot.response("iam:GetCredentialReport")["Content"])
    assert {row["user"] for row in report} >= {"alice", "bob"}
    assert snapshot.response("iam:GetAccountPasswordPolicy")["PasswordPolicy"]["MinimumPasswordLength"] == 14
    assert snapshot.response("iam:GetAccountSummary")["SummaryMap"]["Users"] == 2


def test_a_name_moto_leaves_out_is_filled_and_an_id_is_a_gap(account: BuiltAccount, tmp_path: Path) -> None:
    # moto leaves PolicyName and PolicyId out of managed policies: the name is the last part of the ARN (AWS defines
    # it so), the id is told by nothing else and becomes a gap at the policy's ARN. The snapshot reads back valid.
    document = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
    iam = account.session.client("iam")
    arn = iam.create_policy(PolicyName="managed", Path="/a/b/", PolicyDocument=document)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="bob", PolicyArn=arn)
    path = tmp_path / "live.json"
    write_snapshot(collect(account.session), path, validate=True)

    snapshot = read_snapshot(path)
    [policy] = snapshot.response("iam:GetAccountAuthorizationDetails")["Policies"]
    assert (policy["Arn"], policy["PolicyName"]) == ("arn:aws:iam::123456789012:policy/a/b/managed", "managed")
    assert [(g.target, g.error_code) for g in snapshot.gaps_for("iam:GetAccountAuthorizationDetails")] == [
        (arn, "Incomplete")
    ]
    [managed] = build_account(snapshot).policies
    assert (managed.name, managed.policy_id) == ("managed", None)


def test_per_user_calls_are_keyed_by_user_and_key(collected: Collected) -> None:
    account, snapshot = collected.account, collected.snapshot

    keys = snapshot.response("iam:ListAccessKeys", target="alice")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [account.access_key_id]
    assert snapshot.response("iam:ListAccessKeys", target="bob")["AccessKeyMetadata"] == []
    assert set(snapshot.targets("iam:GetAccessKeyLastUsed")) == {account.access_key_id}
    devices = snapshot.response("iam:ListMFADevices", target="alice")["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [account.mfa_serial]
    assert snapshot.response("iam:GetLoginProfile", target="alice")["LoginProfile"]["UserName"] == "alice"
    assert snapshot.response("iam:GetLoginProfile", target="bob") is None  # NoSuchEntity: no console password
    provider = snapshot.response("iam:GetOpenIDConnectProvider", target=account.oidc_arn)
    assert provider["ClientIDList"] == ["sts.amazonaws.com"]


def test_mfa_seeds_are_never_stored(collected: Collected) -> None:
    # moto returns each virtual MFA device's Base32StringSeed and QRCodePNG in ListVirtualMFADevices.
    account, snapshot = collected.account, collected.snapshot

    devices = snapshot.response("iam:ListVirtualMFADevices")["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in devices] == [account.mfa_serial]
    assert not {"Base32StringSeed", "QRCodePNG"} & set(devices[0])


def test_regional_services(collected: Collected) -> None:
    account, snapshot = collected.account, collected.snapshot

    trails = snapshot.response("cloudtrail:DescribeTrails", REGION)["trailList"]
    assert [t["TrailARN"] for t in trails] == [account.trail_arn]
    assert snapshot.response("cloudtrail:GetTrailStatus", REGION, account.trail_arn)["IsLogging"] is True
    assert snapshot.has("cloudtrail:GetEventSelectors", REGION, account.trail_arn)

    recorders = snapshot.response("config:DescribeConfigurationRecorders", REGION)["ConfigurationRecorders"]
    assert [r["name"] for r in recorders] == ["default"]
    status = snapshot.response("config:DescribeConfigurationRecorderStatus", REGION)["ConfigurationRecordersStatus"]
    assert status[0]["recording"] is True

    (reservation,) = snapshot.response("ec2:DescribeInstances", REGION)["Reservations"]
    (instance,) = reservation["Instances"]
    assert instance["InstanceId"] == account.instance_id
    assert instance["IamInstanceProfile"]["Arn"].endswith(":instance-profile/app")
    user_data = snapshot.response("ec2:DescribeInstanceAttribute", REGION, account.instance_id)["UserData"]["Value"]
    assert base64.b64decode(user_data).decode() == USER_DATA

    (function,) = snapshot.response("lambda:ListFunctions", REGION)["Functions"]
    assert function["Environment"]["Variables"]["STAGE"] == "prod"
    assert function["Role"].endswith(":role/fn")


def test_organization_path_and_policies(collected: Collected) -> None:
    account, snapshot = collected.account, collected.snapshot

    assert snapshot.response("organizations:DescribeOrganization")["Organization"]["FeatureSet"] == "ALL"
    assert [r["Id"] for r in snapshot.response("organizations:ListRoots")["Roots"]] == [account.root_id]
    parents = snapshot.targets("organizations:ListParents")
    assert parents["123456789012"]["Parents"] == [{"Id": account.ou_id, "Type": "ORGANIZATIONAL_UNIT"}]
    assert parents[account.ou_id]["Parents"] == [{"Id": account.root_id, "Type": "ROOT"}]
    assert set(parents) == {"123456789012", account.ou_id}  # the walk stops at the root

    scps = snapshot.response("organizations:ListPolicies", target="SERVICE_CONTROL_POLICY")["Policies"]
    assert {p["Name"] for p in scps} == {"FullAWSAccess", "deny-leave"}
    assert snapshot.has("organizations:ListPolicies", target="RESOURCE_CONTROL_POLICY")
    policy = snapshot.response("organizations:DescribePolicy", target=account.scp_id)["Policy"]
    assert json.loads(policy["Content"]) == SCP  # stored as AWS answers it: the document as a JSON string
    targets = snapshot.response("organizations:ListTargetsForPolicy", target=account.scp_id)["Targets"]
    assert [t["TargetId"] for t in targets] == [account.ou_id]


def test_what_moto_lacks_is_recorded_as_gaps(collected: Collected) -> None:
    snapshot = collected.snapshot

    assert gap_set(snapshot) == MOTO_GAPS | {("iam:GetServiceLastAccessedDetails", GLOBAL, "NotCollected")}
    (not_asked,) = snapshot.gaps_for("iam:GetServiceLastAccessedDetails")
    assert "--service-last-accessed" in not_asked.message
    (features,) = snapshot.gaps_for("iam:ListOrganizationsFeatures")
    assert "not implement" in features.message


def test_service_last_accessed_is_asked_per_principal(account: BuiltAccount) -> None:
    snapshot = collect(account.session, service_last_accessed=True)

    gaps = snapshot.gaps_for("iam:GetServiceLastAccessedDetails")
    assert {g.target for g in gaps} == {
        f"arn:aws:iam::123456789012:{kind}"
        for kind in ("user/alice", "user/bob", "role/app", "role/fn", "group/admins")
    }
    assert all("GenerateServiceLastAccessedDetails" in g.message for g in gaps)  # moto lacks the job API
    assert gap_set(snapshot) == MOTO_GAPS | {("iam:GetServiceLastAccessedDetails", GLOBAL, "Error")}


def test_none_answers_are_null_not_gaps(empty_account: boto3.Session) -> None:
    snapshot = collect(empty_account)

    assert snapshot.response("iam:GetAccountPasswordPolicy") is None
    assert snapshot.response("iam:GetLoginProfile", target="carol") is None
    assert snapshot.response("organizations:DescribeOrganization") is None
    assert not snapshot.has("organizations:ListRoots")  # not in an organization: nothing more to ask
    assert not snapshot.gaps_for("organizations:ListRoots")
    assert snapshot.response("iam:GetCredentialReport")["Content"].startswith("user,arn,")


def test_several_regions_and_shadow_trails(account: BuiltAccount) -> None:
    snapshot = collect(account.session, regions=[REGION, OTHER_REGION])

    assert snapshot.regions == (REGION, OTHER_REGION)
    assert snapshot.options["regions"] == [REGION, OTHER_REGION]
    # The multi-region trail shows in both regions, but its status is asked in its home region only.
    shadow = snapshot.response("cloudtrail:DescribeTrails", OTHER_REGION)["trailList"]
    assert [(t["TrailARN"], t["HomeRegion"]) for t in shadow] == [(account.trail_arn, REGION)]
    assert snapshot.has("cloudtrail:GetTrailStatus", REGION, account.trail_arn)
    assert not snapshot.targets("cloudtrail:GetTrailStatus", OTHER_REGION)
    assert snapshot.response("ec2:DescribeInstances", OTHER_REGION)["Reservations"] == []
    assert ("access-analyzer:ListAnalyzers", OTHER_REGION, "404") in gap_set(snapshot)


def test_all_regions_are_those_describe_regions_reports_enabled(empty_account: boto3.Session) -> None:
    described = empty_account.client("ec2").describe_regions()["Regions"]
    snapshot = collect(empty_account, all_regions=True)

    assert list(snapshot.regions) == sorted(r["RegionName"] for r in described)
    assert snapshot.has("ec2:DescribeRegions")
    assert all(snapshot.has("lambda:ListFunctions", region) for region in snapshot.regions)


def test_progress_finishes_every_planned_api_once(account: BuiltAccount) -> None:
    events: list[ProgressEvent] = []
    snapshot = collect(account.session, regions=[REGION, OTHER_REGION], progress=events.append)

    finished = [(e.region, e.api) for e in events if e.finished]
    planned = [(region, key) for region, keys in plan([REGION, OTHER_REGION], False).items() for key in keys]
    assert sorted(finished) == sorted(planned)
    stored = sum(len(targets) for regions in snapshot.calls.values() for targets in regions.values())
    assert len([e for e in events if not e.finished and e.error_code is None]) == stored
    assert len([e for e in events if e.error_code is not None]) == len(snapshot.gaps)


# --- refused and failing calls ----------------------------------------------------------------------------------

Refusal = Callable[[str], BaseException]


def client_error(code: str) -> Refusal:
    return lambda operation: ClientError({"Error": {"Code": code, "Message": f"refused by test: {code}"}}, operation)


def refuse(session: boto3.Session, refusals: dict[tuple[str, str], Refusal], region: str | None = None) -> list[str]:
    """Make ``service.Operation`` calls fail (in ``region`` only, when given), as AWS would before answering."""
    refused: list[str] = []

    def handler(model: Any, context: dict[str, Any], **_: Any) -> None:
        key = (model.service_model.signing_name, model.name)
        if key in refusals and (region is None or context.get("client_region") == region):
            refused.append(f"{key[0]}.{key[1]}")
            raise refusals[key](model.name)

    session.events.register("before-call", handler)
    return refused


def test_denied_calls_become_gaps_with_awss_codes(account: BuiltAccount) -> None:
    refused = refuse(
        account.session,
        {
            ("iam", "ListAccessKeys"): client_error("AccessDenied"),
            ("cloudtrail", "DescribeTrails"): client_error("AccessDeniedException"),
            ("ec2", "DescribeInstances"): client_error("UnauthorizedOperation"),
            ("organizations", "ListPolicies"): client_error("AccessDeniedException"),
        },
    )
    snapshot = collect(account.session)

    assert "iam.ListAccessKeys" in refused
    gaps = gap_set(snapshot) - MOTO_GAPS
    assert gaps == {
        ("iam:ListAccessKeys", GLOBAL, "AccessDenied"),
        ("iam:GetAccessKeyLastUsed", GLOBAL, "NotCollected"),
        ("cloudtrail:DescribeTrails", REGION, "AccessDeniedException"),
        ("cloudtrail:GetTrailStatus", REGION, "NotCollected"),
        ("cloudtrail:GetEventSelectors", REGION, "NotCollected"),
        ("ec2:DescribeInstances", REGION, "UnauthorizedOperation"),
        ("ec2:DescribeInstanceAttribute", REGION, "NotCollected"),
        ("organizations:ListPolicies", GLOBAL, "AccessDeniedException"),
        ("organizations:DescribePolicy", GLOBAL, "NotCollected"),
        ("organizations:ListTargetsForPolicy", GLOBAL, "NotCollected"),
        ("iam:GetServiceLastAccessedDetails", GLOBAL, "NotCollected"),
    }
    denied_keys = snapshot.gaps_for("iam:ListAccessKeys")
    assert {g.target for g in denied_keys} == {"alice", "bob"}
    (skipped,) = [g for g in snapshot.gaps_for("iam:GetAccessKeyLastUsed") if "alice" in g.message]
    assert skipped.message == "not called: it needs iam:ListAccessKeys for alice, which failed (AccessDenied)"
    # The rest was still collected.
    assert snapshot.response("iam:ListMFADevices", target="alice")["MFADevices"]
    assert snapshot.response("lambda:ListFunctions", REGION)["Functions"]
    assert not snapshot.has("iam:ListAccessKeys", target="alice")


def test_without_authorization_details_per_principal_calls_are_not_made(account: BuiltAccount) -> None:
    refused = refuse(account.session, {("iam", "GetAccountAuthorizationDetails"): client_error("AccessDenied")})
    snapshot = collect(account.session, service_last_accessed=True)

    assert refused == ["iam.GetAccountAuthorizationDetails"]
    skipped = {g.api for g in snapshot.gaps if g.error_code == "NotCollected"}
    assert skipped == {
        "iam:ListAccessKeys",
        "iam:GetAccessKeyLastUsed",
        "iam:ListMFADevices",
        "iam:GetLoginProfile",
        "iam:GetServiceLastAccessedDetails",
    }
    assert not snapshot.targets("iam:ListMFADevices")


def test_throttling_and_other_failures(account: BuiltAccount) -> None:
    refuse(
        account.session,
        {
            ("config", "DescribeConfigurationRecorders"): client_error("ThrottlingException"),
            ("iam", "GetAccountSummary"): lambda _: ReadTimeoutError(endpoint_url="https://iam.amazonaws.com"),
            ("lambda", "ListFunctions"): lambda _: EndpointConnectionError(endpoint_url="https://lambda.example"),
            ("organizations", "DescribeOrganization"): client_error("AccessDeniedException"),
        },
    )
    snapshot = collect(account.session)

    gaps = gap_set(snapshot) - MOTO_GAPS
    assert gaps >= {
        ("config:DescribeConfigurationRecorders", REGION, "Throttled"),
        ("iam:GetAccountSummary", GLOBAL, "Error"),
        ("lambda:ListFunctions", REGION, "RegionDisabled"),  # endpoint not reachable
        ("organizations:DescribeOrganization", GLOBAL, "AccessDeniedException"),
        ("organizations:ListRoots", GLOBAL, "NotCollected"),
    }
    (summary,) = snapshot.gaps_for("iam:GetAccountSummary")
    assert "ReadTimeoutError" in summary.message
    # An unreachable endpoint is that call's gap only; the region's other calls are still made.
    assert snapshot.has("config:DescribeConfigurationRecorderStatus", REGION)


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def test_throttling_that_outlasts_the_retries_is_throttled(account: BuiltAccount) -> None:
    """Through botocore's real retry machinery: every attempt answered 400 ThrottlingException."""
    attempts: list[int] = []

    def throttle(request: Any, **_: Any) -> AWSResponse:
        attempts.append(1)
        body = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
        headers = HTTPHeaders.from_dict({"Content-Type": "application/x-amz-json-1.1"})
        return AWSResponse(request.url, 400, headers, _Body(body))

    events: Any = account.session.events  # the stubs type handlers as returning None; before-send may answer
    events.register_first("before-send.config-service.DescribeConfigurationRecorders", throttle)
    snapshot = collect(account.session, retries=2)

    assert len(attempts) == 3  # the first attempt and 2 retries: our retry configuration is the clients'
    (gap,) = snapshot.gaps_for("config:DescribeConfigurationRecorders")
    assert (gap.error_code, gap.message) == (
        "Throttled",
        "ThrottlingException: still throttled after retries (Rate exceeded)",
    )
    assert snapshot.has("config:DescribeConfigurationRecorderStatus", REGION)


def test_a_disabled_region_is_not_asked_again(account: BuiltAccount) -> None:
    refused = refuse(
        account.session, {("cloudtrail", "DescribeTrails"): client_error("UnrecognizedClientException")}, OTHER_REGION
    )
    snapshot = collect(account.session, regions=[REGION, OTHER_REGION])

    assert refused == ["cloudtrail.DescribeTrails"]  # the first call in eu-west-1; no other call went there
    in_other = {(g.api, g.error_code) for g in snapshot.gaps if g.region == OTHER_REGION}
    assert in_other == {
        ("cloudtrail:DescribeTrails", "RegionDisabled"),
        ("cloudtrail:GetTrailStatus", "NotCollected"),
        ("cloudtrail:GetEventSelectors", "NotCollected"),
        ("access-analyzer:ListAnalyzers", "RegionDisabled"),
        ("config:DescribeConfigurationRecorders", "RegionDisabled"),
        ("config:DescribeConfigurationRecorderStatus", "RegionDisabled"),
        ("ec2:DescribeInstances", "RegionDisabled"),
        ("ec2:DescribeInstanceAttribute", "NotCollected"),
        ("lambda:ListFunctions", "RegionDisabled"),
    }
    assert snapshot.has("lambda:ListFunctions", REGION)  # the enabled region is untouched


def test_all_regions_without_describe_regions_falls_back_to_the_home_region(empty_account: boto3.Session) -> None:
    refuse(empty_account, {("ec2", "DescribeRegions"): client_error("UnauthorizedOperation")})
    snapshot = collect(empty_account, all_regions=True)

    assert snapshot.regions == (REGION,)
    assert [g.error_code for g in snapshot.gaps_for("ec2:DescribeRegions")] == ["UnauthorizedOperation"]


def test_a_denied_credential_report_generation_still_reads_an_existing_report(account: BuiltAccount) -> None:
    iam = account.session.client("iam")
    iam.generate_credential_report()
    refuse(account.session, {("iam", "GenerateCredentialReport"): client_error("AccessDenied")})
    snapshot = collect(account.session)

    assert "alice" in snapshot.response("iam:GetCredentialReport")["Content"]


def test_both_credential_report_calls_denied(account: BuiltAccount) -> None:
    refuse(
        account.session,
        {
            ("iam", "GenerateCredentialReport"): client_error("AccessDenied"),
            ("iam", "GetCredentialReport"): client_error("AccessDenied"),
        },
    )
    snapshot = collect(account.session)

    (gap,) = snapshot.gaps_for("iam:GetCredentialReport")
    assert gap.error_code == "AccessDenied"
    assert gap.message.endswith("(GenerateCredentialReport: AccessDenied)")


# --- what stops a collection before it starts -------------------------------------------------------------------


def test_no_credentials_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    use_dummy_credentials(monkeypatch)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)

    with pytest.raises(InputError) as caught:
        collect(boto3.Session(region_name=REGION))
    assert caught.value.one_line().startswith("AWS credentials: none found")


def test_no_region_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    use_dummy_credentials(monkeypatch)
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    with pytest.raises(InputError) as caught:
        collect(boto3.Session())
    assert "no AWS region" in caught.value.one_line()


def test_rejected_credentials_are_an_input_error(account: BuiltAccount) -> None:
    refuse(account.session, {("sts", "GetCallerIdentity"): client_error("InvalidClientTokenId")})

    with pytest.raises(InputError) as caught:
        collect(account.session)
    assert "rejected by AWS: InvalidClientTokenId" in caught.value.one_line()
