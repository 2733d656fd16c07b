"""Rewrite the issue-code tables of docs/lint.md (between its ``codes:begin`` and ``codes:end`` marks) from the
linter's rule tables. Run after adding or renaming a code: ``.venv/bin/python scripts/write_lint_doc.py``."""

from __future__ import annotations

from pathlib import Path

from iamwarden.policy.lint.rules import markdown_tables

DOC = Path(__file__).resolve().parent.parent / "docs" / "lint.md"
BEGIN, END = "<!-- codes:begin -->\n", "<!-- codes:end -->\n"


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + BEGIN + "\n" + markdown_tables() + "\n" + END + tail, encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
