"""Whose keys a secrets scan found, and how bad each find is, without ever using a secret.

:func:`attribute` groups the scan's hits by value (a key copied into 30 commits is one finding with 30 locations),
pairs each access key id with the secret and session token found next to it, and says whose key it is:

1. the account: ``sts:GetAccessKeyInfo``'s answer when ``--verify`` asked it, else the account decoded offline from
   the key id (:func:`iamwarden.collect.secrets.keys.account_of_key_id`), else - for a key the snapshots list - the
   snapshot's account;
2. the owner, from the snapshots' key listings (ListAccessKeys, GetAccessKeyLastUsed): user, status, created, last
   used (date, service, region).

Severity (docs/secrets.md):

============  ==========================================================================================
critical      an active key of an account given with ``--snapshot``
high          an inactive key of such an account; temporary (``ASIA``) credentials of it; a key of another
              account of its organization (``--org-account``, the snapshot's management account)
medium        a key (or a lone secret or token) of an unknown account
low           a long-term key of a known account that is no longer among its keys (deleted: it cannot work)
info          the AWS documentation's examples (``AKIAIOSFODNN7EXAMPLE`` ...) and ids no AWS key can have (``0``,
              ``1``, ``8`` or ``9`` after the prefix: test fixtures), unless a snapshot lists the key
============  ==========================================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from iamwarden.collect.secrets import Hit, Place
from iamwarden.collect.secrets.keys import (
    Kind,
    account_of_key_id,
    fingerprint,
    is_example,
    is_possible_key_id,
    mask,
)
from iamwarden.model import AccessKey, Account, User

SecretSeverity = Literal["critical", "high", "medium", "low", "info"]
SEVERITY_ORDER: tuple[SecretSeverity, ...] = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True, slots=True)
class Location:
    place: Place
    line: int
    column: int

    def describe(self) -> str:
        return self.place.describe(self.line)

    def to_json(self) -> dict[str, object]:
        return {**self.place.to_json(), "line": self.line, "column": self.column}


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """The IAM user a key belongs to, from a snapshot's key listings."""

    account_id: str
    user: str
    arn: str
    status: str
    created: str | None
    last_used: str | None
    last_used_service: str | None
    last_used_region: str | None

    def describe(self) -> str:
        used = f", last used {self.last_used[:10]}" if self.last_used else ", never used"
        where = (
            f" ({self.last_used_service} in {self.last_used_region})"
            if self.last_used and self.last_used_service
            else ""
        )
        return f"{self.user}'s {self.status.lower()} key{used}{where}"

    def to_json(self) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "user": self.user,
            "arn": self.arn,
            "status": self.status,
            "created": self.created,
            "last_used": self.last_used,
            "last_used_service": self.last_used_service,
            "last_used_region": self.last_used_region,
        }


@dataclass(frozen=True, slots=True)
class SecretFinding:
    """One distinct credential value found, everywhere it was found, whose it is and how bad it is."""

    kind: Kind
    masked: str
    fingerprint: str
    example: bool
    locations: tuple[Location, ...]
    """Earliest first (by author date; files on disk after history)."""
    severity: SecretSeverity
    reason: str
    account_id: str | None = None
    account_source: Literal["snapshot", "sts", "decoded"] | None = None
    owner: KeyOwner | None = None
    secret_exposed: bool = False
    """For a key id: its secret access key was found next to it."""
    token_exposed: bool = False
    paired_key: str | None = None
    """For a secret or token: the masked key id it sits next to."""
    encodings: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def rule_id(self) -> str:
        return f"secrets.{self.kind}"

    @property
    def primary(self) -> Location:
        return self.locations[0]

    @property
    def resource(self) -> str:
        """What suppressions match: ``<path of the first location>#<fingerprint>`` (a glob on the path, or
        ``*#sha256:...`` for one value wherever it is)."""
        return f"{self.primary.place.path}#{self.fingerprint}"

    @property
    def leak(self) -> bool:
        return self.severity != "info"


@dataclass(frozen=True, slots=True)
class KnownAccounts:
    """What the snapshots say: their accounts' keys by id, and the accounts of their organizations."""

    keys: Mapping[str, tuple[Account, User, AccessKey]]
    accounts: Mapping[str, Account]
    organization: frozenset[str]

    @classmethod
    def of(cls, accounts: Sequence[Account], org_accounts: Iterable[str] = ()) -> KnownAccounts:
        keys = {
            key.key_id: (account, user, key)
            for account in accounts
            for user in account.users
            for key in user.access_keys or ()
        }
        org = set(org_accounts)
        for account in accounts:
            if account.organization is not None and account.organization.management_account_id:
                org.add(account.organization.management_account_id)
        return cls(keys, {a.account_id: a for a in accounts}, frozenset(org))


def _owner(account: Account, user: User, key: AccessKey) -> KeyOwner:
    return KeyOwner(
        account.account_id,
        user.name,
        user.arn,
        key.status,
        key.created.isoformat() if key.created else None,
        key.last_used.isoformat() if key.last_used else None,
        key.last_used_service,
        key.last_used_region,
    )


def _locations(hits: Iterable[Hit]) -> tuple[Location, ...]:
    seen: dict[tuple[str, str, str | None, int], Location] = {}
    for hit in hits:
        for place in hit.places:
            key = (place.repository or "", place.path, place.commit, hit.candidate.line)
            seen.setdefault(key, Location(place, hit.candidate.line, hit.candidate.column))
    order = {"history": 0, "unreachable": 1, "index": 2, "file": 3}
    return tuple(
        sorted(
            seen.values(),
            key=lambda loc: (order[loc.place.origin], loc.place.author_time or 0, loc.place.path, loc.line),
        )
    )


