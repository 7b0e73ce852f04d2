"""The case library: every case mtb knows, registered in the store with its annotation
versions, read back from the store by every page, the presentation, `mtb case show|list` and
the reports; never from the VCF.

    case folder | upload | FHIR import | `mtb case add`
      -> register (store: stored_case)            -> a job when its inputs are new (mtb.jobs)
      -> annotate once per inputs (mtb.annotation_run) -> a version (store: case_version)
      -> read: the shown version's document -> Case (mtb.case_document)

Which version a page shows: a final case's pinned version (the one its report is made of),
else the newest.

A final case's report is kept as bytes, not rendered again: HTML, PDF and FHIR are stored once
(the first time after finalizing, dated at the finalization) and returned byte for byte ever
after. Deterministic rendering from the pinned version would be reproducible only as long as
mtb's templates, the FHIR mapping, WeasyPrint and the fonts stay exactly as they were; a signed
medical document must stay the document that was signed, across years of upgrades, and a
stored copy with its checksum is what a hospital's archive expects.

`sync` looks at every case folder and registers what is new; a case whose
files (by sha256) or knowledge base changed gets a job, everything else nothing, so a server
start re-annotates no case. The agenda (`summaries`) is drawn from the store's index columns
without opening any case document: registered cases, their newest job (state, percent), tier
counts by the curators (mtb.board's rules on the findings' index rows) and what changed since
the board met.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotation.diseases import DiseaseOntology
from annotation.model import Tier
from mtb import board, case_document
from mtb.case import Case
from mtb.catalog import CaseEntry, case_folders, read_case, reference_path
from mtb.config import Settings
from mtb.errors import InputError, MtbError, ReportError, StorageError
from mtb.i18n import N_, gettext
from mtb.store import (
    BoardMark,
    CaseHeader,
    FindingRow,
    Store,
    StoredCaseInfo,
    VersionInfo,
)
from mtb.versions import KbSignature, changes_lines, file_marks, input_key, kb_signature

__all__ = ["CaseSummary", "Library", "OpenedVersion", "SyncResult", "curated_counts",
           "version_label"]

KB_STATE = "kb_signature"
KB_LABEL = "kb_label"
REPORT_FORMATS = ("html", "pdf", "fhir")


@dataclass
class SyncResult:
    registered: list[str] = field(default_factory=list)  # new case ids
    queued: list[int] = field(default_factory=list)  # job ids of new jobs
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)  # folders that cannot be read
    kb_changed: str = ""  # "CIViC 01-Aug-2024 -> CIViC 01-Jul-2025" when it changed


@dataclass(frozen=True)
class CaseSummary:
    """One registered case as the agenda and `mtb case list` show it (no document read)."""

    case_id: str
    title: str
    diagnosis: str
    synthetic: bool
    synthetic_parts: str
    status: str  # prepared, presented, decided, final
    meeting: int | None
    version: int | None  # the version shown (a final case's pinned one)
    newest: int | None  # the newest version
    tier1: int | None  # by the curators (mtb.board.tier_counts)
    tier2: int | None
    state: str  # ready, queued, annotating, failed
    progress: int  # percent, while annotating
    problem: str  # why it cannot be annotated or read
    changes: str = ""  # since the board met: "2 findings changed tier since ..."
    changes_detail: tuple[str, ...] = ()

    @property
    def state_text(self) -> str:
        """'ready', 'queued', 'annotating 40 %', 'failed'."""
        if self.state == "annotating":
            return f"annotating {self.progress} %"
        return self.state

    @property
    def changed_since_board(self) -> bool:
        return bool(self.changes)


@dataclass(frozen=True)
class OpenedVersion:
    case: Case
    info: VersionInfo
    newest: int  # the case's newest version (the shown one may be a final case's pinned one)
    pinned: bool  # the shown version is the one a final case's report is made of


@dataclass(frozen=True)
class _Counted:
    """What mtb.board's tier rules read of a finding: its tier by the knowledge-base rules
    (the agenda counts from the findings' index rows, without opening the case)."""

    tier: Tier


def curated_counts(rows: list[FindingRow],
                   curations: Mapping[str, board.Curation]) -> tuple[int, int]:
    """(tier I, tier II) by mtb.board's rules: reported tiers of the findings that count."""
    tier1 = tier2 = 0
    for row in rows:
        finding = _Counted(Tier(row.tier))
        curation = curations.get(row.finding_key)
        if board.counts(finding, curation):  # type: ignore[arg-type]
            if board.reported_tier(finding, curation) in board.TIER_ONE:  # type: ignore[arg-type]
                tier1 += 1
            else:
                tier2 += 1
    return tier1, tier2


class Library:
    """Registered cases: registering, syncing folders, reading versions, reports.

    `notify(job_id)` hands a new job to the queue (mtb.jobs); without it jobs wait in the
    store until a worker sweeps them up."""

    def __init__(self, settings: Settings, store: Store,
                 notify: Callable[[int], None] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.notify = notify or (lambda _job: None)

    # -- registering ------------------------------------------------------------------------

    def register(self, folder: Path, origin: str, by: str = "mtb",
                 kb: KbSignature | None = None, reason: str = "") -> tuple[str, int | None]:
        """Register a case folder (its case.toml names the id) and queue its annotation when
        its inputs are new. Returns (case id, job id or None)."""
        entry = read_case(Path(folder).resolve())
        return self._register(entry, origin, by, kb or kb_signature(self.settings), reason)

    def _register(self, entry: CaseEntry, origin: str, by: str, kb: KbSignature,
                  reason: str = "", known: StoredCaseInfo | None = None
                  ) -> tuple[str, int | None]:
        """`known`: the case as the store had it (a sync reads them all at once). Nothing is
        written for a case whose header and files are as last seen."""
        header = CaseHeader(entry.id, str(entry.folder), origin, entry.title, entry.diagnosis,
                            entry.synthetic, entry.synthetic_parts)
        stored = known or self.store.stored_case(entry.id)
        if stored is None or (stored.folder, stored.title, stored.diagnosis, stored.synthetic,
                              stored.synthetic_parts) != (header.folder, header.title,
                                                          header.diagnosis, header.synthetic,
                                                          header.synthetic_parts):
            if stored is not None and stored.folder != header.folder and \
                    not (Path(stored.folder) / "case.toml").is_file():
                self.store.move_case(entry.id, header.folder, by)  # the folder was moved
            self.store.register_case(header, by)
            stored = self.store.stored_case(entry.id)
        assert stored is not None
        return entry.id, self._check(entry, stored, kb, reason)

    def _check(self, entry: CaseEntry, stored: StoredCaseInfo, kb: KbSignature,
               reason: str = "") -> int | None:
        """Queue a job when the case's inputs differ from the ones last seen."""
        try:
            marks = file_marks(entry, stored.inputs, reference_path(entry, self.settings))
        except InputError as error:
            self.store.note_inputs(stored.case_id, stored.inputs, stored.input_key,
                                   problem=str(error))
            return None
        key = input_key(entry.id, marks, kb, stored.tumor_type)
        if key == stored.input_key and not stored.problem:
            if [m["mtime_ns"] for m in marks] != [m.get("mtime_ns") for m in stored.inputs]:
                self.store.note_inputs(stored.case_id, marks, key)  # touched, same content
            return None
        self.store.note_inputs(stored.case_id, marks, key)
        current = stored.current_version or 0
        if current:
            info = self.store.version_infos([(stored.case_id, current)]).get(
                (stored.case_id, current))
            if info is not None and info.input_key == key:
                return None  # changed back, or touched: the newest version is of these inputs
        why = reason or _why_new(stored, marks, current)
        job, created = self.store.add_job(stored.case_id, "annotate", key, current, why)
        if created:
            self.notify(job.id)
        return job.id if created else None

    def sync(self, by: str = "mtb") -> SyncResult:
        """Register every case folder of the cases folder and of the added cases, look at
        every registered case's files, and queue what changed. A knowledge base that changed
        since the last sync queues every case."""
        kb = kb_signature(self.settings)
        previous = self.store.set_library_state(KB_STATE, kb.signature)
        before_label = self.store.set_library_state(KB_LABEL, kb.label) or ""
        kb_reason = ""
        if previous is not None and previous != kb.signature:
            kb_reason = (N_("knowledge base changed")
                         + f": {before_label or 'before'} -> {kb.label}")
        result = SyncResult(kb_changed=kb_reason)
        seen: set[str] = set()
        known = {stored.case_id: stored for stored in self.store.stored_cases()}
        for root in case_folders(self.settings):
            origin = "upload" if root != self.settings.cases_dir else "cases folder"
            if not root.is_dir():
                continue
            for toml in sorted(root.glob("*/case.toml")):
                if toml.parent.name.startswith("."):
                    continue
                self._sync_one(toml.parent, origin, by, kb, kb_reason, result, seen, known)
        frozen = self.store.frozen_formats()
        for case_id, pinned in self.store.final_cases().items():  # reports kept, always
            if pinned is not None and frozen.get(case_id, set()) < set(REPORT_FORMATS):
                self.finalized(case_id)
        for stored in known.values():  # added from elsewhere (`mtb case add`)
            if stored.case_id in seen:
                continue
            folder = Path(stored.folder)
            if (folder / "case.toml").is_file():
                self._sync_one(folder, stored.origin, by, kb, kb_reason, result, seen, known)
            elif stored.problem != "its folder is gone":
                self.store.note_inputs(stored.case_id, stored.inputs, stored.input_key,
                                       problem="its folder is gone")
        return result

    def _sync_one(self, folder: Path, origin: str, by: str, kb: KbSignature, reason: str,
                  result: SyncResult, seen: set[str],
                  known: Mapping[str, StoredCaseInfo]) -> None:
        try:
            entry = read_case(folder.resolve())
        except InputError as error:
            result.problems.append(str(error))
            return
        if entry.id in seen:
            result.problems.append(f"{folder}/case.toml: id '{entry.id}' is used by another "
                                   "case folder too; give one of them another id")
            return
        seen.add(entry.id)
        stored = known.get(entry.id)
        try:
            _, job = self._register(entry, origin, by, kb, reason, known=stored)
        except MtbError as error:
            result.problems.append(f"{folder}: {error}")
            return
        if stored is None:
            result.registered.append(entry.id)
        if job is not None:
            result.queued.append(job)
        else:
            result.unchanged += 1

    def check(self, case_id: str) -> int | None:
        """Look at one registered case's files (a few stat calls when nothing changed);
        queue its re-annotation when they changed."""
        stored = self.store.stored_case(case_id)
        if stored is None:
            return None
        try:
            entry = read_case(Path(stored.folder))
        except InputError as error:
            self.store.note_inputs(case_id, stored.inputs, stored.input_key, problem=str(error))
            return None
        if entry.id != case_id:
            return None
        return self._check(entry, stored, kb_signature(self.settings))

    def set_tumor_type(self, case_id: str, doid: str, by: board.Actor, reason: str
                       ) -> tuple[int, int | None]:
        """A curator chooses the case's tumor type (a Disease Ontology term; "" gives the
        choice back to the diagnosis text): stored and audited (mtb.store), then the case is
        annotated again with it. Returns (the case's new revision, the job or None when a
        version of these inputs exists already). StorageError for a term the ontology lacks,
        AccessError for a user who may not curate or a final case."""
        names = {term: name for term, name, _code in tumor_type_terms()}
        chosen = DiseaseOntology.bundled().normalise_doid(doid) or "" if doid else ""
        if doid and chosen not in names:  # unknown or obsolete
            raise StorageError(f"'{doid}' is not a term of the Disease Ontology cancer slim")
        revision = self.store.set_tumor_type(case_id, chosen, by, reason)  # checks the case
        stored = self.store.stored_case(case_id)
        assert stored is not None
        try:
            entry = read_case(Path(stored.folder))
        except InputError as error:  # the choice is kept; the files' problem is shown
            self.store.note_inputs(case_id, stored.inputs, stored.input_key, problem=str(error))
            return revision, None
        why = (N_("tumor type chosen") + f": {names[chosen]} ({chosen}), {by.name}" if chosen else
               N_("tumor type from the diagnosis text again") + f": {by.name}")
        return revision, self._check(entry, stored, kb_signature(self.settings), why)

    # -- reading ----------------------------------------------------------------------------

    def shown_version(self, case_id: str) -> int | None:
        """A final case's pinned version, else the newest."""
        pinned = self.store.pinned_version(case_id)
        if pinned is not None:
            return pinned
        stored = self.store.stored_case(case_id)
        return stored.current_version if stored is not None else None

    def open(self, case_id: str, number: int | None = None) -> OpenedVersion:
        """A version of a case read back from the store (the shown one by default).
        InputError when there is no such case or version yet."""
        stored = self.store.stored_case(case_id)
        if stored is None:
            raise InputError("cases", f"no case with id '{case_id}'")
        pinned = self.store.pinned_version(case_id)
        wanted = number or pinned or stored.current_version
        if wanted is None:
            raise InputError("cases", f"case '{case_id}' is not annotated yet")
        version = self.store.version(case_id, wanted)
        if version is None:
            raise InputError("cases", f"case '{case_id}' has no version {wanted}")
        case = case_document.loads(version.document)
        return OpenedVersion(case, version.info, stored.current_version or wanted,
                             pinned is not None and wanted == pinned)

    def case_state(self, case_id: str) -> tuple[str, str]:
        """('annotating 40 %' | 'queued' | 'failed' | 'ready', problem) of one case."""
        stored = self.store.stored_case(case_id)
        if stored is None:
            return "unknown", f"no case with id '{case_id}'"
        job = self.store.job(stored.job_id) if stored.job_id is not None else None
        state, progress, problem = _state(
            stored.current_version, stored.problem, job.state if job else None,
            job.progress if job else 0, job.message if job else "")
        return (f"annotating {progress} %" if state == "annotating" else state), problem

    def summaries(self) -> list[CaseSummary]:
        """The agenda's rows, from the store's index columns (no case document is read): a
        handful of queries however many cases there are."""
        cases = self.store.agenda_cases()
        statuses = self.store.statuses()
        meetings = self.store.meeting_of()
        finals = self.store.final_cases()
        marks = self.store.last_board_marks()
        shown = {}
        for case in cases:
            number = finals.get(case.case_id) or case.current_version
            if number is not None:
                shown[case.case_id] = number
        alerted = [(c.case_id, c.current_version) for c in cases if c.current_version
                   and (mark := marks.get(c.case_id)) is not None
                   and mark.version_number not in (None, c.current_version)]
        infos = self.store.version_infos(alerted)  # only cases the board saw an older version of
        rows = self.store.counted_rows(shown)
        curations = self.store.curations_by_case()
        out = []
        for case in cases:
            case_id = case.case_id
            number = shown.get(case_id)
            tiers: tuple[int | None, int | None] = (None, None)
            if number is not None:
                tiers = curated_counts(rows.get(case_id, []), curations.get(case_id, {}))
            state, progress, problem = _state(case.current_version, case.problem,
                                              case.job_state, case.job_progress or 0,
                                              case.job_message or "")
            newest = infos.get((case_id, case.current_version or 0))
            headline, detail = self._since_board(case_id, marks.get(case_id), newest)
            out.append(CaseSummary(
                case_id=case_id, title=case.title, diagnosis=case.diagnosis,
                synthetic=case.synthetic, synthetic_parts=case.synthetic_parts,
                status=statuses.get(case_id, "prepared"), meeting=meetings.get(case_id),
                version=number, newest=case.current_version, tier1=tiers[0],
                tier2=tiers[1], state=state, progress=progress, problem=problem,
                changes=headline, changes_detail=tuple(detail)))
        return out

    def since_board(self, case_id: str) -> tuple[str, list[str], BoardMark | None]:
        """What changed between the version the board last saw and the newest one."""
        marks = self.store.board_marks(case_id)
        mark = marks[-1] if marks else None
        stored = self.store.stored_case(case_id)
        newest = None
        if stored is not None and stored.current_version:
            newest = self.store.version_infos([(case_id, stored.current_version)]).get(
                (case_id, stored.current_version))
        headline, detail = self._since_board(case_id, mark, newest)
        return headline, detail, mark

    def _since_board(self, case_id: str, mark: BoardMark | None,
                     newest: VersionInfo | None) -> tuple[str, list[str]]:
        if mark is None or mark.version_number is None or newest is None:
            return "", []
        if newest.number == mark.version_number:
            return "", []
        since = gettext("since the board met")  # rendered now: the reader's language
        for stored in (newest.board_changes, newest.changes):
            if stored.get("against") == mark.version_number:
                return changes_lines(stored, since)
        return changes_lines(self._index_changes(case_id, mark.version_number,
                                                 newest.number), since)

    def _index_changes(self, case_id: str, old: int, new: int) -> dict[str, Any]:
        """Changes between two versions from their index rows (no reasons): for a board mark
        older than the version the newest was compared with (rare)."""
        before = {r.finding_key: r for r in self.store.finding_rows(case_id, old)}
        after = {r.finding_key: r for r in self.store.finding_rows(case_id, new)}
        key = set(board.KEY_TIERS)
        tiers = [{"key": k, "label": r.label, "old": before[k].tier, "new": r.tier, "why": ""}
                 for k, r in after.items() if k in before and before[k].tier != r.tier
                 and (before[k].tier in key or r.tier in key)]
        return {"against": old, "tiers": tiers,
                "key_added": [{"key": k, "label": r.label, "tier": r.tier}
                              for k, r in after.items() if k not in before and r.tier in key],
                "key_removed": [{"key": k, "label": r.label, "tier": r.tier}
                                for k, r in before.items() if k not in after and r.tier in key],
                "added": sum(1 for k in after if k not in before),
                "removed": sum(1 for k in before if k not in after)}

    def neighbours(self, case_id: str, meeting_of: dict[str, int | None] | None = None,
                   ids: list[str] | None = None) -> tuple[str | None, str | None]:
        """The previous and next case of the agenda (the presentation's arrow keys): of the
        case's meeting when it is on one, else of all cases."""
        ids = ids if ids is not None else [c.case_id for c in self.store.agenda_cases()]
        meeting = (meeting_of or {}).get(case_id)
        if meeting is not None:
            ids = [i for i in ids if (meeting_of or {}).get(i) == meeting]
        if case_id not in ids:
            return None, None
        at = ids.index(case_id)
        return (ids[at - 1] if at > 0 else None, ids[at + 1] if at + 1 < len(ids) else None)

    # -- reports ----------------------------------------------------------------------------

    def finalized(self, case_id: str) -> int | None:
        """Queue the job that keeps a final case's report (HTML, PDF, FHIR) as issued; its
        job id, or None when it is queued already (or the case is not final)."""
        pinned = self.store.pinned_version(case_id)
        if pinned is None:
            return None
        job, created = self.store.add_job(case_id, "reports", f"final-{pinned}", pinned,
                                          "keeping the final report")
        if created:
            self.notify(job.id)
        return job.id if created else None

    def report(self, case_id: str, fmt: str, by: str = "mtb") -> bytes:
        """The report of a case. A final case's is the one kept when it was finalized, byte
        for byte (made from its pinned version the first time it is asked for, then kept);
        any other case's is made from its newest version."""
        if fmt not in REPORT_FORMATS:
            raise ReportError(f"report format '{fmt}' is not one of {', '.join(REPORT_FORMATS)}")
        record = self.store.case_record(case_id)
        if record.status == "final":
            kept = self.store.frozen_report(case_id, fmt)
            if kept is not None:
                return kept
            number, content = self._final_content(case_id)
            self.store.freeze_report(case_id, number, fmt, _render(content, fmt), by)
            kept = self.store.frozen_report(case_id, fmt)
            assert kept is not None
            return kept
        from mtb.report import build_content

        opened = self.open(case_id)
        content = build_content(opened.case, record, self.store.curations(case_id),
                                self.store.recommendations(case_id))
        return _render(content, fmt)

    def freeze_reports(self, case_id: str, by: str) -> list[str]:
        """Keep every format of a final case's report (a job after finalizing); returns what
        could not be made (a PDF without WeasyPrint's libraries), said, never silent."""
        missing = []
        number, content = self._final_content(case_id)
        for fmt in REPORT_FORMATS:
            if self.store.frozen_report_info(case_id, fmt) is not None:
                continue
            try:
                self.store.freeze_report(case_id, number, fmt, _render(content, fmt), by)
            except ReportError as error:
                missing.append(f"{fmt}: {error}")
        return missing

    def _final_content(self, case_id: str) -> tuple[int, Any]:
        from mtb.report import build_content

        marks = [m for m in self.store.board_marks(case_id) if m.status == "final"]
        mark = marks[-1] if marks else None
        if mark is None or mark.version_number is None:
            raise ReportError(f"case {case_id} is final without an annotation version")
        opened = self.open(case_id, mark.version_number)
        content = build_content(opened.case, self.store.case_record(case_id),
                                self.store.curations(case_id),
                                self.store.recommendations(case_id), now=mark.at)
        return mark.version_number, content


@functools.cache
def tumor_type_terms() -> tuple[tuple[str, str, str], ...]:
    """(DOID, name, OncoTree code) of every term a curator may choose as a case's tumor type
    (the bundled Disease Ontology cancer slim; annotation.diseases)."""
    ontology = DiseaseOntology.bundled()
    return tuple((doid, name, ontology.oncotree_code(doid))
                 for doid, name in ontology.tumor_types())


def _render(content: Any, fmt: str) -> bytes:
    from mtb.report import bundle_json, render_html, render_pdf

    if fmt == "pdf":
        return render_pdf(content)
    if fmt == "fhir":
        return bundle_json(content).encode("utf-8")
    return render_html(content).encode("utf-8")


def _why_new(stored: StoredCaseInfo, marks: list[dict[str, Any]], current: int) -> str:
    if not current:
        return N_("new case")
    before = {m.get("path"): m.get("sha256") for m in stored.inputs}
    changed = [m["path"] for m in marks if before.get(m["path"]) != m["sha256"]]
    gone = [path for path in before if path not in {m["path"] for m in marks}]
    if changed or gone:
        return N_("files changed") + ": " + ", ".join(Path(str(p)).name for p in [*changed, *gone])
    return N_("knowledge base or annotation settings changed")


def _state(current: int | None, problem: str, job_state: str | None, progress: int,
           message: str) -> tuple[str, int, str]:
    """(state, percent, problem) of a case's annotation, from its newest job."""
    if job_state == "running":
        return "annotating", progress, ""
    if job_state == "queued":
        return "queued", 0, ""
    if problem:
        return ("failed" if not current else "ready"), 0, problem
    if job_state == "failed":
        return "failed", 0, message
    if current is None:
        return "queued", 0, ""
    return "ready", 0, ""


def version_label(info: VersionInfo) -> str:
    """'version 3 of 2026-12-07 10:15 (CIViC 01-Jul-2025; mtb approvals table ...; GRCh38)'."""
    return (f"version {info.number} of {info.created_at:%Y-%m-%d %H:%M} ({info.kb_release}; "
            f"{info.approvals}; {info.build})")
