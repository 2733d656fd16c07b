"""Credentials in text: key ids and high-entropy secrets are found and only ever shown masked."""

from __future__ import annotations

import orjson

from iamwarden.checks.runner import run_checks
from iamwarden.checks.secrets.scan import find_credentials, mask_secret, shannon_entropy
from iamwarden.report.findings_json import dumps
from tests.checks.harness import build_case_account

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_key_ids_and_secrets_are_found_with_their_lines() -> None:
    text = f"#!/bin/sh\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nexport AWS_SECRET_ACCESS_KEY={SECRET}\n"
    found = find_credentials(text, 4.0)
    assert [(m.kind, m.line) for m in found] == [("access_key_id", 2), ("secret_access_key", 3)]


def test_hashes_and_low_entropy_strings_are_not_secrets() -> None:
    sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert find_credentials(f"checksum={sha1}\npadding={'A' * 40}\n", 4.0) == []
    assert shannon_entropy("aaaa") == 0.0


def test_masking_keeps_only_the_ends() -> None:
    assert mask_secret(SECRET) == "wJal" + "*" * 32 + "EKEY"
    assert mask_secret("short") == "*****"


def test_reports_never_hold_the_secret_in_full() -> None:
    account = build_case_account(
        {
            "records": [
                {
                    "api": "lambda:ListFunctions",
                    "region": "us-east-1",
                    "response": {
                        "Functions": [
                            {
                                "FunctionName": "f",
                                "FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:f",
                                "Environment": {"Variables": {"SECRET": SECRET, "KEY": "AKIAIOSFODNN7EXAMPLE"}},
                            }
                        ]
                    },
                }
            ]
        }
    )
    text = dumps(run_checks(account)).decode()
    assert SECRET not in text and "AKIAIOSFODNN7EXAMPLE" not in text
    findings = orjson.loads(text)["findings"]
    leak = next(f for f in findings if f["check"] == "secrets.lambda_environment" and f["status"] == "fail")
    assert {c["value"] for c in leak["evidence"]["credentials"]} == {mask_secret(SECRET), "AKIA************MPLE"}
