"""A case -> a Case: the patient header, annotated findings, the clinical timeline, TMB.

This is where the molecular and the clinical record meet, so it is where they are checked
against each other: files on different genome builds, several patients in one folder, a
specimen date after the sequencing date. What cannot be joined is a warning on the case, shown
to the board, never a silent choice.

    Case = ingest (VCF, tables, FHIR, histories, DICOM) -> annotation -> timeline

A case is a folder with a case.toml (mtb.catalog), or files named on the command line (`mtb
annotate`): both take the same road, `read_case_files` then `assemble`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from annotation import CaseAnnotation, annotate
from annotation.kb import KnowledgeBase
from annotation.model import AnnotatedVariant
from mtb.board import call_quality, finding_key, key_findings
from mtb.catalog import CaseEntry, CaseFile, read_case, reference_path
from mtb.config import Settings
from mtb.errors import InputError
from mtb.ingest import FileFindings, read_findings
from mtb.ingest.biomarkers import choose, from_events
from mtb.ingest.clinical import read_clinical_file
from mtb.ingest.sniff import MOLECULAR_KINDS
from mtb.options import Course, course_of
from mtb.regions import Regions
from mtb.timeline import (
    EventKind,
    PartialDate,
    Patient,
    TherapyLine,
    Timeline,
    TimelineEvent,
    merge_courses,
    therapy_lines,
)
from mtb.variant import Biomarker, CopyNumber, Finding, GenomeBuild


@dataclass(frozen=True)
class FileSummary:
    """What one input file gave: shown in the case's 'sources' panel and by `mtb case show`."""

    path: Path
    kind: str
    summary: str  # "1470 findings, GRCh38, tumor TUMOR" / "16 events from 20 resources"


@dataclass
class Case:
    entry: CaseEntry
    patient: Patient | None
    annotation: CaseAnnotation
    events: list[TimelineEvent]  # in order; therapy cycles merged into courses
    lines: list[TherapyLine]
    build: GenomeBuild
    files: list[FileSummary]
    warnings: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # clinical resources not shown
    # call quality of the findings whose reads fall short (finding key -> 'low support: 2/9
    # reads'), by the settings' thresholds (mtb.board.call_quality)
    quality: dict[str, str] = field(default_factory=dict)
    course: Course = field(default_factory=Course)  # what the timeline says of each drug

    @property
    def diagnosis(self) -> str:
        mapped = self.annotation.diagnosis
        return mapped.name if mapped.known else mapped.text

    @property
    def actionable(self) -> list[AnnotatedVariant]:
        """Tier I and II findings by the knowledge-base rules (no curation), strongest first:
        what the board discusses (mtb.board.key_findings)."""
        return [v for _, v in key_findings(self.annotation.variants)]

    def age(self, on: date | None = None) -> int | None:
        """The patient's age on a day (default: the sequencing date, else today)."""
        if self.patient is None:
            return None
        when = on or (self.entry.sequencing_date.earliest if self.entry.sequencing_date
                      else date.today())
        return self.patient.age_at(when)


def open_case(folder: Path, kb: KnowledgeBase, settings: Settings) -> Case:
    """Read, annotate and join everything a case folder holds."""
    return load_case(read_case(Path(folder)), kb, settings)


def load_case(entry: CaseEntry, kb: KnowledgeBase, settings: Settings) -> Case:
    """The road every case takes (the app, `mtb case show`, `mtb report`, `mtb annotate`):
    its files read and checked, then annotated and joined."""
    return assemble(read_case_files(entry, settings), kb, settings,
                    reference=reference_path(entry, settings))


@dataclass
class CaseFiles:
    """What a case's files gave, read and checked against each other, before annotation (so
    that a bad file is reported before the knowledge base is opened)."""

    entry: CaseEntry
    molecular: list[FileFindings]  # in the order the entry names them
    build: GenomeBuild
    timeline: Timeline
    summaries: list[FileSummary]


def read_case_files(
    entry: CaseEntry, settings: Settings, *, pass_only: bool = False
) -> CaseFiles:
    """Every file of a case: molecular files (their genome builds must agree) and the clinical
    record. `pass_only`: only records that passed the caller's filters."""
    molecular = [f for f in entry.files if f.kind in MOLECULAR_KINDS]
    read, build = _read_molecular(entry, molecular, pass_only, settings.keep_filtered_mb)
    timeline = Timeline()
    summaries = [_molecular_summary(f) for f in read]
    for case_file in entry.files:
        if case_file.kind in MOLECULAR_KINDS:
            continue
        part = _read_clinical(entry, case_file, settings)
        timeline.extend(part)
        summaries.append(FileSummary(case_file.path, case_file.kind, part.summary()))
    return CaseFiles(entry, read, build, timeline, summaries)


