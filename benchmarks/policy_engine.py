"""How fast the policy engine decides requests: prints figures, asserts nothing.

    .venv/bin/python benchmarks/policy_engine.py [--requests 100000] [--cli-lines 100000] [--seconds 3]

(a) Python API: ``evaluate()`` for one principal with 10 policies / 40 statements (wildcards, conditions, variables,
    a Deny), policies compiled once; (b) the CLI on a JSON Lines batch (``iamwarden simulate --request-file`` in a
    subprocess, startup included); (c) action wildcard expansions per second with the catalogue; (d) the peer,
    PMapper's ``local_check_authorization``, on the same principal and requests, run in its own virtualenv
    (``/work/helpers/pmapper-venv`` or ``$PMAPPER_PYTHON``); without it, (d) prints why it was skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from iamwarden.policy import Policy, Request, evaluate, parse_policy

ACCOUNT = "111122223333"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
DEFAULT_PMAPPER_PYTHON = Path("/work/helpers/pmapper-venv/bin/python")
Doc = dict[str, Any]


def _statement(effect: str, action: Any, resource: Any, condition: Doc | None = None) -> Doc:
    out: Doc = {"Effect": effect, "Action": action, "Resource": resource}
    if condition:
        out["Condition"] = condition
    return out


def principal_policies() -> list[Doc]:
    """Ten policies of four statements each, the kind a developer user carries (one of them a guard-rail Deny)."""
    a = ACCOUNT
    corp_ips = {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}}
    team = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    policies = [
        [
            _statement("Allow", ["s3:Get*", "s3:List*"], ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]),
            _statement("Allow", "s3:PutObject", "arn:aws:s3:::app-data/home/${aws:username}/*"),
            _statement("Allow", "s3:ListAllMyBuckets", "*"),
            _statement("Allow", ["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::app-logs-*/*", corp_ips),
        ],
        [
            _statement("Allow", ["ec2:Describe*", "ec2:Get*"], "*"),
            _statement("Allow", ["ec2:StartInstances", "ec2:StopInstances"], f"arn:aws:ec2:*:{a}:instance/*", team),
            _statement(
                "Allow",
                "ec2:RunInstances",
                f"arn:aws:ec2:us-east-1:{a}:*",
                {"StringLike": {"ec2:InstanceType": ["t3.*", "m5.large"]}},
            ),
            _statement("Allow", "ec2:CreateTags", "*", {"StringEquals": {"ec2:CreateAction": "RunInstances"}}),
        ],
        [
            _statement(
                "Allow",
                ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
                f"arn:aws:dynamodb:*:{a}:table/orders*",
            ),
            _statement(
                "Allow", ["dynamodb:PutItem", "dynamodb:UpdateItem"], f"arn:aws:dynamodb:us-east-1:{a}:table/orders"
            ),
            _statement("Allow", "dynamodb:DescribeTable", "*"),
            _statement("Allow", "dynamodb:ListTables", "*"),
        ],
        [
            _statement("Allow", "lambda:InvokeFunction", f"arn:aws:lambda:*:{a}:function:app-*"),
            _statement("Allow", ["lambda:Get*", "lambda:List*"], "*"),
            _statement(
                "Allow",
                "lambda:UpdateFunctionCode",
                f"arn:aws:lambda:us-east-1:{a}:function:app-*",
                {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            ),
            _statement(
                "Allow",
                "iam:PassRole",
                f"arn:aws:iam::{a}:role/app-lambda-*",
                {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
            ),
        ],
        [
            _statement(
                "Allow", ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"], f"arn:aws:sqs:*:{a}:app-*"
            ),
            _statement("Allow", "sqs:GetQueueAttributes", "*"),
            _statement("Allow", "sns:Publish", f"arn:aws:sns:*:{a}:app-alerts"),
            _statement("Allow", ["sns:ListTopics", "sqs:ListQueues"], "*"),
        ],
        [
            _statement("Allow", ["logs:CreateLogStream", "logs:PutLogEvents"], f"arn:aws:logs:*:{a}:log-group:/app/*"),
            _statement("Allow", ["logs:Describe*", "logs:Get*", "logs:FilterLogEvents"], "*"),
            _statement("Allow", ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], "*"),
            _statement(
                "Allow", "cloudwatch:PutMetricData", "*", {"StringEquals": {"cloudwatch:namespace": "App/Orders"}}
            ),
        ],
        [
            _statement(
                "Allow",
                ["kms:Decrypt", "kms:GenerateDataKey"],
                f"arn:aws:kms:*:{a}:key/*",
                {"StringLike": {"kms:ViaService": ["s3.*.amazonaws.com", "dynamodb.*.amazonaws.com"]}},
            ),
            _statement("Allow", "kms:DescribeKey", "*"),
            _statement("Allow", "kms:ListAliases", "*"),
            _statement("Allow", ["secretsmanager:GetSecretValue"], f"arn:aws:secretsmanager:*:{a}:secret:app/*", team),
        ],
        [
            _statement(
                "Allow",
                ["iam:*AccessKey*", "iam:ChangePassword", "iam:GetUser"],
                f"arn:aws:iam::{a}:user/${{aws:username}}",
            ),
            _statement("Allow", ["iam:*MFADevice", "iam:ListVirtualMFADevices"], "*"),
            _statement("Allow", "iam:Get*", f"arn:aws:iam::{a}:role/app-*"),
            _statement("Allow", "sts:AssumeRole", f"arn:aws:iam::{a}:role/app-readonly"),
        ],
        [
            _statement("Allow", ["cloudformation:Describe*", "cloudformation:List*"], "*"),
            _statement(
                "Allow",
                ["cloudformation:CreateStack", "cloudformation:UpdateStack"],
                f"arn:aws:cloudformation:*:{a}:stack/app-*/*",
                {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env", "cost-center"]}},
            ),
            _statement("Allow", ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "*"),
            _statement("Allow", "ssm:GetParameter*", f"arn:aws:ssm:*:{a}:parameter/app/*"),
        ],
        [
            _statement("Deny", ["s3:DeleteBucket", "s3:PutBucketPolicy"], "*"),
            _statement("Deny", "*", "*", {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}),
            _statement("Deny", ["iam:CreateUser", "iam:AttachUserPolicy", "iam:PutUserPolicy"], "*"),
            _statement(
                "Deny", "ec2:TerminateInstances", "*", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
            ),
        ],
    ]
    return [{"Version": "2012-10-17", "Statement": statements} for statements in policies]


def requests() -> list[Doc]:
    """A mix of allowed, implicitly and explicitly denied requests over the policies' services."""
    a = ACCOUNT
    base = {
        "aws:RequestedRegion": "us-east-1",
        "aws:SourceIp": "203.0.113.7",
        "aws:PrincipalTag/team": "orders",
        "aws:SecureTransport": "true",
    }
    rows: list[tuple[str, str, Doc]] = [
        ("s3:GetObject", "arn:aws:s3:::app-data/report.csv", {}),
        ("s3:ListBucket", "arn:aws:s3:::app-data", {}),
        ("s3:PutObject", "arn:aws:s3:::app-data/home/alice/notes.txt", {}),
        ("s3:PutObject", "arn:aws:s3:::app-data/home/bob/notes.txt", {}),
        ("s3:PutObject", "arn:aws:s3:::app-logs-eu/2024/01/app.log", {}),
        ("s3:PutObject", "arn:aws:s3:::app-logs-eu/2024/01/app.log", {"aws:SourceIp": "192.0.2.1"}),
        ("s3:DeleteBucket", "arn:aws:s3:::app-data", {}),
        ("ec2:DescribeInstances", "*", {}),
        ("ec2:StopInstances", f"arn:aws:ec2:us-east-1:{a}:instance/i-0abc", {"aws:ResourceTag/team": "orders"}),
        ("ec2:StopInstances", f"arn:aws:ec2:us-east-1:{a}:instance/i-0def", {"aws:ResourceTag/team": "billing"}),
        ("ec2:RunInstances", f"arn:aws:ec2:us-east-1:{a}:instance/*", {"ec2:InstanceType": "t3.micro"}),
        ("ec2:RunInstances", f"arn:aws:ec2:us-east-1:{a}:instance/*", {"ec2:InstanceType": "p4d.24xlarge"}),
        ("ec2:TerminateInstances", f"arn:aws:ec2:us-east-1:{a}:instance/i-0abc", {}),
        ("dynamodb:Query", f"arn:aws:dynamodb:us-east-1:{a}:table/orders/index/by-date", {}),
        ("dynamodb:PutItem", f"arn:aws:dynamodb:eu-west-1:{a}:table/orders", {"aws:RequestedRegion": "eu-west-1"}),
        ("dynamodb:DeleteTable", f"arn:aws:dynamodb:us-east-1:{a}:table/orders", {}),
        ("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{a}:function:app-api", {}),
        ("lambda:UpdateFunctionCode", f"arn:aws:lambda:us-east-1:{a}:function:app-api", {}),
        (
            "lambda:UpdateFunctionCode",
            f"arn:aws:lambda:us-east-1:{a}:function:app-api",
            {"aws:MultiFactorAuthPresent": "true"},
        ),
        ("iam:PassRole", f"arn:aws:iam::{a}:role/app-lambda-exec", {"iam:PassedToService": "lambda.amazonaws.com"}),
        ("iam:PassRole", f"arn:aws:iam::{a}:role/app-lambda-exec", {"iam:PassedToService": "ec2.amazonaws.com"}),
        ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{a}:app-jobs", {}),
        ("sns:Publish", f"arn:aws:sns:us-east-1:{a}:app-alerts", {}),
        ("sns:Publish", f"arn:aws:sns:us-east-1:{a}:other-topic", {}),
        ("logs:PutLogEvents", f"arn:aws:logs:us-east-1:{a}:log-group:/app/api:log-stream:x", {}),
        ("cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "App/Orders"}),
        ("kms:Decrypt", f"arn:aws:kms:us-east-1:{a}:key/1234abcd", {"kms:ViaService": "s3.us-east-1.amazonaws.com"}),
        ("kms:Decrypt", f"arn:aws:kms:us-east-1:{a}:key/1234abcd", {}),
        (
            "secretsmanager:GetSecretValue",
            f"arn:aws:secretsmanager:us-east-1:{a}:secret:app/db-AbCdEf",
            {"aws:ResourceTag/team": "orders"},
        ),
        ("iam:CreateAccessKey", f"arn:aws:iam::{a}:user/alice", {}),
        ("iam:CreateAccessKey", f"arn:aws:iam::{a}:user/bob", {}),
        ("iam:CreateUser", f"arn:aws:iam::{a}:user/mallory", {}),
        ("sts:AssumeRole", f"arn:aws:iam::{a}:role/app-readonly", {}),
        (
            "cloudformation:CreateStack",
            f"arn:aws:cloudformation:us-east-1:{a}:stack/app-web/1",
            {"aws:TagKeys": ["team", "env"]},
        ),
        (
            "cloudformation:CreateStack",
            f"arn:aws:cloudformation:us-east-1:{a}:stack/app-web/1",
            {"aws:TagKeys": ["team", "owner"]},
        ),
        ("ssm:GetParametersByPath", f"arn:aws:ssm:us-east-1:{a}:parameter/app/prod", {}),
        ("ecr:BatchGetImage", f"arn:aws:ecr:us-east-1:{a}:repository/app", {}),
        ("rds:DeleteDBInstance", f"arn:aws:rds:us-east-1:{a}:db:orders", {}),
        ("s3:GetObject", "arn:aws:s3:::app-data/report.csv", {"aws:RequestedRegion": "ap-south-1"}),
        ("organizations:ListAccounts", "*", {}),
    ]
    return [
        {"principal": USER, "action": action, "resource": resource, "context": {**base, **extra}}
        for action, resource, extra in rows
    ]


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>12,.0f}/s"


