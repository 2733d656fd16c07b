"""The detector: key ids, secrets and tokens found with their lines in any encoding, account ids decoded offline,
values masked."""

from __future__ import annotations

import random

import boto3
import pytest
from benchmarks.secrets_corpus import make_key_id, make_secret, make_token
from moto import mock_aws

from iamwarden.collect.secrets.keys import account_of_key_id, find_candidates, mask, text_bytes

RNG = random.Random(3)
KEY = make_key_id("123456789012", RNG)
SECRET = make_secret(RNG)


def test_the_published_example_pair_decodes() -> None:
    # Aidan Steele (2020) and Tal Be'ery (2023): ASIAY34FZKBOKMUTVV7A belongs to 609629065308
    assert account_of_key_id("ASIAY34FZKBOKMUTVV7A") == "609629065308"


def test_old_format_and_malformed_ids_decode_to_nothing() -> None:
    assert account_of_key_id("AKIAIOSFODNN7EXAMPLE") is None
    assert account_of_key_id("AKIA0000000000000000") is None  # 0 is not base32


@mock_aws
def test_keys_moto_makes_decode_to_moto_s_account() -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="u")
    key_id = iam.create_access_key(UserName="u")["AccessKey"]["AccessKeyId"]
    assert account_of_key_id(key_id) == "123456789012"


@pytest.mark.parametrize("account", ["000000000001", "123456789012", "999999999999", "444455556666"])
def test_generated_ids_round_trip(account: str) -> None:
    assert account_of_key_id(make_key_id(account, random.Random(1))) == account


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"aws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n",
            [("access_key_id", 1), ("secret_access_key", 2)],
        ),
        (f'{{"SecretAccessKey": "{SECRET}"}}', [("secret_access_key", 1)]),
        (f'secret_key = "{SECRET}"', [("secret_access_key", 1)]),
        (f"x = {SECRET}\n", []),  # a lone 40-character string: not reported
        (f"{KEY}\n\n\n\n\n\n\n{SECRET}\n", [("access_key_id", 1)]),  # too far from the key id
        (f"id={KEY} s={SECRET}", [("access_key_id", 1), ("secret_access_key", 1)]),
        ("secret_key = da39a3ee5e6b4b0d3255bfef95601890afd80709", []),  # a hash
        (f"XAKIA{KEY[4:]}", []),
        (f"{KEY}A", []),
    ],
)
def test_what_is_found(text: str, expected: list[tuple[str, int]]) -> None:
    assert [(c.kind, c.line) for c in find_candidates(text.encode())] == expected


def test_secrets_and_tokens_are_paired_with_the_nearest_key_id() -> None:
    temp = make_key_id("123456789012", RNG, "ASIA")
    token = make_token(RNG)
    text = f"a={KEY}\n\n\n\n\n\nid={temp}\nsecret={SECRET}\naws_session_token={token}\n"
    found = {c.kind: c for c in find_candidates(text.encode())}
    assert found["secret_access_key"].key_id == temp
    assert found["session_token"].key_id == temp and found["session_token"].named


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-8-sig", "latin-1"])
def test_text_of_any_encoding(encoding: str) -> None:
    text = f"# é\naws_access_key_id={KEY}\naws_secret_access_key={SECRET}\n"
    data = text.encode(encoding)
    if encoding.startswith("utf-16"):
        data = (b"\xff\xfe" if encoding.endswith("le") else b"") + data
    converted, name = text_bytes(data)
    assert converted is not None, name
    assert [(c.kind, c.line) for c in find_candidates(converted)] == [("access_key_id", 2), ("secret_access_key", 3)]


def test_binary_content_is_told_apart() -> None:
    assert text_bytes(bytes(range(256)) * 4) == (None, "binary")


def test_masks_never_show_more_than_eight_characters() -> None:
    assert mask(SECRET) == SECRET[:4] + "*" * 32 + SECRET[-4:]
    token = make_token(RNG)
    assert len(mask(token)) == 40 and mask(token)[4:-4] == "*" * 32
