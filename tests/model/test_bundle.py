"""The accounts of an org bundle as model accounts: one at a time, each with the SCPs of its real OU path."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.principals import principal_policies
from iamwarden.collect.bundle import ORG_FILE
from iamwarden.errors import InputError
from iamwarden.model.bundle import UNREADABLE, iter_members, load_member
from tests.collect.org_bundles import (
    ASSUME_DENIED,
    DEV,
    DEV_OU,
    MANAGEMENT,
    PROD,
    PROD_OU,
    ROOT,
    SANDBOX,
    WORKLOADS,
    WrittenBundle,
    write_test_bundle,
)


@pytest.fixture
def written(tmp_path: Path) -> WrittenBundle:
    return write_test_bundle(tmp_path / "org")


def _scp_names(written: WrittenBundle, account_id: str) -> list[list[str]]:
    member = load_member(written.directory, account_id)
    assert member.account is not None
    user = member.account.users[0]
    policies = principal_policies(AnalysisContext(member.account), user)
    assert policies.caveats == ()
    return [[p.name or "" for p in level] for level in policies.scps]


def test_members_come_in_order_each_in_its_ou_path(written: WrittenBundle) -> None:
    members = list(iter_members(written.directory))
    assert [m.account_id for m in members] == [MANAGEMENT, PROD, DEV, SANDBOX]
    paths = {m.account_id: m.account.organization.path for m in members if m.account and m.account.organization}
    assert paths == {
        MANAGEMENT: (ROOT, MANAGEMENT),
        PROD: (ROOT, WORKLOADS, PROD_OU, PROD),
        DEV: (ROOT, WORKLOADS, DEV_OU, DEV),
    }
    for member in members[:3]:
        assert member.account is not None and member.account.organization is not None
        organization = member.account.organization
        assert (organization.org_id, organization.management_account_id) == ("o-abcdef1234", MANAGEMENT)
        assert organization.root_credentials_management is None  # iam_features not collected
    sandbox = members[3]
    assert (sandbox.account, sandbox.gap, sandbox.entry.name) == (None, ASSUME_DENIED, "sandbox")


def test_the_scps_of_each_accounts_own_path_apply(written: WrittenBundle) -> None:
    """The OU-level SCP on Prod governs the prod account's principals, not those of its sibling in Dev."""
    prod = _scp_names(written, PROD)
    dev = _scp_names(written, DEV)
    assert len(prod) == len(dev) == 4  # root, Workloads, the account's OU, the account
    assert any("deny-create-user" in name for name in prod[2])
    assert not any("deny-create-user" in name for level in dev for name in level)


def test_a_missing_snapshot_is_that_accounts_gap_only(written: WrittenBundle) -> None:
    missing = written.directory / "accounts" / f"{PROD}.json.gz"
    missing.unlink()
    members = {m.account_id: m for m in iter_members(written.directory)}
    prod = members[PROD]
    assert prod.account is None and prod.gap is not None
    assert (prod.gap.code, prod.gap.message) == (UNREADABLE, f"{missing}: no such file (listed in org.json)")
    assert members[DEV].account is not None and members[MANAGEMENT].account is not None


def test_a_bad_org_json_stops_everything(written: WrittenBundle) -> None:
    (written.directory / ORG_FILE).write_text("[]")
    with pytest.raises(InputError, match=r"org.json: \$: org.json is a JSON object, not list"):
        next(iter_members(written.directory))
