"""Every ``iamwarden`` command written in README.md and docs/*.md runs as written against the demo.

Each document's commands run in order (a later one may read what an earlier one wrote) in a folder holding what the
examples name: ``demo/`` (the bundled demo), ``account.json.gz`` and the other snapshot names (copies of the demo
snapshot), ``cli-outputs/`` (AWS CLI outputs), policy files, the files of ``docs/examples/<document>/`` (the inputs a
document describes, such as simulate.md's request files and snapshot), the files a document shows in full; the folder
is a git repository with history, a staged change and an ``origin/main``, and ``~`` is a home folder of its own with
AWS credentials and a project, for the ``secrets scan`` examples. A command passes when it exits 0 or 1 (1: findings
at or above a threshold), or the code the document says it exits with (``(exit 2)`` after its block, or ``$ echo $?``
then the code); any other exit (2 for bad input or usage, 3 for a bug) fails the test. Only commands that need a real
AWS account are not run: :data:`SKIPPED` lists them, with why. The example GitHub Actions workflows
(``docs/examples/*.yml``) have their iamwarden steps run by bash, and the SARIF files their upload steps send must
exist.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
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
    "iamwarden collect": "reads a live AWS account (tests/collect runs the collector against moto)",
}
EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"
"""The AWS documentation's example access key id (secrets scan reports it as an example, info)."""
VARIABLES = {"SNAPSHOT": "account.json.gz"}
"""Shell variables of CI examples, and what they stand for here."""
_PLACEHOLDER = re.compile(r"\[--|\b(DIR|FILE|ARN|ACTION|PATH|N)\b(?!\.)")


def examples(document: Path) -> list[tuple[str, int | None]]:
    """The iamwarden commands of ``document``'s fenced blocks (``$ `` prompts dropped, ``\\`` continuations joined),
    each with the exit code the document gives it (``None``: 0 or 1); synopses with placeholders (``[--account ID]``,
    ``DIR``) are not examples."""
    found: list[tuple[str, int | None]] = []
    for block, after in re.findall(r"```[a-z]*\n(.*?)```\n?(?:\(exit (\d+)\))?", document.read_text(), re.S):
        start = len(found)
        lines = [line.strip() for line in block.replace("\\\n", " ").splitlines()]
        for number, line in enumerate(lines):
            text = line.removeprefix("$ ").removeprefix(".venv/bin/")
            if text.startswith("iamwarden ") and not _PLACEHOLDER.search(text.split("#")[0]):
                found.append((" ".join(text.split()), None))
            elif text == "echo $?" and found[start:] and number + 1 < len(lines) and lines[number + 1].isdigit():
                found[-1] = (found[-1][0], int(lines[number + 1]))
        if after:
            found[start:] = [(command, int(after)) for command, _ in found[start:]]
    return found


def commands(document: Path) -> list[str]:
    """The iamwarden commands of ``document`` (see :func:`examples`)."""
    return [command for command, _ in examples(document)]


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
        "notebooks/explore.py": "import boto3\n",
    }.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(text)
    if (ROOT / "docs" / "examples" / document.stem).is_dir():
        shutil.copytree(ROOT / "docs" / "examples" / document.stem, folder, dirs_exist_ok=True)
    _git_repository(folder, "notes.md")


IDENTITY = {"NAME": "docs", "EMAIL": "docs@example.com"}


def _git(folder: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "docs",
        "GIT_AUTHOR_EMAIL": "docs@example.com",
        "GIT_CONFIG_GLOBAL": "/dev/null",
    }
    env |= {"GIT_COMMITTER_NAME": "docs", "GIT_COMMITTER_EMAIL": "docs@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


def _git_repository(folder: Path, name: str) -> None:
    """``folder`` as a git repository: a first commit (``origin/main``), a second adding the AWS documentation's
    example key to ``name``, and a staged change (``secrets scan --history``, ``--since origin/main``, ``--staged``)."""
    _git(folder, "init", "-q", "-b", "main")
    (folder / name).write_text("# notes\n")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "-m", "first")
    _git(folder, "update-ref", "refs/remotes/origin/main", "HEAD")
    (folder / name).write_text(f"# notes\naws_access_key_id = {EXAMPLE_KEY}\n")
    _git(folder, "commit", "-q", "-am", "second")
    (folder / name).write_text("# notes, the key removed\n")
    _git(folder, "add", name)


def _home(home: Path) -> None:
    """A reader's home folder (``~`` in the examples): AWS credentials, a shell history, a project with history."""
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(f"[default]\naws_access_key_id = {EXAMPLE_KEY}\n")
    (home / ".bash_history").write_text("aws s3 ls\n")
    (home / "src" / "billing").mkdir(parents=True)
    _git_repository(home / "src" / "billing", "settings.py")


def _args(command: str, folder: Path) -> list[str]:
    args: list[str] = []
    for word in shlex.split(os.path.expandvars(command), comments=True)[1:]:
        word = str(Path(word).expanduser()) if word.startswith("~") else word
        matches = sorted(str(p.relative_to(folder)) for p in folder.glob(word)) if "*" in word else []
        args += matches or [word]
    return args


