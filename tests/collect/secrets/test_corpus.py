"""The planted corpus (benchmarks/secrets_corpus.py): every planted key, secret and token is found - in every format
and encoding, removed from the tree, on a deleted branch, in an unreachable packed object - and attributed to the
account; no decoy is reported as a leak; the documentation's examples are reported as examples."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.secrets_corpus import Corpus, build_corpus

from iamwarden.analysis.secrets import KnownAccounts, SecretFinding, attribute
from iamwarden.collect.secrets import ScanOptions, scan_sources
from iamwarden.collect.secrets.keys import fingerprint

ACCOUNT = "444455556666"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build_corpus(tmp_path_factory.mktemp("corpus") / "repo", ACCOUNT)


def _findings(corpus: Corpus, history: bool = True) -> list[SecretFinding]:
    hits, _ = scan_sources([corpus.root], ScanOptions(history=history))
    return attribute(hits, KnownAccounts({}, {}, frozenset({ACCOUNT})))


def test_every_planted_value_is_found_as_a_leak_of_the_account(corpus: Corpus) -> None:
    findings = {f.fingerprint: f for f in _findings(corpus)}
    missed = [(p.kind, p.format, p.encoding, p.path) for p in corpus.plants if fingerprint(p.value) not in findings]
    assert missed == []
    for plant in corpus.plants:
        finding = findings[fingerprint(plant.value)]
        assert finding.leak and finding.severity == "high", (plant, finding.reason)
        assert finding.account_id == ACCOUNT
    key_ids = [findings[fingerprint(p.value)] for p in corpus.plants if p.kind == "access_key_id"]
    assert all(f.secret_exposed for f in key_ids)


def test_the_corpus_covers_the_formats_and_encodings_it_claims(corpus: Corpus) -> None:
    assert {p.format for p in corpus.plants} >= {
        "dotenv",
        "aws-credentials-ini",
        "terraform",
        "notebook",
        "shell-history",
    }
    assert {p.encoding for p in corpus.plants} >= {
        "utf-16-le-bom",
        "utf-16-be",
        "utf-32-le-bom",
        "latin-1",
        "shift-jis",
    }
    assert any(p.removed for p in corpus.plants) and any(p.path == "(unreachable)" for p in corpus.plants)


def test_no_decoy_is_a_leak_and_examples_are_info(corpus: Corpus) -> None:
    findings = _findings(corpus)
    leaks = {f.fingerprint for f in findings if f.leak}
    assert not leaks & {fingerprint(d) for d in corpus.decoys}
    assert leaks == {fingerprint(p.value) for p in corpus.plants}
    not_leaks = {f.fingerprint: f for f in findings if not f.leak}
    assert all(f.severity == "info" for f in not_leaks.values())
    for example in corpus.examples:
        assert not_leaks[fingerprint(example)].example
    fixtures = [f for f in not_leaks.values() if not f.example]
    assert {f.reason for f in fixtures if f.kind == "access_key_id"} == {
        "not a possible AWS key id (it holds 0, 1, 8 or 9: AWS key ids are base32)"
    }


def test_removed_values_need_history(corpus: Corpus) -> None:
    found = {f.fingerprint for f in _findings(corpus, history=False)}
    assert {fingerprint(p.value) for p in corpus.plants if not p.removed} <= found
    assert not {fingerprint(p.value) for p in corpus.plants if p.removed} & found


def test_history_locations_name_the_commit_and_its_author_date(corpus: Corpus) -> None:
    findings = {f.fingerprint: f for f in _findings(corpus)}
    removed = next(p for p in corpus.plants if p.removed and p.path != "(unreachable)")
    first = findings[fingerprint(removed.value)].primary
    assert first.place.path == removed.path and first.place.origin == "history"
    assert first.place.commit is not None and len(first.place.commit) == 40
    assert first.place.author_date is not None and first.place.author_date.startswith("2023-11-1")
    unreachable = next(p for p in corpus.plants if p.path == "(unreachable)")
    assert findings[fingerprint(unreachable.value)].primary.place.origin == "unreachable"


def test_since_reads_only_newer_commits(corpus: Corpus, tmp_path: Path) -> None:
    import subprocess

    head = subprocess.run(["git", "-C", str(corpus.root), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    hits, _ = scan_sources([corpus.root / "README.md"], ScanOptions(history=True, since=head.strip()))
    assert hits == []
