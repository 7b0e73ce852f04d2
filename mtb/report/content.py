"""What a case report says, as plain data: built once from the Case and the store's records, read
by every renderer (HTML, PDF through the HTML, FHIR), so the three can never disagree about
which findings, tiers or recommendations the hospital was sent.

    Case (annotation, timeline) + the board's records (mtb.board) -> ReportContent

Which findings: every key finding (mtb.board.is_key_finding: tier I/II by the knowledge-base
rules or by a curator's override), every finding a curator marked "in report", and every
finding a recommendation rests on — a recommendation must never point at a finding the report
does not show. A curator's tier override never hides the computed tier: both are shown, with
the reason.

Strings here are raw (a VCF's gene name, a curator's comment): escaping is the renderers' job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from annotation import snapshots
from annotation.model import TIER_RANK, AnnotatedVariant, TherapyCall
from annotation.therapies import card_lines, more_text
from mtb import __version__
from mtb.board import (
    AuditEntry,
    CaseRecord,
    Curation,
    Recommendation,
    biomarker,
    finding_key,
    is_key_finding,
    kind_name,
    reported_tier,
)
from mtb.case import Case, latest_stage, latest_value
from mtb.case import event_text as raw_event_text
from mtb.errors import MtbError
from mtb.i18n import _, ngettext
from mtb.i18n.formats import date_text, datetime_text, event_text, percent, period_text
from mtb.i18n.terms import line_name, term
from mtb.options import Option, board_options, card_order, line_cautions
from mtb.store import Store
from mtb.timeline import best_responses
from mtb.variant import NO_SUPPORT, Biomarker, SmallVariant


@dataclass(frozen=True)
class ReportFinding:
    key: str
    kind: str  # small, cnv, fusion, sv
    gene: str
    label: str  # "EGFR p.T790M"
    change: str  # "p.T790M", "amplification", "EML4::ALK"
    hgvsp: str
    hgvsc: str
    transcript: str
    genomic: tuple[str, str, int, str, str] | None  # (build, chrom, pos, ref, alt)
    vaf: float | None
    alt_reads: int | None
    depth: int | None
    tier: str  # by the knowledge-base rules
    level: str  # evidence level (A-E) of the deciding evidence
    reported_tier: str  # the tier the board reports (mtb.board.reported_tier)
    curated_tier: str = ""  # the curator's override, '' when none
    override_reason: str = ""
    oncogenicity: str = ""
    comment: str = ""
    in_report: bool = False
    curated_by: str = ""
    therapies: tuple[TherapyCall, ...] = ()  # every line, ranked (annotation.therapies)
    why: str = ""  # the reason that decided the tier
    somatic: bool = False  # the matched normal was covered and showed no alt reads
    genes: tuple[str, ...] = ()  # every gene the finding names (both partners of a fusion)
    flags: tuple[str, ...] = ()  # call quality, germline testing: what a reader must not miss
    cautions: tuple[tuple[tuple[str, ...], str], ...] = ()  # (regimen's drugs, what the
    # course says against it: mtb.options.line_cautions)

    @property
    def card(self) -> tuple[list[TherapyCall], str]:
        """The lines a card shows and what it says of the others (as on the page)."""
        cautions = {frozenset(drugs): text for drugs, text in self.cautions}
        ordered = card_order(self.therapies, cautions)
        lines, more = card_lines(ordered)
        return lines, more_text(ordered, len(lines)) if more else ""

    def caution(self, therapy: TherapyCall) -> str:
        return dict(self.cautions).get(tuple(sorted(therapy.drugs)), "")

    @property
    def tier_text(self) -> str:
        """'IA', or 'IA (curated: IIC — reason)': the override never hides the computed tier."""
        if not self.curated_tier:
            return self.tier
        reason = f" — {self.override_reason}" if self.override_reason else ""
        return _("{tier} (curated: {curated}{reason})", tier=self.tier,
                 curated=self.curated_tier, reason=reason)

    @property
    def read_support(self) -> str:
        if self.vaf is None:
            return ""
        reads = ", " + _("{alt}/{depth} reads", alt=self.alt_reads, depth=self.depth) \
            if self.depth is not None else ""
        return f"VAF {percent(self.vaf)}{reads}"


@dataclass(frozen=True)
class ReportRecommendation:
    id: int
    kind: str  # therapy, trial, diagnostics, genetic_counselling
    text: str
    evidence_grade: str  # m1A ... m4, '' when not given
    amp_tier: str
    rationale: str
    finding_keys: tuple[str, ...]
    findings: tuple[str, ...]  # the labels of those findings ("EGFR p.T790M")
    created_by: str
    created_at: datetime | None
    nct_id: str = ""  # a clinical trial's ClinicalTrials.gov id

    @property
    def kind_label(self) -> str:
        return kind_name(self.kind)


@dataclass(frozen=True)
class ReportSource:
    name: str
    version: str
    date: str
    mode: str  # offline, live, ...
    licence: str = ""


@dataclass(frozen=True)
class ReportContent:
    case_id: str
    title: str
    generated_at: datetime
    mtb_version: str
    synthetic: bool
    synthetic_note: str  # which parts are synthetic or joined for the demonstration
    patient: tuple[tuple[str, str], ...]  # (label, value) header facts, in reading order
    patient_id: str
    patient_name: str  # only when the site configured names (MTB_SHOW_NAMES)
    sex: str
    birth: str  # as precise as the source ("1961-05")
    age: int | None
    diagnosis_text: str  # as given
    diagnosis_name: str  # the Disease Ontology name, '' when not mapped
    doid: str
    stage: str
    ecog: str
    status: str  # prepared, presented, decided, final
    status_by: str
    status_at: datetime | None
    sequencing_date: str
    specimen_date: str
    build: str
    findings: tuple[ReportFinding, ...]
    tmb_computed: bool  # False when the case has no small variants to count
    tmb_per_mb: float | None  # None: not computable (too many variants of unknown effect)
    tmb_text: str
    summary: str
    recommendations: tuple[ReportRecommendation, ...]
    sources: tuple[ReportSource, ...]
    warnings: tuple[str, ...]
    options: tuple[Option, ...] = ()  # ranked, checked against the course (mtb.options)
    # the case's TMB, MSI and HRD findings (given or computed), whatever their tier: the
    # report's biomarker rows and the bundle's molecular-biomarker Observations
    biomarkers: tuple[Biomarker, ...] = ()
    # (line, regimen, period, best response): the patient's systemic therapy before the board
    prior_lines: tuple[tuple[str, str, str, str], ...] = ()
    # (what, who and when): decided by, finalized by, the case version the report shows
    sign_off: tuple[tuple[str, str], ...] = ()

    @property
    def final(self) -> bool:
        return self.status == "final"

    @property
    def banner(self) -> str:
        """The warning a reader must not miss: synthetic data or a demonstration join."""
        note = f": {self.synthetic_note}" if self.synthetic_note else ""
        if self.synthetic:
            return _("SYNTHETIC / demonstration case — not a patient's record") + note
        if self.synthetic_note:
            return _("Demonstration join — parts are synthetic or joined from different "
                     "sources") + note
        return ""


def report_content(
    case: Case, store: Store | None = None, *, now: datetime | None = None
) -> ReportContent:
    """The report of a case with the store's curations and decisions (none without a store)."""
    case_id = case.entry.id
    if store is None:
        return build_content(case, None, {}, [], now=now)
    return build_content(case, store.case_record(case_id), store.curations(case_id),
                         store.recommendations(case_id), now=now,
                         audit=store.audit(case_id))


