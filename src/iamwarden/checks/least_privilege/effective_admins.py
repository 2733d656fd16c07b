"""least_privilege.effective_admins - every administrator is known and protected.

What it does: asks the policy engine which IAM users and roles (not service-linked) are effectively administrators:
their identity policies (user + groups, managed default versions and inline), permissions boundary and SCPs together
allow every administrator probe (see :mod:`iamwarden.analysis.permissions`), from anywhere or from inside the network
their policies name. An account needs administrators, so an administrator **passes when protected**:

* a user signs in with MFA (an MFA device, or administrator access that itself requires MFA), has no active access
  key, and holds the access through a group, not a policy of its own;
* a role can be assumed only with MFA (the engine refuses ``sts:AssumeRole`` to every principal its trust policy names
  when the request carries no MFA, as long-term access keys make it), or only through IAM Identity Center (a role of a
  permission set, under ``/aws-reserved/sso.amazonaws.com/``) or a SAML identity provider (which signs people in).

It **fails** otherwise, at the severity of the worst reason: no MFA (critical), an active access key or a role
assumable without MFA - by a service, a web identity token, another principal's keys - (high, medium when the
administrator access itself requires MFA), granted directly to a user (medium). One more result, for the account,
lists every administrator and fails (medium) when there are more than ``max_admins``. A principal whose verdict rests
on a policy the engine cannot read (a condition value such as ``NumericLessThan "abc"``: the decision's ``errors``) is
``unknown``, naming it, and so is the account result.
Why is this bad? Every administrator is a full-account compromise waiting for one stolen credential; administrators
should be few, known, and reachable only with a second factor.
Example: users in an ``admins`` group with AdministratorAccess, MFA and no access keys pass; the same user with an
active access key fails (high); a CI role with AdministratorAccess trusted by ``ec2.amazonaws.com`` fails (high).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.permissions import AdminAnalysis, admin_inside_network, admin_of, errors_text
from iamwarden.analysis.principals import PrincipalPolicies
from iamwarden.analysis.trust import ALLOW_ALL
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    Status,
    account_arn,
    failed,
    gap_text,
    passed,
    unknown,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import (
    AUTH_DETAILS,
    PRINCIPAL_TYPES,
    principals_policies,
    role_trust,
    user_has_mfa,
    user_keys,
)
from iamwarden.model import Account, Role, User
from iamwarden.policy import Policy, PolicyError, Request
from iamwarden.policy import evaluate as decide

METADATA = CheckMetadata(
    id="least_privilege.effective_admins",
    title="Administrators are few and protected",
    practice=1,
    severity=Severity.HIGH,
    severities=(Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM),
    resource_type="AwsIamPrincipal",
    why="An administrator can do anything, including erasing the evidence; each one multiplies the ways a single "
    "stolen credential becomes a full compromise. Keep them few, in groups or roles, reachable only with MFA and "
    "without long-lived access keys.",
    remediation=Remediation(
        "Give administrator access through a group (users with MFA and no access keys) or a role assumable only with "
        "MFA or through IAM Identity Center; remove it from users' own policies, from roles that services or other "
        "principals assume without MFA, and from anyone who does not need it.",
        cli=(
            "aws iam list-attached-user-policies --user-name <user>",
            "aws iam detach-user-policy --user-name <user> --policy-arn <arn>",
            "aws iam add-user-to-group --group-name <admins> --user-name <user>",
            "aws iam update-access-key --user-name <user> --access-key-id <id> --status Inactive",
            "aws iam update-assume-role-policy --role-name <role> --policy-document file://trust-with-mfa.json",
        ),
        console=(
            "IAM console > <user/role> > Permissions: remove the policies listed in the evidence; add the user to the "
            "administrators group.",
            "IAM console > Roles > <role> > Trust relationships: require aws:MultiFactorAuthPresent.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#enable-mfa-for-privileged-users",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user.html",
    ),
    decided_by="engine",
)

SSO_PATH = "/aws-reserved/sso.amazonaws.com/"
"""Where IAM Identity Center creates the roles of its permission sets (``AWSReservedSSO_<set>_<id>``)."""
MFA_KEYS = frozenset({"aws:multifactorauthpresent", "aws:multifactorauthage"})
PROBE_USER = "user/iamwarden-probe"
"""The caller simulated for an account a trust policy names (``123456789012`` or ``arn:...:root``)."""


@dataclass(frozen=True, slots=True)
class Exposure:
    """Why an administrator is not protected, and how bad that is."""

    reason: str
    severity: Severity


def _direct_policies(user: User, verdict: AdminAnalysis) -> list[str]:
    """The user's own policies (inline, or attached to the user rather than a group) among those granting admin."""
    inline, attached = f"{user.arn}/inline-policy/", set(user.attached_policy_arns)
    return sorted({s.policy for s in verdict.statements if s.policy in attached or s.policy.startswith(inline)})


