"""The demo organization (docs/demo-org.md) as ``make demo`` scans it: the planted cross-account path found with both
account ids, the OU SCP that blocks an escalation in one workload account and not its sibling, the gaps."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app

DEMO_ORG = Path(__file__).resolve().parents[2] / "demo" / "demo-org"
MANAGEMENT, SECURITY, PROD, DEV, SANDBOX, RETIRED = (
    "123456789012",
    "538453557787",
    "649415771883",
    "500314503784",
    "368828347285",
    "236360824456",
)
runner = CliRunner()


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-org") / "org"
    result = runner.invoke(app, ["scan", str(DEMO_ORG), "--output-dir", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return out


def test_the_planted_cross_account_path_with_both_account_ids() -> None:
    result = runner.invoke(app, ["paths", "--bundle", str(DEMO_ORG), "--format", "json"])
    assert result.exit_code == 0, result.output
    paths = orjson.loads(result.output)["paths"]
    planted = [p for p in paths if p["source"] == f"arn:aws:iam::{DEV}:user/ci-deployer"]
    assert len(planted) == 1
    hops = [(h["from_account"], h["to"], h["to_account"], h["kind"]) for h in planted[0]["hops"]]
    assert hops == [
        (DEV, f"arn:aws:iam::{MANAGEMENT}:role/deploy-orchestrator", MANAGEMENT, "assume"),
        (MANAGEMENT, f"admin:{MANAGEMENT}", MANAGEMENT, "escalate"),
    ]


def test_the_prod_ou_scp_blocks_build_bot_and_not_its_sibling(scanned: Path) -> None:
    def escalation(account: str) -> str:
        report = orjson.loads((scanned / "accounts" / account / "findings.json").read_bytes())
        (status,) = {
            f["status"]
            for f in report["findings"]
            if f["check"] == "least_privilege.privilege_escalation" and f["resource"].endswith(":user/build-bot")
        }
        return str(status)

    assert escalation(DEV) == "fail"
    assert escalation(PROD) == "pass"


def test_gaps_and_organization_findings(scanned: Path) -> None:
    data = orjson.loads((scanned / "organization.json").read_bytes())
    gaps = {a["id"]: a["gap"] for a in data["accounts"] if a["gap"]}
    assert set(gaps) == {SANDBOX, RETIRED} and gaps[SANDBOX].startswith("AccessDenied")
    failing = {(f["check"], f["account_id"]) for f in data["findings"] if f["status"] == "fail"}
    assert ("organization.cross_account_escalation", DEV) in failing
    assert ("organization.external_trust", SECURITY) in failing
    passing = {(f["check"], f["account_id"]) for f in data["findings"] if f["status"] == "pass"}
    assert ("organization.scp_leave_organization", PROD) in passing  # deny-leaving-org on the root
