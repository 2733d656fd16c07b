"""The secrets reports: JSON read back by ``scan --secrets``, SARIF 2.1.0 valid against the schema with file, line,
commit and author date, and no output holding a value in full."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from benchmarks.secrets_corpus import Corpus, build_corpus

from iamwarden.analysis.secrets import KnownAccounts, attribute
from iamwarden.collect.secrets import ScanOptions, scan_sources
from iamwarden.collect.secrets.keys import fingerprint
from iamwarden.collect.secrets.report_file import read_secrets_report
from iamwarden.report.secrets import SecretsReport, apply_suppressions, baseline_yaml, dumps_json, dumps_sarif

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build_corpus(tmp_path_factory.mktemp("corpus") / "repo")


@pytest.fixture(scope="module")
def report(corpus: Corpus) -> SecretsReport:
    hits, stats = scan_sources([corpus.root], ScanOptions(history=True))
    findings = attribute(hits, KnownAccounts({}, {}, frozenset()))
    return apply_suppressions(findings, stats, {"paths": [str(corpus.root)]}, [], date(2026, 12, 1))


def test_no_output_holds_a_planted_value(corpus: Corpus, report: SecretsReport) -> None:
    outputs = [
        dumps_json(report).decode(),
        dumps_sarif(report).decode(),
        baseline_yaml(report, date(2026, 12, 1)).decode(),
    ]
    for plant in corpus.plants:
        for text in outputs:
            assert plant.value not in text


def test_the_json_report_reads_back(corpus: Corpus, report: SecretsReport, tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_bytes(dumps_json(report))
    keys = read_secrets_report(path)
    planted = {fingerprint(p.value) for p in corpus.plants if p.kind == "access_key_id"}
    found = [k for k in keys if not k.example and k.account_id is not None]  # not the examples, nor the fixture
    assert {k.fingerprint for k in found} == planted
    assert all(k.account_id == "444455556666" and k.secret_exposed for k in found)
    assert any(loc.commit for k in keys for loc in k.locations)


def test_sarif_is_valid_and_points_at_file_line_and_commit(report: SecretsReport) -> None:
    doc = json.loads(dumps_sarif(report))
    errors = [e.message for e in jsonschema.Draft4Validator(SCHEMA).iter_errors(doc)]
    assert errors == []
    results = doc["runs"][0]["results"]
    assert len(results) == len(report.findings)
    history = [r for r in results if "commit" in r["properties"]]
    assert history and all(r["properties"]["authorDate"] for r in history)
    for r in results:
        physical = r["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        if "region" in physical:
            assert physical["region"]["startLine"] >= 1


def test_a_file_that_is_not_a_secrets_report_is_an_input_error(tmp_path: Path) -> None:
    from iamwarden.errors import InputError

    path = tmp_path / "x.json"
    path.write_text('{"kind": "something"}')
    with pytest.raises(InputError, match="not a secrets report"):
        read_secrets_report(path)
