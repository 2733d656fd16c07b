"""secrets.lambda_environment - no AWS access keys in Lambda environment variables.

What it does: searches every environment variable value of every function (ListFunctions) for access key ids and
high-entropy 40-character secrets, and matches key ids with the account's own keys (owner, active, last used).
Values are shown masked.
Why is this bad? Environment variables are readable by anyone with ``lambda:GetFunctionConfiguration``, copied into
deployment tooling and logs; the function's execution role already provides rotating credentials.
Example: ``AWS_SECRET_ACCESS_KEY=wJal...EKEY`` fails.
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
    missing,
    passed,
)
from iamwarden.checks.config import Thresholds
from iamwarden.checks.secrets._common import describe_match, summary
from iamwarden.checks.secrets.scan import find_credentials

API = "lambda:ListFunctions"

METADATA = CheckMetadata(
    id="secrets.lambda_environment",
    title="No AWS access keys in Lambda environment variables",
    practice=10,
    severity=Severity.CRITICAL,
    resource_type="AwsLambdaFunction",
    why="Keys in environment variables are visible to everyone who can read the function's configuration and end up "
    "in templates and logs; the execution role gives the function short-lived credentials instead.",
    remediation=Remediation(
        "Give the function's execution role the permissions it needs, remove the key variables, and deactivate and "
        "delete the exposed key (it must be treated as leaked).",
        cli=(
            "aws lambda update-function-configuration --function-name <fn> "
            "--environment 'Variables={...without the keys...}'",
            "aws iam update-access-key --user-name <owner> --access-key-id <key-id> --status Inactive",
        ),
        console=("Lambda console > <function> > Configuration > Environment variables > Edit: remove the keys.",),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles",
    ),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    for region in account.regions:
        if not account.was_collected(API, region):
            yield missing(
                account, f"arn:{account.partition}:lambda:{region}:{account.account_id}:function:*", API, region=region
            )
    for function in account.functions:
        found = [
            describe_match(account, match, f"environment variable {name}")
            for name, value in sorted(function.environment.items())
            for match in find_credentials(value, thresholds.secret_min_entropy)
        ]
        if found:
            yield failed(function.arn, summary(found), credentials=found)
        else:
            yield passed(
                function.arn, "no credentials in environment variables", variables=sorted(function.environment)
            )


CHECK = Check(METADATA, evaluate)
