"""Scan contents for the history tests: the demo account's (computed once), the demo's scripted second day, and small
synthetic ones."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import ModuleType

from iamwarden.checks.runner import run_checks
from iamwarden.collect.snapshot import Snapshot, read_snapshot
from iamwarden.model import build_account
from iamwarden.store.content import ResultRow, ScanContent, digest, scan_content

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo-account.json.gz"
ACCOUNT = "111122223333"


def demo_change_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_change", ROOT / "scripts" / "demo_change.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@cache
def demo_snapshots() -> tuple[Snapshot, Snapshot]:
    first = read_snapshot(DEMO)
    return first, demo_change_script().changed(first)


@cache
def _demo_content(day: int) -> ScanContent:
    snapshot = demo_snapshots()[day]
    account = build_account(snapshot)
    return scan_content(account, run_checks(account))


def demo_content(day: int = 0) -> ScanContent:
    """A fresh copy of the demo's content on day 0 (as bundled) or day 1 (after the scripted change)."""
    c = _demo_content(day)
    return replace(c, entities=dict(c.entities), results=dict(c.results), documents=dict(c.documents))


def small_content(when: datetime, *, failing: bool = True, account: str = ACCOUNT, tag: str = "") -> ScanContent:
    """One user with an inline policy, and one result that fails or passes."""
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    d = digest(policy)
    arn = f"arn:aws:iam::{account}:user/alice{tag}"
    user: dict[str, object] = {
        "name": f"alice{tag}",
        "groups": [],
        "attached": [],
        "inline": {"read": d},
        "boundary": None,
        "console": True,
    }
    result = ResultRow("iw-00000000000000aa", "mfa.console_users", arn, "fail" if failing else "pass", "high", False)
    return ScanContent(
        account_id=account,
        org_id="o-example",
        collected_at=when.astimezone(UTC),
        entities={("user", arn): user},
        results={result.finding_id: result},
        practices=[],
        documents={d: policy},
    )
