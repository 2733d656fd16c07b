"""Write docs/checks.md and docs/configuration.md from the check registry and the thresholds.

Run after adding or changing a check: ``.venv/bin/python scripts/write_checks_doc.py``.
"""

from __future__ import annotations

from pathlib import Path

from iamwarden.report.checks_doc import render_checks_markdown, render_configuration_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main() -> None:
    (DOCS / "checks.md").write_text(render_checks_markdown(), encoding="utf-8")
    (DOCS / "configuration.md").write_text(render_configuration_markdown(), encoding="utf-8")
    print(f"wrote {DOCS / 'checks.md'} and {DOCS / 'configuration.md'}")


if __name__ == "__main__":
    main()
