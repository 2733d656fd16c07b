"""The organization benchmark's generated bundle is one the reader accepts, with its cross-account trusts."""

from __future__ import annotations

from pathlib import Path

from benchmarks.org_scan import VENDOR, account_id, write_org_bundle

from iamwarden.cli.org_scan import cross_account_graph


def test_generated_bundle_reads_back_with_its_cross_account_paths(tmp_path: Path) -> None:
    write_org_bundle(tmp_path, 4, sizes=(10, 20))
    graph = cross_account_graph(tmp_path)
    assert len(graph.summaries) == 4
    deploy = {(h.source, h.target) for h in graph.edges() if h.target.endswith(":role/Deploy")}
    ci = account_id(2)
    assert (f"arn:aws:iam::{ci}:role/deployer", f"arn:aws:iam::{account_id(3)}:role/Deploy") in deploy
    vendor = [t for t in graph.external if t.role.endswith(":role/VendorAccess")]
    assert [t.external_account for t in vendor] == [VENDOR]
    assert len(vendor) == 1 and vendor[0].external_id and vendor[0].decision == "conditional"
    # the sandbox OU's SCP denies sts:AssumeRole into the management account: no edge from account 4's OU there
    assert all(h.target_account != account_id(0) or h.source_account != account_id(4) for h in graph.edges())
