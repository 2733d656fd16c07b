"""The accounts of an org bundle as model :class:`Account` objects, one at a time, each in its real organization.

A member account's own snapshot cannot see the organization's SCPs and RCPs (those calls answer only in the
management account or a delegated administrator); ``org.json`` holds them for every account. So each account's
:attr:`Account.organization` is built from ``org.json``: its OU path (root first, the account last) and every SCP and
RCP of the organization, so :meth:`Organization.levels` yields the policies of the account's real path.

Accounts are read one at a time (:func:`iter_members`), so memory holds one account's model, not the organization's:
a process pool can map :func:`load_member` over account ids instead. An account whose snapshot is missing or corrupt
is a :class:`Member` with a gap naming the file and the place; the others are still read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from iamwarden.collect.bundle import (
    AccountGap,
    BundleAccount,
    OrgBundle,
    read_account_snapshot,
    read_bundle,
)
from iamwarden.errors import InputError
from iamwarden.model.build import build_account
from iamwarden.model.entities import Account, Organization, OrgPolicy

UNREADABLE = "SnapshotUnreadable"
"""The gap code of an account whose snapshot is listed in org.json but missing, corrupt, or of another account."""

ROOT_CREDENTIALS_MANAGEMENT = "RootCredentialsManagement"


@dataclass(frozen=True)
class Member:
    """One account of the bundle: its org.json entry and either its model (``account``) or why not (``gap``)."""

    entry: BundleAccount
    account: Account | None
    gap: AccountGap | None

    @property
    def account_id(self) -> str:
        return self.entry.id


def org_policies(bundle: OrgBundle) -> tuple[OrgPolicy, ...]:
    """Every SCP and RCP of the organization as the model holds them."""
    return tuple(
        OrgPolicy(
            policy_id=p.id,
            name=p.name,
            type=p.type,
            aws_managed=p.aws_managed,
            document=p.document,
            target_ids=p.targets,
        )
        for p in bundle.policies
    )


def organization_of(
    bundle: OrgBundle,
    entry: BundleAccount,
    policies: tuple[OrgPolicy, ...] | None = None,
    own: Organization | None = None,
) -> Organization:
    """The account's :class:`Organization` from org.json (``policies``: :func:`org_policies`, computed when not
    given). Centralized root access comes from org.json's IAM features, else from the account's own snapshot
    (``own``: what it saw itself), else it is unknown."""
    features = bundle.organization.iam_features
    if features is not None:
        root_credentials: bool | None = ROOT_CREDENTIALS_MANAGEMENT in features
    else:
        root_credentials = own.root_credentials_management if own is not None else None
    return Organization(
        org_id=bundle.organization.id,
        management_account_id=bundle.organization.management_account_id,
        feature_set=bundle.organization.feature_set,
        path=(*entry.ou_path, entry.id),
        policies=org_policies(bundle) if policies is None else policies,
        root_credentials_management=root_credentials,
    )


def load_member(
    directory: str | Path,
    account_id: str,
    bundle: OrgBundle | None = None,
    policies: tuple[OrgPolicy, ...] | None = None,
) -> Member:
    """Read one account of the bundle at ``directory`` (``bundle``: its org.json, read when not given). An account
    the organization does not list is a ``KeyError``; a bad org.json an :class:`InputError`."""
    bundle = bundle if bundle is not None else read_bundle(directory)
    entry = bundle.account(account_id)
    if entry.snapshot is None:
        return Member(entry, None, entry.gap)
    try:
        snapshot = read_account_snapshot(directory, entry)
    except InputError as exc:
        return Member(entry, None, AccountGap(UNREADABLE, exc.one_line()))
    account = build_account(snapshot)
    organization = organization_of(bundle, entry, policies, own=account.organization)
    return Member(entry, dataclasses.replace(account, organization=organization), None)


def iter_members(directory: str | Path, bundle: OrgBundle | None = None) -> Iterator[Member]:
    """Every account of the bundle in org.json's order, one model at a time."""
    bundle = bundle if bundle is not None else read_bundle(directory)
    policies = org_policies(bundle)
    for entry in bundle.accounts:
        yield load_member(directory, entry.id, bundle, policies)