def _requires_mfa(verdict: AdminAnalysis) -> bool:
    """Does the administrator access itself require MFA (no administrator without it)? Unknown for an administrator
    only from inside its network (probed with MFA): taken as no."""
    return verdict.admin and not verdict.without_mfa


def _user_exposures(account: Account, user: User, verdict: AdminAnalysis) -> tuple[list[Exposure], list[str]]:
    exposures: list[Exposure] = []
    gaps: list[str] = []
    mfa = user_has_mfa(user)
    if mfa is None:
        gaps.append(gap_text(account, "iam:ListMFADevices", target=user.name))
    elif not mfa and not _requires_mfa(verdict):
        exposures.append(Exposure("no MFA device", Severity.CRITICAL))
    keys = user_keys(user)
    if keys is None:
        gaps.append(gap_text(account, "iam:ListAccessKeys", target=user.name))
    else:
        active = [k.label for k in keys if k.active]
        if active:
            severity = Severity.MEDIUM if _requires_mfa(verdict) else Severity.HIGH
            exposures.append(Exposure(f"active access key ({', '.join(active)})", severity))
    direct = _direct_policies(user, verdict)
    if direct:
        exposures.append(Exposure(f"granted directly to the user ({', '.join(direct)})", Severity.MEDIUM))
    return exposures, gaps


def _callers(trust: Policy, account: Account) -> list[tuple[str, str, str]]:
    """(principal as named, simulated caller, action) for each principal the trust policy's Allow statements name
    (``Principal: "*"`` as AWS ``*``): the compiled trust says whom to ask about; the engine decides."""
    out: dict[str, tuple[str, str, str]] = {}
    prefix = f"arn:{account.partition}:iam::"
    for statement in trust.statements:
        if statement.effect != "Allow" or statement.principal is None or statement.not_principal:
            continue
        for kind, value in statement.principal.values:
            if kind in ("AWS", "*"):
                if value == "*":
                    caller = f"{prefix}999999999999:{PROBE_USER}"
                elif value.isdigit():
                    caller = f"{prefix}{value}:{PROBE_USER}"
                elif value.endswith(":root"):
                    caller = f"{value.removesuffix('root')}{PROBE_USER}"
                else:
                    caller = value
                out[value] = (value, caller, "sts:AssumeRole")
            elif kind == "Service":
                out[value] = (value, value, "sts:AssumeRole")
            elif kind == "Federated" and ":saml-provider/" not in value:
                out[value] = (value, value, "sts:AssumeRoleWithWebIdentity")
    return list(out.values())


