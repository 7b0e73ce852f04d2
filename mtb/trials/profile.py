"""A patient as a trial sees them: diagnosis, age, sex, ECOG, TMB, MSI and the findings that
count, in the few fields eligibility criteria ask about.

Why a profile and not the Case: matching runs over every patient of the site for every trial
(the recruitment query, the benchmark's 1,000 cases), so it must not need annotated Case objects
in memory; and once findings are stored (issue 13) the same profile is built from stored rows
(`profile_from_rows`) instead of from an opened case (`profile_of`). Matching never knows which.

Which findings count: calls that passed the caller's filters, with a gene, not benign (tier IV)
and not curated away (artefact, benign); of small variants, those that change the protein
(missense, truncating, in-frame, splice site, start/stop) or that the evidence placed in tier
I/II (a MET exon 14 splice-region variant). A tier III finding counts — trials enrol on
alterations no knowledge base has tiered yet — and its tier is shown with every match; an
intronic or synonymous call does not make a patient "MEK1-mutated".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from annotation.model import AnnotatedVariant, Diagnosis, Tier
from annotation.proteins import canonical_protein
from mtb.board import KEY_TIERS, Curation, dismissed, finding_key, reported_tier
from mtb.case import Case, latest_value
from mtb.timeline import PartialDate
from mtb.trials.model import CNV, MUTATION, SV
from mtb.trials.tumor_types import PatientDiagnosis
from mtb.variant import TMB_HIGH, Biomarker, SmallVariant

__all__ = ["PROTEIN_ALTERING", "TMB_HIGH", "PatientProfile", "ProfileFinding", "maf_class",
           "msi_status", "profile_from_variants", "profile_of"]


@dataclass(frozen=True)
class ProfileFinding:
    key: str  # mtb.board.finding_key: links, recommendations, curations
    gene: str
    label: str  # 'KRAS p.G12C', 'ERBB2 amplification', 'EML4::ALK'
    category: str  # MUTATION, CNV, SV (model's CTML categories)
    protein: str = ""  # canonical: G12C, V600E, E746_A750DEL
    classification: str = ""  # MAF Variant_Classification: Missense_Mutation, ...
    exon: int | None = None
    cnv_call: str = ""  # mtb's: amplification, gain, loss, deep_deletion
    partners: tuple[str, ...] = ()  # fusions: 5' and 3' partner genes ('' when intergenic)
    tier: str = ""  # reported tier: the curator's when there is one (IA ... III)

    @property
    def shown(self) -> str:
        return f"{self.label} (tier {self.tier})" if self.tier else self.label


@dataclass(frozen=True)
class PatientProfile:
    case_id: str
    title: str
    diagnosis: PatientDiagnosis
    age: float | None = None  # years, today
    sex: str = ""  # female, male, other, unknown, ''
    deceased: bool = False
    ecog: int | None = None  # the latest ECOG performance status recorded
    tmb: float | None = None  # mutations per megabase
    msi: str = ""  # 'high', 'stable', '' (not recorded)
    msi_estimate: bool = False  # MSI estimated from the calls, not measured by a validated test
    findings: tuple[ProfileFinding, ...] = ()
    synthetic: bool = False
    # ER, PR, HER2 status from the clinical record's markers: (marker, positive|negative, source)
    receptors: tuple[tuple[str, str, str], ...] = ()

    @cached_property
    def genes(self) -> frozenset[str]:
        """Every gene with a finding (fusion partners included)."""
        return frozenset(self._by_gene)

    def in_gene(self, gene: str) -> tuple[ProfileFinding, ...]:
        """The findings of a gene, a fusion partner included (looked up, not scanned: matching
        runs every trial against every patient, and an exome has thousands of findings)."""
        return self._by_gene.get(gene, ())

    @cached_property
    def _by_gene(self) -> dict[str, tuple[ProfileFinding, ...]]:
        index: dict[str, list[ProfileFinding]] = {}
        for finding in self.findings:
            index.setdefault(finding.gene, []).append(finding)
            for partner in finding.partners:
                if partner and partner != finding.gene:
                    index.setdefault(partner, []).append(finding)
        return {gene: tuple(found) for gene, found in index.items()}


def profile_of(
    case: Case, curations: Mapping[str, Curation] | None = None, today: date | None = None,
) -> PatientProfile:
    """The profile of an opened case (its annotated findings with the board's curations)."""
    today = today or date.today()
    patient = case.patient
    tmb = _biomarker_value(case.annotation.variants, "TMB")
    if tmb is None and case.annotation.tmb is not None:
        tmb = case.annotation.tmb.per_mb
    if tmb is None:
        tmb = _number(latest_value(case, "mutational burden"))
    return profile_from_variants(
        case.entry.id, case.annotation.diagnosis, case.annotation.variants, curations,
        title=case.entry.title,
        age=_age(patient.birth, today) if patient is not None and patient.birth else None,
        sex=patient.sex if patient is not None else "",
        deceased=bool(patient is not None and patient.deceased),
        ecog=_ecog(case), tmb=tmb, synthetic=bool(case.entry.synthetic),
        receptors=_receptors(case), **_msi(case),
    )


def profile_from_variants(
    case_id: str, diagnosis: Diagnosis, variants: Iterable[AnnotatedVariant],
    curations: Mapping[str, Curation] | None = None, **facts: Any,
) -> PatientProfile:
    """A profile from a mapped diagnosis and annotated variants (a case's, or alterations
    written as text: the tests' published cases, the benchmark); `facts` are the profile's
    other fields (age, sex, ecog, tmb, msi, ...)."""
    mapped = PatientDiagnosis(
        text=diagnosis.text, doid=diagnosis.doid, name=diagnosis.name,
        lineage=diagnosis.lineage, oncotree=diagnosis.oncotree, solid=diagnosis.solid,
        qualifiers=diagnosis.qualifiers,
    )
    variants = list(variants)
    findings = tuple(_findings(variants, curations or {}))
    if "msi" not in facts:
        facts |= _msi_finding(variants)
    if "tmb" not in facts:
        facts["tmb"] = _biomarker_value(variants, "TMB")
    return PatientProfile(case_id=case_id, diagnosis=mapped, findings=findings,
                          **{"title": case_id, **facts})


def _age(birth: PartialDate, today: date) -> float:
    born = birth.earliest
    return (today - born).days / 365.25


def _findings(variants: Iterable[AnnotatedVariant],
              curations: Mapping[str, Curation]) -> Iterable[ProfileFinding]:
    seen: set[tuple[str, str]] = set()
    for variant in variants:
        finding, alteration = variant.finding, variant.alteration
        if finding is not None and not finding.passed:
            continue
        if alteration.kind not in ("small", "cnv", "fusion") or not alteration.gene:
            continue
        key = finding_key(variant)
        curation = curations.get(key)
        tier = reported_tier(variant, curation)
        if tier == Tier.IV.value or dismissed(curation):
            continue
        if (key, alteration.gene) in seen:
            continue
        seen.add((key, alteration.gene))
        category = {"small": MUTATION, "cnv": CNV, "fusion": SV}[alteration.kind]
        classification = maf_class(alteration.consequences, finding) \
            if alteration.kind == "small" else ""
        if alteration.kind == "small" and classification not in PROTEIN_ALTERING and \
                tier not in KEY_TIERS:
            continue
        partners = tuple(p for p in (alteration.partner5, alteration.partner3) if p) \
            if alteration.kind == "fusion" else ()
        yield ProfileFinding(
            key=key, gene=alteration.gene, label=alteration.label, category=category,
            protein=alteration.protein or canonical_protein(alteration.hgvsp),
            classification=classification,
            exon=alteration.exon, cnv_call=alteration.cnv_call, partners=partners, tier=tier,
        )


# Sequence Ontology consequence -> MAF Variant_Classification, most severe first (the table of
# vcf2maf, MSKCC, Apache-2.0: GetVariantClassification; frameshifts split by the alleles).
_MAF = (
    ("transcript_ablation", "Splice_Site"), ("splice_acceptor_variant", "Splice_Site"),
    ("splice_donor_variant", "Splice_Site"), ("stop_gained", "Nonsense_Mutation"),
    ("frameshift_variant", "Frame_Shift"), ("stop_lost", "Nonstop_Mutation"),
    ("start_lost", "Translation_Start_Site"), ("initiator_codon_variant",
                                               "Translation_Start_Site"),
    ("inframe_insertion", "In_Frame_Ins"), ("disruptive_inframe_insertion", "In_Frame_Ins"),
    ("inframe_deletion", "In_Frame_Del"), ("disruptive_inframe_deletion", "In_Frame_Del"),
    ("missense_variant", "Missense_Mutation"), ("coding_sequence_variant", "Missense_Mutation"),
    ("conservative_missense_variant", "Missense_Mutation"),
    ("rare_amino_acid_variant", "Missense_Mutation"),
    ("protein_altering_variant", "Missense_Mutation"),
    ("splice_region_variant", "Splice_Region"), ("incomplete_terminal_codon_variant", "Silent"),
    ("stop_retained_variant", "Silent"), ("synonymous_variant", "Silent"),
    ("5_prime_UTR_variant", "5'UTR"), ("3_prime_UTR_variant", "3'UTR"),
    ("intron_variant", "Intron"), ("upstream_gene_variant", "5'Flank"),
    ("downstream_gene_variant", "3'Flank"), ("intergenic_variant", "IGR"),
)


PROTEIN_ALTERING = frozenset({
    "Missense_Mutation", "Nonsense_Mutation", "Nonstop_Mutation", "Frame_Shift_Del",
    "Frame_Shift_Ins", "In_Frame_Del", "In_Frame_Ins", "Splice_Site", "Translation_Start_Site",
})


def maf_class(consequences: Iterable[str], finding: object = None) -> str:
    """The MAF class of the most severe consequence ('' when none is known)."""
    found = set(consequences)
    for term, name in _MAF:
        if term in found:
            if name == "Frame_Shift":
                longer = isinstance(finding, SmallVariant) and len(finding.alt) > len(finding.ref)
                return "Frame_Shift_Ins" if longer else "Frame_Shift_Del"
            return name
    return ""


def _number(event: object) -> float | None:
    value = getattr(event, "value", None)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).split()[0].replace(",", ".")) if value is not None else None
    except (ValueError, IndexError):
        return None


