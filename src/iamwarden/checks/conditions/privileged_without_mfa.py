"""conditions.privileged_without_mfa - IAM users need MFA for privileged actions.

What it does: for each IAM user, asks the policy engine whether IAM writes and policy attachment
(:data:`iamwarden.analysis.permissions.PRIVILEGED_ACTIONS`) are allowed on ``*`` in a request without MFA (as long-term
access keys make them), and whether the user may assume an administrator role of the account without MFA.
A user the policies allow so still passes when it cannot make a request without MFA: it has an MFA device (once one
is enabled, "the MFA device is required for every subsequent login by the IAM user", EnableMFADevice in the IAM API
Reference; the IAM User Guide's "Using MFA") and no active access key, so its only way in is a console sign-in with
MFA. The evidence says so (``only_with_mfa``). An active access key (requests signed with it carry no MFA) or no MFA
device keeps it failing; when either fact was not collected the user fails as before, the evidence naming the gap.
Why is this bad? Without an MFA condition, a leaked key or password is enough to change permissions - the first move
of every escalation.
Example: a user allowed ``iam:*`` with no ``aws:MultiFactorAuthPresent`` condition and an active access key fails;
the same grant under ``"Bool": {"aws:MultiFactorAuthPresent": "true"}`` passes, and so does the same user with an MFA
device and no access key. A user whose answer rests on a policy the engine cannot read (a condition value such as
``NumericLessThan "abc"``, in its own policies, an administrator role's or that role's trust: the decisions'
``errors``) is ``unknown``, naming it.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.permissions import (
    admin_of,
    can_assume_without_mfa,
    errors_text,
    granted_somewhere,
    granting_statements,
    privileged_without_mfa,
)
from iamwarden.analysis.principals import principal_policies
from iamwarden.analysis.trust import local_callers
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    account_arn,
    failed,
    gap_text,
    missing,
    passed,
    unknown,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import AUTH_DETAILS, inventory_missing, role_trust, user_has_mfa, user_keys
from iamwarden.model import Account, Role, User
from iamwarden.policy import Policy, PolicyError

METADATA = CheckMetadata(
    id="conditions.privileged_without_mfa",
    title="Privileged actions require MFA",
    practice=8,
    severity=Severity.HIGH,
    resource_type="AwsIamUser",
    why="IAM writes, policy attachment and assuming administrator roles are how a stolen credential becomes "
    "persistent, total access; requiring MFA for them stops a leaked key or password at the door. A user with an "
    "MFA device and no active access key passes even without an MFA condition: every console sign-in asks for the "
    "MFA code (EnableMFADevice) and there is no key to sign a request without it (evidence: only_with_mfa).",
    remediation=Remediation(
        'Add a condition {"Bool": {"aws:MultiFactorAuthPresent": "true"}} to the statements that allow these '
        "actions (or a Deny with BoolIfExists false), and to the trust policies of administrator roles.",
        cli=(
            "aws iam create-policy-version --policy-arn <arn> --policy-document file://with-mfa.json --set-as-default",
        ),
        console=("IAM console > Policies > <policy> > Edit: add the MFA condition.",),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_sign-in.html",
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableMFADevice.html",
    ),
    decided_by="engine",
)


AdminRole = tuple[Role, Policy, frozenset[str] | None, tuple[PolicyError, ...]]


def _admin_roles(context: AnalysisContext) -> list[AdminRole]:
    """Administrator roles, their compiled trust policy, the account's principals it names (``None``: any) and the
    errors the engine met deciding that the role is one (a role whose verdict has errors is listed too)."""
    account = context.account
    out = []
    for role in account.roles:
        if role.service_linked or role.trust_policy is None:
            continue
        policies = principal_policies(context, role)
        if policies.gaps:
            continue
        verdict = admin_of(context, policies)
        if not verdict.admin and not verdict.errors:
            continue
        trust = role_trust(context, role)
        if not isinstance(trust, str):
            callers = local_callers(trust, account.account_id)
            if callers is None or callers:  # a trust naming no principal of this account admits none of its users
                out.append((role, trust, callers, verdict.errors))
    return out


def _only_with_mfa(account: Account, user: User) -> tuple[bool, str]:
    """(whether every request the user can make carries MFA, why or why not): an MFA device and no active access
    key leave a console sign-in, which asks for the MFA code, as its only way in."""
    mfa, keys = user_has_mfa(user), user_keys(user)
    if keys is None:
        return False, gap_text(account, "iam:ListAccessKeys", target=user.name)
    active = [k.label for k in keys if k.active]
    if active:
        return False, f"active access key ({', '.join(active)}): requests signed with it carry no MFA"
    if mfa is None:
        return False, gap_text(account, "iam:ListMFADevices", target=user.name)
    if not mfa:
        return False, "no MFA device: the console sign-in asks only for the password"
    return True, "an MFA device and no active access key: every sign-in asks for MFA, and there is no key to sign with"


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    admin_roles = _admin_roles(context) if account.users else []
    for user in account.users:
        policies = principal_policies(context, user)
        if policies.gaps:
            yield unknown(user.arn, "evidence missing: " + "; ".join(policies.gaps), gaps=list(policies.gaps))
            continue
        actions, found = privileged_without_mfa(policies)
        errors: list[PolicyError] = list(found)
        roles: list[tuple[str, list[dict[str, object]]]] = []
        may_assume = granted_somewhere(policies.identity, "sts:assumerole")
        for role, trust, callers, role_errors in admin_roles:
            if callers is not None and user.arn.lower() not in callers:
                continue
            decision = can_assume_without_mfa(policies, role.arn, trust)
            if may_assume or callers is not None:  # else its own policies refuse it, whatever the trust says
                errors += decision.errors
            if decision.allowed:
                errors += role_errors  # whether the role is an administrator rests on them
                if not role_errors:
                    roles.append((role.arn, [s.to_json() for s in granting_statements([decision])]))
        facts: dict[str, object] = {
            "actions": [a.to_json() for a in actions],
            "admin_roles_assumable": [{"role": arn, "statements": st} for arn, st in roles],
            "caveats": list(policies.caveats),
        }
        if errors:  # the engine's answer rests on a value it cannot read: neither pass nor fail
            gap = errors_text(dict.fromkeys(errors))
            facts["policy_errors"] = [e.to_json() for e in dict.fromkeys(errors)]
            yield unknown(user.arn, f"the policy engine met errors deciding it: {gap}", gap=gap, **facts)
            continue
        if not actions and not roles:
            yield passed(user.arn, "no privileged action allowed without MFA", **facts)
            continue
        only_with_mfa, why = _only_with_mfa(account, user)
        facts.update(only_with_mfa=only_with_mfa, why=why)
        if only_with_mfa:
            yield passed(user.arn, f"its policies allow privileged actions without MFA, but it has {why}", **facts)
        else:
            what = [a.action for a in actions[:4]] + [f"assume {arn.rsplit('/', 1)[-1]}" for arn, _ in roles[:2]]
            more = len(actions) + len(roles) - len(what)
            yield failed(
                user.arn,
                "allowed without MFA: " + ", ".join(what) + (f" and {more} more" if more > 0 else ""),
                **facts,
            )


CHECK = Check(METADATA, evaluate)
