"""The org bundle: written then read the same, org.json matching its JSON Schema, and a bad org.json refused with
the place of each problem (by the reader and, where a schema can say it, by the schema too)."""

from __future__ import annotations

import dataclasses
import gzip
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from pydantic import BaseModel

from iamwarden.collect.bundle import (
    ORG_FILE,
    _RawBundle,
    bundle_from_json,
    dumps_bundle,
    is_bundle,
    read_account_snapshot,
    read_bundle,
    write_bundle,
)
from iamwarden.errors import InputError
from tests.collect.org_bundles import DEV, MANAGEMENT, PROD, PROD_OU, SANDBOX, WrittenBundle, write_test_bundle

ROOT_DIR = Path(__file__).resolve().parents[2]
SCHEMA = orjson.loads((ROOT_DIR / "docs" / "org-bundle.schema.json").read_bytes())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture
def written(tmp_path: Path) -> WrittenBundle:
    return write_test_bundle(tmp_path / "org")


def _doc(written: WrittenBundle) -> dict[str, Any]:
    return typing.cast("dict[str, Any]", orjson.loads((written.directory / ORG_FILE).read_bytes()))


def test_write_then_read_gives_the_same_bundle(written: WrittenBundle) -> None:
    again = read_bundle(written.directory)
    assert again == written.bundle
    assert sorted(p.name for p in (written.directory / "accounts").iterdir()) == [
        f"{MANAGEMENT}.json.gz",
        f"{PROD}.json.gz",
        f"{DEV}.json.gz",
    ]
    assert is_bundle(written.directory)
    assert not is_bundle(written.directory / "accounts")
    assert (written.directory / ORG_FILE).stat().st_mode & 0o777 == 0o600  # emails and structure: owner only


def test_account_snapshots_are_read_one_at_a_time(written: WrittenBundle) -> None:
    bundle = read_bundle(written.directory)
    assert read_account_snapshot(written.directory, bundle.account(PROD)).account_id == PROD
    with pytest.raises(ValueError, match="has no snapshot"):
        read_account_snapshot(written.directory, bundle.account(SANDBOX))
    with pytest.raises(KeyError):
        bundle.account("999999999999")


def test_a_missing_or_corrupt_account_snapshot_names_its_file(written: WrittenBundle) -> None:
    bundle = read_bundle(written.directory)
    prod = written.directory / "accounts" / f"{PROD}.json.gz"
    prod.unlink()
    with pytest.raises(InputError) as missing:
        read_account_snapshot(written.directory, bundle.account(PROD))
    assert missing.value.one_line() == f"{prod}: no such file (listed in org.json)"
    dev = written.directory / "accounts" / f"{DEV}.json.gz"
    dev.write_bytes(gzip.decompress(dev.read_bytes())[:100])  # not gzip any more
    with pytest.raises(InputError) as corrupt:
        read_account_snapshot(written.directory, bundle.account(DEV))
    assert corrupt.value.one_line().startswith(f"{dev}: byte 0: not valid gzip data")


def test_a_snapshot_of_another_account_is_refused(written: WrittenBundle) -> None:
    bundle = read_bundle(written.directory)
    accounts = written.directory / "accounts"
    (accounts / f"{PROD}.json.gz").write_bytes((accounts / f"{DEV}.json.gz").read_bytes())
    with pytest.raises(InputError, match=f"account_id: {DEV}, not {PROD} as org.json says"):
        read_account_snapshot(written.directory, bundle.account(PROD))


def test_no_org_json_is_one_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as no_folder:
        read_bundle(tmp_path / "nowhere")
    assert (
        no_folder.value.one_line()
        == f"{tmp_path / 'nowhere'}: no such folder (an org bundle is a folder holding org.json)"
    )
    with pytest.raises(InputError) as no_file:
        read_bundle(tmp_path)
    assert no_file.value.one_line() == (
        f"{tmp_path / ORG_FILE}: no such file: not an org bundle (iamwarden collect --org writes one)"
    )
    (tmp_path / ORG_FILE).write_text('{"format": "iamwarden-org-bundle",\n "version": ')
    with pytest.raises(InputError) as truncated:
        read_bundle(tmp_path)
    assert truncated.value.one_line().startswith(f"{tmp_path / ORG_FILE}: line 2 column 13: invalid JSON")


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return change


