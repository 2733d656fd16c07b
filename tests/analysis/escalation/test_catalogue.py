"""The technique catalogue covers every pathfinding.cloud path with the same required permissions."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from iamwarden.analysis.escalation.catalogue import catalogue_actions, techniques, techniques_by_id

CORPUS = Path(os.environ.get("PATHFINDING_CLOUD", "/work/shared/corpora/pathfinding-cloud")) / "paths.json"
PACKAGE = Path(__file__).parents[3] / "src" / "iamwarden" / "analysis" / "escalation"


def _paths() -> list[dict[str, Any]]:
    if not CORPUS.exists():
        pytest.skip(f"pathfinding.cloud corpus not found at {CORPUS} (set PATHFINDING_CLOUD)")
    data: list[dict[str, Any]] = json.loads(CORPUS.read_text(encoding="utf-8"))
    return data


def test_every_path_is_a_technique_with_the_same_required_permissions() -> None:
    paths = _paths()
    by_id = techniques_by_id()
    assert sorted(by_id) == sorted(p["id"] for p in paths)
    for path in paths:
        technique = by_id[path["id"]]
        assert list(technique.actions) == [r["permission"] for r in path["permissions"]["required"]], path["id"]
        assert technique.category == path["category"]
        assert technique.name == path["name"]


def test_licence_and_attribution_are_beside_the_data() -> None:
    assert "Apache License" in (PACKAGE / "pathfinding-cloud.LICENSE").read_text(encoding="utf-8")
    assert "Datadog" in (PACKAGE / "pathfinding-cloud.NOTICE").read_text(encoding="utf-8")
    raw = json.loads((PACKAGE / "techniques.json").read_text(encoding="utf-8"))
    assert "pathfinding.cloud" in raw["source"]


def test_every_shape_has_what_it_needs() -> None:
    for t in techniques():
        kinds = {r.on for r in t.required}
        if t.shape == "passrole":
            assert "passed-role" in kinds and t.services, t.id
        if t.shape == "principal":
            assert t.target in ("user", "role") and kinds & {"target", "target-policy"}, t.id
        if t.shape == "existing":
            assert t.resource and t.services and "existing" in kinds, t.id
    assert len(techniques()) == 65
    assert "iam:PassRole" in catalogue_actions()
