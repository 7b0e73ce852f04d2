"""Fixtures for the case store's tests: every test runs against SQLite and against a real
PostgreSQL server, each time on an empty database.

PostgreSQL comes from MTB_TEST_PG_URL (scripts/test.sh starts a throw-away server with
scripts/postgres.sh and exports it). Without it the PostgreSQL half is skipped, saying why in the
summary; never silently. With it, a server that does not answer fails the tests: a set URL is a
promise that PostgreSQL is tested.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool

from mtb.store import Store

PG_ENV = "MTB_TEST_PG_URL"
PG_MISSING = (
    "PostgreSQL not available: MTB_TEST_PG_URL is not set (scripts/test.sh starts one; "
    "see its stderr)"
)
BACKENDS = ["sqlite", "postgresql"]


def pg_url() -> str:
    """The server's URL, or a skip with the reason (an empty value counts as unset: that is what
    `export MTB_TEST_PG_URL="$(scripts/postgres.sh)"` gives when no server could start)."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        pytest.skip(PG_MISSING)
    return url


def _admin_engine(url: URL):
    """Autocommit on the server's maintenance database: CREATE/DROP DATABASE cannot run in a
    transaction."""
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                         poolclass=NullPool)


def _drop_everything(url: URL) -> None:
    """Empty a database we may not drop. DROP, not DELETE or TRUNCATE: the audit log's trigger
    refuses those, as it should."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        tables = connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()
        for table in list(tables):
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
        for function in ("audit_log", "case_version", "case_finding", "board_seen",
                         "frozen_report"):
            connection.execute(text(f"DROP FUNCTION IF EXISTS {function}_append_only() CASCADE"))
    engine.dispose()


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test (dropped afterwards, connections and all).
    When the server's user may not create databases, the URL's own database, emptied before and
    after."""
    base = make_url(pg_url())
    name = f"mtb_t_{uuid.uuid4().hex[:16]}"
    admin = _admin_engine(base)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except ProgrammingError:  # no CREATEDB: share the given database, one test at a time
        admin.dispose()
        _drop_everything(base)
        yield base.render_as_string(hide_password=False)
        _drop_everything(base)
        return
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database's SQLAlchemy URL, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store.sqlite"
    return request.getfixturevalue("pg_database")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated, empty store on each backend."""
    opened = Store.open(store_url)
    yield opened
    opened.close()
