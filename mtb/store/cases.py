"""The case library in the store: registered cases, their annotation versions (one case document
per version, an index row per finding), what the board saw, frozen final reports, and the
library's state. A mixin of `Store` (mtb.store.repository), kept in its own module.

The store keeps plain data: the document is bytes it compresses and checksums but never reads
(mtb.case_document does, above the store), and the findings' index columns are what cohort
queries and the agenda ask without opening a case. Its promises:
- A version is written with its findings and the end of the job that made it in one
  transaction, and only by the worker that still holds the job's lease: a worker killed or
  stalled mid-job stores nothing, and no inputs are stored twice (mtb.store.jobs).
- A version, its findings, what the board saw and a frozen report are never changed or
  deleted: the database refuses it (triggers, migration 0005).
- A document reads back byte for byte or not at all: its sha256 is checked (DocumentError).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.exc import IntegrityError

from mtb import board
from mtb.errors import DocumentError, StorageError
from mtb.store import records
from mtb.store.mixin import StoreMixin, changed_rows
from mtb.store.schema import (
    BoardSeen,
    CaseRecord,
    CaseVersion,
    Curation,
    FindingEntry,
    FrozenReport,
    Job,
    LibraryState,
    StoredCase,
    now,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "BOARD_STATUSES",
    "AgendaCase",
    "BoardMark",
    "CaseHeader",
    "CaseLibraryStore",
    "FindingRow",
    "FrozenReportInfo",
    "NewVersion",
    "StoredCaseInfo",
    "StoredVersion",
    "VersionConflict",
    "VersionInfo",
]

BOARD_STATUSES = ("presented", "decided", "final")  # the board has seen the case


class VersionConflict(StorageError):
    """The case gained a version since the job read its previous one (or the job is no longer
    this worker's): nothing was stored."""


@dataclass(frozen=True)
class CaseHeader:
    """What registering a case records (from its case.toml)."""

    case_id: str
    folder: str
    origin: str  # cases folder, upload, command line, FHIR import
    title: str = ""
    diagnosis: str = ""
    synthetic: bool = False
    synthetic_parts: str = ""


@dataclass(frozen=True)
class StoredCaseInfo:
    case_id: str
    folder: str
    origin: str
    title: str
    diagnosis: str
    synthetic: bool
    synthetic_parts: str
    registered_at: datetime
    inputs: tuple[dict[str, Any], ...]  # the files as last seen (path, size, mtime, sha256)
    input_key: str
    current_version: int | None
    job_id: int | None
    problem: str
    checked_at: datetime
    tumor_type: str = ""  # the DOID a curator chose; "" when the diagnosis text decides
    tumor_type_by: str = ""
    tumor_type_reason: str = ""
    tumor_type_at: datetime | None = None

    @property
    def chosen_tumor_type(self) -> tuple[str, str] | None:
        """(DOID, who chose it and when) for annotation, None when the text decides."""
        if not self.tumor_type:
            return None
        when = f" on {self.tumor_type_at:%Y-%m-%d}" if self.tumor_type_at else ""
        return self.tumor_type, f"{self.tumor_type_by}{when}"


class AgendaCase(NamedTuple):
    """A registered case as the agenda reads it, with its newest job."""

    case_id: str
    title: str
    diagnosis: str
    synthetic: bool
    synthetic_parts: str
    current_version: int | None
    problem: str
    job_state: str | None  # queued, running, done, failed; None without a job
    job_progress: int | None
    job_message: str | None


@dataclass(frozen=True)
class FindingRow:
    """One finding's index columns (mtb.casefile derives them from the Case)."""

    ordinal: int
    finding_key: str
    gene: str
    label: str
    variant_class: str
    protein: str
    tier: str
    level: str
    key_finding: bool
    exon: int | None = None  # migration 0006: empty in rows stored before it
    partner5: str = ""
    partner3: str = ""
    cnv_call: str = ""


@dataclass(frozen=True)
class NewVersion:
    """A version to store: what it was made from, what it says, and its document (JSON)."""

    case_id: str
    input_key: str
    reason: str
    mtb_version: str
    document_schema: int
    kb_signature: str
    kb_release: str
    approvals: str
    build: str
    files: tuple[dict[str, Any], ...]
    title: str
    diagnosis: str
    diagnosis_name: str
    doid: str
    oncotree: str
    tier_one: int
    tier_two: int
    tmb: float | None
    biomarkers: Mapping[str, Any]
    changes: Mapping[str, Any]
    board_changes: Mapping[str, Any]
    document: bytes  # the case document, JSON
    findings: tuple[FindingRow, ...] = ()
    outcome: str = ""  # the timeline's newest response: "PD 2024-11-02" (migration 0007)


@dataclass(frozen=True)
class VersionInfo:
    """A version without its document."""

    case_id: str
    number: int
    input_key: str
    created_at: datetime
    created_by: str
    reason: str
    mtb_version: str
    document_schema: int
    kb_signature: str
    kb_release: str
    approvals: str
    build: str
    files: tuple[dict[str, Any], ...]
    title: str
    diagnosis: str
    diagnosis_name: str
    doid: str
    oncotree: str
    findings: int
    tier_one: int
    tier_two: int
    tmb: float | None
    biomarkers: Mapping[str, Any] = field(default_factory=dict)
    changes: Mapping[str, Any] = field(default_factory=dict)
    board_changes: Mapping[str, Any] = field(default_factory=dict)
    document_sha256: str = ""
    document_bytes: int = 0


@dataclass(frozen=True)
class StoredVersion:
    info: VersionInfo
    document: bytes  # the JSON, checked against its sha256


@dataclass(frozen=True)
class BoardMark:
    """The version a case had when the board moved it to `status`."""

    case_id: str
    status: str
    version_number: int | None
    at: datetime
    by: str


@dataclass(frozen=True)
class FrozenReportInfo:
    case_id: str
    version_number: int
    format: str
    sha256: str
    size: int
    created_at: datetime
    created_by: str


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _version_info(row: CaseVersion) -> VersionInfo:
    return VersionInfo(
        case_id=row.case_id, number=row.number, input_key=row.input_key,
        created_at=row.created_at, created_by=row.created_by, reason=row.reason,
        mtb_version=row.mtb_version, document_schema=row.document_schema,
        kb_signature=row.kb_signature, kb_release=row.kb_release, approvals=row.approvals,
        build=row.build, files=tuple(json.loads(row.files)), title=row.title,
        diagnosis=row.diagnosis, diagnosis_name=row.diagnosis_name, doid=row.doid,
        oncotree=row.oncotree, findings=row.findings, tier_one=row.tier_one,
        tier_two=row.tier_two, tmb=row.tmb, biomarkers=json.loads(row.biomarkers),
        changes=json.loads(row.changes), board_changes=json.loads(row.board_changes),
        document_sha256=row.document_sha256, document_bytes=row.document_bytes,
    )


def _case_info(row: StoredCase) -> StoredCaseInfo:
    return StoredCaseInfo(
        case_id=row.case_id, folder=row.folder, origin=row.origin, title=row.title,
        diagnosis=row.diagnosis, synthetic=row.synthetic, synthetic_parts=row.synthetic_parts,
        registered_at=row.registered_at, inputs=tuple(json.loads(row.inputs or "[]")),
        input_key=row.input_key, current_version=row.current_version, job_id=row.job_id,
        problem=row.problem, checked_at=row.checked_at, tumor_type=row.tumor_type or "",
        tumor_type_by=row.tumor_type_by or "", tumor_type_reason=row.tumor_type_reason or "",
        tumor_type_at=row.tumor_type_at,
    )


def _mark(row: BoardSeen) -> BoardMark:
    return BoardMark(row.case_id, row.status, row.version_number, row.at, row.by)


# Versions are read without their documents unless asked for (a document is 0.4 MB zipped)
_INFO_COLUMNS = [c for c in CaseVersion.__table__.columns if c.name != "document"]


class CaseLibraryStore(StoreMixin):
    """Store methods for registered cases and their versions (mixed into `Store`)."""

    # -- registered cases -------------------------------------------------------------------

    def register_case(self, header: CaseHeader, by: str = "") -> bool:
        """Register a case folder under its id; False when it was registered already (its
        header is refreshed). A second folder claiming a registered id is refused while the
        first one still holds that case."""
        with self._write() as session:
            row = session.get(StoredCase, header.case_id, with_for_update=True)
            if row is None:
                session.add(StoredCase(
                    case_id=header.case_id, folder=header.folder, origin=header.origin,
                    title=header.title, diagnosis=header.diagnosis, synthetic=header.synthetic,
                    synthetic_parts=header.synthetic_parts, registered_by=by, inputs="[]",
                    input_key="", problem=""))
                self._audit(session, by or "mtb", "register_case", "stored_case",
                            header.case_id, header.case_id, {},
                            {"origin": header.origin, "title": header.title})
                try:
                    session.flush()
                except IntegrityError:  # another process registered it at the same moment
                    raise StorageError(f"case {header.case_id} was registered at the same "
                                       "moment by another process; sync again") from None
                return True
            if row.folder != header.folder:
                raise StorageError(
                    f"case id '{header.case_id}' is registered for another folder "
                    f"({row.folder}); give this case another id in its case.toml")
            row.title, row.diagnosis = header.title, header.diagnosis
            row.synthetic, row.synthetic_parts = header.synthetic, header.synthetic_parts
            return False

    def move_case(self, case_id: str, folder: str, by: str) -> None:
        """A registered case's files moved (its old folder is gone)."""
        with self._write() as session:
            row = session.get(StoredCase, case_id, with_for_update=True)
            if row is None:
                raise StorageError(f"no registered case '{case_id}'")
            before = {"folder": row.folder}
            row.folder = folder
            self._audit(session, by or "mtb", "move_case", "stored_case", case_id, case_id,
                        before, {"folder": folder})

    def note_inputs(self, case_id: str, inputs: Sequence[Mapping[str, Any]], input_key: str,
                    problem: str = "") -> None:
        """What the case's files were when last looked at (and why they cannot be read)."""
        with self._write() as session:
            session.execute(update(StoredCase).where(StoredCase.case_id == case_id).values(
                inputs=_json(list(inputs)), input_key=input_key, problem=problem,
                checked_at=now()))

    def stored_case(self, case_id: str) -> StoredCaseInfo | None:
        with self._read() as session:
            row = session.get(StoredCase, case_id)
            return _case_info(row) if row is not None else None

    def agenda_cases(self) -> list[AgendaCase]:
        """Every registered case by title, with its newest job's state: the columns the agenda
        draws (plain rows, no ORM objects: 1,000 cases in a few milliseconds)."""
        with self._read() as session:
            rows = session.execute(select(
                StoredCase.case_id, StoredCase.title, StoredCase.diagnosis,
                StoredCase.synthetic, StoredCase.synthetic_parts, StoredCase.current_version,
                StoredCase.problem, Job.state, Job.progress, Job.message,
            ).outerjoin(Job, Job.id == StoredCase.job_id).order_by(
                func.lower(StoredCase.title), StoredCase.case_id))
            return [AgendaCase._make(row) for row in rows]

    def stored_cases(self) -> list[StoredCaseInfo]:
        """Every registered case, by title."""
        with self._read() as session:
            rows = session.scalars(select(StoredCase).order_by(
                func.lower(StoredCase.title), StoredCase.case_id))
            return [_case_info(row) for row in rows]

    # -- versions ---------------------------------------------------------------------------

    def add_version(self, new: NewVersion, *, after: int, job_id: int | None,
                    worker: str) -> VersionInfo:
        """Store the next version of a case (number `after` + 1) with its findings, and end
        its job, in one transaction. VersionConflict when the case's newest version is no
        longer `after`, or the job is no longer this worker's (its lease ran out and another
        worker took it): nothing is stored."""
        document = zlib.compress(new.document, 6)
        digest = hashlib.sha256(new.document).hexdigest()
        with self._write() as session:
            case = session.get(StoredCase, new.case_id, with_for_update=True)
            if case is None:
                raise StorageError(f"no registered case '{new.case_id}'")
            if (case.current_version or 0) != after:
                raise VersionConflict(f"case {new.case_id} has version "
                                      f"{case.current_version} now, not {after}")
            if job_id is not None:
                held = session.execute(update(Job).where(
                    Job.id == job_id, Job.state == "running", Job.worker == worker,
                ).values(state="done", progress=100, step="done", finished_at=now(),
                         version_number=after + 1, lease_until=None))
                if changed_rows(held) != 1:
                    raise VersionConflict(f"job {job_id} is no longer this worker's")
            row = CaseVersion(
                case_id=new.case_id, number=after + 1, input_key=new.input_key,
                created_by=worker, job_id=job_id, reason=new.reason,
                mtb_version=new.mtb_version, document_schema=new.document_schema,
                kb_signature=new.kb_signature, kb_release=new.kb_release,
                approvals=new.approvals, build=new.build, files=_json(list(new.files)),
                title=new.title, diagnosis=new.diagnosis, diagnosis_name=new.diagnosis_name,
                doid=new.doid, oncotree=new.oncotree, findings=len(new.findings),
                tier_one=new.tier_one, tier_two=new.tier_two, tmb=new.tmb,
                biomarkers=_json(dict(new.biomarkers)), changes=_json(dict(new.changes)),
                board_changes=_json(dict(new.board_changes)), document=document,
                document_sha256=digest, document_bytes=len(new.document),
                outcome=new.outcome,
            )
            session.add(row)
            session.flush()
            if new.findings:
                session.execute(cast(Table, FindingEntry.__table__).insert(), [
                    {"version_id": row.id, "case_id": new.case_id, "ordinal": f.ordinal,
                     "finding_key": f.finding_key[:300], "gene": f.gene[:64],
                     "label": f.label[:300], "variant_class": f.variant_class[:40],
                     "protein": f.protein[:120], "tier": f.tier, "level": f.level[:4],
                     "key_finding": f.key_finding, "exon": f.exon,
                     "partner5": f.partner5[:64], "partner3": f.partner3[:64],
                     "cnv_call": f.cnv_call[:24]}
                    for f in new.findings])
            case.current_version = after + 1
            case.title, case.diagnosis = new.title, new.diagnosis
            self._audit(session, worker, "annotate", "case_version",
                        f"{new.case_id}/{after + 1}", new.case_id, {},
                        {"version": after + 1, "reason": new.reason,
                         "knowledge_base": new.kb_release, "approvals": new.approvals,
                         "findings": len(new.findings), "document_sha256": digest})
            session.flush()
            return _version_info(row)

    def versions(self, case_id: str) -> list[VersionInfo]:
        """The case's versions, oldest first, without their documents."""
        with self._read() as session:
            rows = session.execute(select(*_INFO_COLUMNS).where(
                CaseVersion.case_id == case_id).order_by(CaseVersion.number))
            return [_version_info(_Row(row)) for row in rows]  # type: ignore[arg-type]

    def version_infos(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int],
                                                                      VersionInfo]:
        """(case id, number) -> its version, for many cases at once (the agenda)."""
        wanted = set(keys)
        if not wanted:
            return {}
        found: dict[tuple[str, int], VersionInfo] = {}
        cases = sorted({case for case, _ in wanted})
        with self._read() as session:
            for start in range(0, len(cases), 500):
                rows = session.execute(select(*_INFO_COLUMNS).where(
                    CaseVersion.case_id.in_(cases[start:start + 500])))
                for row in rows:
                    info = _version_info(_Row(row))  # type: ignore[arg-type]
                    if (info.case_id, info.number) in wanted:
                        found[(info.case_id, info.number)] = info
        return found

    def version(self, case_id: str, number: int | None = None) -> StoredVersion | None:
        """A version with its document (the newest without `number`); None when there is
        none. DocumentError when the stored document does not match its checksum."""
        with self._read() as session:
            query = select(CaseVersion).where(CaseVersion.case_id == case_id)
            query = (query.where(CaseVersion.number == number) if number is not None
                     else query.order_by(CaseVersion.number.desc()).limit(1))
            row = session.scalar(query)
            if row is None:
                return None
            try:
                document = zlib.decompress(row.document)
            except zlib.error:
                document = b""
            if hashlib.sha256(document).hexdigest() != row.document_sha256:
                raise DocumentError(f"the stored document of case {case_id} version "
                                    f"{row.number} is damaged (its checksum differs); "
                                    "restore the database from a backup")
            return StoredVersion(_version_info(row), document)

    def finding_rows(self, case_id: str, number: int,
                     keys: Collection[str] | None = None) -> list[FindingRow]:
        """A version's index rows in order; with `keys`, only those findings (a case page's
        key findings: a handful of rows instead of an exome's thousand)."""
        with self._read() as session:
            version_id = session.scalar(select(CaseVersion.id).where(
                CaseVersion.case_id == case_id, CaseVersion.number == number))
            if version_id is None:
                return []
            query = select(FindingEntry).where(FindingEntry.version_id == version_id)
            if keys is not None:
                query = query.where(FindingEntry.finding_key.in_(list(keys)))
            rows = session.scalars(query.order_by(FindingEntry.ordinal))
            return [_finding_row(row) for row in rows]

    def counted_rows(self, shown: Mapping[str, int]) -> dict[str, list[FindingRow]]:
        """case id -> the rows of its shown version that may count on the agenda: the key
        findings by the rules (an index finds them: a few per version), and every finding a
        curator curated (an override may raise a tier III finding). A handful of queries for
        the whole agenda, however many cases."""
        if not shown:
            return {}
        out: dict[str, dict[int, FindingRow]] = {case: {} for case in shown}
        with self._read() as session:
            version_ids: dict[int, str] = {}
            for case_id, number, version_id in session.execute(select(
                    CaseVersion.case_id, CaseVersion.number, CaseVersion.id).where(
                    CaseVersion.case_id.in_(list(shown)))):
                if shown.get(case_id) == number:
                    version_ids[version_id] = case_id
            ids = sorted(version_ids)
            for start in range(0, len(ids), 500):
                for row in session.scalars(select(FindingEntry).where(
                        FindingEntry.version_id.in_(ids[start:start + 500]),
                        FindingEntry.key_finding.is_(True))):
                    out[row.case_id][row.ordinal] = _finding_row(row)
            by_case = {case: version for version, case in version_ids.items()}
            curated = session.execute(select(Curation.case_id, Curation.finding_key).where(
                Curation.case_id.in_(list(by_case)))).all()
            for case_id, key in curated:
                for row in session.scalars(select(FindingEntry).where(
                        FindingEntry.version_id == by_case[case_id],
                        FindingEntry.finding_key == key)):
                    out[case_id][row.ordinal] = _finding_row(row)
        return {case: [rows[n] for n in sorted(rows)] for case, rows in out.items()}

    def curations_by_case(self) -> dict[str, dict[str, board.Curation]]:
        """case id -> finding key -> its curation, for every case (the agenda's counts)."""
        found: dict[str, dict[str, board.Curation]] = {}
        with self._read() as session:
            for row in session.scalars(select(Curation)):
                found.setdefault(row.case_id, {})[row.finding_key] = records.curation(row)
        return found

    # -- what the board saw -----------------------------------------------------------------

    def _board_saw(self, session: Session, case_id: str, status: str, by: str) -> None:
        """Called by set_status inside its transaction: the version the case has now is what
        the board saw (and, for 'final', what its report is made of)."""
        if status not in BOARD_STATUSES:
            return
        current = session.scalar(select(StoredCase.current_version).where(
            StoredCase.case_id == case_id))
        session.add(BoardSeen(case_id=case_id, status=status, version_number=current, by=by))

    def board_marks(self, case_id: str | None = None) -> list[BoardMark]:
        """What the board saw, oldest first (of one case, or of all)."""
        with self._read() as session:
            query = select(BoardSeen).order_by(BoardSeen.id)
            if case_id is not None:
                query = query.where(BoardSeen.case_id == case_id)
            return [_mark(row) for row in session.scalars(query)]

    def last_board_marks(self) -> dict[str, BoardMark]:
        """case id -> the newest thing the board saw of it."""
        marks: dict[str, BoardMark] = {}
        for mark in self.board_marks():
            marks[mark.case_id] = mark
        return marks

    def pinned_version(self, case_id: str) -> int | None:
        """The version a final case's report is made of; None when it is not final."""
        with self._read() as session:
            return session.scalar(select(BoardSeen.version_number).where(
                BoardSeen.case_id == case_id, BoardSeen.status == "final"
            ).order_by(BoardSeen.id.desc()).limit(1))

    def final_cases(self) -> dict[str, int | None]:
        """case id -> pinned version of every final case."""
        with self._read() as session:
            rows = session.execute(select(CaseRecord.case_id).where(
                CaseRecord.status == "final")).scalars().all()
            pins = dict(session.execute(select(BoardSeen.case_id, BoardSeen.version_number)
                                        .where(BoardSeen.status == "final")
                                        .order_by(BoardSeen.id)).all())
            return {case: pins.get(case) for case in rows}

    # -- frozen reports ---------------------------------------------------------------------

    def freeze_report(self, case_id: str, version_number: int, fmt: str, content: bytes,
                      by: str) -> FrozenReportInfo:
        """Keep a final case's report as issued. The first one stored stays: a second
        (another worker, a rebuild) is dropped and the first returned."""
        try:
            with self._write() as session:
                row = FrozenReport(case_id=case_id, version_number=version_number, format=fmt,
                                   content=content,
                                   sha256=hashlib.sha256(content).hexdigest(),
                                   size=len(content), created_by=by)
                session.add(row)
                session.flush()
                self._audit(session, by, "freeze_report", "frozen_report",
                            f"{case_id}/{fmt}", case_id, {},
                            {"version": version_number, "format": fmt, "sha256": row.sha256})
        except StorageError:
            pass
        info = self.frozen_report_info(case_id, fmt)
        if info is None:
            raise StorageError(f"the report of case {case_id} could not be kept")
        return info

    def frozen_report(self, case_id: str, fmt: str) -> bytes | None:
        with self._read() as session:
            row = session.scalar(select(FrozenReport).where(
                FrozenReport.case_id == case_id, FrozenReport.format == fmt))
            if row is None:
                return None
            if hashlib.sha256(row.content).hexdigest() != row.sha256:
                raise DocumentError(f"the frozen {fmt} report of case {case_id} is damaged "
                                    "(its checksum differs); restore the database")
            return bytes(row.content)

    def frozen_report_info(self, case_id: str, fmt: str) -> FrozenReportInfo | None:
        with self._read() as session:
            row = session.execute(select(
                FrozenReport.case_id, FrozenReport.version_number, FrozenReport.format,
                FrozenReport.sha256, FrozenReport.size, FrozenReport.created_at,
                FrozenReport.created_by).where(FrozenReport.case_id == case_id,
                                               FrozenReport.format == fmt)).first()
            return FrozenReportInfo(*row) if row is not None else None

    def frozen_formats(self) -> dict[str, set[str]]:
        """case id -> the formats of its frozen reports."""
        with self._read() as session:
            found: dict[str, set[str]] = {}
            for case, fmt in session.execute(select(FrozenReport.case_id,
                                                    FrozenReport.format)):
                found.setdefault(case, set()).add(fmt)
            return found

    # -- the library's state ----------------------------------------------------------------

    def library_state(self, key: str) -> str | None:
        with self._read() as session:
            row = session.get(LibraryState, key)
            return row.value if row is not None else None

    def set_library_state(self, key: str, value: str) -> str | None:
        """Set a value; returns the one it replaced. (Two servers starting at once may both
        insert the first value: the second then updates it.)"""
        for attempt in (1, 2):
            try:
                with self._write() as session:
                    row = session.get(LibraryState, key, with_for_update=True)
                    if row is None:
                        session.add(LibraryState(key=key, value=value))
                        session.flush()
                        return None
                    before, row.value = row.value, value
                    return before
            except StorageError:
                if attempt == 2:
                    raise
        return None  # pragma: no cover


class _Row:
    """A result row of the version columns, read like a CaseVersion (without the document)."""

    def __init__(self, row: Any) -> None:
        self.__dict__.update(row._mapping)


def _finding_row(row: FindingEntry) -> FindingRow:
    return FindingRow(row.ordinal, row.finding_key, row.gene, row.label, row.variant_class,
                      row.protein, row.tier, row.level, row.key_finding, row.exon,
                      row.partner5 or "", row.partner3 or "", row.cnv_call or "")
