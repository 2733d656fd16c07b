"""``iamwarden scan`` exit codes (0 / 1 with --fail-on / 2 bad input / 3 internal error / 4 an output not written),
suppressions from the command line and iamwarden.toml, and --compliance output."""

from __future__ import annotations

import gc
import re
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from iamwarden.cli.app import app, main

DEMO = Path(__file__).resolve().parents[2] / "demo" / "demo-account.json.gz"
runner = CliRunner()
WIDE = {"COLUMNS": "220"}

# The demo's critical failures, suppressed until the end of 2026.
CRITICAL_ACCEPTED = """\
- check: mfa.admin_users
  resource: "arn:aws:iam::444455556666:user/*"
  reason: admin users get MFA with the SSO move
  expires: 2026-12-31
- check: least_privilege.effective_admins
  resource: "arn:aws:iam::444455556666:user/*"
  reason: admin users move to Identity Center with the SSO move
  expires: 2026-12-31
  owner: iam-team
- check: "secrets.*"
  resource: "re:arn:aws:(lambda|ec2):us-east-1:444455556666:.*"
  reason: rotated, removal scheduled
  expires: 2026-12-31
- check: roles.oidc_subject
  reason: repo-scoped by an SCP
- check: least_privilege.privilege_escalation
  resource: "arn:aws:iam::444455556666:role/*"
  reason: pipeline roles, reviewed by the platform team
  expires: 2026-12-31
"""


def critical_failures(tmp_path: Path) -> int:
    """How many critical failures the demo scan has (counted from its JSON report, not hard-coded)."""
    out = tmp_path / "all.json"
    assert runner.invoke(app, ["scan", "-s", str(DEMO), "-f", "json", "-o", str(out)]).exit_code == 0
    findings = orjson.loads(out.read_bytes())["findings"]
    return sum(1 for f in findings if f["status"] == "fail" and f["severity"] == "critical")


def scan(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["scan", "-s", str(DEMO), *args], env=WIDE)
    return result.exit_code, result.output


def test_default_never_fails_whatever_is_found() -> None:
    code, out = scan("-f", "console")
    assert code == 0 and "Failing checks" in out


def test_fail_on_gates_on_unsuppressed_failures(tmp_path: Path) -> None:
    accepted = tmp_path / "accepted.yaml"
    accepted.write_text(CRITICAL_ACCEPTED)
    critical = critical_failures(tmp_path)
    assert critical >= 5
    code, out = scan("--fail-on", "critical")
    assert code == 1 and f"{critical} unsuppressed failures at or above critical (--fail-on): exit 1" in out
    code, out = scan("--fail-on", "critical", "--suppressions", str(accepted), "--today", "2026-12-31")
    assert code == 0, out
    suppressed = re.search(r"(\d+) results suppressed by 5 suppressions of 5", out)
    assert suppressed and int(suppressed.group(1)) >= critical  # roles.oidc_subject's suppression has no severity
    code, out = scan("--fail-on", "high", "--suppressions", str(accepted), "--today", "2026-12-31")
    assert code == 1  # high failures are not accepted


def test_an_expired_suppression_is_reported_and_counts_again(tmp_path: Path) -> None:
    config = tmp_path / "iamwarden.toml"
    config.write_text(
        '[[suppressions]]\ncheck = "mfa.admin_users"\nreason = "SSO move"\nexpires = 2025-03-31\nowner = "iam-team"\n'
    )
    out_dir = tmp_path / "out"
    code, out = scan("--config", str(config), "--fail-on", "critical", "-d", str(out_dir))
    assert code == 1
    assert (
        f"warning: suppression {config} suppressions[1], line 1 (check mfa.admin_users, resource *) expired on "
        "2025-03-31: its 2 results count again (reason was: SSO move; owner iam-team)" in out
    )
    doc = orjson.loads((out_dir / "findings.json").read_bytes())
    assert [s["expires"] for s in doc["suppressions"]["expired"]] == ["2025-03-31"]
    assert doc["suppressions"]["expired"][0]["results"] == 2
    flagged = [f for f in doc["findings"] if "suppression_expired" in f]
    assert {f["check"] for f in flagged} == {"mfa.admin_users"} and len(flagged) == 2
    assert not any("suppressed" in f for f in doc["findings"])
    code, out = scan("--config", str(config), "-f", "json", "-o", str(tmp_path / "f.json"))
    assert code == 0 and "expired on 2025-03-31" in out  # on stderr without the console format


BAD_INPUT = [
    (["--fail-on", "severe"], "error: command line: --fail-on: unknown severity 'severe'"),
    (["--compliance", "cis-aws-v3"], "error: command line: --compliance: unknown framework 'cis-aws-v3'"),
    (["--today", "tomorrow"], "error: command line: --today: expected a date"),
    (["--suppressions", "/nonexistent/accepted.yaml"], "error: /nonexistent/accepted.yaml: no such file"),
    (["--no-such-option"], "No such option"),
]


@pytest.mark.parametrize(("args", "expected"), BAD_INPUT)
def test_usage_and_input_errors_exit_2(args: list[str], expected: str) -> None:
    code, out = scan(*args)
    assert code == 2 and expected in out, out


@pytest.mark.parametrize("args", [["-f", "json", "-o", "{blocker}/findings.json"], ["-d", "{blocker}/out"]])
def test_a_report_that_cannot_be_written_exits_4(tmp_path: Path, args: list[str]) -> None:
    """The input was fine, the destination is not: its own exit code, not the bad-input one."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    code, out = scan(*(a.format(blocker=blocker) for a in args))
    assert code == 4, out
    (line,) = out.strip().splitlines()[-1:]
    assert line.startswith(f"error: {blocker}/") and ": cannot write " in line, out


def test_bad_suppression_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "accepted.yaml"
    bad.write_text("- check: root.*\n  reason: org root\n- check: mfa.*\n  reasn: typo\n")
    code, out = scan("--suppressions", str(bad))
    assert code == 2
    assert out.startswith(f"error: {bad}: line 4: item 2.reasn: unknown key"), out


def test_compliance_is_printed_and_written_next_to_the_reports(tmp_path: Path) -> None:
    code, out = scan("--compliance", "cis-aws-v6", "-d", str(tmp_path / "out"))
    assert code == 0
    assert "CIS Amazon Web Services Foundations Benchmark v6.0.0" in out and "5.16" in out
    doc = orjson.loads((tmp_path / "out" / "compliance-cis-aws-v6.json").read_bytes())
    assert {r["id"]: r["status"] for r in doc["requirements"]}["2.9"] == "fail"
    code, out = scan("-f", "json", "-o", str(tmp_path / "f.json"), "--compliance", "cis-aws-v6")
    assert code == 0 and (tmp_path / "compliance-cis-aws-v6.json").is_file()
    assert "CIS Amazon" not in out  # no console format: written, not printed


def test_internal_error_exits_3_with_a_bug_report_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import iamwarden.checks.runner

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected fault")

    monkeypatch.setattr(iamwarden.checks.runner, "run_checks", broken)
    monkeypatch.setattr(sys, "argv", ["iamwarden", "scan", "-s", str(DEMO), "-f", "json", "-o", "/dev/null"])
    monkeypatch.delenv("IAMWARDEN_DEBUG", raising=False)
    with pytest.raises(SystemExit) as caught:
        main()
    assert gc.get_freeze_count() > 0  # the process is about to end: the heap is left to the exit
    gc.unfreeze()  # this one goes on (the test run)
    assert caught.value.code == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: injected fault" in err and "please report it" in err
