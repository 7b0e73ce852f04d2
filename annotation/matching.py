"""Which CIViC entries a case's alterations reach, and at which granularity.

From most to least specific: exact genomic allele; exact protein change (any spelling);
codon (KRAS G12); exon class (EGFR exon 19 deletion); gene-level classes applied only where
the variant fits them (see below); fusion by partner pair, then by gene; copy number by gene.

Gene-level classes are where tiers go wrong most easily, so they have rules:
- "Loss-of-function" (Loss, Truncating, Inactivating) and "Mutation": truncating variants
  (stop gained, frameshift, splice donor/acceptor, start lost) and deep deletions.
- "Mutation" and "Activating mutation" for other protein changes: only at a Cancer Hotspots
  residue (recurrent in tumors, so probably a driver). A missense variant of unknown
  significance does not inherit "PIK3CA Mutation" level-A evidence, and neither does a change
  CIViC lists for another reason (BCL2 G101V, a resistance mutation); the result says so.
- Nothing rolls up from a variant seen in >= 1 % of the population (a polymorphism).
- "ITD" / "Internal duplication": in-frame insertions and duplications.
- Exon "Mutation" classes (KIT exon 11 mutation) likewise take truncating and splice variants,
  in-frame indels and hotspot changes, not any missense change in the exon.
Multi-variant profiles count when the whole case satisfies them. An AND profile whose missing
part is of a kind the case's files cannot show (a fusion when no fusion data was given, a copy
number when no CNV data was given — "ABL1 BCR::ABL1 AND ABL1 T315I" for a CML case with only a
VCF) counts with that assumption stated in its reasons; one missing a part the files could
have shown is reported, never tiered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from annotation import proteins as names
from annotation.knowledge import CivicKnowledge, Entry, Profile, evaluate, has_not
from annotation.model import Alteration, Granularity, Hotspot, Match
from mtb.ingest.consequences import NONSYNONYMOUS

COMMON_AF = 0.01  # population allele frequency from which a variant is treated as a polymorphism

TRUNCATING = frozenset({
    "stop_gained", "frameshift_variant", "splice_acceptor_variant", "splice_donor_variant",
    "start_lost", "transcript_ablation",
})
SPLICE = frozenset({
    "splice_acceptor_variant", "splice_donor_variant", "splice_region_variant",
    "splice_donor_5th_base_variant", "splice_donor_region_variant",
    "splice_polypyrimidine_tract_variant",
})
_CODON_CONSEQUENCES = frozenset({
    "missense_variant", "stop_gained", "protein_altering_variant", "inframe_deletion",
    "inframe_insertion", "start_lost", "stop_lost",
})
PROTEIN_ALTERING = NONSYNONYMOUS | SPLICE


@dataclass
class CaseMatches:
    """Matches of one alteration, and what was considered but not applied (for the reasons)."""

    matches: list[Match] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # gene-level evidence not applied, why
    partial: list[str] = field(default_factory=list)  # AND profiles satisfied only in part


def _common(alteration: Alteration) -> bool:
    return alteration.population_af is not None and alteration.population_af >= COMMON_AF


def _small_entries(
    alteration: Alteration, knowledge: CivicKnowledge, hotspot: Hotspot | None, result: CaseMatches
) -> list[tuple[Entry, Granularity]]:
    gene = alteration.gene
    found: list[tuple[Entry, Granularity]] = []
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
    for entry in knowledge.exon.get(gene, ()):
        if not _fits_exon(alteration, entry.name_class):
            continue
        if entry.name_class.change == "mutation" and not _likely_driver(alteration, hotspot):
            result.withheld.append(
                f"exon-level '{entry.variant.full_name}' evidence not applied: "
                f"{alteration.label} is a missense change at no cancer hotspot"
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
    truncating = bool(consequences & TRUNCATING)
    protein_altering = bool(consequences & PROTEIN_ALTERING)
    classes = []
    if truncating:
        classes += [names.LOSS, names.MUTATION]
    elif protein_altering and hotspot is not None:
        classes += [names.MUTATION, names.GAIN]
    elif protein_altering:
        for change in (names.MUTATION, names.GAIN):
            if knowledge.gene_class.get((gene, change)):
                label = "Mutation" if change == names.MUTATION else "Activating mutation"
                result.withheld.append(
                    f"gene-level '{gene} {label}' evidence not applied: "
                    f"{alteration.label} is not truncating and not at a cancer hotspot"
                )
    if consequences & {"inframe_insertion"} or "DUP" in alteration.protein or (
        "INS" in alteration.protein and "DELINS" not in alteration.protein
    ):
        classes.append(names.ITD)
    for change in classes:
        for entry in knowledge.gene_class.get((gene, change), ()):
            found.append((entry, Granularity.GENE_CLASS))
    return found


def _likely_driver(alteration: Alteration, hotspot: Hotspot | None) -> bool:
    """For broad classes ('KIT Exon 11 Mutation'): truncating, in-frame indels (the oncogenic
    exon clusters) or a cancer hotspot; not any missense change in the exon."""
    consequences = alteration.consequences
    return (
        hotspot is not None
        or bool(consequences & TRUNCATING)
        or bool(consequences & {"inframe_deletion", "inframe_insertion"})
        or bool(consequences & SPLICE)
    )


def _fits_exon(alteration: Alteration, name_class: names.NameClass) -> bool:
    consequences = alteration.consequences
    protein = alteration.protein
    change = name_class.change
    in_exon = alteration.exon in name_class.exons
    if change == "skipping":
        at_boundary = in_exon or alteration.intron in {e - 1 for e in name_class.exons} | set(
            name_class.exons
        )
        return bool(consequences & SPLICE) and at_boundary
    if not in_exon:
        return False
    if change == "deletion":
        return "frameshift_variant" not in consequences and (
            "inframe_deletion" in consequences or "DEL" in protein
        )
    if change == "insertion":
        return "frameshift_variant" not in consequences and (
            "inframe_insertion" in consequences
            or "DUP" in protein
            or ("INS" in protein and "DELINS" not in protein)
        )
    if change == "frameshift":
        return "frameshift_variant" in consequences
    return bool(consequences & PROTEIN_ALTERING)  # "mutation"


Reached = list[tuple[Entry, Granularity]]


def _cnv_entries(alteration: Alteration, knowledge: CivicKnowledge) -> Reached:
    """Amplification for amplified segments; Deletion, Loss(-of-function) and Mutation for deep
    deletions, which inactivate a gene like a truncating variant (a one-copy loss does not)."""
    gene = alteration.gene
    entries: list[Entry] = []
    if alteration.cnv_call == "amplification":
        entries += knowledge.cnv.get((gene, names.AMPLIFICATION), [])
    elif alteration.cnv_call == "deep_deletion":
        entries += knowledge.cnv.get((gene, names.DELETION), [])
        entries += knowledge.gene_class.get((gene, names.LOSS), [])
        entries += knowledge.gene_class.get((gene, names.MUTATION), [])
    return [(entry, Granularity.CNV_GENE) for entry in entries]


def _fusion_entries(alteration: Alteration, knowledge: CivicKnowledge) -> Reached:
    partners = frozenset(p for p in (alteration.partner5, alteration.partner3) if p)
    found = [(e, Granularity.FUSION_PAIR) for e in knowledge.pair.get(partners, ())]
    for gene in sorted(partners):
        found += [(e, Granularity.FUSION_GENE) for e in knowledge.fusion_any.get(gene, ())]
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
    else:
        entries = _fusion_entries(alteration, knowledge)
    if not entries:
        return entries, result
    unique: dict[int, tuple[Entry, Granularity]] = {}
    for entry, granularity in entries:
        best = unique.get(entry.variant.id)
        if best is None or granularity.rank < best[1].rank:
            unique[entry.variant.id] = (entry, granularity)
    return sorted(unique.values(), key=lambda item: item[1].rank), result


_FUSION_KINDS = (names.FUSION_PAIR, names.FUSION_ANY)


def _assumable(
    profile: Profile, present: set[int], kinds: set[str], knowledge: CivicKnowledge
) -> tuple[str, ...]:
    """Missing operands of an AND profile that the case's data cannot show, if assuming them
    satisfies it (no NOT involved); () otherwise."""
    expression = profile.expression
    if expression is None or has_not(expression):
        return ()
    unseen = [
        v for v in profile.variant_ids
        if v not in present and v in knowledge.classes and (
            (knowledge.classes[v].kind in _FUSION_KINDS and "fusion" not in kinds)
            or (knowledge.classes[v].kind == names.CNV and "cnv" not in kinds)
        )
    ]
    if unseen and evaluate(expression, present | set(unseen)):
        return tuple(knowledge.variants[v].full_name for v in unseen)
    return ()


def match_case(
    alterations: Sequence[Alteration],
    knowledge: CivicKnowledge,
    hotspots: Sequence[Hotspot | None],
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
                    assumed = _assumable(profile, present, kinds, knowledge)
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