def _ecog(case: Case) -> int | None:
    value = _number(latest_value(case, "ECOG"))
    return int(value) if value is not None and 0 <= value <= 5 else None


_RECEPTORS = (("ER", re.compile(r"estrogen receptor|oestrogen|östrogen|\bER\b", re.I)),
              ("PR", re.compile(r"progesterone receptor|progesteron|\bPR\b|\bPGR\b", re.I)),
              ("HER2", re.compile(r"\bHER-?2\b|\bERBB2\b", re.I)))


def _receptors(case: Case) -> tuple[tuple[str, str, str], ...]:
    """The latest ER, PR and HER2 result of the clinical record (tumor markers): 'Positive',
    'Negative', 'pos', '3+' (positive), '0' and '1+' (negative); '2+' alone is equivocal."""
    found: dict[str, tuple[str, str]] = {}
    for event in case.events:
        if event.kind.value != "marker" or event.value is None:
            continue
        value = str(event.value).strip().lower()
        status = ("positive" if re.match(r"pos|3\+", value) else
                  "negative" if re.match(r"neg|0\b|1\+", value) else "")
        if not status:
            continue
        for marker, pattern in _RECEPTORS:
            if pattern.search(event.label):
                found[marker] = (status, f"{event.label} = {event.value} ({event.start})")
    return tuple((m, status, source) for m, (status, source) in found.items())


