"""The secrets benchmark's history generator: a small history has its commits, and iamwarden finds every value it
plants and none of its decoys (the figures themselves are the benchmark's, never a test's)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from benchmarks.secrets_scan import generate

from iamwarden.analysis.secrets import attribute
from iamwarden.collect.secrets import ScanOptions, scan_sources
from iamwarden.collect.secrets.keys import fingerprint


def test_a_small_generated_history_is_found_completely(tmp_path: Path) -> None:
    history = generate(tmp_path / "repo", commits=120, megabytes=1)
    count = subprocess.run(
        ["git", "-C", str(history.root), "rev-list", "--count", "main"], capture_output=True, text=True
    )
    assert count.stdout.strip() == "120"
    assert len(history.planted) >= 4 and history.decoys
    hits, _ = scan_sources([history.root], ScanOptions(history=True))
    leaks = {f.fingerprint for f in attribute(hits) if f.leak}
    assert leaks == {fingerprint(v) for v in history.planted}
