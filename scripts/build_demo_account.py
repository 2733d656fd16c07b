"""Build the bundled demo account, ``demo/demo-account.json.gz``: Northwind Analytics, a fictional company.

The account is made inside moto's ``mock_aws`` with ordinary boto3 calls (users, groups, roles, policies, MFA,
access keys, trails, Config, instances, functions), then read by the REAL collector
(:func:`iamwarden.collect.live.collect_account`). What moto cannot produce is then added to the collected responses
and every addition is listed in ``docs/demo-account.md``: the root user's credential-report row, AccountMFAEnabled,
the root's virtual MFA device, service-last-accessed data, Access Analyzer, the organization seen from this member
account, server-certificate dates and the caller identity. Nothing here writes a check result.

The output is deterministic (same bytes every run): moto's random ids are seeded, moto's clock is set to a fixed
timeline ending at :data:`NOW`, access key ids follow AWS's documentation style (``AKIA...EXAMPLE``), and the
snapshot is written sorted with gzip mtime 0.

Usage: ``python scripts/build_demo_account.py [OUTPUT]`` (default ``demo/demo-account.json.gz``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import sys
import types
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from unittest import mock

import boto3
import moto.core.utils as moto_utils
import moto.iam.models as moto_iam
import orjson
from moto import mock_aws
from moto.moto_api._internal import mock_random

from iamwarden.collect.apis import GLOBAL, NO_TARGET
from iamwarden.collect.live import Polling, collect_account
from iamwarden.collect.snapshot import Snapshot, SnapshotBuilder, snapshot_from_json, write_snapshot

NOW = dt.datetime(2026, 11, 20, 9, 0, 0, tzinfo=dt.UTC)
"""The fixed "now" of the demo: the collection time, and the end of every synthetic timeline."""
ACCOUNT_ID = "444455556666"
MANAGEMENT_ACCOUNT_ID = "111122223333"
AUDIT_ACCOUNT_ID = "777788889999"
VENDOR_ACCOUNT_ID = "555566667777"
REGIONS = ["us-east-1", "eu-west-1"]
ALIAS = "northwind-analytics-prod"
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
"""The AWS documentation's example secret key: the only secret that appears anywhere in the demo."""
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "demo" / "demo-account.json.gz"
SEED = 20261120

AWS = "arn:aws:iam::aws:policy/"


def ago(days: float, hours: float = 0) -> dt.datetime:
    return NOW - dt.timedelta(days=days, hours=hours)


def cust(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:policy/{name}"


def doc(*statements: dict[str, Any]) -> str:
    return orjson.dumps({"Version": "2012-10-17", "Statement": list(statements)}).decode()


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


# --- the plan: who and what is in the account ------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    created_days_ago: int
    active: bool = True
    used_days_ago: float | None = None
    service: str = "s3"
    region: str = "us-east-1"


@dataclass(frozen=True)
class Person:
    name: str
    team: str
    created_days_ago: int
    groups: tuple[str, ...] = ()
    console: bool = True
    mfa: str | None = "virtual"  # "virtual", "hardware" or None
    password_used_days_ago: float | None = 1
    keys: tuple[Key, ...] = ()
    attached: tuple[str, ...] = ()
    inline: dict[str, str] = field(default_factory=dict)
    boundary: str | None = None
    uses: dict[str, float] = field(default_factory=dict)
    """Service namespace -> days since last use (service-last-accessed data)."""


@dataclass(frozen=True)
class RolePlan:
    name: str
    trust: str
    created_days_ago: int
    attached: tuple[str, ...] = ()
    inline: dict[str, str] = field(default_factory=dict)
    boundary: str | None = None
    instance_profile: bool = False
    used_days_ago: float | None = 1
    used_region: str = "us-east-1"
    description: str = ""
    uses: dict[str, float] = field(default_factory=dict)


MFA_TRUE = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}

