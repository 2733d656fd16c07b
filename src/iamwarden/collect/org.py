"""Collect every account of an AWS organization into an org bundle (``docs/org-bundle.md``), read-only.

From the management account or a delegated administrator, :func:`list_organization` reads the organization's
structure: the roots, the OU tree (``ListOrganizationalUnitsForParent`` from each root down), the accounts under each
root and OU (``ListAccountsForParent``: their OU paths come from where they were found), every SCP and RCP with its
document and targets, the delegated administrators, and IAM's organization features. A failure there stops the run
(an :class:`~iamwarden.errors.InputError` naming the call and AWS's error): without the structure there is no bundle.

:func:`collect_organization` then collects the accounts, ``max_workers`` at once, each with the ordinary collector
(:func:`iamwarden.collect.live.collect_account`) in a session of its own: the caller's own account with the caller's
session, every other account through ``sts:AssumeRole`` into ``arn:<partition>:iam::<id>:role/<role name>``
(session name ``iamwarden``, with the external id when given). An account that cannot be reached is a *gap* with
AWS's error code and message (``AccessDenied``, ``RegionDisabledException`` ...) and the others carry on; an account
whose state is not ``ACTIVE`` is not tried (``AccountNotActive``). Each snapshot is validated and written atomically
as soon as its account is done, so a run stopped half-way leaves whole snapshots, which the next run keeps unless
asked to refresh them; ``org.json`` is validated and written last.

Threads: every account's collection makes its own clients in its own thread from a session of its own (boto3
sessions are not thread-safe; clients are). Only the caller's own account uses the caller's session, in one thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast, get_args

import boto3
import botocore.session
import orjson
from botocore.client import BaseClient
from botocore.config import Config
from botocore.credentials import CredentialProvider, RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from iamwarden.collect.bundle import (
    AccountGap,
    AccountStatus,
    BundleAccount,
    BundleOrganization,
    BundlePolicy,
    BundleRoot,
    BundleUnit,
    DelegatedAdministrator,
    OrgBundle,
    read_account_snapshot,
    snapshot_name,
    write_account_snapshot,
    write_bundle,
)
from iamwarden.collect.live import DEFAULT_RETRIES, Polling, collect_account, fetch_all
from iamwarden.collect.snapshot import Snapshot
from iamwarden.errors import InputError, Problem

DEFAULT_ROLE_NAME = "iamwarden-member"
"""The member role of ``docs/iamwarden-member-role.stackset.yaml``."""
SESSION_NAME = "iamwarden"
ROLE_SESSION_SECONDS = 3600
"""The assumed role's credentials last an hour (AWS's default, and the most role chaining allows); they are renewed
before they expire."""
ASSUMED_ROLE_METHOD = "iamwarden-assume-role"
DEFAULT_WORKERS = 8
"""Accounts collected at once. IAM's and the other services' request quotas are per account, so accounts collected at
once do not share them; what they share is the caller's ``sts:AssumeRole`` (one call per account) and this machine:
each account's collection runs up to 14 threads of its own (:data:`iamwarden.collect.live.MAX_WORKERS` plus its
per-user threads), mostly waiting on the network."""
ORG_POLICY_TYPES = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")

ORGANIZATION_ACTIONS = (
    "organizations:DescribeOrganization",
    "organizations:ListRoots",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListAccountsForParent",
    "organizations:ListPolicies",
    "organizations:DescribePolicy",
    "organizations:ListTargetsForPolicy",
    "organizations:ListDelegatedAdministrators",
    "organizations:ListDelegatedServicesForAccount",
    "iam:ListOrganizationsFeatures",
    "sts:GetCallerIdentity",
    "sts:AssumeRole",
)
"""Every action the caller's side of ``collect --org`` uses, besides collecting its own account (the member role
needs ``docs/iamwarden-readonly-policy.json``); ``docs/permissions.md`` grants them, and a test checks this list
against the calls made."""

Outcome = Literal["collected", "kept", "gap"]


# --- what to collect, and how ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """The accounts asked for: ids (``--accounts``) and OUs or roots (``--ous``) whose accounts, at any depth, are
    wanted. Nothing given: every account."""

    accounts: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()

    def selects(self, entry: BundleAccount) -> bool:
        if not self.accounts and not self.units:
            return True
        return entry.id in self.accounts or any(node in self.units for node in entry.ou_path)


@dataclass(frozen=True, slots=True)
class MemberAccess:
    """How to get into a member account: the role to assume there, and the external id its trust asks for."""

    role_name: str = DEFAULT_ROLE_NAME
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class AccountCollection:
    """What :func:`collect_account` is asked of every account."""

    regions: list[str] | None = None
    all_regions: bool = False
    service_last_accessed: bool = False
    retries: int = DEFAULT_RETRIES
    polling: Polling = field(default_factory=Polling)


@dataclass(frozen=True, slots=True)
class AccountDone:
    """One account finished: ``entry`` with its snapshot or gap; ``index`` of ``total`` accounts worked on."""

    entry: BundleAccount
    outcome: Outcome
    seconds: float
    index: int
    total: int
    snapshot: Snapshot | None = None
    """The snapshot collected or kept."""


AccountProgress = Callable[[AccountDone], None]


@dataclass(frozen=True)
class OrgStructure:
    """What :func:`list_organization` read: the bundle without account snapshots or gaps, and who is asking."""

    caller_account_id: str
    partition: str
    bundle: OrgBundle


# --- the organization's structure -----------------------------------------------------------------------------


def _call(client: BaseClient, service: str, operation: str, **params: Any) -> dict[str, Any]:
    """One Organizations (or STS) call, all pages; any failure is an :class:`InputError` naming it and AWS's error."""
    where = f"{service}:{operation}"
    try:
        return fetch_all(client, operation, **params)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = str(error.get("Code") or "Error"), str(error.get("Message") or exc)
        hint = ""
        if code == "AWSOrganizationsNotInUseException":
            hint = " (the account is not in an organization)"
        elif code in ("AccessDenied", "AccessDeniedException"):
            hint = " (collect --org runs in the management account or a delegated administrator; docs/permissions.md)"
        raise InputError("AWS Organizations", Problem(where, f"{code}: {message}{hint}")) from None
    except (BotoCoreError, ResponseParserError) as exc:  # ResponseParserError: an answer that is not AWS's format
        raise InputError("AWS Organizations", Problem(where, f"{type(exc).__name__}: {exc}")) from None