def _msi(case: Case) -> dict[str, Any]:
    """MSI from the case's MSI finding (given, measured or estimated from the calls: mtb.case
    chooses), else from the clinical record's latest microsatellite result."""
    found = _msi_finding(case.annotation.variants)
    if found["msi"]:
        return found
    event = latest_value(case, "microsatellite")
    return {"msi": msi_status(str(getattr(event, "value", "") or "")), "msi_estimate": False}


def _msi_finding(variants: Iterable[AnnotatedVariant]) -> dict[str, Any]:
    for variant in variants:
        alteration = variant.alteration
        if alteration.kind == "biomarker" and alteration.gene == "MSI":
            call = alteration.biomarker if alteration.biomarker in ("high", "stable") else ""
            return {"msi": call, "msi_estimate": bool(call and alteration.estimate)}
    return {"msi": "", "msi_estimate": False}


def _biomarker_value(variants: Iterable[AnnotatedVariant], name: str) -> float | None:
    """The value of the case's TMB (or other) biomarker finding, where it has one."""
    for variant in variants:
        finding = variant.finding
        if isinstance(finding, Biomarker) and finding.name == name and finding.value is not None:
            return float(finding.value)
    return None


def msi_status(text: str) -> str:
    """'MSI-H', 'MSI-high', 'dMMR', 'instabil' -> 'high'; 'MSS', 'MSI-L', 'stable', 'pMMR' ->
    'stable'; anything else ''."""
    lower = text.lower()
    if re.search(r"\bmss\b|stable|msi[- ]?l(?:ow)?\b|\bpmmr\b|proficien|\blow\b", lower):
        return "stable"
    if re.search(r"msi[- ]?h(?:igh)?\b|\bhigh\b|instabil|\bdmmr\b|deficien", lower):
        return "high"
    return ""
