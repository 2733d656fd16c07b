"""The inventory of the small hand-made account of tests/model/test_build.py: rows, masking, gaps, JSON."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from iamwarden.model import Account
from iamwarden.report.inventory import Inventory, inventory, inventory_json, trusted_principals, write_inventory
from tests.model.test_build import ACCOUNT, _snapshot_account


@pytest.fixture(scope="module")
def account() -> Account:
    return _snapshot_account()


@pytest.fixture(scope="module")
def inv(account: Account) -> Inventory:
    return inventory(account)


def test_header_and_counts(inv: Inventory) -> None:
    assert inv.account.account_id == ACCOUNT
    assert inv.account.regions == ("us-east-1", "eu-west-1")
    assert inv.counts["users"] == 1 and inv.counts["roles"] == 1 and inv.counts["groups"] == 1
    assert inv.counts["trails"] == 1  # the eu-west-1 shadow copy is the same trail


def test_root_and_users(inv: Inventory) -> None:
    assert inv.root.mfa == "virtual" and inv.root.access_keys_present is False
    (alice,) = inv.users
    assert alice.name == "alice" and alice.console is True and alice.mfa == "none"
    assert alice.groups == ("admins",) and alice.inline_policies == 1
    assert (alice.access_keys, alice.active_access_keys) == (1, 1)


def test_access_keys_are_masked_and_aged(inv: Inventory) -> None:
    (key,) = inv.access_keys
    assert key.key_id == "AKIA************0001"
    assert key.last_used_known and key.last_used_service == "s3"
    assert key.age_days is not None and key.age_days > 365


def test_roles_groups_and_trust(inv: Inventory, account: Account) -> None:
    (web,) = inv.roles
    assert web.trusted == ("service:ec2.amazonaws.com",) and web.permissions_boundary
    assert web.instance_profiles == ("web",)
    assert trusted_principals(account.roles_by_name["web"]) == web.trusted
    (admins,) = inv.groups
    assert admins.members == ("alice",) and admins.attached_policies == 1


def test_regions_workloads_organization(inv: Inventory) -> None:
    assert [r.region for r in inv.regions] == ["eu-west-1", "us-east-1"]
    assert all(r.analyzers == () for r in inv.regions)
    (instance,) = inv.workloads
    assert (instance.kind, instance.region, instance.role) == ("ec2", "eu-west-1", None)
    assert inv.organization is not None and inv.organization.path == ("r-abc", "ou-abc-1", ACCOUNT)
    assert dict(inv.organization.scps_by_level)["r-abc"] == ("FullAWSAccess",)


def test_gaps_are_listed(inv: Inventory) -> None:
    assert [(g.api, g.error_code) for g in inv.gaps] == [("iam:ListServerCertificates", "AccessDenied")]


def test_json_is_stable_and_written_atomically(inv: Inventory, account: Account, tmp_path: Path) -> None:
    data = inventory_json(inv)
    assert data == inventory_json(inventory(account))
    doc = orjson.loads(data)
    assert doc["format"] == "iamwarden-inventory" and doc["counts"]["users"] == 1
    assert doc["inventory"]["access_keys"][0]["key_id"] == "AKIA************0001"
    assert "AKIAEXAMPLEKEY000001" not in data.decode()
    path = tmp_path / "out" / "inventory.json"
    path.parent.mkdir()
    write_inventory(inv, path)
    assert path.read_bytes() == data
    assert [p.name for p in path.parent.iterdir()] == ["inventory.json"]  # no temporary file left behind