def list_organization(session: boto3.Session, *, retries: int = DEFAULT_RETRIES) -> OrgStructure:
    """The organization's structure, read from the caller's account (see the module docstring).

    An answer lacking a field AWS documents is filled where AWS defines it (an organization's or a root's ARN, from
    the ids) or stops the run naming the field (an :class:`InputError`), never a crash nor a bundle the reader
    refuses."""
    try:
        return _list_organization(session, retries)
    except KeyError as exc:
        lacking = Problem("", f"an answer of AWS Organizations lacks the field {exc}, which AWS documents")
        raise InputError("AWS Organizations", lacking) from None


def _list_organization(session: boto3.Session, retries: int) -> OrgStructure:
    config = Config(retries={"mode": "adaptive", "max_attempts": retries})
    region = session.region_name or "us-east-1"
    sts = session.client("sts", region_name=region, config=config)
    org = session.client("organizations", region_name=region, config=config)
    identity = _call(sts, "sts", "GetCallerIdentity")
    partition = identity["Arn"].split(":")[1]
    described = _call(org, "organizations", "DescribeOrganization")["Organization"]
    org_id, management = described["Id"], described["MasterAccountId"]
    org_arn = f"arn:{partition}:organizations::{management}"
    roots = [
        BundleRoot(r["Id"], r.get("Arn") or f"{org_arn}:root/{org_id}/{r['Id']}", r.get("Name", "Root"))
        for r in _call(org, "organizations", "ListRoots")["Roots"]
    ]
    units: list[BundleUnit] = []
    accounts: list[BundleAccount] = []
    for root in roots:
        for path in _walk(org, (root.id,), units):
            accounts += _accounts_under(org, path)
    all_features = described.get("FeatureSet") == "ALL"
    bundle = OrgBundle(
        collected_at=datetime.now(UTC),
        organization=BundleOrganization(
            id=org_id,
            arn=described.get("Arn") or f"{org_arn}:organization/{org_id}",
            management_account_id=management,
            feature_set=described.get("FeatureSet", "ALL"),
            iam_features=_iam_features(session, region, config),
        ),
        roots=tuple(roots),
        organizational_units=tuple(units),
        accounts=tuple(accounts),
        policies=tuple(_policies(org)) if all_features else (),
        delegated_administrators=tuple(_delegated_administrators(org)) if all_features else (),
    )
    return OrgStructure(identity["Account"], partition, bundle)


