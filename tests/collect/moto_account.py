"""A small AWS account built in moto (in-process or server), shared by the live-collector tests."""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
MOTO_AMI_ID = "ami-12c6146b"
"""An image moto knows in every region (listing them all is slow)."""
OTHER_REGION = "eu-west-1"

USER_DATA = "#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
SCP = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "DenyLeaveOrg", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
    ],
}
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
TRUST_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@dataclass(frozen=True)
class BuiltAccount:
    """What :func:`populate_account` made, so tests can assert on it."""

    session: boto3.Session
    access_key_id: str
    mfa_serial: str
    trail_arn: str
    instance_id: str
    ou_id: str
    root_id: str
    scp_id: str
    oidc_arn: str


def use_dummy_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials and region, and no real AWS config files, profile or endpoint in the way."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_MAX_ATTEMPTS", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")


def populate_account(session: boto3.Session) -> BuiltAccount:
    """Users, groups, roles, keys, MFA, a password policy, a trail, a Config recorder, an organization with an SCP
    on an OU holding the account, an EC2 instance with a profile and user data, a Lambda function with env vars."""
    iam = session.client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True)
    iam.create_group(GroupName="admins")
    # An inline policy (managed policies, which moto answers without PolicyName and PolicyId: test_moto_server.py).
    iam.put_group_policy(GroupName="admins", PolicyName="admin", PolicyDocument=json.dumps(ADMIN))
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Correct-horse-battery-9")
    key_id = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(
        UserName="alice", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
    )
    iam.create_user(UserName="bob")
    iam.put_user_policy(
        UserName="bob",
        PolicyName="read-s3",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}
        ),
    )
    role_arn = iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))["Role"]["Arn"]
    iam.create_instance_profile(InstanceProfileName="app")
    iam.add_role_to_instance_profile(InstanceProfileName="app", RoleName="app")
    fn_role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))["Role"]["Arn"]
    oidc_arn = iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40]
    )["OpenIDConnectProviderArn"]
    del role_arn

    s3 = session.client("s3")
    s3.create_bucket(Bucket="trail-logs")
    cloudtrail = session.client("cloudtrail")
    trail_arn = cloudtrail.create_trail(Name="main", S3BucketName="trail-logs", IsMultiRegionTrail=True)["TrailARN"]
    cloudtrail.start_logging(Name="main")

    config = session.client("config")
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": fn_role, "recordingGroup": {"allSupported": True}}
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "trail-logs"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")

    org = session.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root_id = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    ou_id = org.create_organizational_unit(ParentId=root_id, Name="workloads")["OrganizationalUnit"]["Id"]
    account_id = session.client("sts").get_caller_identity()["Account"]
    org.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=ou_id)
    scp_id = org.create_policy(
        Name="deny-leave", Description="", Type="SERVICE_CONTROL_POLICY", Content=json.dumps(SCP)
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scp_id, TargetId=ou_id)

    ec2 = session.client("ec2")
    instance_id = ec2.run_instances(
        ImageId=MOTO_AMI_ID,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        UserData=USER_DATA,
        IamInstanceProfile={"Name": "app"},
    )["Instances"][0]["InstanceId"]

    session.client("lambda").create_function(
        FunctionName="worker",
        Runtime="python3.12",
        Role=fn_role,
        Handler="app.handler",
        Code={"ZipFile": _zip({"app.py": "def handler(event, context):\n    return 1\n"})},
        Environment={"Variables": {"STAGE": "prod", "DB_PASSWORD": "hunter2"}},
    )
    return BuiltAccount(
        session=session,
        access_key_id=key_id,
        mfa_serial=serial,
        trail_arn=trail_arn,
        instance_id=instance_id,
        ou_id=ou_id,
        root_id=root_id,
        scp_id=scp_id,
        oidc_arn=oidc_arn,
    )


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def start_clean_moto_server() -> tuple[ThreadedMotoServer, str]:
    """A moto server on loopback with empty backends, and its endpoint URL.

    A ThreadedMotoServer shares moto's in-process backends with every other moto user in this process (other tests'
    servers and ``mock_aws``), so an account left there by an earlier test would collide; reset it first.
    """
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()
    return server, endpoint
