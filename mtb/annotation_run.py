"""One annotation run: a registered case's files and the knowledge base -> its next version.

What a worker does with an 'annotate' job (mtb.jobs hands it over, holding the job's lease):

     5 %  case.toml read, the knowledge base loaded (reloaded after `mtb kb update`)
    10 %  the inputs checked: when the case's newest version is already of these inputs
          (the same files by sha256, the same knowledge base) there is nothing to do
    10 %  files read (mtb.case.read_case_files)
    40 %  annotated and joined (mtb.case.assemble)
    85 %  compared with the previous version and with the one the board last saw
    92 %  stored, with the end of the job, in one transaction (mtb.store)

A worker killed at any step has stored nothing: the case keeps its previous version, and the
job goes to another worker when its lease runs out. A file that cannot be read fails the job
with the file's own error (shown on the agenda and the case page); nothing is retried until
the files change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotation.kb import KnowledgeBase
from mtb import board, case_document
from mtb.case import Case, assemble, event_text, latest_value, read_case_files
from mtb.catalog import read_case, reference_path
from mtb.config import Settings
from mtb.errors import DocumentError, InputError
from mtb.library import Library
from mtb.store import FindingRow, JobInfo, NewVersion, VersionConflict
from mtb.timeline import latest_response
from mtb.versions import KbSignature, compare, file_marks, input_key, kb_signature

__all__ = ["KnowledgeCache", "LostJob", "annotate", "finding_rows", "new_version"]

Report = Callable[[int, str], None]  # (percent, step)


class LostJob(Exception):  # not an MtbError: it never reaches a user (mtb.jobs stops)
    """The job is no longer this worker's (its lease ran out and another worker took it)."""


class KnowledgeCache:
    """The knowledge base a worker annotates with: loaded once per process (about 5 s and
    150 MB), loaded again when its signature changes (`mtb kb update`, a new approvals
    table)."""

    def __init__(self, settings: Settings,
                 factory: Callable[[Any], KnowledgeBase] | None = None) -> None:
        self.settings = settings
        self._factory = factory or (lambda progress: KnowledgeBase.open(settings, progress))
        self._lock = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self._signature: KbSignature | None = None

    def get(self, progress: Callable[[str, float], None] | None = None
            ) -> tuple[KnowledgeBase, KbSignature]:
        with self._lock:
            now = kb_signature(self.settings)
            if self._kb is None or self._signature is None or \
                    self._signature.signature != now.signature:
                self._kb = self._factory(progress)
                self._signature = kb_signature(self.settings)  # the index may be new now
            return self._kb, self._signature


def finding_rows(case: Case) -> tuple[FindingRow, ...]:
    """The index columns of every finding, in the variant table's order."""
    rows = []
    for ordinal, variant in enumerate(case.annotation.variants):
        alteration, finding = variant.alteration, variant.finding
        rows.append(FindingRow(
            ordinal=ordinal, finding_key=board.finding_key(variant), gene=alteration.gene,
            label=alteration.label,
            variant_class=_variant_class(finding, alteration.kind),
            protein=alteration.hgvsp, tier=variant.tier.value, level=variant.level,
            key_finding=board.is_key_finding(variant, None), exon=alteration.exon,
            partner5=alteration.partner5, partner3=alteration.partner3,
            cnv_call=alteration.cnv_call))
    return tuple(rows)


def _variant_class(finding: Any, kind: str) -> str:
    """snv, deletion, cnv, fusion, sv, ...; the alteration's kind for a finding without a
    variant type (given as text, or a finding type this module does not know)."""
    variant_type = getattr(finding, "variant_type", None)
    return str(getattr(variant_type, "value", "") or kind)


def _biomarkers(case: Case) -> dict[str, Any]:
    found: dict[str, Any] = {}
    tmb = case.annotation.tmb
    if tmb is not None and tmb.per_mb is not None:
        found["TMB"] = round(tmb.per_mb, 2)
    msi = event_text(latest_value(case, "microsatellite"))
    if msi:
        found["MSI"] = msi
    for variant in case.annotation.variants:
        alteration = variant.alteration
        if alteration.kind == "biomarker" and alteration.biomarker:
            found[alteration.label] = alteration.biomarker
    return found


def new_version(case: Case, document: bytes, *, key: str, reason: str, kb: KbSignature,
                files: list[dict[str, Any]], changes: dict[str, Any],
                board_changes: dict[str, Any]) -> NewVersion:
    """What the store keeps of an annotated case."""
    diagnosis = case.annotation.diagnosis
    tier1, tier2 = board.tier_counts(case.annotation.variants)
    tmb = case.annotation.tmb
    return NewVersion(
        case_id=case.entry.id, input_key=key, reason=reason,
        mtb_version=_mtb_version(), document_schema=case_document.SCHEMA,
        kb_signature=kb.signature, kb_release=kb.civic, approvals=kb.approvals,
        build=case.build.value, files=tuple(files), title=case.entry.title,
        diagnosis=case.entry.diagnosis or diagnosis.text,
        diagnosis_name=diagnosis.name if diagnosis.known else "", doid=diagnosis.doid or "",
        oncotree=diagnosis.oncotree, tier_one=tier1, tier_two=tier2,
        tmb=tmb.per_mb if tmb is not None else None, biomarkers=_biomarkers(case),
        changes=changes, board_changes=board_changes, document=document,
        findings=finding_rows(case), outcome=_outcome(case))


