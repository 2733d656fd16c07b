"""``iamwarden paths --bundle``: cross-account paths hop by hop with account ids, from an org bundle on disk."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from iamwarden.cli.app import app
from tests.analysis.cross_account.org import ADMIN_POLICY, ROOT, AccountSpec, OrgSpec, allow, deny, doc, trust

runner = CliRunner()
MGMT, WORK_A, WORK_B = "111111111111", "222222222222", "333333333333"
OU_A, OU_B = "ou-t001-worka001", "ou-t001-workb001"


def bundle(tmp_path: Path) -> Path:
    org = OrgSpec(MGMT)
    for node, parent in ((MGMT, ROOT), (OU_A, ROOT), (OU_B, ROOT), (WORK_A, OU_A), (WORK_B, OU_B)):
        org.place(node, parent)
    org.scp("NoMgmtRoles", doc(deny("sts:AssumeRole", f"arn:aws:iam::{MGMT}:role/*")), OU_A)
    mgmt = AccountSpec(MGMT)
    mgmt.role(
        "OrgAdmin", trust([f"arn:aws:iam::{WORK_A}:root", f"arn:aws:iam::{WORK_B}:root"]), attached=[ADMIN_POLICY]
    )
    work_a, work_b = AccountSpec(WORK_A), AccountSpec(WORK_B)
    for spec in (work_a, work_b):
        spec.user("dev", inline={"hop": doc(allow("sts:AssumeRole", f"arn:aws:iam::{MGMT}:role/OrgAdmin"))})
    return org.write_bundle(tmp_path / "bundle", [mgmt, work_a, work_b])


def test_paths_bundle_text_and_json(tmp_path: Path) -> None:
    directory = bundle(tmp_path)
    result = runner.invoke(app, ["paths", "--bundle", str(directory)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert f"[{WORK_B}] arn:aws:iam::{WORK_B}:user/dev -> administrator of {MGMT}" in result.output
    assert f"[{WORK_A}] arn:aws:iam::{WORK_A}:user/dev" not in result.output  # its OU's SCP blocks it
    result = runner.invoke(app, ["paths", "--bundle", str(directory), "--format", "json"])
    assert result.exit_code == 0, result.output
    paths = orjson.loads(result.output)["paths"]
    hops = [(h["from_account"], h["to_account"], h["kind"]) for p in paths for h in p["hops"]]
    assert (WORK_B, MGMT, "assume") in hops and (WORK_A, MGMT, "assume") not in hops


def test_scan_bundle_reports_the_path_as_a_finding(tmp_path: Path) -> None:
    directory = bundle(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["scan", str(directory), "--output-dir", str(out), "--format", "json", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    data = orjson.loads((out / "organization.json").read_bytes())
    found = [f for f in data["findings"] if f["check"] == "organization.cross_account_escalation"]
    # the user, and any administrator of its account (who can act as it)
    assert {(f["status"], f["severity"], f["account_id"], f["resource"]) for f in found} == {
        ("fail", "critical", WORK_B, f"arn:aws:iam::{WORK_B}:user/dev"),
        ("fail", "critical", WORK_B, f"arn:aws:iam::{WORK_B}:root"),
    }
    assert all(f["evidence"]["target_accounts"] == [MGMT] for f in found)
    html = (out / "organization.html").read_text()
    assert f"any administrator of {WORK_B}" in html and f"arn:aws:iam::{WORK_B}:user/dev" in html