def assemble(
    files: CaseFiles, kb: KnowledgeBase, settings: Settings, *, reference: Path | None = None,
    panel: Regions | None = None, tumor_type: tuple[str, str] | None = None,
) -> Case:
    """Annotate the case's findings for its diagnosis and join them with its timeline.
    `reference`: a FASTA for protein changes of unannotated variants; `panel`: TMB regions;
    `tumor_type`: (DOID, who chose it) when a curator chose the case's tumor type."""
    entry, read, build, timeline = files.entry, files.molecular, files.build, files.timeline
    warnings = [f"{Path(f.path).name}: {w}" for f in read if f.info for w in f.info.warnings]
    warnings += [f"{Path(f.path).name}: {f.filtered_out:,} filtered records not kept in the case "
                 "(only PASS records are; `mtb ingest` lists them all)"
                 for f in read if f.filtered_out]
    warnings += timeline.warnings
    diagnosis = entry.diagnosis or _diagnosis_from(timeline)
    if not diagnosis and not tumor_type:
        warnings.append("no diagnosis in case.toml or the clinical files: tiers have no "
                        "tumor-type context")
    findings: list[Finding] = [f for found in read for f in found.findings
                               if not isinstance(f, Biomarker)]
    if entry.ploidy is not None or entry.purity is not None:
        findings = [_for_sample(f, entry) if isinstance(f, CopyNumber) else f for f in findings]
    measured, unread = from_events(timeline.events)
    biomarkers, disagree = choose(entry.biomarkers, measured, [
        f for found in read for f in found.findings if isinstance(f, Biomarker)])
    warnings += unread + disagree
    findings += biomarkers
    annotation = annotate(findings, diagnosis, kb, build=build, reference=reference,
                          tmb_megabases=settings.tmb_megabases, panel=panel,
                          tumor_type=tumor_type)
    warnings += annotation.notes
    events = sorted(merge_courses([*timeline.events, *_case_dates(entry, read, warnings)]),
                    key=lambda e: e.sort_key)
    patient = _patient(timeline, warnings)
    lines = therapy_lines(events)
    thresholds, purity = settings.support, _purity(entry, findings)
    quality = {finding_key(v): flag for v in annotation.variants
               if (flag := call_quality(v, thresholds, purity))}
    return Case(
        entry=entry,
        patient=patient,
        annotation=annotation,
        events=events,
        lines=lines,
        build=build,
        files=files.summaries,
        warnings=list(dict.fromkeys(warnings)),
        skipped=timeline.skipped,
        quality=quality,
        course=course_of(lines, events, kb.drugs),
    )


def _purity(entry: CaseEntry, findings: list[Finding]) -> float | None:
    """The tumor purity: case.toml's, else a segment file's header's."""
    if entry.purity is not None:
        return entry.purity
    return next((f.purity for f in findings if isinstance(f, CopyNumber) and f.purity), None)


def _for_sample(segment: CopyNumber, entry: CaseEntry) -> CopyNumber:
    """A segment judged against the ploidy and purity case.toml or the command line gives
    (over its file's header's)."""
    ploidy = entry.ploidy if entry.ploidy is not None else segment.ploidy
    purity = entry.purity if entry.purity is not None else segment.purity
    given = "case.toml" if entry.origin is None else "the command line"
    source = given if entry.ploidy is not None else segment.sample_source or given
    return segment.for_sample(ploidy, purity, source)


def _read_molecular(
    entry: CaseEntry, files: list[CaseFile], pass_only: bool, keep_filtered_mb: float = 50.0
) -> tuple[list[FileFindings], GenomeBuild]:
    """The molecular files in the entry's order; the VCFs first read decide the genome build
    of the tables (which do not say theirs). A VCF larger than `keep_filtered_mb` (a whole
    genome's unfiltered calls: millions of records, a few percent PASS) keeps only its PASS
    records, so that a case holds what a board can look at."""
    given = GenomeBuild.parse(entry.build) if entry.build else None
    vcfs = {  # the files that tell their own build: VCF/BCF headers, MAF's NCBI_Build
        index: read_findings(f.path, tumor=entry.tumor or None, normal=entry.normal or None,
                             build=given, pass_only=pass_only or _large(f.path, keep_filtered_mb))
        for index, f in enumerate(files) if f.kind in ("vcf", "maf")
    }
    builds = {f.build for f in vcfs.values() if f.build is not GenomeBuild.UNKNOWN}
    if len(builds) > 1:
        raise InputError(entry.described_in, "the case's VCFs are on different genome builds: "
                         + ", ".join(sorted(b.value for b in builds)))
    build = given or (builds.pop() if builds else GenomeBuild.UNKNOWN)
    read = [vcfs[index] if index in vcfs else read_findings(f.path, build=build,
                                                            pass_only=pass_only)
            for index, f in enumerate(files)]
    return read, build


