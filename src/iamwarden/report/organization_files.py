"""The organization's findings in one file per format (``scan BUNDLE --output-dir DIR --format ...``): every
account's findings merged from the reports its worker wrote under ``accounts/<id>/``, each finding naming its account
id and OU path as the single-account formats do (:mod:`.place`).

====== =============================== ==============================================================================
format file                            what it holds
====== =============================== ==============================================================================
json   ``organization-findings.json``  ``{"tool", "organization", "accounts": [{"id", "report"}], "findings": [...]}``,
                                       the accounts' ``findings.json`` findings, one per line
sarif  ``organization.sarif``          one SARIF 2.1.0 log, one run per account (the run's ``account``/``ouPath``
                                       properties, each result's ``accountId``/``ouPath``)
ocsf   ``organization.ocsf.json``      one JSON array of every account's OCSF Compliance Findings
asff   ``organization.asff.json``      one JSON array of every account's ASFF findings
csv    ``organization.csv``            one header, then every account's rows (``account_id``, ``ou_path`` columns)
====== =============================== ==============================================================================

The HTML view of the organization is ``organization.html`` (:mod:`.organization`). Files are read one account at a
time and written as they are read (memory holds one account's report), into a temporary file renamed over the
target at the end (:func:`iamwarden.runtime.open_atomically`). Accounts without a report (gaps) are left out; the
organization checks' findings are in ``organization.json``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import orjson

from iamwarden import __version__
from iamwarden.report.outputs import FILE_NAMES
from iamwarden.runtime import open_atomically

MERGED_NAMES: Mapping[str, str] = {
    "json": "organization-findings.json",
    "sarif": "organization.sarif",
    "ocsf": "organization.ocsf.json",
    "asff": "organization.asff.json",
    "csv": "organization.csv",
}
"""Each format merged over the organization and the file it is written to in the output folder."""
BOM = b"\xef\xbb\xbf"


def write_merged(
    output_dir: Path, accounts: Sequence[str], formats: Sequence[str], organization: Mapping[str, Any]
) -> list[Path]:
    """Merge ``accounts/<id>/<file>`` of each account (in ``accounts``' order) for each of ``formats`` that
    :data:`MERGED_NAMES` knows; returns the files written."""
    written: list[Path] = []
    for name, target in MERGED_NAMES.items():
        if name not in formats:
            continue
        sources = [(a, output_dir / "accounts" / a / FILE_NAMES[name]) for a in accounts]
        sources = [(a, p) for a, p in sources if p.is_file()]
        path = output_dir / target
        with open_atomically(path, f"the organization's {name} report") as out:
            _WRITERS[name](out, sources, output_dir, organization)
        written.append(path)
    return written


def _json(out: IO[bytes], sources: list[tuple[str, Path]], root: Path, organization: Mapping[str, Any]) -> None:
    head = {
        "tool": {"name": "iamwarden", "version": __version__},
        "organization": dict(organization),
        "accounts": [{"id": a, "report": p.relative_to(root).as_posix()} for a, p in sources],
    }
    out.write(orjson.dumps(head)[:-1] + b',\n"findings":[')
    first = True
    for _, path in sources:
        for finding in orjson.loads(path.read_bytes()).get("findings", ()):
            out.write(b"\n" if first else b",\n")
            out.write(orjson.dumps(finding))
            first = False
    out.write(b"\n]}\n")


def _array(out: IO[bytes], sources: list[tuple[str, Path]], root: Path, organization: Mapping[str, Any]) -> None:
    out.write(b"[")
    first = True
    for _, path in sources:
        for item in orjson.loads(path.read_bytes()):
            out.write(b"\n" if first else b",\n")
            out.write(orjson.dumps(item))
            first = False
    out.write(b"\n]\n" if not first else b"]\n")


def _sarif(out: IO[bytes], sources: list[tuple[str, Path]], root: Path, organization: Mapping[str, Any]) -> None:
    from iamwarden.report.sarif import SARIF_SCHEMA

    out.write(orjson.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0"})[:-1] + b',\n"runs":[')
    first = True
    for _, path in sources:
        for run in orjson.loads(path.read_bytes()).get("runs", ()):
            out.write(b"\n" if first else b",\n")
            out.write(orjson.dumps(run))
            first = False
    out.write(b"\n]}\n")


def _csv(out: IO[bytes], sources: list[tuple[str, Path]], root: Path, organization: Mapping[str, Any]) -> None:
    header: bytes | None = None
    for _, path in sources:
        data = path.read_bytes().removeprefix(BOM)
        end = data.find(b"\r\n") + 2  # the header names no quoted line breaks
        if header is None:
            header = data[:end]
            out.write(BOM + header)
        out.write(data[end:])
    if header is None:
        from iamwarden.report.csv_report import COLUMNS

        out.write(BOM + ",".join(COLUMNS).encode() + b"\r\n")


_WRITERS = {"json": _json, "sarif": _sarif, "ocsf": _array, "asff": _array, "csv": _csv}
