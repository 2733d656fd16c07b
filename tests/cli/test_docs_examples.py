"""Every ``iamwarden`` command written in README.md and docs/*.md runs as written against the demo.

Each document's commands run in order (a later one may read what an earlier one wrote) in a folder holding what the
examples name: ``demo/`` (the bundled demo), ``account.json.gz`` and the other snapshot names (copies of the demo
snapshot), ``cli-outputs/`` (AWS CLI outputs), policy files. A command passes when it exits 0 or 1 (1: findings at or
above a threshold); exit 2 (bad input or usage) or 3 (a bug) fails the test. The few commands that need what a test
cannot have (a live account, a git history, files of the reader's own) are listed in :data:`SKIPPED`, with why.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app

ROOT = Path(__file__).parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CLI_OUTPUTS = ROOT / "tests" / "collect" / "data" / "cli-outputs"
SNAPSHOT_NAMES = ("account.json.gz", "account.json", "changed.json.gz", "monday.json.gz", "tuesday.json.gz")
POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, '
    '"Action": "sts:AssumeRole"}]}'
)

SKIPPED: dict[str, str] = {
    "iamwarden collect": "reads a live AWS account",
    "iamwarden secrets scan . --history": "needs a git repository's history",
    "iamwarden secrets scan . --staged": "needs a git index",
    "iamwarden secrets scan ~/": "reads the reader's own files",
    "iamwarden detect AWSLogs/": "reads the reader's CloudTrail bucket",
    "iamwarden detect trail.json.gz --rules sigma/": "needs a clone of the Sigma rules",
    "iamwarden detect --list-rules --rules sigma/": "needs a clone of the Sigma rules",
    "iamwarden scan --snapshot account.json.gz --secrets secrets.json": "reads the output of a skipped example",
    "iamwarden simulate --request-file batch.jsonl": "its lines are described in prose, not shown",
    "iamwarden simulate --request-file bad.jsonl": "its lines are described in prose, not shown",
    "iamwarden policy suggest --snapshot demo/demo-account.json.gz --principal arn:aws:iam::444455556666:role/"
    "data-pipeline-glue --cloudtrail trail.jsonl": "its trail is described in prose, not shown",
    "iamwarden lint --min-kind security_warning glue-sla.json glue-ct.json": "reads the output of a skipped example",
    "iamwarden policy suggest --snapshot demo/demo-account.json.gz --principal arn:aws:iam::444455556666:role/"
    "data-pipeline-glue --cloudtrail bad.json": "shows bad input (exit 2) from a log described in prose",
}
EXAMPLE_ACCOUNT = "111122223333"
"""The account of examples written for a reader's own account (not the demo's 444455556666): skipped."""
VARIABLES = {"SNAPSHOT": "account.json.gz"}
"""Shell variables of CI examples, and what they stand for here."""
_PLACEHOLDER = re.compile(r"\[--|\b(DIR|FILE|ARN|ACTION|PATH|N)\b(?!\.)")


def commands(document: Path) -> list[str]:
    """The iamwarden commands of ``document``'s fenced blocks (``$ `` prompts dropped, ``\\`` continuations joined);
    synopses with placeholders (``[--account ID]``, ``DIR``) are not examples."""
    found: list[str] = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", document.read_text(), re.S):
        for line in block.replace("\\\n", " ").splitlines():
            text = line.strip().removeprefix("$ ").removeprefix(".venv/bin/")
            if text.startswith("iamwarden ") and not _PLACEHOLDER.search(text.split("#")[0]):
                found.append(" ".join(text.split()))
    return found


def shown_files(document: Path) -> dict[str, str]:
    """The files a document shows in full: a paragraph starting with `` `NAME`: `` followed by a fenced block."""
    return dict(
        re.findall(r"^`([\w.-]+)`:[^\n]*\n(?:[^\n]+\n)*?\n```[a-z]*\n(.*?)```", document.read_text(), re.M | re.S)
    )


def _workspace(folder: Path, document: Path) -> None:
    for name, text in shown_files(document).items():
        (folder / name).write_text(text)
    (folder / "demo").symlink_to(ROOT / "demo", target_is_directory=True)
    (folder / "docs").symlink_to(ROOT / "docs", target_is_directory=True)
    for name in SNAPSHOT_NAMES:
        shutil.copy(ROOT / "demo" / "demo-account.json.gz", folder / name)
    shutil.copytree(CLI_OUTPUTS, folder / "cli-outputs")
    shutil.copy(CLI_OUTPUTS / "iam-get-account-authorization-details.json", folder / "details.json")
    for name, text in {
        "policies/read.json": POLICY,
        "policies/readonly.json": (ROOT / "docs" / "iamwarden-readonly-policy.json").read_text(),
        "policy.json": POLICY,
        "other.json": POLICY,
        "role-trust.json": TRUST,
        "scps/deny.json": POLICY.replace("Allow", "Deny"),
    }.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(text)


def _args(command: str, folder: Path) -> list[str]:
    args: list[str] = []
    for word in shlex.split(os.path.expandvars(command), comments=True)[1:]:
        matches = sorted(str(p.relative_to(folder)) for p in folder.glob(word)) if "*" in word else []
        args += matches or [word]
    return args


def _skip_reason(command: str) -> str | None:
    if EXAMPLE_ACCOUNT in command:
        return f"names the example account {EXAMPLE_ACCOUNT}, not the demo's"
    return next((why for start, why in SKIPPED.items() if command.startswith(start)), None)


@pytest.mark.slow
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_example_runs_as_written(document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = [c for c in commands(document) if _skip_reason(c) is None]
    if not examples:
        pytest.skip(f"{document.name} shows no iamwarden command to run")
    _workspace(tmp_path, document)
    monkeypatch.chdir(tmp_path)
    for name, value in VARIABLES.items():
        monkeypatch.setenv(name, value)
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / ".local"), "COLUMNS": "120"}
    runner = CliRunner()
    for command in examples:
        result = runner.invoke(app, _args(command, tmp_path), env=env)
        assert result.exit_code in (0, 1), f"{document.name}: `{command}` exited {result.exit_code}:\n{result.output}"


def test_the_examples_are_found() -> None:
    readme = commands(ROOT / "README.md")
    assert "iamwarden scan --snapshot demo/demo-account.json.gz --inventory" in readme
    assert any(c.startswith("iamwarden simulate ") for c in readme)
    assert all(_skip_reason(c) or "collect" not in c.split()[1] for c in readme)
    synopsis = "iamwarden history list [--account ID] [--org o-...] [--format json]"
    assert _PLACEHOLDER.search(synopsis)
    assert '"action": "s3:PutObject"' in shown_files(ROOT / "docs" / "simulate.md")["request.json"]
