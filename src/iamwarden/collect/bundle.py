"""The org bundle: an organization's structure in ``org.json`` and one snapshot per account beside it.

Layout (``docs/org-bundle.md`` and ``docs/org-bundle.schema.json`` describe it)::

    BUNDLE/
      org.json                      the organization: accounts with their OU paths, OUs, SCPs and RCPs, delegated admins
      accounts/111122223333.json.gz an ordinary snapshot of each account collected (docs/snapshot-format.md)

    {"format": "iamwarden-org-bundle", "version": 1, "collected_at": "2026-12-04T18:00:00Z",
     "organization": {"id": "o-...", "arn": "...", "management_account_id": "111122223333", "feature_set": "ALL",
                      "iam_features": ["RootCredentialsManagement"]},
     "roots": [{"id": "r-ab12", "arn": "...", "name": "Root"}],
     "organizational_units": [{"id": "ou-ab12-11111111", "name": "Workloads", "parent_id": "r-ab12"}],
     "accounts": [{"id": "111122223333", "name": "management", "email": "...", "status": "ACTIVE",
                   "ou_path": ["r-ab12"], "snapshot": "accounts/111122223333.json.gz", "gap": null}],
     "policies": [{"id": "p-...", "name": "...", "type": "SERVICE_CONTROL_POLICY", "aws_managed": false,
                   "document": {...}, "targets": ["ou-ab12-11111111"]}],
     "delegated_administrators": [{"account_id": "...", "service_principal": "guardduty.amazonaws.com"}]}

An account is either collected (``snapshot`` names its file, ``gap`` is null) or not (``snapshot`` null, ``gap`` says
why: AWS's error code and message when it could not be reached). :func:`read_bundle` validates ``org.json`` (a bad one
is an :class:`~iamwarden.errors.InputError` naming the file and the place); :func:`read_account_snapshot` reads one
account's snapshot, and a missing or corrupt one is that account's problem only. Every file is written atomically.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from iamwarden.collect.snapshot import (
    Snapshot,
    load_json_file,
    parse_json_bytes,
    problems_from_validation,
    read_snapshot,
    write_snapshot,
)
from iamwarden.errors import InputError, Problem
from iamwarden.runtime import write_atomically

FORMAT_NAME = "iamwarden-org-bundle"
FORMAT_VERSION = 1
ORG_FILE = "org.json"
ACCOUNTS_DIR = "accounts"

ACCOUNT_ID = r"^\d{12}$"
ROOT_ID = r"^r-[0-9a-z]{4,32}$"
OU_ID = r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$"
ORG_ID = r"^o-[a-z0-9]{10,32}$"
POLICY_ID = r"^p-[0-9a-zA-Z_]{8,128}$"
SNAPSHOT_PATH = r"^accounts/(\d{12})\.json(\.gz)?$"

PolicyType = Literal["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]
AccountStatus = Literal["PENDING_ACTIVATION", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED"]
"""An account's ``State`` in Organizations (its older ``Status`` has the three in the middle)."""


