"""``iamwarden collect --record`` against a moto server: the collected account is recorded with its results."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from iamwarden.cli.app import app
from iamwarden.store import History
from tests.cli.test_collect_cmd import against_server, moto_server, served_account
from tests.collect.moto_account import BuiltAccount

__all__ = ["against_server", "moto_server", "served_account"]

runner = CliRunner()


def test_collect_records_the_scan(against_server: BuiltAccount, tmp_path: Path) -> None:
    output, db = tmp_path / "account.json.gz", tmp_path / "history.sqlite"
    result = runner.invoke(app, ["collect", "-o", str(output), "--record", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"recorded scan 1 of account 123456789012 in {db}" in result.stdout
    with History.open(str(db)) as history:
        [scan] = history.scans()
        assert (scan.account_id, scan.source, scan.snapshot_path) == ("123456789012", "live", str(output.resolve()))
        content = history.content(scan.id)
    assert ("key", against_server.access_key_id) in content.entities
    assert any(r.check_id == "root.mfa_enabled" for r in content.results.values())
    listed = runner.invoke(app, ["history", "list", "--db", str(db), "--format", "json"])
    assert [s["id"] for s in orjson.loads(listed.stdout)["scans"]] == [1]