def build_content(
    case: Case,
    record: CaseRecord | None,
    curations: Mapping[str, Curation],
    recommendations: Sequence[Recommendation],
    *,
    now: datetime | None = None,
    audit: Sequence[AuditEntry] = (),
) -> ReportContent:
    """The report from records already read (the app has them loaded); `audit`, the case's
    audit log, names who decided and who finalized it."""
    entry = case.entry
    active = [r for r in recommendations if not r.withdrawn]
    wanted = {key for r in active for key in r.keys}
    cautions = line_cautions(case.annotation.variants, case.course)
    findings = _findings(case, curations, wanted, cautions)
    labels = {f.key: f.label for f in findings}
    patient = case.patient
    diagnosis = case.annotation.diagnosis
    tmb = case.annotation.tmb
    biomarkers = tuple(v.finding for v in case.annotation.variants
                       if isinstance(v.finding, Biomarker))
    measured = next((b for b in biomarkers if b.name == "TMB"), None)
    return ReportContent(
        case_id=entry.id,
        title=entry.title,
        generated_at=(now or datetime.now(UTC)).astimezone(UTC),
        mtb_version=__version__,
        synthetic=entry.synthetic,
        synthetic_note=entry.synthetic_parts,
        patient=tuple(_header(case)),
        patient_id=patient.id if patient else "",
        patient_name=patient.name if patient else "",
        sex=patient.sex if patient else "",
        birth=str(patient.birth) if patient and patient.birth else "",
        age=case.age(),
        diagnosis_text=diagnosis.text,
        diagnosis_name=diagnosis.name if diagnosis.known else "",
        doid=diagnosis.doid or "",
        stage=raw_event_text(latest_stage(case)),  # data fields (FHIR): as the files say
        ecog=raw_event_text(latest_value(case, "ECOG")),
        status=record.status if record else "prepared",
        status_by=record.updated_by if record else "",
        status_at=record.updated_at if record and record.version else None,
        sequencing_date=str(entry.sequencing_date or ""),
        specimen_date=str(entry.specimen_date or ""),
        build=case.build.value,
        findings=tuple(findings),
        tmb_computed=tmb is not None or measured is not None,
        tmb_per_mb=measured.value if measured is not None else tmb.per_mb if tmb else None,
        tmb_text=(f"{measured.label}: {measured.source}" if measured is not None else
                  tmb.summary if tmb else _("TMB not computed (no small variants)")),
        summary=record.summary if record else "",
        recommendations=tuple(_recommendation(r, labels) for r in active),
        sources=tuple(_sources(case)),
        warnings=tuple(case.warnings),
        options=tuple(board_options(case.annotation.variants, case.course, curations)),
        biomarkers=biomarkers,
        prior_lines=tuple(_prior_lines(case)),
        sign_off=tuple(_sign_off(record, audit)),
    )


