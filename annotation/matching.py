"""Which CIViC entries a case's alterations reach, and at which granularity.

From most to least specific: exact genomic allele; exact protein change (any spelling);
codon (KRAS G12); exon class (EGFR exon 19 deletion); gene-level classes applied only where
the variant fits them (see below); fusion by partner pair, then by gene; copy number by gene.

Gene-level classes are where tiers go wrong most easily, so they have rules:
- "Loss-of-function" (Loss, Truncating, Inactivating): truncating variants (stop gained,
  frameshift, splice donor/acceptor, start lost) and deep deletions.
- "Mutation" from a truncating variant or a deep deletion only in genes where CIViC lists loss
  of function or deletion as relevant (BRCA2, PTEN): a truncated IDH1, PIK3CA or KIT is not the
  activated oncogene their "Mutation" evidence is about.
- "Mutation" and "Activating mutation" for other protein changes: only at a Cancer Hotspots
  residue (recurrent in tumors, so probably a driver). A missense variant of unknown
  significance does not inherit "PIK3CA Mutation" level-A evidence, and neither does a change
  CIViC lists for another reason (BCL2 G101V, a resistance mutation); the result says so.
- Nothing rolls up from a variant seen in >= 1 % of the population (a polymorphism), unless the
  matched normal shows it is somatic.
- "ITD" / "Internal duplication": in-frame insertions and duplications.
- Exon "Mutation" classes (KIT exon 11 mutation) take hotspot changes and in-frame indels, and
  truncating or splice-site variants only in loss-of-function genes. "Exon N skipping" needs a
  splice donor/acceptor variant at exon N's own junctions (acceptor in intron N-1, donor in
  intron N), not any splice-region change.
- Fusions: an ordered fusion (5'::3') matches CIViC pairs in the same order only, and a
  gene-level "Fusion" applies to a partner only at the end CIViC's fusions of that gene keep
  (ALK 3', FGFR3 5'): NTRK1::TPM3 does not keep the NTRK1 kinase. Breakpoint pairs from SVs have
  no known order and match both ways, saying so.
Multi-variant profiles count when the whole case satisfies them. An AND profile missing only a
fusion that the case's files cannot show (no fusion data given) counts when CIViC lists that
fusion as diagnostic for the case's diagnosis ("ABL1 BCR::ABL1 AND ABL1 T315I" in CML), with
the assumption stated in its reasons; otherwise it is reported, never tiered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from annotation import proteins as names
from annotation.model import COMMON_AF, Alteration, Diagnosis, Granularity, Hotspot, Match
from annotation.sources.civic.knowledge import CivicKnowledge, Entry, Profile, evaluate, has_not
from mtb.sequence import NONSYNONYMOUS

TRUNCATING = frozenset({
    "stop_gained", "frameshift_variant", "splice_acceptor_variant", "splice_donor_variant",
    "start_lost", "transcript_ablation",
})
SPLICE_SITE = frozenset({
    "splice_acceptor_variant", "splice_donor_variant", "splice_donor_5th_base_variant",
})
SPLICE = SPLICE_SITE | frozenset({
    "splice_region_variant", "splice_donor_region_variant", "splice_polypyrimidine_tract_variant",
})
_CODON_CONSEQUENCES = frozenset({
    "missense_variant", "protein_altering_variant", "inframe_deletion", "inframe_insertion",
})
_INFRAME = frozenset({"inframe_deletion", "inframe_insertion"})
PROTEIN_ALTERING = NONSYNONYMOUS | SPLICE_SITE
Reached = list[tuple[Entry, Granularity]]


@dataclass
class CaseMatches:
    """Matches of one alteration, and what was considered but not applied (for the reasons)."""

    matches: list[Match] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # gene-level evidence not applied, why
    partial: list[str] = field(default_factory=list)  # AND profiles satisfied only in part


def _common(alteration: Alteration) -> bool:
    """Seen in >= 1 % of the population and not shown to be somatic by the matched normal."""
    return (
        alteration.population_af is not None
        and alteration.population_af >= COMMON_AF
        and not alteration.somatic
    )


_RANGE = re.compile(r"^[A-Z*](\d+)(?:_[A-Z*](\d+))?(DELINS|DEL|INS|DUP)([A-Z*]*)$")


def indel_kind(protein: str) -> str:
    """'deletion', 'insertion' (incl. duplications and net-inserting delins) or '' for a
    canonical protein change: N771DELINSGY inserts, L747_P753DELINSS deletes."""
    match = _RANGE.match(protein)
    if not match:
        return ""
    first, last, word, inserted = match.groups()
    if word == "DEL":
        return "deletion"
    if word in ("INS", "DUP"):
        return "insertion"
    removed = int(last or first) - int(first) + 1
    return "insertion" if len(inserted) > removed else "deletion" if len(inserted) < removed \
        else ""


def _small_entries(
    alteration: Alteration, knowledge: CivicKnowledge, hotspot: Hotspot | None, result: CaseMatches
) -> Reached:
    gene = alteration.gene
    found: Reached = []
    if alteration.genomic is not None:
        for entry in knowledge.genomic.get(alteration.genomic, ()):
            found.append((entry, Granularity.EXACT_GENOMIC))
    if gene not in knowledge.genes:  # most genes of an exome are in no CIViC entry
        return found
    if alteration.protein:
        for entry in knowledge.exact.get((gene, alteration.protein), ()):
            found.append((entry, Granularity.EXACT_PROTEIN))
    if alteration.hgvsc:
        for entry in knowledge.hgvsc.get((gene, alteration.hgvsc.lower()), ()):
            found.append((entry, Granularity.EXACT_PROTEIN))
    consequences = alteration.consequences
    if alteration.position is not None and consequences & _CODON_CONSEQUENCES:
        for entry in knowledge.codon.get((gene, alteration.position), ()):
            expected = {r for r, p in entry.name_class.codons if p == alteration.position}
            if not alteration.ref_residue or alteration.ref_residue in expected:
                found.append((entry, Granularity.CODON))
    loss_relevant = gene in knowledge.loss_genes
    for entry in knowledge.exon.get(gene, ()):
        if not _fits_exon(alteration, entry.name_class):
            continue
        if entry.name_class.change == "mutation" and not _likely_driver(
            alteration, hotspot, loss_relevant
        ):
            result.withheld.append(
                f"exon-level '{entry.variant.full_name}' evidence not applied: "
                f"{alteration.label} is neither a hotspot change nor an in-frame indel"
            )
            continue
        found.append((entry, Granularity.EXON))
    if _common(alteration):
        if any(knowledge.gene_class.get((gene, c)) for c in (names.MUTATION, names.LOSS)):
            result.withheld.append(
                f"gene-level {gene} evidence not applied: population allele frequency "
                f"{alteration.population_af:.3g} >= {COMMON_AF:g} (a polymorphism)"
            )
        return found
    classes = []
    last_exon = (alteration.exon is not None and alteration.exon == alteration.exon_count
                 and "frameshift_variant" in consequences)
    if consequences & TRUNCATING:
        classes.append(names.LOSS)
        if loss_relevant or last_exon:  # last exon: escapes decay (CALR exon 9, NPM1)
            classes.append(names.MUTATION)
        elif knowledge.gene_class.get((gene, names.MUTATION)):
            result.withheld.append(
                f"gene-level '{gene} Mutation' evidence not applied: {alteration.label} "
                f"truncates {gene}, and CIViC lists no loss of function for {gene}"
            )
    elif consequences & PROTEIN_ALTERING and hotspot is not None:
        classes += [names.MUTATION, names.GAIN]
        if loss_relevant:  # a recurrent missense change of a tumor suppressor (TP53 R175H)
            classes.append(names.LOSS)
    elif consequences & PROTEIN_ALTERING:
        for change in (names.MUTATION, names.GAIN):
            if knowledge.gene_class.get((gene, change)):
                label = "Mutation" if change == names.MUTATION else "Activating mutation"
                result.withheld.append(
                    f"gene-level '{gene} {label}' evidence not applied: "
                    f"{alteration.label} is not truncating and not at a cancer hotspot"
                )
    if "inframe_insertion" in consequences or indel_kind(alteration.protein) == "insertion":
        classes.append(names.ITD)
    for change in classes:
        for entry in knowledge.gene_class.get((gene, change), ()):
            found.append((entry, Granularity.GENE_CLASS))
    return found


def _likely_driver(alteration: Alteration, hotspot: Hotspot | None, loss_relevant: bool) -> bool:
    """For broad exon classes ('KIT Exon 11 Mutation'): a hotspot change or an in-frame indel
    (the oncogenic exon clusters); truncating or splice-site variants only where loss of
    function is the relevant mechanism; and a frameshift in the gene's last exon, which escapes
    nonsense-mediated decay and is how NPM1 (exon 11) and CALR (exon 9) gain function. Not any
    missense or synonymous change in the exon."""
    consequences = alteration.consequences
    last_exon = (alteration.exon is not None and alteration.exon == alteration.exon_count
                 and "frameshift_variant" in consequences)
    return (
        hotspot is not None
        or bool(consequences & _INFRAME)
        or last_exon
        or (loss_relevant and bool(consequences & (TRUNCATING | SPLICE_SITE)))
    )


def _fits_exon(alteration: Alteration, name_class: names.NameClass) -> bool:
    consequences = alteration.consequences
    change = name_class.change
    exons = set(name_class.exons)
    if change == "skipping":  # the exon's own junctions: acceptor in intron N-1, donor in N
        if not consequences & SPLICE_SITE:
            return False
        acceptor_side = {e - 1 for e in exons}
        if "splice_acceptor_variant" in consequences:
            return alteration.intron in acceptor_side or alteration.exon in exons
        return alteration.intron in exons or alteration.exon in exons
    if alteration.exon not in exons:
        return False
    if change == "frameshift" or "frameshift_variant" in consequences:
        return "frameshift_variant" in consequences and change in ("frameshift", "mutation")
    kind = indel_kind(alteration.protein)
    if change == "deletion":
        return kind == "deletion" or (not kind and "inframe_deletion" in consequences)
    if change == "insertion":
        return kind == "insertion" or (not kind and "inframe_insertion" in consequences)
    return bool(consequences & PROTEIN_ALTERING)  # "mutation"


def _cnv_entries(alteration: Alteration, knowledge: CivicKnowledge) -> Reached:
    """Amplification for amplified segments; Deletion and Loss(-of-function) for deep
    deletions (and Mutation where loss of function is what CIViC's evidence is about); a
    one-copy loss matches nothing."""
    gene = alteration.gene
    entries: list[Entry] = []
    if alteration.cnv_call == "amplification":
        entries += knowledge.cnv.get((gene, names.AMPLIFICATION), [])
    elif alteration.cnv_call == "deep_deletion":
        entries += knowledge.cnv.get((gene, names.DELETION), [])
        entries += knowledge.gene_class.get((gene, names.LOSS), [])
        if gene in knowledge.loss_genes:
            entries += knowledge.gene_class.get((gene, names.MUTATION), [])
    return [(entry, Granularity.CNV_GENE) for entry in entries]


def _fusion_entries(
    alteration: Alteration, knowledge: CivicKnowledge, result: CaseMatches
) -> Reached:
    five, three = alteration.partner5, alteration.partner3
    partners = frozenset(p for p in (five, three) if p)
    found: Reached = []
    for entry in knowledge.pair.get(partners, ()):
        civic5, civic3 = entry.name_class.partners
        if alteration.ordered and (civic5, civic3) != (five, three):
            result.withheld.append(
                f"CIViC '{civic5}::{civic3}' not applied: this fusion is {five}::{three} "
                "(the partners' order is reversed)"
            )
            continue
        found.append((entry, Granularity.FUSION_PAIR))
    for gene in sorted(partners):
        entries = knowledge.fusion_any.get(gene, [])
        side = knowledge.fusion_side.get(gene, "")
        here = "5" if gene == five else "3"
        if entries and alteration.ordered and side and side != here:
            result.withheld.append(
                f"gene-level '{gene} Fusion' not applied: {gene} is the {here}' partner of "
                f"{five}::{three}; CIViC's {gene} fusions keep {gene} at the {side}' end"
            )
            continue
        found += [(entry, Granularity.FUSION_GENE) for entry in entries]
    if found and not alteration.ordered:
        result.withheld.append(
            f"{alteration.label}: partner order unknown (breakpoints only); matched either way"
        )
    return found


def with_kb_protein(alteration: Alteration, knowledge: CivicKnowledge) -> Alteration:
    """An unannotated variant that sits exactly on a CIViC allele takes CIViC's protein change
    (the coordinates are the knowledge base's own), so that codon and gene classes apply too."""
    if alteration.protein or alteration.genomic is None:
        return alteration
    for entry in knowledge.genomic.get(alteration.genomic, ()):
        if entry.name_class.kind == names.EXACT and len(entry.name_class.proteins) == 1:
            protein = entry.name_class.proteins[0]
            start = names.protein_start(protein)
            consequences = set(alteration.consequences)
            if protein.endswith("*"):
                consequences.add("stop_gained")
            elif start and len(protein) == len(f"{start[0]}{start[1]}") + 1:
                consequences.add("missense_variant")
            return replace(
                alteration,
                protein=protein,
                hgvsp=f"p.{protein}",
                position=start[1] if start else None,
                ref_residue=start[0] if start else "",
                consequences=frozenset(consequences),
                label=f"{alteration.gene} p.{protein}",
                notes=(*alteration.notes,
                       f"protein change {protein} from CIViC's coordinates "
                       f"(variant {entry.variant.id})"),
            )
    return alteration


def entries_for(
    alteration: Alteration, knowledge: CivicKnowledge, hotspot: Hotspot | None
) -> tuple[list[tuple[Entry, Granularity]], CaseMatches]:
    """CIViC variants this alteration reaches, with the granularity of each."""
    result = CaseMatches()
    if alteration.kind == "small":
        entries = _small_entries(alteration, knowledge, hotspot, result)
    elif alteration.kind == "cnv":
        entries = _cnv_entries(alteration, knowledge)
    elif alteration.kind == "biomarker":
        entries = [(entry, Granularity.BIOMARKER) for entry in
                   knowledge.biomarker.get((alteration.gene, alteration.biomarker), ())]
    else:
        entries = _fusion_entries(alteration, knowledge, result)
    if not entries:
        return entries, result
    unique: dict[int, tuple[Entry, Granularity]] = {}
    for entry, granularity in entries:
        best = unique.get(entry.variant.id)
        if best is None or granularity.rank < best[1].rank:
            unique[entry.variant.id] = (entry, granularity)
    return sorted(unique.values(), key=lambda item: item[1].rank), result


_FUSION_KINDS = (names.FUSION_PAIR, names.FUSION_ANY)


def _defines(knowledge: CivicKnowledge, variant_id: int, diagnosis: Diagnosis | None) -> bool:
    """Whether CIViC lists the variant as diagnostic (positive, level A/B) for the diagnosis or
    a parent of it: BCR::ABL1 for chronic myeloid leukemia."""
    if diagnosis is None or not diagnosis.known:
        return False
    variant = knowledge.variants[variant_id]
    if variant.single_profile is None:
        return False
    lineage = set(diagnosis.lineage) - {"DOID:162"}
    return any(
        item.evidence_type == "Diagnostic" and item.significance == "Positive"
        and item.direction == "Supports" and item.level in ("A", "B") and item.doid in lineage
        for item in knowledge.evidence.get(variant.single_profile, ())
    )


def _assumable(
    profile: Profile,
    present: set[int],
    kinds: set[str],
    knowledge: CivicKnowledge,
    diagnosis: Diagnosis | None,
) -> tuple[str, ...]:
    """Missing fusion operands of an AND profile that the case's files cannot show and that
    define the diagnosis, if assuming them satisfies it (no NOT involved); () otherwise."""
    expression = profile.expression
    if expression is None or has_not(expression) or "fusion" in kinds:
        return ()
    missing = [v for v in profile.variant_ids if v not in present]
    if not missing or not all(
        v in knowledge.classes and knowledge.classes[v].kind in _FUSION_KINDS
        and _defines(knowledge, v, diagnosis)
        for v in missing
    ):
        return ()
    if evaluate(expression, present | set(missing)):
        return tuple(knowledge.variants[v].full_name for v in missing)
    return ()


def match_case(
    alterations: Sequence[Alteration],
    knowledge: CivicKnowledge,
    hotspots: Sequence[Hotspot | None],
    diagnosis: Diagnosis | None = None,
) -> list[CaseMatches]:
    """Matches for every alteration of a case (multi-variant profiles need the whole case)."""
    reached = [entries_for(a, knowledge, h) for a, h in zip(alterations, hotspots, strict=True)]
    present = {entry.variant.id for entries, _ in reached for entry, _ in entries}
    kinds = {alteration.kind for alteration in alterations}
    results = []
    for entries, result in reached:
        seen_profiles: set[int] = set()
        for entry, granularity in entries:
            for profile in knowledge.profiles_for(entry.variant.id):
                if profile.id in seen_profiles:
                    continue
                seen_profiles.add(profile.id)
                items = knowledge.evidence.get(profile.id, []) + knowledge.assertions.get(
                    profile.id, []
                )
                if not items:
                    continue
                satisfied = profile.expression is not None and evaluate(profile.expression, present)
                assumed: tuple[str, ...] = ()
                if profile.compound and not satisfied:
                    assumed = _assumable(profile, present, kinds, knowledge, diagnosis)
                    if not assumed:
                        if profile.expression is not None and profile.expression[0] == "and":
                            missing = [
                                knowledge.variants[v].full_name for v in profile.variant_ids
                                if v not in present and v in knowledge.variants
                            ]
                            result.partial.append(
                                f"CIViC profile '{profile.name}' ({len(items)} items) also "
                                f"needs {', '.join(missing)}, not found in this case"
                            )
                        continue
                for item in items:
                    result.matches.append(Match(
                        item, granularity, profile.name, compound=profile.compound,
                        assumes=assumed,
                    ))
        results.append(result)
    return results