def bench_api(total: int) -> tuple[float, float, list[bool]]:
    policies: list[Policy] = [parse_policy(doc, name=f"policy-{i}") for i, doc in enumerate(principal_policies())]
    built = [Request(r["principal"], r["action"], r["resource"], r["context"]) for r in requests()]
    answers = [evaluate(r, identity_policies=policies).allowed for r in built]
    batch = list(islice(cycle(built), total))
    start, cpu = time.perf_counter(), time.process_time()
    for request in batch:
        evaluate(request, identity_policies=policies)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"(a) Python API, evaluate() on prebuilt requests    {_rate(total, seconds)}  ({total:,} decisions; "
        f"{total / cpu:,.0f} per CPU-second)"
    )
    start, cpu = time.perf_counter(), time.process_time()
    for request in batch:
        evaluate(request, identity_policies=policies).to_json()
    seconds_json, cpu_json = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"    ... writing each decision as JSON (to_json())  {_rate(total, seconds_json)}  "
        f"({total / cpu_json:,.0f} per CPU-second)"
    )
    raw = list(islice(cycle(requests()), total // 4))
    start, cpu = time.perf_counter(), time.process_time()
    for r in raw:
        evaluate(Request(r["principal"], r["action"], r["resource"], r["context"]), identity_policies=policies)
    seconds_with, cpu_with = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"    ... building each Request too                  {_rate(len(raw), seconds_with)}  "
        f"({len(raw) / cpu_with:,.0f} per CPU-second)"
    )
    allowed = sum(answers)
    print(f"    request mix: {len(built)} distinct requests, {allowed} allowed, {len(built) - allowed} denied")
    return total / seconds, total / cpu, answers


def _cli_command() -> list[str]:
    script = Path(sys.executable).with_name("iamwarden")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from iamwarden.cli.app import main; main()"]


def _run_cli(path: Path) -> tuple[subprocess.CompletedProcess[bytes], float, float]:
    """The finished process, its wall-clock seconds and its CPU seconds (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [*_cli_command(), "simulate", "--request-file", str(path), "--json"], capture_output=True, check=False
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def bench_cli(lines: int) -> float:
    policies = principal_policies()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for request in islice(cycle(requests()), lines):
                out.write(json.dumps({"request": request, "identity_policies": policies}, separators=(",", ":")))
                out.write("\n")
        size = path.stat().st_size
        one = Path(tmp) / "one.jsonl"
        with path.open("rb") as handle:
            one.write_bytes(handle.readline())
        _, startup, startup_cpu = _run_cli(one)  # the interpreter, the CLI's imports and one decision
        done, seconds, cpu = _run_cli(path)
    if done.returncode != 0:
        print(f"(b) CLI batch failed (exit {done.returncode}): {done.stderr.decode(errors='replace')[:300]}")
        return 0.0
    decided = done.stdout.count(b"\n")
    print(
        f"(b) CLI batch, simulate --request-file --json     {_rate(decided, seconds)}  "
        f"({decided:,} lines, {size / 1e6:.0f} MB, {seconds:.2f} s with startup; {decided / cpu:,.0f} per CPU-second)"
    )
    if seconds > startup:
        print(
            f"    ... after startup ({startup:.2f} s for a 1-line file) {_rate(decided - 1, seconds - startup)}  "
            f"(startup {startup_cpu:.2f} CPU-s; {(decided - 1) / max(cpu - startup_cpu, 1e-9):,.0f} per CPU-second)"
        )
    return decided / seconds


def bench_catalogue(seconds_budget: float) -> None:
    try:
        from iamwarden.policy.catalogue import Catalogue
    except ImportError as exc:
        print(f"(c) wildcard expansion skipped: iamwarden.policy.catalogue is not available ({exc})")
        return
    cat = Catalogue()
    cat.load_all()
    patterns = [
        "s3:Get*",
        "s3:*Object",
        "iam:*AccessKey*",
        "ec2:Describe*",
        "lambda:*",
        "dynamodb:*Item",
        "kms:*",
        "*:List*",
        "ec2:*Instances",
        "logs:Get*",
        "sts:Assume*",
        "iam:*MFADevice",
    ]
    count = produced = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds_budget:
        for pattern in patterns:
            produced += len(cat.expand(pattern))
        count += len(patterns)
    seconds = time.perf_counter() - start
    print(
        f"(c) action wildcard expansions (catalogue)         {_rate(count, seconds)}  "
        f"({produced / count:.0f} actions per pattern on average)"
    )


PMAPPER_SCRIPT = r"""
import collections, collections.abc, json, sys, time
for name in ("Mapping", "MutableMapping", "Sequence", "MutableSequence", "Iterable", "Callable", "Set", "MutableSet"):
    if not hasattr(collections, name):  # PMapper 1.1.5 imports these from collections (removed in Python 3.10)
        setattr(collections, name, getattr(collections.abc, name))
import logging
logging.disable(logging.CRITICAL)
from principalmapper.common import Node, Policy
from principalmapper.querying.query_interface import local_check_authorization

work = json.load(open(sys.argv[1]))
policies = [Policy("arn:aws:iam::%s:policy/policy-%d" % (work["account"], i), "policy-%d" % i, doc)
            for i, doc in enumerate(work["policies"])]
node = Node(work["principal"], "AIDAEXAMPLEALICE", policies, [], None, None, 1, True, False, None, False, {})
reqs = work["requests"]
answers = [bool(local_check_authorization(node, r["action"], r["resource"], r["context"])) for r in reqs]
budget = work["seconds"]
count = 0
start, cpu = time.perf_counter(), time.process_time()
while time.perf_counter() - start < budget:
    for r in reqs:
        local_check_authorization(node, r["action"], r["resource"], r["context"])
    count += len(reqs)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"rate": count / seconds, "cpu_rate": count / cpu, "count": count, "answers": answers}))
