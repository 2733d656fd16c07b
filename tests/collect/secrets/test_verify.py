"""``--verify``: sts:GetAccessKeyInfo, signed with the caller's credentials, names the account of a key id (moto)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from iamwarden.collect.secrets.verify import key_accounts


@mock_aws
def test_sts_names_the_account_of_a_key() -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="ci")
    key_id = iam.create_access_key(UserName="ci")["AccessKey"]["AccessKeyId"]
    answers = key_accounts([key_id, key_id], boto3.Session(region_name="us-east-1"))
    assert list(answers) == [key_id]
    assert answers[key_id].account == "123456789012" and answers[key_id].error is None
