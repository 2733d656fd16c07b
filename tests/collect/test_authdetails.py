"""A snapshot from one get-account-authorization-details output (the file Cloudsplaining users already have)."""

from __future__ import annotations

import copy
import gzip
import tempfile
import typing
import urllib.parse
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamwarden.collect.apis import APIS, GLOBAL, NO_TARGET
from iamwarden.collect.authdetails import PARTITIONS, snapshot_from_authorization_details
from iamwarden.collect.snapshot import _RawSnapshot, jsonable, read_snapshot, write_snapshot
from iamwarden.errors import InputError

FIXTURE = Path(__file__).parent / "data" / "cli-outputs" / "iam-get-account-authorization-details.json"
DETAILS: dict[str, Any] = orjson.loads(FIXTURE.read_bytes())
API = "iam:GetAccountAuthorizationDetails"


def _write(tmp_path: Path, doc: Any, name: str = "details.json") -> Path:
    path = tmp_path / name
    data = orjson.dumps(doc)
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def _url_encoded(details: dict[str, Any]) -> dict[str, Any]:
    """What the IAM API itself returns: every policy document a URL-encoded JSON string."""

    def encode(document: Any) -> str:
        return urllib.parse.quote(orjson.dumps(document).decode())

    raw = copy.deepcopy(details)
    for key, policies in (("UserDetailList", "UserPolicyList"), ("GroupDetailList", "GroupPolicyList")):
        for entity in raw[key]:
            for policy in entity.get(policies, []):
                policy["PolicyDocument"] = encode(policy["PolicyDocument"])
    for role in raw["RoleDetailList"]:
        role["AssumeRolePolicyDocument"] = encode(role["AssumeRolePolicyDocument"])
    for policy in raw["Policies"]:
        for version in policy["PolicyVersionList"]:
            version["Document"] = encode(version["Document"])
    return raw


def test_the_snapshot(tmp_path: Path) -> None:
    snapshot = snapshot_from_authorization_details(FIXTURE)
    assert (snapshot.account_id, snapshot.partition, snapshot.source) == (
        "111122223333",
        "aws",
        "authorization-details",
    )
    assert snapshot.regions == ()
    assert snapshot.response(API) == DETAILS
    assert list(snapshot.calls) == [API]
    # stored without the JSON round trip boto3 responses need: it must already be JSON data
    assert jsonable(snapshot.response(API)) == snapshot.response(API)


def test_every_other_api_is_a_not_collected_gap() -> None:
    snapshot = snapshot_from_authorization_details(FIXTURE)
    assert {(g.api, g.region, g.target, g.error_code) for g in snapshot.gaps} == {
        (api.key, GLOBAL, NO_TARGET, "NotCollected") for api in APIS if api.key != API
    }
    assert snapshot.gaps_for("cloudtrail:DescribeTrails")[0].message == "not in an authorization-details input"


def test_url_encoded_policy_documents_are_stored_decoded(tmp_path: Path) -> None:
    raw = _url_encoded(DETAILS)
    assert raw["Policies"][0]["PolicyVersionList"][0]["Document"].startswith("%7B%22Version%22")
    snapshot = snapshot_from_authorization_details(_write(tmp_path, raw))
    assert snapshot.response(API) == DETAILS


def test_cloudsplaining_style_timestamps_and_gzip(tmp_path: Path) -> None:
    doc = copy.deepcopy(DETAILS)
    doc["UserDetailList"][0]["CreateDate"] = "2023-03-14 09:26:53+00:00"  # json.dumps(default=str) of a datetime
    snapshot = snapshot_from_authorization_details(_write(tmp_path, doc, "details.json.gz"))
    assert snapshot.response(API)["UserDetailList"][0]["CreateDate"] == "2023-03-14 09:26:53+00:00"


def test_it_round_trips_through_a_snapshot_file(tmp_path: Path) -> None:
    snapshot = snapshot_from_authorization_details(_write(tmp_path, _url_encoded(DETAILS)))
    write_snapshot(snapshot, tmp_path / "snap.json.gz")
    assert read_snapshot(tmp_path / "snap.json.gz").to_json() == snapshot.to_json()


def test_an_account_with_no_entities_needs_the_account_id(tmp_path: Path) -> None:
    empty: dict[str, Any] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    path = _write(tmp_path, empty)
    with pytest.raises(InputError) as info:
        snapshot_from_authorization_details(path)
    assert info.value.one_line().endswith("tells the account id: pass --account-id")
    assert snapshot_from_authorization_details(path, account_id="111122223333").account_id == "111122223333"