def _outcome(case: Case) -> str:
    """The timeline's newest response ('PD 2024-11-02'), kept with the version so that 'seen
    before' shows it without opening the case's document."""
    latest = latest_response(case.events)
    return f"{latest[0]} {latest[1]}" if latest else ""


def _mtb_version() -> str:
    from mtb import __version__

    return __version__


def annotate(library: Library, job: JobInfo, worker: str, report: Report,
             knowledge: KnowledgeCache) -> tuple[str, int | None, str]:
    """Run an 'annotate' job. Returns ("stored", number, "") when a version was stored (the
    job ended with it), else the job's end: ("done", the version that already holds these
    inputs, ""), ("failed", None, why). LostJob when the job is no longer this worker's."""
    store, settings = library.store, library.settings
    stored = store.stored_case(job.case_id)
    if stored is None:
        return "failed", None, "the case is not registered"
    report(5, "reading case.toml")
    try:
        entry = read_case(Path(stored.folder))
    except InputError as error:
        store.note_inputs(stored.case_id, stored.inputs, stored.input_key, problem=str(error))
        return "failed", None, str(error)
    if entry.id != job.case_id:
        return "failed", None, f"{stored.folder}/case.toml names another case ('{entry.id}')"
    kb, signature = knowledge.get(lambda step, done: report(5, step))
    try:
        reference = reference_path(entry, settings)
        marks = file_marks(entry, stored.inputs, reference)
    except InputError as error:
        store.note_inputs(stored.case_id, stored.inputs, stored.input_key, problem=str(error))
        return "failed", None, str(error)
    key = input_key(entry.id, marks, signature, stored.tumor_type)
    if key != stored.input_key:
        store.note_inputs(stored.case_id, marks, key)  # what a sync would see now
    current = stored.current_version or 0
    if current and _version_key(library, job.case_id, current) == key:
        return "done", current, ""  # another job made it, or this one before a crash
    report(10, "reading files")
    try:
        files = read_case_files(entry, settings)
        report(40, "annotating")
        case = assemble(files, kb, settings, reference=reference,
                        tumor_type=stored.chosen_tumor_type)
    except InputError as error:
        store.note_inputs(stored.case_id, marks, key, problem=str(error))
        return "failed", None, str(error)
    document = case_document.dumps(case)
    kinds = {_name(f.path, entry.folder): f.kind for f in entry.files}
    if reference is not None:
        kinds[_name(reference, entry.folder)] = "reference"
    listed = [{"path": m["path"], "kind": kinds.get(m["path"], "case.toml" if m["path"] ==
                                                  "case.toml" else "part of a folder"),
               "sha256": m["sha256"], "size": m["size"]} for m in marks]
    for _attempt in range(5):  # a version stored by another job meanwhile: compare again
        fresh = store.stored_case(job.case_id)
        current = (fresh.current_version if fresh else None) or 0
        if current and _version_key(library, job.case_id, current) == key:
            return "done", current, ""
        report(85, f"comparing with version {current}" if current else "comparing")
        changes, board_changes = _changes(library, job.case_id, case, current, signature)
        report(92, f"storing version {current + 1}")
        new = new_version(case, document, key=key, reason=job.reason, kb=signature,
                          files=listed, changes=changes, board_changes=board_changes)
        try:
            info = store.add_version(new, after=current, job_id=job.id, worker=worker)
        except VersionConflict:
            held = store.job(job.id)
            if held is None or held.state != "running" or held.worker != worker:
                raise LostJob() from None
            continue
        return "stored", info.number, ""
    return "failed", None, "the case kept changing while it was annotated; it is tried again"


def _name(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)


def _version_key(library: Library, case_id: str, number: int) -> str:
    info = library.store.version_infos([(case_id, number)]).get((case_id, number))
    return info.input_key if info is not None else ""


def _changes(library: Library, case_id: str, case: Case, current: int,
             signature: KbSignature) -> tuple[dict[str, Any], dict[str, Any]]:
    """(changes since the previous version, changes since the version the board saw)."""
    if not current:
        return {}, {}
    store = library.store
    previous = _read(library, case_id, current)
    changes: dict[str, Any] = {"against": current}
    if previous is not None:
        old_case, old_release = previous
        changes = compare(old_case, case, against=current, kb_before=old_release,
                          kb_after=signature.civic)
    marks = [m for m in store.board_marks(case_id) if m.version_number is not None]
    if not marks:
        return changes, {}
    seen = marks[-1].version_number
    assert seen is not None
    if seen == current:
        return changes, changes
    earlier = _read(library, case_id, seen)
    if earlier is None:
        return changes, {"against": seen}
    return changes, compare(earlier[0], case, against=seen, kb_before=earlier[1],
                            kb_after=signature.civic)


def _read(library: Library, case_id: str, number: int) -> tuple[Case, str] | None:
    try:
        version = library.store.version(case_id, number)
        if version is None:
            return None
        return case_document.loads(version.document), version.info.kb_release
    except DocumentError:
        return None  # a document this mtb cannot read: no comparison, the version is kept
