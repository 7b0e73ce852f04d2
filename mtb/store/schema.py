"""The tables of the case store (SQLAlchemy 2 declarative models). Migrations are in
mtb/store/migrations (Alembic); this module and the newest migration describe the same schema,
and a test checks that they agree.

Every table a person edits has a `version` column: SQLAlchemy's optimistic locking refuses an
update whose expected version is not the stored one, so two curators never overwrite each
other unseen. The case record holds three things edited by different people, each with its own
version (status and meeting: `version`; the summary: `summary_version`) and `revision`, which
every change to the case raises; the repository checks and raises them itself.
The audit log is append-only: the database itself refuses UPDATE and DELETE on it
(triggers created by the migration, in SQLite and PostgreSQL).

These rows never leave mtb.store: the repository maps them to the board's plain records
(mtb.board) and returns those. The words stored in them (roles, statuses, tiers, ...) are the
board's vocabulary, checked by the repository against mtb.board.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    # sessions carry the epoch they began in; raising it ends them all (sign-out, new role)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    participants: Mapped[str] = mapped_column(Text, default="")  # one name per line
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class CaseRecord(Base):
    """What the board did with a case: status, meeting, the curators' summary."""

    __tablename__ = "case_record"

    case_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="prepared")
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    version: Mapped[int] = mapped_column(Integer, default=0)  # status and meeting
    summary_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # anything


class Curation(Base):
    """A molecular biologist's interpretation of one finding of a case."""

    __tablename__ = "curation"
    __table_args__ = (UniqueConstraint("case_id", "finding_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(120), index=True)
    finding_key: Mapped[str] = mapped_column(String(300))
    oncogenicity: Mapped[str] = mapped_column(String(32), default="")
    tier_override: Mapped[str] = mapped_column(String(8), default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    in_report: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Recommendation(Base):
    """One recommendation of the board for a case. Withdrawn, never deleted."""

    __tablename__ = "recommendation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)  # the therapy, trial or examination
    evidence_grade: Mapped[str] = mapped_column(String(8), default="")
    amp_tier: Mapped[str] = mapped_column(String(8), default="")
    rationale: Mapped[str] = mapped_column(Text, default="")
    finding_keys: Mapped[str] = mapped_column(Text, default="")  # one key per line
    nct_id: Mapped[str] = mapped_column(String(11), default="", server_default="")  # trials
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    created_by: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class AuditEntry(Base):
    """Who changed what, when, from what to what. Append-only (database triggers)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    user_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))  # curate, set_status, recommend, ...
    entity: Mapped[str] = mapped_column(String(40))  # curation, case_record, recommendation
    entity_key: Mapped[str] = mapped_column(String(400))
    case_id: Mapped[str] = mapped_column(String(120), index=True, default="")
    before: Mapped[str] = mapped_column(Text, default="")  # JSON
    after: Mapped[str] = mapped_column(Text, default="")  # JSON


class WebSession(Base):
    """A signed-in browser session (mtb.web.auth). The cookie holds a random token; only its
    SHA-256 is stored, so the table does not hand out live sessions. Ended sessions are
    deleted (this is not the audit log: sign-ins and sign-outs are audited there)."""

    __tablename__ = "web_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(80), index=True)
    epoch: Mapped[int] = mapped_column(Integer)  # the user's session epoch at sign-in
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class SignInThrottle(Base):
    """Failed sign-ins counted per key (an account at an address, or an address; keyed
    hashes, never what was typed), shared by every server process (mtb.web.throttle)."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)