def _prior_lines(case: Case) -> list[tuple[str, str, str, str]]:
    rows = []
    for line, best in zip(case.lines, best_responses(case.lines, case.events), strict=True):
        name = line_name(line)
        period = period_text(line.start, line.end)
        response = (f"{best.value or best.label} ({date_text(best.start)})" if best is not None
                    else _("not recorded"))
        rows.append((name, " + ".join(line.drugs), period, response))
    return rows


def _sign_off(record: CaseRecord | None, audit: Sequence[AuditEntry]
              ) -> list[tuple[str, str]]:
    """Who moved the case to 'decided' and to 'final', and when (the newest such change, from
    the audit log); the case version the report shows."""
    rows = []
    for status, what in (("decided", _("Decided by")), ("final", _("Finalized by"))):
        changes = [e for e in audit if e.action == "set_status"
                   and json.loads(e.after or "{}").get("status") == status]
        if changes:
            last = changes[-1]
            rows.append((what, f"{last.user_name}, "
                               f"{datetime_text(last.at.astimezone(UTC))} UTC"))
        else:
            rows.append((what, _("not yet")))
    if record is not None and record.version:
        rows.append((_("Case record version"), str(record.version)))
    return rows


def _sources(case: Case) -> list[ReportSource]:
    """The knowledge sources that answered (with the release the index was built from), then
    the bundled snapshots that shaped the annotation without being asked per variant (gene
    model, ontology, hotspots, liftover chains)."""
    answered = [ReportSource(s.name, s.version, s.date, str(s.mode), s.licence)
                for s in case.annotation.sources]
    names = {s.name for s in answered}
    try:
        bundled = snapshots.manifest()
    except MtbError:  # a damaged installation: the answered sources are still reported
        bundled = ()
    return answered + [ReportSource(s.name, s.version, s.date, "bundled snapshot", s.licence)
                       for s in bundled if s.name not in names]


def _findings(
    case: Case, curations: Mapping[str, Curation], wanted: set[str],
    cautions: Mapping[frozenset[str], str],
) -> list[ReportFinding]:
    chosen = []
    for variant in case.annotation.variants:
        key = finding_key(variant)
        curation = curations.get(key)
        if (is_key_finding(variant, curation) or (curation is not None and curation.in_report)
                or key in wanted):
            quality = case.quality.get(key, "")
            said = tuple((tuple(sorted(t.drugs)), cautions[frozenset(t.drugs)])
                         for t in variant.therapies
                         if frozenset(t.drugs) in cautions and not t.resistance)
            chosen.append(_finding(variant, key, curation,
                                   (quality,) if quality else (), said))
    return sorted(chosen, key=lambda f: (TIER_RANK.get(f.reported_tier, 9), f.gene, f.label))


