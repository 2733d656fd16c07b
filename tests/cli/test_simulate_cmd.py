"""``iamwarden simulate``: request files (one document, JSON Lines), bad input, and the snapshot form."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app
from iamwarden.collect.snapshot import SnapshotBuilder, write_snapshot
from iamwarden.policy import evaluate_request_document

ACCOUNT = "111122223333"
CONFORMANCE = Path(__file__).parents[1] / "policy" / "conformance"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"


def _pol(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, ["simulate", *args])


def _conformance_inputs() -> list[tuple[dict[str, Any], str]]:
    out = []
    for name in ("evaluation_logic", "permission_boundaries", "multivalued_keys", "cross_account"):
        table = json.loads((CONFORMANCE / f"{name}.json").read_text())
        out += [(case["input"], case["expect"]["decision"]) for case in table["cases"]]
    return out


def test_single_pretty_printed_document_text(tmp_path: Path) -> None:
    doc = {
        "request": {"principal": ALICE, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
        "identity_policies": [
            {"name": "ReadAll", "document": _pol(_allow("s3:Get*"))},
            _pol(_allow("*"), _deny("s3:*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}})),
        ],
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(doc, indent=2))
    result = _run("--request-file", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"ALLOWED  {ALICE}  s3:GetObject  arn:aws:s3:::b/k")
    assert "Allow  identity  ReadAll statement #0" in result.output
    assert "what if aws:MultiFactorAuthPresent were in the request?" in result.output


def test_single_document_json(tmp_path: Path) -> None:
    doc = {
        "request": {"principal": ALICE, "action": "iam:CreateUser", "resource": "*"},
        "identity_policies": [_pol(_allow("iam:*"))],
        "permission_boundary": _pol(_allow("s3:*")),
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(doc))
    result = _run("--request-file", str(path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["decision"] == "implicit_deny"
    assert data["not_allowing"] == ["permission_boundary"]
    assert data["request"] == doc["request"]


def test_json_lines_in_order_match_the_engine(tmp_path: Path) -> None:
    inputs = _conformance_inputs()
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps(doc) + "\n" for doc, _ in inputs))
    result = _run("--request-file", str(path), "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(inputs)
    for number, (line, (doc, expected)) in enumerate(zip(lines, inputs, strict=True), start=1):
        assert line["line"] == number
        assert line["decision"] == expected == evaluate_request_document(doc).decision
        assert line["request"]["action"] == doc["request"]["action"]


def test_json_lines_text_rendering_and_blank_lines(tmp_path: Path) -> None:
    allow = {"request": {"principal": ALICE, "action": "s3:GetObject"}, "identity_policies": [_pol(_allow("s3:*"))]}
    deny = {**allow, "identity_policies": [_pol(_allow("s3:*"), _deny("s3:GetObject"))]}
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps(allow) + "\n\n" + json.dumps(deny) + "\n")
    result = _run("--request-file", str(path))
    assert result.exit_code == 0, result.output
    headers = [line.split("  ")[0] for line in result.output.splitlines() if line and not line.startswith(" ")]
    assert headers == ["ALLOWED", "EXPLICIT DENY"]
    assert "Deny  identity  identity_policies[0] statement #1" in result.output


def test_bad_lines_are_reported_in_place_and_the_batch_goes_on(tmp_path: Path) -> None:
    good = {"request": {"principal": ALICE, "action": "s3:GetObject"}}
    bad = {"request": {"principal": ALICE, "action": "GetObject"}, "identity_policies": [{"Statement": {"Effect": 1}}]}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n\n{not json}\n" + json.dumps(good) + "\n")
    result = _run("--request-file", str(path), "--json")
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [entry.get("decision") for entry in lines] == ["implicit_deny", None, None, "implicit_deny"]
    assert [entry["line"] for entry in lines] == [1, 2, 4, 5]  # blank line 3 is skipped, not counted
    assert lines[1] == {
        "line": 2,
        "error": "$.request.action: action must be a string of the form service:Action "
        "(and 2 more problems; --verbose lists them)",
    }
    assert lines[2]["error"].startswith("column 2: invalid JSON")
    assert f"error: {path}: 2 of 4 request lines could not be decided" in result.stderr
    verbose = _run("--request-file", str(path), "--json", "--verbose")
    errors = [json.loads(line) for line in verbose.stdout.splitlines()][1]["error"]
    assert errors.startswith("$.request.action: action must be")
    assert "; $.identity_policies[0].Statement.Effect" in errors
    text = _run("--request-file", str(path))
    assert text.exit_code == 2
    assert "ERROR  line 2: $.request.action: action must be a string of the form service:Action" in text.stdout
    assert "ERROR  line 4: column 2: invalid JSON" in text.stdout
    assert text.stdout.count("IMPLICIT DENY") == 2


def test_a_file_of_good_lines_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "good.jsonl"
    path.write_text(json.dumps({"request": {"principal": ALICE, "action": "s3:GetObject"}}) + "\n")
    result = _run("--request-file", str(path), "--json")
    assert result.exit_code == 0 and result.stderr == ""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "line 1: the file holds no request document"),
        ('{\n  "request": 3\n}\n', "$.request: a request document needs a 'request' object"),
        ('{\n  "request": {\n', "invalid JSON"),
        ("[1, 2]\n", "a request document must be a JSON object"),
    ],
)
def test_unusable_files_exit_2(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    result = _run("--request-file", str(path))
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_missing_file_and_option_mistakes_exit_2(tmp_path: Path) -> None:
    missing = _run("--request-file", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2
    assert "nope.json: No such file or directory" in missing.output
    assert _run().exit_code == 2
    both = _run("--request-file", "x.json", "--snapshot", "s.json")
    assert both.exit_code == 2
    assert "either --request-file or --snapshot" in both.output
    stray = _run("--request-file", "x.json", "--context", "aws:SourceIp=10.0.0.1")
    assert stray.exit_code == 2
    assert "--context and --resource-account go with --snapshot" in stray.output
    no_action = _run("--snapshot", "s.json", "--principal", ALICE)
    assert no_action.exit_code == 2
    assert "--action: required with --snapshot" in no_action.output


# --- the snapshot form -------------------------------------------------------------------------------------------


def _details() -> dict[str, Any]:
    def user(name: str, groups: list[str], inline: list[dict[str, Any]], boundary: str | None = None) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "Path": "/",
            "UserName": name,
            "UserId": f"AIDA{name.upper()}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "CreateDate": "2024-01-01T00:00:00Z",
            "GroupList": groups,
            "UserPolicyList": inline,
            "AttachedManagedPolicies": [],
        }
        if boundary:
            detail["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
        return detail

    def managed(name: str, doc: dict[str, Any]) -> dict[str, Any]:
        return {
            "PolicyName": name,
            "PolicyId": f"ANPA{name.upper()}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:policy/{name}",
            "Path": "/",
            "DefaultVersionId": "v2",
            "AttachmentCount": 1,
            "PolicyVersionList": [
                {"Document": _pol(_allow("*")), "VersionId": "v1", "IsDefaultVersion": False},
                {"Document": doc, "VersionId": "v2", "IsDefaultVersion": True},
            ],
        }

    return {
        "UserDetailList": [
            user("alice", ["readers"], [{"PolicyName": "own", "PolicyDocument": _pol(_allow("sqs:SendMessage"))}]),
            user(
                "bob",
                [],
                [{"PolicyName": "all", "PolicyDocument": _pol(_allow("*"))}],
                boundary=f"arn:aws:iam::{ACCOUNT}:policy/s3-only",
            ),
        ],
        "GroupDetailList": [
            {
                "Path": "/",
                "GroupName": "readers",
                "GroupId": "AGPAREADERS",
                "Arn": f"arn:aws:iam::{ACCOUNT}:group/readers",
                "CreateDate": "2024-01-01T00:00:00Z",
                "GroupPolicyList": [],
                "AttachedManagedPolicies": [
                    {"PolicyName": "read-s3", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/read-s3"}
                ],
            }
        ],
        "RoleDetailList": [
            {
                "Path": "/",
                "RoleName": "deploy",
                "RoleId": "AROADEPLOY",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/deploy",
                "CreateDate": "2024-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": _pol(
                    {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:AssumeRole"}
                ),
                "InstanceProfileList": [],
                "RolePolicyList": [
                    {"PolicyName": "ec2", "PolicyDocument": _pol(_allow("ec2:*"), _deny("ec2:TerminateInstances"))}
                ],
                "AttachedManagedPolicies": [],
            }
        ],
        "Policies": [
            managed("read-s3", _pol(_allow(["s3:GetObject", "s3:ListBucket"]))),
            managed("s3-only", _pol(_allow("s3:*"))),
        ],
    }


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    return _write_snapshot(tmp_path, management="999988887777")


def _write_snapshot(tmp_path: Path, management: str) -> Path:
    b = SnapshotBuilder(account_id=ACCOUNT, regions=["us-east-1"], source="import")
    b.record("iam:GetAccountAuthorizationDetails", _details())
    b.record("organizations:DescribeOrganization", {"Organization": {"Id": "o-abc", "MasterAccountId": management}})
    b.record(
        "organizations:ListParents", {"Parents": [{"Id": "ou-abc-1", "Type": "ORGANIZATIONAL_UNIT"}]}, target=ACCOUNT
    )
    b.record("organizations:ListParents", {"Parents": [{"Id": "r-abc", "Type": "ROOT"}]}, target="ou-abc-1")
    scps = {
        "p-full": ("FullAWSAccess", _pol(_allow("*")), ["r-abc", "ou-abc-1", ACCOUNT]),
        "p-nokms": ("no-kms-delete", _pol(_deny("kms:ScheduleKeyDeletion")), ["ou-abc-1"]),
    }
    b.record(
        "organizations:ListPolicies",
        {"Policies": [{"Id": pid, "Name": name} for pid, (name, _, _) in scps.items()]},
        target="SERVICE_CONTROL_POLICY",
    )
    for pid, (name, doc, targets) in scps.items():
        b.record(
            "organizations:DescribePolicy",
            {"Policy": {"PolicySummary": {"Id": pid, "Name": name}, "Content": json.dumps(doc)}},
            target=pid,
        )
        b.record(
            "organizations:ListTargetsForPolicy",
            {"Targets": [{"TargetId": t, "Type": "ACCOUNT"} for t in targets]},
            target=pid,
        )
    path = tmp_path / "snap.json"
    write_snapshot(b.build(), path)
    return path


def _snap(snapshot: Path, principal: str, action: str, *extra: str) -> dict[str, Any]:
    result = _run("--snapshot", str(snapshot), "--principal", principal, "--action", action, *extra, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_snapshot_user_group_managed_policy_default_version(snapshot: Path) -> None:
    data = _snap(snapshot, ALICE, "s3:GetObject", "--resource", "arn:aws:s3:::b/k")
    assert data["decision"] == "allowed"
    identity = [r["policy"] for r in data["reasons"] if r["policy_type"] == "identity"]
    assert identity == [f"arn:aws:iam::{ACCOUNT}:policy/read-s3"]
    assert {r["policy"] for r in data["reasons"] if r["policy_type"] == "scp"} == {"SCP FullAWSAccess (p-full)"}
    # v1 of read-s3 allows everything but is not the default version
    assert _snap(snapshot, ALICE, "s3:PutObject", "--resource", "arn:aws:s3:::b/k")["decision"] == "implicit_deny"


def test_snapshot_user_inline_policy(snapshot: Path) -> None:
    data = _snap(snapshot, ALICE, "sqs:SendMessage", "--resource", f"arn:aws:sqs:us-east-1:{ACCOUNT}:q")
    assert data["decision"] == "allowed"
    assert data["reasons"][0]["policy"].endswith("user/alice/inline-policy/own")


def test_snapshot_permission_boundary(snapshot: Path) -> None:
    bob = f"arn:aws:iam::{ACCOUNT}:user/bob"
    assert _snap(snapshot, bob, "s3:GetObject")["decision"] == "allowed"
    data = _snap(snapshot, bob, "ec2:RunInstances")
    assert data["decision"] == "implicit_deny"
    assert "permission_boundary" in data["not_allowing"]


def test_snapshot_scp_on_the_account_path(snapshot: Path) -> None:
    data = _snap(snapshot, f"arn:aws:iam::{ACCOUNT}:user/bob", "kms:ScheduleKeyDeletion")
    assert data["decision"] == "explicit_deny"
    assert data["reasons"][0]["policy_type"] == "scp"


def test_snapshot_role_session_and_trust_policy(snapshot: Path) -> None:
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/ci"
    assert _snap(snapshot, session, "ec2:StartInstances")["decision"] == "allowed"
    assert _snap(snapshot, session, "ec2:TerminateInstances")["decision"] == "explicit_deny"
    role = f"arn:aws:iam::{ACCOUNT}:role/deploy"
    trusted = _snap(snapshot, ALICE, "sts:AssumeRole", "--resource", role)
    assert trusted["decision"] == "allowed"
    assert trusted["reasons"][0]["policy_type"] == "resource"
    bob = f"arn:aws:iam::{ACCOUNT}:user/bob"
    assert _snap(snapshot, bob, "sts:AssumeRole", "--resource", role)["decision"] == "implicit_deny"


def test_snapshot_context_values_and_text(snapshot: Path) -> None:
    result = _run(
        "--snapshot", str(snapshot), "--principal", ALICE, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k",
        "--context", "aws:TagKeys=a", "--context", "aws:TagKeys=b", "--context", "aws:SourceIp=10.0.0.1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"ALLOWED  {ALICE}  s3:GetObject")


def test_snapshot_bad_inputs(snapshot: Path, tmp_path: Path) -> None:
    unknown = _run("--snapshot", str(snapshot), "--principal", f"arn:aws:iam::{ACCOUNT}:user/zed", "--action", "s3:X")
    assert unknown.exit_code == 2
    assert "--principal: 'arn:aws:iam::111122223333:user/zed' is not a user, role or role session" in unknown.output
    bad_context = _run("--snapshot", str(snapshot), "--principal", ALICE, "--action", "s3:X", "--context", "novalue")
    assert bad_context.exit_code == 2
    assert "'novalue' is not key=value" in bad_context.output
    bad_action = _run("--snapshot", str(snapshot), "--principal", ALICE, "--action", "GetObject")
    assert bad_action.exit_code == 2
    assert "$.request.action" in bad_action.output
    not_a_snapshot = tmp_path / "x.json"
    not_a_snapshot.write_text("[]")
    assert _run("--snapshot", str(not_a_snapshot), "--principal", ALICE, "--action", "s3:X").exit_code == 2


def test_json_lines_cache_keeps_each_line_honest(tmp_path: Path) -> None:
    """Lines sharing their policies (cached after the first) are still decided and validated one by one, whichever
    order the keys come in."""
    policies = [_pol(_allow("s3:Get*"), _deny("s3:GetObjectAcl"))]
    first: dict[str, Any] = {"request": {"principal": ALICE, "action": "s3:GetObject"}, "identity_policies": policies}
    acl = {"request": {"principal": ALICE, "action": "s3:GetObjectAcl"}, "identity_policies": policies}
    policies_first = {"identity_policies": policies, "request": {"principal": ALICE, "action": "s3:PutObject"}}
    tagged = {"request": {**first["request"], "context": {"aws:TagKeys": ["a", "b"]}}, "identity_policies": policies}
    bad = {"request": {"principal": "alice", "action": "s3:GetObject"}, "identity_policies": policies}
    path = tmp_path / "cache.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in (first, acl, policies_first, tagged, first, bad)) + "\n")
    result = _run("--request-file", str(path), "--json")
    assert result.exit_code == 2
    decisions = [json.loads(line).get("decision") for line in result.stdout.splitlines()]
    assert decisions == ["allowed", "explicit_deny", "implicit_deny", "allowed", "allowed", None]
    assert json.loads(result.stdout.splitlines()[5])["error"].startswith("$.request.principal")


def test_snapshot_management_account_scps_do_not_apply(tmp_path: Path) -> None:
    """SCPs do not affect principals of the management account: the OU's Deny does not apply there."""
    path = _write_snapshot(tmp_path, management=ACCOUNT)
    data = _snap(path, f"arn:aws:iam::{ACCOUNT}:user/bob", "s3:DeleteBucket")
    assert data["decision"] == "allowed"
    assert _snap(path, f"arn:aws:iam::{ACCOUNT}:user/bob", "kms:ScheduleKeyDeletion")["decision"] == "implicit_deny"