def test_aws_managed_policies_do_not_tell_the_account(tmp_path: Path) -> None:
    doc: dict[str, Any] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    doc["Policies"] = [dict(DETAILS["Policies"][0], Arn="arn:aws:iam::aws:policy/ReadOnlyAccess")]
    with pytest.raises(InputError):
        snapshot_from_authorization_details(_write(tmp_path, doc))


def test_another_partition(tmp_path: Path) -> None:
    doc = orjson.loads(FIXTURE.read_bytes().replace(b"arn:aws:iam::111122223333", b"arn:aws-us-gov:iam::111122223333"))
    snapshot = snapshot_from_authorization_details(_write(tmp_path, doc))
    assert snapshot.partition == "aws-us-gov"


def test_only_partitions_a_snapshot_may_hold_tell_the_account(tmp_path: Path) -> None:
    assert typing.get_args(_RawSnapshot.model_fields["partition"].annotation) == PARTITIONS
    doc = orjson.loads(FIXTURE.read_bytes().replace(b"arn:aws:iam::111122223333", b"arn:awsx:iam::111122223333"))
    with pytest.raises(InputError):
        snapshot_from_authorization_details(_write(tmp_path, doc))


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            lambda d: d["RoleDetailList"][0].update(AssumeRolePolicyDocument="%7B%22Version"),
            "$.RoleDetailList[0].AssumeRolePolicyDocument: Value error, policy document is not valid JSON: ",
        ),
        (lambda d: d.pop("Policies"), "$.Policies: Field required"),
        (lambda d: d.update(IsTruncated=True, Marker="AAE"), "$.IsTruncated: this output is one page of several"),
        (
            lambda d: d["UserDetailList"][1].update(CreateDate="last year"),
            "$.UserDetailList[1].CreateDate: Value error",
        ),
    ],
)
def test_bad_input_names_the_file_and_json_path(tmp_path: Path, change: Any, line: str) -> None:
    doc = copy.deepcopy(DETAILS)
    change(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(InputError) as info:
        snapshot_from_authorization_details(path)
    assert info.value.one_line().startswith(f"{path}: {line}")


def test_an_account_id_the_file_contradicts(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        snapshot_from_authorization_details(FIXTURE, account_id="444455556666")
    assert info.value.one_line() == f"{FIXTURE}: $.UserDetailList[0].Arn: is in account 111122223333, not 444455556666"


# --- fuzzing: the only exception allowed out is InputError ---------------------------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["%7B%22a%22%3A1%7D", "%ZZ", "arn:aws:iam::111122223333:user/x", "2026-01-01T00:00:00Z"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_and_mutated_inputs(data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        content = data.draw(st.binary(max_size=200) | _json.map(orjson.dumps))
    else:
        doc: Any = _url_encoded(DETAILS) if data.draw(st.booleans()) else copy.deepcopy(DETAILS)
        node = doc
        while True:
            keys: list[Any] = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = data.draw(st.sampled_from(keys))
            if isinstance(node[key], dict | list) and node[key] and data.draw(st.integers(0, 3)) > 0:
                node = node[key]
                continue
            node[key] = data.draw(_json)
            break
        content = orjson.dumps(doc)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "details.json"
        path.write_bytes(content)
        try:
            snapshot = snapshot_from_authorization_details(path)
        except InputError:
            return
        write_snapshot(snapshot, Path(tmp) / "snap.json")
        assert read_snapshot(Path(tmp) / "snap.json").to_json() == snapshot.to_json()


def test_a_managed_policy_name_left_out_is_filled_from_its_arn_and_an_id_is_a_gap(tmp_path: Path) -> None:
    # What moto's server answers: managed policies without PolicyName and PolicyId, attachments without PolicyName.
    doc = copy.deepcopy(DETAILS)
    [policy, *_] = doc["Policies"]
    name, arn = policy.pop("PolicyName"), policy["Arn"]
    del policy["PolicyId"]
    for user in doc["UserDetailList"]:
        for attached in user.get("AttachedManagedPolicies", []):
            attached.pop("PolicyName")

    snapshot = snapshot_from_authorization_details(_write(tmp_path, doc))

    details = snapshot.response(API)
    assert details["Policies"][0]["PolicyName"] == name == arn.rsplit("/", 1)[-1]
    assert "PolicyId" not in details["Policies"][0]
    assert details["UserDetailList"] == DETAILS["UserDetailList"]
    assert [(g.target, g.error_code) for g in snapshot.gaps_for(API, target=arn) if g.target != NO_TARGET] == [
        (arn, "Incomplete")
    ]
    written = tmp_path / "snapshot.json"
    write_snapshot(snapshot, written, validate=True)
    assert read_snapshot(written).response(API) == details