def _skip_reason(command: str) -> str | None:
    return next((why for start, why in SKIPPED.items() if command.startswith(start)), None)


WITH_EXAMPLES = [d for d in DOCUMENTS if any(_skip_reason(c) is None for c in commands(d))]
"""The documents with a command to run (the others, such as checks.md, show none)."""


@pytest.mark.slow
@pytest.mark.parametrize("document", WITH_EXAMPLES, ids=lambda p: p.name)
def test_every_example_runs_as_written(document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runnable = [(c, code) for c, code in examples(document) if _skip_reason(c) is None]
    folder = tmp_path / "work"
    folder.mkdir()
    _workspace(folder, document)
    _home(tmp_path / "home")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name, value in VARIABLES.items():
        monkeypatch.setenv(name, value)
    env = {"XDG_DATA_HOME": str(tmp_path / ".local"), "COLUMNS": "120"}
    runner = CliRunner()
    for command, code in runnable:
        result = runner.invoke(app, _args(command, folder), env=env)
        expected = (0, 1) if code is None else (code,)
        assert result.exit_code in expected, f"{document.name}: `{command}` exited {result.exit_code}:\n{result.output}"


def test_the_examples_are_found() -> None:
    readme = commands(ROOT / "README.md")
    assert "iamwarden scan --snapshot demo/demo-account.json.gz --inventory" in readme
    assert any(c.startswith("iamwarden simulate ") for c in readme)
    assert all(_skip_reason(c) or "collect" not in c.split()[1] for c in readme)
    assert {d.name for d in WITH_EXAMPLES} >= {"README.md", "simulate.md", "escalation.md", "secrets.md", "access.md"}
    assert [c for d in DOCUMENTS for c in commands(d) if _skip_reason(c)] == [
        "iamwarden collect --profile audit --all-regions -o account.json.gz",
        "iamwarden collect --org --profile management -o org/ --max-workers 8",
        "iamwarden collect --profile audit -o today.json.gz --record",
        "iamwarden collect --org -o org/ # every account, through iamwarden-member",
        "iamwarden collect --org -o org/ --role-name AuditRole --external-id 4f1c9a",
        "iamwarden collect --org -o org/ --ous ou-ab12-11111111 --accounts 222233334444,333344445555",
        "iamwarden collect --org -o org/ --refresh --max-workers 16 --all-regions",
    ]
    assert examples(ROOT / "docs" / "simulate.md")[3] == (
        "iamwarden simulate --request-file bad.jsonl --format json",
        2,
    )
    synopsis = "iamwarden history list [--account ID] [--org o-...] [--format json]"
    assert _PLACEHOLDER.search(synopsis)
    assert '"action": "s3:PutObject"' in shown_files(ROOT / "docs" / "simulate.md")["request.json"]


WORKFLOWS = sorted((ROOT / "docs" / "examples").glob("*.yml"))
GITHUB = {"github.event_name": "pull_request", "github.base_ref": "main"}
"""What the workflows' ``${{ ... }}`` expressions stand for here: a pull request against main."""


def _steps(workflow: Path) -> list[str]:
    """The ``run`` scripts of ``workflow`` that call iamwarden (installing it is this test's business)."""
    jobs = yaml.safe_load(workflow.read_text())["jobs"].values()
    runs = [step["run"] for job in jobs for step in job["steps"] if "run" in step]
    return [run for run in runs if "iamwarden " in run and "pip install" not in run]


@pytest.mark.slow
@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_steps_run_as_written(workflow: Path, tmp_path: Path) -> None:
    """Each iamwarden step of the example workflows, run by bash as the runner would, in a checkout with history and
    the workflow's env (its snapshot a copy of the demo's), with the command on PATH."""
    steps = _steps(workflow)
    assert steps, f"{workflow.name} runs no iamwarden command"
    folder = tmp_path / "checkout"
    folder.mkdir()
    env_block: dict[str, str] = yaml.safe_load(workflow.read_text()).get("env", {})
    if "SNAPSHOT" in env_block:
        (folder / env_block["SNAPSHOT"]).parent.mkdir(parents=True)
        shutil.copy(ROOT / "demo" / "demo-account.json.gz", folder / env_block["SNAPSHOT"])
    _git_repository(folder, "settings.ini")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    command = bin_dir / "iamwarden"
    command.write_text(f"#!{sys.executable}\nfrom iamwarden.cli.app import main\n\nmain()\n")
    command.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, **env_block, "PATH": path, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "120"}
    for script in steps:
        for expression, value in GITHUB.items():
            script = script.replace("${{ " + expression + " }}", value)
        assert "${{" not in script, script
        done = subprocess.run(["bash", "-e", "-c", script], cwd=folder, env=env, capture_output=True, text=True)
        assert done.returncode in (0, 1), f"{workflow.name}: exit {done.returncode}\n{script}\n{done.stderr}"
        assert "Traceback" not in done.stderr
    jobs = yaml.safe_load(workflow.read_text())["jobs"].values()
    uploaded = [
        step["with"]["sarif_file"] for job in jobs for step in job["steps"] if "sarif_file" in step.get("with", {})
    ]
    assert uploaded and all((folder / name).is_file() for name in uploaded), uploaded  # what the upload step sends