# --- the validated bundle ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountGap:
    """Why an account has no snapshot: AWS's error code (``AccessDenied`` ...) or ours, and a message."""

    code: str
    message: str

    def describe(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


@dataclass(frozen=True, slots=True)
class BundleOrganization:
    id: str
    arn: str
    management_account_id: str
    feature_set: str
    iam_features: tuple[str, ...] | None = None
    """IAM's organization features enabled (``iam:ListOrganizationsFeatures`` in the management account, e.g.
    ``RootCredentialsManagement``); ``None`` when not collected."""


@dataclass(frozen=True, slots=True)
class BundleRoot:
    id: str
    arn: str
    name: str


@dataclass(frozen=True, slots=True)
class BundleUnit:
    """An organizational unit."""

    id: str
    name: str
    parent_id: str


@dataclass(frozen=True, slots=True)
class BundleAccount:
    id: str
    name: str
    email: str
    status: str
    ou_path: tuple[str, ...]
    """From the root down to the account's parent: ``("r-ab12", "ou-ab12-11111111", ...)`` (the account not in it)."""
    snapshot: str | None
    """The snapshot's path relative to the bundle folder (``accounts/<id>.json.gz``); ``None`` when not collected."""
    gap: AccountGap | None


@dataclass(frozen=True, slots=True)
class BundlePolicy:
    """An SCP or RCP, its document and every root, OU or account it is attached to."""

    id: str
    name: str
    type: str
    aws_managed: bool
    document: dict[str, Any]
    targets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DelegatedAdministrator:
    account_id: str
    service_principal: str


@dataclass(frozen=True)
class OrgBundle:
    """What ``org.json`` holds, validated."""

    collected_at: datetime
    organization: BundleOrganization
    roots: tuple[BundleRoot, ...]
    organizational_units: tuple[BundleUnit, ...]
    accounts: tuple[BundleAccount, ...]
    policies: tuple[BundlePolicy, ...]
    delegated_administrators: tuple[DelegatedAdministrator, ...] = ()

    def account(self, account_id: str) -> BundleAccount:
        """The account of that id (``KeyError`` when the organization has none)."""
        for entry in self.accounts:
            if entry.id == account_id:
                return entry
        raise KeyError(account_id)

    def unit_names(self) -> dict[str, str]:
        """Root and OU ids -> their names (for OU paths people read: ``Root/Workloads/Prod``)."""
        return {r.id: r.name for r in self.roots} | {u.id: u.name for u in self.organizational_units}

    def to_json(self) -> dict[str, Any]:
        org = self.organization
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "collected_at": self.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "organization": {
                "id": org.id,
                "arn": org.arn,
                "management_account_id": org.management_account_id,
                "feature_set": org.feature_set,
                "iam_features": None if org.iam_features is None else list(org.iam_features),
            },
            "roots": [{"id": r.id, "arn": r.arn, "name": r.name} for r in self.roots],
            "organizational_units": [
                {"id": u.id, "name": u.name, "parent_id": u.parent_id} for u in self.organizational_units
            ],
            "accounts": [
                {
                    "id": a.id,
                    "name": a.name,
                    "email": a.email,
                    "status": a.status,
                    "ou_path": list(a.ou_path),
                    "snapshot": a.snapshot,
                    "gap": None if a.gap is None else {"code": a.gap.code, "message": a.gap.message},
                }
                for a in self.accounts
            ],
            "policies": [
                {
                    "id": p.id,
                    "name": p.name,
                    "type": p.type,
                    "aws_managed": p.aws_managed,
                    "document": p.document,
                    "targets": list(p.targets),
                }
                for p in self.policies
            ],
            "delegated_administrators": [
                {"account_id": d.account_id, "service_principal": d.service_principal}
                for d in self.delegated_administrators
            ],
        }


# --- org.json as it is on disk ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _RawOrganization(_Strict):
    id: str = Field(pattern=ORG_ID)
    arn: str = Field(min_length=1)
    management_account_id: str = Field(pattern=ACCOUNT_ID)
    feature_set: Literal["ALL", "CONSOLIDATED_BILLING"]
    iam_features: list[str] | None = None


class _RawRoot(_Strict):
    id: str = Field(pattern=ROOT_ID)
    arn: str = Field(min_length=1)
    name: str


class _RawUnit(_Strict):
    id: str = Field(pattern=OU_ID)
    name: str
    parent_id: str = Field(pattern=f"{ROOT_ID}|{OU_ID}")


class _RawGap(_Strict):
    code: str = Field(min_length=1)
    message: str


class _RawAccount(_Strict):
    id: str = Field(pattern=ACCOUNT_ID)
    name: str
    email: str
    status: AccountStatus
    ou_path: list[str] = Field(min_length=1)
    snapshot: str | None = Field(pattern=SNAPSHOT_PATH)
    gap: _RawGap | None


class _RawPolicy(_Strict):
    id: str = Field(pattern=POLICY_ID)
    name: str
    type: PolicyType
    aws_managed: bool
    document: dict[str, Any]
    targets: list[str]


class _RawDelegated(_Strict):
    account_id: str = Field(pattern=ACCOUNT_ID)
    service_principal: str = Field(min_length=1)


