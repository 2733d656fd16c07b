"""``make demo`` as a newcomer sees it: its recipe run for real by make (with this venv's ``bin``, no install step) in a
scratch folder at 80 columns. Its console output fits on two screens (at most 100 lines) and the rest lands in
demo-output/, which the summaries name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 100


@pytest.mark.slow
def test_make_demo_prints_at_most_100_lines_at_80_columns(tmp_path: Path) -> None:
    for name in ("demo", "scripts"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {**os.environ, "COLUMNS": "80"}
    bin_dir = Path(sys.executable).parent
    command = ["make", "-s", "-f", str(ROOT / "Makefile"), "demo", f"BIN={bin_dir}", "STAMP="]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    lines = output.splitlines()
    assert len(lines) <= MAX_LINES, f"{len(lines)} lines:\n{output}"
    assert all(len(line) <= 80 for line in lines if line.startswith("== ")), output
    # the account scan in full: its scorecard, its failing checks, its top failures and its summary
    for text in ("IAM best practices scorecard", "Failing checks:", "Top 5 of", "wrote 7 files to demo-output/"):
        assert text in output, output
    # the other steps: one summary each
    for text in ("Secrets scan: 2 leaks", "8 alerts (", "4 IAM changes", "6 accounts", "2 cross-account paths"):
        assert text in output, output
    out = tmp_path / "demo-output"
    for name in ("secrets.json", "report.html", "alerts.txt", "alerts.jsonl", "changes.txt", "changes.html"):
        assert (out / name).stat().st_size > 0, name
    for name in ("organization.html", "paths.txt"):
        assert (out / "org" / name).stat().st_size > 0, name
    assert "can assume" in (out / "org" / "paths.txt").read_text()
    assert "raj.mehta" in (out / "changes.txt").read_text()