def _assumed_without_mfa(trust: Policy, role: Role, account: Account) -> tuple[list[str], list[PolicyError]]:
    """The principals the trust policy lets assume the role with no MFA in the request (long-term keys carry no
    ``aws:MultiFactorAuthPresent``; services and web identity tokens never do), and the errors the decisions met.
    Their own account is taken to allow the call: the question is what this role's trust lets in."""
    found = []
    errors: list[PolicyError] = []
    for named, caller, action in _callers(trust, account):
        if action == "sts:AssumeRoleWithWebIdentity":
            found.append(f"{named} (web identity token)")
            continue
        request = Request(caller, action, role.arn, {"aws:SecureTransport": "true"})
        decision = decide(request, identity_policies=(ALLOW_ALL,), resource_policy=trust)
        errors += decision.errors
        if decision.allowed:
            found.append(named)
        elif decision.missing_context_keys and not {k.lower() for k in decision.missing_context_keys} & MFA_KEYS:
            # refused only for want of keys the caller supplies (sts:ExternalId, aws:SourceAccount ...), not MFA
            found.append(f"{named} (with {', '.join(sorted(decision.missing_context_keys))})")
    return found, list(dict.fromkeys(errors))


def _role_exposures(
    context: AnalysisContext, role: Role, verdict: AdminAnalysis
) -> tuple[list[Exposure], list[str], str | None, tuple[PolicyError, ...]]:
    """(exposures, gaps, how the role is protected when it is, the errors the engine met deciding its trust: a role
    found protected by a trust the engine cannot read is not known to be)."""
    if role.path.startswith(SSO_PATH):
        return [], [], "assumed through an IAM Identity Center permission set", ()
    trust = role_trust(context, role)
    if isinstance(trust, str) or role.trust_policy is None:
        return [], [str(trust)], None, ()
    open_to, found = _assumed_without_mfa(trust, role, context.account)
    errors = tuple(found)
    if open_to:
        severity = Severity.MEDIUM if _requires_mfa(verdict) else Severity.HIGH
        return [Exposure(f"assumable without MFA by {', '.join(open_to)}", severity)], [], None, errors
    if errors:
        return [], [], None, errors
    federated = ":saml-provider/" in str(role.trust_policy)
    return [], [], "assumed through a SAML identity provider" if federated else "assumable only with MFA", ()


def mfa_guard(
    context: AnalysisContext, principal: User | Role, verdict: AdminAnalysis
) -> tuple[str | None, tuple[PolicyError, ...]]:
    """How every use of an administrator's access needs MFA or an identity provider's sign-in, or ``None``: the
    administrator access itself requires MFA; a user with an MFA device (every console sign-in then asks for it:
    EnableMFADevice) and no active access key; a role of an IAM Identity Center permission set, assumed through a SAML
    identity provider, or assumable only with MFA. Second, the errors the engine met deciding a role's trust when
    nothing else opens it (the guard is then not known: ``None``)."""
    if _requires_mfa(verdict):
        return "the administrator access itself requires MFA", ()
    if isinstance(principal, User):
        keys = user_keys(principal)
        if user_has_mfa(principal) and keys is not None and not any(k.active for k in keys):
            return "an MFA device (console sign-in asks for it) and no active access key", ()
        return None, ()
    exposures, gaps, how, errors = _role_exposures(context, principal, verdict)
    if exposures or gaps:
        return None, ()
    return how, errors


def _judge(
    context: AnalysisContext, principal: User | Role, policies: PrincipalPolicies, verdict: AdminAnalysis
) -> Outcome:
    evidence: dict[str, Any] = {**verdict.to_json(), "caveats": list(policies.caveats)}
    if isinstance(principal, User):
        exposures, gaps = _user_exposures(context.account, principal, verdict)
        protection = "in a group, MFA, no access keys"
    else:
        exposures, gaps, how, errors = _role_exposures(context, principal, verdict)
        protection = how or ""
        if errors:
            gaps.append(f"the policy engine met errors deciding its trust: {errors_text(errors)}")
            evidence["policy_errors"] = [e.to_json() for e in errors]
    if exposures:
        worst = min((e.severity for e in exposures), key=lambda s: s.rank)
        reasons = [e.reason for e in exposures]
        evidence["exposures"] = [{"reason": e.reason, "severity": e.severity.value} for e in exposures]
        if gaps:
            evidence["gaps"] = gaps
        out = failed(principal.arn, "unprotected administrator: " + "; ".join(reasons), **evidence)
        return replace(out, severity=worst)
    if gaps:
        return unknown(principal.arn, "administrator; evidence missing: " + "; ".join(gaps), gaps=gaps, **evidence)
    return passed(principal.arn, f"protected administrator ({protection})", protection=protection, **evidence)


