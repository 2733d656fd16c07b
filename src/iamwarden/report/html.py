"""The findings report as one self-contained HTML file: open it in a browser, nothing is fetched.

The page holds an account header, a scorecard per practice with a bar chart (inline SVG), and the results table with
filters (practice, severity, status, suppressed, free text), paging, sorting and a details panel (evidence, the policy
statements behind permission findings, remediation, references, compliance ids). CSS and JavaScript are inline; a
Content-Security-Policy ``default-src 'none'`` forbids any network fetch and any script other than the report's own.

The data is :func:`iamwarden.report.findings_json.report_json` embedded as JSON in
``<script type="application/json" id="iw-data">``, with every ``<`` written ``\\u003c`` so no text in it can close the
script element. To keep 50,000 results small, the fields every result of a check shares (``title``, ``compliance``,
``remediation``, ``references``) are stored once per check under ``"checks"`` (with the check's ``why``) and left out
of the results; the page merges them back. Every other field of a result, present or future, is kept as is.

The table renders one page of rows at a time and filters the in-memory array, so a large report stays responsive
(figures: ``benchmarks/html_report.py``). The template is rendered with autoescaping on; the script writes
report text with ``textContent`` only.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import orjson
from markupsafe import Markup

from iamwarden.checks.base import PRACTICES, Severity, Status
from iamwarden.checks.runner import Assessment
from iamwarden.report.detect_html import activity_view
from iamwarden.report.findings_json import report_json
from iamwarden.report.paths_svg import escalation_document, escalation_graph
from iamwarden.runtime import write_atomically

if TYPE_CHECKING:
    from iamwarden.detections import Detection
    from iamwarden.report.trends import HistoryView

CHECK_FIELDS = ("title", "compliance", "remediation", "references")
"""Result fields that come from the check's metadata: stored once per check in the page's data."""

DATA_ELEMENT_ID = "iw-data"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("iamwarden.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def _asset(name: str) -> str:
    """An inline asset (CSS or JS) of the template folder, as text (not a template: no Jinja syntax applies)."""
    text = (files("iamwarden.report") / "templates" / name).read_text(encoding="utf-8")
    if "</" in text and name.endswith(".js"):
        raise ValueError(f"templates/{name} must not contain '</' (it would end the inline script)")
    return text


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def page_data(assessment: Assessment) -> dict[str, Any]:
    """The report JSON as the page embeds it: results without the fields their check holds (see the module doc)."""
    report = report_json(assessment)
    why = {check.id: check.metadata.why for check in assessment.checks}
    checks: dict[str, dict[str, Any]] = {}
    findings: list[dict[str, Any]] = []
    for finding in report["findings"]:
        shared = {k: finding[k] for k in CHECK_FIELDS if k in finding}
        known = checks.setdefault(finding["check"], shared)
        if known == shared:
            finding = {k: v for k, v in finding.items() if k not in shared}
        findings.append(finding)
    for check_id, fields in checks.items():
        if check_id in why:
            fields["why"] = why[check_id]
    return {**report, "checks": checks, "findings": findings}


def script_json(data: Any) -> Markup:
    """``data`` as JSON safe inside a ``<script>`` element: every ``<`` escaped as ``\\u003c`` (so neither ``</script>``
    nor ``<!--`` can appear); JSON.parse reads it back unchanged."""
    return Markup(orjson.dumps(data).decode("utf-8").replace("<", "\\u003c"))


def render_html(assessment: Assessment, history: HistoryView | None = None, activity: Detection | None = None) -> str:
    """The whole page as text; with ``history`` (``scan --record``), its trends and what changed since the previous
    scan (:mod:`iamwarden.report.trends`); with ``activity`` (``scan --cloudtrail``), the Activity section
    (:mod:`iamwarden.report.detect_html`)."""
    data = page_data(assessment)
    trends: dict[str, Any] | None = None
    changes: dict[str, Any] | None = None
    if history is not None:
        from iamwarden.report.changes import changes_view
        from iamwarden.report.trends import trends_data

        trends = trends_data(history, assessment)
        changes = changes_view(history.changes) if history.changes is not None else None
    escalation = escalation_graph(escalation_document(data["findings"], data["account"]["id"]))
    css = _asset("report.css")
    js = _asset("report.js")
    csp = (
        "default-src 'none'; "
        f"style-src {_csp_hash(css)}; "
        f"script-src {_csp_hash(js)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=data,
        practices=data["summary"]["practices"],
        practice_titles=PRACTICES,
        severities=[s.value for s in Severity],
        statuses=[s.value for s in Status],
        data_id=DATA_ELEMENT_ID,
        data_json=script_json(data),
        css=Markup(css),
        js=Markup(js),
        csp=csp,
        trends=trends,
        changes=changes,
        escalation=escalation,
        activity=activity_view(activity) if activity is not None else None,
    )


def write_html(
    assessment: Assessment, path: Path, history: HistoryView | None = None, activity: Detection | None = None
) -> None:
    """Write the HTML report to ``path`` atomically (:func:`iamwarden.runtime.write_atomically`)."""
    write_atomically(path, render_html(assessment, history, activity).encode("utf-8"), "the HTML report")
