"""`iamwarden collect --org` as a user runs it: the real CLI, as its own process, against `moto_server` started as its
own process (``AWS_ENDPOINT_URL``), on the demo organization of scripts/build_demo_org.py with moto's IAM
authorization on: the auditor holds exactly the management-side policies of docs/permissions.md, each member role the
read-only policy of the StackSet template.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.principals import principal_policies
from iamwarden.collect.bundle import OrgBundle, read_account_snapshot, read_bundle, snapshot_name
from iamwarden.model.bundle import iter_members
from tests.collect.demo_org import ROOT, builder

MOTO_GAPS = {
    "access-analyzer:ListAnalyzers": "500",  # not served by moto's server
    "iam:ListOrganizationsFeatures": "Error",  # not implemented by moto
    "lambda:ListFunctions": "403",  # moto's authorization mis-signs Lambda's REST paths: SignatureDoesNotMatch
    "organizations:ListParents": "AccountNotFoundException",  # moto's member accounts do not find themselves
    "iam:GetAccountAuthorizationDetails": "Incomplete",  # moto leaves PolicyId out of managed policies
    "iam:GetServiceLastAccessedDetails": "NotCollected",  # not asked for
}
"""The only gaps a collected account may have: what moto lacks. An AccessDenied would mean the documented policies
miss an action the collector calls."""


@dataclass(frozen=True)
class Collected:
    endpoint: str
    org: Any
    """scripts/build_demo_org.py's ``DemoOrg``."""
    directory: Path
    stdout: str
    stderr: str
    bundle: OrgBundle


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collected]:
    with builder.moto_server() as endpoint:
        org = builder.build_org(endpoint)
        builder.enforce_authorization(endpoint)
        directory = tmp_path_factory.mktemp("org") / "bundle"
        done = builder.collect(endpoint, org, directory)
        assert done.returncode == 0, done.stderr
        yield Collected(endpoint, org, directory, done.stdout, done.stderr, read_bundle(directory))


def test_every_account_is_collected_or_a_gap(collected: Collected) -> None:
    org, bundle = collected.org, collected.bundle
    ids = org.accounts
    assert bundle.organization.id == org.org_id
    assert bundle.organization.management_account_id == ids["management"]
    entries = {e.name: e for e in bundle.accounts}
    assert set(entries) == {"master", "security", "workload-prod", "workload-dev", "sandbox", "retired"}
    for name in ("master", "security", "workload-prod", "workload-dev"):
        assert (entries[name].snapshot, entries[name].gap) == (snapshot_name(entries[name].id), None)
    sandbox, retired = entries["sandbox"], entries["retired"]
    assert sandbox.snapshot is None and sandbox.gap is not None
    assert sandbox.gap.code == "AccessDenied"
    assert "is not authorized to perform: sts:AssumeRole" in sandbox.gap.message
    assert retired.gap is not None and (retired.status, retired.gap.code) == ("SUSPENDED", "AccountNotActive")
    assert f"Collected organization {org.org_id} (management account {ids['management']}): 6 accounts, " in (
        collected.stdout
    )
    assert f"wrote {collected.directory / 'org.json'} (4 account snapshots in" in collected.stdout


def test_one_progress_line_per_account(collected: Collected) -> None:
    lines = [line for line in collected.stderr.splitlines() if line.startswith("[")]
    assert len(lines) == 6
    assert sorted(line.split("]")[0] for line in lines) == [f"[{i}/6" for i in range(1, 7)]
    ids = collected.org.accounts
    prod = next(line for line in lines if ids["workload-prod"] in line)
    assert " workload-prod (Root/Workloads/Prod): collected in " in prod
    sandbox = next(line for line in lines if ids["sandbox"] in line)
    assert " sandbox (Root/Sandbox): gap AccessDenied: User: arn:aws:iam::123456789012:user/auditor" in sandbox


def test_the_structure_is_the_organizations(collected: Collected) -> None:
    org, bundle = collected.org, collected.bundle
    units, ids = org.units, org.accounts
    assert {u.name: u.parent_id for u in bundle.organizational_units} == {
        "Security": org.root_id,
        "Workloads": org.root_id,
        "Prod": units["Workloads"],
        "Dev": units["Workloads"],
        "Sandbox": org.root_id,
    }
    paths = {e.id: e.ou_path for e in bundle.accounts}
    assert paths[ids["workload-prod"]] == (org.root_id, units["Workloads"], units["Prod"])
    assert paths[ids["management"]] == (org.root_id,)
    policies = {p.name: p for p in bundle.policies}
    assert policies["prod-iam-guardrails"].targets == (units["Prod"],)
    assert policies["prod-iam-guardrails"].document["Statement"][0]["Effect"] == "Deny"
    assert policies["prod-no-outside-principals"].type == "RESOURCE_CONTROL_POLICY"
    assert set(policies["FullAWSAccess"].targets) >= {org.root_id, *units.values(), *ids.values()}
    assert {(d.account_id, d.service_principal) for d in bundle.delegated_administrators} == {
        (ids["security"], "guardduty.amazonaws.com"),
        (ids["security"], "access-analyzer.amazonaws.com"),
    }


