"""Rules compiled with pySigma: the event names a rule is confined to (each case of event_names_cases.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sigma.collection import SigmaCollection
from sigma.rule import SigmaRule

from iamwarden.detections.rules import event_names

CASES = yaml.safe_load((Path(__file__).parent / "event_names_cases.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_event_names(case: dict[str, Any]) -> None:
    doc = {"title": "t", "logsource": {"product": "aws", "service": "cloudtrail"}, "detection": case["detection"]}
    rule = SigmaCollection.from_yaml(yaml.safe_dump(doc)).rules[0]
    assert isinstance(rule, SigmaRule)
    names = event_names(rule)
    assert (None if names is None else sorted(names)) == case["names"]
