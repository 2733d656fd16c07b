"""``iamwarden collect`` end to end against a moto server on localhost, and its one-line errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app
from iamwarden.collect.snapshot import read_snapshot
from iamwarden.model import build_account
from tests.collect.moto_account import (
    REGION,
    BuiltAccount,
    populate_account,
    start_clean_moto_server,
    use_dummy_credentials,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    server, endpoint = start_clean_moto_server()
    yield endpoint
    server.stop()


@pytest.fixture(scope="module")
def served_account(moto_server: str) -> Iterator[BuiltAccount]:
    """The fixture account, built once in the server through its endpoint."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_dummy_credentials(monkeypatch)
        monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
        yield populate_account(boto3.Session(region_name=REGION))


@pytest.fixture
def against_server(monkeypatch: pytest.MonkeyPatch, moto_server: str, served_account: BuiltAccount) -> BuiltAccount:
    use_dummy_credentials(monkeypatch)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # the server answers 500 for Access Analyzer: retry it less
    return served_account


def test_collect_writes_a_valid_snapshot(against_server: BuiltAccount, tmp_path: Path) -> None:
    output = tmp_path / "account.json.gz"
    result = runner.invoke(app, ["collect", "-o", str(output)])

    assert result.exit_code == 0, result.output
    assert "Collected account 123456789012 (aws) in us-east-1:" in result.stdout
    snapshot = read_snapshot(output)
    assert snapshot.account_id == "123456789012"
    assert snapshot.response("iam:GetAccountPasswordPolicy")["PasswordPolicy"]["MinimumPasswordLength"] == 14
    assert snapshot.has("iam:GetAccessKeyLastUsed", target=against_server.access_key_id)
    assert snapshot.response("cloudtrail:GetTrailStatus", REGION, against_server.trail_arn)["IsLogging"] is True
    assert snapshot.has("ec2:DescribeInstanceAttribute", REGION, against_server.instance_id)
    assert snapshot.has("organizations:DescribePolicy", target=against_server.scp_id)
    # Over HTTP, moto's gaps look different from in-process: a 500 page, and an unparsable answer.
    gaps = {(g.api, g.error_code) for g in snapshot.gaps}
    assert gaps == {
        ("access-analyzer:ListAnalyzers", "500"),
        ("iam:ListOrganizationsFeatures", "Error"),
        ("iam:GetServiceLastAccessedDetails", "NotCollected"),
    }
    assert "access-analyzer:ListAnalyzers in us-east-1: 500" in result.stdout

    validated = runner.invoke(app, ["snapshot", "validate", str(output)])
    assert validated.exit_code == 0, validated.output
    account = build_account(snapshot)  # and the domain model is built from it
    assert [t.status.is_logging for t in account.trails if t.status] == [True]
    assert account.organization is not None and account.organization.path[-1] == "123456789012"


def test_verbose_lists_every_gap_and_several_regions(against_server: BuiltAccount, tmp_path: Path) -> None:
    output = tmp_path / "account.json"
    result = runner.invoke(
        app, ["collect", "--region", REGION, "--region", "eu-west-1", "-o", str(output), "--verbose"]
    )

    assert result.exit_code == 0, result.output
    snapshot = read_snapshot(output)
    assert snapshot.regions == (REGION, "eu-west-1")
    lines = result.stdout.splitlines()
    lines = lines[next(n for n, line in enumerate(lines) if line.startswith("Collected account")) :]  # moto prints too
    assert len(lines) == 3 + len(snapshot.gaps)  # the summary, "wrote", "Gaps ...:", then one line per gap
    totals = re.search(
        r"(\d+) calls \((\d+) answered, (\d+) without an answer\); (\d+) gaps \(\d+ refused or failed calls?"
        r"(?:, (\d+) not called)?\)",
        lines[0],
    )
    assert totals, lines[0]
    calls, answered, failed, gaps, not_called = (int(n or 0) for n in totals.groups())
    assert calls == answered + failed and gaps == failed + not_called  # totals that add up
    for gap, line in zip(snapshot.gaps, lines[3:], strict=True):
        where = "" if gap.region == "global" else f" in {gap.region}"
        assert line.startswith(f"  {gap.api}{where}: {gap.error_code}")


def test_both_region_options_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["collect", "--region", REGION, "--all-regions", "-o", str(tmp_path / "x.json")])

    assert result.exit_code == 2
    assert result.stderr.strip() == "error: command line: --region / --all-regions: give one or the other, not both"
    assert not (tmp_path / "x.json").exists()


def test_no_credentials_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_dummy_credentials(monkeypatch)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = runner.invoke(app, ["collect", "-o", str(tmp_path / "x.json")])

    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: AWS credentials: none found")
    assert not (tmp_path / "x.json").exists()


def test_unknown_profile_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_dummy_credentials(monkeypatch)
    result = runner.invoke(app, ["collect", "--profile", "nope", "-o", str(tmp_path / "x.json")])

    assert result.exit_code == 2
    assert result.stderr.strip() == "error: --profile: no AWS profile named 'nope' in your AWS config"


def test_bad_max_attempts_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_dummy_credentials(monkeypatch)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "many")
    result = runner.invoke(app, ["collect", "-o", str(tmp_path / "x.json")])

    assert result.exit_code == 2
    assert result.stderr.strip() == "error: AWS_MAX_ATTEMPTS: 'many' is not a whole number of attempts (1 or more)"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--role-name", "Audit"], "error: command line: --role-name: needs --org"),
        (["--accounts", "111122223333"], "error: command line: --accounts: needs --org"),
        (["--refresh"], "error: command line: --refresh: needs --org"),
        (["--org", "--record"], "error: command line: --record: records one account: not with --org"),
        (
            ["--org", "--accounts", "1111,222233334444"],
            "error: command line: --accounts: '1111' is not a 12-digit account id",
        ),
    ],
)
def test_org_options_without_org_or_misused(args: list[str], error: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["collect", "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [error]
    assert list(tmp_path.iterdir()) == []


def test_org_output_must_be_a_folder(tmp_path: Path) -> None:
    output = tmp_path / "account.json.gz"
    output.write_bytes(b"")
    result = runner.invoke(app, ["collect", "--org", "-o", str(output)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {output}: is a file: --org writes a bundle folder (org.json, accounts/)"
    ]
    folder = runner.invoke(app, ["collect", "-o", str(tmp_path)])
    assert folder.exit_code == 2
    assert folder.stderr.splitlines() == [
        f"error: {tmp_path}: is a folder: give a snapshot file (or --org for a bundle)"
    ]
