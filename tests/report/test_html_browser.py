"""The HTML report in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright): the demo account's report
loads from file:// with no console error and no network request, the filters show the rows the data says, the
details panel shows evidence, statements and remediation, the escalation graph's names fit their boxes and its labels
the drawing, and a screenshot is taken.

Outside CI the tests skip when Chromium or Playwright is missing; under CI (``CI`` set) they fail instead:
``.ci/run`` installs Chromium.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from iamwarden.checks.runner import Assessment, run_checks
from iamwarden.checks.suppressions import Suppression
from iamwarden.collect.snapshot import read_snapshot
from iamwarden.model import build_account
from iamwarden.report.findings_json import report_json
from iamwarden.report.html import write_html

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO = Path(__file__).parents[2] / "demo" / "demo-account.json.gz"
PAGE_SIZE = 100
SUPPRESSIONS = [
    Suppression("credentials.inactive_keys", "*", "kept until the audit closes", date(2099, 1, 1), "secops", "test"),
    Suppression("password_policy.*", "*", "old exception", date(2020, 1, 1), None, "test"),
]


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the browser tests (.ci/run installs chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is missing (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    account = build_account(read_snapshot(DEMO))
    return run_checks(account, suppressions=SUPPRESSIONS, today=date(2026, 11, 20))


@pytest.fixture(scope="module")
def report(assessment: Assessment) -> dict[str, Any]:
    return report_json(assessment)


@pytest.fixture(scope="module")
def html_file(assessment: Assessment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    write_html(assessment, path)
    return path


@dataclass
class Watched:
    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@pytest.fixture
def watched(browser: Browser, html_file: Path) -> Iterator[Watched]:
    """The report opened in a fresh page, with its console errors, page errors and network requests recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    seen = Watched(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            seen.errors.append(f"console {message.type}: {message.text}")

    def on_failed(request: Request) -> None:
        seen.failed.append(f"{request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.errors.append(f"page error: {error}"))
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("requestfailed", on_failed)
    page.goto(html_file.as_uri())
    page.wait_for_selector("html[data-ready=true]", timeout=30_000)
    yield seen
    context.close()


def shown(page: Page) -> tuple[int, int]:
    """(results matching the filters, rows in the table)."""
    count = page.get_attribute("#count", "data-count")
    assert count is not None
    return int(count), page.locator("#rows > tr").count()


def haystack(finding: dict[str, Any]) -> str:
    """The text the page's search looks in (its ``hay`` function), for the expected counts."""
    evidence = json.dumps(finding["evidence"], separators=(",", ":"), ensure_ascii=False)
    parts = [finding[k] for k in ("check", "resource", "resource_type", "detail", "title", "id", "status", "severity")]
    return "\n".join([*parts, evidence]).lower()


def test_loads_from_file_without_errors_or_network(watched: Watched, report: dict[str, Any], html_file: Path) -> None:
    page = watched.page
    assert shown(page) == (len(report["findings"]), PAGE_SIZE)
    assert page.text_content("h1") == "IAM best practices: northwind-analytics-prod"
    assert "444455556666" in (page.text_content("header.top") or "")
    assert page.locator(".scores tbody tr").count() == 11
    first = page.evaluate("performance.getEntriesByName('iw-first-render')[0].startTime")
    assert first > 0
    assert watched.errors == []
    assert watched.failed == []
    assert watched.requests == [html_file.as_uri()]


def test_default_order_is_failures_first_worst_first(watched: Watched, report: dict[str, Any]) -> None:
    statuses = ["fail", "unknown", "pass", "not_applicable"]
    severities = ["critical", "high", "medium", "low", "info"]
    ranked = sorted(
        enumerate(report["findings"]),
        key=lambda item: (
            bool(item[1].get("suppressed")),
            statuses.index(item[1]["status"]),
            severities.index(item[1]["severity"]),
            item[1]["practice"],
            item[0],
        ),
    )
    expected = [(f["check"], f["resource"]) for _, f in ranked[:PAGE_SIZE]]
    page = watched.page
    rows = list(
        zip(
            page.locator("#rows .c-check").all_text_contents(),
            page.locator("#rows .c-resource").all_text_contents(),
            strict=True,
        )
    )
    assert rows == expected
    page.click("#p-last")
    last = [(f["check"], f["resource"]) for _, f in ranked[-(len(ranked) % PAGE_SIZE or PAGE_SIZE) :]]
    assert page.locator("#rows .c-check").all_text_contents() == [c for c, _ in last]


@pytest.mark.parametrize("severity", ["critical", "high", "info"])
def test_severity_filter_shows_the_matching_rows(watched: Watched, report: dict[str, Any], severity: str) -> None:
    expected = sum(1 for f in report["findings"] if f["severity"] == severity)
    assert expected > 0
    watched.page.select_option("#f-severity", severity)
    assert shown(watched.page) == (expected, min(expected, PAGE_SIZE))
    severities = watched.page.locator("#rows .c-sev").all_text_contents()
    assert set(severities) == {severity}
    assert watched.errors == []


@pytest.mark.parametrize("text", ["svc-ci-legacy", "legacy-full-access", "MFA device", "no-such-text-anywhere"])
def test_text_filter_shows_the_matching_rows(watched: Watched, report: dict[str, Any], text: str) -> None:
    terms = text.lower().split()
    expected = sum(1 for f in report["findings"] if all(t in haystack(f) for t in terms))
    watched.page.fill("#f-text", text)
    assert shown(watched.page) == (expected, min(expected, PAGE_SIZE))
    if expected == 0:
        assert "No results match" in (watched.page.text_content("#count") or "")
    assert watched.errors == []


def test_filters_combine_and_clear(watched: Watched, report: dict[str, Any]) -> None:
    page = watched.page
    expected = sum(
        1 for f in report["findings"] if f["practice"] == 1 and f["status"] == "fail" and "role/" in haystack(f)
    )
    page.select_option("#f-practice", "1")
    page.select_option("#f-status", "fail")
    page.fill("#f-text", "role/")
    assert shown(page) == (expected, min(expected, PAGE_SIZE))
    page.click("#f-clear")
    page.wait_for_selector(
        f"#count[data-count='{len(report['findings'])}']", state="attached"
    )  # no eval: the CSP forbids it
    assert page.input_value("#f-text") == "" and page.input_value("#f-status") == ""


def test_practice_row_filters_and_pages_turn(watched: Watched, report: dict[str, Any]) -> None:
    page = watched.page
    in_practice = sum(1 for f in report["findings"] if f["practice"] == 6)
    page.click(".scores tbody tr[data-practice='6']")
    assert shown(page) == (in_practice, min(in_practice, PAGE_SIZE))
    assert page.input_value("#f-practice") == "6"
    page.select_option("#f-practice", "")
    page.click("#p-next")
    assert page.text_content("#p-info") == f"page 2 of {-(-len(report['findings']) // PAGE_SIZE)}"
    assert (page.text_content("#count") or "").startswith("Showing 101-200 of ")


def test_suppressed_results_have_a_badge_and_a_filter(watched: Watched, report: dict[str, Any]) -> None:
    page = watched.page
    suppressed = [f for f in report["findings"] if f.get("suppressed")]
    assert suppressed
    page.select_option("#f-suppressed", "only")
    assert shown(page) == (len(suppressed), len(suppressed))
    assert page.locator("#rows .badge.sup").count() == len(suppressed)
    page.select_option("#f-suppressed", "hide")
    assert shown(page)[0] == len(report["findings"]) - len(suppressed)
    assert "old exception" in (page.text_content("#suppressions") or "")  # the expired one, in the header


def test_details_panel_shows_statements_evidence_and_remediation(
    watched: Watched, report: dict[str, Any], tmp_path: Path
) -> None:
    page = watched.page
    admin = next(
        f for f in report["findings"] if f["check"] == "least_privilege.effective_admins" and f["status"] == "fail"
    )
    page.fill("#f-text", admin["id"])
    assert shown(page) == (1, 1)
    page.click("#rows > tr")
    panel = page.locator("#details")
    panel.wait_for(state="visible")
    assert page.text_content("#d-title") == admin["title"]
    statements = page.text_content("#d-statements") or ""
    for statement in admin["evidence"]["statements"]:
        assert statement["policy"] in statements and statement["detail"] in statements
    evidence = page.text_content("#d-evidence") or ""
    assert "admin_without_mfa" in evidence
    remediation = page.text_content("#d-remediation") or ""
    assert admin["remediation"]["summary"] in remediation
    assert admin["remediation"]["cli"][0] in remediation
    assert admin["remediation"]["console"][0] in remediation
    for reference in admin["references"]:
        assert page.locator(f"#details a[href='{reference}']").count() == 1
    shot = tmp_path / "report-details.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert watched.errors == [] and watched.failed == []


def test_column_headers_sort(watched: Watched, report: dict[str, Any]) -> None:
    page = watched.page
    page.click("button[data-sort='resource']")
    resources = sorted(f["resource"] for f in report["findings"])
    assert page.locator("#rows .c-resource").all_text_contents() == resources[:PAGE_SIZE]
    page.click("button[data-sort='resource']")
    assert page.locator("#rows .c-resource").all_text_contents() == resources[::-1][:PAGE_SIZE]
    page.click("button[data-sort='severity']")
    page.click("button[data-sort='severity']")
    ranks = ["critical", "high", "medium", "low", "info"]
    worst_last = sorted((f["severity"] for f in report["findings"]), key=ranks.index, reverse=True)
    assert page.locator("#rows .c-sev").all_text_contents() == worst_last[:PAGE_SIZE]


def test_a_results_address_opens_its_details(browser: Browser, html_file: Path, report: dict[str, Any]) -> None:
    finding = next(f for f in report["findings"] if f["check"] == "roles.trust_open" and f["status"] == "fail")
    page = browser.new_page()
    try:
        page.goto(f"{html_file.as_uri()}#{finding['id']}")
        page.wait_for_selector("html[data-ready=true]")
        page.locator("#details").wait_for(state="visible")
        assert finding["resource"] in (page.text_content("#d-body") or "")
        assert finding["evidence"]["trusted"][0]["principal"] in (page.text_content("#d-evidence") or "")
    finally:
        page.close()


def svg_boxes(watched: Watched, selector: str) -> list[dict[str, Any]]:
    """The SVG boxes (getBBox, in the drawing's units) of the elements ``selector`` finds in the graph."""
    found: list[dict[str, Any]] = watched.page.evaluate(
        """selector => [...document.querySelectorAll('#escalation svg ' + selector)].map(e => {
            const b = e.getBBox(); return {x: b.x, y: b.y, w: b.width, h: b.height, text: e.textContent}; })""",
        selector,
    )
    return found


def test_the_escalation_graph_draws_the_demo_paths(watched: Watched, html_file: Path, tmp_path: Path) -> None:
    page = watched.page
    graph = page.locator("#escalation svg.paths-graph")
    assert graph.is_visible()
    width, height = (float(graph.get_attribute(a) or 0) for a in ("width", "height"))
    nodes = page.locator("#escalation g.node")
    assert nodes.count() == 4
    assert page.locator("#escalation g.node.goal").get_attribute("data-name") == "role/cicd-policy-manager"
    rects, names = svg_boxes(watched, "g.node rect"), svg_boxes(watched, "g.node text")
    for rect, name in zip(rects, names, strict=True):  # the layout's width estimate holds in a real font
        assert rect["x"] <= name["x"] and name["x"] + name["w"] <= rect["x"] + rect["w"], name["text"]
    for label in svg_boxes(watched, "g.edge text"):
        assert label["x"] >= 0 and label["x"] + label["w"] <= width and 0 <= label["y"] <= height, label["text"]
    assert sorted(b["text"] for b in svg_boxes(watched, "g.edge text")) == [
        "iam-001",
        "lambda-001, lambda-003, lambda-004",
        "lambda-003, lambda-004, lambda-005",
        "sts-001",
    ]
    assert page.locator("#escalation g.edge.lateral").count() == 2
    assert page.locator("#escalation g.edge path[marker-end='url(#iw-paths-arrow)']").count() == 4
    assert page.locator("#escalation table.routes tbody tr").count() == 4
    page.locator("#escalation").screenshot(path=str(tmp_path / "escalation.png"))
    assert watched.errors == [] and watched.failed == []
    assert watched.requests == [html_file.as_uri()]
