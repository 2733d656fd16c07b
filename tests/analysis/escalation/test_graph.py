"""Multi-hop paths, and what blocks a path: denies, permissions boundaries, SCPs, resource constraints, conditions
and trust policies (each suppresses a path the control account reports)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.escalation import EscalationGraph, principal_escalation
from tests.analysis.escalation.accounts import ADMIN_POLICY, ROOT_TRUST, AccountSpec, allow, doc, trust
from tests.checks.harness import PREFIX

ATTACKER = f"{PREFIX}user/attacker"
ADMIN_ROLE = f"{PREFIX}role/lambda-admin"
LAMBDA = ["lambda:CreateFunction", "lambda:InvokeFunction"]


def _ids(spec: AccountSpec, who: str = ATTACKER) -> list[str]:
    found = principal_escalation(EscalationGraph(AnalysisContext(spec.build())), who)
    return [p.hops[0].technique for p in found.paths]


def test_a_chain_user_role_role_admin_is_found_with_every_hop() -> None:
    spec = AccountSpec()
    spec.user("dev", inline={"hop": doc(allow("sts:AssumeRole", f"{PREFIX}role/first"))})
    spec.role(
        "first",
        trust({"AWS": f"{PREFIX}user/dev"}),
        inline={"hop": doc(allow("sts:AssumeRole", f"{PREFIX}role/second"))},
    )
    spec.role("second", trust({"AWS": f"{PREFIX}role/first"}), inline={"hop": doc(allow("sts:AssumeRole", "*"))})
    spec.role("admin", ROOT_TRUST, attached=[ADMIN_POLICY])
    graph = EscalationGraph(AnalysisContext(spec.build()))
    found = principal_escalation(graph, f"{PREFIX}user/dev")
    assert found.paths, "no path found"
    path = found.paths[0].to_json()
    assert path["target"] == f"{PREFIX}role/admin"
    assert [(h["from"].rsplit(":", 1)[1], h["to"].rsplit(":", 1)[1], h["technique"]) for h in path["hops"]] == [
        ("user/dev", "role/first", "sts-001"),
        ("role/first", "role/second", "sts-001"),
        ("role/second", "role/admin", "sts-001"),
    ]
    for hop in path["hops"]:
        assert hop["actions"] == ["sts:AssumeRole"]
        assert "trust policy allows sts:AssumeRole" in hop["reason"]
    assert "inline-policy/hop" in path["hops"][0]["reason"]
    # shortest first: every path reported is no shorter than the one before it
    lengths = [len(p.hops) for p in found.paths]
    assert lengths == sorted(lengths)
    # and the intermediate roles have their own, shorter paths
    assert len(principal_escalation(graph, f"{PREFIX}role/second").paths[0].hops) == 1


def test_paths_to_a_given_principal() -> None:
    spec = AccountSpec()
    spec.user("dev", inline={"hop": doc(allow("sts:AssumeRole", f"{PREFIX}role/data"))})
    spec.role("data", ROOT_TRUST, inline={"read": doc(allow("s3:GetObject"))})
    graph = EscalationGraph(AnalysisContext(spec.build()), targets=[f"{PREFIX}role/data"])
    assert not graph.paths_from(f"{PREFIX}user/dev")  # not an administrator
    to_data = graph.paths_from(f"{PREFIX}user/dev", f"{PREFIX}role/data")
    assert [p.techniques for p in to_data] == [["sts-001"]]


def _lambda_account(
    attacker: list[dict[str, object]] | None = None,
    boundary: dict[str, object] | None = None,
    scp: dict[str, object] | None = None,
    service: str = "lambda.amazonaws.com",
) -> AccountSpec:
    spec = AccountSpec()
    statements = attacker or [allow("iam:PassRole", ADMIN_ROLE), allow(LAMBDA)]
    spec.user(
        "attacker",
        inline={"deploy": doc(*statements)},
        boundary=spec.policy("boundary", boundary) if boundary else None,
    )
    spec.role("lambda-admin", trust({"Service": service}), attached=[ADMIN_POLICY])
    if scp is not None:
        spec.scps(scp)
    return spec


def test_the_control_account_reports_lambda_001() -> None:
    assert _ids(_lambda_account()) == ["lambda-001"]
    assert _ids(_lambda_account(scp=doc({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}))) == [
        "lambda-001"
    ]


BLOCKERS: dict[str, Callable[[], AccountSpec]] = {
    "explicit deny": lambda: _lambda_account(
        [
            allow("iam:PassRole", ADMIN_ROLE),
            allow(LAMBDA),
            {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"},
        ]
    ),
    "permissions boundary": lambda: _lambda_account(boundary=doc(allow(LAMBDA))),
    "SCP": lambda: _lambda_account(scp=doc({"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"})),
    "resource constraint (another role)": lambda: _lambda_account(
        [allow("iam:PassRole", f"{PREFIX}role/harmless"), allow(LAMBDA)]
    ),
    "resource constraint (function names)": lambda: _lambda_account(
        [
            allow("iam:PassRole", ADMIN_ROLE),
            allow("lambda:CreateFunction", "arn:aws:lambda:*:*:function:team-a-*"),
            allow("lambda:InvokeFunction", "arn:aws:lambda:*:*:function:team-b-*"),
        ]
    ),
    "condition (passed to another service)": lambda: _lambda_account(
        [
            allow("iam:PassRole", ADMIN_ROLE, Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}),
            allow(LAMBDA),
        ]
    ),
    "condition (MFA)": lambda: _lambda_account(
        [allow("iam:PassRole", ADMIN_ROLE, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}), allow(LAMBDA)]
    ),
    "condition (source IP)": lambda: _lambda_account(
        [allow("iam:PassRole", ADMIN_ROLE, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), allow(LAMBDA)]
    ),
    "trust policy (another service)": lambda: _lambda_account(service="ec2.amazonaws.com"),
}


@pytest.mark.parametrize("blocker", sorted(BLOCKERS))
def test_what_blocks_a_path_suppresses_it(blocker: str) -> None:
    assert _ids(BLOCKERS[blocker]()) == []


def test_a_path_needing_mfa_is_said_in_the_evidence() -> None:
    found = principal_escalation(EscalationGraph(AnalysisContext(BLOCKERS["condition (MFA)"]().build())), ATTACKER)
    assert not found.paths
    assert found.to_json()["allowed_only_with_mfa"] == ["iam:PassRole"]


def test_a_deny_unless_mfa_and_a_trust_asking_for_mfa_are_said_too() -> None:
    deny_unless_mfa: dict[str, object] = {
        "Effect": "Deny",
        "NotAction": "iam:ListMFADevices",
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }
    found = principal_escalation(
        EscalationGraph(
            AnalysisContext(
                _lambda_account([allow("iam:PassRole", ADMIN_ROLE), allow(LAMBDA), deny_unless_mfa]).build()
            )
        ),
        ATTACKER,
    )
    assert not found.paths
    assert found.to_json()["allowed_only_with_mfa"] == [
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:InvokeFunction",
    ]

    spec = AccountSpec()
    spec.user("dev", inline={"hop": doc(allow("sts:AssumeRole"))})
    mfa_trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"{PREFIX}root"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    )
    spec.role("admin", mfa_trust, attached=[ADMIN_POLICY])
    found = principal_escalation(EscalationGraph(AnalysisContext(spec.build())), f"{PREFIX}user/dev")
    assert not found.paths
    assert found.to_json()["allowed_only_with_mfa"] == ["sts:AssumeRole"]


def test_names_the_resource_constraint_allows() -> None:
    """lambda:CreateFunction limited to names ``deploy-*`` still lets the attacker create ``deploy-x``."""
    spec = _lambda_account(
        [allow("iam:PassRole", ADMIN_ROLE), allow(LAMBDA, "arn:aws:lambda:us-east-1:111122223333:function:deploy-*")]
    )
    found = principal_escalation(EscalationGraph(AnalysisContext(spec.build())), ATTACKER)
    assert [p.techniques for p in found.paths] == [["lambda-001"]]
    assert "function:deploy-x" in found.paths[0].hops[0].reason()


def test_create_policy_version_only_on_a_policy_attached_to_the_principal() -> None:
    spec = AccountSpec()
    mine = spec.policy("mine", doc(allow("iam:CreatePolicyVersion", f"{PREFIX}policy/mine")))
    other = spec.policy("other", doc(allow("iam:CreatePolicyVersion", f"{PREFIX}policy/unattached")))
    spec.policy("unattached", doc(allow("s3:GetObject")))
    spec.user("attacker", attached=[mine])
    spec.user("harmless", attached=[other])
    assert _ids(spec) == ["iam-001"]
    assert _ids(spec, f"{PREFIX}user/harmless") == []


def test_every_target_when_the_per_technique_limit_is_lifted() -> None:
    """A user that may attach a policy to any role and assume it could make each of six roles an administrator: the
    default graph reports three of them (one proves the path), ``per_technique=None`` every one, and the paths through
    each; whether the user can become an administrator does not depend on the limit."""
    spec = AccountSpec()
    spec.user("dev", inline={"grab": doc(allow(["iam:AttachRolePolicy", "sts:AssumeRole"]))})
    for i in range(6):
        spec.role(f"worker-{i}", ROOT_TRUST, inline={"read": doc(allow("s3:GetObject"))})
    account = spec.build()
    dev = f"{PREFIX}user/dev"

    def targets(graph: EscalationGraph) -> set[str]:
        return {e.target for e in graph.edges[dev] if e.technique == "iam-014"}

    limited, every = (
        EscalationGraph(AnalysisContext(account)),
        EscalationGraph(AnalysisContext(account), per_technique=None),
    )
    assert len(targets(limited)) == 3
    assert targets(every) == {f"{PREFIX}role/worker-{i}" for i in range(6)}
    assert principal_escalation(limited, dev).paths and principal_escalation(every, dev).paths
    every_path = every.paths_from(dev, max_paths=0)
    assert {p.target for p in every_path if p.techniques == ["iam-014"]} == targets(every)
    assert len(every.paths_from(dev, max_paths=2)) == 2