def _delete(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc.pop(key)


BAD: list[tuple[str, Callable[[dict[str, Any]], None], str, bool]] = [
    # (what, change to org.json, the first problem the reader reports, whether the schema refuses it too)
    ("another format", _set("format", "iamwarden-snapshot"), "$.format: not an iamwarden org bundle", True),
    ("a later version", _set("version", 2), "$.version: Input should be 1", True),
    ("no accounts key", _delete("accounts"), "$.accounts: Field required", True),
    ("a short account id", _set("accounts.1.id", "2222"), "$.accounts[1].id: String should match pattern", True),
    (
        "an unknown status",
        _set("accounts.1.status", "GONE"),
        "$.accounts[1].status: Input should be 'PENDING_ACTIVATION', 'ACTIVE'",
        True,
    ),
    ("an empty OU path", _set("accounts.1.ou_path", []), "$.accounts[1].ou_path: List should have at least 1", True),
    (
        "a snapshot outside accounts/",
        _set("accounts.1.snapshot", "../x.json"),
        "$.accounts[1].snapshot: String should match pattern",
        True,
    ),
    ("an extra field", _set("accounts.1.region", "us-east-1"), "$.accounts[1].region: Extra inputs", True),
    ("an RCP type misspelt", _set("policies.1.type", "SCP"), "$.policies[1].type: Input should be", True),
    (
        "a policy as text",
        _set("policies.1.document", "{}"),
        "$.policies[1].document: Input should be a valid dict",
        True,
    ),
    (
        "neither snapshot nor gap",
        _set("accounts.3.gap", None),
        "$.accounts[3]: an account has either a snapshot or a gap (one of them null)",
        False,
    ),
    (
        "a snapshot of another account",
        _set("accounts.1.snapshot", f"accounts/{DEV}.json.gz"),
        f"$.accounts[1].snapshot: names account {DEV}, not {PROD}",
        False,
    ),
    (
        "an OU path skipping a level",
        _set("accounts.1.ou_path", ["r-ab12", PROD_OU]),
        f"$.accounts[1].ou_path[1]: the parent of {PROD_OU} is ou-ab12-11111111",
        False,
    ),
    (
        "an OU path from an unknown root",
        _set("accounts.0.ou_path", ["r-zz99"]),
        "$.accounts[0].ou_path[0]: r-zz99 is not a root listed in $.roots",
        False,
    ),
    (
        "an OU under an unknown parent",
        _set("organizational_units.0.parent_id", "r-zz99"),
        "$.organizational_units[0].parent_id: r-zz99 is not listed",
        False,
    ),
    (
        "a policy attached to nothing known",
        _set("policies.1.targets", ["ou-ab12-99999999"]),
        "$.policies[1].targets[0]: ou-ab12-99999999 is no root, OU or account listed",
        False,
    ),
    (
        "an account listed twice",
        _set("accounts.2.id", PROD),
        f"$.accounts[2].id: {PROD} is listed twice",
        False,
    ),
    (
        "a management account not listed",
        _set("organization.management_account_id", "999999999999"),
        "$.organization.management_account_id: the management account is not in $.accounts",
        False,
    ),
    (
        "a delegated administrator not listed",
        _set("delegated_administrators.0.account_id", "999999999999"),
        "$.delegated_administrators[0].account_id: not in $.accounts",
        False,
    ),
]


@pytest.mark.parametrize(("change", "problem", "schema_refuses"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_org_json_is_refused_at_its_place(
    written: WrittenBundle, change: Callable[[dict[str, Any]], None], problem: str, schema_refuses: bool
) -> None:
    doc = _doc(written)
    change(doc)
    path = written.directory / ORG_FILE
    path.write_bytes(orjson.dumps(doc))
    with pytest.raises(InputError) as refused:
        read_bundle(written.directory)
    assert refused.value.one_line().startswith(f"{path}: {problem}")
    assert bool(list(VALIDATOR.iter_errors(doc))) == schema_refuses


def test_the_writer_writes_nothing_the_reader_would_refuse(written: WrittenBundle, tmp_path: Path) -> None:
    broken = dataclasses.replace(written.bundle, accounts=written.bundle.accounts[1:])  # the management account dropped
    target = tmp_path / "again"
    with pytest.raises(InputError) as refused:
        write_bundle(broken, target)
    assert refused.value.one_line() == (
        f"{target / ORG_FILE} (not written): $.organization.management_account_id: "
        "the management account is not in $.accounts (and 1 more problem; --verbose lists them)"
    )
    assert not target.exists()


def test_the_schema_is_valid_and_accepts_what_the_writer_writes(written: WrittenBundle) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert list(VALIDATOR.iter_errors(_doc(written))) == []


def test_the_schema_lists_what_the_reader_accepts() -> None:
    fields = _RawBundle.model_fields
    assert set(SCHEMA["properties"]) == set(fields)
    assert set(SCHEMA["required"]) == {name for name, f in fields.items() if f.is_required()}
    for name in ("organization", "roots", "organizational_units", "accounts", "policies", "delegated_administrators"):
        annotation = fields[name].annotation
        model = typing.get_args(annotation)[0] if typing.get_args(annotation) else annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        shown = SCHEMA["properties"][name]
        shown = shown.get("items", shown)
        assert set(shown["properties"]) == set(model.model_fields), name
        assert set(shown["required"]) == {n for n, f in model.model_fields.items() if f.is_required()}, name


def test_bundle_from_json_takes_what_dumps_gives(written: WrittenBundle) -> None:
    assert bundle_from_json(orjson.loads(dumps_bundle(written.bundle)), "org.json") == written.bundle
