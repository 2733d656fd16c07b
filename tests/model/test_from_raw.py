"""Entities from their raw shapes (model/from_raw.py) and the typed response access (model/responses.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from iamwarden.collect import raw
from iamwarden.model import responses
from iamwarden.model.from_raw import access_key_from_raw, credential_row_from_raw, password_policy_from_raw


def test_access_key_reads_na_service_and_region_as_none() -> None:
    key: raw.AccessKeyMetadata = {"AccessKeyId": "AKIAEXAMPLE000000001", "Status": "Active"}
    used: raw.AccessKeyLastUsed = {"AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}
    made = access_key_from_raw(key, "alice", used)
    assert (made.last_used_service, made.last_used_region, made.last_used, made.last_used_known) == (
        None,
        None,
        None,
        True,
    )
    assert access_key_from_raw(key, "alice", None).last_used_known is False


def test_credential_row_not_supported_password_is_unknown() -> None:
    row = credential_row_from_raw(
        {"user": "<root_account>", "arn": "arn:aws:iam::111122223333:root", "password_enabled": "not_supported"}
    )
    assert row.password_enabled is None and row.user_creation_time is None and row.mfa_active is False
    dated = credential_row_from_raw({"user": "a", "arn": "x", "user_creation_time": "2024-01-01T00:00:00"})
    assert dated.user_creation_time == datetime(2024, 1, 1, tzinfo=UTC)  # naive timestamps are UTC


def test_password_policy_defaults_are_iams() -> None:
    policy = password_policy_from_raw({"PasswordPolicy": {}})
    assert (policy.minimum_length, policy.require_symbols, policy.max_age_days) == (8, False, None)


def test_every_api_read_has_the_shape_it_is_validated_against() -> None:
    assert {api.name for api in responses.APIS} <= set(raw.SHAPES)
    for api in responses.APIS:
        assert raw.SHAPES[api.name] in (api.shape, api.shape | None)
    with pytest.raises(ValueError, match="iam:ListAccessKeys"):
        responses.Api("iam:ListAccessKeys", raw.MFADevices)
