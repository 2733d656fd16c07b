"""An account built in moto for expected-results scans (tests/checks/expected/moto-account.yaml).

:func:`tests.collect.moto_account.populate_account` (alice, an administrator through her group, with a password, MFA
and a key; bob with a policy of his own and no group; an EC2 role with an instance profile; a Lambda role; a GitHub
OIDC provider; a multi-region trail; Config; an organization with an SCP; an instance whose user data holds a key;
a function) plus what the other checks need, as far as moto supports it:

* carol: a console password, no MFA;
* dave: created, with a key, two years before the snapshot (moto's IAM clock set back), never used;
* erin: one key deactivated; frank: two active keys;
* a spare virtual MFA device assigned to nobody; an empty group with no policies;
* roles trusting GitHub Actions without and with a ``sub`` condition, a foreign account without and with an
  ExternalId, and a role granted ``iam:*`` on everything;
* a Lambda function with an access key id in its environment.

What moto cannot give (Access Analyzer, key last use, service-last-accessed, the root user's activity) stays a gap
in the snapshot and an ``unknown`` or a default in the results; the expectations say which.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from unittest import mock

import boto3
import moto.iam.models as moto_iam

from tests.collect.moto_account import TRUST_LAMBDA, populate_account

FOREIGN = "444455556666"
GITHUB = "token.actions.githubusercontent.com"
LONG_AGO = datetime(2024, 11, 1, 9, 0, 0)
"""moto's IAM clock (naive UTC) while dave and his key are made."""
EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"


def _zip_of(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def _doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def populate_expected_account(session: boto3.Session) -> None:
    built = populate_account(session)
    account_id = session.client("sts").get_caller_identity()["Account"]
    iam = session.client("iam")

    iam.create_user(UserName="carol")
    iam.add_user_to_group(GroupName="admins", UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Correct-horse-battery-7")

    with mock.patch.object(moto_iam, "utcnow", return_value=LONG_AGO):
        iam.create_user(UserName="dave")
        iam.create_access_key(UserName="dave")

    iam.create_user(UserName="erin")
    erin_key = iam.create_access_key(UserName="erin")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="erin", AccessKeyId=erin_key, Status="Inactive")
    iam.create_user(UserName="frank")
    iam.create_access_key(UserName="frank")
    iam.create_access_key(UserName="frank")

    iam.create_virtual_mfa_device(VirtualMFADeviceName="spare")
    iam.create_group(GroupName="contractors")

    github = {"Federated": built.oidc_arn}
    audience = {f"{GITHUB}:aud": "sts.amazonaws.com"}
    web_identity = "sts:AssumeRoleWithWebIdentity"
    iam.create_role(
        RoleName="github-any-repo",
        AssumeRolePolicyDocument=_doc(
            {"Effect": "Allow", "Principal": github, "Action": web_identity, "Condition": {"StringEquals": audience}}
        ),
    )
    pinned = {**audience, f"{GITHUB}:sub": "repo:example/app:ref:refs/heads/main"}
    iam.create_role(
        RoleName="github-deploy",
        AssumeRolePolicyDocument=_doc(
            {"Effect": "Allow", "Principal": github, "Action": web_identity, "Condition": {"StringEquals": pinned}}
        ),
    )
    foreign = {"AWS": f"arn:aws:iam::{FOREIGN}:root"}
    iam.create_role(
        RoleName="vendor-open",
        AssumeRolePolicyDocument=_doc({"Effect": "Allow", "Principal": foreign, "Action": "sts:AssumeRole"}),
    )
    iam.create_role(
        RoleName="vendor-external-id",
        AssumeRolePolicyDocument=_doc(
            {
                "Effect": "Allow",
                "Principal": foreign,
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "a-long-shared-secret"}},
            }
        ),
    )
    iam.create_role(RoleName="iam-operator", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    iam.put_role_policy(
        RoleName="iam-operator",
        PolicyName="iam-everything",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}),
    )

    session.client("lambda").create_function(
        FunctionName="legacy-sync",
        Runtime="python3.12",
        Role=f"arn:aws:iam::{account_id}:role/fn",
        Handler="app.handler",
        Code={"ZipFile": _zip_of("app.py", "def handler(event, context):\n    return 1\n")},
        Environment={"Variables": {"AWS_ACCESS_KEY_ID": EXAMPLE_KEY, "STAGE": "prod"}},
    )