def _admin(policies: PrincipalPolicies, verdict: AdminAnalysis) -> tuple[bool, dict[str, str], tuple[PolicyError, ...]]:
    """Is the principal an administrator, from anywhere or from inside the network its policies name? (and the errors
    the engine met deciding it)"""
    if verdict.admin:
        return True, {}, verdict.errors
    inside, network, errors = admin_inside_network(policies)
    return inside, network, tuple(dict.fromkeys((*verdict.errors, *errors)))


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    principals: list[User | Role] = [*account.users, *account.roles]
    admins: list[str] = []
    undecided = errored = 0
    for item in principals_policies(context, principals, service_linked="service-linked role"):
        if isinstance(item, Outcome):
            if item.resource == account_arn(account):  # nothing collected: the account's one result
                yield item
                return
            undecided += item.status is Status.UNKNOWN
            yield item
            continue
        principal, policies = item
        kind = PRINCIPAL_TYPES[type(principal)]
        verdict = admin_of(context, policies)
        admin, network, errors = _admin(policies, verdict)
        if errors:  # the engine's answer rests on a value it cannot read: neither pass nor fail
            gap = errors_text(errors)
            evidence = {**verdict.to_json(), "caveats": list(policies.caveats)}
            if not verdict.errors:
                evidence["policy_errors"] = [e.to_json() for e in errors]
            out = unknown(principal.arn, f"the policy engine met errors deciding it: {gap}", gap=gap, **evidence)
            errored += 1
            yield replace(out, resource_type=kind)
            continue
        if not admin:
            evidence = {**verdict.to_json(), "caveats": list(policies.caveats)}
            yield replace(passed(principal.arn, "not an administrator", **evidence), resource_type=kind)
            continue
        admins.append(principal.arn)
        out = _judge(context, principal, policies, verdict)
        if network:
            where = ", ".join(f"{k}={v}" for k, v in sorted(network.items()))
            out = replace(out, detail=f"{out.detail}; only from inside its network ({where})")
            out = replace(out, evidence={**out.evidence, "network": network})
        yield replace(out, resource_type=kind)
    yield _account_result(account, admins, undecided, thresholds.max_admins, errored)


def _principals(n: int) -> str:
    return f"{n} principal{'' if n == 1 else 's'}"


def _account_result(account: Account, admins: Sequence[str], undecided: int, limit: int, errored: int = 0) -> Outcome:
    facts: dict[str, Any] = {"administrators": list(admins), "max_admins": limit}
    resource = account_arn(account)
    count = f"{len(admins)} administrator{'s' if len(admins) != 1 else ''}"
    if len(admins) > limit:
        out = replace(failed(resource, f"{count}, more than max_admins ({limit})", **facts), severity=Severity.MEDIUM)
    elif undecided or errored:
        why = []
        if undecided:
            why.append(f"{_principals(undecided)} not judged ({AUTH_DETAILS} incomplete)")
        if errored:
            why.append(
                f"{_principals(errored)} {'rests' if errored == 1 else 'rest'} on policies the engine could not read"
            )
        found = f"{count} among the others" if admins else "no administrator among the others"
        text = f"{'; '.join(why)}: {found}, more than max_admins ({limit}) not ruled out"
        out = unknown(resource, f"evidence missing: {text}", gap=text, **facts)
    else:
        out = passed(resource, f"{count} (at most {limit})", **facts)
    return replace(out, resource_type="AwsAccount")


CHECK = Check(METADATA, evaluate)
