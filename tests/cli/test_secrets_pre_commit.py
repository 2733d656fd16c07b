"""The pre-commit hook of .pre-commit-hooks.yaml, run by pre-commit itself (``git commit`` in a new repository with
the hook installed): a commit adding an AWS key is blocked, a clean one and one quoting the documentation's example
key go through."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from benchmarks.secrets_corpus import GIT_ENV, make_key_id, make_secret

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A repository with the hook installed, run the way pre-commit runs it (``language: system`` instead of
    ``python``: the hook's command comes from this virtualenv instead of a new one pip would build)."""
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    local = {**hook, "language": "system"}
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git(root, "init", "-q", "-b", "main")
    subprocess.run([str(PRE_COMMIT), "install"], cwd=root, env=_env(tmp_path), check=True, capture_output=True)
    return root


def _env(tmp_path: Path) -> dict[str, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, **GIT_ENV, "PATH": path, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, env=_env(root.parent), capture_output=True, text=True, check=False)


def _commit(root: Path, name: str, text: str) -> subprocess.CompletedProcess[str]:
    (root / name).write_text(text)
    _git(root, "add", name, ".pre-commit-config.yaml")
    return _git(root, "commit", "-m", f"add {name}")


def test_the_hook_blocks_a_commit_with_a_key(repo: Path) -> None:
    assert PRE_COMMIT.exists(), "pre-commit is a dev dependency (pyproject.toml)"
    ok = _commit(repo, "README.md", "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE   # the docs' example\n")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    rng = random.Random(9)
    key, secret = make_key_id("210987654321", rng), make_secret(rng)
    blocked = _commit(repo, "deploy.env", f"AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}\n")
    assert blocked.returncode != 0
    output = blocked.stdout + blocked.stderr
    assert "AWS keys in staged changes" in output and "Failed" in output
    assert "deploy.env:1 (staged)" in output and "account 210987654321" in output
    assert key not in output and secret not in output
    log = _git(repo, "log", "--format=%s").stdout.split("\n")
    assert "add deploy.env" not in log


def test_the_documented_ci_job_uses_options_the_command_has() -> None:
    from typer.testing import CliRunner

    from iamwarden.cli.app import app

    workflow = yaml.safe_load((ROOT / "docs" / "examples" / "github-actions-secrets.yml").read_text())
    run = next(s["run"] for s in workflow["jobs"]["secrets"]["steps"] if s.get("name") == "Search for AWS keys")
    used = {word.strip('("') for word in run.split() if word.lstrip('("').startswith("--")}
    help_text = CliRunner().invoke(app, ["secrets", "scan", "--help"], env={"COLUMNS": "200"}).output
    assert used and {flag for flag in used if flag not in help_text} == set()
