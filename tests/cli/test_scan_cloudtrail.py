"""``scan --cloudtrail``: the demo account's HTML report gets an Activity section from the demo trail, whose
escalation walk (sts-001 then iam-001) the account's own paths turn into critical alerts; bad logs exit 2 with
nothing written."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from iamwarden.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo-account.json.gz"
TRAIL = ROOT / "demo" / "demo-trail.json"


def test_html_report_has_the_activity_section(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["scan", str(DEMO), "--cloudtrail", str(TRAIL), "-f", "console,html", "-o", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"CloudTrail: 8 alerts \(4 critical, .*\) from 10 records in 1 file", result.output)
    html = report.read_text()
    section = html[
        html.index('<section id="activity"') : html.index("</section>", html.index('<section id="activity"'))
    ]
    rows = re.findall(r'<td class="sev-(\w+)">', section)
    assert rows[:4] == ["critical"] * 4 and len(rows) == 8  # every alert, worst first
    assert "Escalation path walked: role/cicd-policy-manager used iam-001" in section
    assert "aws.defense-evasion.cloudtrail-stop" in section and "T1562.008" in section
    assert 'href="#activity-1"' in section and 'id="activity-1"' in section  # a principal links to its timeline
    assert "IQoJb3JpZ2luX2VjEXAMPLETOKEN" not in html  # the quoted events' session token is masked


def test_without_cloudtrail_no_activity_section(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["scan", str(DEMO), "-f", "html", "-o", str(report)])
    assert result.exit_code == 0, result.output
    assert 'id="activity"' not in report.read_text()


def test_unreadable_logs_exit_2_and_write_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "trail.json"
    bad.write_text("not json\n")
    report = tmp_path / "out" / "report.html"
    result = CliRunner().invoke(app, ["scan", str(DEMO), "--cloudtrail", str(bad), "-f", "html", "-o", str(report)])
    assert result.exit_code == 2, result.output
    assert str(bad) in result.output and "not JSON" in result.output
    assert not report.exists()
