"""Every issue code the linter reports: its kind, a title and help text (shown in SARIF and docs/lint.md), one module
per kind (:mod:`.errors`, :mod:`.security`, :mod:`.warnings`, :mod:`.suggestions`).

Where IAM Access Analyzer has a check, the linter reports it under Access Analyzer's issue code and finding type
(``origin="access-analyzer"``; the help links to the check's section of the "IAM Access Analyzer policy check
reference" page). Codes of ours (``origin="iamwarden"``) are only for what Access Analyzer does not check. Codes are
stable: a code is never reused, and a renamed code stays in :data:`REDIRECTS` (as Ruff's ``rule_redirects``), so
``--ignore`` lists and saved reports that name the old code keep working.
"""

from __future__ import annotations

from iamwarden.policy.lint.rules import errors, security, suggestions, warnings
from iamwarden.policy.lint.rules.base import AA_DOC, KIND_ORDER, FindingKind, Rule

RULES: dict[str, Rule] = {
    rule.code: rule for table in (errors, security, warnings, suggestions) for rule in table.RULES
}

#: Renamed codes -> the code that replaced them (old codes are never reported; they are accepted where a user names
#: codes, e.g. ``iamwarden lint --ignore``).
REDIRECTS: dict[str, str] = {
    # Access Analyzer's TYPE_MISMATCH ("Use the operator type ... for the condition key")
    "OPERATOR_KEY_TYPE_MISMATCH": "TYPE_MISMATCH",
    # string operators on ARN keys: Access Analyzer's STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS; on Boolean,
    # numeric, date and IP keys they are TYPE_MISMATCH
    "STRING_OPERATOR_ON_TYPED_KEY": "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS",
}


def canonical(code: str) -> str | None:
    """The code ``code`` names today (itself, or what it was renamed to); ``None`` if no rule has it."""
    code = REDIRECTS.get(code, code)
    return code if code in RULES else None


def markdown_tables() -> str:
    """docs/lint.md's code tables (between its ``codes:begin`` and ``codes:end`` marks): one table per kind, then
    the renamed codes. ``scripts/write_lint_doc.py`` writes them; a test keeps them current."""
    lines: list[str] = []
    for kind in reversed(KIND_ORDER):
        lines += [f"### {kind}", "", "| Code | Origin | What it means |", "| --- | --- | --- |"]
        for rule in RULES.values():
            if rule.kind != kind:
                continue
            code = f"[`{rule.code}`]({rule.help_uri})" if rule.help_uri else f"`{rule.code}`"
            origin = "Access Analyzer" if rule.origin == "access-analyzer" else "iamwarden"
            lines.append(f"| {code} | {origin} | **{rule.title}.** {rule.help} |")
        lines.append("")
    lines += ["### Renamed codes", "", "| Old code | Reported as |", "| --- | --- |"]
    lines += [f"| `{old}` | `{new}` |" for old, new in REDIRECTS.items()]
    return "\n".join(lines) + "\n"


__all__ = ["AA_DOC", "KIND_ORDER", "REDIRECTS", "RULES", "FindingKind", "Rule", "canonical", "markdown_tables"]
