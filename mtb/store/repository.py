"""The case store: curations, board decisions, users, and the audit log, in one database.

Promises, and how they are kept:
- Nothing is lost: every change and its audit entry are written in one transaction; SQLite runs
  in WAL mode with synchronous=FULL, so a writer killed mid-transaction leaves the database as
  it was before that transaction.
- Nothing leaves it but the board's plain records (mtb.board): SQLAlchemy rows stay inside.
- Nothing is overwritten unseen: every edit names the version it was made on; a stale one is
  refused with StaleEditError, naming who changed it since. Versions are per object (a
  curation's, a recommendation's, the summary's, the status's), so people editing different
  things never refuse each other; "final" is made on the case's revision, which every change
  raises, and is refused when anything changed since the chair looked.
- Nothing grows without bound: every text a person stores has a limit (mtb.board.TEXT_LIMITS),
  and the audit log is read a page at a time.
- Nobody changes what they may not: every write checks the user's role here, on the server
  (AccessError), whatever the UI showed.
- A final case is read-only: its writes are refused (AccessError).
- The audit log is append-only: the database refuses UPDATE and DELETE on it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, create_engine, event, func, make_url, select
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
    TEXT_LIMITS,
    Actor,
    too_long,
)
from mtb.errors import AccessError, StaleEditError, StorageError
from mtb.store import records
from mtb.store.access import AccessMixin
from mtb.store.cases import CaseLibraryStore
from mtb.store.cohort import CohortStore
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


def _limit(field: str, text: str) -> str:
    """`text` when it fits its field (mtb.board.TEXT_LIMITS), else StorageError saying so."""
    problem = too_long(field, text)
    if problem:
        raise StorageError(problem)
    return text


class Store(AccessMixin, CaseLibraryStore, CohortStore, JobStore):
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
                # the embedded default: the data dir may not exist yet on a first start;
                # folder and file owner-only (SQLite gives its -wal and -shm files the
                # database file's mode)
                database = Path(location.database).expanduser()
                database.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
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
        if not name or len(name) > TEXT_LIMITS["user_name"]:
            raise StorageError(f"a user name has 1 to {TEXT_LIMITS['user_name']} characters")
        if role not in ROLES:
            raise StorageError(f"role '{role}' is not one of {', '.join(ROLES)}")
        _check_password(password)
        with self._write() as session:
            if session.scalar(select(User).where(User.name == name)) is not None:
                raise StorageError(f"a user '{name}' exists already")
            session.add(User(name=name, role=role, password_hash=self._hasher.hash(password),
                             active=True))
            self._audit(session, by.name if by else "mtb (command line)", "add_user", "user",
                        name, "", {}, {"name": name, "role": role})

    def authenticate(self, name: str, password: str) -> Actor | None:
        if len(password) > TEXT_LIMITS["password"] or len(name) > TEXT_LIMITS["user_name"]:
            self._hasher.hash("x" * 10)  # the same time; never hash a megabyte
            return None
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

    def user_exists(self, name: str) -> bool:
        """Whether `name` is an account's name (a failed sign-in is audited under it only
        then: a mistyped password in the name field is never stored)."""
        if len(name) > TEXT_LIMITS["user_name"]:
            return False
        with self._read() as session:
            return session.scalar(select(User.id).where(User.name == name.strip())) is not None

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
            self._drop_sessions(session, name)

    def change_user(self, name: str, *, role: str | None = None, active: bool | None = None,
                    password: str | None = None, by: Actor | None = None) -> None:
        """A new role, a disabled or re-enabled account, or a new password; each ends the
        user's sessions. `by` None: the site's own command line."""
        if by is not None and not by.may("manage_users"):
            raise AccessError(f"{by.name} ({by.role}) may not change users")
        if role is not None and role not in ROLES:
            raise StorageError(f"role '{role}' is not one of {', '.join(ROLES)}")
        if password is not None:
            _check_password(password)
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
            self._drop_sessions(session, user.name)
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
                   revision: int | None = None,
                   annotation_version: int | None = None) -> board.CaseRecord:
        """Move the case on (or back) from the status `version` was loaded at. "final" also
        needs the case's `revision` the chair saw: it is refused when anything changed since
        (a curation, a recommendation, the summary), naming who changed it.
        `annotation_version`: the annotation version the page showed; refused when the case
        has a newer one (the board would finalize findings it has not seen)."""
        if not by.may("decide"):
            raise AccessError(f"{by.name} ({by.role}) may not change a case's status")
        if status not in STATUSES:
            raise StorageError(f"status '{status}' is not one of {', '.join(STATUSES)}")
        with self._write() as session:
            record = self._record_for_edit(session, case_id, version, "version")
            if status not in NEXT_STATUS[record.status]:
                raise StorageError(f"a case that is {record.status} cannot become {status}")
            if status == "final" and revision != record.revision:
                raise StaleEditError(f"{record.updated_by or 'someone'} changed this case "
                                     "since you loaded it; reload, check and finalize again")
            if annotation_version is not None:
                stored = session.get(StoredCase, case_id)
                if stored is not None and (stored.current_version or 0) != annotation_version:
                    raise StaleEditError(f"the case was annotated again (version "
                                         f"{stored.current_version}) since you loaded it; "
                                         "reload to see what changed")
            before = {"status": record.status}
            record.status, record.updated_by, record.updated_at = status, by.name, now()
            record.version += 1
            record.revision += 1
            self._audit(session, by.name, "set_status", "case_record", case_id, case_id,
                        before, {"status": status})
            self._board_saw(session, case_id, status, by.name)  # mtb.store.cases
        return records.case_record(record)

    def set_summary(self, case_id: str, summary: str, by: Actor,
                    version: int) -> board.CaseRecord:
        """The summary saved over the `summary_version` it was loaded at: only another save
        of the summary makes it stale, not a colleague's curation."""
        if not by.may("curate"):
            raise AccessError(f"{by.name} ({by.role}) may not write the case summary")
        _limit("summary", summary)
        with self._write() as session:
            record = self._record_for_edit(session, case_id, version, "summary_version")
            before = {"summary": record.summary}
            record.summary, record.updated_by, record.updated_at = summary, by.name, now()
            record.summary_version += 1
            record.revision += 1
            self._audit(session, by.name, "set_summary", "case_record", case_id, case_id,
                        before, {"summary": summary})
        return records.case_record(record)

    def _record_for_edit(self, session: Session, case_id: str, version: int,
                         field: str) -> CaseRecord:
        """The case's record, locked, when its `field` ('version': status and meeting;
        'summary_version') is still `version`; else StaleEditError naming who changed it."""
        record = session.get(CaseRecord, case_id, with_for_update=True)
        if record is None:
            if version != 0:
                raise StaleEditError("this case's record changed since you loaded it")
            record = _new_record(case_id)
            session.add(record)
            session.flush()
            return record
        if record.status == "final":
            raise AccessError(f"case {case_id} is final: it is read-only")
        if getattr(record, field) != version:
            what = "the summary" if field == "summary_version" else "this case"
            raise StaleEditError(f"{record.updated_by or 'someone'} changed {what} since "
                                 "you loaded it; reload and edit again")
        return record

    def _touch(self, session: Session, case_id: str, by: Actor) -> CaseRecord:
        """Every change to a case's curations or recommendations raises the case's revision
        (not the summary's or the status's version), so the chair's "final" (made on the
        revision the chair saw) is refused when something changed unseen. Refuses writes to
        a final case; the row lock (PostgreSQL; SQLite's write lock is already held) keeps
        the chair from finalizing it meanwhile."""
        record = session.get(CaseRecord, case_id, with_for_update=True)
        if record is None:
            record = _new_record(case_id)
            session.add(record)
        elif record.status == "final":
            raise AccessError(f"case {case_id} is final: it is read-only")
        record.updated_by, record.updated_at = by.name, now()
        record.revision = (record.revision or 0) + 1
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
        the curation returned carries the case's new revision (`case_revision`)."""
        if not by.may("curate"):
            raise AccessError(f"{by.name} ({by.role}) may not curate")
        if oncogenicity and oncogenicity not in ONCOGENICITY:
            raise StorageError(f"oncogenicity '{oncogenicity}' is not one of "
                               f"{', '.join(ONCOGENICITY)}")
        if tier_override and tier_override not in AMP_TIERS:
            raise StorageError(f"tier '{tier_override}' is not one of {', '.join(AMP_TIERS)}")
        if tier_override and not override_reason.strip():
            raise StorageError("overriding the tier needs a reason")
        _limit("override_reason", override_reason.strip())
        _limit("comment", comment)
        if not finding_key or len(finding_key) > 300:
            raise StorageError("a finding is named by a key of 1 to 300 characters")
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
        return records.curation(row, record.revision)

    def set_tumor_type(self, case_id: str, doid: str, by: Actor, reason: str) -> int:
        """A curator chooses the case's tumor type (a DOID the caller checked against the
        ontology; "" gives the choice back to the diagnosis text). Every tier depends on it, so
        it needs a reason, is audited, and raises the case's revision; a final case refuses it.
        Returns the case's new revision; the caller queues the re-annotation."""
        if not by.may("curate"):
            raise AccessError(f"{by.name} ({by.role}) may not choose the tumor type")
        reason = reason.strip()
        if not reason:
            raise StorageError("choosing the tumor type needs a reason (for example the "
                               "pathology report it follows)")
        _limit("tumor_type_reason", reason)
        if len(doid) > 40:
            raise StorageError("a tumor type is named by its DOID")
        with self._write() as session:
            stored = session.get(StoredCase, case_id, with_for_update=True)
            if stored is None:
                raise StorageError(f"no registered case '{case_id}'")
            record = self._touch(session, case_id, by)
            before = {"tumor_type": stored.tumor_type, "reason": stored.tumor_type_reason}
            stored.tumor_type, stored.tumor_type_by = doid, by.name if doid else ""
            stored.tumor_type_reason = reason
            stored.tumor_type_at = now()
            self._audit(session, by.name, "choose_tumor_type", "stored_case", case_id, case_id,
                        before, {"tumor_type": doid, "reason": reason})
            session.flush()
            return int(record.revision)

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
        nct_id: str = "",
    ) -> board.Recommendation:
        if not by.may("decide"):
            raise AccessError(f"{by.name} ({by.role}) may not record recommendations")
        self._check_recommendation(kind, text, evidence_grade, amp_tier)
        _limit("rationale", rationale.strip())
        if len(finding_keys) > 200 or any(len(key) > 300 for key in finding_keys):
            raise StorageError("a recommendation rests on at most 200 findings")
        nct_id = nct_id.strip().upper()
        if nct_id and not re.fullmatch(r"NCT\d{8}", nct_id):
            raise StorageError(f"'{nct_id}' is not an NCT number (NCT and 8 digits)")
        if nct_id and kind != "trial":
            raise StorageError("an NCT id belongs to a clinical-trial recommendation")
        with self._write() as session:
            record = self._touch(session, case_id, by)
            row = Recommendation(
                case_id=case_id, kind=kind, text=text.strip(), evidence_grade=evidence_grade,
                amp_tier=amp_tier, rationale=rationale.strip(),
                finding_keys="\n".join(finding_keys), nct_id=nct_id, withdrawn=False,
                created_by=by.name,
                updated_by=by.name,
            )
            session.add(row)
            session.flush()
            self._audit(session, by.name, "recommend", "recommendation", str(row.id), case_id,
                        {}, _recommendation_json(row))
        return records.recommendation(row, record.revision)

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
        return records.recommendation(row, record.revision)

    @staticmethod
    def _check_recommendation(kind: str, text: str, grade: str, tier: str) -> None:
        if kind not in RECOMMENDATION_KINDS:
            raise StorageError(f"kind '{kind}' is not one of {', '.join(RECOMMENDATION_KINDS)}")
        if not text.strip():
            raise StorageError("a recommendation needs its therapy, trial or examination")
        _limit("recommendation", text.strip())
        if grade and grade not in EVIDENCE_GRADES:
            raise StorageError(f"evidence grade '{grade}' is not one of "
                               f"{', '.join(EVIDENCE_GRADES)}")
        if tier and tier not in AMP_TIERS:
            raise StorageError(f"tier '{tier}' is not one of {', '.join(AMP_TIERS)}")

    def add_meeting(self, day: date, title: str, participants: list[str],
                    by: Actor) -> board.Meeting:
        if not by.may("decide"):
            raise AccessError(f"{by.name} ({by.role}) may not plan meetings")
        _limit("meeting_title", title.strip())
        people = [p.strip() for p in participants if p and p.strip()]
        if len(people) > TEXT_LIMITS["participants"]:
            raise StorageError(f"a meeting has at most {TEXT_LIMITS['participants']} "
                               "participants")
        for person in people:
            _limit("participant", person)
        with self._write() as session:
            meeting = Meeting(day=day, title=title.strip() or f"Tumor board {day}",
                              participants="\n".join(people))
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
            record = self._record_for_edit(session, case_id, version, "version")
            before = {"meeting_id": record.meeting_id}
            record.meeting_id, record.updated_by, record.updated_at = meeting_id, by.name, now()
            record.version += 1
            record.revision += 1
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

    def audit(self, case_id: str | None = None, *, newest: int | None = None,
              skip: int = 0) -> list[board.AuditEntry]:
        """The audit log (of one case), oldest first. `newest`: only that many of the most
        recent entries, after skipping the `skip` most recent ones (the case page shows 20 at a
        time: a long history is never sent whole)."""
        with self._read() as session:
            query = select(AuditEntry)
            if case_id is not None:
                query = query.where(AuditEntry.case_id == case_id)
            if newest is None:
                rows = list(session.scalars(query.order_by(AuditEntry.id)))
            else:
                rows = list(session.scalars(query.order_by(AuditEntry.id.desc())
                                            .offset(max(skip, 0)).limit(max(newest, 0))))
                rows.reverse()
            return [records.audit_entry(row) for row in rows]

    def audit_count(self, case_id: str | None = None) -> int:
        with self._read() as session:
            query = select(func.count(AuditEntry.id))
            if case_id is not None:
                query = query.where(AuditEntry.case_id == case_id)
            return int(session.scalar(query) or 0)

    def audit_between(self, since: datetime, until: datetime | None = None,
                      ) -> Iterator[board.AuditEntry]:
        """Every audit entry from `since` up to (not including) `until`, oldest first, read a
        thousand at a time (an export of years of entries never sits in memory whole)."""
        last_id = 0
        while True:
            with self._read() as session:
                query = select(AuditEntry).where(AuditEntry.at >= since,
                                                 AuditEntry.id > last_id)
                if until is not None:
                    query = query.where(AuditEntry.at < until)
                rows = list(session.scalars(query.order_by(AuditEntry.id).limit(1000)))
            if not rows:
                return
            yield from (records.audit_entry(row) for row in rows)
            last_id = rows[-1].id

    @staticmethod
    def _audit(session: Session, user: str, action: str, entity: str, key: str, case_id: str,
               before: dict[str, Any], after: dict[str, Any]) -> None:
        session.add(AuditEntry(
            user_name=user, action=action, entity=entity, entity_key=key, case_id=case_id,
            before=json.dumps(before, ensure_ascii=False, default=str),
            after=json.dumps(after, ensure_ascii=False, default=str),
        ))


def _new_record(case_id: str) -> CaseRecord:
    return CaseRecord(case_id=case_id, status="prepared", summary="", updated_by="",
                      meeting_id=None, version=0, summary_version=0, revision=0)


def _check_password(password: str) -> None:
    if len(password) < 10:
        raise StorageError("a password has at least 10 characters")
    if len(password) > TEXT_LIMITS["password"]:
        raise StorageError(f"a password has at most {TEXT_LIMITS['password']} characters")


def _recommendation_json(row: Recommendation) -> dict[str, Any]:
    return {"kind": row.kind, "text": row.text, "evidence_grade": row.evidence_grade,
            "amp_tier": row.amp_tier, "rationale": row.rationale,
            "finding_keys": row.finding_keys.split("\n") if row.finding_keys else [],
            **({"nct_id": row.nct_id} if row.nct_id else {})}


def _short(error: BaseException) -> str:
    """The first line of a database error, without the SQL statement or parameters (which
    could hold patient data)."""
    text = str(getattr(error, "orig", error) or type(error).__name__)
    return text.splitlines()[0][:200] if text else type(error).__name__


__all__ = ["MIGRATIONS", "Store", "default_url", "make_engine", "migrate"]
