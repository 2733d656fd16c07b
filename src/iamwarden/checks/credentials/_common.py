"""Shared remediation text for the access-key checks."""

from __future__ import annotations

ROTATE_CLI = (
    "aws iam create-access-key --user-name <user>",
    "aws iam update-access-key --user-name <user> --access-key-id <old-key-id> --status Inactive",
    "aws iam delete-access-key --user-name <user> --access-key-id <old-key-id>",
)
KEYS_CONSOLE = ("IAM console > Users > <user> > Security credentials > Access keys.",)