def _large(path: Path, megabytes: float) -> bool:
    try:
        return path.stat().st_size > megabytes * 1e6
    except OSError:
        return False  # the reader says what is wrong with it


def _molecular_summary(found: FileFindings) -> FileSummary:
    counts = Counter(type(f).__name__ for f in found.findings)
    what = ", ".join(f"{n} {_NAMES.get(k, k)}" for k, n in sorted(counts.items())) or "no findings"
    info = found.info
    sample = f", tumor sample {info.tumor_sample}" if info and info.tumor_sample else ""
    caller = f", {info.caller}" if info and info.caller not in ("", "unknown") else ""
    return FileSummary(Path(found.path), found.kind, f"{what}; {found.build}{caller}{sample}")


_NAMES = {"SmallVariant": "small variants", "CopyNumber": "copy-number segments",
          "StructuralVariant": "structural variants", "Fusion": "fusions"}


def _read_clinical(entry: CaseEntry, case_file: CaseFile, settings: Settings) -> Timeline:
    index = _index(entry) if case_file.kind == "timeline" else None
    return read_clinical_file(case_file.path, case_file.kind, index_date=index,
                              patient=case_file.patient or None,
                              show_names=settings.show_names)


def _index(entry: CaseEntry) -> date | None:
    if entry.index_date is None:
        return None
    if entry.index_date.precision != "day":
        raise InputError(entry.described_in,
                         f"'index_date' {entry.index_date} must be a full date (YYYY-MM-DD): "
                         "day-counted histories need day 0")
    return entry.index_date.earliest


def _case_dates(
    entry: CaseEntry, read: list[FileFindings], warnings: list[str]
) -> list[TimelineEvent]:
    """The specimen and sequencing dates case.toml gives, as events (the molecular findings'
    place on the timeline)."""
    events = []
    source = f"{entry.folder.name}/case.toml"
    if entry.specimen_date is not None:
        events.append(TimelineEvent(EventKind.SPECIMEN, entry.specimen_date,
                                    "Specimen sequenced", source=source))
    if entry.sequencing_date is not None:
        names = ", ".join(Path(f.path).name for f in read) or "no molecular files"
        events.append(TimelineEvent(EventKind.SEQUENCING, entry.sequencing_date,
                                    "Tumor sequencing (this case's findings)", source=source,
                                    detail=names))
    if (entry.specimen_date and entry.sequencing_date
            and entry.sequencing_date.key < entry.specimen_date.key):
        warnings.append(f"case.toml: sequencing_date {entry.sequencing_date} is before "
                        f"specimen_date {entry.specimen_date}")
    return events


def _diagnosis_from(timeline: Timeline) -> str:
    """The first tumor diagnosis of the clinical record: its ICD-10 code, else its label."""
    for event in sorted(timeline.events, key=lambda e: e.sort_key):
        if event.kind == EventKind.DIAGNOSIS:
            icd = next((c.code for c in event.codes if c.system_name.startswith("ICD-10")), "")
            return icd or event.label
    return ""


def _patient(timeline: Timeline, warnings: list[str]) -> Patient | None:
    distinct = {p.id: p for p in timeline.patients}
    if len(distinct) > 1:
        warnings.append(f"the clinical files describe {len(distinct)} patients "
                        f"({', '.join(sorted(distinct))}): check that they belong to this case")
    return next(iter(distinct.values()), None)


STAGE_WORDS = ("stage", "stadium", "tnm", "figo", "uicc")


def latest_stage(case: Case) -> TimelineEvent | None:
    """The newest staging event with a value (UICC/TNM, FIGO, AJCC stage group)."""
    found = [e for e in case.events if any(w in e.label.lower() for w in STAGE_WORDS)
             and e.value is not None]
    return found[-1] if found else None


def event_text(event: TimelineEvent | None) -> str:
    """'IVA (2023-01-16)': an event's value with its date, as headers and reports show it."""
    if event is None:
        return ""
    value = event.value
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text} ({event.start})" if event.start else text


def latest_value(case: Case, label_word: str) -> TimelineEvent | None:
    """The newest event whose label contains a word (ECOG, stage): the header's latest state."""
    found = [e for e in case.events
             if label_word.lower() in e.label.lower() and isinstance(e.start, PartialDate)]
    return found[-1] if found else None
