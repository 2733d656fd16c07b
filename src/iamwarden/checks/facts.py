"""Small facts several checks ask about users (pure functions of the model)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.permissions import user_has_mfa as user_has_mfa
from iamwarden.analysis.principals import NamedDocument, PrincipalPolicies, compile_document, principal_policies
from iamwarden.checks.base import Outcome, account_arn, missing, not_applicable, unknown
from iamwarden.model import AccessKey, Account, Role, User
from iamwarden.policy import Policy


def user_last_activity(user: User) -> tuple[bool, datetime | None]:
    """(known, last use of the password or any access key).

    Known from the credential report; without it, from GetAccessKeyLastUsed for a user known to have no password.
    """
    row = user.credential_report
    if row is not None:
        dates = [d for d in (row.password_last_used, row.access_key_1_last_used, row.access_key_2_last_used) if d]
        return True, max(dates) if dates else None
    keys = user.access_keys
    if keys is not None and user.has_console_password is False and all(k.last_used_known for k in keys):
        used = [k.last_used for k in keys if k.last_used]
        return True, max(used) if used else None
    return False, None


AUTH_DETAILS = "iam:GetAccountAuthorizationDetails"
CREDENTIAL_REPORT = "iam:GetCredentialReport"


def report_row_missing(account: Account, arn: str) -> Outcome:
    """``unknown`` for a user (or the root user) without a credential report row: the report was not collected, or it
    was and has no row for them (a user created after the report was generated; moto leaves the root row out)."""
    if not account.was_collected(CREDENTIAL_REPORT):
        return missing(account, arn, CREDENTIAL_REPORT)
    text = f"the credential report has no row for {arn} (created after the report was generated?)"
    return unknown(arn, f"evidence missing: {text}", missing_api=CREDENTIAL_REPORT, gap=text)


def inventory_missing(account: Account) -> bool:
    """True when users, groups, roles and policies were not collected (checks over them are then unknown)."""
    return not account.was_collected(AUTH_DETAILS)


@dataclass(frozen=True, slots=True)
class KeyFact:
    """One access key as the checks see it, from ListAccessKeys (+ GetAccessKeyLastUsed) or the credential report."""

    label: str
    """The masked key id, or ``key 1`` / ``key 2`` when only the credential report told us."""
    active: bool
    created: datetime | None
    last_used: datetime | None
    last_used_known: bool

    def to_json(self) -> dict[str, object]:
        return {
            "key": self.label,
            "active": self.active,
            "created": self.created.isoformat() if self.created else None,
            "last_used": self.last_used.isoformat() if self.last_used else None,
            "last_used_known": self.last_used_known,
        }


def user_keys(user: User, account: Account | None = None) -> list[KeyFact] | None:
    """The user's access keys, or ``None`` when neither ListAccessKeys nor the credential report was collected. With
    the ``account``, a key its secrets report found in code says so in its label (``AKIA...WXYZ, in code at
    deploy/.env:3 @ 3f2a...``)."""
    if user.access_keys is not None:
        return [
            KeyFact(_key_label(k, account), k.active, k.created, k.last_used, k.last_used_known)
            for k in user.access_keys
        ]
    row = user.credential_report
    if row is None:
        return None
    keys = []
    for slot, active, rotated, used in (
        (1, row.access_key_1_active, row.access_key_1_last_rotated, row.access_key_1_last_used),
        (2, row.access_key_2_active, row.access_key_2_last_rotated, row.access_key_2_last_used),
    ):
        if active or rotated is not None:
            keys.append(KeyFact(f"key {slot}", active, rotated, used, True))
    return keys


def _key_label(key: AccessKey, account: Account | None) -> str:
    leaks = account.leaks_of(key.key_id) if account is not None else ()
    if not leaks:
        return key.masked_id
    places = [loc.describe() for leak in leaks for loc in leak.locations]
    more = f" and {len(places) - 1} more" if len(places) > 1 else ""
    return f"{key.masked_id}, in code at {places[0]}{more} (secrets.keys_in_code)"


UserKeys = tuple[User, list[KeyFact]]


def users_keys(account: Account, *, active_only: bool = False, last_use: bool = False) -> Iterator[Outcome | UserKeys]:
    """Walk the users for a check about access keys, settling the users whose keys cannot be judged.

    Yields an :class:`Outcome` where the check has nothing to look at: ``unknown`` for the whole account when the
    inventory was not collected, or for a user whose keys were not listed (nor in the credential report);
    ``not_applicable`` for a user with no (``active_only``: no active) access key; with ``last_use``, ``unknown`` when
    GetAccessKeyLastUsed is missing for one of them. Otherwise yields ``(user, keys)``, the keys (active ones only
    with ``active_only``) with their age and last use.
    """
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for user in account.users:
        keys = user_keys(user, account)
        if keys is None:
            yield missing(account, user.arn, "iam:ListAccessKeys", target=user.name)
            continue
        if active_only:
            keys = [k for k in keys if k.active]
        if not keys:
            yield not_applicable(user.arn, f"user has no {'active ' if active_only else ''}access keys")
        elif last_use and not all(k.last_used_known for k in keys):
            yield missing(account, user.arn, "iam:GetAccessKeyLastUsed")
        else:
            yield user, keys


def role_trust(context: AnalysisContext, role: Role) -> Policy | str:
    """The role's compiled trust policy, or why there is none (not collected, or not parseable)."""
    if role.trust_policy is None:
        return f"evidence missing: the trust policy of {role.arn} was not collected ({AUTH_DETAILS})"
    return compile_document(context, NamedDocument(f"{role.arn} trust policy", role.trust_policy, "trust"))


RoleTrust = tuple[Role, Mapping[str, Any], Policy]
"""A role, its trust policy document and the compiled policy."""


def roles_trust(context: AnalysisContext) -> Iterator[Outcome | RoleTrust]:
    """Walk the roles for a check about trust policies: ``unknown`` for the account when the inventory was not
    collected, ``unknown`` for a role whose trust policy is missing or does not parse, else ``(role, document,
    trust)``."""
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for role in account.roles:
        document = role.trust_policy
        if document is None:
            yield missing(account, role.arn, AUTH_DETAILS)
            continue
        trust = role_trust(context, role)
        yield unknown(role.arn, trust) if isinstance(trust, str) else (role, document, trust)


PRINCIPAL_TYPES = {User: "AwsIamUser", Role: "AwsIamRole"}
"""The resource type of a principal's results."""


AnyPrincipal = TypeVar("AnyPrincipal", bound=User | Role)


def principals_policies(
    context: AnalysisContext, principals: Iterable[AnyPrincipal], *, service_linked: str | None = None
) -> Iterator[Outcome | tuple[AnyPrincipal, PrincipalPolicies]]:
    """Walk principals for a check that asks the engine about them: ``unknown`` for the account when the inventory
    was not collected, ``unknown`` for a principal whose policies are not all in the snapshot (naming them), else
    ``(principal, policies)``. Service-linked roles are ``not_applicable`` with the reason ``service_linked`` when
    one is given, else left out. Outcomes carry the principal's resource type (user or role)."""
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for principal in principals:
        kind = PRINCIPAL_TYPES[type(principal)]
        if isinstance(principal, Role) and principal.service_linked:
            if service_linked is not None:
                yield replace(not_applicable(principal.arn, service_linked), resource_type=kind)
            continue
        policies = principal_policies(context, principal)
        if policies.gaps:
            out = unknown(principal.arn, "evidence missing: " + "; ".join(policies.gaps), gaps=list(policies.gaps))
            yield replace(out, resource_type=kind)
        else:
            yield principal, policies