def _walk(org: BaseClient, path: tuple[str, ...], units: list[BundleUnit]) -> Iterator[tuple[str, ...]]:
    """``path`` and the path of every OU below its last node, depth first; each OU found is added to ``units``."""
    yield path
    listed = _call(org, "organizations", "ListOrganizationalUnitsForParent", ParentId=path[-1])
    for unit in listed["OrganizationalUnits"]:
        units.append(BundleUnit(unit["Id"], unit.get("Name", ""), path[-1]))
        yield from _walk(org, (*path, unit["Id"]), units)


def _accounts_under(org: BaseClient, path: tuple[str, ...]) -> list[BundleAccount]:
    found = []
    for account in _call(org, "organizations", "ListAccountsForParent", ParentId=path[-1])["Accounts"]:
        state = account.get("State") or account.get("Status")
        if state not in get_args(AccountStatus):
            problem = Problem(
                "organizations:ListAccountsForParent", f"account {account['Id']}: unknown state {state!r}"
            )
            raise InputError("AWS Organizations", problem)
        found.append(
            BundleAccount(
                id=account["Id"],
                name=account.get("Name", ""),
                email=account.get("Email", ""),
                status=cast("str", state),
                ou_path=path,
                snapshot=None,
                gap=None,
            )
        )
    return found


def _policies(org: BaseClient) -> Iterator[BundlePolicy]:
    for policy_type in ORG_POLICY_TYPES:
        for summary in _call(org, "organizations", "ListPolicies", Filter=policy_type)["Policies"]:
            policy_id = summary["Id"]
            content = _call(org, "organizations", "DescribePolicy", PolicyId=policy_id)["Policy"]["Content"]
            try:
                document = orjson.loads(content)
            except orjson.JSONDecodeError as exc:
                problem = Problem("organizations:DescribePolicy", f"{policy_id}: the document is not JSON ({exc.msg})")
                raise InputError("AWS Organizations", problem) from None
            targets = _call(org, "organizations", "ListTargetsForPolicy", PolicyId=policy_id)["Targets"]
            yield BundlePolicy(
                id=policy_id,
                name=summary.get("Name", ""),
                type=summary.get("Type", policy_type),
                aws_managed=bool(summary.get("AwsManaged", False)),
                document=document,
                targets=tuple(t["TargetId"] for t in targets),
            )


def _delegated_administrators(org: BaseClient) -> Iterator[DelegatedAdministrator]:
    for admin in _call(org, "organizations", "ListDelegatedAdministrators")["DelegatedAdministrators"]:
        services = _call(org, "organizations", "ListDelegatedServicesForAccount", AccountId=admin["Id"])
        for service in services["DelegatedServices"]:
            yield DelegatedAdministrator(admin["Id"], service["ServicePrincipal"])


