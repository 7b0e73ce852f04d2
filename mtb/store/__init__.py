"""The case store (SQLAlchemy 2, Alembic): curations, board decisions, users and the audit log.
SQLite in the data dir by default; PostgreSQL by URL (MTB_DB_URL). It returns the board's plain
records (mtb.board), never its rows; `Actor` and the errors its writes raise are re-exported
for its callers' convenience (their homes: mtb.board, mtb.errors)."""

from mtb.board import Actor
from mtb.errors import AccessError, StaleEditError
from mtb.store.repository import Store, default_url

__all__ = ["AccessError", "Actor", "StaleEditError", "Store", "default_url"]
