"""Every history test runs on SQLite and on a real PostgreSQL server (the ``db`` fixture of :mod:`.postgres`)."""

from tests.store.postgres import db, postgres_server

__all__ = ["db", "postgres_server"]