def test_the_documented_policies_let_every_call_through(collected: Collected) -> None:
    for entry in collected.bundle.accounts:
        if entry.snapshot is None:
            continue
        snapshot = read_account_snapshot(collected.directory, entry)
        unexpected = {(g.api, g.error_code) for g in snapshot.gaps} - set(MOTO_GAPS.items())
        assert unexpected == set(), entry.name
        assert snapshot.response("iam:GetAccountAuthorizationDetails")["UserDetailList"] or entry.name == "security"


def test_an_ou_scp_governs_its_accounts_only(collected: Collected) -> None:
    """build-bot may attach policies to itself in both workload accounts; Prod's OU SCP denies it there only."""
    scps: dict[str, list[str]] = {}
    for member in iter_members(collected.directory):
        if member.account is None or member.entry.name not in ("workload-prod", "workload-dev"):
            continue
        bot = member.account.users_by_name["build-bot"]
        policies = principal_policies(AnalysisContext(member.account), bot)
        assert policies.caveats == ()
        scps[member.entry.name] = [p.name or "" for level in policies.scps for p in level]
    assert any("prod-iam-guardrails" in name for name in scps["workload-prod"])
    assert not any("prod-iam-guardrails" in name for name in scps["workload-dev"])


def test_a_second_run_keeps_what_the_first_collected(collected: Collected) -> None:
    ids = collected.org.accounts
    dev = collected.directory / snapshot_name(ids["workload-dev"])
    prod = collected.directory / snapshot_name(ids["workload-prod"])
    before = {path: path.stat().st_mtime_ns for path in (dev, prod)}

    again = builder.collect(collected.endpoint, collected.org, collected.directory)
    assert again.returncode == 0, again.stderr
    kept = [line for line in again.stderr.splitlines() if ": kept from " in line]
    assert len(kept) == 4
    assert {path: path.stat().st_mtime_ns for path in (dev, prod)} == before

    refreshed = builder.collect(
        collected.endpoint, collected.org, collected.directory, "--refresh", "--accounts", ids["workload-dev"]
    )
    assert refreshed.returncode == 0, refreshed.stderr
    assert dev.stat().st_mtime_ns != before[dev]
    assert prod.stat().st_mtime_ns == before[prod]  # not selected: kept
    assert f"{ids['workload-dev']} workload-dev (Root/Workloads/Dev): collected in " in refreshed.stderr
    assert read_bundle(collected.directory).account(ids["workload-prod"]).snapshot is not None


def test_an_ou_filter_collects_its_accounts_only(collected: Collected, tmp_path: Path) -> None:
    org = collected.org
    directory = tmp_path / "prod-only"
    done = builder.collect(collected.endpoint, org, directory, "--ous", org.units["Prod"])
    assert done.returncode == 0, done.stderr
    bundle = read_bundle(directory)
    with_snapshot = [e.name for e in bundle.accounts if e.snapshot is not None]
    assert with_snapshot == ["workload-prod"]
    assert {e.gap.code for e in bundle.accounts if e.gap is not None} == {"NotSelected"}
    assert ", 5 not selected." in done.stdout


def test_unknown_ids_are_refused_before_anything_is_written(collected: Collected, tmp_path: Path) -> None:
    directory = tmp_path / "nothing"
    done = builder.collect(collected.endpoint, collected.org, directory, "--accounts", "111100001111")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: command line: --accounts: 111100001111 is not an account of {collected.org.org_id}"
    ]
    assert not directory.exists()


def test_the_committed_demo_is_this_organization(collected: Collected) -> None:
    """demo/demo-org (scripts/build_demo_org.py) is the organization built here, all but when it was collected."""
    committed = read_bundle(ROOT / "demo" / "demo-org").to_json()
    built = collected.bundle.to_json()
    for doc in (committed, built):
        del doc["collected_at"]
    assert built == committed, "demo/demo-org differs from a build: run scripts/build_demo_org.py and commit it"
    for entry in read_bundle(ROOT / "demo" / "demo-org").accounts:
        if entry.snapshot is not None:
            assert read_account_snapshot(ROOT / "demo" / "demo-org", entry).account_id == entry.id
