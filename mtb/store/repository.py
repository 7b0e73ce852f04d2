"""The case store: curations, board decisions, users, and the audit log, in one database.

Promises, and how they are kept:
- Nothing is lost: every change and its audit entry are written in one transaction; SQLite runs
  in WAL mode with synchronous=FULL, so a writer killed mid-transaction leaves the database as
  it was before that transaction.
- Nothing leaves it but the board's plain records (mtb.board): SQLAlchemy rows stay inside.
- Nothing is overwritten unseen: every edit names the version it was made on; a stale one is
  refused with StaleEditError, naming who changed it since.
- Nobody changes what they may not: every write checks the user's role here, on the server
  (AccessError), whatever the UI showed.
- A final case is read-only: its writes are refused (AccessError).
- The audit log is append-only: the database refuses UPDATE and DELETE on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, create_engine, event, make_url, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from mtb import board
from mtb.board import (
    AMP_TIERS,
    EVIDENCE_GRADES,
    NEXT_STATUS,
    ONCOGENICITY,
    RECOMMENDATION_KINDS,
    ROLES,
    STATUSES,
    Actor,
)
from mtb.errors import AccessError, StaleEditError, StorageError
from mtb.store import records
from mtb.store.cases import CaseLibraryStore
from mtb.store.jobs import JobStore
from mtb.store.schema import (
    AuditEntry,
    CaseRecord,
    Curation,
    Meeting,
    Recommendation,
    StoredCase,
    User,
    now,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / 'mtb.sqlite'}"


WRITE = {"mtb_write": True}  # execution option: this transaction writes


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # the driver's own transaction handling off: SQLAlchemy's "begin" event below decides
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """A writing transaction takes SQLite's write lock at its start (BEGIN IMMEDIATE), so its
    checks (is the case final? which version is stored?) and its writes see one state; a
    reading one starts a plain deferred transaction (WAL readers never wait)."""
    writes = connection.get_execution_options().get("mtb_write")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


MIGRATION_LOCK = 7_361_042  # PostgreSQL advisory lock: one process migrates at a time


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (nothing to do when it is already). One
    transaction, under a lock, so that processes opening a new store at the same moment
    migrate once and a killed migration leaves nothing half-made."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Store(CaseLibraryStore, JobStore):
    """The store; its registered cases, versions and jobs are in mtb.store.cases and jobs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._hasher = PasswordHasher()

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect and migrate. StorageError (without the URL: it may hold a password) when
        the database cannot be reached or upgraded."""
        try:
            location = make_url(url)
            if location.drivername.startswith("sqlite") and location.database:
                # the embedded default: the data dir may not exist yet on a first start
                Path(location.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = make_engine(url)
            migrate(engine)
        except (SQLAlchemyError, OSError, ValueError) as error:
            raise StorageError(f"the case store cannot be opened ({type(error).__name__}: "
                               f"{_short(error)})") from None
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One transaction: everything in it, audit entries included, or nothing."""
        session = self._sessions()
        try:
            with session.begin():
                session.connection(execution_options=WRITE)  # BEGIN IMMEDIATE on SQLite
                yield session
        except StaleDataError:
            raise StaleEditError("someone else changed this since you loaded it; "
                                 "reload to see their change, then edit again") from None
        except IntegrityError:
            raise StaleEditError("someone else saved this at the same moment; reload and "
                                 "edit again") from None
        except OperationalError as error:
            raise StorageError(f"the case store could not save ({_short(error)}); nothing "
                               "was changed") from None
        finally:
            session.close()

    def _read(self) -> Session:
        return self._sessions()

    # -- users ------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str, by: Actor | None = None) -> None:
        """`by` None only for the command line and the first start (the site's own admin)."""
        if by is not None and not by.may("manage_users"):
            raise AccessError(f"{by.name} ({by.role}) may not add users")
        name = name.strip()
        if not name or len(name) > 80:
            raise StorageError("a user name has 1 to 80 characters")
        if role not in ROLES:
            raise StorageError(f"role '{role}' is not one of {', '.join(ROLES)}")
        if len(password) < 10:
            raise StorageError("a password has at least 10 characters")
        with self._write() as session:
            if session.scalar(select(User).where(User.name == name)) is not None:
                raise StorageError(f"a user '{name}' exists already")
            session.add(User(name=name, role=role, password_hash=self._hasher.hash(password),
                             active=True))
            self._audit(session, by.name if by else "mtb (command line)", "add_user", "user",
                        name, "", {}, {"name": name, "role": role})

    def authenticate(self, name: str, password: str) -> Actor | None:
        with self._read() as session:
            user = session.scalar(select(User).where(User.name == name.strip()))
            if user is None or not user.active:
                self._hasher.hash(password)  # the same time for unknown users
                return None
            try:
                self._hasher.verify(user.password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return None
            return Actor(user.name, user.role)

    def actor(self, name: str, epoch: int | None = None) -> Actor | None:
        """The current role of a signed-in user, or None when the account is disabled or (with
        `epoch`) the session began before the user's sessions were ended."""
        with self._read() as session:
            user = session.scalar(select(User).where(User.name == name))
            if user is None or not user.active:
                return None
            if epoch is not None and user.session_epoch != epoch:
                return None
            return Actor(user.name, user.role)

    def session_epoch(self, name: str) -> int:
        with self._read() as session:
            return session.scalar(select(User.session_epoch).where(User.name == name)) or 0

    def end_sessions(self, name: str) -> None:
        """Every session of the user ends (sign-out ends them on all devices)."""
        with self._write() as session:
            user = session.scalar(select(User).where(User.name == name))
            if user is not None:
                user.session_epoch += 1

    def change_user(self, name: str, *, role: str | None = None, active: bool | None = None,
                    password: str | None = None, by: Actor | None = None) -> None:
        """A new role, a disabled or re-enabled account, or a new password; each ends the
        user's sessions. `by` None: the site's own command line."""
        if by is not None and not by.may("manage_users"):
            raise AccessError(f"{by.name} ({by.role}) may not change users")
        if role is not None and role not in ROLES:
            raise StorageError(f"role '{role}' is not one of {', '.join(ROLES)}")
        if password is not None and len(password) < 10:
            raise StorageError("a password has at least 10 characters")
        with self._write() as session:
            user = session.scalar(select(User).where(User.name == name.strip()))
            if user is None:
                raise StorageError(f"no user '{name}'")
            before = {"role": user.role, "active": user.active}
            if role is not None:
                user.role = role
            if active is not None:
                user.active = active
            if password is not None:
                user.password_hash = self._hasher.hash(password)
            user.session_epoch += 1
            after = {"role": user.role, "active": user.active,
                     "password": "changed" if password is not None else "unchanged"}
            self._audit(session, by.name if by else "mtb (command line)", "change_user",
                        "user", user.name, "", before, after)

    def log_event(self, user: str, action: str, case_id: str = "", detail: str = "") -> None:
        """An event worth a trace without changing data: a report exported, a sign-in."""
        with self._write() as session:
            self._audit(session, user, action, "event", detail or action, case_id, {},
                        {"detail": detail} if detail else {})

    def has_users(self) -> bool:
        with self._read() as session:
            return session.scalar(select(User.id).limit(1)) is not None

    # -- cases ------------------------------------------------------------------------------

    def case_record(self, case_id: str) -> board.CaseRecord:
        """The case's record (a fresh 'prepared' one, version 0, when none is stored)."""
        with self._read() as session:
            record = session.get(CaseRecord, case_id)
            if record is None:
                return board.CaseRecord(case_id)
            return records.case_record(record)

    def statuses(self) -> dict[str, str]:
        with self._read() as session:
            return dict(session.execute(select(CaseRecord.case_id, CaseRecord.status)).all())

    def set_status(self, case_id: str, status: str, by: Actor, version: int, *,
                   annotation_version: int | None = None) -> board.CaseRecord:
        """`annotation_version`: the annotation version the page showed; refused when the
        case has a newer one (the board would finalize findings it has not seen)."""
        if not by.may("decide"):
            raise AccessError(f"{by.name} ({by.role}) may not change a case's status")
        if status not in STATUSES:
            raise StorageError(f"status '{status}' is not one of {', '.join(STATUSES)}")
        with self._write() as session:
            record = self._record_for_edit(session, case_id, version)
            if status not in NEXT_STATUS[record.status]:
                raise StorageError(f"a case that is {record.status} cannot become {status}")
            if annotation_version is not None:
                stored = session.get(StoredCase, case_id)
                if stored is not None and (stored.current_version or 0) != annotation_version:
                    raise StaleEditError(f"the case was annotated again (version "
                                         f"{stored.current_version}) since you loaded it; "
                                         "reload to see what changed")
            before = {"status": record.status}
            record.status, record.updated_by, record.updated_at = status, by.name, now()
            self._audit(session, by.name, "set_status", "case_record", case_id, case_id,
                        before, {"status": status})
            self._board_saw(session, case_id, status, by.name)  # mtb.store.cases
        return records.case_record(record)

    def set_summary(self, case_id: str, summary: str, by: Actor,
                    version: int) -> board.CaseRecord:
        if not by.may("curate"):
            raise AccessError(f"{by.name} ({by.role}) may not write the case summary")
        with self._write() as session:
            record = self._record_for_edit(session, case_id, version)
            before = {"summary": record.summary}
            record.summary, record.updated_by, record.updated_at = summary, by.name, now()
            self._audit(session, by.name, "set_summary", "case_record", case_id, case_id,
                        before, {"summary": summary})
        return records.case_record(record)

    def _record_for_edit(self, session: Session, case_id: str, version: int) -> CaseRecord:
        record = session.get(CaseRecord, case_id, with_for_update=True)
        if record is None:
            if version != 0:
                raise StaleEditError("this case's record changed since you loaded it")
            record = CaseRecord(case_id=case_id, status="prepared", summary="",
                                updated_by="", meeting_id=None)
            session.add(record)
            session.flush()
            return record
        if record.status == "final":
            raise AccessError(f"case {case_id} is final: it is read-only")
        if record.version != version:
            raise StaleEditError(f"{record.updated_by or 'someone'} changed this case since "
                                 "you loaded it; reload and edit again")
        return record

    def _touch(self, session: Session, case_id: str, by: Actor) -> CaseRecord:
        """Every change to a case's curations or recommendations changes its record's version
        too, so the chair's "final" (made on the version the chair saw) is refused when
        something changed unseen. Refuses writes to a final case; the row lock (PostgreSQL;
        SQLite's write lock is already held) keeps the chair from finalizing it meanwhile."""
        record = session.get(CaseRecord, case_id, with_for_update=True)
        if record is None:
            record = CaseRecord(case_id=case_id, status="prepared", summary="", updated_by="",
                                meeting_id=None)
            session.add(record)
        elif record.status == "final":
            raise AccessError(f"case {case_id} is final: it is read-only")
        record.updated_by, record.updated_at = by.name, now()
        return record

    # -- curation ---------------------------------------------------------------------------

    def curations(self, case_id: str) -> dict[str, board.Curation]:
        """finding key -> its curation."""
        with self._read() as session:
            rows = session.scalars(select(Curation).where(Curation.case_id == case_id))
            return {row.finding_key: records.curation(row) for row in rows}

    def curate(
        self,
        case_id: str,
        finding_key: str,
        by: Actor,
        version: int,
        *,
        oncogenicity: str = "",
        tier_override: str = "",
        override_reason: str = "",
        comment: str = "",
        in_report: bool = False,
    ) -> board.Curation:
        """Create (version 0) or update (the version it was loaded at) a finding's curation;
        the curation returned carries the case record's new version (`case_version`)."""
        if not by.may("curate"):
            raise AccessError(f"{by.name} ({by.role}) may not curate")
        if oncogenicity and oncogenicity not in ONCOGENICITY:
            raise StorageError(f"oncogenicity '{oncogenicity}' is not one of "
                               f"{', '.join(ONCOGENICITY)}")
        if tier_override and tier_override not in AMP_TIERS:
            raise StorageError(f"tier '{tier_override}' is not one of {', '.join(AMP_TIERS)}")
        if tier_override and not override_reason.strip():
            raise StorageError("overriding the tier needs a reason")
        values = {"oncogenicity": oncogenicity, "tier_override": tier_override,
                  "override_reason": override_reason.strip(), "comment": comment,
                  "in_report": bool(in_report)}
        with self._write() as session:
            record = self._touch(session, case_id, by)
            row = session.scalar(select(Curation).where(
                Curation.case_id == case_id, Curation.finding_key == finding_key
            ).with_for_update())
            if row is None:
                if version != 0:
                    raise StaleEditError("this curation was removed or changed; reload")
                row = Curation(case_id=case_id, finding_key=finding_key, **values,
                               updated_by=by.name)
                session.add(row)
                before: dict[str, Any] = {}
            else:
                if row.version != version:
                    raise StaleEditError(f"{row.updated_by} changed this curation since you "
                                         "loaded it; reload to see it, then edit again")
                before = {key: getattr(row, key) for key in values}
                for key, value in values.items():
                    setattr(row, key, value)
                row.updated_by, row.updated_at = by.name, now()
            session.flush()
            self._audit(session, by.name, "curate", "curation", f"{case_id}/{finding_key}",
                        case_id, before, values)
        return records.curation(row, record.version)

    # -- board decisions --------------------------------------------------------------------

    def recommendations(self, case_id: str, *,
                        withdrawn: bool = False) -> list[board.Recommendation]:
        with self._read() as session:
            query = select(Recommendation).where(Recommendation.case_id == case_id)
            if not withdrawn:
                query = query.where(Recommendation.withdrawn.is_(False))
            return [records.recommendation(row)
                    for row in session.scalars(query.order_by(Recommendation.id))]

    def recommend(
        self,
        case_id: str,
        by: Actor,
        *,
        kind: str,
        text: str,
        evidence_grade: str = "",
        amp_tier: str = "",
        rationale: str = "",
        finding_keys: tuple[str, ...] = (),
    ) -> board.Recommendation:
        if not by.may("decide"):
            raise AccessError(f"{by.name} ({by.role}) may not record recommendations")
        self._check_recommendation(kind, text, evidence_grade, amp_tier)
        with self._write() as session:
            record = self._touch(session, case_id, by)
            row = Recommendation(
                case_id=case_id, kind=kind, text=text.strip(), evidence_grade=evidence_grade,
                amp_tier=amp_tier, rationale=rationale.strip(),
                finding_keys="\n".join(finding_keys), withdrawn=False, created_by=by.name,
                updated_by=by.name,
            )
            session.add(row)
            session.flush()
            self._audit(session, by.name, "recommend", "recommendation", str(row.id), case_id,
                        {}, _recommendation_json(row))
        return records.recommendation(row, record.version)

    def withdraw(self, recommendation_id: int, by: Actor,
                 version: int) -> board.Recommendation:
        if not by.may("decide"):
            raise AccessError(f"{by.name} ({by.role}) may not withdraw recommendations")
        with self._write() as session:
            row = session.get(Recommendation, recommendation_id, with_for_update=True)
            if row is None:
                raise StorageError(f"no recommendation {recommendation_id}")
            record = self._touch(session, row.case_id, by)
            if row.version != version:
                raise StaleEditError(f"{row.updated_by} changed this recommendation since you "
                                     "loaded it; reload")
            if row.withdrawn:
                raise StorageError(f"recommendation {recommendation_id} is withdrawn already")
            row.withdrawn, row.updated_by, row.updated_at = True, by.name, now()
            self._audit(session, by.name, "withdraw", "recommendation", str(row.id),
                        row.case_id, {"withdrawn": False}, {"withdrawn": True})
        return records.recommendation(row, record.version)

    @staticmethod
    def _check_recommendation(kind: str, text: str, grade: str, tier: str) -> None:
        if kind not in RECOMMENDATION_KINDS:
            raise StorageError(f"kind '{kind}' is not one of {', '.join(RECOMMENDATION_KINDS)}")
        if not text.strip():
            raise StorageError("a recommendation needs its therapy, trial or examination")
        if grade and grade not in EVIDENCE_GRADES:
            raise StorageError(f"evidence grade '{grade}' is not one of "
                               f"{', '.join(EVIDENCE_GRADES)}")
        if tier and tier not in AMP_TIERS:
            raise StorageError(f"tier '{tier}' is not one of {', '.join(AMP_TIERS)}")

    def add_meeting(self, day: date, title: str, participants: list[str],
                    by: Actor) -> board.Meeting:
        if not by.may("decide"):
            raise AccessError(f"{by.name} ({by.role}) may not plan meetings")
        with self._write() as session:
            meeting = Meeting(day=day, title=title.strip() or f"Tumor board {day}",
                              participants="\n".join(p.strip() for p in participants if p))
            session.add(meeting)
            session.flush()
            self._audit(session, by.name, "add_meeting", "meeting", str(meeting.id), "", {},
                        {"day": str(day), "title": meeting.title,
                         "participants": meeting.participants})
        return records.meeting(meeting)

    def assign_meeting(self, case_id: str, meeting_id: int | None, by: Actor,
                       version: int) -> board.CaseRecord:
        """Put a case on a meeting's agenda (None: on none)."""
        if not by.may("decide"):
            raise AccessError(f"{by.name} ({by.role}) may not plan the agenda")
        with self._write() as session:
            if meeting_id is not None and session.get(Meeting, meeting_id) is None:
                raise StorageError(f"no meeting {meeting_id}")
            record = self._record_for_edit(session, case_id, version)
            before = {"meeting_id": record.meeting_id}
            record.meeting_id, record.updated_by, record.updated_at = meeting_id, by.name, now()
            self._audit(session, by.name, "assign_meeting", "case_record", case_id, case_id,
                        before, {"meeting_id": meeting_id})
        return records.case_record(record)

    def meeting_of(self) -> dict[str, int | None]:
        """case id -> meeting id, for the cases that have a record."""
        with self._read() as session:
            return dict(session.execute(select(CaseRecord.case_id, CaseRecord.meeting_id)).all())

    def meetings(self) -> list[board.Meeting]:
        with self._read() as session:
            return [records.meeting(row)
                    for row in session.scalars(select(Meeting).order_by(Meeting.day))]

    # -- audit ------------------------------------------------------------------------------

    def audit(self, case_id: str | None = None) -> list[board.AuditEntry]:
        with self._read() as session:
            query = select(AuditEntry).order_by(AuditEntry.id)
            if case_id is not None:
                query = query.where(AuditEntry.case_id == case_id)
            return [records.audit_entry(row) for row in session.scalars(query)]

    @staticmethod
    def _audit(session: Session, user: str, action: str, entity: str, key: str, case_id: str,
               before: dict[str, Any], after: dict[str, Any]) -> None:
        session.add(AuditEntry(
            user_name=user, action=action, entity=entity, entity_key=key, case_id=case_id,
            before=json.dumps(before, ensure_ascii=False, default=str),
            after=json.dumps(after, ensure_ascii=False, default=str),
        ))


def _recommendation_json(row: Recommendation) -> dict[str, Any]:
    return {"kind": row.kind, "text": row.text, "evidence_grade": row.evidence_grade,
            "amp_tier": row.amp_tier, "rationale": row.rationale,
            "finding_keys": row.finding_keys.split("\n") if row.finding_keys else []}


def _short(error: BaseException) -> str:
    """The first line of a database error, without the SQL statement or parameters (which
    could hold patient data)."""
    text = str(getattr(error, "orig", error) or type(error).__name__)
    return text.splitlines()[0][:200] if text else type(error).__name__


__all__ = ["MIGRATIONS", "Store", "default_url", "make_engine", "migrate"]
