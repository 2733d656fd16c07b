"""What a policy or trust change means, decided by the engine (cases in policy_changes_cases.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamwarden.store.policy_changes import compare_documents, compare_trust

CASES = yaml.safe_load((Path(__file__).parent / "policy_changes_cases.yaml").read_text(encoding="utf-8"))
ACCOUNT = "111122223333"


def _actions(changes: Any) -> set[str]:
    return {a for c in changes if c.resource == "*" for a in c.actions}


def _covers(actions: set[str], wanted: str) -> bool:
    service = wanted.split(":")[0]
    return (
        wanted in actions
        or f"{service}:*" in actions
        or any(a.endswith("*") and wanted.lower().startswith(a[:-1].lower()) for a in actions)
    )


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_policy_change(case: dict[str, Any]) -> None:
    change = compare_documents(case["old"], case["new"], ACCOUNT)
    assert (len(change.added), len(change.removed)) == (case["added"], case["removed"])
    up, down = _actions(change.newly_allowed), _actions(change.no_longer_allowed)
    for direction, found in (("newly_allowed", up), ("no_longer_allowed", down)):
        if not case[direction]:
            assert not found, f"{direction}: {sorted(found)[:10]}"
        for wanted in case[direction]:
            assert _covers(found, wanted), f"{direction} lacks {wanted}: {sorted(found)[:10]}"
    for unwanted in case.get("not_newly_allowed", []):
        assert not _covers(up, unwanted), f"{unwanted} is not newly allowed"
    if "condition_keys" in case:
        assert {k for c in change.no_longer_allowed for k in c.condition_keys} == set(case["condition_keys"])


ROLE = f"arn:aws:iam::{ACCOUNT}:role/audit"


def _trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


EXTERNAL = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::777788889999:root"}, "Action": "sts:AssumeRole"}
GATED = {**EXTERNAL, "Condition": {"StringEquals": {"sts:ExternalId": "x-1"}}}
SERVICE = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}


def test_trust_opened_when_a_condition_is_dropped() -> None:
    change = compare_trust(_trust(GATED), _trust(EXTERNAL), ROLE, ACCOUNT)
    assert change.opened == ("arn:aws:iam::777788889999:root",) and change.narrowed == ()


def test_trust_narrowed_when_a_condition_is_added_or_a_principal_removed() -> None:
    assert compare_trust(_trust(EXTERNAL), _trust(GATED), ROLE, ACCOUNT).narrowed == ("arn:aws:iam::777788889999:root",)
    change = compare_trust(_trust(EXTERNAL, SERVICE), _trust(SERVICE), ROLE, ACCOUNT)
    assert change.narrowed == ("arn:aws:iam::777788889999:root",) and change.opened == ()


def test_trust_opened_to_a_new_service() -> None:
    change = compare_trust(_trust(EXTERNAL), _trust(EXTERNAL, SERVICE), ROLE, ACCOUNT)
    assert change.opened == ("lambda.amazonaws.com",)