def _iam_features(session: boto3.Session, region: str, config: Config) -> tuple[str, ...] | None:
    """IAM's organization features enabled, or ``None`` when they cannot be read (the bundle says: not collected)."""
    iam = session.client("iam", region_name=region, config=config)
    try:
        return tuple(fetch_all(iam, "ListOrganizationsFeatures").get("EnabledFeatures", []))
    except (ClientError, BotoCoreError, ResponseParserError, NotImplementedError):
        return None  # NotImplementedError: an emulator in this process (moto) lacks the call


# --- every account ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    session: boto3.Session
    sts: BaseClient
    structure: OrgStructure
    directory: Path
    access: MemberAccess
    collection: AccountCollection
    refresh: bool


def collect_organization(
    session: boto3.Session,
    directory: str | Path,
    *,
    access: MemberAccess | None = None,
    selection: Selection | None = None,
    collection: AccountCollection | None = None,
    max_workers: int = DEFAULT_WORKERS,
    refresh: bool = False,
    progress: AccountProgress | None = None,
    structure: OrgStructure | None = None,
) -> OrgBundle:
    """Collect the organization into the bundle folder ``directory``; returns what ``org.json`` now holds.

    Accounts outside ``selection`` keep the snapshot an earlier run left (else they are a ``NotSelected`` gap);
    selected accounts whose snapshot an earlier run left are kept too, unless ``refresh``. ``structure``: what
    :func:`list_organization` read (read now when not given). ``progress`` is called in this thread as each account
    is done.
    """
    structure = structure or list_organization(session, retries=(collection or AccountCollection()).retries)
    selection = selection or Selection()
    collection = collection or AccountCollection()
    config = Config(retries={"mode": "adaptive", "max_attempts": collection.retries})
    run = _Run(
        session=session,
        sts=session.client("sts", region_name=session.region_name or "us-east-1", config=config),
        structure=structure,
        directory=Path(directory),
        access=access or MemberAccess(),
        collection=collection,
        refresh=refresh,
    )
    entries = structure.bundle.accounts
    done: dict[str, BundleAccount] = {}
    worked = [e for e in entries if selection.selects(e) or _has_snapshot(run.directory, e)]
    for entry in entries:
        if entry not in worked:
            done[entry.id] = replace(entry, gap=AccountGap("NotSelected", "outside --accounts / --ous"))
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="iamwarden-account") as pool:
        jobs = [pool.submit(_account, run, entry, selection.selects(entry)) for entry in worked]
        try:
            for index, job in enumerate(as_completed(jobs), start=1):
                result = job.result()  # re-raises an OutputError (a snapshot that cannot be written) or a bug
                done[result.entry.id] = result.entry
                if progress is not None:
                    progress(replace(result, index=index, total=len(worked)))
        except BaseException:
            # An interrupt or an error: the accounts not started are not; those being collected finish (each
            # snapshot whole), org.json is not written. The next run keeps what was written.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    bundle = replace(structure.bundle, accounts=tuple(done[e.id] for e in entries))
    write_bundle(bundle, run.directory)
    return bundle


def _has_snapshot(directory: Path, entry: BundleAccount) -> bool:
    return (directory / snapshot_name(entry.id)).is_file()


