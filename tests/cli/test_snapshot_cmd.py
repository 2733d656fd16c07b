"""``iamwarden snapshot validate|import|info``: summaries, and bad input as one line on stderr with exit code 2."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import orjson
from typer.testing import CliRunner

from iamwarden.cli.app import app
from iamwarden.collect.snapshot import read_snapshot

DATA = Path(__file__).parents[1] / "collect" / "data"
CLI_OUTPUTS = DATA / "cli-outputs"
DETAILS = CLI_OUTPUTS / "iam-get-account-authorization-details.json"


def _run(*args: str | Path) -> Any:
    return CliRunner().invoke(app, ["snapshot", *map(str, args)])


def _imported(tmp_path: Path, name: str = "snap.json") -> Path:
    out = tmp_path / name
    result = _run("import", CLI_OUTPUTS, "-o", out)
    assert result.exit_code == 0, result.output
    return out


def test_import_writes_a_snapshot_and_says_what_is_in_it(tmp_path: Path) -> None:
    out = tmp_path / "snap.json.gz"
    result = _run("import", CLI_OUTPUTS, "--output", out)
    assert result.exit_code == 0, result.output
    assert "account:  111122223333 (aws)" in result.stdout
    assert "regions:  eu-west-1, us-east-1" in result.stdout
    assert "calls:    33 responses of 26 APIs" in result.stdout
    assert "gaps:     8 (AWSOrganizationsNotInUseException 1, AccessDeniedException 1, NotCollected 6)" in result.stdout
    assert result.stdout.rstrip().endswith(f"wrote {out}")
    assert read_snapshot(out).source == "import"


def test_import_of_an_authorization_details_file(tmp_path: Path) -> None:
    out = tmp_path / "snap.json"
    result = _run("import", DETAILS, "-o", out)
    assert result.exit_code == 0, result.output
    assert "source:   authorization-details" in result.stdout
    assert read_snapshot(out).account_id == "111122223333"


def test_validate_ok(tmp_path: Path) -> None:
    out = _imported(tmp_path)
    result = _run("validate", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"snapshot: {out}"
    assert "source:   import" in result.stdout
    assert result.stdout.splitlines()[-1] == "OK"
    assert result.stderr == ""


def test_validate_a_truncated_json_file(tmp_path: Path) -> None:
    out = _imported(tmp_path)
    data = out.read_bytes()
    out.write_bytes(data[:1000])
    result = _run("validate", out)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    line_no = data[:1000].count(b"\n") + 1
    assert lines[0].startswith(f"error: {out}: line {line_no} column ")
    assert lines[0].endswith("(the file ends early: truncated?)")
    assert result.stdout == ""


def test_validate_a_truncated_gzip_file(tmp_path: Path) -> None:
    out = _imported(tmp_path, "snap.json.gz")
    data = out.read_bytes()
    out.write_bytes(data[:-100])
    result = _run("validate", out)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {out}: byte {len(data) - 100}: gzip data ends early (truncated?)"]


def test_validate_a_wrong_shaped_file_names_the_json_path(tmp_path: Path) -> None:
    out = _imported(tmp_path)
    doc = orjson.loads(out.read_bytes())
    doc["calls"]["iam:GetAccountSummary"]["global"]["_"]["SummaryMap"]["Users"] = "two"
    doc["calls"]["iam:ListAccessKeys"]["global"]["alice"] = {"AccessKeyMetadata": [{"Status": "Active"}]}
    out.write_bytes(orjson.dumps(doc))
    result = _run("validate", out)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f'error: {out}: $.calls["iam:GetAccountSummary"].global._.SummaryMap.Users: Input should be a valid integer,'
        " unable to parse string as an integer (and 1 more problem; --verbose lists them)"
    ]
    verbose = _run("validate", out, "--verbose")
    assert verbose.exit_code == 2
    assert verbose.stderr.splitlines() == [
        f'error: {out}: $.calls["iam:GetAccountSummary"].global._.SummaryMap.Users: Input should be a valid integer,'
        " unable to parse string as an integer",
        f'error: {out}: $.calls["iam:ListAccessKeys"].global.alice.AccessKeyMetadata[0].AccessKeyId: Field required',
    ]


def test_validate_a_missing_file(tmp_path: Path) -> None:
    result = _run("validate", tmp_path / "nope.json")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {tmp_path / 'nope.json'}: No such file or directory"]


def test_a_bad_directory_writes_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "outputs"
    shutil.copytree(CLI_OUTPUTS, directory)
    (directory / "iam-get-account-summary.json").write_text('{"SummaryMap": {"Users": null}}')
    (directory / "iam-list-users.json").write_text('{"Users": []}')
    out = tmp_path / "snap.json"
    result = _run("import", directory, "-o", out)
    assert result.exit_code == 2
    unknown_name = (
        f"error: {directory}/iam-list-users.json: not a call iamwarden reads (<service>-<command>[.<region>]"
        "[.<name>].json, as the AWS CLI spells them; docs/snapshot-format.md lists them)"
    )
    summary_error = (
        f"error: {directory}/iam-get-account-summary.json: $.SummaryMap.Users: Input should be a valid integer"
    )
    assert result.stderr.splitlines() == [f"{unknown_name} (and 1 more problem; --verbose lists them)"]
    # an unknown file name does not hide the content errors of the other files
    assert _run("import", directory, "-o", out, "-v").stderr.splitlines() == [unknown_name, summary_error]
    assert not out.exists()
    (directory / "iam-list-users.json").unlink()
    (directory / "iam-list-mfa-devices.alice.json").write_text("{")
    result = _run("import", directory, "-o", out, "--verbose")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {directory}/iam-get-account-summary.json: $.SummaryMap.Users: Input should be a valid integer",
        f"error: {directory}/iam-list-mfa-devices.alice.json: line 1 column 2: invalid JSON: unexpected end of data"
        " (the file ends early: truncated?)",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outputs"]


def test_import_with_an_account_id(tmp_path: Path) -> None:
    directory = tmp_path / "bare"
    directory.mkdir()
    (directory / "iam-list-account-aliases.json").write_text('{"AccountAliases": []}')
    assert _run("import", directory, "-o", tmp_path / "a.json").exit_code == 2
    result = _run("import", directory, "-o", tmp_path / "a.json", "--account-id", "111122223333")
    assert result.exit_code == 0, result.output
    assert read_snapshot(tmp_path / "a.json").account_id == "111122223333"


def test_info_lists_calls_and_gaps(tmp_path: Path) -> None:
    out = _imported(tmp_path, "snap.json.gz")
    result = CliRunner().invoke(app, ["snapshot", "info", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "iam:GetAccountAuthorizationDetails" in result.stdout
    assert "AccessDeniedException" in result.stdout
    assert "file lambda-list-functions.eu-west-1.json not in" in result.stdout


def test_info_of_a_snapshot_without_gaps(tmp_path: Path) -> None:
    doc = orjson.loads(gzip.decompress(_imported(tmp_path, "snap.json.gz").read_bytes()))
    doc["gaps"] = []
    (tmp_path / "nogaps.json").write_bytes(orjson.dumps(doc))
    result = _run("info", tmp_path / "nogaps.json")
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("No gaps.")


def test_help_of_every_subcommand() -> None:
    for command in ("validate", "import", "info"):
        result = _run(command, "--help")
        assert result.exit_code == 0
        assert "Usage" in result.stdout


def test_the_command_module_imports_on_its_own() -> None:
    """No import cycle with app.py (which imports every command module inside ``_register()``)."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", "import iamwarden.cli.snapshot_cmd"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


