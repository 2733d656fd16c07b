"""The account inputs every account-reading command takes (``scan``, ``paths``, ``access``, ``who-can``, ``policy``):
exactly one of ``--snapshot``, ``--authorization-details`` or ``--import-dir``, plus ``--account-id``; and the
``--config`` thresholds file of the commands that read thresholds (``scan``, ``policy``).

Declared once here so their names and help stay the same everywhere; :func:`iamwarden.cli.scan_cmd.load_input`
reads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