def _account(run: _Run, entry: BundleAccount, selected: bool) -> AccountDone:
    started = time.monotonic()

    def finish(outcome: Outcome, snapshot: Snapshot | None = None, gap: AccountGap | None = None) -> AccountDone:
        name = snapshot_name(entry.id) if snapshot is not None else None
        return AccountDone(
            replace(entry, snapshot=name, gap=gap), outcome, time.monotonic() - started, 0, 0, snapshot=snapshot
        )

    if _has_snapshot(run.directory, entry) and (not run.refresh or not selected):
        try:
            return finish(
                "kept", read_account_snapshot(run.directory, replace(entry, snapshot=snapshot_name(entry.id)))
            )
        except InputError:
            if not selected:
                return finish("gap", gap=AccountGap("NotSelected", "outside --accounts / --ous"))
            # an unreadable snapshot left by an earlier run: collected again
    if entry.status != "ACTIVE":
        return finish(
            "gap", gap=AccountGap("AccountNotActive", f"the account's state is {entry.status}: not collected")
        )
    session = run.session if entry.id == run.structure.caller_account_id else None
    if session is None:
        assumed = _assume_role(run, entry.id)
        if isinstance(assumed, AccountGap):
            return finish("gap", gap=assumed)
        session = assumed
    collection = run.collection
    try:
        snapshot = collect_account(
            session,
            collection.regions,
            collection.all_regions,
            collection.service_last_accessed,
            retries=collection.retries,
            polling=collection.polling,
        )
        if snapshot.account_id != entry.id:
            message = f"the credentials reached account {snapshot.account_id}, not {entry.id}"
            return finish("gap", gap=AccountGap("CollectFailed", message))
        write_account_snapshot(run.directory, snapshot)  # validated first: what a reader would refuse is not written
    except InputError as exc:
        return finish("gap", gap=AccountGap("CollectFailed", exc.one_line()))
    return finish("collected", snapshot)


def role_arn(partition: str, account_id: str, role_name: str) -> str:
    return f"arn:{partition}:iam::{account_id}:role/{role_name}"


class _RoleCredentials(CredentialProvider):
    """Gives a botocore session the assumed role's credentials, which renew themselves (a new ``sts:AssumeRole``)
    before they expire, so an account collected for longer than an hour is not cut off half-way."""

    METHOD = ASSUMED_ROLE_METHOD
    CANONICAL_NAME = "custom-iamwarden-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


def _metadata(credentials: dict[str, Any]) -> dict[str, str]:
    expiration = credentials["Expiration"]
    return {
        "access_key": credentials["AccessKeyId"],
        "secret_key": credentials["SecretAccessKey"],
        "token": credentials["SessionToken"],
        "expiry_time": expiration.isoformat() if isinstance(expiration, datetime) else str(expiration),
    }


def assume_role(sts: BaseClient, role: str, external_id: str | None, region: str | None) -> boto3.Session | AccountGap:
    """A session in the account of ``role`` (its ARN), its credentials renewed as they expire; or the gap AWS's
    refusal makes (AWS's error code and message)."""
    params: dict[str, Any] = {
        "RoleArn": role,
        "RoleSessionName": SESSION_NAME,
        "DurationSeconds": ROLE_SESSION_SECONDS,
    }
    if external_id is not None:
        params["ExternalId"] = external_id

    def fetch() -> dict[str, str]:
        return _metadata(fetch_all(sts, "AssumeRole", **params)["Credentials"])

    try:
        first = fetch()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return AccountGap(str(error.get("Code") or "Error"), str(error.get("Message") or exc))
    except (BotoCoreError, ResponseParserError) as exc:
        return AccountGap("Error", f"sts:AssumeRole: {type(exc).__name__}: {exc}")
    credentials = RefreshableCredentials.create_from_metadata(first, refresh_using=fetch, method=ASSUMED_ROLE_METHOD)
    core = botocore.session.get_session()
    core.get_component("credential_provider").insert_before("env", _RoleCredentials(credentials))
    return boto3.Session(botocore_session=core, region_name=region)


def _assume_role(run: _Run, account_id: str) -> boto3.Session | AccountGap:
    role = role_arn(run.structure.partition, account_id, run.access.role_name)
    return assume_role(run.sts, role, run.access.external_id, run.session.region_name)


def unknown_ids(structure: OrgStructure, selection: Selection) -> list[Problem]:
    """The ``--accounts`` and ``--ous`` ids the organization does not have."""
    bundle = structure.bundle
    accounts = {a.id for a in bundle.accounts}
    nodes = {r.id for r in bundle.roots} | {u.id for u in bundle.organizational_units}
    org = bundle.organization.id
    problems = [Problem("--accounts", f"{a} is not an account of {org}") for a in sorted(selection.accounts - accounts)]
    problems += [Problem("--ous", f"{u} is not a root or OU of {org}") for u in sorted(selection.units - nodes)]
    return problems