DOCS = Path(__file__).parents[2] / "docs"


def _doc_examples() -> list[tuple[list[str], str, int]]:
    """(arguments, expected output, exit code) of every ```console example in docs/simulate.md."""
    text = (DOCS / "simulate.md").read_text()
    examples = []
    for block in text.split("```console\n")[1:]:
        body, _, after = block.partition("\n```\n")
        command, _, output = body.partition("\n")
        assert command.startswith("$ iamwarden simulate "), command
        exit_code = int(after.split("\n", 1)[0].removeprefix("(exit ").removesuffix(")"))
        examples.append((command.split()[3:], output, exit_code))
    return examples


@pytest.mark.parametrize(("args", "expected", "exit_code"), _doc_examples())
def test_docs_examples_are_current(
    args: list[str], expected: str, exit_code: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(DOCS / "examples" / "simulate")
    result = _run(*args)
    assert result.exit_code == exit_code
    assert result.output.rstrip("\n") == expected.rstrip("\n")


def test_decision_errors_are_printed_in_text_and_json(tmp_path: Path) -> None:
    request = {"principal": ALICE, "action": "s3:ListBucket", "resource": "arn:aws:s3:::b"}
    doc = {
        "request": {**request, "context": {"s3:max-keys": "5"}},
        "identity_policies": [
            {
                "name": "guard",
                "document": _pol(
                    _allow("s3:*"),
                    _deny("s3:ListBucket", Condition={"NumericLessThan": {"s3:max-keys": "abc"}}),
                ),
            }
        ],
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(doc))
    text = _run("--request-file", str(path))
    assert text.exit_code == 0, text.output
    assert text.output.startswith("ALLOWED")
    assert (
        "error identity guard statement #1 at "
        '$.identity_policies[0].document.Statement[1].Condition.NumericLessThan["s3:max-keys"]: '
        "NumericLessThan s3:max-keys: 'abc' is not a number; it matches no request value"
    ) in text.output
    as_json = _run("--request-file", str(path), "--json")
    assert as_json.exit_code == 0, as_json.output
    (error,) = json.loads(as_json.output)["errors"]
    assert error["policy"] == "guard" and error["statement"] == "#1" and "'abc' is not a number" in error["message"]


def test_a_bad_first_line_does_not_hide_the_lines_after_it(tmp_path: Path) -> None:
    path = tmp_path / "first.jsonl"
    good = json.dumps({"request": {"principal": ALICE, "action": "s3:GetObject"}})
    path.write_text('{"request": oops}\n' + good + "\n")
    result = _run("--request-file", str(path), "--json")
    assert result.exit_code == 2
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["line"] == 1 and "invalid JSON" in first["error"]
    assert second["decision"] == "implicit_deny" and second["line"] == 2
    assert "1 of 2 request lines could not be decided" in result.stderr
