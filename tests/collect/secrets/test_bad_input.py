"""Bad input is reported and skipped, never a traceback: unreadable files, symlink loops, broken links, huge files,
binaries, vendored folders and broken git objects."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

from benchmarks.secrets_corpus import GIT_ENV, make_key_id, make_secret

from iamwarden.collect.secrets import ScanOptions, scan_sources

RNG = random.Random(5)
KEY = make_key_id("123456789012", RNG)
TEXT = f"aws_access_key_id={KEY}\naws_secret_access_key={make_secret(RNG)}\n".encode()


def _reasons(path: Path, **options: object) -> dict[str, str]:
    _, stats = scan_sources([path], ScanOptions(**options))  # type: ignore[arg-type]
    return {s.path.removeprefix(str(path) + "/"): s.reason for s in stats.skipped}


def test_loops_broken_links_unreadable_and_huge_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "ok.env").write_bytes(TEXT)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    (tmp_path / "self").symlink_to(tmp_path / "self")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "mem").symlink_to("/proc/self/mem")  # a regular file nobody can read from offset 0, root included
    (tmp_path / "big.txt").write_bytes(b"x" * 3 * 1024 * 1024)
    hits, stats = scan_sources([tmp_path], ScanOptions(max_bytes=2 * 1024 * 1024))
    assert {h.candidate.kind for h in hits} == {"access_key_id", "secret_access_key"}
    reasons = {s.path.removeprefix(str(tmp_path) + "/"): s.reason for s in stats.skipped}
    assert reasons["sub/loop"].startswith("symlink loop")
    assert "broken symlink" in reasons["self"] and "broken symlink" in reasons["dangling"]
    assert reasons["mem"].startswith("unreadable")
    assert reasons["big.txt"].startswith("too large")
    assert all(s.problem for s in stats.skipped)


def test_binaries_and_vendored_folders_are_left_out_unless_asked(tmp_path: Path) -> None:
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    (tmp_path / "node_modules" / "pkg" / "x.js").write_bytes(TEXT)
    (tmp_path / "photo.png").write_bytes(TEXT)
    (tmp_path / "data.bin2").write_bytes(b"\0\1\2" * 1000 + TEXT)
    reasons = _reasons(tmp_path)
    assert reasons == {
        "node_modules/": "vendored or tool folder (not searched by default)",
        "data.bin2": "binary",
        "photo.png": "binary (by name)",
    }
    hits, _ = scan_sources([tmp_path], ScanOptions(include_vendored=True))
    assert any(h.places[0].path.endswith("node_modules/pkg/x.js") for h in hits)


def test_a_broken_git_object_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    env = {**os.environ, **GIT_ENV}

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tmp_path, env=env, capture_output=True, check=True, text=True).stdout

    git("init", "-q")
    (tmp_path / "a.env").write_bytes(TEXT)
    (tmp_path / "b.txt").write_text("nothing here\n")
    git("add", "-A")
    git("commit", "-qm", "one")
    broken = git("rev-parse", "HEAD:b.txt").strip()
    obj = tmp_path / ".git" / "objects" / broken[:2] / broken[2:]
    obj.chmod(0o644)
    obj.write_bytes(b"not zlib at all")
    hits, stats = scan_sources([tmp_path / "a.env"], ScanOptions(history=True))
    assert KEY in {h.candidate.value for h in hits if h.places[0].origin == "history"}
    assert any(broken[:12] in s.reason and s.problem for s in stats.skipped), stats.skipped


def test_history_outside_git_is_an_input_error(tmp_path: Path) -> None:
    import pytest

    from iamwarden.errors import InputError

    with pytest.raises(InputError, match="not in a git repository"):
        scan_sources([tmp_path], ScanOptions(history=True))
    with pytest.raises(InputError, match="no such file"):
        scan_sources([tmp_path / "missing"], ScanOptions())


def test_file_names_that_are_not_utf8_are_reported_readably(tmp_path: Path) -> None:
    import os

    (Path(os.fsdecode(os.fsencode(tmp_path) + b"/bad\xff.env"))).write_bytes(TEXT)
    hits, _ = scan_sources([tmp_path], ScanOptions())
    assert {h.places[0].path for h in hits} == {f"{tmp_path}/bad\ufffd.env"}
    assert all(h.places[0].path.encode() for h in hits)  # encodable: JSON and SARIF can hold it
