"""The account inputs every account-reading command takes (``scan``, ``paths``, ``access``, ``who-can``, ``policy``):
exactly one of ``--snapshot``, ``--authorization-details`` or ``--import-dir``, plus ``--account-id``; and the
``--config`` thresholds file of the commands that read thresholds (``scan``, ``policy``).

Declared once here so their names and help stay the same everywhere; :func:`load_input`
reads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iamwarden.errors import InputError, Problem

if TYPE_CHECKING:
    from iamwarden.collect.snapshot import Snapshot

SnapshotOption = Annotated[
    Path | None,
    typer.Option(
        "--snapshot", "-s", help="Snapshot file (.json or .json.gz) from `iamwarden collect`.", dir_okay=False
    ),
]
AuthDetailsOption = Annotated[
    Path | None,
    typer.Option(
        "--authorization-details",
        help="Output of `aws iam get-account-authorization-details` (IAM only: no organization data, so no SCPs; "
        "the rest is reported as gaps).",
        dir_okay=False,
    ),
]
ImportDirOption = Annotated[
    Path | None,
    typer.Option(
        "--import-dir", help="Folder of AWS CLI outputs (docs/collect-with-aws-cli.sh writes one).", file_okay=False
    ),
]
AccountIdOption = Annotated[
    str | None, typer.Option("--account-id", help="Account id, when the imported files do not tell it.")
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Thresholds file (default: ./iamwarden.toml when present).", dir_okay=False),
]


def load_input(
    snapshot: Path | None, authorization_details: Path | None, import_dir: Path | None, account_id: str | None
) -> Snapshot:
    """The snapshot from exactly one of the three inputs; anything else is an :class:`InputError`."""
    given = [
        (n, v)
        for n, v in (
            ("--snapshot", snapshot),
            ("--authorization-details", authorization_details),
            ("--import-dir", import_dir),
        )
        if v is not None
    ]
    if len(given) != 1:
        what = "none was given" if not given else f"{' and '.join(n for n, _ in given)} were given"
        raise InputError(
            "command line",
            Problem("", f"give exactly one of --snapshot, --authorization-details, --import-dir ({what})"),
        )
    if snapshot is not None:
        from iamwarden.collect.snapshot import read_snapshot

        return read_snapshot(snapshot)
    if authorization_details is not None:
        from iamwarden.collect.authdetails import snapshot_from_authorization_details

        return snapshot_from_authorization_details(authorization_details, account_id=account_id)
    from iamwarden.collect.importer import import_directory

    return import_directory(given[0][1], account_id=account_id)
