"""Knowledge bases, matching and AMP/ASCO/CAP tiers. The door is `annotate`.

findings (mtb.ingest) -> Alterations (annotation.alterations) -> Matches from every knowledge
source (annotation.sources) -> tier and reasons (annotation.tiering). Imports only mtb.variant,
mtb.ingest and mtb.errors from the stages to its left; never dash.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path

from annotation.alterations import alterations_of
from annotation.kb import KnowledgeBase
from annotation.levels import PAN_CANCER, SUBTYPE, has_tumor_type, relation
from annotation.matching import with_kb_protein
from annotation.model import Alteration, AnnotatedVariant, Diagnosis, Tier
from annotation.populations import SUBTYPE_MARKERS, case_markers, tokens_in
from annotation.signatures import msi_estimate, tmb_finding
from annotation.sources.base import SourceAnswer, SourceStatus
from annotation.tiering import TierContext, tier_variant
from annotation.tmb import Tmb, compute_tmb
from mtb.errors import SourceError
from mtb.regions import Regions
from mtb.variant import (
    Biomarker,
    CopyNumber,
    Finding,
    GenomeBuild,
    SmallVariant,
    StructuralVariant,
)

__all__ = ["CaseAnnotation", "KnowledgeBase", "annotate", "annotate_alterations", "tier_context"]


@dataclass
class CaseAnnotation:
    diagnosis: Diagnosis
    variants: list[AnnotatedVariant]
    tmb: Tmb | None
    sources: list[SourceStatus]
    notes: list[str]

    def by_tier(self) -> dict[str, int]:
        counts = {tier.value: 0 for tier in Tier}
        for variant in self.variants:
            counts[variant.tier.value] += 1
        return counts


def _placeholder(finding: Finding) -> Alteration:
    """A finding no knowledge base can name (an SV joining no two genes) still gets a row."""
    if isinstance(finding, StructuralVariant):
        label = f"{finding.sv_type} {finding.chrom}:{finding.pos}-{finding.chrom2}:{finding.pos2}"
    else:
        label = finding.variant_type.value
    return Alteration(kind="sv", gene="", label=label)


def _ask(kb: KnowledgeBase, alterations: list[Alteration], diagnosis: Diagnosis,
         notes: list[str]) -> list[list[SourceAnswer]]:
    """Every source's answers; a live source that fails is reported and skipped (the CIViC
    snapshot falls back inside its own source)."""
    answers = []
    for source in kb.sources:
        try:
            answers.append(source.annotate(alterations, diagnosis))
        except SourceError as error:
            notes.append(f"{source.name} did not answer ({error}); left out")
    return answers


def annotate(
    findings: Sequence[Finding],
    diagnosis: str,
    kb: KnowledgeBase,
    *,
    build: GenomeBuild,
    reference: Path | None = None,
    tmb_megabases: float = 30.0,
    panel: Regions | None = None,
    tumor_type: tuple[str, str] | None = None,
) -> CaseAnnotation:
    """Annotate a case's findings for its diagnosis (free text, ICD-10-GM, OncoTree or DOID).
    `tumor_type`: (DOID, who chose it) when a curator chose the tumor type for this case; it
    wins over what the diagnosis text maps to.

    Biomarkers (TMB, MSI, HRD) among the findings were given and win; TMB and an MSI estimate
    are computed from the small variants otherwise (annotation.signatures), and every one is
    a finding of its own, tiered like the others."""
    mapped, notes = _diagnosis(diagnosis, kb, tumor_type)
    with _gc_paused():
        pairs: list[tuple[Finding | None, Alteration]] = []
        for finding in findings:
            found = alterations_of(finding, build, kb.genes, reference) or [_placeholder(finding)]
            pairs += [(finding, a) for a in found]
        small = [(f, a) for f, a in pairs if isinstance(f, SmallVariant)]
        size = panel.megabases if panel is not None else tmb_megabases
        tmb = compute_tmb(small, tmb_megabases, panel) if small else None
        given = {f.name: f for f, _ in pairs if isinstance(f, Biomarker)}
        computed = []
        for own in (tmb_finding(tmb) if tmb else None, msi_estimate(small, size)):
            if own is None:
                continue
            measured = given.get(own.name)
            if measured is None:
                computed.append(own)
            elif measured.call != own.call and "indeterminate" not in (measured.call, own.call):
                notes.append(f"{own.name}: {measured.source} says {measured.call}; the calls "
                             f"say {own.call} ({own.source}): the measured value is used")
        pairs += [(b, a) for b in computed for a in alterations_of(b, build, kb.genes)]
        annotated = _annotate_alterations(pairs, mapped, kb, notes)
        variants = _collapse_segments(annotated)
    notes += _case_notes(pairs, build, mapped, variants)
    return CaseAnnotation(mapped, variants, tmb, kb.status(), notes)


def _diagnosis(text: str, kb: KnowledgeBase, tumor_type: tuple[str, str] | None
               ) -> tuple[Diagnosis, list[str]]:
    """The case's tumor type: the curator's choice, else the diagnosis text mapped, with the
    warning the board must read."""
    if tumor_type:
        try:
            return kb.ontology.chosen(tumor_type[0], text, tumor_type[1]), []
        except KeyError:
            mapped = kb.ontology.resolve(text)
            return mapped, [f"the tumor type {tumor_type[0]} chosen by {tumor_type[1]} is not "
                            "in this knowledge base's Disease Ontology: the diagnosis text is "
                            "used instead; choose the tumor type again",
                            *([mapped.warning] if mapped.warning else [])]
    mapped = kb.ontology.resolve(text)
    return mapped, [mapped.warning] if mapped.warning else []


def _case_notes(
    pairs: Sequence[tuple[Finding | None, Alteration]], build: GenomeBuild, diagnosis: Diagnosis,
    variants: Sequence[AnnotatedVariant],
) -> list[str]:
    """What the board must know about the whole case: no tumor type, evidence only for a
    subtype of the diagnosis, CNVs and SVs that could not be placed on genes."""
    notes = []
    if diagnosis.known and not has_tumor_type(diagnosis):
        notes.append(
            f"diagnosis '{diagnosis.text}' maps only to the root term 'cancer' ({PAN_CANCER}): "
            "no evidence is weighed as the tumor type and nothing reaches tier I; give the "
            "tumor type"
        )
    subtypes = sorted({
        m.evidence.disease for v in variants for m in v.matches
        if m.evidence.level in ("A", "B") and m.evidence.kind != "approval"
        and relation(m.evidence, diagnosis).where == SUBTYPE
    })
    if subtypes:
        shown = ", ".join(subtypes[:5]) + (", ..." if len(subtypes) > 5 else "")
        notes.append(
            f"level A/B evidence exists for subtypes of {diagnosis.name}: {shown}; it counts as "
            "another tumor type until the diagnosis names the subtype"
        )
    filled = Counter(part for _, a in pairs for part in a.filled)
    if filled["exon/intron"] or filled["codon"]:
        what = " and ".join(
            f"{text} of {filled[key]} variant{'s' if filled[key] != 1 else ''}"
            for key, text in (("exon/intron", "exon or intron numbers"),
                              ("codon", "the protein position")) if filled[key])
        notes.append(f"partial annotation: the VCF's VEP/SnpEff annotation lacks {what} "
                     "(VEP writes EXON and INTRON only with --numbers); filled in from MANE")
    if build is GenomeBuild.UNKNOWN:
        unplaced = len({
            id(f) for f, a in pairs
            if isinstance(f, CopyNumber | StructuralVariant) and not a.gene
        })
        if unplaced:
            notes.append(
                f"genome build unknown: {unplaced} copy-number segments or structural variants "
                "could not be placed on genes; give the build (--build)"
            )
    return notes


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a case is annotated.

    Annotation makes hundreds of thousands of small acyclic objects (freed by reference
    counting anyway); with the knowledge base's objects alive, the collector's passes over them
    took half the time (50,000 variants: 1.9 s with it, 0.8 s paused; bench/annotate.py).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def annotate_alterations(
    pairs: Sequence[tuple[Finding | None, Alteration]],
    diagnosis: Diagnosis,
    kb: KnowledgeBase,
    notes: list[str] | None = None,
) -> list[AnnotatedVariant]:
    """Tier alterations (from findings, or written as text: annotation.alterations.
    from_description) for a mapped diagnosis; every source is asked once for the whole case."""
    with _gc_paused():
        return _annotate_alterations(pairs, diagnosis, kb, notes if notes is not None else [])


def _annotate_alterations(
    pairs: Sequence[tuple[Finding | None, Alteration]],
    diagnosis: Diagnosis,
    kb: KnowledgeBase,
    notes: list[str],
) -> list[AnnotatedVariant]:
    knowledge = kb.civic.knowledge
    pairs = [(finding, with_kb_protein(a, knowledge)) for finding, a in pairs]
    alterations = [alteration for _, alteration in pairs]
    answers = _ask(kb, alterations, diagnosis, notes)
    context = tier_context(alterations, diagnosis, kb)
    annotated: list[AnnotatedVariant] = []
    for index, (finding, alteration) in enumerate(pairs):
        per_source = [source_answers[index] for source_answers in answers]
        matches = [m for answer in per_source for m in answer.matches]
        source_notes = [n for answer in per_source for n in answer.notes]
        hotspot = kb.index.hotspots.lookup(alteration)
        call = tier_variant(alteration, matches, diagnosis, context, hotspot=hotspot,
                            notes=source_notes)
        annotated.append(AnnotatedVariant(
            finding=finding, alteration=alteration, tier=call.tier, level=call.level,
            matches=tuple(matches), reasons=call.reasons, therapies=call.therapies,
            hotspot=hotspot,
            sources=tuple(sorted({a.version for a in per_source if a.matches and a.version})),
            notes=alteration.notes, flags=call.flags,
        ))
    return annotated


def tier_context(
    alterations: Sequence[Alteration], diagnosis: Diagnosis, kb: KnowledgeBase
) -> TierContext:
    """What tiering needs to know about the whole case: the population the diagnosis and the
    case's own findings establish (HER2-positive by an ERBB2 amplification), and the drugs that
    are standard in the tumor type (for resistance findings)."""
    markers = case_markers(alterations)
    patient = frozenset(
        {*diagnosis.qualifiers, *tokens_in(diagnosis.text), *markers,
         *(SUBTYPE_MARKERS[d] for d in diagnosis.lineage if d in SUBTYPE_MARKERS)})
    genes = {g for a in alterations for g in (a.gene, a.partner5, a.partner3) if g}
    standard = frozenset(kb.approvals.standard_in(diagnosis, patient, genes))
    return TierContext(kb.drugs, patient, standard, markers, kb.ontology.is_solid,
                       kb.approvals.label_scope(diagnosis))


def _collapse_segments(variants: list[AnnotatedVariant]) -> list[AnnotatedVariant]:
    """A copy-number segment covers many genes: keep the genes with evidence; a segment with
    none keeps one row that says how many genes it covers. (Rows of one finding are adjacent.)"""
    out: list[AnnotatedVariant] = []
    for _, group in groupby(variants, key=lambda v: id(v.finding)):
        rows = list(group)
        segment = rows[0].finding
        if not isinstance(segment, CopyNumber):
            out += rows
            continue
        relevant = [v for v in rows if v.tier not in (Tier.III, Tier.IV)]
        if relevant:
            out += relevant
            continue
        genes = [v.alteration.gene for v in rows if v.alteration.gene]
        label = f"{segment.call} over {len(genes)} genes" if genes else rows[0].alteration.label
        summary = replace(rows[0].alteration, label=label, gene="")
        out.append(replace(rows[0], alteration=summary))
    return out
