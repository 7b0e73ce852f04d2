"""The case store (SQLAlchemy 2, Alembic): curations, board decisions, users and the audit log;
registered cases with their annotation versions, jobs and frozen final reports. SQLite in the
data dir by default; PostgreSQL by URL (MTB_DB_URL). It returns plain records (the board's from
mtb.board, the library's from mtb.store.cases and jobs), never its rows; `Actor` and the errors
its writes raise are re-exported for its callers' convenience (their homes: mtb.board,
mtb.errors)."""

from mtb.board import Actor
from mtb.errors import AccessError, StaleEditError
from mtb.store.cases import (
    AgendaCase,
    BoardMark,
    CaseHeader,
    FindingRow,
    FrozenReportInfo,
    NewVersion,
    StoredCaseInfo,
    StoredVersion,
    VersionConflict,
    VersionInfo,
)
from mtb.store.cohort import CohortCase, CohortFinding
from mtb.store.jobs import JobInfo
from mtb.store.repository import Store, default_url

__all__ = [
    "AccessError",
    "Actor",
    "AgendaCase",
    "BoardMark",
    "CaseHeader",
    "CohortCase",
    "CohortFinding",
    "FindingRow",
    "FrozenReportInfo",
    "JobInfo",
    "NewVersion",
    "StaleEditError",
    "Store",
    "StoredCaseInfo",
    "StoredVersion",
    "VersionConflict",
    "VersionInfo",
    "default_url",
]
