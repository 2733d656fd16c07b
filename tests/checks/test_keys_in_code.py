"""secrets.keys_in_code beyond the status table: severities, locations in the detail, and the credentials checks
naming the key found in code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.base import Severity
from iamwarden.checks.config import Thresholds
from iamwarden.checks.registry import CHECKS_BY_ID
from tests.checks.harness import build_case_account

CASE: dict[str, Any] = next(
    c
    for c in yaml.safe_load((Path(__file__).parent / "cases" / "10_secrets.yaml").read_text())["cases"]
    if c["name"] == "keys-in-code"
)


def _outcomes(check_id: str) -> dict[str, Any]:
    account = build_case_account(CASE["snapshot"])
    check = CHECKS_BY_ID[check_id]
    return {o.resource.rsplit("/", 1)[-1]: o for o in check.evaluate(AnalysisContext(account), Thresholds())}


def test_severity_follows_the_key_status_and_the_detail_gives_the_place() -> None:
    got = _outcomes("secrets.keys_in_code")
    assert got["alice"].severity is Severity.CRITICAL
    assert "active key AKIA************0001 in code: deploy/.env:3 @ 3f2a9c0d1e4b (2026-10-01)" in got["alice"].detail
    assert "its secret is next to it" in got["alice"].detail
    assert got["bob"].severity is Severity.HIGH and "inactive key" in got["bob"].detail
    assert got["ASIA************7WML"].severity is Severity.HIGH


def test_credentials_checks_name_the_key_found_in_code() -> None:
    got = _outcomes("credentials.access_key_rotation")
    assert "in code at deploy/.env:3 @ 3f2a9c0d1e4b (2026-10-01) (secrets.keys_in_code)" in got["alice"].detail
    assert "in code" not in got["carol"].detail
