"""The registry is explicit, complete and rejects duplicates; metadata is validated; finding ids are stable."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import replace

import pytest

import iamwarden.checks
from iamwarden.checks.base import Check, CheckMetadata, Remediation, Severity, finding_id
from iamwarden.checks.registry import CHECKS, RegistryError, build_registry, select


def _metadata(**overrides: object) -> CheckMetadata:
    base: dict[str, object] = {
        "id": "area.name",
        "title": "t",
        "practice": 1,
        "severity": Severity.LOW,
        "resource_type": "AwsAccount",
        "why": "w",
        "remediation": Remediation("fix"),
    }
    base.update(overrides)
    return CheckMetadata(**base)  # type: ignore[arg-type]


def test_duplicate_ids_are_rejected() -> None:
    check = CHECKS[0]
    with pytest.raises(RegistryError, match="duplicate check id"):
        build_registry([check, replace(check)])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id": "NoDots"}, "lower snake case"),
        ({"practice": 12}, "practice 12"),
        ({"cis_aws_v6": ("2",)}, "CIS id"),
        ({"security_hub": ("IAM-5",)}, "Security Hub id"),
        ({"references": ("http://example.com",)}, "https URL"),
        ({"why": ""}, "required"),
    ],
)
def test_metadata_is_validated(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _metadata(**overrides)


def test_every_check_module_is_registered_once() -> None:
    found: list[Check] = []
    for info in pkgutil.walk_packages(iamwarden.checks.__path__, "iamwarden.checks."):
        module = importlib.import_module(info.name)
        check = getattr(module, "CHECK", None)
        if isinstance(check, Check):
            found.append(check)
    assert sorted(c.id for c in found) == sorted(c.id for c in CHECKS)


def test_every_practice_has_checks() -> None:
    assert {c.metadata.practice for c in CHECKS} == set(range(1, 12))


def test_select_by_practice_and_id() -> None:
    assert all(c.metadata.practice == 2 for c in select(practices=[2]))
    assert [c.id for c in select(ids=["root.mfa_enabled"])] == ["root.mfa_enabled"]
    with pytest.raises(KeyError):
        select(ids=["no.such_check"])


def test_finding_ids_are_stable_and_distinct() -> None:
    a = finding_id("root.mfa_enabled", "arn:aws:iam::111122223333:root")
    assert a == finding_id("root.mfa_enabled", "arn:aws:iam::111122223333:root") == "iw-9ccbb16846b63b2a"
    assert a != finding_id("root.no_access_keys", "arn:aws:iam::111122223333:root")
    assert a != finding_id("root.mfa_enabled", "arn:aws:iam::444455556666:root")
