"""Alerts that know the account: the demo trail, in which role/github-deploy-infra assumes role/cicd-policy-manager
(sts-001) and that role makes its policy an administrator's (iam-001), as the demo's escalation graph predicts."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from iamwarden.analysis.context import AnalysisContext
from iamwarden.collect.snapshot import read_snapshot
from iamwarden.detections import Detection, detect, load_rules
from iamwarden.detections.context import account_facts, escalation_rules
from iamwarden.model import build_account

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo-account.json.gz"
TRAIL = ROOT / "demo" / "demo-trail.json"
ACCOUNT = "arn:aws:iam::444455556666:"


@cache
def run() -> Detection:
    context = AnalysisContext(build_account(read_snapshot(DEMO)))
    rules = load_rules(generated=[("escalation rules", escalation_rules(context))])
    assert rules.unsupported == []
    return detect([TRAIL], rules, facts=account_facts(context))


def test_escalation_walk_is_one_critical_alert_per_hop() -> None:
    walked = {(a.principal, a.rule.pathfinding): a for a in run().alerts if a.kind == "escalation"}
    assert set(walked) == {
        (ACCOUNT + "role/github-deploy-infra", "sts-001"),
        (ACCOUNT + "role/cicd-policy-manager", "iam-001"),
    }
    hop = walked[(ACCOUNT + "role/cicd-policy-manager", "iam-001")]
    assert hop.severity == "critical"
    assert [e["eventName"] for e in hop.events] == ["CreatePolicyVersion"]
    assert "policy/ci-policy-manager" in hop.rule.description


def test_alerts_say_who_the_principal_is() -> None:
    by = {(a.principal, a.rule.name): a for a in run().alerts}
    login = by[(ACCOUNT + "user/tom.baker", "stratus_console_login_without_mfa")]
    assert login.context["kind"] == "person" and login.context["mfa"] is False
    assert login.rule.level == "medium" and login.severity != "medium"
    assert any("without MFA" in r for r in login.reasons)
    stop = by[(ACCOUNT + "user/backup-operator", "stratus_cloudtrail_stop")]
    assert stop.context == {"kind": "not in the snapshot"} and stop.severity == "critical"


def test_no_snapshot_no_escalation_rules() -> None:
    plain = detect([TRAIL], load_rules())
    assert not [a for a in plain.alerts if a.kind == "escalation"]
    assert all(a.severity == a.rule.level for a in plain.alerts)


def test_activity_page(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from iamwarden.cli.app import app

    page = tmp_path / "activity.html"
    args = [
        "detect",
        str(TRAIL),
        "--snapshot",
        str(DEMO),
        "-f",
        "html,jsonl",
        "-o",
        str(tmp_path),
        "--fail-on",
        "critical",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output  # critical alerts: --fail-on critical fails the run
    html = page.read_text()
    assert "<script" not in html and "default-src &#39;none&#39;" in html  # the CSP, autoescaped in its attribute
    assert "Escalation path walked: role/cicd-policy-manager used iam-001" in html
    assert "IQoJb3JpZ2luX2VjEXAMPLETOKEN" not in html and "****OKEN" in html  # the session token masked
    assert (tmp_path / "alerts.jsonl").read_text().count("\n") == len(run().alerts)
