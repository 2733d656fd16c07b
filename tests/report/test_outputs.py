"""Where ``scan`` writes each format, several at once, and what happens when it cannot write."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from rich.console import Console

from iamwarden.checks.runner import run_checks
from iamwarden.cli.options import parse_formats
from iamwarden.errors import InputError, OutputError
from iamwarden.report.outputs import FILE_NAMES, FORMATS, destinations, emit
from tests.checks.harness import build_case_account

SNAPSHOT = {
    "summary": {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1, "AccountPasswordPresent": 1},
    "password_policy": {"MinimumPasswordLength": 8},
}
FILES = ["json", "html", "sarif", "ocsf", "asff", "csv"]

# (formats, -o, --output-dir, expected {format: path relative to tmp})
CASES = [
    (["json"], "x.json", None, {"json": "x.json"}),
    (["sarif"], "out/scan.sarif", None, {"sarif": "out/scan.sarif"}),
    (["json", "csv"], "reports", None, {"json": "reports/findings.json", "csv": "reports/findings.csv"}),
    (["console", "sarif"], None, "d", {"sarif": "d/findings.sarif"}),
    (["console"], None, "d", {}),
    (FILES, None, "d", {f: f"d/{FILE_NAMES[f]}" for f in FILES}),
    (["ocsf", "asff"], "o", "ignored", {"ocsf": "o/findings.ocsf.json", "asff": "o/findings.asff.json"}),
]


@pytest.mark.parametrize(("formats", "output", "output_dir", "expected"), CASES)
def test_destinations(
    tmp_path: Path, formats: list[str], output: str | None, output_dir: str | None, expected: dict[str, str]
) -> None:
    got = destinations(formats, tmp_path / output if output else None, tmp_path / output_dir if output_dir else None)
    assert got == {k: tmp_path / v for k, v in expected.items()}


def test_one_format_into_an_existing_folder(tmp_path: Path) -> None:
    assert destinations(["csv"], tmp_path, None) == {"csv": tmp_path / "findings.csv"}


def test_several_formats_to_an_existing_file_is_an_error(tmp_path: Path) -> None:
    existing = tmp_path / "report.json"
    existing.write_text("{}")
    with pytest.raises(InputError, match="need a folder") as err:
        destinations(["json", "sarif"], existing, None)
    assert str(existing) in str(err.value)


def test_names_are_the_documented_ones() -> None:
    assert FILE_NAMES == {
        "json": "findings.json",
        "html": "report.html",
        "sarif": "findings.sarif",
        "ocsf": "findings.ocsf.json",
        "asff": "findings.asff.json",
        "csv": "findings.csv",
    }
    assert parse_formats("all", FORMATS) == list(FORMATS)
    assert parse_formats("SARIF, csv,sarif", FORMATS) == ["sarif", "csv"]
    with pytest.raises(InputError, match="pdf"):
        parse_formats("json,pdf", FORMATS)


def test_emit_writes_every_format(tmp_path: Path) -> None:
    console = Console(record=True, width=160)
    written = emit(
        run_checks(build_case_account(SNAPSHOT)),
        formats=parse_formats("all", FORMATS),
        console=console,
        output_dir=tmp_path,
        source_file=Path("account.json.gz"),
    )
    assert written == [tmp_path / FILE_NAMES[f] for f in FILES]
    names = {p.name for p in tmp_path.iterdir()}
    assert "account.txt" in names  # what SARIF results point at (and policies/ when the account has some)
    assert sorted(names - {"account.txt", "policies"}) == sorted(FILE_NAMES.values())  # no temporary files left
    assert "scorecard" in console.export_text()
    for name in ("findings.json", "findings.sarif", "findings.ocsf.json", "findings.asff.json"):
        assert orjson.loads((tmp_path / name).read_bytes())
    sarif = orjson.loads((tmp_path / "findings.sarif").read_bytes())
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("account.txt")  # with an output folder: the text file describing the account
    assert (tmp_path / "report.html").read_text().lstrip().lower().startswith("<!doctype html")


def test_an_unwritable_folder_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    with pytest.raises(OutputError) as err:
        emit(
            run_checks(build_case_account(SNAPSHOT)),
            formats=["ocsf"],
            console=Console(file=io.StringIO()),
            output_dir=blocker / "sub",
        )
    assert str(blocker / "sub" / "findings.ocsf.json") in str(err.value)
