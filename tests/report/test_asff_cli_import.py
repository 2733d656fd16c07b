"""docs/reports.md's Security Hub import loop, run as written (batch files passed with file://) with the AWS CLI
against a moto server the test starts: every finding of the demo scan is imported, none refused."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import orjson
import pytest

from tests.collect.moto_account import start_clean_moto_server

ROOT = Path(__file__).parents[2]
AWS = Path(sys.executable).parent / "aws"


def _loop() -> str:
    text = (ROOT / "docs" / "reports.md").read_text()
    block = re.search(r"```sh\n(export AWS_DEFAULT_REGION=.*?batch-import-findings.*?)```", text, re.S)
    assert block, "the import loop is gone from docs/reports.md"
    return block.group(1)


@pytest.mark.slow
@pytest.mark.skipif(not AWS.exists() or shutil.which("jq") is None, reason="needs the AWS CLI (dev extra) and jq")
def test_the_documented_import_loop_imports_every_finding(tmp_path: Path) -> None:
    shutil.copy(ROOT / "demo" / "demo-account.json.gz", tmp_path / "account.json.gz")
    server, endpoint = start_clean_moto_server()
    try:
        env = {
            **os.environ,
            "PATH": f"{AWS.parent}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(ROOT / "src"),
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", _loop()],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stderr
        findings = orjson.loads((tmp_path / "findings.asff.json").read_bytes())
        batches = sorted((tmp_path / "asff-batches").iterdir())
        assert len(batches) == -(-len(findings) // 100) and len(batches) > 1
        assert all(b.stat().st_size > 100_000 for b in batches[:-1])  # too long for a command line argument
        lines = run.stdout.splitlines()
        assert lines[0] == "wrote findings.asff.json" and lines[1:] == ["0"] * len(batches)  # FailedCount of each call
        hub = boto3.client(
            "securityhub",
            region_name="eu-west-1",
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        imported = [f for page in hub.get_paginator("get_findings").paginate() for f in page["Findings"]]
        assert {f["Id"] for f in imported} == {f["Id"] for f in findings}
    finally:
        server.stop()