class _RawBundle(_Strict):
    format: Literal["iamwarden-org-bundle"]
    version: Literal[1]
    collected_at: datetime
    organization: _RawOrganization
    roots: list[_RawRoot] = Field(min_length=1)
    organizational_units: list[_RawUnit]
    accounts: list[_RawAccount]
    policies: list[_RawPolicy]
    delegated_administrators: list[_RawDelegated]


def bundle_from_json(doc: Any, source: str) -> OrgBundle:
    """Validate a parsed ``org.json``: its shape, then that its ids hold together (every OU path walks the OU tree,
    every policy target and delegated administrator exists, each account has a snapshot or a gap). Every problem
    found is raised together as one :class:`InputError` naming ``source``."""
    if not isinstance(doc, dict):
        raise InputError(source, Problem("$", f"org.json is a JSON object, not {type(doc).__name__}"))
    if doc.get("format") != FORMAT_NAME:
        raise InputError(source, Problem("$.format", f"not an iamwarden org bundle (expected format {FORMAT_NAME!r})"))
    try:
        raw = _RawBundle.model_validate(doc)
    except ValidationError as exc:
        raise InputError(source, problems_from_validation(exc)) from None
    problems = _consistency_problems(raw)
    if problems:
        raise InputError(source, problems)
    collected_at = raw.collected_at
    collected_at = collected_at.astimezone(UTC) if collected_at.tzinfo else collected_at.replace(tzinfo=UTC)
    org = raw.organization
    return OrgBundle(
        collected_at=collected_at,
        organization=BundleOrganization(
            org.id,
            org.arn,
            org.management_account_id,
            org.feature_set,
            None if org.iam_features is None else tuple(org.iam_features),
        ),
        roots=tuple(BundleRoot(r.id, r.arn, r.name) for r in raw.roots),
        organizational_units=tuple(BundleUnit(u.id, u.name, u.parent_id) for u in raw.organizational_units),
        accounts=tuple(
            BundleAccount(
                a.id,
                a.name,
                a.email,
                a.status,
                tuple(a.ou_path),
                a.snapshot,
                None if a.gap is None else AccountGap(a.gap.code, a.gap.message),
            )
            for a in raw.accounts
        ),
        policies=tuple(
            BundlePolicy(p.id, p.name, p.type, p.aws_managed, p.document, tuple(p.targets)) for p in raw.policies
        ),
        delegated_administrators=tuple(
            DelegatedAdministrator(d.account_id, d.service_principal) for d in raw.delegated_administrators
        ),
    )


def _duplicates(ids: Iterable[str], where: str) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for i, item in enumerate(ids):
        if item in seen:
            problems.append(Problem(f"{where}[{i}].id", f"{item} is listed twice"))
        seen.add(item)
    return problems


def _consistency_problems(raw: _RawBundle) -> list[Problem]:
    roots = {r.id for r in raw.roots}
    units = {u.id: u for u in raw.organizational_units}
    accounts = {a.id for a in raw.accounts}
    problems = _duplicates((r.id for r in raw.roots), "$.roots")
    problems += _duplicates((u.id for u in raw.organizational_units), "$.organizational_units")
    problems += _duplicates((a.id for a in raw.accounts), "$.accounts")
    problems += _duplicates((p.id for p in raw.policies), "$.policies")
    for i, unit in enumerate(raw.organizational_units):
        if unit.parent_id not in roots and unit.parent_id not in units:
            problems.append(Problem(f"$.organizational_units[{i}].parent_id", f"{unit.parent_id} is not listed"))
    for i, account in enumerate(raw.accounts):
        problems += _account_problems(i, account, roots, units)
    if raw.organization.management_account_id not in accounts:
        problems.append(Problem("$.organization.management_account_id", "the management account is not in $.accounts"))
    nodes = roots | set(units) | accounts
    for i, policy in enumerate(raw.policies):
        for j, target in enumerate(policy.targets):
            if target not in nodes:
                problems.append(Problem(f"$.policies[{i}].targets[{j}]", f"{target} is no root, OU or account listed"))
    for i, admin in enumerate(raw.delegated_administrators):
        if admin.account_id not in accounts:
            problems.append(Problem(f"$.delegated_administrators[{i}].account_id", "not in $.accounts"))
    return problems


