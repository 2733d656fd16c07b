"""Build the demo organization in a moto server and collect it with the real ``iamwarden collect --org``.

The organization (``docs/demo-org.md`` describes it): the management account, ``security`` (delegated
administrator for GuardDuty and IAM Access Analyzer, a vendor role trusting an account outside the organization),
``workload-prod`` and ``workload-dev`` in sibling OUs under ``Workloads`` (the ``Prod`` OU's SCP blocks the IAM
escalation a ``build-bot`` user has in both), ``sandbox`` (its member role cannot be assumed: AccessDenied) and
``retired`` (closed: SUSPENDED). Planted across accounts: the user ``ci-deployer`` in ``workload-dev`` may assume
the management account's role ``deploy-orchestrator``, which may attach any policy to itself: administrator of the
management account.

Everything is made with ordinary boto3 calls against ``moto_server`` started as its own process on a free local port
(moto's random ids seeded, so account ids are the same every build). Then moto's IAM authorization is switched on,
and ``iamwarden collect --org`` runs as a separate process through ``AWS_ENDPOINT_URL`` with the access key of the
management account's ``auditor`` user, who holds exactly the policies ``docs/permissions.md`` gives the management
side; each member account's ``iamwarden-member`` role holds the read-only policy the StackSet template gives it. So
moto decides every call with the documented policies: a call they do not allow would be a gap.

moto lets a caller assume a role that does not exist (``sts:AssumeRole`` checks only the caller's own policies), so
the sandbox account's refusal comes from a Deny in the auditor's policies on that account's roles (it stands for the
role the StackSet did not reach); the AccessDenied it makes is moto's real answer.

Usage: ``python scripts/build_demo_org.py [OUTPUT]`` (default ``demo/demo-org``; an existing bundle there is
replaced). Tests import :func:`moto_server`, :func:`build_org`, :func:`enforce_authorization` and
:func:`auditor_env` to collect the same organization themselves.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DEFAULT_OUTPUT = ROOT / "demo" / "demo-org"
REGION = "us-east-1"
SEED = 2026
MANAGEMENT = "123456789012"
"""moto's default account: whoever calls with unknown credentials is there, and creates the organization."""
MEMBER_ROLE = "iamwarden-member"
OUTSIDE_ACCOUNT = "999988887777"
"""The vendor's account, outside the organization, that the security account's ``vendor-scanner`` role trusts."""


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(actions: str | list[str], resource: str | list[str] = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def _deny(actions: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": actions, "Resource": resource, **extra}


def _trust(principal: str, **extra: Any) -> str:
    return _doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole", **extra})


ESCALATION_ACTIONS = ["iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:CreatePolicyVersion", "iam:AttachRolePolicy"]
"""What the ``Prod`` OU's SCP denies, and what ``build-bot`` may do to itself in both workload accounts."""


# --- moto_server as its own process ---------------------------------------------------------------------------


def tool(name: str) -> str:
    """A console script of this environment (the venv running this), else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found beside {sys.executable} nor on PATH (pip install 'moto[server]')")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(url: str, data: bytes = b"") -> None:
    # text/plain: a form body would be parsed as a form, leaving moto's handler no data to read
    request = urllib.request.Request(url, method="POST", data=data, headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()


@contextmanager
def moto_server() -> Iterator[str]:
    """``moto_server`` started as its own process on a free loopback port; yields its endpoint URL, then stops it."""
    port = _free_port()
    process = subprocess.Popen(
        [tool("moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with code {process.returncode} before answering")
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2) as answer:
                    answer.read()
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not answer on {endpoint} within 60 s") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def clean_env(endpoint: str, access_key_id: str = "testing", secret: str = "testing") -> dict[str, str]:
    """This process's environment without any real AWS configuration, plus the credentials and the endpoint."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return env | {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": access_key_id,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    }


# --- the organization -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOrg:
    """The ids of what :func:`build_org` made."""

    org_id: str
    root_id: str
    units: dict[str, str]
    """OU name -> id: Security, Workloads, Prod, Dev, Sandbox."""
    accounts: dict[str, str]
    """Account name -> id: management, security, workload-prod, workload-dev, sandbox, retired."""
    policies: dict[str, str]
    """SCP / RCP name -> id."""
    auditor_key_id: str
    auditor_secret: str

    def arn(self, account: str, kind: str, name: str) -> str:
        return f"arn:aws:iam::{self.accounts[account]}:{kind}/{name}"


def _read_policy_file(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def build_org(endpoint: str) -> DemoOrg:
    """Make the demo organization in the (fresh) moto server at ``endpoint``."""
    _post(f"{endpoint}/moto-api/reset")
    _post(f"{endpoint}/moto-api/seed?a={SEED}")
    session = _session(endpoint, "testing", "testing")
    org = session.client("organizations")
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root_id = org.list_roots()["Roots"][0]["Id"]
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        org.enable_policy_type(RootId=root_id, PolicyType=policy_type)
    units: dict[str, str] = {}
    for name, parent in (("Security", None), ("Workloads", None), ("Prod", "Workloads"), ("Dev", "Workloads")):
        parent_id = units[parent] if parent else root_id
        units[name] = org.create_organizational_unit(ParentId=parent_id, Name=name)["OrganizationalUnit"]["Id"]
    units["Sandbox"] = org.create_organizational_unit(ParentId=root_id, Name="Sandbox")["OrganizationalUnit"]["Id"]
    accounts = {"management": MANAGEMENT}
    for name, unit in (
        ("security", "Security"),
        ("workload-prod", "Prod"),
        ("workload-dev", "Dev"),
        ("sandbox", "Sandbox"),
        ("retired", "Sandbox"),
    ):
        created = org.create_account(AccountName=name, Email=f"aws+{name}@example.com")["CreateAccountStatus"]
        accounts[name] = created["AccountId"]
        org.move_account(AccountId=created["AccountId"], SourceParentId=root_id, DestinationParentId=units[unit])
    org.close_account(AccountId=accounts["retired"])
    for service in ("guardduty.amazonaws.com", "access-analyzer.amazonaws.com"):
        org.register_delegated_administrator(AccountId=accounts["security"], ServicePrincipal=service)

    policies = {}
    for name, policy_type, document, target in (
        ("deny-leaving-org", "SERVICE_CONTROL_POLICY", _doc(_deny("organizations:LeaveOrganization")), root_id),
        ("prod-iam-guardrails", "SERVICE_CONTROL_POLICY", _doc(_deny(ESCALATION_ACTIONS)), units["Prod"]),
        (
            "prod-no-outside-principals",
            "RESOURCE_CONTROL_POLICY",
            _doc(
                _deny(
                    "sts:AssumeRole",
                    Principal="*",
                    Condition={
                        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id},
                        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                    },
                )
            ),
            units["Prod"],
        ),
    ):
        summary = org.create_policy(Name=name, Description=name, Type=policy_type, Content=document)["Policy"]
        policies[name] = summary["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=policies[name], TargetId=target)

    key_id, secret = _management(session, accounts)
    for name, account_id in accounts.items():
        if name in ("management", "retired"):
            continue
        member = _assumed(session, account_id)
        if name != "sandbox":
            _member_role(member)
        _plant(member, name, accounts)
    return DemoOrg(org_id, root_id, units, accounts, policies, key_id, secret)


@dataclass(frozen=True)
class _Caller:
    """Credentials in one account of the server at ``endpoint``: clients made from them."""

    endpoint: str
    session: boto3.Session

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint)  # type: ignore[call-overload]


def _session(endpoint: str, key_id: str, secret: str, token: str | None = None) -> _Caller:
    session = boto3.Session(
        aws_access_key_id=key_id, aws_secret_access_key=secret, aws_session_token=token, region_name=REGION
    )
    return _Caller(endpoint, session)


def _assumed(caller: _Caller, account_id: str) -> _Caller:
    """A session in a member account (moto lets the management account in, as OrganizationAccountAccessRole)."""
    credentials = caller.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="demo-builder"
    )["Credentials"]
    return _session(
        caller.endpoint, credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
    )


def _management(session: _Caller, accounts: dict[str, str]) -> tuple[str, str]:
    """The auditor who runs ``collect --org``, and the planted role ``deploy-orchestrator``."""
    iam = session.client("iam")
    iam.create_user(UserName="auditor")
    for name, document in (
        ("iamwarden-org-management", _read_policy_file("iamwarden-org-management-policy.json")),
        ("iamwarden-readonly", _read_policy_file("iamwarden-readonly-policy.json")),
    ):
        arn = iam.create_policy(PolicyName=name, PolicyDocument=document)["Policy"]["Arn"]
        iam.attach_user_policy(UserName="auditor", PolicyArn=arn)
    sandbox_roles = f"arn:aws:iam::{accounts['sandbox']}:role/*"
    iam.put_user_policy(
        UserName="auditor",
        PolicyName="sandbox-role-absent",
        PolicyDocument=_doc(_deny("sts:AssumeRole", sandbox_roles)),
    )
    key = iam.create_access_key(UserName="auditor")["AccessKey"]

    deployer = f"arn:aws:iam::{accounts['workload-dev']}:user/ci-deployer"
    iam.create_role(RoleName="deploy-orchestrator", AssumeRolePolicyDocument=_trust(deployer))
    itself = f"arn:aws:iam::{MANAGEMENT}:role/deploy-orchestrator"
    iam.put_role_policy(
        RoleName="deploy-orchestrator",
        PolicyName="deploy",
        PolicyDocument=_doc(
            _allow(["cloudformation:*", "s3:GetObject", "s3:PutObject"]),
            _allow(["iam:AttachRolePolicy", "iam:PutRolePolicy"], itself),
        ),
    )
    return str(key["AccessKeyId"]), str(key["SecretAccessKey"])


def _member_role(member: _Caller) -> None:
    """The role the StackSet template creates: trusted by the management account, the read-only policy."""
    iam = member.client("iam")
    iam.create_role(RoleName=MEMBER_ROLE, AssumeRolePolicyDocument=_trust(f"arn:aws:iam::{MANAGEMENT}:root"))
    iam.put_role_policy(
        RoleName=MEMBER_ROLE,
        PolicyName="iamwarden-readonly",
        PolicyDocument=_read_policy_file("iamwarden-readonly-policy.json"),
    )


def _plant(member: _Caller, name: str, accounts: dict[str, str]) -> None:
    iam = member.client("iam")
    if name in ("workload-prod", "workload-dev"):
        # build-bot may attach any policy to itself: an escalation, blocked in Prod by its OU's SCP only.
        account_id = accounts[name]
        iam.create_user(UserName="build-bot")
        iam.put_user_policy(
            UserName="build-bot",
            PolicyName="self-service",
            PolicyDocument=_doc(
                _allow(["ecr:*", "codebuild:*"]),
                _allow(ESCALATION_ACTIONS[:2], f"arn:aws:iam::{account_id}:user/build-bot"),
            ),
        )
    if name == "workload-dev":
        iam.create_user(UserName="ci-deployer")
        iam.put_user_policy(
            UserName="ci-deployer",
            PolicyName="assume-deploy-orchestrator",
            PolicyDocument=_doc(_allow("sts:AssumeRole", f"arn:aws:iam::{MANAGEMENT}:role/deploy-orchestrator")),
        )
    if name == "security":
        iam.create_role(
            RoleName="vendor-scanner",
            AssumeRolePolicyDocument=_trust(
                f"arn:aws:iam::{OUTSIDE_ACCOUNT}:root",
                Condition={"StringEquals": {"sts:ExternalId": "vendor-7f3a"}},
            ),
        )
        iam.put_role_policy(
            RoleName="vendor-scanner",
            PolicyName="vendor-read",
            PolicyDocument=_doc(_allow(["iam:Get*", "iam:List*", "s3:ListAllMyBuckets", "s3:GetBucketPolicy"])),
        )
    if name == "sandbox":
        iam.create_user(UserName="experimenter")
        iam.put_user_policy(UserName="experimenter", PolicyName="all", PolicyDocument=_doc(_allow("*")))


def enforce_authorization(endpoint: str) -> None:
    """From now on moto decides every request with the caller's IAM policies (its ``INITIAL_NO_AUTH_ACTION_COUNT``)."""
    _post(f"{endpoint}/moto-api/reset-auth", b"0")


def auditor_env(endpoint: str, org: DemoOrg) -> dict[str, str]:
    """The environment ``iamwarden collect --org`` runs in: the auditor's access key, the server's endpoint, and two
    attempts per call (moto answers some calls with a server error every time: retrying them only waits)."""
    return clean_env(endpoint, org.auditor_key_id, org.auditor_secret) | {"AWS_MAX_ATTEMPTS": "2"}


def collect(endpoint: str, org: DemoOrg, output: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``iamwarden collect --org -o OUTPUT`` as its own process, as the auditor."""
    return subprocess.run(
        [tool("iamwarden"), "collect", "--org", "-o", str(output), *extra],
        env=auditor_env(endpoint, org),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    if output.exists():
        shutil.rmtree(output)
    with moto_server() as endpoint:
        org = build_org(endpoint)
        enforce_authorization(endpoint)
        done = collect(endpoint, org, output)
    sys.stderr.write(done.stderr)
    sys.stdout.write(done.stdout)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
