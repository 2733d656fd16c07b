"""First-seen behaviour within the logs read: a principal's first IAM write, new region, new access key, a day or
more after it was first seen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iamwarden.detections import detect, load_rules

ROLE = {
    "type": "AssumedRole",
    "arn": "arn:aws:sts::111122223333:assumed-role/app/s1",
    "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/app"}},
}
USER = {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/bob", "userName": "bob"}


def ev(n: int, day: int, name: str, ident: dict[str, Any], region: str = "us-east-1", **extra: Any) -> dict[str, Any]:
    source = "iam.amazonaws.com" if name in ("CreateUser", "GetUser") else "s3.amazonaws.com"
    return {
        "eventTime": f"2026-11-{day:02d}T10:00:00Z",
        "eventSource": source,
        "eventName": name,
        "eventID": f"e{n}",
        "awsRegion": region,
        "userIdentity": ident,
        **extra,
    }


def test_first_seen(tmp_path: Path) -> None:
    events = [
        ev(1, 1, "GetObject", ROLE),
        ev(2, 1, "GetUser", ROLE),
        ev(3, 3, "GetObject", ROLE, region="ap-southeast-2"),
        ev(4, 3, "CreateUser", ROLE, requestParameters={"userName": "x"}),
        ev(5, 3, "CreateUser", ROLE, errorCode="AccessDenied"),
        ev(6, 1, "GetObject", {**USER, "accessKeyId": "AKIAOLDKEY0000000001"}),
        ev(7, 4, "GetObject", {**USER, "accessKeyId": "AKIANEWKEY0000000002"}),
        ev(8, 4, "CreateUser", {**USER, "arn": "arn:aws:iam::111122223333:user/new"}),  # first seen today: no news
    ]
    log = tmp_path / "t.json"
    log.write_text(json.dumps(events))
    found = {
        (a.principal.rsplit(":", 1)[1], a.rule.name, dict(a.group).popitem()[1], a.event_ids)
        for a in detect([log], load_rules(pack=False, generated=[])).alerts
        if a.kind == "first-seen"
    }
    assert found == {
        ("role/app", "first_seen_region", "ap-southeast-2", ("e3",)),
        ("role/app", "first_seen_iam_write", "iam", ("e4",)),
        ("user/bob", "first_seen_access_key", "AKIANEWKEY0000000002", ("e7",)),
    }
