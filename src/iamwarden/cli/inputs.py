"""The account inputs every account-reading command takes (``scan``, ``paths``, ``access``, ``who-can``, ``policy``):
exactly one of ``--snapshot``, ``--authorization-details`` or ``--import-dir``, plus ``--account-id``; and the
``--config`` thresholds file of the commands that read thresholds (``scan``, ``policy``). ``scan`` also takes the
input as a positional ``PATH`` whose kind :func:`input_kind` tells (a snapshot, an authorization-details file, a
folder of AWS CLI outputs, or an organization bundle).

Declared once here so their names and help stay the same everywhere; :func:`load_input`
reads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

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
    str | None, typer.Option("--account-id", help="Account id, when the imported files do not tell it.", metavar="ID")
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Thresholds file (default: ./iamwarden.toml when present).", dir_okay=False),
]


InputKind = Literal["snapshot", "authorization-details", "import-dir", "org-bundle"]

BUNDLE_FILE = "org.json"
"""The file that makes a folder an organization bundle (``iamwarden collect --org``; docs/org-bundle.md)."""

_AUTH_DETAILS_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def input_kind(path: Path) -> InputKind:
    """What ``path`` holds: a folder with ``org.json`` is an organization bundle, any other folder AWS CLI outputs;
    a file is a snapshot when its ``format`` says so, an authorization-details file when it has their lists
    (``UserDetailList`` ...). Anything else is an :class:`InputError` naming the file."""
    source = str(path)
    if path.is_dir():
        return "org-bundle" if (path / BUNDLE_FILE).is_file() else "import-dir"
    if not path.exists():
        raise InputError(source, Problem("", "no such file or directory"))
    if path.name == BUNDLE_FILE:
        raise InputError(source, Problem("", "an organization bundle's org.json: give the bundle's folder"))
    return _file_kind(_parsed(path), source)


HEAD_BYTES = 65536


def _parsed(path: Path) -> Any:
    """The file's JSON, or, when its first bytes already tell its kind, a dict of the keys they show (a snapshot is
    not parsed twice)."""
    import gzip
    import re

    from iamwarden.collect.snapshot import load_json_file

    try:
        with gzip.open(path) if path.name.endswith(".gz") else path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
    except (OSError, EOFError):
        head = b""  # the full read names the problem
    top = re.match(rb'\s*\{\s*"([A-Za-z_]+)"\s*:', head)
    if top is not None and top.group(1).decode() in ("format", *_AUTH_DETAILS_LISTS):
        return {top.group(1).decode(): None}
    return load_json_file(path)


def _file_kind(doc: Any, source: str) -> InputKind:
    if isinstance(doc, dict):
        if "format" in doc or "format_version" in doc:
            return "snapshot"  # its reader names what is wrong with it, if anything
        if any(key in doc for key in _AUTH_DETAILS_LISTS):
            return "authorization-details"
    raise InputError(
        source,
        Problem(
            "$",
            'cannot tell what this file is: neither an iamwarden snapshot ("format": "iamwarden-snapshot") nor '
            "the output of `aws iam get-account-authorization-details` (UserDetailList, RoleDetailList ...)",
        ),
    )


def load_input(
    snapshot: Path | None,
    authorization_details: Path | None,
    import_dir: Path | None,
    account_id: str | None,
    path: Path | None = None,
    *,
    positional: bool = False,
) -> Snapshot:
    """The snapshot from exactly one of the inputs (``path``: the positional argument of a command that takes one,
    ``positional``, its kind told by :func:`input_kind`; an organization bundle is not one account and is refused
    here); anything else is an :class:`InputError`."""
    given = [
        (n, v)
        for n, v in (
            ("PATH", path),
            ("--snapshot", snapshot),
            ("--authorization-details", authorization_details),
            ("--import-dir", import_dir),
        )
        if v is not None
    ]
    if len(given) != 1:
        what = "none was given" if not given else f"{' and '.join(n for n, _ in given)} were given"
        names = "PATH, --snapshot" if positional else "--snapshot"
        raise InputError(
            "command line",
            Problem("", f"give exactly one of {names}, --authorization-details, --import-dir ({what})"),
        )
    if path is not None:
        kind = input_kind(path)
        if kind == "org-bundle":
            raise InputError(str(path), Problem("", "an organization bundle holds many accounts; this reads one"))
        snapshot, authorization_details, import_dir = (
            path if kind == "snapshot" else None,
            path if kind == "authorization-details" else None,
            path if kind == "import-dir" else None,
        )
    if snapshot is not None:
        from iamwarden.collect.snapshot import read_snapshot

        return read_snapshot(snapshot)
    if authorization_details is not None:
        from iamwarden.collect.authdetails import snapshot_from_authorization_details

        return snapshot_from_authorization_details(authorization_details, account_id=account_id)
    from iamwarden.collect.importer import import_directory

    return import_directory(given[0][1], account_id=account_id)
