"""The snapshot file: round trips, gzip, atomic writes, the JSON Schema of the envelope, and fuzzing of the loader."""

from __future__ import annotations

import copy
import gzip
import tempfile
import typing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamwarden.collect.apis import APIS
from iamwarden.collect.importer import import_directory
from iamwarden.collect.snapshot import (
    Snapshot,
    SnapshotBuilder,
    _RawSnapshot,
    dumps_snapshot,
    read_snapshot,
    snapshot_from_json,
    write_snapshot,
)
from iamwarden.errors import InputError, OutputError

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = orjson.loads((ROOT / "docs" / "snapshot.schema.json").read_bytes())
CLI_OUTPUTS = Path(__file__).parent / "data" / "cli-outputs"
COLLECTED_AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def _built() -> Snapshot:
    builder = SnapshotBuilder(account_id="111122223333", regions=["us-east-1"], collected_at=COLLECTED_AT)
    builder.record("iam:GetAccountSummary", {"SummaryMap": {"Users": 2, "AccountMFAEnabled": 1}})
    builder.record("iam:GetAccountPasswordPolicy", None)
    builder.record(
        "iam:ListAccessKeys",
        {
            "AccessKeyMetadata": [
                {"AccessKeyId": "AKIAYZ4EXAMPLEDEPLOY", "Status": "Active", "CreateDate": COLLECTED_AT}
            ]
        },
        target="deploy-bot",
    )
    builder.record("cloudtrail:DescribeTrails", {"trailList": []}, region="us-east-1")
    builder.gap("iam:GetCredentialReport", "AccessDenied", "User: ... is not authorized")
    builder.gap("lambda:ListFunctions", "RegionDisabled", region="us-east-1")
    return builder.build()


def _imported() -> Snapshot:
    return import_directory(CLI_OUTPUTS, collected_at=COLLECTED_AT)


@pytest.mark.parametrize("name", ["snap.json", "snap.json.gz"])
@pytest.mark.parametrize("make", [_built, _imported], ids=["built", "imported"])
def test_write_then_read_gives_the_same_snapshot(
    tmp_path: Path, name: str, make: typing.Callable[[], Snapshot]
) -> None:
    snapshot = make()
    path = tmp_path / name
    write_snapshot(snapshot, path)
    assert path.read_bytes().startswith(b"\x1f\x8b") == name.endswith(".gz")
    again = read_snapshot(path)
    assert again.to_json() == snapshot.to_json()
    assert again.response("iam:GetAccountPasswordPolicy") == snapshot.response("iam:GetAccountPasswordPolicy")
    assert again.gaps == snapshot.gaps
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_boto3_datetimes_are_stored_as_iso_text() -> None:
    doc = orjson.loads(dumps_snapshot(_built()))
    key = doc["calls"]["iam:ListAccessKeys"]["global"]["deploy-bot"]["AccessKeyMetadata"][0]
    assert key["CreateDate"] == "2026-11-28T10:00:00+00:00"
    assert doc["collected_at"] == "2026-11-28T10:00:00Z"


