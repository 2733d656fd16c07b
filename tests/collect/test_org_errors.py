"""collect --org's edges, in-process: AWS's refusals of sts:AssumeRole become the account's gap with AWS's code and
message, assumed credentials renew themselves, and an organization that cannot be listed is one line, exit 2."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from typer.testing import CliRunner

from iamwarden.cli.app import app
from iamwarden.collect.bundle import AccountGap
from iamwarden.collect.live import Polling, fetch_all
from iamwarden.collect.org import (
    ASSUMED_ROLE_METHOD,
    SESSION_NAME,
    AccountCollection,
    AccountDone,
    MemberAccess,
    assume_role,
    collect_organization,
    list_organization,
)
from iamwarden.errors import InputError
from tests.collect.moto_account import REGION, use_dummy_credentials

ROLE = "arn:aws:iam::222233334444:role/iamwarden-member"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    use_dummy_credentials(monkeypatch)
    with mock_aws():
        yield


def _credentials(key: str, expires: datetime) -> dict[str, object]:
    return {
        "Credentials": {
            "AccessKeyId": key,
            "SecretAccessKey": "secret-" + key,
            "SessionToken": "token-" + key,
            "Expiration": expires,
        }
    }


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "AccessDenied",
            f"User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: sts:AssumeRole on "
            f"resource: {ROLE}",
        ),
        ("RegionDisabledException", "STS is not activated in this region for account:222233334444."),
    ],
)
def test_a_refused_assume_role_is_the_accounts_gap(code: str, message: str) -> None:
    sts = boto3.client("sts", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s")
    with Stubber(sts) as stub:
        expected = {"RoleArn": ROLE, "RoleSessionName": SESSION_NAME, "DurationSeconds": 3600, "ExternalId": "x-1"}
        stub.add_client_error("assume_role", code, message, http_status_code=403, expected_params=expected)
        assert assume_role(sts, ROLE, "x-1", REGION) == AccountGap(code, message)


def test_assumed_credentials_renew_themselves_when_they_expire() -> None:
    sts = boto3.client("sts", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s")
    expected = {"RoleArn": ROLE, "RoleSessionName": SESSION_NAME, "DurationSeconds": 3600}
    now = datetime.now(UTC)
    with Stubber(sts) as stub:
        stub.add_response("assume_role", _credentials("ASIAFIRST0000000000A", now - timedelta(minutes=1)), expected)
        stub.add_response("assume_role", _credentials("ASIASECOND000000000B", now + timedelta(hours=1)), expected)
        session = assume_role(sts, ROLE, None, REGION)
        assert isinstance(session, boto3.Session)
        credentials = session.get_credentials()
        assert credentials is not None and credentials.method == ASSUMED_ROLE_METHOD
        assert credentials.get_frozen_credentials().access_key == "ASIASECOND000000000B"  # the first had expired
        stub.assert_no_pending_responses()


def test_an_assumed_session_is_in_the_member_account(aws: None) -> None:
    sts = boto3.client("sts", region_name=REGION)
    session = assume_role(sts, ROLE, None, REGION)
    assert isinstance(session, boto3.Session)
    identity = session.client("sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::222233334444:assumed-role/iamwarden-member/{SESSION_NAME}"


def test_outside_an_organization_nothing_is_collected(aws: None, tmp_path: Path) -> None:
    with pytest.raises(InputError) as refused:
        list_organization(boto3.Session(region_name=REGION), retries=0)
    assert refused.value.one_line().startswith(
        "AWS Organizations: organizations:DescribeOrganization: AWSOrganizationsNotInUseException: "
    )
    assert refused.value.one_line().endswith("(the account is not in an organization)")
    output = tmp_path / "org"
    result = CliRunner().invoke(app, ["collect", "--org", "-o", str(output)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {refused.value.one_line()}"]
    assert not output.exists()


def test_an_answer_lacking_a_field_is_filled_or_named(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    org = boto3.client("organizations", region_name=REGION)
    org.create_organization(FeatureSet="ALL")
    real = fetch_all

    def without(field: str, operation: str) -> object:
        def answer(client: object, name: str, **params: object) -> dict[str, object]:
            response = real(client, name, **params)  # type: ignore[arg-type]
            if name == operation:
                response = dict(response)
                if operation == "DescribeOrganization":
                    response["Organization"] = {k: v for k, v in response["Organization"].items() if k != field}
                else:
                    response["Roots"] = [{k: v for k, v in r.items() if k != field} for r in response["Roots"]]
            return response

        return answer

    monkeypatch.setattr("iamwarden.collect.org.fetch_all", without("Arn", "ListRoots"))
    structure = list_organization(boto3.Session(region_name=REGION), retries=0)
    root = structure.bundle.roots[0]
    org_id = structure.bundle.organization.id
    assert root.arn == f"arn:aws:organizations::123456789012:root/{org_id}/{root.id}"
    monkeypatch.setattr("iamwarden.collect.org.fetch_all", without("MasterAccountId", "DescribeOrganization"))
    with pytest.raises(InputError) as lacking:
        list_organization(boto3.Session(region_name=REGION), retries=0)
    assert lacking.value.one_line() == (
        "AWS Organizations: an answer of AWS Organizations lacks the field 'MasterAccountId', which AWS documents"
    )


def test_an_interrupted_run_stops_and_the_next_keeps_what_it_wrote(aws: None, tmp_path: Path) -> None:
    org = boto3.client("organizations", region_name=REGION)
    org.create_organization(FeatureSet="ALL")
    members = [org.create_account(AccountName=f"m{i}", Email=f"m{i}@example.com") for i in range(3)]
    assert all(m["CreateAccountStatus"]["State"] == "SUCCEEDED" for m in members)
    session = boto3.Session(region_name=REGION)
    fast = AccountCollection(retries=0, polling=Polling(interval_s=0.01, timeout_s=1.0))
    access = MemberAccess(role_name="OrganizationAccountAccessRole")
    seen: list[str] = []

    def interrupt(done: AccountDone) -> None:
        seen.append(done.entry.id)
        raise KeyboardInterrupt

    directory = tmp_path / "org"
    with pytest.raises(KeyboardInterrupt):
        collect_organization(session, directory, access=access, collection=fast, max_workers=1, progress=interrupt)
    written = sorted(p.name for p in (directory / "accounts").iterdir())
    assert len(seen) == 1 and len(written) <= 2  # the first account, and at most the one being collected
    assert not (directory / "org.json").exists()

    outcomes: dict[str, str] = {}
    bundle = collect_organization(
        session,
        directory,
        access=access,
        collection=fast,
        progress=lambda done: outcomes.__setitem__(done.entry.id, done.outcome),
    )
    assert sum(1 for o in outcomes.values() if o == "kept") == len(written)
    assert sorted(outcomes.values()).count("collected") == 4 - len(written)
    assert all(entry.snapshot is not None for entry in bundle.accounts)
