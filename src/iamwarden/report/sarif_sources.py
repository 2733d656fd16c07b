"""Text files SARIF results can point at, written next to the scan's reports (``scan --output-dir``).

GitHub code scanning shows an alert on a line of a text file in the repository; a gzip snapshot has no lines. So,
beside ``findings.sarif``:

- ``policies/managed/<name>.json``, ``policies/inline/<user|group|role>/<owner>/<name>.json`` and
  ``policies/trust/<role>.json``: each customer managed policy (its default version), inline policy and trust
  policy iamwarden judged, as plain JSON indented two spaces. A finding about one of them points at the line of the
  statement its evidence names (``"statement": "#2"``), else at the document's first line.
- ``account.txt``: what was scanned (account, source, date, regions), then one line per resource findings name; a
  finding about anything else (a user, the root, a trail, the account) points at its resource's line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from iamwarden.checks.base import Finding
from iamwarden.model import Account
from iamwarden.report.arns import short_arn
from iamwarden.runtime import write_atomically

ACCOUNT_FILE = "account.txt"
_UNSAFE = re.compile(r"[^A-Za-z0-9._+=@-]")


@dataclass(frozen=True, slots=True)
class Document:
    """A policy written out: its file and the first line of each statement (index -> line, 1-based)."""

    file: Path
    statements: Mapping[int, int]


@dataclass(frozen=True, slots=True)
class Sources:
    """Where each resource's findings point: its policy document, or its line of ``account.txt``."""

    documents: Mapping[str, Document]
    account_file: Path
    account_lines: Mapping[str, int]

    def locate(self, finding: Finding) -> tuple[Path, int]:
        document = self.documents.get(finding.resource)
        if document is not None:
            index = _statement_index(finding.outcome.evidence)
            return document.file, document.statements.get(index, 1) if index is not None else 1
        return self.account_file, self.account_lines.get(finding.resource, 1)


def _statement_index(evidence: Any) -> int | None:
    """The index of the first statement the evidence names (``"statement": "#2"``), if any."""
    if isinstance(evidence, Mapping):
        statement = evidence.get("statement")
        if isinstance(statement, str) and re.fullmatch(r"#\d+", statement):
            return int(statement[1:])
        children: Iterable[Any] = evidence.values()
    elif isinstance(evidence, list | tuple):
        children = evidence
    else:
        return None
    for child in children:
        found = _statement_index(child)
        if found is not None:
            return found
    return None


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name) or "_"


def _documents(account: Account) -> Iterable[tuple[str, Path, Any]]:
    """(resource name the checks use, file under the folder, document) of each policy judged."""
    for policy in account.policies:
        version = policy.default_version
        if not policy.aws_managed and version is not None:
            yield policy.arn, Path("policies", "managed", f"{_safe(policy.name)}.json"), version.document
    for kind, owners in (("user", account.users), ("group", account.groups), ("role", account.roles)):
        for owner in owners:
            for inline in owner.inline_policies:
                file = Path("policies", "inline", kind, _safe(owner.name), f"{_safe(inline.name)}.json")
                yield f"{owner.arn}/inline-policy/{inline.name}", file, inline.document
    for role in account.roles:
        if role.trust_policy is not None:
            yield f"{role.arn}/trust-policy", Path("policies", "trust", f"{_safe(role.name)}.json"), role.trust_policy


def _statement_lines(text: str) -> dict[int, int]:
    """The line of each statement of a document printed with two-space indents."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.startswith('  "Statement": ')), None)
    if start is None:
        return {}
    if not lines[start].endswith("["):
        return {0: start + 1}
    found: dict[int, int] = {}
    for n in range(start + 1, len(lines)):
        if lines[n] == "    {":
            found[len(found)] = n + 1
        elif lines[n].startswith("  ]"):
            break
    return found


def write_sources(account: Account, findings: Iterable[Finding], folder: Path) -> Sources:
    """Write the policy documents and ``account.txt`` into ``folder``; where each resource's findings point."""
    documents: dict[str, Document] = {}
    for resource, relative, document in _documents(account):
        text = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
        write_atomically(folder / relative, text.encode(), "a policy document for SARIF")
        documents[resource] = Document(folder / relative, _statement_lines(text))
    header = [
        f"AWS account {account.account_id}" + (f" ({account.alias})" if account.alias else ""),
        f"scanned by iamwarden from a {account.source} snapshot collected {account.collected_at:%Y-%m-%d %H:%M} UTC",
        f"regions: {', '.join(account.regions) or '-'}",
        "resources with findings (policies are in policies/):",
    ]
    lines = {account.account_id: 1}
    resources = sorted({f.resource for f in findings} - set(documents))
    for resource in resources:
        lines[resource] = len(header) + 1
        header.append(f"  {short_arn(resource, account.account_id)}  {resource}")
    account_file = folder / ACCOUNT_FILE
    write_atomically(account_file, ("\n".join(header) + "\n").encode(), "the account description for SARIF")
    return Sources(documents, account_file, lines)