def test_gzip_output_is_reproducible(tmp_path: Path) -> None:
    write_snapshot(_built(), tmp_path / "a.json.gz")
    write_snapshot(_built(), tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    write_snapshot(_built(), path)
    before = path.read_bytes()
    broken = _with_calls(_built(), {"iam:GetAccountSummary": {"global": {"_": {"SummaryMap": {1, 2}}}}})
    with pytest.raises(TypeError):
        write_snapshot(broken, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["snap.json"]


def test_a_failed_rename_removes_the_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "snap.json"
    target.mkdir()
    (target / "keep").write_text("x")
    with pytest.raises(OutputError, match=r"snap\.json: cannot write the snapshot: Is a directory"):
        write_snapshot(_built(), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.json"]
    assert [p.name for p in target.iterdir()] == ["keep"]


def _fields(snapshot: Snapshot) -> dict[str, Any]:
    return {name: getattr(snapshot, name) for name in Snapshot.__slots__}


def _with_calls(snapshot: Snapshot, calls: dict[str, Any]) -> Snapshot:
    return Snapshot(**{**_fields(snapshot), "calls": calls})


# --- bad files ---------------------------------------------------------------------------------------------


def test_a_truncated_gzip_file_names_the_byte_where_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "snap.json.gz"
    write_snapshot(_built(), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as info:
        read_snapshot(path)
    assert info.value.one_line() == f"{path}: byte {len(data) // 2}: gzip data ends early (truncated?)"


def test_a_truncated_json_file_names_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    write_snapshot(_built(), path)
    text = path.read_bytes()
    path.write_bytes(text[:200])
    with pytest.raises(InputError) as info:
        read_snapshot(path)
    line = text[:200].count(b"\n") + 1
    assert info.value.one_line().startswith(f"{path}: line {line} column ")
    assert "truncated?" in info.value.one_line()


@pytest.mark.parametrize(
    ("change", "place"),
    [
        (lambda d: d.update(account_id="12345"), "$.account_id"),
        (lambda d: d["gaps"][0].pop("error_code"), "$.gaps[0].error_code"),
        (lambda d: d["calls"].update({"iam:ListUsers": {}}), '$.calls["iam:ListUsers"]'),
        (
            lambda d: d["calls"]["iam:GetAccountSummary"]["global"]["_"]["SummaryMap"].update(Users="two"),
            '$.calls["iam:GetAccountSummary"].global._.SummaryMap.Users',
        ),
        (lambda d: d.update(source="elsewhere"), "$.source"),
    ],
)
def test_a_bad_envelope_or_response_is_refused_at_its_json_path(change: Any, place: str) -> None:
    doc = orjson.loads(dumps_snapshot(_built()))
    change(doc)
    with pytest.raises(InputError) as info:
        snapshot_from_json(doc, "snap.json")
    assert info.value.problems[0].place == place


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_collection_time_that_cannot_be_told_in_utc_is_refused(value: str) -> None:
    doc = orjson.loads(dumps_snapshot(_built()))
    doc["collected_at"] = value
    with pytest.raises(InputError) as info:
        snapshot_from_json(doc, "snap.json")
    assert info.value.one_line() == "snap.json: $.collected_at: out of range once in UTC"


def test_the_collection_time_is_read_as_utc() -> None:
    doc = orjson.loads(dumps_snapshot(_built()))
    doc["collected_at"] = "2026-11-28T12:00:00+02:00"
    assert snapshot_from_json(doc, "snap.json").collected_at == COLLECTED_AT
    assert snapshot_from_json(doc, "snap.json").collected_at.utcoffset() is not None


# --- the JSON Schema ---------------------------------------------------------------------------------------


def test_the_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("make", [_built, _imported], ids=["built", "imported"])
def test_written_snapshots_match_the_schema(tmp_path: Path, make: typing.Callable[[], Snapshot]) -> None:
    write_snapshot(make(), tmp_path / "snap.json")
    doc = orjson.loads((tmp_path / "snap.json").read_bytes())
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(doc)) == []


def test_the_schema_lists_what_the_loader_accepts() -> None:
    assert SCHEMA["$defs"]["api"]["enum"] == [api.key for api in APIS]
    fields = _RawSnapshot.model_fields
    assert set(SCHEMA["properties"]) == set(fields)
    assert set(SCHEMA["required"]) == {name for name, f in fields.items() if f.is_required()}
    assert SCHEMA["properties"]["partition"]["enum"] == list(typing.get_args(fields["partition"].annotation))
    assert SCHEMA["properties"]["source"]["enum"] == list(typing.get_args(fields["source"].annotation))


def test_the_schema_and_the_loader_refuse_the_same_bad_gap() -> None:
    doc = orjson.loads(dumps_snapshot(_built()))
    doc["gaps"][0]["why"] = "extra field"
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc)) != []
    with pytest.raises(InputError):
        snapshot_from_json(doc, "snap.json")


# --- fuzzing: the only exception a loader may raise is InputError ------------------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)  # what orjson reads as an int
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _load_or_input_error(doc: Any) -> Snapshot | None:
    try:
        return snapshot_from_json(doc, "fuzz.json")
    except InputError:
        return None


@_FUZZ
@given(data=st.binary(max_size=300), gz=st.booleans(), compress=st.booleans())
def test_read_snapshot_on_random_bytes(data: bytes, gz: bool, compress: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("snap.json.gz" if gz else "snap.json")
        path.write_bytes(gzip.compress(data) if gz and compress else data)
        with pytest.raises(InputError):
            read_snapshot(path)


@_FUZZ
@given(doc=_json)
def test_snapshot_from_json_on_random_json(doc: Any) -> None:
    _load_or_input_error(doc)


@_FUZZ
@given(data=st.data())
def test_mutated_snapshots_load_or_fail_with_input_error_and_round_trip(data: st.DataObject) -> None:
    doc = copy.deepcopy(_VALID)
    _mutate(doc, data)
    snapshot = _load_or_input_error(doc)
    if snapshot is not None:
        with tempfile.TemporaryDirectory() as tmp:
            write_snapshot(snapshot, Path(tmp) / "again.json.gz")
            assert read_snapshot(Path(tmp) / "again.json.gz").to_json() == snapshot.to_json()


def _mutate(doc: Any, data: st.DataObject) -> None:
    """Replace, delete or add one value somewhere inside ``doc``."""
    node = doc
    while True:
        keys: list[Any] = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and data.draw(st.integers(0, 3)) > 0:
            node = child
            continue
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            node[key] = data.draw(_json | _edge_values)
        elif action == "delete":
            del node[key]
        elif isinstance(node, dict):
            node[data.draw(st.text(max_size=12))] = data.draw(_json)
        else:
            node.append(data.draw(_json))
        return


_edge_values = st.sampled_from(
    [
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "2026-13-01T00:00:00Z",
        -1,
        2**63,
        1e308,
        "",
        "%7B%22Version%22",
        "%7B%7D",
        "user,arn\n",
    ]
)
_VALID = orjson.loads(dumps_snapshot(import_directory(CLI_OUTPUTS, collected_at=COLLECTED_AT)))
