"""The HTML report with many results, timed in headless Chromium (figures printed, nothing asserted).

.venv/bin/python benchmarks/html_report.py                     # 50,000 results
.venv/bin/python benchmarks/html_report.py --findings 10000 -o benchmarks/out/report-10000.html --runs 5

The results are the demo account's real ones (every check's metadata, evidence of the real shape), repeated with
numbered resources until there are ``--findings`` of them. The page is opened from file:// in /usr/bin/chromium
(Playwright, headless) and the figures come from the performance marks the page's script sets:

* load: navigation start to the first contentful paint (header and scorecard), to the report's script starting (the
  HTML, data element included, parsed), to the end of ``JSON.parse`` of the data and to the first table render
  (``iw-first-render``);
* search ready: the search text of every result built, in slices after the first render (``iw-search-ready``);
* filters: a text filter and a severity filter, each from the input event to the table rebuilt (the ``iw-filter``
  measure) and to the next painted frame (input event to a requestAnimationFrame callback then a task), median of
  ``--runs``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iamwarden.checks.base import Finding, Outcome
from iamwarden.checks.runner import Assessment, run_checks, summarize
from iamwarden.collect.snapshot import read_snapshot
from iamwarden.model import build_account
from iamwarden.report.html import write_html

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo" / "demo-account.json.gz"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# One filter change in the page: set the control, send the event, wait for the next frame; returns
# [iw-filter measure, input-to-next-frame] in ms and the number of matching results.
CHANGE = """async ([selector, value, eventName]) => {
  const control = document.querySelector(selector);
  const before = performance.getEntriesByName("iw-filter").length;
  const start = performance.now();
  control.value = value;
  control.dispatchEvent(new Event(eventName, { bubbles: true }));
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  const frame = performance.now() - start;
  const measures = performance.getEntriesByName("iw-filter");
  if (measures.length !== before + 1) { throw new Error("no iw-filter measure for " + selector); }
  return [measures[measures.length - 1].duration, frame, Number(document.getElementById("count").dataset.count)];
}"""


def many_findings(count: int) -> Assessment:
    """The demo's results repeated with numbered resources (unique finding ids) up to ``count``."""
    base = run_checks(build_account(read_snapshot(DEMO)))
    findings: list[Finding] = []
    copy = 0
    while len(findings) < count:
        for f in base.findings:
            if len(findings) == count:
                break
            o = f.outcome
            resource = o.resource if copy == 0 else f"{o.resource}-{copy:05d}"
            findings.append(
                Finding(f.check, Outcome(o.status, resource, o.detail, o.evidence, o.resource_type, o.severity))
            )
        copy += 1
    numbers = [p.number for p in base.practices]
    return Assessment(base.account, base.thresholds, base.checks, tuple(findings), summarize(findings, numbers))


def watch(page: Page) -> list[str]:
    """The page's script errors and console errors, as they come."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", on_console)
    return errors


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values):7.1f} ms (min {min(values):.1f}, max {max(values):.1f})"


def measure(path: Path, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        print(f"chromium {browser.version}, headless")
        loads: list[dict[str, float]] = []
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors = watch(page)
            start = time.perf_counter()
            page.goto(path.resolve().as_uri(), timeout=300_000)
            page.wait_for_selector("html[data-ready=true]", timeout=300_000)
            wall = (time.perf_counter() - start) * 1000
            page.wait_for_selector("html[data-search-ready=true]", timeout=300_000)
            marks: dict[str, Any] = page.evaluate(
                """() => Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime]))"""
            )
            paint: float = page.evaluate(
                "(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime"
            )
            nav: float = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
            heap: float = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
            loads.append(
                {
                    "paint": paint,
                    "script": marks["iw-script-start"],
                    "parsed": marks["iw-data-parsed"],
                    "first": marks["iw-first-render"],
                    "search": marks["iw-search-ready"],
                    "dcl": nav,
                    "wall": wall,
                    "heap": heap / 1e6,
                }
            )
            if errors:
                sys.exit(f"page errors: {errors}")
            last = page
            if len(loads) < runs:
                page.close()
        print(f"load, navigation start -> first paint:        {median_ms([x['paint'] for x in loads])}")
        print(f"load, navigation start -> script starts:      {median_ms([x['script'] for x in loads])}")
        print(f"load, navigation start -> data parsed:        {median_ms([x['parsed'] for x in loads])}")
        print(f"load, navigation start -> first table render: {median_ms([x['first'] for x in loads])}")
        print(f"load, DOMContentLoaded end:                   {median_ms([x['dcl'] for x in loads])}")
        print(f"load, goto() to rendered, seen from Python:   {median_ms([x['wall'] for x in loads])}")
        print(f"search text of every result built at:        {median_ms([x['search'] for x in loads])}")
        print(f"JS heap used after load: {statistics.median(x['heap'] for x in loads):.0f} MB")

        cases = [  # label, control, value before, value measured, event
            ("text filter 'svc-ci-legacy'", "#f-text", "", "svc-ci-legacy", "input"),
            ("text filter 'legacy-full-access'", "#f-text", "", "legacy-full-access", "input"),
            ("text filter 'role/ admin' (2 words)", "#f-text", "", "role/ admin", "input"),
            ("text filter cleared", "#f-text", "svc-ci-legacy", "", "input"),
            ("severity filter 'high'", "#f-severity", "", "high", "change"),
            ("severity filter 'critical'", "#f-severity", "", "critical", "change"),
            ("severity filter cleared", "#f-severity", "critical", "", "change"),
            ("status filter 'fail'", "#f-status", "", "fail", "change"),
        ]
        print(f"filter changes, median of {runs} (iw-filter: filter + page rebuilt; frame: input event to next frame)")
        for label, selector, before, value, event in cases:
            filtered: list[float] = []
            framed: list[float] = []
            matched = 0
            for _ in range(runs):
                last.evaluate(CHANGE, [selector, before, event])
                took, frame, matched = last.evaluate(CHANGE, [selector, value, event])
                filtered.append(took)
                framed.append(frame)
            print(f"  {label:40s} {matched:6d} results  iw-filter {median_ms(filtered)}  frame {median_ms(framed)}")
            last.evaluate(CHANGE, [selector, "", event])
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, default=50_000)
    parser.add_argument("-o", "--output", type=Path, help="where to write the HTML (default: a temporary file)")
    parser.add_argument("--runs", type=int, default=3, help="page loads and repetitions of each filter (median)")
    args = parser.parse_args()

    start = time.perf_counter()
    assessment = many_findings(args.findings)
    print(f"{len(assessment.findings)} results built in {time.perf_counter() - start:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.output or Path(tmp) / "report.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        write_html(assessment, path)
        print(f"write_html: {time.perf_counter() - start:.2f} s, {path.stat().st_size / 1e6:.1f} MB ({path})")
        measure(path, args.runs)


if __name__ == "__main__":
    main()
