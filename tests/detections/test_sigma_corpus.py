"""SigmaHQ's 57 CloudTrail rules (DRL 1.1) all load: each compiles and runs, or is reported with its reason."""

from __future__ import annotations

import pytest

from iamwarden.detections import detect, load_rules
from tests.corpora import SIGMA, STRATUS

pytestmark = pytest.mark.skipif(not SIGMA.is_dir(), reason="SigmaHQ corpus not present")


def test_every_rule_compiles_or_says_why() -> None:
    rules = load_rules([SIGMA / "rules"], pack=False)
    assert rules.files == 57
    assert len(rules.rules) + len(rules.unsupported) == 57
    reasons = {u.source.rsplit("/", 1)[-1]: u.reason for u in rules.unsupported}
    # the one rule naming a field CloudTrail records do not have ("status") is refused, not run to never match
    assert reasons == {"aws_delete_saml_provider.yml": reasons["aws_delete_saml_provider.yml"]}
    assert "'status'" in reasons["aws_delete_saml_provider.yml"]
    for compiled in rules.rules:
        assert compiled.info.license == "DRL-1.1"
        assert compiled.info.author != "unknown"
        assert set(compiled.sql) == {"duckdb", "spark"}


@pytest.mark.skipif(not STRATUS.is_dir(), reason="Stratus Red Team corpus not present")
def test_rules_run_and_alerts_name_author_and_licence() -> None:
    rules = load_rules([SIGMA / "rules"], pack=False)
    result = detect(sorted(STRATUS.glob("*.json")), rules)
    assert result.report.records == 310
    titles = {a.rule.title for a in result.alerts}
    assert "AWS IAM Backdoor Users Keys" in titles
    assert "AWS CloudTrail Important Change" in titles
    for alert in result.alerts:
        assert alert.rule.license == "DRL-1.1" and alert.rule.author