# --- org bundles ----------------------------------------------------------------------------------------------


def test_validate_an_org_bundle(tmp_path: Path) -> None:
    from tests.collect.org_bundles import MANAGEMENT, SANDBOX, write_test_bundle

    bundle = write_test_bundle(tmp_path / "org").directory
    result = CliRunner().invoke(app, ["snapshot", "validate", str(bundle)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"bundle:       {bundle / 'org.json'}"
    assert lines[1] == f"organization: o-abcdef1234 (management account {MANAGEMENT}, feature set ALL)"
    assert lines[3] == "accounts:     4 (3 collected, 1 gap); 3 OUs; 2 SCPs, 0 RCPs; 1 delegated administrator"
    assert lines[4].split() == ["Account", "Name", "OU", "Snapshot"]  # scan's table style: a header, a rule
    assert lines[6].split()[:3] == [MANAGEMENT, "management", "Root"]
    assert lines[6].rstrip().endswith(f"accounts/{MANAGEMENT}.json.gz: 0 gaps")
    assert "Root/Workloads/Prod" in lines[7]
    assert lines[9].startswith(f"{SANDBOX}  sandbox")
    assert f"gap: AccessDenied: User: arn:aws:iam::{MANAGEMENT}:user/auditor is not authorized" in lines[9]
    assert lines[-1] == "OK"
    assert result.stderr == ""


def test_validate_a_bundle_with_unreadable_snapshots(tmp_path: Path) -> None:
    from tests.collect.org_bundles import DEV, PROD, write_test_bundle

    bundle = write_test_bundle(tmp_path / "org").directory
    prod = bundle / "accounts" / f"{PROD}.json.gz"
    prod.unlink()
    dev = bundle / "accounts" / f"{DEV}.json.gz"
    dev.write_bytes(b"{}")
    result = _run("validate", bundle)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {prod}: no such file (listed in org.json)",
        f"error: {dev}: byte 0: not valid gzip data (Not a gzipped file (b'{{}}'))",
    ]
    assert f"accounts/{PROD}.json.gz: unreadable" in result.stdout
    assert "OK" not in result.stdout.splitlines()


def test_validate_a_folder_without_org_json(tmp_path: Path) -> None:
    result = _run("validate", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'org.json'}: no such file: not an org bundle (iamwarden collect --org writes one)"
    ]
    assert result.stdout == ""
