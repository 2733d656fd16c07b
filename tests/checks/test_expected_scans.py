"""Expected results of whole scans, as data: tests/checks/expected/*.yaml.

Each file names a source - ``moto`` (the account of tests/checks/moto_scan.py built in moto, collected by the live
collector and written as a snapshot) or ``import-dir`` (a folder of AWS CLI outputs) - and a list of
``{check, resource, status}``. The source is scanned once with ``iamwarden scan ... --format json``; each expectation
is one test case. A resource is a full ARN, ``root``, or ``<type>/<name>`` of the account's IAM; ``{account}`` is
the account id; ``*`` and ``?`` are shell wildcards (a literal ``*`` in an ARN matches itself). Every result of the
check whose resource matches must have the expected status, and at least one must match.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import boto3
import orjson
import pytest
import yaml
from moto import mock_aws
from typer.testing import CliRunner

from iamwarden.checks.registry import CHECKS_BY_ID
from iamwarden.cli.app import app
from iamwarden.collect.live import Polling, collect_account
from iamwarden.collect.snapshot import write_snapshot
from tests.checks.moto_scan import populate_expected_account
from tests.collect.moto_account import REGION, use_dummy_credentials

EXPECTED = Path(__file__).parent / "expected"
ROOT = Path(__file__).resolve().parents[2]

Results = list[tuple[str, str, str]]
"""(check, resource, status) of every result of a scan."""


def _files() -> dict[str, dict[str, Any]]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(EXPECTED.glob("*.yaml"))}


FILES = _files()
CASES = [(name, i) for name, doc in FILES.items() for i in range(len(doc["expect"]))]


def _case_id(case: tuple[str, int]) -> str:
    name, i = case
    e = FILES[name]["expect"][i]
    return f"{name}:{e['check']}:{e['resource']}"


def _scan(args: list[str], out: Path) -> Results:
    report = out / "findings.json"
    result = CliRunner().invoke(app, ["scan", *args, "--format", "json", "-o", str(report)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    doc = orjson.loads(report.read_bytes())
    return [(f["check"], f["resource"], f["status"]) for f in doc["findings"]]


def _scan_moto(out: Path) -> Results:
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_dummy_credentials(monkeypatch)
        with mock_aws():
            session = boto3.Session(region_name=REGION)
            populate_expected_account(session)
            snapshot = collect_account(session, None, False, False, polling=Polling(interval_s=0.01, timeout_s=2.0))
    path = out / "moto.json.gz"
    write_snapshot(snapshot, path)
    return _scan(["--snapshot", str(path)], out)


class Scans:
    """Each source scanned once, when a case first asks for it."""

    def __init__(self, tmp: pytest.TempPathFactory) -> None:
        self.tmp = tmp
        self.done: dict[str, Results] = {}

    def results(self, name: str) -> Results:
        if name not in self.done:
            doc, out = FILES[name], self.tmp.mktemp(name)
            if doc["source"] == "moto":
                self.done[name] = _scan_moto(out)
            elif doc["source"] == "import-dir":
                self.done[name] = _scan(["--import-dir", str(ROOT / doc["path"])], out)
            else:
                raise ValueError(f"{name}: unknown source {doc['source']!r}")
        return self.done[name]


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scans]:
    yield Scans(tmp_path_factory)


def resource_pattern(short: str, account: str) -> str:
    text = short.replace("{account}", account)
    if text == "root":
        return f"arn:aws:iam::{account}:root"
    return text if text.startswith("arn:") else f"arn:aws:iam::{account}:{text}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_expected_result(scans: Scans, case: tuple[str, int]) -> None:
    name, i = case
    expected = FILES[name]["expect"][i]
    pattern = resource_pattern(expected["resource"], FILES[name]["account"])
    got = [(r, s) for c, r, s in scans.results(name) if c == expected["check"] and fnmatchcase(r, pattern)]
    assert got, f"{expected['check']}: no result for {pattern}"
    wrong = [(r, s) for r, s in got if s != expected["status"]]
    assert not wrong, f"{expected['check']}: expected {expected['status']}, got {wrong}"


def test_expectations_name_real_checks_and_statuses() -> None:
    for name, doc in FILES.items():
        assert doc["source"] in ("moto", "import-dir"), name
        for e in doc["expect"]:
            assert set(e) == {"check", "resource", "status"}, (name, e)
            assert e["check"] in CHECKS_BY_ID, (name, e)
            assert e["status"] in ("pass", "fail", "unknown", "not_applicable"), (name, e)