"""


def bench_pmapper(
    seconds_budget: float, ours: list[bool], our_rate: float, cli_rate: float = 0.0, our_cpu_rate: float = 0.0
) -> None:
    python = Path(os.environ.get("PMAPPER_PYTHON", str(DEFAULT_PMAPPER_PYTHON)))
    if not python.exists():
        print(
            f"(d) PMapper skipped: no PMapper virtualenv at {python} (create it with "
            "`python3 -m venv /work/helpers/pmapper-venv && /work/helpers/pmapper-venv/bin/pip install principalmapper`"
            " or set PMAPPER_PYTHON)"
        )
        return
    work = {
        "account": ACCOUNT,
        "principal": USER,
        "policies": principal_policies(),
        "requests": requests(),
        "seconds": seconds_budget,
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "work.json"
        path.write_text(json.dumps(work))
        done = subprocess.run([str(python), "-c", PMAPPER_SCRIPT, str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        print(f"(d) PMapper failed (exit {done.returncode}): {done.stderr.decode(errors='replace')[-400:]}")
        return
    result = json.loads(done.stdout.decode().strip().splitlines()[-1])
    rate = float(result["rate"])
    theirs: list[bool] = result["answers"]
    differ = [r["action"] + " " + r["resource"] for r, a, b in zip(requests(), ours, theirs, strict=True) if a != b]
    print(
        f"(d) PMapper local_check_authorization             {_rate(int(result['count']), result['count'] / rate)}  "
        f"({result['cpu_rate']:,.0f} per CPU-second)"
    )
    print(f"    iamwarden (a) / PMapper: {our_rate / rate:.1f}x", end="")
    print(f"; CLI batch (b) / PMapper: {cli_rate / rate:.1f}x" if cli_rate else "", end="")
    print(f"; per CPU-second (a) / PMapper: {our_cpu_rate / result['cpu_rate']:.1f}x" if our_cpu_rate else "")
    print(f"    same allowed/denied answer on {len(ours) - len(differ)} of {len(ours)} requests", end="")
    print(f"; differ on: {'; '.join(differ)}" if differ else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=100_000, help="decisions timed through the Python API")
    parser.add_argument("--cli-lines", type=int, default=100_000, help="JSON Lines fed to the CLI (0 to skip)")
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget for (c) and (d)")
    args = parser.parse_args()
    print(f"principal: {USER}, 10 policies / 40 statements; Python {sys.version.split()[0]}")
    api_rate, api_cpu_rate, answers = bench_api(args.requests)
    cli_rate = bench_cli(args.cli_lines) if args.cli_lines else 0.0
    bench_catalogue(args.seconds)
    bench_pmapper(args.seconds, answers, api_rate, cli_rate, api_cpu_rate)


if __name__ == "__main__":
    main()