def _account_problems(i: int, account: _RawAccount, roots: set[str], units: dict[str, _RawUnit]) -> list[Problem]:
    place = f"$.accounts[{i}]"
    problems = []
    if (account.snapshot is None) == (account.gap is None):
        problems.append(Problem(place, "an account has either a snapshot or a gap (one of them null)"))
    if account.snapshot is not None:
        match = re.match(SNAPSHOT_PATH, account.snapshot)
        if match and match.group(1) != account.id:
            problems.append(Problem(f"{place}.snapshot", f"names account {match.group(1)}, not {account.id}"))
    path = account.ou_path
    if path[0] not in roots:
        problems.append(Problem(f"{place}.ou_path[0]", f"{path[0]} is not a root listed in $.roots"))
    for j in range(1, len(path)):
        unit = units.get(path[j])
        if unit is None:
            problems.append(Problem(f"{place}.ou_path[{j}]", f"{path[j]} is not an OU listed"))
        elif unit.parent_id != path[j - 1]:
            problems.append(Problem(f"{place}.ou_path[{j}]", f"the parent of {path[j]} is {unit.parent_id}"))
    return problems


# --- reading and writing -------------------------------------------------------------------------------------


def is_bundle(path: str | Path) -> bool:
    """Whether ``path`` is a folder holding an ``org.json`` (what ``scan PATH`` takes for an org bundle)."""
    path = Path(path)
    return path.is_dir() and (path / ORG_FILE).is_file()


def read_bundle(directory: str | Path) -> OrgBundle:
    """Read and validate ``directory/org.json``; a missing or bad one is an :class:`InputError` naming it."""
    directory = Path(directory)
    if not directory.is_dir():
        what = "not a folder" if directory.exists() else "no such folder"
        raise InputError(str(directory), Problem("", f"{what} (an org bundle is a folder holding {ORG_FILE})"))
    path = directory / ORG_FILE
    if not path.is_file():
        raise InputError(str(path), Problem("", "no such file: not an org bundle (iamwarden collect --org writes one)"))
    return bundle_from_json(load_json_file(path), str(path))


def dumps_bundle(bundle: OrgBundle) -> bytes:
    return orjson.dumps(bundle.to_json(), option=orjson.OPT_INDENT_2)


def write_bundle(bundle: OrgBundle, directory: str | Path) -> Path:
    """Check ``org.json`` as :func:`read_bundle` would, then write it atomically (owner-only); returns its path. What
    the reader would refuse is not written (an :class:`InputError` naming the place, the file ``(not written)``)."""
    path = Path(directory) / ORG_FILE
    data = dumps_bundle(bundle)
    bundle_from_json(parse_json_bytes(data, str(path)), f"{path} (not written)")
    write_atomically(path, data, "the org bundle", private=True)
    return path


def snapshot_name(account_id: str) -> str:
    """Where an account's snapshot goes, relative to the bundle folder."""
    return f"{ACCOUNTS_DIR}/{account_id}.json.gz"


def write_account_snapshot(directory: str | Path, snapshot: Snapshot) -> str:
    """Write (validated, atomically) an account's snapshot into the bundle; returns its relative path."""
    name = snapshot_name(snapshot.account_id)
    write_snapshot(snapshot, Path(directory) / name, validate=True)
    return name


def read_account_snapshot(directory: str | Path, account: BundleAccount) -> Snapshot:
    """The snapshot of ``account``; missing, corrupt, or of another account: :class:`InputError` naming the file.
    An account without a snapshot (it has a gap) raises ``ValueError``: ask ``account.snapshot`` first."""
    if account.snapshot is None:
        raise ValueError(f"account {account.id} has no snapshot ({account.gap})")
    path = Path(directory) / account.snapshot
    if not path.is_file():
        raise InputError(str(path), Problem("", "no such file (listed in org.json)"))
    snapshot = read_snapshot(path)
    if snapshot.account_id != account.id:
        raise InputError(
            str(path), Problem("$.account_id", f"{snapshot.account_id}, not {account.id} as org.json says")
        )
    return snapshot
