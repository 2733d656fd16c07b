"""The large-account generator: a small account loads, has the asked-for counts, and is the same for a seed."""

from __future__ import annotations

from pathlib import Path

from benchmarks.generate_account import Counts, write_account

from iamwarden.collect.authdetails import snapshot_from_authorization_details
from iamwarden.collect.snapshot import read_snapshot
from iamwarden.model import build_account

COUNTS = Counts.from_principals(50)


def test_snapshot_loads_with_the_expected_counts(tmp_path: Path) -> None:
    account = build_account(read_snapshot(write_account(tmp_path / "a.json.gz", COUNTS, seed=7)))
    assert (len(account.users), len(account.roles), len(account.groups)) == (20, 30, 2)
    customer = [p for p in account.policies if not p.aws_managed]
    assert len(customer) == COUNTS.policies == 25
    assert account.credential_report is not None and len(account.credential_report) == 21  # root + every user
    for user in account.users:
        assert user.access_keys is not None and user.credential_report is not None
        assert user.credential_report.access_key_1_active == any(k.active for k in user.access_keys[:1])
    assert account.organization is not None
    assert [len(level) for level in account.organization.levels("SERVICE_CONTROL_POLICY")] == [2, 2, 2, 2]


def test_same_seed_same_bytes_other_seed_other_account(tmp_path: Path) -> None:
    one = write_account(tmp_path / "1.json.gz", COUNTS, seed=3).read_bytes()
    two = write_account(tmp_path / "2.json.gz", COUNTS, seed=3).read_bytes()
    other = write_account(tmp_path / "3.json.gz", COUNTS, seed=4).read_bytes()
    assert one == two != other


def test_explicit_counts(tmp_path: Path) -> None:
    counts = Counts(users=7, roles=11, groups=3, policies=12)
    account = build_account(read_snapshot(write_account(tmp_path / "c.json", counts)))
    assert (len(account.users), len(account.roles), len(account.groups)) == (7, 11, 3)


def test_authorization_details_format_loads(tmp_path: Path) -> None:
    path = write_account(tmp_path / "gaad.json", COUNTS, seed=7, fmt="authorization-details")
    account = build_account(snapshot_from_authorization_details(path))
    snapshot = build_account(read_snapshot(write_account(tmp_path / "s.json.gz", COUNTS, seed=7)))
    assert [u.arn for u in account.users] == [u.arn for u in snapshot.users]
    assert [r.trust_policy for r in account.roles] == [r.trust_policy for r in snapshot.roles]
