"""Alembic environment for mtb's case store: run by mtb.store.repository.migrate (from
Store.open) with a connection in `config.attributes["connection"]` (never from a URL in an ini
file, so no password is written anywhere)."""

from __future__ import annotations

from alembic import context

from mtb.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
