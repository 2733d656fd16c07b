"""What ``iamwarden scan`` prints and writes, from parsed options: one call for the scan command.

Formats (comma-separated, docs/reports.md): ``console`` (the scorecard and failures, :mod:`.scorecard`) and the file
formats of :data:`FILE_NAMES`: ``json`` (:mod:`.findings_json`), ``html`` (:mod:`.html`), ``sarif`` (:mod:`.sarif`),
``ocsf`` (:mod:`.ocsf`), ``asff`` (:mod:`.asff`) and ``csv`` (:mod:`.csv_report`).

Where files go: with ``-o PATH`` and one file format, to ``PATH`` (or into it, under the format's usual name, when it
is an existing folder); with ``-o PATH`` and several, into the folder ``PATH``; else into ``--output-dir`` (or the
current folder) under the usual names. Every file is written atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from iamwarden.checks.base import Severity
from iamwarden.checks.runner import Assessment
from iamwarden.errors import InputError, Problem
from iamwarden.runtime import write_atomically

if TYPE_CHECKING:
    from iamwarden.detections import Detection
    from iamwarden.report.trends import HistoryView

FILE_NAMES: Mapping[str, str] = {
    "json": "findings.json",
    "html": "report.html",
    "sarif": "findings.sarif",
    "ocsf": "findings.ocsf.json",
    "asff": "findings.asff.json",
    "csv": "findings.csv",
}
"""Each file format and the name it is written under in an output folder."""
FORMATS = ("console", *FILE_NAMES)
JSON_FILE = FILE_NAMES["json"]


def destinations(formats: Sequence[str], output: Path | None, output_dir: Path | None) -> dict[str, Path]:
    """The file each file format in ``formats`` is written to (see the module docstring)."""
    files = [f for f in formats if f in FILE_NAMES]
    if output is not None and len(files) == 1 and not output.is_dir():
        return {files[0]: output}
    folder = output if output is not None else (output_dir or Path.cwd())
    if output is not None and output.exists() and not output.is_dir():
        raise InputError(
            str(output),
            Problem("", f"-o names a file, but {len(files)} file formats ({', '.join(files)}) need a folder"),
        )
    return {f: folder / FILE_NAMES[f] for f in files}


def json_destination(output: Path | None, output_dir: Path | None) -> Path:
    return destinations(["json"], output, output_dir)["json"]


def _writers(
    source_file: Path | None,
    history: HistoryView | None = None,
    *,
    with_sources: bool = False,
    activity: Detection | None = None,
) -> dict[str, Callable[[Assessment, Path], None]]:
    """Each format's writer; a writer imports its module when it writes (the HTML report's brings in the detection
    engine and templates, SARIF's its models: most of a JSON-only scan's start when imported up front)."""
    artifact = str(source_file) if source_file is not None else None

    def write_json(assessment: Assessment, path: Path) -> None:
        from iamwarden.report.findings_json import dumps

        write_atomically(path, dumps(assessment, history), "the report")

    def write_html(assessment: Assessment, path: Path) -> None:
        from iamwarden.report.html import write_html

        write_html(assessment, path, history, activity)

    def write_sarif(assessment: Assessment, path: Path) -> None:
        from iamwarden.report.sarif import write_sarif

        write_sarif(assessment, path, artifact, with_sources=with_sources)

    def write_ocsf(assessment: Assessment, path: Path) -> None:
        from iamwarden.report.ocsf import write_ocsf

        write_ocsf(assessment, path)

    def write_asff(assessment: Assessment, path: Path) -> None:
        from iamwarden.report.asff import write_asff

        write_asff(assessment, path)

    def write_csv(assessment: Assessment, path: Path) -> None:
        from iamwarden.report.csv_report import write_csv

        write_csv(assessment, path)

    return {
        "json": write_json,
        "html": write_html,
        "sarif": write_sarif,
        "ocsf": write_ocsf,
        "asff": write_asff,
        "csv": write_csv,
    }


def emit(
    assessment: Assessment,
    *,
    formats: Sequence[str],
    console: Console,
    output: Path | None = None,
    output_dir: Path | None = None,
    practices: Sequence[int] = (),
    min_severity: Severity | None = None,
    show: int | None = 10,
    source_file: Path | None = None,
    history: HistoryView | None = None,
    activity: Detection | None = None,
) -> list[Path]:
    """Print and write what ``formats`` ask for; returns the files written, in :data:`FORMATS` order. Files always
    hold every result (filters only narrow what the console shows). ``source_file`` is the scanned input file: SARIF
    results are anchored to it. ``history`` (``scan --record``): the HTML report shows its trends and changes, the JSON
    report its open failures' first-seen dates and whether they are new, regressed or unchanged; ``activity``
    (``scan --cloudtrail``): the HTML report's Activity section."""
    from iamwarden.report.scorecard import render

    if "console" in formats:
        render(assessment, console, practices=practices, min_severity=min_severity, show=show)
    targets = destinations(formats, output, output_dir)
    writers = _writers(source_file, history, with_sources=output_dir is not None and output is None, activity=activity)
    written: list[Path] = []
    for name in FILE_NAMES:
        if name in targets:
            writers[name](assessment, targets[name])
            written.append(targets[name])
    return written
