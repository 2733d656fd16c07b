"""roles.lambda_key_variables - Lambda functions rely on their execution role, not key variables.

What it does: fails functions defining variables named like credentials: ending in ``ACCESS_KEY_ID``,
``SECRET_ACCESS_KEY``, ``SECRET_KEY`` or ``SESSION_TOKEN`` (by name; values are examined by
``secrets.lambda_environment``).
Why is this bad? Lambda already injects the execution role's temporary credentials; variables with key names override
them with long-term keys (the runtime reserves the exact names, so they appear under variants such as
``MY_AWS_ACCESS_KEY_ID``).
Example: a variable named ``APP_AWS_SECRET_ACCESS_KEY`` fails.
"""

from __future__ import annotations

import re
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

API = "lambda:ListFunctions"
KEY_NAME = re.compile(r"(^|_)(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SECRET_KEY|SESSION_TOKEN)$", re.IGNORECASE)

METADATA = CheckMetadata(
    id="roles.lambda_key_variables",
    title="Lambda functions use their execution role, not access key variables",
    practice=5,
    severity=Severity.HIGH,
    resource_type="AwsLambdaFunction",
    why="A function that reads keys from variables runs on long-term credentials instead of the execution role's "
    "temporary ones; the keys are visible to anyone who can read the configuration.",
    remediation=Remediation(
        "Grant the permissions to the function's execution role and remove the key variables.",
        cli=("aws lambda get-function-configuration --function-name <fn> --query Environment.Variables",),
        console=("Lambda console > <function> > Configuration > Permissions: edit the execution role.",),
    ),
    references=("https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",),
)


def evaluate(context: AnalysisContext, thresholds: Thresholds) -> Iterator[Outcome]:
    account = context.account
    for region in account.regions:
        if not account.was_collected(API, region):
            yield missing(
                account, f"arn:{account.partition}:lambda:{region}:{account.account_id}:function:*", API, region=region
            )
    for function in account.functions:
        names = sorted(n for n in function.environment if KEY_NAME.search(n))
        if names:
            yield failed(function.arn, f"key variables: {', '.join(names)}", variables=names, role=function.role_arn)
        else:
            yield passed(function.arn, "no access key variables", role=function.role_arn)


CHECK = Check(METADATA, evaluate)
