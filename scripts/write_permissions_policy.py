"""Write docs/iamwarden-readonly-policy.json, the generated part of docs/permissions.md, and for ``collect --org``
docs/iamwarden-org-management-policy.json and docs/iamwarden-member-role.stackset.yaml, from collect/apis.py and
collect/org.py.

Run after changing ``iamwarden.collect.apis.APIS``:  ``.venv/bin/python scripts/write_permissions_policy.py``
(``--check`` only reports whether the files are up to date, exit 1 when not).
"""

from __future__ import annotations

import sys
from pathlib import Path

from iamwarden.collect.permissions import (
    MANAGEMENT_POLICY_FILE,
    STACKSET_FILE,
    management_policy_text,
    member_role_template_text,
    readonly_policy_text,
    with_generated_section,
)

DOCS = Path(__file__).resolve().parent.parent / "docs"
POLICY_FILE = DOCS / "iamwarden-readonly-policy.json"
GUIDE_FILE = DOCS / "permissions.md"


def main(argv: list[str]) -> int:
    wanted = {
        POLICY_FILE: readonly_policy_text(),
        DOCS / MANAGEMENT_POLICY_FILE: management_policy_text(),
        DOCS / STACKSET_FILE: member_role_template_text(),
        GUIDE_FILE: with_generated_section(GUIDE_FILE.read_text(encoding="utf-8")),
    }
    stale = [path for path, text in wanted.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path} is out of date: run scripts/write_permissions_policy.py")
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
