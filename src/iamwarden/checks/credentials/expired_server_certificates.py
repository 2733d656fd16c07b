"""credentials.expired_server_certificates - no expired SSL/TLS certificate is stored in IAM.

What it does: each certificate from ListServerCertificates whose ``Expiration`` is before the snapshot fails.
Why is this bad? An expired certificate can still be attached to a load balancer or CloudFront by mistake, breaking
clients or teaching them to ignore certificate errors.
Example: ``Expiration: 2024-01-01`` fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    account_arn,
    failed,
    iso,
    missing,
    passed,
)
from iamwarden.checks.config import Thresholds

METADATA = CheckMetadata(
    id="credentials.expired_server_certificates",
    title="No expired server certificate is stored in IAM",
    practice=6,
    severity=Severity.LOW,
    resource_type="AwsIamServerCertificate",
    why="Expired certificates kept in IAM can be deployed by mistake and damage the service's credibility; they "
    "should be deleted.",
    remediation=Remediation(
        "Delete expired server certificates (use ACM for new ones where it is available).",
        cli=(
            "aws iam list-server-certificates",
            "aws iam delete-server-certificate --server-certificate-name <name>",
        ),
        console=("Server certificates stored in IAM cannot be managed in the console; use the CLI.",),
    ),
    cis_aws_v6=("2.18",),
    security_hub=("IAM.26",),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_server-certs.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    certs = account.server_certificates
    if certs is None:
        yield missing(account, account_arn(account), "iam:ListServerCertificates")
        return
    if not certs:
        yield replace(passed(account_arn(account), "no server certificates stored in IAM"), resource_type="AwsAccount")
        return
    for cert in certs:
        if cert.expiration is None:
            yield missing(account, cert.arn, "iam:ListServerCertificates")
        elif cert.expiration < account.collected_at:
            yield failed(
                cert.arn,
                f"certificate {cert.name} expired on {cert.expiration.date()}",
                expiration=iso(cert.expiration),
            )
        else:
            yield passed(
                cert.arn,
                f"certificate {cert.name} valid until {cert.expiration.date()}",
                expiration=iso(cert.expiration),
            )


CHECK = Check(METADATA, evaluate)
