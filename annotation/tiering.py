"""AMP/ASCO/CAP 2017 tiers (Li et al., J Mol Diagn 2017;19:4-23) from matched evidence, with the
reasons that decided them. Pure functions: no I/O, no knowledge-base access.

A finding's tier is the best tier its counted evidence gives (tier I: level A or B in the tumor
type; tier II: level C or D). What an item counts as is annotation.levels (where it stands,
which AMP level it gives, and why); this module applies it to all of a finding's items:
1. Only clinical evidence counts: predictive, diagnostic and prognostic items that support a
   significance. 'Does not support' items, items with significance 'N/A' and evidence on common
   germline polymorphisms are listed, never counted.
2. Each item is graded (annotation.levels). An assertion decides only its own therapy or
   evidence type: it removes nothing else.
3. Resistance counts only in the tumor type and against a regimen that is standard there.
4. Specific evidence wins for its therapy: when an exact, codon or exon match says the opposite
   about a therapy, gene-level items ('EGFR Mutation') for that therapy are set aside (EGFR
   T790M is resistant to gefitinib whatever 'EGFR Mutation' says). Level A/B evidence in the
   tumor type that does not support a therapy (BRAF V600E with vemurafenib alone in colorectal
   cancer) cancels off-label evidence for that therapy from other tumor types.
5. Without counted evidence: tier IV only with evidence of benignity (population allele
   frequency >= 1 % unless the matched normal shows the variant somatic or ClinVar calls it
   pathogenic, or a benign ClinVar classification the VCF carried); otherwise III.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from annotation.drugs import DrugVocabulary
from annotation.levels import (
    EXCLUDED,
    IN_TUMOR_TYPE,
    OTHER,
    PAN_CANCER,
    SAME,
    SOLID,
    SUBTYPE,
    TIERED_TYPES,
    UNKNOWN,
    Grade,
    Place,
    clinical_level,
    counted,
    has_tumor_type,
    relation,
    therapeutic_level,
)
from annotation.matching import TRUNCATING
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
from annotation.therapies import Counted, regimens, therapy_lines

__all__ = ["OTHER", "PAN_CANCER", "SAME", "SOLID", "SUBTYPE", "TierCall", "TierContext",
           "has_tumor_type", "relation", "tier_variant"]

_LEVEL_ORDER = "ABCDE"
_SPECIFIC = frozenset({Granularity.EXACT_GENOMIC, Granularity.EXACT_PROTEIN, Granularity.CODON,
                       Granularity.EXON})
_REASONS_SHOWN = 6
_APPROVALS_SHOWN = 3  # of the reasons: the rest name knowledge-base evidence


@dataclass(frozen=True)
class TierContext:
    """What tiering must know about the case beyond one finding's evidence."""

    drugs: DrugVocabulary
    patient: frozenset[str] = frozenset()  # population tokens: diagnosis + the case's findings
    standard: frozenset[str] = frozenset()  # drugs standard in the tumor type (lower-case INN)
    markers_from: dict[str, str] = field(default_factory=dict)  # token -> finding that shows it
    is_solid: Callable[[str], bool | None] = lambda doid: None  # the ontology's solid/hematologic
    # regimen -> (gene, what its label in this tumor type covers): an FDA/EMA label that names
    # other alterations of the gene than the finding (erdafitinib: FGFR3 only since 2024)
    label_scope: dict[frozenset[str], tuple[tuple[str, str], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TierCall:
    tier: Tier
    level: str
    reasons: tuple[Reason, ...]
    therapies: tuple[TherapyCall, ...]
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Candidate:
    grade: Grade
    match: Match
    place: Place

    @property
    def order(self) -> tuple[int, ...]:
        """Best first: tier, approvals, assertions, in the tumor type, level, specificity."""
        evidence = self.match.evidence
        return (
            self.grade.tier.rank,
            {"approval": 0, "assertion": 1}.get(evidence.kind, 2),
            0 if self.place.where in IN_TUMOR_TYPE else 1,
            _LEVEL_ORDER.find(self.grade.level),
            self.match.granularity.rank,
            -(evidence.rating or 0),
        )


def _disease(evidence: Evidence) -> str:
    return f"{evidence.disease} ({evidence.doid})" if evidence.doid else evidence.disease


def _where_phrase(evidence: Evidence, place: Place, diagnosis: Diagnosis | None) -> str:
    disease = _disease(evidence)
    if place.rule in ("defined_subtype", "label_subtype"):
        return f"in {disease}: {place.detail}"
    if place.where == SAME and diagnosis is not None:
        if evidence.doid == diagnosis.doid:
            return f"in {disease}, the diagnosis"
        return f"in {disease}, which includes the diagnosis {diagnosis.name}"
    if place.where == SOLID:
        return f"in {disease} (tumor-agnostic; the diagnosis is a solid tumor)"
    if place.where == EXCLUDED:
        return f"in {disease}, but for another population ({place.detail})"
    if place.where == UNKNOWN:
        return f"in {disease} (the case has no mapped tumor type to count it as)"
    if place.where == SUBTYPE and diagnosis is not None:
        return (f"in {disease}, a subtype of the diagnosis {diagnosis.name}: counted as another "
                "tumor type; give the subtype if the patient has it")
    return f"in {disease}, another tumor type"


def _therapy_name(evidence: Evidence) -> str:
    """Combinations joined with ' + ' in alphabetical order, sequences with 'then'."""
    if len(evidence.therapies) > 1 and evidence.therapy_interaction == "Sequential":
        return " then ".join(evidence.therapies)
    if len(evidence.therapies) > 1 and (
        evidence.therapy_interaction == "Combination" or evidence.kind != "evidence"
    ):
        return " + ".join(sorted(evidence.therapies))
    return " or ".join(evidence.therapies)


def _source(evidence: Evidence) -> str:
    if evidence.kind == "approval":
        setting = f", {evidence.setting}" if evidence.setting else ""
        return f"{evidence.source} approval {evidence.id} ({evidence.date}{setting})"
    if evidence.kind == "assertion":
        return f"{evidence.source} assertion {evidence.id} ({evidence.amp_category})"
    return f"{evidence.source} {evidence.id}, level {evidence.level}"


def _via(match: Match) -> str:
    via = f"{match.granularity.value.replace('_', ' ')} match to '{match.matched}'"
    if match.assumes:
        via += (f" (multi-variant profile; assumes {', '.join(match.assumes)}, which the "
                "case's files cannot show)")
    elif match.compound:
        via += " (multi-variant profile satisfied by this case)"
    return via


def _describe(candidate: _Candidate, diagnosis: Diagnosis | None) -> str:
    evidence, grade = candidate.match.evidence, candidate.grade
    therapy = f" {_therapy_name(evidence)}" if evidence.therapies else ""
    return (
        f"{grade.tier}: {_source(evidence)}: {evidence.evidence_type.lower()}, "
        f"{evidence.significance.lower()}{therapy} "
        f"{_where_phrase(evidence, candidate.place, diagnosis)}; {grade.why}; "
        f"{_via(candidate.match)}"
    )


def _pathogenic(significance: str) -> bool:
    lower = significance.lower()
    return "pathogenic" in lower and "benign" not in lower and "conflicting" not in lower


NEGATIVE_BIOMARKER_CALLS = frozenset({"low", "stable", "negative"})


def _benign(alteration: Alteration) -> str | None:
    """Evidence of benignity for tier IV, or None. A negative biomarker result (TMB low,
    microsatellite stable, HRD negative) is no variant of unknown significance either."""
    if alteration.kind == "biomarker" and alteration.biomarker in NEGATIVE_BIOMARKER_CALLS:
        return f"{alteration.label} is a negative result: no biomarker-directed therapy"
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
    """What a tier I call would have needed (below tier I), or for IB what IA would need."""
    if tier == Tier.IA:
        return None
    if tier == Tier.IB and has_tumor_type(diagnosis):
        assert diagnosis is not None
        return (
            f"missing for IA: an FDA/EMA approval or a guideline for {diagnosis.name} "
            f"({diagnosis.doid}) or a parent type with this biomarker (approvals table), or a "
            "CIViC tier I-A assertion there"
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
        if c.place.where in (OTHER, SUBTYPE, EXCLUDED) and c.grade.level == "C"
    })
    text = (
        f"missing for tier I: an approval or guideline, or well-powered clinical evidence, in "
        f"{diagnosis.name} ({diagnosis.doid}) or a parent tumor type"
    )
    if elsewhere:
        shown = ", ".join(elsewhere[:4]) + (", ..." if len(elsewhere) > 4 else "")
        text += f"; such evidence exists only for other tumor types or populations: {shown}"
    return text


def _therapy_keys(evidence: Evidence, drugs: DrugVocabulary) -> set[tuple[frozenset[str], bool]]:
    return {(r.key, evidence.is_resistance) for r in regimens(evidence, drugs)}


def _class_keys(evidence: Evidence, drugs: DrugVocabulary) -> set[tuple[frozenset[str], bool]]:
    """Single-drug regimens as their drug class ('EGFR TKI (1st gen)'): resistance of a change to
    erlotinib speaks for gefitinib too."""
    return {(frozenset({f"class:{r.drugs[0].drug_class}"}), evidence.is_resistance)
            for r in regimens(evidence, drugs) if len(r.drugs) == 1 and r.drugs[0].drug_class}


def _specific_first(
    candidates: list[_Candidate], matches: Sequence[Match], refuting: list[tuple[Place, Match]],
    no_benefit: list[tuple[Place, Match]], drugs: DrugVocabulary,
) -> tuple[list[_Candidate], list[Reason]]:
    """Rule 4: gene-level items contradicted by specific evidence for the same therapy (counted
    or not: EGFR exon 20 insertions are resistant to erlotinib wherever that was shown), and
    off-label items for a therapy that A/B evidence in the tumor type does not support."""
    specific = {
        key
        for match in matches
        if match.granularity in _SPECIFIC and match.evidence.evidence_type == "Predictive"
        and match.evidence.direction == "Supports" and match.evidence.kind != "approval"
        for key in _therapy_keys(match.evidence, drugs) | _class_keys(match.evidence, drugs)
    }
    refuted: dict[tuple[frozenset[str], bool], Evidence] = {}
    for place, match in refuting:
        evidence = match.evidence
        if (place.where in IN_TUMOR_TYPE and evidence.level in ("A", "B")
                and evidence.evidence_type == "Predictive"
                and evidence.direction == "Does Not Support"):
            for key in _therapy_keys(evidence, drugs):
                refuted.setdefault(key, evidence)
    # a phase III in the tumor type that found no benefit (CIViC writes it as level A
    # 'resistance', e.g. SELECT-1 for docetaxel + selumetinib) outweighs an earlier, smaller
    # positive trial of the same regimen there, even when the resistance itself is not tiered
    for place, match in no_benefit:
        evidence = match.evidence
        if place.where in IN_TUMOR_TYPE and evidence.level == "A":
            for therapy, _ in _therapy_keys(evidence, drugs):
                refuted.setdefault((therapy, False), evidence)
    kept, reasons = [], []
    for candidate in candidates:
        evidence = candidate.match.evidence
        keys = _therapy_keys(evidence, drugs) | _class_keys(evidence, drugs)
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
        approved_here = evidence.kind == "approval" and candidate.place.where in IN_TUMOR_TYPE
        if against is not None and not approved_here and (
                candidate.place.where not in IN_TUMOR_TYPE
                or _LEVEL_ORDER.find(evidence.level) > _LEVEL_ORDER.find(against.level)):
            says = ("found no benefit" if against.is_resistance else "does not support it")
            reasons.append(Reason(
                "set_aside",
                f"not counted: {evidence.source} {evidence.id} ({_therapy_name(evidence)} in "
                f"{evidence.disease}): {against.source} {against.id}, level {against.level}, "
                f"{says} in {against.disease}",
                candidate.match,
            ))
            continue
        kept.append(candidate)
    return kept, reasons[:4]


def _not_standard(evidence: Evidence, place: Place, context: TierContext,
                  diagnosis: Diagnosis | None) -> str:
    """Why a resistance item does not count ('' when it does): rule 3."""
    if place.where not in IN_TUMOR_TYPE:
        return "resistance in another tumor type or population"
    named = [r for r in regimens(evidence, context.drugs) if r.drugs]
    off = sorted({d.name for r in named for d in r.drugs if d.name not in context.standard})
    if not named or off:
        where = diagnosis.name if diagnosis is not None else "this tumor type"
        return f"{', '.join(off) or 'the regimen'} is not a standard regimen in {where}"
    return ""


def _grade(
    match: Match, place: Place, alteration: Alteration, context: TierContext,
    diagnosis: Diagnosis | None, approved: set[frozenset[str]],
) -> Grade | str:
    evidence = match.evidence
    if evidence.evidence_type == "Predictive":
        theirs = context.is_solid(evidence.doid) if evidence.doid else None
        ours = diagnosis.solid if diagnosis is not None else None
        same_class = theirs is None or ours is None or theirs == ours
        named = regimens(evidence, context.drugs)
        investigational = any(d.kind == "drug" and d.status != "approved"
                              for r in named for d in r.drugs)
        grade = therapeutic_level(evidence, place, germline=alteration.germline,
                                  same_class=same_class, investigational=investigational)
        if isinstance(grade, Grade) and evidence.is_resistance:
            why = _not_standard(evidence, place, context, diagnosis)
            if why:
                return f"resistance to {_therapy_name(evidence)}: {why}"
        if isinstance(grade, Grade) and grade.tier in (Tier.IA, Tier.IB) and \
                evidence.kind != "approval" and not evidence.is_resistance:
            return _within_label(grade, evidence, alteration, named, context, approved)
        return grade
    return clinical_level(evidence, place)


def _within_label(grade: Grade, evidence: Evidence, alteration: Alteration,
                  named: list, context: TierContext, approved: set[frozenset[str]]) -> Grade:
    """Rule 2b: a regimen whose FDA/EMA label in this tumor type names *other* biomarkers than
    this finding (and none that matched it) is capped at level C: the regulator looked at the
    evidence and approved it for those (erdafitinib in urothelial carcinoma: FGFR3 only since
    2024, although CIViC keeps a level A item for FGFR2)."""
    for regimen in named:
        scope = [what for _, what in context.label_scope.get(regimen.key, ())]
        if scope and regimen.key not in approved:
            return Grade("C", Tier.IIC, "label_scope",
                         f"the label for {regimen.label} in this tumor type covers "
                         f"{'; '.join(sorted(set(scope))[:3])}, not this finding: AMP level C")
    return grade


def tier_variant(
    alteration: Alteration,
    matches: Sequence[Match],
    diagnosis: Diagnosis | None,
    context: TierContext,
    *,
    hotspot: Hotspot | None = None,
    notes: Sequence[str] = (),
) -> TierCall:
    """The tier of one alteration, the ordered reasons, the ranked therapies and the flags."""
    if alteration.kind in ("biomarker", "cnv"):  # where the value and call came from belong
        notes = (*alteration.notes, *notes)  # beside the tier
    if not matches:  # most of an exome: no knowledge-base entry at all
        return _unmatched(alteration, hotspot, notes)
    benign = _benign(alteration)
    if benign and alteration.population_af is not None and matches:
        # a common germline polymorphism: the somatic tiers do not apply to it, whatever
        # pharmacogenomic association a knowledge base lists (ERCC2 K751Q and platinum)
        notes = (*notes, f"{len(matches)} knowledge-base items not counted: a common germline "
                 "polymorphism is tier IV whatever associations are published for it")
        matches = []
    candidates: list[_Candidate] = []
    refuting: list[tuple[Place, Match]] = []
    set_apart: list[tuple[str, Match, Place]] = []  # counted kinds of item a rule set aside
    germline_only: list[Evidence] = []
    approved = {r.key for m in matches
                if m.evidence.kind == "approval" and not m.evidence.withdrawn
                for r in regimens(m.evidence, context.drugs)}
    for match in matches:
        evidence = match.evidence
        place = relation(evidence, diagnosis, context.patient)
        if not counted(evidence):
            if evidence.evidence_type in TIERED_TYPES and evidence.kind != "approval":
                refuting.append((place, match))
            continue
        grade = _grade(match, place, alteration, context, diagnosis, approved)
        if isinstance(grade, Grade):
            candidates.append(_Candidate(grade, match, place))
            continue
        set_apart.append((grade, match, place))
        if (evidence.kind == "approval" and "germline testing" in grade
                and place.where in IN_TUMOR_TYPE):
            germline_only.append(evidence)
    no_benefit = [(p, m) for _, m, p in set_apart
                  if m.evidence.is_resistance and m.evidence.evidence_type == "Predictive"]
    candidates, set_aside = _specific_first(candidates, matches, refuting, no_benefit,
                                            context.drugs)
    candidates.sort(key=lambda c: c.order)
    refuting.sort(key=lambda item: (
        0 if item[0].where in IN_TUMOR_TYPE else 1,
        _LEVEL_ORDER.find(item[1].evidence.level or "E"),
    ))

    reasons: list[Reason] = []
    if candidates:
        best = candidates[0]
        tier, level = best.grade.tier, best.grade.level
        reasons.append(Reason("decided_by", _describe(best, diagnosis), best.match))
        shown = {best.match.evidence.id}
        approvals = int(best.match.evidence.kind == "approval")
        for candidate in candidates[1:]:  # a few approvals, then the knowledge bases' items
            is_approval = candidate.match.evidence.kind == "approval"
            if (candidate.match.evidence.id in shown or len(shown) >= _REASONS_SHOWN
                    or (is_approval and approvals >= _APPROVALS_SHOWN)):
                continue
            shown.add(candidate.match.evidence.id)
            approvals += is_approval
            reasons.append(Reason("also", _describe(candidate, diagnosis), candidate.match))
    else:
        tier, level = (Tier.IV, "") if benign else (Tier.III, "")
        if benign:
            reasons.append(Reason("benign", f"IV: {benign}"))
        elif refuting or set_apart:
            reasons.append(Reason(
                "no_evidence",
                f"III: the evidence for {alteration.label} does not support a clinical "
                "significance in this tumor type (listed below); no benign evidence either",
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
    reasons += _set_apart_reasons(set_apart)
    for _, match in refuting[:3]:
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
        reasons.append(_hotspot_reason(hotspot))
    if alteration.estimate and tier in (Tier.IA, Tier.IB):
        # a value computed from the calls is not the validated test a label or guideline asks
        reasons.insert(0, Reason("estimate", f"IIC: {alteration.label} is an estimate from the "
                                 "calls, not the validated assay the evidence rests on "
                                 f"(would be {tier.value}); confirm it"))
        tier, level = Tier.IIC, "C"
        candidates = [replace(c, grade=replace(c.grade, tier=Tier.IIC, level="C"))
                      if c.grade.tier in (Tier.IA, Tier.IB) else c for c in candidates]
    counted_items = [Counted(c.grade, c.match, c.order) for c in candidates]
    therapies = therapy_lines(counted_items, context.drugs, germline_only)
    flags = []
    hereditary = _hereditary(alteration, tier)
    if hereditary:
        flags.append(hereditary)
    if alteration.estimate:
        flags.append(f"{alteration.label}: computed from the calls, not a validated assay; "
                     "confirm it (MSI: MMR immunohistochemistry or MSI PCR)")
    if germline_only:
        drugs = ", ".join(sorted({_therapy_name(e) for e in germline_only}))
        flags.append(f"germline testing needed: the {drugs} approval requires a germline "
                     "variant")
    return TierCall(tier, level, tuple(reasons), therapies, tuple(flags))


# Genes whose pathogenic variants guidelines test in the germline when a tumor carries one
# (NCCN/ESMO: homologous recombination and mismatch repair genes).
HEREDITARY_GENES = frozenset({"BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2", "RAD51C", "RAD51D",
                              "BRIP1", "MLH1", "MSH2", "MSH6", "PMS2", "EPCAM"})


def _hereditary(alteration: Alteration, tier: Tier) -> str:
    """'germline testing needed' for a likely pathogenic finding in a hereditary cancer gene
    that is not shown to be germline (a tumor-only call may be inherited; family members and
    PARP-inhibitor labels depend on it)."""
    if alteration.germline or alteration.gene not in HEREDITARY_GENES or tier == Tier.IV:
        return ""
    damaging = bool(alteration.consequences & TRUNCATING) or alteration.cnv_call == "deep_deletion"
    if not damaging and tier not in (Tier.IA, Tier.IB, Tier.IIC):
        return ""
    return (f"germline testing needed: {alteration.gene} is a hereditary cancer gene and this "
            "finding is not shown to be germline")


def _unmatched(alteration: Alteration, hotspot: Hotspot | None, notes: Sequence[str]) -> TierCall:
    benign = _benign(alteration)
    if benign:
        reasons = [Reason("benign", f"IV: {benign}")]
    else:
        reasons = [Reason("no_evidence", f"III: no clinical evidence for {alteration.label} in the "
                          "knowledge bases (exact allele, protein change, codon, exon and gene "
                          "classes checked)")]
    reasons += [Reason("note", text) for text in notes]
    if hotspot is not None:
        reasons.append(_hotspot_reason(hotspot))
    tier = Tier.IV if benign else Tier.III
    flag = _hereditary(alteration, tier)
    return TierCall(tier, "", tuple(reasons), (), (flag,) if flag else ())


def _hotspot_reason(hotspot: Hotspot) -> Reason:
    top = ", ".join(f"{name} {count}" for name, count in hotspot.tumor_types[:3])
    exact = f", {hotspot.variant_samples} with this change" if hotspot.variant_samples else ""
    return Reason(
        "hotspot",
        f"Cancer Hotspots: {hotspot.gene} {hotspot.residue} ({hotspot.kind}) mutated in "
        f"{hotspot.samples} tumors{exact}" + (f"; most often {top}" if top else ""),
    )


def _set_apart_reasons(set_apart: list[tuple[str, Match, Place]]) -> list[Reason]:
    """One reason per rule that set counted kinds of items aside, with the first examples."""
    by_why: dict[str, list[Match]] = {}
    for why, match, _ in set_apart:
        by_why.setdefault(why, []).append(match)
    reasons = []
    for why, found in list(by_why.items())[:6]:
        ids = ", ".join(m.evidence.id for m in found[:3]) + (
            f" and {len(found) - 3} more" if len(found) > 3 else "")
        reasons.append(Reason("not_counted", f"not counted: {ids}: {why}", found[0]))
    return reasons
