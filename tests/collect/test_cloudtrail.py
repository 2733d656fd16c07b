"""Reading CloudTrail logs: the three file shapes, gzip, folders, role sessions, refused calls and bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from iamwarden.collect.cloudtrail import ObservedCall, read_calls
from iamwarden.errors import InputError
from tests.corpora import STRATUS

ROLE = "arn:aws:iam::111122223333:role/app"
USER = "arn:aws:iam::111122223333:user/alice"


def event(
    name: str, source: str = "s3.amazonaws.com", when: str = "2026-11-01T10:00:00Z", **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "eventTime": when,
        "eventSource": source,
        "eventName": name,
        "userIdentity": {"type": "IAMUser", "arn": USER},
    }
    out.update(extra)
    return out


def session(issuer: bool = True) -> dict[str, Any]:
    identity: dict[str, Any] = {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/app/i-0abc"}
    if issuer:
        identity["sessionContext"] = {"sessionIssuer": {"type": "Role", "arn": ROLE}}
    return identity


def by_key(calls: list[ObservedCall]) -> dict[tuple[str, str], ObservedCall]:
    return {(c.principal_arn, c.event_name): c for c in calls}


EVENTS = [
    event("GetObject", requestParameters={"bucketName": "b"}, resources=[{"ARN": "arn:aws:s3:::b/k1"}]),
    event("GetObject", when="2026-11-03T10:00:00Z", resources=[{"ARN": "arn:aws:s3:::b/k2"}]),
    event("CreateUser", source="iam.amazonaws.com", userIdentity=session(), requestParameters={"userName": "bob"}),
    event("ListUsers", source="iam.amazonaws.com", userIdentity=session(issuer=False)),
    event("DeleteUser", source="iam.amazonaws.com", errorCode="AccessDenied"),
    event(
        "GetSecretValue",
        source="secretsmanager.amazonaws.com",
        requestParameters={"secretId": "arn:aws:secretsmanager:us-east-1:111122223333:secret:x"},
    ),
]


@pytest.mark.parametrize("shape", ["records", "array", "lines", "records-gz", "lines-gz"])
def test_shapes_read_the_same(tmp_path: Path, shape: str) -> None:
    if shape.startswith("records"):
        text = json.dumps({"Records": EVENTS})
    elif shape == "array":
        text = json.dumps(EVENTS, indent=2)
    else:
        text = "\n".join(json.dumps(e) for e in EVENTS) + "\n"
    name = "log.jsonl" if shape.startswith("lines") else "log.json"
    path = tmp_path / (name + (".gz" if shape.endswith("gz") else ""))
    path.write_bytes(gzip.compress(text.encode()) if shape.endswith("gz") else text.encode())
    calls = by_key(read_calls(path))
    get = calls[(USER, "GetObject")]
    assert get.count == 2 and get.last_seen.isoformat() == "2026-11-03T10:00:00+00:00"
    assert get.resources == ("arn:aws:s3:::b/k1", "arn:aws:s3:::b/k2")
    create = calls[(ROLE, "CreateUser")]
    assert create.resources == ()  # no ARN named: the request parameters are kept to build one
    assert create.unnamed == ((("@account", "111122223333"), ("@partition", "aws"), ("userName", "bob")),)
    assert (ROLE, "ListUsers") in calls  # session ARN without sessionIssuer mapped to the role
    assert calls[(USER, "DeleteUser")].denied and not get.denied
    secret = calls[(USER, "GetSecretValue")]
    assert secret.resources == ("arn:aws:secretsmanager:us-east-1:111122223333:secret:x",)


def test_folder_reads_every_log(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.json").write_text(json.dumps({"Records": EVENTS[:2]}))
    (tmp_path / "two.jsonl").write_text(json.dumps(EVENTS[2]) + "\n")
    (tmp_path / "notes.txt").write_text("not a log")
    calls = by_key(read_calls(tmp_path))
    assert set(calls) == {(USER, "GetObject"), (ROLE, "CreateUser")}


BAD = [
    (
        "bad.json",
        '{"Records": [{"eventSource": "s3.amazonaws.com", "eventName": "X", "eventTime": "2026-11-01T00:00:00Z"}, '
        '{"eventName": "Y", "eventTime": "2026-11-01T00:00:00Z"}]}',
        "bad.json: $.Records[1]: record without eventSource or eventName",
    ),
    ("bad.jsonl", json.dumps(EVENTS[0]) + "\n{not json\n", "bad.jsonl: line 2: line that is not JSON"),
    ("arr.json", json.dumps([EVENTS[0], 3]), "arr.json: $[1]: record that is not an object"),
    (
        "time.json",
        json.dumps([event("A", when="yesterday")]),
        "time.json: $[0]: record whose eventTime is not a date and time",
    ),
    ("empty.json", "", "empty.json: empty file"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_file_and_record(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        read_calls(path)
    assert str(caught.value).startswith(str(tmp_path / message.split(": ", 1)[0]) + ": " + message.split(": ", 1)[1])


def test_bad_records_of_json_lines_are_placed_by_line_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    good, no_name = json.dumps(EVENTS[0]), json.dumps({"eventSource": "s3.amazonaws.com", "eventTime": "2026-11-01"})
    path.write_text("\n".join([good, no_name, good, "", no_name, "{not json"]) + "\n")
    with pytest.raises(InputError) as caught:
        read_calls(path)
    assert caught.value.all_lines() == [
        f"{path}: line 2: record without eventSource or eventName (and 1 more record like it)",
        f"{path}: line 6: line that is not JSON",
    ]


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        read_calls(tmp_path / "nope")


@pytest.mark.skipif(not STRATUS.is_dir(), reason="Stratus Red Team corpus not present")
def test_stratus_detonation_logs() -> None:
    calls = read_calls(STRATUS)
    assert len(calls) > 20
    keys = by_key(calls)
    secret = keys[("arn:aws:iam::903144391865:user/christophe", "GetSecretValue")]
    assert secret.count >= 1 and all(r.startswith("arn:aws:secretsmanager:") for r in secret.resources)
    refused = keys[("arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role", "GetPasswordData")]
    assert refused.denied
