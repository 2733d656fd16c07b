"""roles.oidc_subject - roles trusting an OIDC provider (GitHub Actions ...) pin the token subject.

What it does: for each role whose trust policy names a web identity (OIDC) provider, asks the policy engine whether
``sts:AssumeRoleWithWebIdentity`` is allowed with a token carrying the right audience and either no ``sub`` or a
``sub`` from someone else (for GitHub: ``repo:iamwarden-probe/not-your-repository:ref:refs/heads/main``).
Why is this bad? Without a ``sub`` condition, every repository on GitHub (every identity of the provider) can mint a
token that assumes the role.
Example: a GitHub trust with only ``token.actions.githubusercontent.com:aud`` fails (critical); one with
``StringLike sub: repo:my-org/my-repo:*`` passes.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.trust import web_identity_trust
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    failed,
    not_applicable,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import roles_trust

METADATA = CheckMetadata(
    id="roles.oidc_subject",
    title="Roles trusting an OIDC provider restrict the token subject",
    practice=5,
    severity=Severity.CRITICAL,
    resource_type="AwsIamRole",
    why="An OIDC trust without a 'sub' condition accepts tokens for any identity of the provider - for GitHub "
    "Actions, any workflow in any repository of anyone.",
    remediation=Remediation(
        "Add a condition on <provider>:sub naming your repository and branch or environment "
        "(StringEquals / StringLike 'repo:<org>/<repo>:ref:refs/heads/main'), and keep the aud condition.",
        cli=("aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json",),
        console=("IAM console > Roles > <role> > Trust relationships > Edit trust policy.",),
    ),
    references=(
        "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/"
        "configuring-openid-connect-in-amazon-web-services",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html",
    ),
    decided_by="engine",
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    audiences = {p.arn: p.client_ids for p in account.oidc_providers or ()}
    for item in roles_trust(context):
        if isinstance(item, Outcome):
            yield item
            continue
        role, _document, trust = item
        verdicts = web_identity_trust(trust, role.arn, audiences)
        if not verdicts:
            yield not_applicable(role.arn, "role does not trust a web identity provider")
            continue
        facts = {"providers": [v.to_json() for v in verdicts]}
        opened = [v for v in verdicts if v.open]
        if opened:
            how = "no sub" if any(v.allowed_without_sub for v in opened) else "another identity's sub"
            names = ", ".join(v.provider.rsplit("/", 1)[-1] for v in opened)
            yield failed(role.arn, f"a {names} token with {how} can assume this role", **facts)
        else:
            yield passed(role.arn, "web identity trust requires a specific subject", **facts)


CHECK = Check(METADATA, evaluate)