POLICIES: dict[str, tuple[int, str, str]] = {
    # name: (created days ago, description, document)
    "admin-with-mfa": (
        1400,
        "Administrators: everything, 'with MFA'",
        doc(allow("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})),
    ),
    "platform-iam-operations": (
        1100,
        "Platform team manages IAM for workloads",
        doc(allow("iam:*"), allow(["sts:AssumeRole", "sts:TagSession"], f"arn:aws:iam::{ACCOUNT_ID}:role/*")),
    ),
    "data-lake-access": (
        900,
        "Read and write the data lake; query it with Athena and Glue",
        doc(
            allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "arn:aws:s3:::northwind-data-lake-prod/*"),
            allow("s3:ListBucket", "arn:aws:s3:::northwind-data-lake-prod"),
            allow(
                ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions", "glue:StartJobRun"],
                [
                    f"arn:aws:glue:*:{ACCOUNT_ID}:catalog",
                    f"arn:aws:glue:*:{ACCOUNT_ID}:database/lake_*",
                    f"arn:aws:glue:*:{ACCOUNT_ID}:table/lake_*/*",
                    f"arn:aws:glue:*:{ACCOUNT_ID}:job/lake-*",
                ],
            ),
            allow(
                ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"],
                f"arn:aws:athena:*:{ACCOUNT_ID}:workgroup/analytics",
            ),
        ),
    ),
    "web-deploy": (
        800,
        "Publish the web front end",
        doc(
            allow(["s3:PutObject", "s3:DeleteObject"], "arn:aws:s3:::northwind-web-assets/*"),
            allow("s3:ListBucket", "arn:aws:s3:::northwind-web-assets"),
            allow("cloudfront:CreateInvalidation", f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/E2NWEXAMPLE01"),
        ),
    ),
    "contractor-access": (
        600,
        "Contractors: everything except IAM and Organizations",
        doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}),
    ),
    "legacy-full-access": (1700, "Old CI user policy (to be retired)", doc(allow("*"))),
    "lambda-deployer": (
        500,
        "Ops automation creates and runs helper functions",
        doc(
            allow("iam:PassRole"),
            allow(
                ["lambda:CreateFunction", "lambda:InvokeFunction", "lambda:UpdateFunctionCode", "lambda:GetFunction"]
            ),
        ),
    ),
    "ci-policy-manager": (
        450,
        "CI updates workload policies",
        doc(
            allow(["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:ListPolicyVersions", "iam:GetPolicy"])
        ),
    ),
    "northwind-workload-boundary": (
        1000,
        "Permissions boundary for workload roles and contractors",
        doc(
            allow(["s3:*", "dynamodb:*", "sqs:*", "sns:*", "logs:*", "ssm:GetParameter*", "kms:Decrypt", "xray:*"]),
            {"Effect": "Deny", "Action": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        ),
    ),
    "force-mfa-self-service": (
        1300,
        "Manage your own password and MFA; nothing else without MFA",
        doc(
            allow(
                ["iam:ChangePassword", "iam:GetUser", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice"],
                [
                    f"arn:aws:iam::{ACCOUNT_ID}:user/${{aws:username}}",
                    f"arn:aws:iam::{ACCOUNT_ID}:mfa/${{aws:username}}",
                ],
                Sid="ManageOwnCredentials",
            ),
            {
                "Sid": "DenyAllExceptMfaSetupWithoutMfa",
                "Effect": "Deny",
                "NotAction": [
                    "iam:ChangePassword",
                    "iam:GetUser",
                    "iam:CreateVirtualMFADevice",
                    "iam:EnableMFADevice",
                    "iam:ListMFADevices",
                    "iam:ListVirtualMFADevices",
                    "sts:GetSessionToken",
                ],
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            },
        ),
    ),
    "incident-response-with-mfa": (
        700,
        "Security: disable credentials during an incident, MFA required",
        doc(
            allow(
                ["iam:UpdateAccessKey", "iam:DeleteLoginProfile", "iam:PutUserPolicy", "iam:DeactivateMFADevice"],
                f"arn:aws:iam::{ACCOUNT_ID}:user/*",
                Condition=MFA_TRUE,
            )
        ),
    ),
    "old-ec2-admin": (1600, "Unattached leftover", doc(allow("ec2:*"))),
}

GROUPS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    # name: (managed policy ARNs, inline policies)
    "administrators": ((cust("admin-with-mfa"),), {}),
    "platform-engineers": ((AWS + "PowerUserAccess", cust("platform-iam-operations")), {}),
    "data-engineers": ((cust("data-lake-access"),), {}),
    "web-developers": ((cust("web-deploy"), AWS + "AWSCloudShellFullAccess"), {}),
    "finance-analysts": (
        (AWS + "job-function/Billing",),
        {"finance-reports-read": doc(allow("s3:GetObject", "arn:aws:s3:::northwind-finance-reports/*"))},
    ),
    "security-auditors": ((AWS + "SecurityAudit", AWS + "ReadOnlyAccess", cust("incident-response-with-mfa")), {}),
    "contractors": ((cust("contractor-access"),), {}),
    "all-staff": ((cust("force-mfa-self-service"),), {}),
    "qa-testers": ((AWS + "ReadOnlyAccess",), {}),
    "mobile-team": ((), {}),
}

STAFF = "all-staff"
PEOPLE: tuple[Person, ...] = (
    # platform
    Person(
        "maria.garcia", "platform", 1500, ("administrators", "platform-engineers", STAFF), uses={"ec2": 0.2, "iam": 3}
    ),
    Person(
        "tom.baker",
        "platform",
        1200,
        ("platform-engineers",),  # never added to all-staff: no MFA guard
        mfa=None,
        attached=(AWS + "AdministratorAccess",),
        uses={"ec2": 1, "s3": 1, "cloudformation": 2},
    ),
    Person(
        "li.wei",
        "platform",
        800,
        ("platform-engineers", STAFF),
        keys=(Key(30, used_days_ago=0.1, service="ec2"),),
        uses={"ec2": 0.1, "eks": 2},
    ),
    Person("ana.silva", "platform", 700, ("platform-engineers", STAFF), mfa="hardware", uses={"cloudwatch": 1}),
    Person(
        "ahmed.khan",
        "platform",
        650,
        ("platform-engineers", STAFF),
        keys=(Key(120, used_days_ago=2, service="ecr"), Key(15, used_days_ago=0.5, service="ecr")),
        uses={"ecr": 0.5, "ecs": 1},
    ),
    # data
    Person(
        "priya.patel",
        "data",
        1000,
        ("data-engineers", STAFF),
        keys=(Key(200, used_days_ago=1, service="athena"),),
        uses={"athena": 1, "s3": 1, "glue": 4},
    ),
    Person("jonas.berg", "data", 900, ("data-engineers", STAFF), uses={"athena": 2, "s3": 2}),
    Person("chen.liu", "data", 420, ("data-engineers", STAFF), password_used_days_ago=12, uses={"glue": 12}),
    Person(
        "fatima.ali",
        "data",
        610,
        ("data-engineers", STAFF),
        keys=(Key(300, active=False, used_days_ago=280, service="s3"),),
        uses={"s3": 3},
    ),
    Person("oscar.nilsson", "data", 90, ("data-engineers", STAFF), password_used_days_ago=None),
    # web
    Person("emma.jones", "web", 950, ("web-developers", STAFF), uses={"s3": 1, "cloudfront": 1}),
    Person("lucas.martin", "web", 500, ("web-developers", STAFF), mfa=None, uses={"cloudshell": 3, "s3": 3}),
    Person("sofia.rossi", "web", 300, ("web-developers", STAFF), uses={"s3": 5}),
    Person(
        "noah.smith",
        "web",
        260,
        ("web-developers", STAFF),
        inline={"noah-debug-logs": doc(allow(["logs:GetLogEvents", "logs:FilterLogEvents"]))},
        uses={"logs": 2},
    ),
    # finance
    Person("olivia.brown", "finance", 880, ("finance-analysts", STAFF), mfa=None, uses={"aws-portal": 6}),
    Person("liam.wilson", "finance", 400, ("finance-analysts", STAFF), uses={"ce": 9}),
    # security
    Person(
        "nina.kowalski",
        "security",
        1100,
        ("administrators", "security-auditors", STAFF),
        mfa="hardware",
        uses={"securityhub": 1, "iam": 1, "cloudtrail": 1},
    ),
    Person("raj.mehta", "security", 540, ("security-auditors", STAFF), uses={"cloudtrail": 2, "access-analyzer": 2}),
    # contractors
    Person(
        "ext.jdoe",
        "contractors",
        200,
        ("contractors", STAFF),
        mfa=None,
        boundary=cust("northwind-workload-boundary"),
        uses={"s3": 20},
        password_used_days_ago=20,
    ),
    Person(
        "ext.acme-dev",
        "contractors",
        150,
        ("contractors", STAFF),
        boundary=cust("northwind-workload-boundary"),
        uses={"dynamodb": 4},
    ),
    Person(
        "ext.kim",
        "contractors",
        340,
        (),
        inline={"kim-s3-access": doc(allow(["s3:GetObject", "s3:ListBucket"], "arn:aws:s3:::northwind-exports*"))},
        password_used_days_ago=45,
        uses={"s3": 45},
    ),
    # mobile
    Person("sam.taylor", "mobile", 230, ("mobile-team", STAFF), password_used_days_ago=8),
    Person("mia.chen", "mobile", 180, ("mobile-team", STAFF), password_used_days_ago=30),
    # break glass
    Person(
        "breakglass-admin",
        "security",
        1450,
        ("administrators",),
        mfa="hardware",
        password_used_days_ago=250,
        uses={"iam": 250},
    ),
    # programmatic users
    Person(
        "svc-ci-legacy",
        "platform",
        1700,
        console=False,
        mfa=None,
        password_used_days_ago=None,
        attached=(cust("legacy-full-access"),),
        keys=(Key(420, used_days_ago=0.05, service="s3"),),
        uses={"s3": 0.05, "ec2": 0.05, "sts": 0.1},
    ),
    Person(
        "svc-reporting",
        "finance",
        700,
        console=False,
        mfa=None,
        password_used_days_ago=None,
        inline={
            "reporting-athena": doc(
                allow(["athena:StartQueryExecution", "athena:GetQueryResults"]),
                allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::northwind-finance-reports/*"),
            )
        },
        keys=(Key(90, used_days_ago=0.3, service="athena", region="eu-west-1"),),
        uses={"athena": 0.3, "s3": 0.3},
    ),
    Person(
        "svc-github-old",
        "web",
        900,
        console=False,
        mfa=None,
        password_used_days_ago=None,
        attached=(cust("web-deploy"),),
        keys=(Key(500),),
    ),
    Person(
        "svc-monitoring",
        "platform",
        600,
        console=False,
        mfa=None,
        password_used_days_ago=None,
        attached=(AWS + "CloudWatchReadOnlyAccess",),
        keys=(Key(20, used_days_ago=0.01, service="monitoring"),),
        uses={"cloudwatch": 0.01},
    ),
)


def _trust(*statements: dict[str, Any]) -> str:
    return doc(*statements)


def _service_trust(service: str) -> str:
    return _trust({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


GITHUB = "token.actions.githubusercontent.com"
GITHUB_ARN = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{GITHUB}"
BOUNDARY = cust("northwind-workload-boundary")

ROLES: tuple[RolePlan, ...] = (
    RolePlan(
        "OrganizationAccountAccessRole",
        _trust(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"},
                "Action": "sts:AssumeRole",
            }
        ),
        1800,
        attached=(AWS + "AdministratorAccess",),
        used_days_ago=30,
        uses={"iam": 30, "organizations": 30},
    ),
    RolePlan(
        "security-audit-readonly",
        _trust(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{AUDIT_ACCOUNT_ID}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "northwind-audit-7f3a"}},
            }
        ),
        1300,
        attached=(AWS + "SecurityAudit", AWS + "ReadOnlyAccess"),
        used_days_ago=0,
        description="Read-only audit from the security tooling account",
        uses={"iam": 0, "cloudtrail": 0, "config": 0, "access-analyzer": 0},
    ),
    RolePlan(
        "acme-observability-integration",
        _trust(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT_ID}:root"},
                "Action": "sts:AssumeRole",
            }
        ),
        700,
        attached=(AWS + "ReadOnlyAccess",),
        used_days_ago=0.2,
        description="Third-party monitoring vendor",
        uses={"cloudwatch": 0.2, "ec2": 0.2},
    ),
    RolePlan(
        "github-deploy-web",
        _trust(
            {
                "Effect": "Allow",
                "Principal": {"Federated": GITHUB_ARN},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB}:aud": "sts.amazonaws.com",
                        f"{GITHUB}:sub": "repo:northwind-analytics/web-frontend:ref:refs/heads/main",
                    }
                },
            }
        ),
        400,
        attached=(cust("web-deploy"),),
        used_days_ago=0.5,
        uses={"s3": 0.5, "cloudfront": 0.5},
    ),
    RolePlan(
        "github-deploy-infra",
        _trust(
            {
                "Effect": "Allow",
                "Principal": {"Federated": GITHUB_ARN},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}},
            }
        ),
        380,
        attached=(AWS + "PowerUserAccess",),
        used_days_ago=1,
        uses={"cloudformation": 1, "ec2": 1, "s3": 1},
    ),
    RolePlan(
        "web-app-ec2",
        _service_trust("ec2.amazonaws.com"),
        900,
        attached=(AWS + "AmazonSSMManagedInstanceCore",),
        inline={"web-assets-read": doc(allow("s3:GetObject", "arn:aws:s3:::northwind-web-assets/*"))},
        boundary=BOUNDARY,
        instance_profile=True,
        used_days_ago=0,
        uses={"s3": 0, "ssm": 0},
    ),
    RolePlan(
        "batch-worker-ec2",
        _service_trust("ec2.amazonaws.com"),
        850,
        attached=(cust("data-lake-access"), AWS + "AmazonSSMManagedInstanceCore"),
        boundary=BOUNDARY,
        instance_profile=True,
        used_days_ago=0,
        used_region="eu-west-1",
        uses={"s3": 0, "glue": 0},
    ),
    RolePlan(
        "invoice-processor-lambda",
        _service_trust("lambda.amazonaws.com"),
        600,
        attached=(AWS + "service-role/AWSLambdaBasicExecutionRole",),
        inline={
            "invoices-table": doc(
                allow(
                    ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
                    f"arn:aws:dynamodb:us-east-1:{ACCOUNT_ID}:table/invoices",
                )
            )
        },
        boundary=BOUNDARY,
        used_days_ago=0,
        uses={"dynamodb": 0, "logs": 0},
    ),
    RolePlan(
        "report-generator-lambda",
        _service_trust("lambda.amazonaws.com"),
        700,
        attached=(AWS + "service-role/AWSLambdaBasicExecutionRole",),
        used_days_ago=0.3,
        uses={"logs": 0.3},
    ),
    RolePlan(
        "ops-automation-lambda",
        _service_trust("lambda.amazonaws.com"),
        500,
        attached=(cust("lambda-deployer"), AWS + "service-role/AWSLambdaBasicExecutionRole"),
        used_days_ago=3,
        uses={"lambda": 3, "logs": 3},
    ),
    RolePlan(
        "cicd-policy-manager",
        _trust(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}, "Action": "sts:AssumeRole"}
        ),
        450,
        attached=(cust("ci-policy-manager"),),
        used_days_ago=6,
        uses={"iam": 6},
    ),
    RolePlan(
        "orders-api-ecs-task",
        _service_trust("ecs-tasks.amazonaws.com"),
        520,
        inline={
            "orders-data": doc(
                allow(
                    ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                    f"arn:aws:dynamodb:us-east-1:{ACCOUNT_ID}:table/orders",
                ),
                allow(["sqs:SendMessage"], f"arn:aws:sqs:us-east-1:{ACCOUNT_ID}:order-events"),
            )
        },
        boundary=BOUNDARY,
        used_days_ago=0,
        uses={"dynamodb": 0, "sqs": 0},
    ),
    RolePlan(
        "ecs-task-execution",
        _service_trust("ecs-tasks.amazonaws.com"),
        520,
        attached=(AWS + "service-role/AmazonECSTaskExecutionRolePolicy",),
        used_days_ago=0,
        uses={"ecr": 0, "logs": 0},
    ),
    RolePlan(
        "data-pipeline-glue",
        _service_trust("glue.amazonaws.com"),
        880,
        attached=(AWS + "service-role/AWSGlueServiceRole", cust("data-lake-access")),
        used_days_ago=0.4,
        used_region="eu-west-1",
        uses={"glue": 0.4, "s3": 0.4},
    ),
    RolePlan(
        "legacy-etl-role",
        _service_trust("glue.amazonaws.com"),
        1650,
        attached=(AWS + "AmazonS3FullAccess",),
        used_days_ago=None,
        description="ETL before the data lake (2022)",
    ),
    RolePlan(
        "cloudtrail-to-cloudwatch",
        _service_trust("cloudtrail.amazonaws.com"),
        1300,
        inline={
            "deliver-logs": doc(
                allow(
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:cloudtrail/northwind:*",
                )
            )
        },
        used_days_ago=0,
        uses={"logs": 0},
    ),
)

SERVICE_NAMES = {
    "access-analyzer": "IAM Access Analyzer",
    "athena": "Amazon Athena",
    "aws-portal": "AWS Billing",
    "ce": "AWS Cost Explorer",
    "cloudformation": "AWS CloudFormation",
    "cloudfront": "Amazon CloudFront",
    "cloudshell": "AWS CloudShell",
    "cloudtrail": "AWS CloudTrail",
    "cloudwatch": "Amazon CloudWatch",
    "config": "AWS Config",
    "dynamodb": "Amazon DynamoDB",
    "ec2": "Amazon EC2",
    "ecr": "Amazon Elastic Container Registry",
    "ecs": "Amazon Elastic Container Service",
    "eks": "Amazon Elastic Kubernetes Service",
    "glue": "AWS Glue",
    "iam": "AWS Identity and Access Management",
    "kms": "AWS Key Management Service",
    "lambda": "AWS Lambda",
    "logs": "Amazon CloudWatch Logs",
    "organizations": "AWS Organizations",
    "s3": "Amazon S3",
    "securityhub": "AWS Security Hub",
    "sqs": "Amazon SQS",
    "ssm": "AWS Systems Manager",
    "sts": "AWS Security Token Service",
}
BROAD_SERVICES = tuple(sorted(SERVICE_NAMES))
"""What service-last-accessed lists for a principal allowed ``*`` (AWS lists every service; the demo trims it)."""


# --- moto: seeded ids, a controllable clock, documentation-style key ids ----------------------------------------


class _Clock:
    """moto's notion of "now" (``moto.core.utils.utcnow``), moved along the account's fictional history."""

    def __init__(self) -> None:
        self.now = NOW

    def at(self, when: dt.datetime) -> None:
        self.now = when

    def module(self) -> types.SimpleNamespace:
        clock = self

        class FixedDatetime(dt.datetime):
            @classmethod
            def now(cls, tz: dt.tzinfo | None = None) -> FixedDatetime:
                value = clock.now if tz else clock.now.replace(tzinfo=None)
                return cls.fromtimestamp(value.timestamp(), tz) if tz else cls.fromisoformat(value.isoformat())

            @classmethod
            def utcnow(cls) -> FixedDatetime:
                return cls.fromisoformat(clock.now.replace(tzinfo=None).isoformat())

        names = {k: getattr(dt, k) for k in dir(dt) if not k.startswith("__")}
        names["datetime"] = FixedDatetime
        return types.SimpleNamespace(**names)


def _example_key_ids() -> Iterator[str]:
    """``AKIA`` + 9 characters + ``EXAMPLE``, as in the AWS documentation's ``AKIAIOSFODNN7EXAMPLE``."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    n = 0
    while True:
        n += 1
        digest = hashlib.sha256(f"northwind-key-{n}".encode()).digest()
        yield "AKIA" + "".join(alphabet[b % 32] for b in digest[:9]) + "EXAMPLE"


@contextmanager
def _moto_account(clock: _Clock) -> Iterator[boto3.Session]:
    key_ids = _example_key_ids()

    def key_id(account_id: str, prefix: str, total_length: int = 20) -> str:
        del account_id, total_length
        return next(key_ids) if prefix == "AKIA" else prefix + next(key_ids)[4:]

    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGIONS[0],
        "MOTO_ACCOUNT_ID": ACCOUNT_ID,
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    }
    with (
        mock.patch.dict(os.environ, env),
        mock.patch.object(moto_utils, "datetime", clock.module()),
        mock.patch.object(moto_iam, "generate_access_key_id_from_account_id", key_id),
        mock_aws(),
    ):
        mock_random.seed(SEED)
        yield boto3.Session(region_name=REGIONS[0])


# --- populating the account --------------------------------------------------------------------------------------


@dataclass
class Made:
    """Ids moto chose that later steps need."""

    key_ids: dict[str, list[str]] = field(default_factory=dict)


def _iam_backend() -> Any:
    return moto_iam.iam_backends[ACCOUNT_ID]["aws"]


def _naive(when: dt.datetime) -> dt.datetime:
    return when.replace(tzinfo=None)


def populate(session: boto3.Session, clock: _Clock) -> Made:
    made = Made()
    iam = session.client("iam")
    clock.at(ago(1900))
    iam.create_account_alias(AccountAlias=ALIAS)
    iam.update_account_password_policy(
        MinimumPasswordLength=8,
        RequireSymbols=False,
        RequireNumbers=True,
        RequireUppercaseCharacters=False,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
    )
    iam.create_open_id_connect_provider(
        Url=f"https://{GITHUB}",
        ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"],
    )
    for name, (days, description, document) in sorted(POLICIES.items(), key=lambda p: -p[1][0]):
        clock.at(ago(days))
        iam.create_policy(PolicyName=name, PolicyDocument=document, Description=description)
    # web-deploy v1 was s3:* everywhere; v2 (default) is scoped: an old, broader version kept beside it.
    clock.at(ago(790))
    iam.create_policy_version(PolicyArn=cust("web-deploy"), PolicyDocument=POLICIES["web-deploy"][2], SetAsDefault=True)
    _rewrite_first_version(cust("web-deploy"), doc(allow("s3:*"), allow("cloudfront:*")))

    clock.at(ago(1600))
    for group, (attached, inline) in GROUPS.items():
        iam.create_group(GroupName=group)
        for arn in attached:
            iam.attach_group_policy(GroupName=group, PolicyArn=arn)
        for name, document in inline.items():
            iam.put_group_policy(GroupName=group, PolicyName=name, PolicyDocument=document)

    for person in sorted(PEOPLE, key=lambda p: -p.created_days_ago):
        _user(iam, clock, person, made)

    for role in sorted(ROLES, key=lambda r: -r.created_days_ago):
        _role(iam, clock, role)
    clock.at(ago(1200))
    iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")

    clock.at(ago(1000))
    pem = "-----BEGIN CERTIFICATE-----\nMIIBdemo\n-----END CERTIFICATE-----"
    iam.upload_server_certificate(
        ServerCertificateName="legacy-api-northwind-2024", CertificateBody=pem, PrivateKey="x"
    )
    iam.upload_server_certificate(ServerCertificateName="api-northwind-2026", CertificateBody=pem, PrivateKey="x")

    _logging(session, clock)
    _workloads(session, clock, made)
    clock.at(NOW)
    return made


def _rewrite_first_version(arn: str, document: str) -> None:
    """moto keeps a policy's versions as objects; give v1 the broad document the company started with."""
    policy = _iam_backend().get_policy(arn)
    policy.versions[0].document = document


def _user(iam: Any, clock: _Clock, person: Person, made: Made) -> None:
    clock.at(ago(person.created_days_ago))
    tags = [{"Key": "team", "Value": person.team}, {"Key": "cost-center", "Value": f"cc-{person.team}"}]
    extra: dict[str, Any] = {"PermissionsBoundary": person.boundary} if person.boundary else {}
    iam.create_user(UserName=person.name, Tags=tags, **extra)
    if person.console:
        iam.create_login_profile(UserName=person.name, Password="Demo-password-1")
    for group in person.groups:
        iam.add_user_to_group(GroupName=group, UserName=person.name)
    for arn in person.attached:
        iam.attach_user_policy(UserName=person.name, PolicyArn=arn)
    for name, document in person.inline.items():
        iam.put_user_policy(UserName=person.name, PolicyName=name, PolicyDocument=document)
    if person.mfa == "virtual":
        clock.at(ago(person.created_days_ago - 1))
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=person.name)
        serial = device["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(
            UserName=person.name, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )
    elif person.mfa == "hardware":
        clock.at(ago(person.created_days_ago - 2))
        serial = "GAHT" + hashlib.sha256(person.name.encode()).hexdigest()[:8].upper()
        iam.enable_mfa_device(
            UserName=person.name, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )
    user = _iam_backend().get_user(person.name)
    if person.password_used_days_ago is not None and person.console:
        user.password_last_used = _naive(ago(person.password_used_days_ago))
    made.key_ids[person.name] = []
    for plan in person.keys:
        clock.at(ago(plan.created_days_ago))
        key = iam.create_access_key(UserName=person.name)["AccessKey"]
        made.key_ids[person.name].append(key["AccessKeyId"])
        if not plan.active:
            iam.update_access_key(UserName=person.name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
        if plan.used_days_ago is not None:
            stored = _iam_backend().access_keys[key["AccessKeyId"]]
            stored.last_used = moto_iam.AccessKeyLastUsed(
                timestamp=_naive(ago(plan.used_days_ago)), service=plan.service, region=plan.region
            )


def _role(iam: Any, clock: _Clock, plan: RolePlan) -> None:
    clock.at(ago(plan.created_days_ago))
    extra: dict[str, Any] = {"Description": plan.description} if plan.description else {}
    if plan.boundary:
        extra["PermissionsBoundary"] = plan.boundary
    iam.create_role(
        RoleName=plan.name,
        AssumeRolePolicyDocument=plan.trust,
        Tags=[{"Key": "owner", "Value": "platform"}],
        **extra,
    )
    for arn in plan.attached:
        iam.attach_role_policy(RoleName=plan.name, PolicyArn=arn)
    for name, document in plan.inline.items():
        iam.put_role_policy(RoleName=plan.name, PolicyName=name, PolicyDocument=document)
    if plan.instance_profile:
        iam.create_instance_profile(InstanceProfileName=plan.name)
        iam.add_role_to_instance_profile(InstanceProfileName=plan.name, RoleName=plan.name)
    if plan.used_days_ago is not None:
        role = _iam_backend().get_role(plan.name)
        role.last_used = _naive(ago(plan.used_days_ago))
        role.last_used_region = plan.used_region


def _logging(session: boto3.Session, clock: _Clock) -> None:
    clock.at(ago(1300))
    s3 = session.client("s3")
    for bucket in ("northwind-cloudtrail-logs", "northwind-config-history"):
        s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket="northwind-eu-trail-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    kms_key = session.client("kms").create_key(Description="CloudTrail log encryption")["KeyMetadata"]["Arn"]
    logs = session.client("logs")
    logs.create_log_group(logGroupName="cloudtrail/northwind")
    group_arn = f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:cloudtrail/northwind:*"
    trail = session.client("cloudtrail")
    trail.create_trail(
        Name="northwind-management-events",
        S3BucketName="northwind-cloudtrail-logs",
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=True,
        KmsKeyId=kms_key,
        CloudWatchLogsLogGroupArn=group_arn,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/cloudtrail-to-cloudwatch",
    )
    trail.start_logging(Name="northwind-management-events")
    # What AWS answers for a new trail by default (moto answers no selector at all).
    trail.put_event_selectors(
        TrailName="northwind-management-events",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}],
    )
    clock.at(ago(400))
    eu_trail = session.client("cloudtrail", region_name="eu-west-1")
    eu_trail.create_trail(Name="eu-analytics-data-events", S3BucketName="northwind-eu-trail-logs")
    eu_trail.start_logging(Name="eu-analytics-data-events")
    eu_trail.put_event_selectors(
        TrailName="eu-analytics-data-events",
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": False,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::northwind-data-lake-prod/"]}],
            }
        ],
    )
    config = session.client("config")
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "northwind-config-history"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("handler.py", date_time=(2024, 1, 1, 0, 0, 0))
        archive.writestr(info, "def handler(event, context):\n    return {'ok': True}\n")
    return buffer.getvalue()


def _workloads(session: boto3.Session, clock: _Clock, made: Made) -> None:
    legacy_key = made.key_ids["svc-ci-legacy"][0]
    reporting_key = made.key_ids["svc-reporting"][0]
    instances: dict[str, list[tuple[str, str | None, str, Literal["optional", "required"], int]]] = {
        "us-east-1": [
            ("web-frontend-1", "web-app-ec2", "#cloud-config\npackages:\n  - nginx\n", "required", 300),
            ("web-frontend-2", "web-app-ec2", "#cloud-config\npackages:\n  - nginx\n", "required", 300),
            (
                "legacy-reporting-01",
                None,
                "#!/bin/bash\n# nightly export, set up by the old CI\n"
                f"export AWS_ACCESS_KEY_ID={legacy_key}\n"
                f"export AWS_SECRET_ACCESS_KEY={EXAMPLE_SECRET}\n"
                "aws s3 sync /var/reports s3://northwind-finance-reports/legacy/\n",
                "optional",
                1300,
            ),
        ],
        "eu-west-1": [("eu-batch-worker-1", "batch-worker-ec2", "#!/bin/bash\n/opt/batch/start.sh\n", "required", 200)],
    }
    for region, specs in instances.items():
        ec2 = session.client("ec2", region_name=region)
        image = sorted(i["ImageId"] for i in ec2.describe_images(Owners=["amazon"])["Images"])[0]
        for name, profile, user_data, tokens, days in specs:
            clock.at(ago(days))
            extra: dict[str, Any] = {}
            if profile:
                extra["IamInstanceProfile"] = {"Name": profile}
            ec2.run_instances(
                ImageId=image,
                InstanceType="t3.medium",
                ClientToken=f"northwind-{name}",
                MinCount=1,
                MaxCount=1,
                UserData=user_data,
                MetadataOptions={"HttpTokens": tokens, "HttpEndpoint": "enabled"},
                TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
                **extra,
            )
    functions = {
        "us-east-1": [
            ("invoice-processor", "invoice-processor-lambda", {"TABLE_NAME": "invoices", "LOG_LEVEL": "info"}),
            (
                "nightly-report-export",
                "report-generator-lambda",
                {
                    "REPORT_BUCKET": "northwind-finance-reports",
                    "EXPORT_AWS_ACCESS_KEY_ID": reporting_key,
                    "EXPORT_AWS_SECRET_ACCESS_KEY": EXAMPLE_SECRET,
                },
            ),
            ("ops-automation", "ops-automation-lambda", {"DRY_RUN": "false"}),
        ],
        "eu-west-1": [("eu-customer-export", "report-generator-lambda", {"EXPORT_BUCKET": "northwind-exports-eu"})],
    }
    code = _zip()
    for region, specs_ in functions.items():
        lambda_ = session.client("lambda", region_name=region)
        for name, role, env in specs_:
            clock.at(ago(100))
            lambda_.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=f"arn:aws:iam::{ACCOUNT_ID}:role/{role}",
                Handler="handler.handler",
                Code={"ZipFile": code},
                Environment={"Variables": env},
            )


# --- what moto cannot produce ------------------------------------------------------------------------------------


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat()


ROOT_ROW = (
    f"<root_account>,arn:aws:iam::{ACCOUNT_ID}:root,{ago(1900).strftime('%Y-%m-%dT%H:%M:%S+00:00')},not_supported,"
    f"{ago(3, 5).strftime('%Y-%m-%dT%H:%M:%S+00:00')},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,"
    "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
)

ORG_ID = "o-nw4example1"
ROOT_ID = "r-nw01"
OU_WORKLOADS = "ou-nw01-workload1"
OU_PROD = "ou-nw01-production"
SCPS: dict[str, tuple[str, bool, dict[str, Any], tuple[str, ...]]] = {
    # id: (name, AWS managed, document, targets)
    "p-FullAWSAccess": (
        "FullAWSAccess",
        True,
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        (ROOT_ID, OU_WORKLOADS, OU_PROD, ACCOUNT_ID),
    ),
    "p-nw0deny0leave": (
        "deny-leave-organization",
        False,
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}],
        },
        (ROOT_ID,),
    ),
    "p-nw0regions01": (
        "region-guardrail",
        False,
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyOutsideApprovedRegions",
                    "Effect": "Deny",
                    "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*"],
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:RequestedRegion": REGIONS}},
                }
            ],
        },
        (OU_WORKLOADS,),
    ),
    "p-nw0protect01": (
        "protect-security-tooling",
        False,
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": [
                        "cloudtrail:StopLogging",
                        "cloudtrail:DeleteTrail",
                        "config:StopConfigurationRecorder",
                        "config:DeleteConfigurationRecorder",
                        "access-analyzer:DeleteAnalyzer",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}
                    },
                }
            ],
        },
        (OU_PROD,),
    ),
}


def _granted_services(principal: dict[str, Any], by_arn: dict[str, dict[str, Any]], groups: dict[str, Any]) -> set[str]:
    documents: list[Any] = [
        p["PolicyDocument"]
        for key in ("UserPolicyList", "RolePolicyList", "GroupPolicyList")
        for p in principal.get(key, [])
    ]
    arns = [a["PolicyArn"] for a in principal.get("AttachedManagedPolicies", [])]
    for group in principal.get("GroupList", []):
        documents += [p["PolicyDocument"] for p in groups[group].get("GroupPolicyList", [])]
        arns += [a["PolicyArn"] for a in groups[group].get("AttachedManagedPolicies", [])]
    for arn in arns:
        if arn in by_arn:
            versions = by_arn[arn]["PolicyVersionList"]
            documents += [v["Document"] for v in versions if v["IsDefaultVersion"]]
        else:  # an AWS managed policy: the demo does not carry its text; its name says enough for this list
            documents.append({"Statement": [{"Effect": "Allow", "Action": "*"}]})
    services: set[str] = set()
    for document in documents:
        statements = document.get("Statement", []) if isinstance(document, dict) else []
        for st in statements if isinstance(statements, list) else [statements]:
            if st.get("Effect") != "Allow":
                continue
            if "NotAction" in st:
                return set(BROAD_SERVICES)
            actions = st.get("Action", [])
            for action in [actions] if isinstance(actions, str) else actions:
                if action == "*":
                    return set(BROAD_SERVICES)
                services.add(action.split(":", 1)[0])
    return services


def _last_accessed(granted: set[str], uses: dict[str, float], arn: str) -> dict[str, Any]:
    services = []
    for namespace in sorted(granted | set(uses)):
        entry: dict[str, Any] = {
            "ServiceName": SERVICE_NAMES.get(namespace, namespace),
            "ServiceNamespace": namespace,
            "TotalAuthenticatedEntities": 0,
        }
        if namespace in uses:
            entry |= {
                "LastAuthenticated": _iso(ago(uses[namespace])),
                "LastAuthenticatedEntity": arn,
                "LastAuthenticatedRegion": "us-east-1",
                "TotalAuthenticatedEntities": 1,
            }
        services.append(entry)
    return {
        "JobStatus": "COMPLETED",
        "JobType": "SERVICE_LEVEL",
        "JobCreationDate": _iso(NOW - dt.timedelta(minutes=2)),
        "JobCompletionDate": _iso(NOW - dt.timedelta(minutes=1)),
        "ServicesLastAccessed": services,
    }


def complete(snapshot: Snapshot) -> Snapshot:
    """The collected snapshot plus what moto cannot produce (each item listed in docs/demo-account.md)."""
    calls: dict[str, dict[str, dict[str, Any]]] = orjson.loads(orjson.dumps(snapshot.calls))
    replaced = {
        "access-analyzer:ListAnalyzers",
        "iam:GetServiceLastAccessedDetails",
        "iam:ListOrganizationsFeatures",
    } | {k for k in calls if k.startswith("organizations:")}

    def put(api: str, response: Any, region: str = GLOBAL, target: str = NO_TARGET) -> None:
        calls.setdefault(api, {}).setdefault(region, {})[target] = response

    # 1. the root user's row in the credential report (moto has no root user) and the report's time
    report = calls["iam:GetCredentialReport"][GLOBAL][NO_TARGET]
    header, *rows = report["Content"].rstrip("\n").split("\n")
    report["Content"] = "\n".join([header, ROOT_ROW, *sorted(rows)]) + "\n"
    report["GeneratedTime"] = _iso(NOW - dt.timedelta(minutes=3))
    # 2. root MFA: a virtual device assigned to the root user, and the summary's AccountMFAEnabled
    root_mfa = {
        "SerialNumber": f"arn:aws:iam::{ACCOUNT_ID}:mfa/root-account-mfa-device",
        "User": {"Arn": f"arn:aws:iam::{ACCOUNT_ID}:root", "UserId": ACCOUNT_ID, "CreateDate": _iso(ago(1900))},
        "EnableDate": _iso(ago(1890)),
    }
    devices = calls["iam:ListVirtualMFADevices"][GLOBAL][NO_TARGET]["VirtualMFADevices"]
    devices.append(root_mfa)
    devices.sort(key=lambda d: d["SerialNumber"])
    calls["iam:GetAccountSummary"][GLOBAL][NO_TARGET]["SummaryMap"]["AccountMFAEnabled"] = 1
    # 3. the caller: the collector ran as the audit role
    put(
        "sts:GetCallerIdentity",
        {
            "UserId": "AROAEXAMPLEAUDITROLE:iamwarden",
            "Account": ACCOUNT_ID,
            "Arn": f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/security-audit-readonly/iamwarden",
        },
    )
    # 4. server certificates: moto reports a fixed 2012 expiry; one expired, one valid
    certs = calls["iam:ListServerCertificates"][GLOBAL][NO_TARGET]["ServerCertificateMetadataList"]
    for cert in certs:
        if cert["ServerCertificateName"].startswith("legacy"):
            cert |= {"UploadDate": _iso(ago(1000)), "Expiration": _iso(ago(95))}
        else:
            cert |= {"UploadDate": _iso(ago(60)), "Expiration": _iso(ago(-330))}
    # 5. Access Analyzer (not in moto): an account analyzer in us-east-1 only
    put(
        "access-analyzer:ListAnalyzers",
        {
            "analyzers": [
                {
                    "arn": f"arn:aws:access-analyzer:us-east-1:{ACCOUNT_ID}:analyzer/northwind-account",
                    "name": "northwind-account",
                    "type": "ACCOUNT",
                    "status": "ACTIVE",
                    "createdAt": _iso(ago(700)),
                }
            ]
        },
        "us-east-1",
    )
    put("access-analyzer:ListAnalyzers", {"analyzers": []}, "eu-west-1")
    # 6. the organization seen from this member account (moto makes the caller the management account)
    put(
        "organizations:DescribeOrganization",
        {
            "Organization": {
                "Id": ORG_ID,
                "Arn": f"arn:aws:organizations::{MANAGEMENT_ACCOUNT_ID}:organization/{ORG_ID}",
                "FeatureSet": "ALL",
                "MasterAccountArn": (
                    f"arn:aws:organizations::{MANAGEMENT_ACCOUNT_ID}:account/{ORG_ID}/{MANAGEMENT_ACCOUNT_ID}"
                ),
                "MasterAccountId": MANAGEMENT_ACCOUNT_ID,
                "MasterAccountEmail": "aws-management@northwind.example",
                "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
            }
        },
    )
    root_arn = f"arn:aws:organizations::{MANAGEMENT_ACCOUNT_ID}:root/{ORG_ID}/{ROOT_ID}"
    put(
        "organizations:ListRoots",
        {
            "Roots": [
                {
                    "Id": ROOT_ID,
                    "Arn": root_arn,
                    "Name": "Root",
                    "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
                }
            ]
        },
    )
    put("organizations:ListParents", {"Parents": [{"Id": OU_PROD, "Type": "ORGANIZATIONAL_UNIT"}]}, target=ACCOUNT_ID)
    put("organizations:ListParents", {"Parents": [{"Id": OU_WORKLOADS, "Type": "ORGANIZATIONAL_UNIT"}]}, target=OU_PROD)
    put("organizations:ListParents", {"Parents": [{"Id": ROOT_ID, "Type": "ROOT"}]}, target=OU_WORKLOADS)
    summaries = []
    for policy_id, (name, aws_managed, document, targets) in SCPS.items():
        owner = "aws" if aws_managed else MANAGEMENT_ACCOUNT_ID
        summary = {
            "Id": policy_id,
            "Arn": f"arn:aws:organizations::{owner}:policy/{ORG_ID}/service_control_policy/{policy_id}",
            "Name": name,
            "Type": "SERVICE_CONTROL_POLICY",
            "AwsManaged": aws_managed,
        }
        summaries.append(summary)
        put(
            "organizations:DescribePolicy",
            {"Policy": {"PolicySummary": summary, "Content": orjson.dumps(document).decode()}},
            target=policy_id,
        )
        put(
            "organizations:ListTargetsForPolicy",
            {"Targets": [{"TargetId": t, "Type": _target_type(t), "Name": t} for t in targets]},
            target=policy_id,
        )
    put("organizations:ListPolicies", {"Policies": summaries}, target="SERVICE_CONTROL_POLICY")
    put("organizations:ListPolicies", {"Policies": []}, target="RESOURCE_CONTROL_POLICY")
    put("iam:ListOrganizationsFeatures", {"OrganizationId": ORG_ID, "EnabledFeatures": []})
    # 7. AWS managed policies: moto lists all ~1,500 of them; AWS lists those attached to something
    details = calls["iam:GetAccountAuthorizationDetails"][GLOBAL][NO_TARGET]
    listed_policies = list(details["Policies"])
    details["Policies"] = [
        p for p in details["Policies"] if not p["Arn"].startswith(AWS[:-7]) or p.get("AttachmentCount", 0) > 0
    ]
    # 8. moto omits PolicyName and PolicyId from the managed policies of GetAccountAuthorizationDetails (the collector
    # fills the name from the ARN and records the missing id as an Incomplete gap); AWS answers with both
    ids_filled: set[str] = set()
    dropped = {p["Arn"] for p in listed_policies} - {p["Arn"] for p in details["Policies"]}
    for policy in details["Policies"]:
        policy.setdefault("PolicyName", policy["Arn"].rsplit("/", 1)[1])
        digest = hashlib.sha256(policy["Arn"].encode()).hexdigest().upper()
        if "PolicyId" not in policy:
            policy["PolicyId"] = "ANPA" + digest[:17]
            ids_filled.add(policy["Arn"])
    # 9. moto drops a user's permissions boundary from GetAccountAuthorizationDetails, and never counts boundary uses
    people = {p.name: p for p in PEOPLE}
    for user in details["UserDetailList"]:
        boundary = people[user["UserName"]].boundary
        if boundary and "PermissionsBoundary" not in user:
            user["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    for policy in details["Policies"]:
        policy["PermissionsBoundaryUsageCount"] = sum(
            1
            for principal in details["UserDetailList"] + details["RoleDetailList"]
            if principal.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn") == policy["Arn"]
        )
    # 10. service last accessed per principal (not in moto)
    by_arn = {p["Arn"]: p for p in details["Policies"]}
    groups = {g["GroupName"]: g for g in details["GroupDetailList"]}
    uses: dict[str, dict[str, float]] = {p.name: p.uses for p in PEOPLE} | {r.name: r.uses for r in ROLES}
    for kind, name_key in (
        ("UserDetailList", "UserName"),
        ("RoleDetailList", "RoleName"),
        ("GroupDetailList", "GroupName"),
    ):
        for principal in details[kind]:
            granted = _granted_services(principal, by_arn, groups)
            used = uses.get(principal[name_key], {})
            if kind == "GroupDetailList":
                members = [p for p in PEOPLE if principal[name_key] in p.groups]
                used = {
                    s: min(p.uses[s] for p in members if s in p.uses)
                    for s in granted
                    if any(s in p.uses for p in members)
                }
            put(
                "iam:GetServiceLastAccessedDetails",
                _last_accessed(granted, used, principal["Arn"]),
                target=principal["Arn"],
            )

    builder = SnapshotBuilder(
        account_id=snapshot.account_id,
        partition=snapshot.partition,
        regions=tuple(REGIONS),
        source="demo",
        options={**dict(snapshot.options), "demo": "scripts/build_demo_account.py"},
        collected_at=NOW,
    )
    for api in sorted(calls):
        for region in sorted(calls[api]):
            for target in sorted(calls[api][region]):
                builder.record(api, calls[api][region][target], region=region, target=target)
    for gap in snapshot.gaps:
        if gap.error_code == "Incomplete" and (gap.target in ids_filled or gap.target in dropped):
            continue  # step 8 gave the policy the id AWS would have answered with; step 7 dropped the policy
        if gap.api not in replaced:
            builder.gap(gap.api, gap.error_code, gap.message, region=gap.region, target=gap.target)
    return builder.build()


def _target_type(target: str) -> str:
    if target.startswith("r-"):
        return "ROOT"
    return "ORGANIZATIONAL_UNIT" if target.startswith("ou-") else "ACCOUNT"


def build_demo_snapshot() -> Snapshot:
    clock = _Clock()
    with _moto_account(clock) as session:
        populate(session, clock)
        clock.at(NOW)
        collected = collect_account(session, REGIONS, False, False, polling=Polling(interval_s=0.0, timeout_s=5.0))
    demo = complete(collected)
    snapshot_from_json(demo.to_json(), "the demo snapshot")  # the same validation every reader applies
    return demo


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    write_snapshot(build_demo_snapshot(), output)
    print(f"wrote {output} ({output.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
