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
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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
    # DeclarativeBase declares __mapper_args__ as an `Any` attribute (a ClassVar here would clash
    # with it for mypy); SQLAlchemy reads the mapping once, when the class is mapped
    __mapper_args__: Any = {"version_id_col": version}  # noqa: RUF012


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
    # DeclarativeBase declares __mapper_args__ as an `Any` attribute (a ClassVar here would clash
    # with it for mypy); SQLAlchemy reads the mapping once, when the class is mapped
    __mapper_args__: Any = {"version_id_col": version}  # noqa: RUF012


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
    # DeclarativeBase declares __mapper_args__ as an `Any` attribute (a ClassVar here would clash
    # with it for mypy); SQLAlchemy reads the mapping once, when the class is mapped
    __mapper_args__: Any = {"version_id_col": version}  # noqa: RUF012


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


# -- cases that last (migration 0005): registered cases, their annotation versions with the
# findings' index, the jobs that make them, what the board saw, and frozen final reports.
# Versions, their findings, what the board saw and frozen reports are append-only (database
# triggers, as for the audit log): what mtb said about a patient is never rewritten.


class StoredCase(Base):
    """A registered case: where its files are, what they were when last looked at (`inputs`,
    `input_key`), and its newest annotation version."""

    __tablename__ = "stored_case"

    case_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    folder: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(40))  # cases folder, upload, command line, ...
    title: Mapped[str] = mapped_column(Text, default="")
    diagnosis: Mapped[str] = mapped_column(Text, default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    synthetic_parts: Mapped[str] = mapped_column(Text, default="")
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    registered_by: Mapped[str] = mapped_column(String(80), default="")
    inputs: Mapped[str] = mapped_column(Text, default="[]")  # JSON: files, sizes, sha256
    input_key: Mapped[str] = mapped_column(String(64), default="")  # what the next version is of
    current_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the newest job
    problem: Mapped[str] = mapped_column(Text, default="")  # why its files cannot be read
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    # the tumor type a curator chose (a DOID; "" = the diagnosis text decides): migration 0007
    tumor_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    tumor_type_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    tumor_type_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    tumor_type_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)


class CaseVersion(Base):
    """One annotation run of a case: what it was made from and the case document it gave."""

    __tablename__ = "case_version"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(120), index=True)
    number: Mapped[int] = mapped_column(Integer)
    input_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    created_by: Mapped[str] = mapped_column(String(120), default="")  # the worker
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")  # new case, files changed, KB changed
    mtb_version: Mapped[str] = mapped_column(String(40))
    document_schema: Mapped[int] = mapped_column(Integer)
    kb_signature: Mapped[str] = mapped_column(String(64))
    kb_release: Mapped[str] = mapped_column(String(200), default="")  # CIViC 01-Jul-2025
    approvals: Mapped[str] = mapped_column(String(200), default="")  # approvals table date
    build: Mapped[str] = mapped_column(String(16), default="")
    files: Mapped[str] = mapped_column(Text, default="[]")  # JSON: name, kind, sha256, size
    title: Mapped[str] = mapped_column(Text, default="")
    diagnosis: Mapped[str] = mapped_column(Text, default="")  # as given
    diagnosis_name: Mapped[str] = mapped_column(Text, default="")
    doid: Mapped[str] = mapped_column(String(40), default="", index=True)
    oncotree: Mapped[str] = mapped_column(String(40), default="", index=True)
    findings: Mapped[int] = mapped_column(Integer, default=0)
    tier_one: Mapped[int] = mapped_column(Integer, default=0)  # by the knowledge-base rules
    tier_two: Mapped[int] = mapped_column(Integer, default=0)
    tmb: Mapped[float | None] = mapped_column(Float, nullable=True)  # mutations per Mb
    biomarkers: Mapped[str] = mapped_column(Text, default="{}")  # JSON: name -> value
    changes: Mapped[str] = mapped_column(Text, default="{}")  # JSON: since the previous one
    board_changes: Mapped[str] = mapped_column(Text, default="{}")  # since the board met
    document: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed JSON
    document_sha256: Mapped[str] = mapped_column(String(64))  # of the JSON, checked on reading
    document_bytes: Mapped[int] = mapped_column(Integer)
    # the timeline's newest response ("PD 2024-11-02"), for "seen before": migration 0007
    outcome: Mapped[str] = mapped_column(String(40), default="", server_default="")


class FindingEntry(Base):
    """One finding of a version, by the columns cohort queries and the agenda need; the full
    annotation is in the version's document."""

    __tablename__ = "case_finding"
    __table_args__ = (Index("ix_case_finding_version_key", "version_id", "finding_key"),
                      Index("ix_case_finding_version_key_finding", "version_id",
                            "key_finding"),
                      Index("ix_case_finding_gene_tier", "gene", "tier"),
                      Index("ix_case_finding_version_tier", "version_id", "tier"),
                      Index("ix_case_finding_partner5", "partner5"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("case_version.id"))
    case_id: Mapped[str] = mapped_column(String(120))
    ordinal: Mapped[int] = mapped_column(Integer)  # its row in the case's variant table
    finding_key: Mapped[str] = mapped_column(String(300))
    gene: Mapped[str] = mapped_column(String(64), default="")
    label: Mapped[str] = mapped_column(String(300), default="")
    variant_class: Mapped[str] = mapped_column(String(40), default="")  # snv, cnv, fusion, ...
    protein: Mapped[str] = mapped_column(String(120), default="")  # p.G12C
    tier: Mapped[str] = mapped_column(String(8))  # by the knowledge-base rules
    level: Mapped[str] = mapped_column(String(4), default="")
    key_finding: Mapped[bool] = mapped_column(Boolean, default=False)  # tier I/II by the rules
    # migration 0006 (cohort queries); empty in rows stored before it
    exon: Mapped[int | None] = mapped_column(Integer, nullable=True)
    partner5: Mapped[str] = mapped_column(String(64), default="", server_default="")
    partner3: Mapped[str] = mapped_column(String(64), default="", server_default="")
    cnv_call: Mapped[str] = mapped_column(String(24), default="", server_default="")


class Job(Base):
    """A job's lasting state beside its queue message (mtb.jobs): who runs it, until when
    (its lease), how far it is, and how it ended."""

    __tablename__ = "job"
    __table_args__ = (UniqueConstraint("case_id", "kind", "input_key", "after_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # annotate, reports
    input_key: Mapped[str] = mapped_column(String(64))
    after_version: Mapped[int] = mapped_column(Integer, default=0)  # the version it follows
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    step: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str] = mapped_column(String(120), default="")
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                          nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                          nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")  # why it failed
    version_number: Mapped[int | None] = mapped_column(Integer, nullable=True)  # what it made


class BoardSeen(Base):
    """The annotation version a case had when the board moved it on (presented, decided,
    final): what the board saw. The final one pins the version the report is made of."""

    __tablename__ = "board_seen"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(120), index=True)
    status: Mapped[str] = mapped_column(String(16))
    version_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    by: Mapped[str] = mapped_column(String(80), default="")


class FrozenReport(Base):
    """A final case's report as it was issued, byte for byte (HTML, PDF, FHIR)."""

    __tablename__ = "frozen_report"
    __table_args__ = (UniqueConstraint("case_id", "format"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(120), index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(8))  # html, pdf, fhir
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    created_by: Mapped[str] = mapped_column(String(120), default="")


class LibraryState(Base):
    """Facts about the whole library: the knowledge base the cases were last annotated
    with (a change starts re-annotation of every case)."""

    __tablename__ = "library_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
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
