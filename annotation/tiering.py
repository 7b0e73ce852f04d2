"""AMP/ASCO/CAP 2017 tiers (Li et al., J Mol Diagn 2017;19:4-23) from matched evidence, with the
reasons that decided them. Pure functions: no I/O, no knowledge-base access.

Rules, in the order they apply:
1. Only clinical evidence counts for a tier: predictive (therapy), diagnostic and prognostic
   items that support a significance. 'Does not support' items, items whose significance is
   'N/A' (CIViC's "no prognostic value was found") and evidence from common germline
   polymorphisms are listed but not counted.
2. Tumor type. Evidence is in the patient's tumor type when its disease is the diagnosis or one
   of its parents in the Disease Ontology (lung adenocarcinoma -> NSCLC -> lung cancer). CIViC's
   "Solid Tumor" (tumor-agnostic approvals) counts as the tumor type of a solid-tumor diagnosis
   only for level A items and tier I assertions: a tumor-agnostic approval, not a basket study.
   Evidence filed under the root "Cancer" (DOID:162) is basket or preclinical work and always
   counts as another tumor type. Evidence on a subtype of the diagnosis (NSCLC evidence for a
   case diagnosed 'lung cancer') counts as another tumor type too, and the reason asks for the
   subtype: the board must not get tier I for a subtype the patient may not have. Without a
   tumor type (an unmapped diagnosis, or only 'cancer') every item is another tumor type.
3. Levels: CIViC A in the tumor type -> IA; B -> IB; C -> IIC; D or E -> IID. A or B in another
   tumor type (e.g. an approved therapy, off-label) -> IIC; C or D there -> IID; E (inferential)
   in another tumor type is not counted.
4. CIViC assertions (an expert-curated AMP category) take precedence where they apply: for a
   molecular profile with an assertion in the tumor type, the assertion's category decides and
   that profile's evidence items in the tumor type only support it. An assertion for another
   tumor type counts like level A there (IIC at most).
5. Specific evidence wins for its therapy: when an exact, codon or exon match says the opposite
   about a therapy (resistance, not sensitivity), gene-level items ('EGFR Mutation') for that
   therapy are not counted (EGFR T790M is resistant to gefitinib whatever 'EGFR Mutation'
   says); when they agree, the gene-level item's level stands (IDH1 Mutation, ivosidenib).
   Level A/B evidence in the tumor type that does not support a therapy (BRAF V600E with
   vemurafenib alone in colorectal cancer) cancels off-label evidence for that therapy from
   other tumor types.
6. Resistance is clinically significant too (it changes therapy): it tiers like sensitivity,
   and the therapy is marked '(resistance)'.
7. Without counted evidence: tier IV only with evidence of benignity (population allele
   frequency >= 1 % unless the matched normal shows the variant somatic or ClinVar calls it
   pathogenic, or a benign ClinVar classification the VCF carried); otherwise III.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotation.model import (
    COMMON_AF,
    Alteration,
    Diagnosis,
    Evidence,
    Granularity,
    Hotspot,
    Match,
    Reason,
    TherapyCall,
    Tier,
)

TIERED_TYPES = frozenset({"Predictive", "Diagnostic", "Prognostic"})
PAN_CANCER = "DOID:162"
SOLID_TUMOR_NAMES = frozenset({"solid tumor", "solid tumour"})
_CATEGORY = {
    "Tier I - Level A": Tier.IA,
    "Tier I - Level B": Tier.IB,
    "Tier II - Level C": Tier.IIC,
    "Tier II - Level D": Tier.IID,
}
_SAME = {"A": Tier.IA, "B": Tier.IB, "C": Tier.IIC, "D": Tier.IID, "E": Tier.IID}
_OTHER = {"A": Tier.IIC, "B": Tier.IIC, "C": Tier.IID, "D": Tier.IID}
_LEVEL_ORDER = "ABCDE"

_SPECIFIC = frozenset({Granularity.EXACT_GENOMIC, Granularity.EXACT_PROTEIN, Granularity.CODON,
                       Granularity.EXON})

SAME = "same"  # the diagnosis or a parent of it
SOLID = "solid"  # CIViC "Solid Tumor" (level A / tier I) and a solid-tumor diagnosis
SUBTYPE = "subtype"  # a more specific type than the diagnosis: tiers as another tumor type
OTHER = "other"
UNKNOWN = "unknown"  # no tumor type: the diagnosis was not mapped, or only to 'cancer'
_IN_TUMOR_TYPE = (SAME, SOLID)


def has_tumor_type(diagnosis: Diagnosis | None) -> bool:
    """A diagnosis evidence can be weighed against: mapped, and more specific than 'cancer'."""
    return diagnosis is not None and diagnosis.known and diagnosis.doid != PAN_CANCER


def relation(evidence: Evidence, diagnosis: Diagnosis | None) -> str:
    """How the evidence's disease relates to the case's diagnosis (rule 2)."""
    if not has_tumor_type(diagnosis):
        return UNKNOWN
    assert diagnosis is not None
    if evidence.doid == PAN_CANCER:
        return OTHER
    if evidence.doid and evidence.doid in diagnosis.lineage:
        return SAME
    if evidence.doid and evidence.doid in diagnosis.subtypes:
        return SUBTYPE
    if not evidence.doid and evidence.disease.strip().lower() in SOLID_TUMOR_NAMES:
        tumor_agnostic = evidence.level == "A" or evidence.amp_category.startswith("Tier I ")
        return SOLID if diagnosis.solid and tumor_agnostic else OTHER
    return OTHER


def counted(evidence: Evidence) -> bool:
    """Whether an item may decide a tier (rule 1)."""
    return (
        evidence.evidence_type in TIERED_TYPES
        and evidence.direction == "Supports"
        and evidence.significance not in ("N/A", "")
        and evidence.variant_origin != "Common Germline"
        and (evidence.level in ("A", "B", "C", "D", "E") or evidence.amp_category in _CATEGORY)
    )


def evidence_tier(evidence: Evidence, where: str) -> Tier | None:
    """Tier one counted item gives (rules 3 and 4)."""
    in_tumor_type = where in _IN_TUMOR_TYPE
    if evidence.kind == "assertion" and evidence.amp_category in _CATEGORY:
        category = _CATEGORY[evidence.amp_category]
        if in_tumor_type:
            return category
        return Tier.IIC if category in (Tier.IA, Tier.IB) else Tier.IID
    return (_SAME if in_tumor_type else _OTHER).get(evidence.level)


@dataclass(frozen=True)
class _Candidate:
    tier: Tier
    match: Match
    where: str

    @property
    def order(self) -> tuple[int, int, int, int, int, int]:
        """Best first: tier, assertions, evidence in the tumor type, level, specificity."""
        evidence = self.match.evidence
        return (
            self.tier.rank,
            0 if evidence.kind == "assertion" else 1,
            0 if self.where in _IN_TUMOR_TYPE else 1,
            _LEVEL_ORDER.find(evidence.level) if evidence.level else 9,
            self.match.granularity.rank,
            -(evidence.rating or 0),
        )


@dataclass(frozen=True)
class TierCall:
    tier: Tier
    level: str
    reasons: tuple[Reason, ...]
    therapies: tuple[TherapyCall, ...]


def _superseded(candidates: list[_Candidate]) -> list[_Candidate]:
    """Drop evidence items of profiles that have an assertion in the tumor type (rule 4)."""
    if not candidates:
        return candidates
    asserted = {
        c.match.evidence.profile
        for c in candidates
        if c.match.evidence.kind == "assertion" and c.where in _IN_TUMOR_TYPE
    }
    return [
        c for c in candidates
        if c.match.evidence.kind == "assertion"
        or c.where not in _IN_TUMOR_TYPE
        or c.match.evidence.profile not in asserted
    ]


def _where_phrase(evidence: Evidence, where: str, diagnosis: Diagnosis | None) -> str:
    disease = f"{evidence.disease} ({evidence.doid})" if evidence.doid else evidence.disease
    if where == SAME and diagnosis is not None:
        if evidence.doid == diagnosis.doid:
            return f"in {disease}, the diagnosis"
        return f"in {disease}, which includes the diagnosis {diagnosis.name}"
    if where == SOLID:
        return f"in {disease} (tumor-agnostic; the diagnosis is a solid tumor)"
    if where == UNKNOWN:
        return f"in {disease} (the case has no mapped tumor type to count it as)"
    if where == SUBTYPE and diagnosis is not None:
        return (f"in {disease}, a subtype of the diagnosis {diagnosis.name}: counted as another "
                "tumor type; give the subtype if the patient has it")
    return f"in {disease}, another tumor type"


def _describe(candidate: _Candidate, diagnosis: Diagnosis | None) -> str:
    evidence = candidate.match.evidence
    match = candidate.match
    therapy = f" {_therapy_name(evidence)}" if evidence.therapies else ""
    if evidence.kind == "assertion":
        what = f"{evidence.source} assertion {evidence.id} ({evidence.amp_category})"
    else:
        what = f"{evidence.source} {evidence.id}, level {evidence.level}"
    significance = evidence.significance.lower()
    via = f"{match.granularity.value.replace('_', ' ')} match to '{match.matched}'"
    if match.assumes:
        via += (f" (multi-variant profile; assumes {', '.join(match.assumes)}, which the "
                "case's files cannot show)")
    elif match.compound:
        via += " (multi-variant profile satisfied by this case)"
    return (
        f"{candidate.tier}: {what}: {evidence.evidence_type.lower()}, {significance}{therapy} "
        f"{_where_phrase(evidence, candidate.where, diagnosis)}; {via}"
    )


def _therapy_name(evidence: Evidence) -> str:
    """Combinations in alphabetical order (CIViC lists the same pair both ways)."""
    if len(evidence.therapies) > 1 and evidence.therapy_interaction == "Sequential":
        return " then ".join(evidence.therapies)
    if len(evidence.therapies) > 1 and (
        evidence.therapy_interaction == "Combination" or evidence.kind == "assertion"
    ):  # assertions name the drugs of their combination without saying so
        return " + ".join(sorted(evidence.therapies))
    return " or ".join(evidence.therapies)


def _therapy_labels(evidence: Evidence) -> list[str]:
    """The therapies an item names: a combination is one therapy, substitutes are several."""
    combined = evidence.therapy_interaction in ("Combination", "Sequential") or (
        evidence.kind == "assertion"
    )
    return [_therapy_name(evidence)] if combined else list(evidence.therapies)


def _therapies(candidates: list[_Candidate]) -> tuple[TherapyCall, ...]:
    if not candidates:
        return ()
    best: dict[tuple[str, bool], TherapyCall] = {}
    for candidate in sorted(candidates, key=lambda c: c.order):
        evidence = candidate.match.evidence
        if evidence.evidence_type != "Predictive" or not evidence.therapies:
            continue
        for label in _therapy_labels(evidence):
            key = (label, evidence.is_resistance)
            if key in best:
                call = best[key]
                if evidence.id not in call.evidence_ids:
                    best[key] = TherapyCall(call.name, call.resistance, call.tier, call.level,
                                            (*call.evidence_ids, evidence.id))
                continue
            best[key] = TherapyCall(label, evidence.is_resistance, candidate.tier,
                                    evidence.level, (evidence.id,))
    return tuple(sorted(best.values(), key=lambda t: (t.tier.rank, t.resistance, t.name)))


def _pathogenic(significance: str) -> bool:
    lower = significance.lower()
    return "pathogenic" in lower and "benign" not in lower and "conflicting" not in lower


def _benign(alteration: Alteration) -> str | None:
    """Evidence of benignity for tier IV (rule 7), or None."""
    af = alteration.population_af
    if af is not None and af >= COMMON_AF:
        if alteration.somatic:
            return None  # absent from the matched normal: not the inherited polymorphism
        if _pathogenic(alteration.clinical_significance):
            return None
        return f"population allele frequency {af:.3g} >= {COMMON_AF:g}: a common polymorphism"
    significance = alteration.clinical_significance.lower()
    if "benign" in significance and "pathogenic" not in significance:
        return f"ClinVar significance '{alteration.clinical_significance}' (from the VCF)"
    return None


def _missing(tier: Tier, candidates: list[_Candidate], diagnosis: Diagnosis | None) -> str | None:
    """What a tier I call would have needed (shown for every variant below tier I), or for IB
    what IA would have needed."""
    if tier == Tier.IA:
        return None
    if tier == Tier.IB and has_tumor_type(diagnosis):
        return (
            f"missing for IA: level A evidence (an approved therapy or a guideline) or a "
            f"CIViC tier I-A assertion in {diagnosis.name} ({diagnosis.doid}) or a parent type"
        )
    if diagnosis is None or not has_tumor_type(diagnosis):
        text = diagnosis.text if diagnosis else ""
        why = "maps only to 'cancer'" if diagnosis and diagnosis.known else "was not mapped"
        return (
            f"missing for tier I: a known tumor type (diagnosis '{text}' {why}); "
            "without it no evidence counts as in the tumor type"
        )
    elsewhere = sorted({
        c.match.evidence.disease for c in candidates
        if c.where in (OTHER, SUBTYPE) and c.match.evidence.level in ("A", "B")
    })
    text = (
        f"missing for tier I: level A or B evidence in {diagnosis.name} ({diagnosis.doid}) "
        "or a parent tumor type"
    )
    if elsewhere:
        shown = ", ".join(elsewhere[:4]) + (", ..." if len(elsewhere) > 4 else "")
        text += f"; level A/B exists only for other tumor types: {shown}"
    return text


def _therapy_keys(evidence: Evidence) -> set[tuple[str, bool]]:
    return {(label.lower(), evidence.is_resistance) for label in _therapy_labels(evidence)}


def _specific_first(
    candidates: list[_Candidate], not_counted: list[tuple[str, Match]]
) -> tuple[list[_Candidate], list[Reason]]:
    """Rule 5: set aside gene-level items for a therapy that specific evidence names, and
    off-label items for a therapy that A/B evidence in the tumor type does not support."""
    specific = {
        key
        for c in candidates
        if c.match.granularity in _SPECIFIC and c.match.evidence.evidence_type == "Predictive"
        for key in _therapy_keys(c.match.evidence)
    }
    refuted: dict[tuple[str, bool], Evidence] = {}
    for where, match in not_counted:
        evidence = match.evidence
        if (where in _IN_TUMOR_TYPE and evidence.level in ("A", "B")
                and evidence.evidence_type == "Predictive"
                and evidence.direction == "Does Not Support"):
            for key in _therapy_keys(evidence):
                refuted.setdefault(key, evidence)
    kept, reasons = [], []
    for candidate in candidates:
        evidence = candidate.match.evidence
        keys = _therapy_keys(evidence)
        contradicted = any((name, not resistance) in specific and (name, resistance)
                           not in specific for name, resistance in keys)
        if (candidate.match.granularity == Granularity.GENE_CLASS and contradicted
                and evidence.evidence_type == "Predictive"):
            says = "sensitivity" if evidence.is_resistance else "resistance"
            reasons.append(Reason(
                "set_aside",
                f"not counted: {evidence.source} {evidence.id} (gene-level "
                f"'{candidate.match.matched}', {_therapy_name(evidence)}): evidence for this "
                f"very change says {says} to the same therapy",
                candidate.match,
            ))
            continue
        against = next((refuted[key] for key in keys if key in refuted), None)
        if against is not None and candidate.where not in _IN_TUMOR_TYPE:
            reasons.append(Reason(
                "set_aside",
                f"not counted: {evidence.source} {evidence.id} ({_therapy_name(evidence)} in "
                f"{evidence.disease}): {against.source} {against.id}, level {against.level}, "
                f"does not support it in {against.disease}",
                candidate.match,
            ))
            continue
        kept.append(candidate)
    return kept, reasons[:4]


def tier_variant(
    alteration: Alteration,
    matches: Sequence[Match],
    diagnosis: Diagnosis | None,
    *,
    hotspot: Hotspot | None = None,
    notes: Sequence[str] = (),
) -> TierCall:
    """The tier of one alteration, the ordered reasons, and the therapies named."""
    candidates = []
    not_counted: list[tuple[str, Match]] = []
    for match in matches:
        evidence = match.evidence
        where = relation(evidence, diagnosis)
        if not counted(evidence):
            no_significance = evidence.significance in ("N/A", "")
            if evidence.evidence_type in TIERED_TYPES and (
                evidence.direction != "Supports" or no_significance
            ):
                not_counted.append((where, match))
            continue
        tier = evidence_tier(evidence, where)
        if tier is not None:
            candidates.append(_Candidate(tier, match, where))
    candidates, set_aside = _specific_first(candidates, not_counted)
    candidates = sorted(_superseded(candidates), key=lambda c: c.order)
    not_counted.sort(key=lambda item: (
        0 if item[0] in _IN_TUMOR_TYPE else 1, _LEVEL_ORDER.find(item[1].evidence.level or "E")
    ))

    reasons: list[Reason] = []
    if candidates:
        best = candidates[0]
        tier, level = best.tier, best.match.evidence.level
        reasons.append(Reason("decided_by", _describe(best, diagnosis), best.match))
        shown = {best.match.evidence.id}
        for candidate in candidates[1:]:
            if candidate.match.evidence.id in shown or len(shown) >= 6:
                continue
            shown.add(candidate.match.evidence.id)
            reasons.append(Reason("also", _describe(candidate, diagnosis), candidate.match))
    else:
        benign = _benign(alteration)
        tier, level = (Tier.IV, "") if benign else (Tier.III, "")
        if benign:
            reasons.append(Reason("benign", f"IV: {benign}"))
        elif not_counted:
            reasons.append(Reason(
                "no_evidence",
                f"III: the evidence for {alteration.label} does not support a clinical "
                "significance (listed below); no benign evidence either",
            ))
        else:
            reasons.append(Reason(
                "no_evidence",
                f"III: no clinical evidence for {alteration.label} in the knowledge bases "
                "(exact allele, protein change, codon, exon and gene classes checked)",
            ))
    missing = _missing(tier, candidates, diagnosis)
    if missing and (candidates or diagnosis is None or not diagnosis.known):
        reasons.append(Reason("missing", missing))
    reasons += set_aside
    for _, match in not_counted[:3]:
        evidence = match.evidence
        said = (f"{evidence.direction.lower()}: {evidence.significance.lower()}"
                if evidence.significance not in ("N/A", "")
                else f"{evidence.evidence_type.lower()}, no significance found")
        reasons.append(Reason(
            "not_counted",
            f"not counted: {evidence.source} {evidence.id} ({said} in {evidence.disease})",
            match,
        ))
    reasons += [Reason("note", text) for text in notes]
    if hotspot is not None:
        top = ", ".join(f"{name} {count}" for name, count in hotspot.tumor_types[:3])
        exact = f", {hotspot.variant_samples} with this change" if hotspot.variant_samples else ""
        reasons.append(Reason(
            "hotspot",
            f"Cancer Hotspots: {hotspot.gene} {hotspot.residue} ({hotspot.kind}) mutated in "
            f"{hotspot.samples} tumors{exact}" + (f"; most often {top}" if top else ""),
        ))
    return TierCall(tier, level, tuple(reasons), _therapies(candidates))
