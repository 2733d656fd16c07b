"""Build the demo's leaky repository: ``northwind-reporting``, a small git repository of the demo company in which a
developer committed the ``svc-reporting`` user's access key (an active key of the demo account) and removed it in the
next commit. ``make demo`` builds it under ``demo-output/`` and scans its history with ``iamwarden secrets scan``;
the secrets report then makes practice 10 fail (``secrets.keys_in_code``) in the account scan.

The repository is the same on every run: fixed author, dates and contents (git object ids included). The secret
access key written next to the key id is made up (a hash of a fixed text): the demo account's real secrets are
unknown, and nothing here is a working credential.

Usage: ``python scripts/build_demo_repo.py [FOLDER]`` (default ``demo-output/northwind-reporting``; replaced if
present).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

LEAKED_KEY_ID = "AKIAMTGT6BIFDEXAMPLE"
"""The active access key of the demo user ``svc-reporting`` (see ``docs/demo-account.md``)."""
MADE_UP_SECRET = base64.b64encode(hashlib.sha256(b"northwind demo, not a credential").digest()).decode()[:40]
DEFAULT = Path(__file__).resolve().parent.parent / "demo-output" / "northwind-reporting"
ENV = {
    "GIT_AUTHOR_NAME": "Sam Rivera",
    "GIT_AUTHOR_EMAIL": "sam.rivera@northwind.example",
    "GIT_COMMITTER_NAME": "Sam Rivera",
    "GIT_COMMITTER_EMAIL": "sam.rivera@northwind.example",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

REPORT_PY = '''"""Nightly revenue report: runs an Athena query and mails the result."""

import boto3


def main() -> None:
    athena = boto3.client("athena", region_name="eu-west-1")
    athena.start_query_execution(QueryString="SELECT * FROM revenue_daily", WorkGroup="reporting")


if __name__ == "__main__":
    main()
'''
README = """# northwind-reporting

Nightly reports for the finance team. Credentials come from the environment, e.g.:

    export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE      # the AWS documentation's example, not a key
"""
SETTINGS = f"""[aws]
region = eu-west-1
aws_access_key_id = {LEAKED_KEY_ID}
aws_secret_access_key = {MADE_UP_SECRET}
"""

HISTORY: tuple[tuple[str, str, dict[str, str | None]], ...] = (
    ("2026-03-02T10:15:00+00:00", "Nightly revenue report", {"README.md": README, "report.py": REPORT_PY}),
    (
        "2026-08-23T18:42:00+00:00",
        "Quick fix: the nightly job could not find its credentials",
        {"settings.ini": SETTINGS},
    ),
    ("2026-08-24T09:05:00+00:00", "Read credentials from the environment, not settings.ini", {"settings.ini": None}),
)
"""(author date, message, files written - ``None`` deletes)."""


def build(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)

    def git(*args: str, date: str = HISTORY[0][0]) -> None:
        env = {**os.environ, **ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    for date, message, files in HISTORY:
        for name, text in files.items():
            if text is None:
                (folder / name).unlink()
            else:
                (folder / name).write_text(text)
        git("add", "-A", date=date)
        git("commit", "-q", "-m", message, date=date)
    return folder


def main(argv: list[str]) -> None:
    folder = build(Path(argv[1]) if len(argv) > 1 else DEFAULT)
    print(f"built {folder}")


if __name__ == "__main__":
    main(sys.argv)
