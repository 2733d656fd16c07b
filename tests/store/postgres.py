"""A real PostgreSQL server for the tests, from Debian's ``postgresql`` package, started on a free local port.

The data directory (and the server's socket) live in a temporary folder the fixture creates and removes. PostgreSQL
refuses to run as root, and CI runs as root: then ``initdb`` and ``pg_ctl`` run as the ``postgres`` system user through
``runuser``. Outside CI the tests skip when the binaries are missing; under CI (``CI`` set) they fail, since .ci/run
installs the package.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parents[1].name))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PostgresServer:
    port: int
    user: str
    data: Path | None = None

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far (Linux): the postmaster's, the backends it reaped (a connection's
        backend ends with it) and the live ones'. For ``benchmarks/history.py``, where the server runs beside it."""
        if self.data is None:
            return 0.0
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, parent = int(stat.parent.name), int(fields[1])
            if pid == postmaster:
                total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
            elif parent == postmaster:
                total += int(fields[11]) + int(fields[12])
        return total / tick

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = f"iw_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _as_server_user(args: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *args] if owner else args


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the PostgreSQL tests (.ci/run installs postgresql)")
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty history database: an SQLite file, or a database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        unavailable("PostgreSQL binaries not found in /usr/lib/postgresql/*/bin")
        raise AssertionError("unreachable")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        unavailable("runuser not found (needed to run PostgreSQL as the postgres user)")
    with running_postgres(bin_dir) as server:
        yield server


@contextmanager
def running_postgres(bin_dir: Path | None = None, *, durable: bool = False) -> Iterator[PostgresServer]:
    """Start a PostgreSQL server (``bin_dir``: the newest Debian one by default) on a free local port, as the
    ``postgres`` user when root, in a temporary data directory; stop it and remove the directory on exit. Without
    ``durable``, commits are not flushed to disk (``fsync=off``: tests); ``benchmarks/history.py`` asks for it."""
    bin_dir = bin_dir or _bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL binaries not found in /usr/lib/postgresql/*/bin (Debian's postgresql)")
    owner = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="iamwarden-pg-"))
    data, log = base / "data", base / "server.log"
    if owner is not None:
        shutil.chown(base, user=owner)
    port = _free_port()
    user = owner or "postgres"
    pg_ctl = str(bin_dir / "pg_ctl")
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8"]
    try:
        subprocess.run(
            _as_server_user([*initdb] if durable else [*initdb, "--no-sync"], owner), check=True, capture_output=True
        )
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=50"
        if not durable:
            options += " -c fsync=off"
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60", "start"], owner),
            check=True,
            capture_output=True,
        )
        yield PostgresServer(port, user, data)
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], owner),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)
