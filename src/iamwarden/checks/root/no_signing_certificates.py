"""root.no_signing_certificates - the root user has no active X.509 signing certificates.

What it does: reads ``cert_1_active`` / ``cert_2_active`` in the root row of the credential report.
Why is this bad? A signing certificate is another long-term root credential (used by a few legacy SOAP APIs).
Example: ``cert_1_active: true`` for ``<root_account>`` fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamwarden.analysis.context import AnalysisContext
from iamwarden.checks.base import (
    Check,
    CheckMetadata,
    Outcome,
    Remediation,
    Severity,
    failed,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.facts import report_row_missing

METADATA = CheckMetadata(
    id="root.no_signing_certificates",
    title="The root user has no active signing certificates",
    practice=2,
    severity=Severity.HIGH,
    resource_type="AwsAccount",
    why="X.509 signing certificates are long-term root credentials that bypass MFA; they are rarely needed and "
    "easily forgotten.",
    remediation=Remediation(
        "Sign in as the root user and delete its X.509 signing certificates.",
        cli=("aws iam get-credential-report --query Content --output text | base64 -d | grep '<root_account>'",),
        console=(
            "Sign in as the root user; open the account menu > Security credentials.",
            "Under X.509 certificate, deactivate and delete each certificate.",
        ),
    ),
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    root = account.root
    row = root.credential_report
    if row is None:
        yield report_row_missing(account, root.arn)
        return
    active = [n for n, on in ((1, row.cert_1_active), (2, row.cert_2_active)) if on]
    if active:
        yield failed(root.arn, f"root user has {len(active)} active signing certificate(s)", active_cert_slots=active)
    else:
        yield passed(root.arn, "root user has no active signing certificates", active_cert_slots=[])


CHECK = Check(METADATA, evaluate)
