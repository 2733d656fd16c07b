"""Facts the checks share: unknown results say what is missing."""

from __future__ import annotations

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.base import Status
from iamwarden.checks.config import Thresholds
from iamwarden.checks.registry import CHECKS_BY_ID
from tests.checks.harness import build_case_account, resource


def test_a_collected_report_without_the_root_row_is_not_called_uncollected() -> None:
    account = build_case_account({"users": [{"name": "alice"}], "credential_report": [{"user": "alice"}]})
    (outcome,) = CHECKS_BY_ID["root.not_recently_used"].evaluate(AnalysisContext(account), Thresholds())
    assert outcome.status is Status.UNKNOWN
    assert outcome.detail == f"evidence missing: the credential report has no row for {resource('root')} " + (
        "(created after the report was generated?)"
    )


def test_an_uncollected_report_is_named() -> None:
    account = build_case_account({"users": [{"name": "alice"}]})
    (outcome,) = CHECKS_BY_ID["root.not_recently_used"].evaluate(AnalysisContext(account), Thresholds())
    assert outcome.status is Status.UNKNOWN
    assert outcome.detail == "evidence missing: iam:GetCredentialReport was not collected"
