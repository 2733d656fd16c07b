"""Alembic's environment for the history database: migrations always run on the connection iamwarden opened (inside
its transaction and lock, see :func:`iamwarden.store.database.open_database`), never from an ini file's URL."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
