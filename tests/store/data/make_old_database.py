"""How ``history-0001.sqlite`` and ``history-0002.sqlite`` were made: history databases at schema revisions 0001
(before practice scores) and 0002 (before compact rows), with two scans of one account, written as those schemas
stored them. Kept to document the checked-in files; ``tests/store/test_migrations.py`` migrates copies of them.

Usage: ``python tests/store/data/make_old_database.py tests/store/data/history-0001.sqlite 0001`` (and ``0002``)
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from iamwarden.store.content import canonical, digest
from iamwarden.store.database import _alembic_config

ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def main(path: str, revision: str) -> None:
    Path(path).unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        doc = digest(POLICY)
        user: dict[str, object] = {
            "name": "alice",
            "groups": [],
            "attached": [],
            "inline": {"read": doc},
            "boundary": None,
            "console": True,
        }
        for body_key, body in ((doc, POLICY), (digest(user), user)):
            conn.execute(
                text("INSERT INTO blobs (digest, body) VALUES (:d, :b)"), {"d": body_key, "b": canonical(body).decode()}
            )
        for scan_id, day, status in ((1, 1, "fail"), (2, 2, "pass")):
            when = datetime(2026, 10, day, 9, 0, tzinfo=UTC).replace(tzinfo=None)
            conn.execute(
                text(
                    "INSERT INTO scans (id, recorded_at, collected_at, account_id, org_id, tool_version, "
                    "snapshot_hash, snapshot_path, source) VALUES (:id, :t, :t, :a, NULL, '0.1.0', :h, NULL, 'live')"
                ),
                {"id": scan_id, "t": when, "a": ACCOUNT, "h": f"{scan_id:064d}"},
            )
            conn.execute(
                text(
                    "INSERT INTO results (scan_id, finding_id, check_id, resource, status, severity, suppressed) "
                    "VALUES (:s, 'iw-0000000000000001', 'mfa.console_users', :r, :st, 'high', 0)"
                ),
                {"s": scan_id, "r": ALICE, "st": status},
            )
            for kind, key, d in (("user", ALICE, digest(user)), ("document", doc, doc)):
                conn.execute(
                    text("INSERT INTO entities (scan_id, kind, key, digest) VALUES (:s, :k, :key, :d)"),
                    {"s": scan_id, "k": kind, "key": key, "d": d},
                )
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
