"""Open the history database: where it is, how to connect, and migrating it to this iamwarden's schema.

Where: ``--db`` or else ``IAMWARDEN_DB`` or else ``history.sqlite`` in the user's data directory
(``platformdirs.user_data_path("iamwarden")``: ``~/.local/share/iamwarden`` on Linux, ``~/Library/Application
Support/iamwarden`` on macOS, ``%LOCALAPPDATA%\\iamwarden`` on Windows). A value with ``://`` is a database URL
(``postgresql://user@host:5432/db``, driven by psycopg 3; ``sqlite:///path``); anything else is an SQLite file path.

Opening runs the Alembic migrations up to this version's head, inside one transaction that holds the database's write
lock (SQLite ``BEGIN IMMEDIATE``; a PostgreSQL advisory lock), so two iamwardens opening a new database at once do not
both create it. A database that is not an iamwarden history (a corrupt file, another program's tables) or that a newer
iamwarden wrote is refused with :class:`StoreError`; it is never read as if it were compatible.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError, ProgrammingError, SQLAlchemyError

from iamwarden.errors import InputError, Problem

ENV_VAR = "IAMWARDEN_DB"
DEFAULT_NAME = "history.sqlite"
BUSY_TIMEOUT_S = 60.0
"""How long an SQLite writer waits for another one to finish before giving up."""
_LOCK_ID = 0x1A4A_57D0
"""The PostgreSQL advisory lock held while migrating."""
MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA_REVISION = "0005"
"""The newest migration's revision, which a database already migrated holds in ``alembic_version``: opening one
reads that row and compares, without Alembic (importing it and reading every migration script cost each command
about 0.1-0.2 s). ``tests/store/test_migrations.py`` holds it equal to Alembic's head."""


class StoreError(InputError):
    """The history database cannot be used: unreachable, corrupt, foreign or written by a newer iamwarden.
    One line naming the database (never its password); the command exits 2."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(where, Problem("", message))


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("iamwarden", appauthor=False) / DEFAULT_NAME


def database_url(db: str | None) -> URL:
    """The URL of the database ``--db`` names (else ``IAMWARDEN_DB``, else the default file)."""
    value = db if db else os.environ.get(ENV_VAR, "")
    if not value:
        return URL.create("sqlite", database=str(default_db_path()))
    if "://" not in value:
        return URL.create("sqlite", database=str(Path(value).expanduser()))
    try:
        url = make_url(value)
    except ArgumentError:
        raise StoreError(value, "not a database URL (postgresql://user@host:port/db, or an SQLite file path)") from None
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return url.set(drivername="postgresql+psycopg")
    if url.drivername == "sqlite":
        return url
    raise StoreError(
        url.render_as_string(hide_password=True),
        f"unsupported database {url.drivername!r} (use postgresql://... or an SQLite file)",
    )


def describe(url: URL) -> str:
    """How errors name the database: the SQLite file, or the URL without its password."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.set(drivername="postgresql").render_as_string(hide_password=True)


def create_store_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            path = Path(url.database)
            if path.is_dir():
                raise StoreError(str(path), "is a directory, not a database file")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(str(path), f"cannot create its folder: {exc.strerror or exc}") from None
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, connect_args={"connect_timeout": 10}, pool_pre_ping=True)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's documented recipe: let it emit BEGIN itself (pysqlite's own transaction handling defers it)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


READ_ONLY = "iamwarden_read_only"
"""Execution option of a connection that only reads: its SQLite transaction takes no write lock."""


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE: a writer takes the write lock when its transaction starts, so two writers queue (busy timeout)
    # instead of failing with "database is locked" when the second one tries to upgrade its read lock; a reader
    # takes a shared lock and waits for nobody but a writer committing
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the history migrations have {len(heads)} heads: {heads}")
    return str(heads[0])


def open_database(db: str | None) -> Engine:
    """An engine on the database ``db`` names, migrated to this iamwarden's schema (see the module doc)."""
    url = database_url(db)
    where = describe(url)
    engine = create_store_engine(url)
    try:
        if not _at_head(engine):  # the usual case reads one row, taking no write lock
            with engine.begin() as conn:
                migrate(conn, where)
    except StoreError:
        engine.dispose()
        raise
    except OperationalError as exc:
        engine.dispose()
        raise StoreError(where, _reason(exc, "cannot connect")) from None
    except DatabaseError as exc:
        engine.dispose()
        raise StoreError(where, _reason(exc, "not an iamwarden history database")) from None
    return engine


def _at_head(engine: Engine) -> bool:
    """Whether the database's schema is already this version's (read without taking SQLite's write lock). A new
    database has no ``alembic_version`` table yet: not at head, :func:`migrate` decides."""
    with engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        try:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except (OperationalError, ProgrammingError):  # no such table (SQLite; PostgreSQL), or busy: migrate() sees
            return False
        return versions == [SCHEMA_REVISION]


def migrate(conn: Connection, where: str) -> None:
    """Bring the database behind ``conn`` (inside a transaction) to :func:`head_revision`."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    current = MigrationContext.configure(conn).get_current_revision()
    config = _alembic_config()
    script = ScriptDirectory.from_config(config)
    if current is None:
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        if tables:
            shown = ", ".join(sorted(tables)[:5])
            raise StoreError(where, f"not an iamwarden history database (it holds other tables: {shown})")
    else:
        try:
            script.get_revision(current)
        except Exception:  # alembic raises several kinds for a revision it does not know  # noqa: BLE001
            raise StoreError(
                where,
                f"written by a newer iamwarden (schema revision {current}; this version knows up to "
                f"{head_revision()}): upgrade iamwarden to read it",
            ) from None
    if current == head_revision():
        return
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def _reason(exc: SQLAlchemyError, what: str) -> str:
    """The driver's message, on one line, after ``what``."""
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).splitlines() if ln.strip()]
    detail = lines[0] if lines else type(orig).__name__
    return f"{what}: {detail}"
