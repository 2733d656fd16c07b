"""The atomic file writer and the collector pause that every layer uses (:mod:`iamwarden.runtime`)."""

from __future__ import annotations

import gc
import os
import stat
from pathlib import Path

import pytest

from iamwarden.errors import OutputError
from iamwarden.runtime import gc_paused, open_atomically, write_atomically


def test_writes_the_whole_file_creating_its_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "findings.json"
    write_atomically(target, b"{}\n", "the report")
    assert target.read_bytes() == b"{}\n"
    assert [p.name for p in target.parent.iterdir()] == ["findings.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "findings.csv"
    target.write_bytes(b"old")

    def refuse(self: Path, dst: str | os.PathLike[str]) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(OutputError) as err:
        write_atomically(target, b"new", "the CSV report")
    assert str(err.value) == f"{target}: cannot write the CSV report: No space left on device"
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings.csv"]


def test_an_interrupt_leaves_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(self: Path, dst: str | os.PathLike[str]) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "x.json", b"new")
    assert list(tmp_path.iterdir()) == []


def test_a_file_where_the_folder_should_be_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    with pytest.raises(OutputError, match=r"blocker/sub/x\.json: cannot write the snapshot: "):
        write_atomically(blocker / "sub" / "x.json", b"data", "the snapshot")


def test_permissions_private_or_as_any_new_file(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomically(tmp_path / "report.json", b"{}")
        write_atomically(tmp_path / "snapshot.json", b"{}", private=True)
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "report.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "snapshot.json").stat().st_mode) == 0o600


def test_gc_paused_restores_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_gc_paused_with_freeze_moves_what_is_alive_out_of_the_collectors_reach() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the collector frees it

    gc.unfreeze()
    try:
        with gc_paused(freeze=True):
            kept = Node()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        assert not any(o is kept for o in gc.get_objects())  # frozen objects are not in any generation
        with gc_paused(freeze=True):  # nested in a paused block: nothing is frozen there
            with gc_paused(freeze=True):
                Node()
            assert not gc.isenabled()
    finally:
        gc.unfreeze()
    assert any(o is kept for o in gc.get_objects())


def test_open_atomically_shows_the_file_only_once_whole(tmp_path: Path) -> None:
    path = tmp_path / "merged.json"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), open_atomically(path) as out:
        out.write(b"half")
        raise RuntimeError("stopped")
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["merged.json"]
    with open_atomically(path) as out:
        out.write(b"new ")
        out.write(b"whole")
    assert path.read_bytes() == b"new whole" and [p.name for p in tmp_path.iterdir()] == ["merged.json"]
