"""``iamwarden secrets scan``: attribution against a snapshot, exit codes (0 / 1 with --fail-on / 2 bad input),
suppressions and baselines, --staged for pre-commit, and no value ever printed in full."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import orjson
import pytest
from benchmarks.secrets_corpus import GIT_ENV, make_key_id, make_secret
from typer.testing import CliRunner

from iamwarden.cli.app import app
from iamwarden.collect.secrets.keys import fingerprint
from iamwarden.collect.snapshot import read_snapshot
from iamwarden.model import build_account

DEMO = Path(__file__).resolve().parents[2] / "demo" / "demo-account.json.gz"
runner = CliRunner()
RNG = random.Random(11)
SECRET = make_secret(RNG)


@pytest.fixture(scope="module")
def demo_keys() -> dict[str, str]:
    """Status -> a key id of the demo account with that status."""
    account = build_account(read_snapshot(DEMO))
    return {k.status: k.key_id for u in account.users for k in u.access_keys or ()}


def _repo(root: Path, files: dict[str, str]) -> Path:
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q", str(root)], env=env, check=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def test_a_demo_key_is_matched_to_its_user_and_is_critical(tmp_path: Path, demo_keys: dict[str, str]) -> None:
    active = demo_keys["Active"]
    (tmp_path / "deploy.sh").write_text(f"export AWS_ACCESS_KEY_ID={active}\nexport AWS_SECRET_ACCESS_KEY={SECRET}\n")
    out = tmp_path / "secrets.json"
    result = runner.invoke(
        app, ["secrets", "scan", str(tmp_path), "-s", str(DEMO), "-f", "console,json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Secrets scan: 2 leaks (2 critical)")
    report = orjson.loads(out.read_bytes())
    key = next(f for f in report["findings"] if f["kind"] == "access_key_id")
    assert key["severity"] == "critical" and key["secret_exposed"]
    assert key["owner"]["status"] == "Active" and key["owner"]["arn"].startswith("arn:aws:iam::444455556666:user/")
    assert key["fingerprint"] == fingerprint(active)
    for text in (result.output, out.read_text()):
        assert active not in text and SECRET not in text


def test_fail_on_gates_and_examples_do_not_fail(tmp_path: Path) -> None:
    (tmp_path / "docs.md").write_text("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n")
    assert runner.invoke(app, ["secrets", "scan", str(tmp_path), "--fail-on", "low"]).exit_code == 0
    (tmp_path / "leak.env").write_text(f"AWS_ACCESS_KEY_ID={make_key_id('210987654321', RNG)}\n")
    result = runner.invoke(app, ["secrets", "scan", str(tmp_path), "--fail-on", "medium"])
    assert result.exit_code == 1
    assert "1 unsuppressed finding at or above medium (--fail-on): exit 1" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "nope: no such file or folder"),
        (["."], None),
        ([".", "--format", "xml"], "unknown format"),
        ([".", "--fail-on", "worst"], "unknown severity"),
        ([".", "--staged", "--history"], "does not go with"),
    ],
)
def test_bad_input_exits_2(
    tmp_path: Path, args: list[str], message: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["secrets", "scan", *args])
    if message is None:
        assert result.exit_code == 0
    else:
        assert result.exit_code == 2 and message in result.output, result.output


def test_baseline_suppresses_until_it_expires(tmp_path: Path) -> None:
    (tmp_path / "leak.env").write_text(f"AWS_ACCESS_KEY_ID={make_key_id('210987654321', RNG)}\n")
    baseline = tmp_path / "baseline.yaml"
    first = runner.invoke(
        app, ["secrets", "scan", str(tmp_path / "leak.env"), "--write-baseline", str(baseline), "--today", "2026-12-01"]
    )
    assert first.exit_code == 0 and "expires: '2027-03-01'" in baseline.read_text()
    args = ["secrets", "scan", str(tmp_path / "leak.env"), "--suppressions", str(baseline), "--fail-on", "medium"]
    held = runner.invoke(app, [*args, "--today", "2027-01-01"])
    assert held.exit_code == 0 and "0 leaks, 1 suppressed" in held.output
    expired = runner.invoke(app, [*args, "--today", "2027-03-02"])
    assert expired.exit_code == 1 and "expired suppression" in expired.output


def test_staged_reads_the_index_not_the_work_tree(tmp_path: Path) -> None:
    key = make_key_id("210987654321", RNG)
    repo = _repo(tmp_path, {"app.env": f"AWS_ACCESS_KEY_ID={key}\n"})
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "-C", str(repo), "add", "app.env"], env=env, check=True)
    (repo / "app.env").write_text("clean now, but the index still holds the key\n")
    result = runner.invoke(
        app,
        ["secrets", "scan", str(repo), "--staged", "--fail-on", "medium", "-f", "json", "-o", str(tmp_path / "r.json")],
    )
    assert result.exit_code == 1
    report = orjson.loads((tmp_path / "r.json").read_bytes())
    assert [loc["origin"] for loc in report["findings"][0]["locations"]] == ["index"]


def test_verify_asks_sts_with_the_caller_s_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        import boto3

        iam = boto3.client("iam")
        iam.create_user(UserName="ci")
        key = iam.create_access_key(UserName="ci")["AccessKey"]["AccessKeyId"]
        (tmp_path / "ci.env").write_text(f"AWS_ACCESS_KEY_ID={key}\n")
        out = tmp_path / "r.json"
        result = runner.invoke(app, ["secrets", "scan", str(tmp_path / "ci.env"), "--verify", "-o", str(out)])
    assert result.exit_code == 0, result.output
    finding = orjson.loads(out.read_bytes())["findings"][0]
    assert (finding["account_id"], finding["account_source"]) == ("123456789012", "sts")
