"""The HTML report without a browser: one self-contained file, report text escaped, the embedded data complete."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import orjson
import pytest

from iamwarden.checks.base import Finding, Outcome, Status
from iamwarden.checks.runner import Assessment, run_checks
from iamwarden.checks.suppressions import Suppression
from iamwarden.collect.apis import GLOBAL, NO_TARGET
from iamwarden.collect.snapshot import Gap
from iamwarden.report.findings_json import report_json
from iamwarden.report.html import DATA_ELEMENT_ID, render_html, write_html
from tests.checks.harness import build_case_account

SNAPSHOT = {
    "summary": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0},
    "users": [{"name": "alice", "attached": ["arn:aws:iam::aws:policy/AdministratorAccess"]}, {"name": "bob"}],
    "policies": [
        {
            "arn": "arn:aws:iam::aws:policy/AdministratorAccess",
            "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        }
    ],
    "password_policy": None,
}
HOSTILE = '<script>alert("x")</script><!-- </script><img src=x onerror=alert(1)>'


class Page(HTMLParser):
    """Every start tag with its attributes, and the text of each <script> and <style> element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: list[tuple[str, dict[str, str | None], str]] = []
        self._open: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open = (tag, dict(attrs))
            self.raw.append((tag, dict(attrs), ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            tag, attrs, text = self.raw[-1]
            self.raw[-1] = (tag, attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag == self._open[0]:
            self._open = None


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    suppressions = [
        Suppression("groups.user_in_group", "*", "contractors are managed by the HR system", owner="it-ops"),
        Suppression("root.*", "*", "old exception", expires=date(2020, 1, 1), origin="iamwarden.toml suppressions[1]"),
    ]
    return run_checks(build_case_account(SNAPSHOT), suppressions=suppressions, today=date(2026, 11, 20))


def hostile(assessment: Assessment) -> Assessment:
    """The assessment with report text an attacker could shape (names, tags, policy text) holding markup."""
    first = assessment.findings[0]
    outcome = Outcome(
        Status.FAIL,
        first.resource,
        f"detail {HOSTILE}",
        {"note": HOSTILE, "statements": [{"policy": HOSTILE, "statement": "#0", "detail": HOSTILE}]},
    )
    account = replace(
        assessment.account,
        alias=HOSTILE,
        gaps=(Gap("iam:ListUsers", GLOBAL, NO_TARGET, "AccessDenied", HOSTILE),),
    )
    findings = (Finding(first.check, outcome), *assessment.findings[1:])
    return replace(assessment, account=account, findings=findings)


def embedded(text: str) -> dict[str, Any]:
    scripts = [s for s in parse(text).raw if s[0] == "script" and s[1].get("id") == DATA_ELEMENT_ID]
    assert len(scripts) == 1 and scripts[0][1].get("type") == "application/json"
    data: dict[str, Any] = json.loads(scripts[0][2])
    return data


def test_the_page_loads_nothing_from_outside(assessment: Assessment) -> None:
    text = render_html(assessment)
    page = parse(text)
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "action", "data", "poster"):
            value = attrs.get(name)
            assert value is None or not re.match(r"^\s*(https?:)?//", value, re.I), (tag, name, value)
        assert not (tag == "link" and attrs.get("rel") in ("stylesheet", "preload", "import")), attrs
        assert not (tag == "script" and "src" in attrs), attrs
    assert [t for t, _ in page.tags if t == "iframe"] == []
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and csp.startswith("default-src 'none';")
    assert "@import" not in text and "url(http" not in text


def test_the_policy_admits_exactly_the_inline_script_and_style(assessment: Assessment) -> None:
    page = parse(render_html(assessment))
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    code = [(tag, body) for tag, attrs, body in page.raw if attrs.get("type") != "application/json"]
    assert [tag for tag, _ in code] == ["style", "script"]
    for tag, body in code:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert directives[f"{tag}-src"] == [f"'sha256-{digest}'"]


def test_report_text_is_escaped(assessment: Assessment) -> None:
    text = render_html(hostile(assessment))
    assert 'alert("x")' not in text
    assert "<img src=x" not in text
    assert text.count("<script") == 2  # the data element and the report's own script
    assert text.count("</script>") == 2
    assert "<!-- " not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text  # the alias in the header, escaped by the template
    data = embedded(text)
    assert data["account"]["alias"] == HOSTILE
    assert data["snapshot"]["gaps"][0].endswith(f"({HOSTILE})")
    assert data["findings"][0]["detail"] == f"detail {HOSTILE}"
    assert data["findings"][0]["evidence"]["statements"][0]["policy"] == HOSTILE


def test_the_embedded_data_is_the_json_report(assessment: Assessment) -> None:
    data = embedded(render_html(assessment))
    expected = orjson.loads(orjson.dumps(report_json(assessment)))
    checks = data.pop("checks")
    findings = [{**{k: v for k, v in checks[f["check"]].items() if k != "why"}, **f} for f in data.pop("findings")]
    assert findings == expected.pop("findings")
    assert data == expected
    assert {c.id for c in assessment.checks} == set(checks)
    assert all(c["why"] and c["remediation"]["summary"] for c in checks.values())
    suppressed = [f for f in findings if f.get("suppressed")]
    assert suppressed and all(f["check"] == "groups.user_in_group" for f in suppressed)
    assert data["suppressions"]["expired"][0]["expires"] == "2020-01-01"


def test_the_header_shows_the_account_gaps_and_expired_suppressions(assessment: Assessment) -> None:
    account = replace(assessment.account, gaps=(Gap("iam:GetAccountSummary", GLOBAL, NO_TARGET, "AccessDenied"),))
    text = render_html(replace(assessment, account=account))
    assert assessment.account.account_id in text
    assert "iam:GetAccountSummary: AccessDenied" in text
    assert "1 collection gap:" in text
    assert "expired 2020-01-01" in text and "old exception" in text
    assert text.count('<tr data-practice="') == len(assessment.practices)


def test_write_html_replaces_the_file_atomically(assessment: Assessment, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text("old")
    write_html(assessment, path)
    assert path.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
