"""scripts/build_demo_account.py rebuilds the committed demo snapshot byte for byte: the demo never drifts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "demo" / "demo-account.json.gz"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_demo_account", ROOT / "scripts" / "build_demo_account.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_rebuild_equals_committed_demo(tmp_path: Path) -> None:
    out = tmp_path / "demo-account.json.gz"
    assert _script().main([str(out)]) == 0
    assert out.read_bytes() == COMMITTED.read_bytes(), (
        "demo/demo-account.json.gz differs from what scripts/build_demo_account.py builds: "
        "run `.venv/bin/python scripts/build_demo_account.py` and commit the result"
    )
    assert len(COMMITTED.read_bytes()) < 300_000
