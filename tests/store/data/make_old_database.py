"""How ``history-0001.sqlite``, ``history-0002.sqlite`` and ``history-0004.sqlite`` were made: history databases at
schema revisions 0001 (before practice scores), 0002 (before compact rows) and 0004 (statuses and severities as text,
before the integer codes and SQLite's ``WITHOUT ROWID`` tables), with two scans of one account, written as those
schemas stored them. Kept to document the checked-in files; ``tests/store/test_migrations.py`` migrates copies.

Usage: ``python tests/store/data/make_old_database.py tests/store/data/history-0001.sqlite 0001`` (``0002``, ``0004``)
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import Connection, create_engine, text

from iamwarden.store.content import canonical, digest
from iamwarden.store.database import _alembic_config

ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


USER: dict[str, object] = {
    "name": "alice",
    "groups": [],
    "attached": [],
    "inline": {"read": digest(POLICY)},
    "boundary": None,
    "console": True,
}


def main(path: str, revision: str) -> None:
    Path(path).unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        if revision == "0004":
            _fill_0004(conn)
            return
        doc = digest(POLICY)
        user = USER
        for body_key, body in ((doc, POLICY), (digest(user), user)):
            conn.execute(
                text("INSERT INTO blobs (digest, body) VALUES (:d, :b)"), {"d": body_key, "b": canonical(body).decode()}
            )
        for scan_id, day, status in ((1, 1, "fail"), (2, 2, "pass")):
            when = datetime(2026, 10, day, 9, 0, tzinfo=UTC).replace(tzinfo=None)
            _insert_scan(conn, scan_id, when)
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


def _insert_scan(conn: Connection, scan_id: int, when: datetime) -> None:
    conn.execute(
        text(
            "INSERT INTO scans (id, recorded_at, collected_at, account_id, org_id, tool_version, "
            "snapshot_hash, snapshot_path, source) VALUES (:id, :t, :t, :a, NULL, '0.1.0', :h, NULL, 'live')"
        ),
        {"id": scan_id, "t": when, "a": ACCOUNT, "h": f"{scan_id:064d}"},
    )


def _fill_0004(conn: Connection) -> None:
    """Revision 0004's tables: findings, entity keys and blobs by integer; results with text status and severity."""
    doc = digest(POLICY)
    for body_key, body in ((doc, POLICY), (digest(USER), USER)):
        conn.execute(
            text("INSERT INTO blob_store (digest, body) VALUES (:d, :b)"),
            {"d": body_key, "b": canonical(body).decode()},
        )
    conn.execute(
        text("INSERT INTO findings (finding_id, check_id, resource) VALUES (:f, 'mfa.console_users', :r)"),
        {"f": "iw-0000000000000001", "r": ALICE},
    )
    conn.execute(
        text("INSERT INTO findings (finding_id, check_id, resource) VALUES (:f, 'credentials.root_mfa', :r)"),
        {"f": "iw-0000000000000002", "r": f"arn:aws:iam::{ACCOUNT}:root"},
    )
    conn.execute(text("INSERT INTO entity_keys (kind, key) VALUES ('user', :k)"), {"k": ALICE})
    for scan_id, day, status in ((1, 1, "fail"), (2, 2, "pass")):
        when = datetime(2026, 10, day, 9, 0, tzinfo=UTC).replace(tzinfo=None)
        _insert_scan(conn, scan_id, when)
        conn.execute(
            text(
                "INSERT INTO scan_results (scan_id, finding, status, severity, suppressed) VALUES "
                "(:s, 1, :st, 'high', 0), (:s, 2, 'not_applicable', 'critical', 1)"
            ),
            {"s": scan_id, "st": status},
        )
        conn.execute(text("INSERT INTO scan_entities (scan_id, entity, blob) VALUES (:s, 1, 2)"), {"s": scan_id})
        conn.execute(text("INSERT INTO scan_documents (scan_id, blob) VALUES (:s, 1)"), {"s": scan_id})
        conn.execute(
            text(
                "INSERT INTO practice_scores (scan_id, practice, score, passed, failed, unknown, suppressed) "
                "VALUES (:s, 2, :score, :p, :f, 0, 1)"
            ),
            {
                "s": scan_id,
                "score": 0 if status == "fail" else 100,
                "p": int(status == "pass"),
                "f": int(status == "fail"),
            },
        )
    conn.execute(
        text("INSERT INTO first_failures (account_id, finding, first_at) VALUES (:a, 1, :t)"),
        {"a": ACCOUNT, "t": datetime(2026, 10, 1, 9, 0)},
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
