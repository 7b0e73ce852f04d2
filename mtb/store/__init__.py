"""The case store (SQLAlchemy 2, Alembic): curations, board decisions, users and the audit log.
SQLite in the data dir by default; PostgreSQL by URL (MTB_DB_URL)."""

from mtb.store.repository import AccessError, Actor, StaleEditError, Store, default_url

__all__ = ["AccessError", "Actor", "StaleEditError", "Store", "default_url"]
