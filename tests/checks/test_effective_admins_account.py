"""least_privilege.effective_admins' account result when some principals could not be judged: it says how many
administrators were found among the others and that more than max_admins is not ruled out (never "at least 0
administrators"), with plurals that agree."""

from __future__ import annotations

import pytest

from iamwarden.checks.base import Status
from iamwarden.checks.least_privilege.effective_admins import _account_result
from tests.checks.harness import build_case_account


@pytest.mark.parametrize(
    ("admins", "undecided", "errored", "detail"),
    [
        (
            [],
            3,
            0,
            "3 principals not judged (iam:GetAccountAuthorizationDetails incomplete): no administrator "
            "among the others, more than max_admins (2) not ruled out",
        ),
        (
            ["arn:aws:iam::111122223333:user/a"],
            0,
            1,
            "1 principal rests on policies the engine could not read: 1 administrator among the others, more than "
            "max_admins (2) not ruled out",
        ),
    ],
)
def test_unknown_count_is_worded_truthfully(admins: list[str], undecided: int, errored: int, detail: str) -> None:
    out = _account_result(build_case_account({}), admins, undecided, 2, errored)
    assert out.status is Status.UNKNOWN
    assert out.detail == f"evidence missing: {detail}"
    assert "at least" not in out.detail


def test_more_than_max_admins_fails_even_when_some_are_undecided() -> None:
    admins = [f"arn:aws:iam::111122223333:user/{n}" for n in "abc"]
    out = _account_result(build_case_account({}), admins, 4, 2)
    assert out.status is Status.FAIL and out.detail == "3 administrators, more than max_admins (2)"
