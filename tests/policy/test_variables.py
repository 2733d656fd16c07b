"""Policy variables (``${aws:username}``, ``${aws:PrincipalTag/k}``, ``${aws:userid}``, ``${*}`` ``${?}`` ``${$}``,
defaults, missing keys, Version 2012-10-17 vs 2008-10-17): the table in unit_cases/variables.yaml, decided through
``parse_policy`` and ``evaluate``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamwarden.policy import Request, evaluate, parse_policy

TABLE = yaml.safe_load((Path(__file__).parent / "unit_cases" / "variables.yaml").read_text(encoding="utf-8"))
ACCOUNT = "111122223333"


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in TABLE["cases"]])
def test_variable(case: dict[str, Any]) -> None:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject"}
    statement["Resource"] = case.get("resource_pattern", "*")
    if "condition" in case:
        statement["Condition"] = case["condition"]
    doc: dict[str, Any] = {"Statement": [statement]}
    version = case.get("version", "2012-10-17")
    if version is not None:
        doc["Version"] = version
    policy = parse_policy(doc, name="case")
    req = case["request"]
    request = Request(
        req.get("principal", TABLE["defaults"]["principal"]),
        "s3:GetObject",
        req.get("resource", "arn:aws:s3:::amzn-s3-demo-bucket/key"),
        req.get("context", {}),
        resource_account=ACCOUNT,
    )
    decision = evaluate(request, identity_policies=[policy])
    assert decision.decision == case["expect"], (case["rule"], decision.to_json())
    missing = {k.lower() for k in decision.missing_context_keys}
    for key in case.get("missing", []):
        assert key.lower() in missing, (key, sorted(decision.missing_context_keys))


def test_table_cites_its_pages() -> None:
    ids = [c["id"] for c in TABLE["cases"]]
    assert len(ids) == len(set(ids))
    for case in TABLE["cases"]:
        assert case["source"] in TABLE["sources"] and case["rule"], case["id"]
    assert all(url.startswith("https://docs.aws.amazon.com/IAM/") for url in TABLE["sources"].values())