def _finding(variant: AnnotatedVariant, key: str, curation: Curation | None,
             quality: tuple[str, ...] = (),
             cautions: tuple[tuple[tuple[str, ...], str], ...] = ()
             ) -> ReportFinding:
    alteration, finding = variant.alteration, variant.finding
    support = finding.support if finding is not None else NO_SUPPORT
    reads = support if support.allelic else NO_SUPPORT  # a report's reads are allele reads
    gene, _sep, change = alteration.label.partition(" ")
    deciding = next((r.text for r in variant.reasons), "")
    return ReportFinding(
        key=key,
        kind=alteration.kind,
        gene=alteration.gene or gene,
        label=alteration.label,
        change=alteration.hgvsp or change or alteration.label,
        hgvsp=alteration.hgvsp,
        hgvsc=alteration.hgvsc,
        transcript=alteration.transcript,
        genomic=((alteration.genomic[0], finding.norm_chrom, finding.pos, finding.ref,
                  finding.alt)  # as the VCF writes it
                 if isinstance(finding, SmallVariant) and alteration.genomic else None),
        vaf=reads.vaf,
        alt_reads=reads.alt,
        depth=reads.depth,
        tier=variant.tier.value,
        level=variant.level,
        reported_tier=reported_tier(variant, curation),
        curated_tier=curation.tier_override if curation else "",
        override_reason=curation.override_reason if curation else "",
        oncogenicity=curation.oncogenicity if curation else "",
        comment=curation.comment if curation else "",
        in_report=bool(curation.in_report) if curation else False,
        curated_by=curation.updated_by if curation else "",
        therapies=variant.therapies,
        why=deciding,
        somatic=alteration.somatic,
        genes=tuple(g for g in dict.fromkeys(
            (alteration.partner5, alteration.partner3, alteration.gene)) if g),
        flags=(*quality, *variant.flags),
        cautions=cautions,
    )


def _recommendation(row: Recommendation, labels: Mapping[str, str]) -> ReportRecommendation:
    keys = row.keys
    return ReportRecommendation(
        id=row.id,
        kind=row.kind,
        text=row.text,
        evidence_grade=row.evidence_grade,
        amp_tier=row.amp_tier,
        rationale=row.rationale,
        finding_keys=keys,
        findings=tuple(labels.get(k, k) for k in keys),
        nct_id=row.nct_id,
        created_by=row.created_by,
        created_at=row.created_at,
    )


# -- the patient header (as layouts/case_header.py, with dates of specimen and sequencing) -----


def _msi(case: Case) -> str:
    """The MSI finding (measured or estimated) with where it came from, else the clinical
    record's value."""
    marker = biomarker(case.annotation.variants, "MSI")
    if marker is not None:
        return f"{marker.label}: {marker.source}" if marker.source else marker.label
    return event_text(latest_value(case, "microsatellite")) or _("not recorded")


def _header(case: Case) -> list[tuple[str, str]]:
    patient = case.patient
    age = case.age()
    who = _("not in the clinical files")
    if patient is not None:
        parts = [patient.name, _("pseudonym {id}", id=patient.id),
                 term(patient.sex) or _("sex not recorded"),
                 ngettext("{n} year", "{n} years", age) if age is not None
                 else _("age not recorded")]
        if patient.birth is not None:
            parts.append(_("born {day}", day=date_text(patient.birth)))
        if patient.deceased not in (None, False):
            parts.append(_("died {day}", day=date_text(patient.deceased))
                         if patient.deceased is not True else _("died"))
        who = ", ".join(p for p in parts if p)
    diagnosis = case.annotation.diagnosis
    if diagnosis.known:
        mapped = _("{name} ({doid}; given as '{text}')", name=diagnosis.name,
                   doid=diagnosis.doid, text=diagnosis.text)
    else:
        mapped = _("{text} (not mapped to the Disease Ontology)",
                   text=diagnosis.text or _("none given"))
    if diagnosis.chosen_by:  # a curator chose the tumor type (mtb.library)
        mapped += "; " + _("chosen by {who}", who=diagnosis.chosen_by)
    entry = case.entry
    return [
        (_("Patient"), who),
        (_("Diagnosis"), mapped),
        (_("Stage"), event_text(latest_stage(case)) or _("not recorded")),
        ("ECOG", event_text(latest_value(case, "ECOG")) or _("not recorded")),
        ("MSI", _msi(case)),
        (_("Specimen"), date_text(entry.specimen_date) if entry.specimen_date
         else _("date not recorded")),
        (_("Sequencing"), date_text(entry.sequencing_date) if entry.sequencing_date
         else _("date not recorded")),
        (_("Genome build"), case.build.value),
    ]


def day(value: datetime | date | None) -> str:
    """A date as the report prints it in its language (no time; mtb.i18n.formats)."""
    if value is None:
        return ""
    return date_text(value)