def _judge_key(
    key_id: str, known: KnownAccounts, verified: Mapping[str, str | None]
) -> tuple[SecretSeverity, str, str | None, Literal["snapshot", "sts", "decoded"] | None, KeyOwner | None]:
    """(severity, reason, account, where the account came from, owner) of one key id."""
    listed = known.keys.get(key_id)
    account: str | None
    source: Literal["snapshot", "sts", "decoded"] | None
    if verified.get(key_id):
        account, source = verified[key_id], "sts"
    elif (decoded := account_of_key_id(key_id)) is not None:
        account, source = decoded, "decoded"
    elif listed is not None:
        account, source = listed[0].account_id, "snapshot"
    else:
        account, source = None, None
    if listed is not None:
        owner = _owner(*listed)
        if listed[2].active:
            return "critical", f"active key of {owner.user} in account {owner.account_id}", account, source, owner
        return "high", f"inactive key of {owner.user} in account {owner.account_id}", account, source, owner
    if is_example(key_id):
        return "info", "an example from the AWS documentation", account, source, None
    if not is_possible_key_id(key_id):
        return "info", "not a possible AWS key id (it holds 0, 1, 8 or 9: AWS key ids are base32)", None, None, None
    if account is not None and account in known.accounts:
        if key_id.startswith("ASIA"):
            return "high", f"temporary credentials of account {account}", account, source, None
        users = known.accounts[account].users
        if users and all(u.access_keys is not None for u in users):
            reason = f"a key of account {account} that is not among its keys (deleted: it no longer works)"
            return "low", reason, account, source, None
        return "high", f"a key of account {account} (not in the collected key listings)", account, source, None
    if account is not None and account in known.organization:
        return "high", f"a key of account {account} of the organization", account, source, None
    if account is not None:
        return "medium", f"a key of account {account}, not a known one", account, source, None
    return "medium", "a key of an unknown account (older key format: no account in the id)", None, None, None


def attribute(
    hits: Sequence[Hit],
    known: KnownAccounts | None = None,
    verified: Mapping[str, str | None] | None = None,
) -> list[SecretFinding]:
    """The findings of a scan, worst first (see the module docstring)."""
    known = known or KnownAccounts({}, {}, frozenset())
    verified = verified or {}
    by_value: dict[tuple[Kind, str], list[Hit]] = {}
    for hit in hits:
        by_value.setdefault((hit.candidate.kind, hit.candidate.value), []).append(hit)
    paired: dict[str, set[str]] = {}  # key id -> kinds found next to it
    for (kind, _), group in by_value.items():
        for hit in group:
            if hit.candidate.key_id is not None:
                paired.setdefault(hit.candidate.key_id, set()).add(kind)
    key_findings: dict[str, SecretFinding] = {}
    out: list[SecretFinding] = []
    for (kind, value), group in by_value.items():
        locations = _locations(group)
        encodings = tuple(sorted({h.encoding for h in group}))
        if kind == "access_key_id":
            severity, reason, account, source, owner = _judge_key(value, known, verified)
            notes: list[str] = []
            decoded = account_of_key_id(value)
            if source == "sts" and decoded is not None and decoded != account:
                notes.append(f"the id decodes to account {decoded}, STS says {account}")
            finding = SecretFinding(
                kind,
                mask(value),
                fingerprint(value),
                is_example(value) and owner is None,
                locations,
                severity,
                reason,
                account,
                source,
                owner,
                secret_exposed="secret_access_key" in paired.get(value, ()),
                token_exposed="session_token" in paired.get(value, ()),
                encodings=encodings,
                notes=tuple(notes),
            )
            key_findings[value] = finding
            out.append(finding)
            continue
        partners = sorted({h.candidate.key_id for h in group if h.candidate.key_id is not None})
        partner = partners[0] if partners else None
        if partner is not None:
            severity, reason, account, source, owner = _judge_key(partner, known, verified)
            reason = f"paired with {mask(partner)}: {reason}"
            if is_example(value) and severity == "medium":
                severity, reason = "info", "an example from the AWS documentation"
        elif is_example(value):
            severity, reason, account, source, owner = "info", "an example from the AWS documentation", None, None, None
        else:
            what = "secret access key" if kind == "secret_access_key" else "session token"
            severity, reason, account, source, owner = (
                "medium",
                f"a {what} with no key id next to it (account unknown)",
                None,
                None,
                None,
            )
        out.append(
            SecretFinding(
                kind,
                mask(value),
                fingerprint(value),
                is_example(value) and severity == "info",
                locations,
                severity,
                reason,
                account,
                source,
                owner,
                paired_key=mask(partner) if partner else None,
                encodings=encodings,
            )
        )
    out.sort(
        key=lambda f: (SEVERITY_ORDER.index(f.severity), f.kind, f.primary.place.path, f.primary.line, f.fingerprint)
    )
    return out


def key_ids(hits: Iterable[Hit]) -> list[str]:
    """The distinct key ids of a scan that are not documentation examples (what ``--verify`` asks STS about)."""
    return sorted({h.candidate.value for h in hits if h.candidate.kind == "access_key_id" and not h.candidate.example})
