"""docs/checks.md and docs/configuration.md are generated from the code; regenerate with
``.venv/bin/python scripts/write_checks_doc.py``."""

from __future__ import annotations

from pathlib import Path

from iamwarden.checks.registry import CHECKS
from iamwarden.report.checks_doc import render_checks_markdown, render_configuration_markdown

DOCS = Path(__file__).parents[2] / "docs"


def test_checks_doc_is_current() -> None:
    assert (DOCS / "checks.md").read_text(encoding="utf-8") == render_checks_markdown(), (
        "docs/checks.md is stale: run scripts/write_checks_doc.py"
    )


def test_configuration_doc_is_current() -> None:
    assert (DOCS / "configuration.md").read_text(encoding="utf-8") == render_configuration_markdown(), (
        "docs/configuration.md is stale: run scripts/write_checks_doc.py"
    )


def test_every_check_is_listed() -> None:
    text = render_checks_markdown()
    assert all(f"| `{c.id}` |" in text for c in CHECKS)
