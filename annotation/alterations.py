"""Findings (ingest's variants, CNV segments, fusions) -> Alterations, the knowledge-base view.

A VEP/SnpEff-annotated variant brings its gene, consequence, exon and protein change. An
unannotated one gets gene, MANE transcript, exon/intron and splice distance from the MANE
tables (GRCh37 lifted to GRCh38 first), a consequence class from where it falls, and — only
with a reference FASTA — its protein change; otherwise the knowledge base's own coordinates
supply it later (annotation.matching.with_kb_protein). Each step is recorded in `notes`.
Copy-number segments become one Alteration per gene they cover; structural variants with genes
at both breakpoints become fusions whose partner order is unknown.
"""

from __future__ import annotations

import re
from pathlib import Path

from annotation.genes import GeneModel, Location
from annotation.hgvs import describe
from annotation.model import Alteration
from annotation.proteins import canonical_protein, protein_start
from mtb.variant import (
    TMB_HIGH,
    Biomarker,
    CopyNumber,
    Finding,
    Fusion,
    GenomeBuild,
    SmallVariant,
    StructuralVariant,
    TranscriptAnnotation,
    VariantType,
    allele_key,
)


def _number(text: str) -> int | None:
    """'19/28' -> 19 (VEP EXON/INTRON); '' -> None."""
    number = text.partition("/")[0]
    return int(number) if number.isdigit() else None


def _region_consequences(location: Location, variant: SmallVariant) -> set[str]:
    """Sequence Ontology terms from where an unannotated variant falls in its MANE transcript.

    Without a reference sequence the effect on a codon is unknown: coding SNVs are
    'coding_sequence_variant' (never counted as missense); indels are frame-shifting or not.
    """
    terms: set[str] = set()
    length_change = len(variant.alt) - len(variant.ref)
    if location.coding:
        if variant.variant_type in (VariantType.SNV, VariantType.MNV):
            terms.add("coding_sequence_variant")
        elif length_change % 3:
            terms.add("frameshift_variant")
        else:
            terms.add("inframe_insertion" if length_change > 0 else "inframe_deletion")
    if location.region == "splice_site":
        distance = location.splice_distance or 0
        terms.add("splice_donor_variant" if distance > 0 else "splice_acceptor_variant")
    elif location.region == "splice_region":
        terms.add("splice_region_variant")
    elif location.region == "intron":
        terms.add("intron_variant")
    elif location.region == "utr5":
        terms.add("5_prime_UTR_variant")
    elif location.region == "utr3":
        terms.add("3_prime_UTR_variant")
    return terms


SOMATIC_MIN_NORMAL_DEPTH = 20
SOMATIC_MAX_NORMAL_VAF = 0.02


def _somatic(variant: SmallVariant) -> bool:
    """The matched normal was covered (>= 20 reads) and showed at most one alt read (or a VAF
    <= 2 %): a common-polymorphism frequency then says nothing about this allele, which the
    patient did not inherit. Tumor-only calls are never 'somatic' here."""
    depth = variant.normal_depth
    if depth is None or depth < SOMATIC_MIN_NORMAL_DEPTH:
        return False
    if variant.normal_alt is not None:
        return variant.normal_alt <= 1
    return variant.normal_vaf is not None and variant.normal_vaf <= SOMATIC_MAX_NORMAL_VAF


GERMLINE_MIN_NORMAL_VAF = 0.2
GERMLINE_MIN_NORMAL_DEPTH = 10


def _germline(variant: SmallVariant) -> bool:
    """The matched normal carries the allele (>= 10 reads, VAF >= 20 %): an inherited variant,
    which is what germline-only labels (olaparib in breast and pancreatic cancer) require."""
    depth, vaf = variant.normal_depth, variant.normal_vaf
    return (depth is not None and depth >= GERMLINE_MIN_NORMAL_DEPTH and vaf is not None
            and vaf >= GERMLINE_MIN_NORMAL_VAF)


# consequences for which exon, intron, codon or splice distance decide a match
_PLACED = frozenset({
    "missense_variant", "stop_gained", "stop_lost", "start_lost", "frameshift_variant",
    "inframe_insertion", "inframe_deletion", "protein_altering_variant", "synonymous_variant",
    "coding_sequence_variant", "splice_acceptor_variant", "splice_donor_variant",
    "splice_donor_5th_base_variant", "splice_region_variant", "splice_donor_region_variant",
    "splice_polypyrimidine_tract_variant",
})
_CODING = _PLACED - {"splice_acceptor_variant", "splice_donor_variant", "splice_region_variant",
                     "splice_donor_5th_base_variant", "splice_donor_region_variant",
                     "splice_polypyrimidine_tract_variant"}
# first-position changes that keep the residue in some codons (Leu CTN/TTR, Arg CGN/AGR)
_SILENT_FIRST = frozenset({("C", "T"), ("T", "C"), ("C", "A"), ("A", "C")})
_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def _codon_effect(location: Location, variant: SmallVariant) -> set[str]:
    """What an SNV does to its codon, from the codon position alone (no reference): every
    change of a codon's second base changes the residue, and so does every first-base change
    but C<->T and C<->A (Leu, Arg); third-base changes are often silent: unknown."""
    if location.cds_position is None or len(variant.ref) != 1 or len(variant.alt) != 1:
        return {"coding_sequence_variant"}
    phase = (location.cds_position - 1) % 3
    ref, alt = variant.ref.upper(), variant.alt.upper()
    if location.strand == "-":
        ref, alt = ref.translate(_COMPLEMENT), alt.translate(_COMPLEMENT)
    if phase == 1 or (phase == 0 and (ref, alt) not in _SILENT_FIRST):
        return {"protein_altering_variant"}
    return {"coding_sequence_variant"}


def _mane_fills(ann: TranscriptAnnotation) -> bool:
    """Whether a VEP/SnpEff annotation lacks what matching needs: exon/intron numbers (VEP
    writes them only with --numbers) or, for a coding change, the protein position."""
    consequences = set(ann.consequence)
    if not consequences & _PLACED:
        return False
    return (not ann.exon and not ann.intron) or (
        bool(consequences & _CODING) and not ann.protein_position)


def _small(
    variant: SmallVariant, build: GenomeBuild, genes: GeneModel | None, reference: Path | None
) -> Alteration:
    genomic = (
        (build.value, variant.norm_chrom, *allele_key(variant.pos, variant.ref, variant.alt))
        if build is not GenomeBuild.UNKNOWN else None
    )
    ann: TranscriptAnnotation | None = variant.annotation
    notes: list[str] = []
    filled: list[str] = []  # what MANE supplied that the VCF's annotation lacked
    location = described = None
    if genes is not None and genomic is not None and (
        ann is None or not ann.gene or not (ann.mane_select or ann.canonical) or _mane_fills(ann)
    ):
        location = genes.locate(build, variant.chrom, variant.pos, variant.ref, variant.alt)
    position: int | None = None
    if ann is not None and ann.gene:
        gene = ann.gene
        hgvsp = ann.hgvsp
        consequences = set(ann.consequence)
        exon, intron = _number(ann.exon), _number(ann.intron)
        population_af, clin_sig, hgvsc = ann.max_af, ann.clin_sig, ann.hgvsc
        transcript, splice_distance = ann.transcript, None
        if location is not None and location.gene == gene:
            mane = f"MANE {location.transcript}"
            if exon is None and intron is None:
                exon, intron = location.exon, location.intron
                filled.append("exon/intron")
                notes.append(f"{_place(location)} from {mane} (the VCF's annotation gives no "
                             "exon or intron number)")
            elif location.exon != exon:
                notes.append(f"exon {location.exon} of {mane} (the VCF's {ann.transcript} says "
                             f"{exon})")
                exon, intron = location.exon, location.intron
            splice_distance = location.splice_distance
            if not ann.protein_position and location.codon and consequences & _CODING:
                position = location.codon
                filled.append("codon")
                notes.append(f"codon {location.codon} from {mane} (the VCF's annotation gives "
                             "no protein position)")
        if not hgvsp and reference is not None and genes is not None and genomic is not None:
            computed = describe(genes, build, variant.chrom, variant.pos, variant.ref,
                                variant.alt, reference)
            if computed is not None and computed.gene == gene and computed.hgvsp:
                hgvsp, hgvsc = computed.hgvsp, hgvsc or computed.hgvsc
                notes.append(f"protein change {hgvsp} computed on MANE {computed.transcript} "
                             f"from {reference.name}")
    elif location is not None:
        gene = location.gene
        exon, intron = location.exon, location.intron
        transcript, splice_distance = location.transcript, location.splice_distance
        position = location.codon
        filled.append("gene")
        notes.append(
            f"gene, {_place(location)} and splice distance from MANE {location.transcript} "
            f"({location.refseq})" + (f", {location.liftover}" if location.liftover else "")
        )
        described = describe(genes, build, variant.chrom, variant.pos,  # type: ignore[arg-type]
                             variant.ref, variant.alt, reference)
        hgvsp, hgvsc, consequences = "", "", _region_consequences(location, variant)
        if described is not None:
            hgvsp, hgvsc, consequences = (described.hgvsp, described.hgvsc,
                                          set(described.consequences))
            notes += [described.warning] if described.warning else []
            if hgvsp and reference is not None:
                notes.append(f"protein change {hgvsp} computed from {reference.name}")
        if not hgvsp and "coding_sequence_variant" in consequences:
            consequences = (consequences - {"coding_sequence_variant"}) | _codon_effect(
                location, variant)
            if described is not None:
                described = described._replace(consequences=tuple(sorted(consequences)))
        population_af, clin_sig = None, ""
    else:
        gene, hgvsp, consequences, exon, intron = "", "", set(), None, None
        population_af, clin_sig, hgvsc = None, "", ""
        transcript, splice_distance = "", None
        if build is GenomeBuild.UNKNOWN:
            notes.append("genome build unknown: no gene placement or genomic match")
    protein = canonical_protein(hgvsp) if hgvsp else ""
    start = protein_start(protein) if protein else None
    if start is None and ann is not None and ann.protein_position:
        start = ("", ann.protein_position)
    if start is None and position is not None:
        start = ("", position)
    where = hgvsp or hgvsc or _where(gene, location, consequences) or \
        f"{variant.chrom}:{variant.pos} {variant.ref}>{variant.alt}"
    return Alteration(
        kind="small",
        gene=gene,
        label=described.label if described is not None and not hgvsp
        else f"{gene} {where}".strip(),
        protein=protein,
        hgvsp=hgvsp,
        hgvsc=hgvsc,
        position=start[1] if start else None,
        ref_residue=start[0] if start else "",
        consequences=frozenset(consequences),
        exon=exon,
        intron=intron,
        transcript=transcript,
        splice_distance=splice_distance,
        genomic=genomic,
        population_af=population_af,
        somatic=_somatic(variant),
        germline=_germline(variant),
        clinical_significance=clin_sig,
        notes=tuple(notes),
        exon_count=location.exon_count if location is not None else None,
        filled=tuple(filled),
    )


def _place(location: Location) -> str:
    if location.exon is not None:
        return f"exon {location.exon}"
    return f"intron {location.intron}" if location.intron is not None else "the transcript"


_EFFECT_WORDS = (("frameshift_variant", "frameshift"), ("inframe_deletion", "in-frame deletion"),
                 ("inframe_insertion", "in-frame insertion"),
                 ("splice_donor_variant", "splice donor"),
                 ("splice_acceptor_variant", "splice acceptor"),
                 ("protein_altering_variant", "amino-acid change"))


def _where(gene: str, location: Location | None, consequences: set[str]) -> str:
    """'exon 4, codon 73, frameshift': where an unannotated variant sits when no protein change
    is known (cards must not show bare coordinates)."""
    if location is None or not gene:
        return ""
    parts = [_place(location)]
    if location.codon is not None:
        parts.append(f"codon {location.codon}")
    elif location.splice_distance is not None:
        parts.append(f"splice {location.splice_distance:+d}")
    effect = next((word for term, word in _EFFECT_WORDS if term in consequences), "")
    return ", ".join([*parts, effect] if effect else parts)


def _copy_number(
    segment: CopyNumber, build: GenomeBuild, genes: GeneModel | None
) -> list[Alteration]:
    call = segment.call
    cn = f"CN {segment.copy_number:.3g}" if segment.copy_number is not None else segment.svtype
    covered = list(segment.genes)
    if not covered and genes is not None and build is not GenomeBuild.UNKNOWN:
        covered = genes.genes_in(build, segment.chrom, segment.start, segment.end)
    basis = (segment.basis,)
    if not covered:
        reason = "genome build unknown" if build is GenomeBuild.UNKNOWN else "no genes covered"
        return [Alteration(kind="cnv", gene="", label=f"{call} ({cn}), {reason}", cnv_call=call,
                           notes=basis)]
    return [
        Alteration(kind="cnv", gene=gene, label=f"{gene} {call.replace('_', ' ')} ({cn})",
                   cnv_call=call, notes=basis)
        for gene in covered
    ]


def _fusion(fusion: Fusion) -> Alteration:
    return Alteration(
        kind="fusion", gene=fusion.gene3, label=fusion.name,
        partner5=fusion.gene5, partner3=fusion.gene3,
    )


def _structural(
    sv: StructuralVariant, build: GenomeBuild, genes: GeneModel | None
) -> list[Alteration]:
    if genes is None or build is GenomeBuild.UNKNOWN:
        return []
    first = genes.gene_at(build, sv.chrom, sv.pos)
    second = genes.gene_at(build, sv.chrom2, sv.pos2)
    if not first or not second or first == second:
        return []
    return [Alteration(
        kind="fusion", gene=second, label=f"{first}/{second} rearrangement ({sv.sv_type})",
        partner5=first, partner3=second, ordered=False,
        notes=("partner genes from the breakpoints (MANE); their 5'/3' order is not known",),
    )]


def alterations_of(
    finding: Finding,
    build: GenomeBuild,
    genes: GeneModel | None,
    reference: Path | None = None,
) -> list[Alteration]:
    """The alterations a finding stands for (none for an SV that joins no two genes)."""
    if isinstance(finding, SmallVariant):
        return [_small(finding, build, genes, reference)]
    if isinstance(finding, CopyNumber):
        return _copy_number(finding, build, genes)
    if isinstance(finding, Fusion):
        return [_fusion(finding)]
    if isinstance(finding, Biomarker):
        return [Alteration(kind="biomarker", gene=finding.name, label=finding.label,
                           biomarker=finding.call, estimate=finding.estimate,
                           notes=(finding.source,) if finding.source else ())]
    return _structural(finding, build, genes)


# -- alterations written as text (lab reports, FHIR observations, tests) ----------------------

_EXON_TEXT = re.compile(r"^exon\s*(\d+)\s+(deletion|insertion|skipping|mutation)", re.I)
_FUSION_TEXT = re.compile(r"^([A-Za-z0-9.]+)\s*(?:--|::|-|/)\s*([A-Za-z0-9.]+)$")
_AMPLIFICATION = {"amp", "amplification", "amplified", "gain"}
# 'loss' alone is usually one copy lost (shallow); a deep deletion must say so
_DEEP_DELETION = {"homozygous deletion", "deep deletion", "deletion", "biallelic loss"}
_SHALLOW_LOSS = {"loss", "heterozygous deletion", "shallow deletion", "heterozygous loss"}
_EXON_CONSEQUENCE = {
    "deletion": {"inframe_deletion"},
    "insertion": {"inframe_insertion"},
    "skipping": {"splice_donor_variant", "splice_acceptor_variant"},
    "mutation": {"missense_variant"},
}


def _protein_consequences(protein: str) -> set[str]:
    """Consequence of a protein change written as text (no transcript to ask)."""
    if protein.endswith("FS"):
        return {"frameshift_variant"}
    if protein.endswith("*"):
        return {"stop_gained"}
    if protein.endswith("="):
        return {"synonymous_variant"}
    if "DEL" in protein and "DELINS" not in protein:
        return {"inframe_deletion"}
    if "DELINS" in protein:
        return {"inframe_deletion", "protein_altering_variant"}
    if "INS" in protein or "DUP" in protein:
        return {"inframe_insertion"}
    return {"missense_variant"}


_PROTEIN_IN_TEXT = re.compile(r"\bp\.\(?([A-Za-z]{1,3}\d+[A-Za-z0-9_*=?>]*)\)?")
_CODON_TEXT = re.compile(r"^codon\s*(\d+)\b", re.I)
_PARENTHESES = re.compile(r"\s*\(([^)]*)\)\s*")
_TMB_TEXT = re.compile(r"(?:tmb|tumou?r mutational burden)?[\s:=-]*(\d+(?:[.,]\d+)?)\s*"
                       r"(?:mut(?:ations)?\s*/\s*mb|muts?/mb)", re.I)
_MSI_HIGH = re.compile(r"\bmsi[- ]?h(?:igh)?\b|\bdmmr\b|mismatch repair[- ]deficien", re.I)
_MSI_STABLE = re.compile(r"\bmss\b|\bmsi[- ]?l(?:ow)?\b|\bpmmr\b|microsatellite stable", re.I)


def _biomarker(gene: str, raw: str) -> Alteration | None:
    """TMB, MSI and HRD written as text: 'TMB 14 mut/Mb', 'TMB-high', 'MSI-H', 'dMMR', 'MSS',
    'HRD-positive'."""
    lower = raw.lower()
    tmb = _TMB_TEXT.search(raw)
    if gene == "TMB" or tmb or lower.startswith("tmb"):
        if tmb:
            value = float(tmb.group(1).replace(",", "."))
            call = "high" if value >= TMB_HIGH else "low"
            return Alteration(kind="biomarker", gene="TMB", biomarker=call,
                              label=f"TMB {value:g} mut/Mb ({call})")
        call = "high" if "high" in lower or lower.endswith("-h") else "low"
        return Alteration(kind="biomarker", gene="TMB", biomarker=call, label=f"TMB {call}")
    if gene in ("MSI", "MMR") or _MSI_HIGH.search(raw) or _MSI_STABLE.search(raw):
        call = "high" if _MSI_HIGH.search(raw) else "stable"
        label = "MSI-high / dMMR" if call == "high" else "microsatellite stable"
        return Alteration(kind="biomarker", gene="MSI", biomarker=call, label=label)
    if gene == "HRD" or lower.startswith("hrd"):
        call = "positive" if "pos" in lower or "+" in lower else "negative"
        return Alteration(kind="biomarker", gene="HRD", biomarker=call, label=f"HRD {call}")
    return None


def _main_text(gene: str, raw: str) -> tuple[str, str]:
    """The change itself, and what parentheses held: 'c.2369C>T (p.T790M)' -> 'p.T790M';
    'ERBB2 amplification' -> 'amplification'; 'FGFR2::BICC1 fusion' -> 'FGFR2::BICC1'."""
    text = raw.strip()
    if text.upper().startswith(gene + " ") and gene:
        text = text[len(gene) + 1:].strip()
    protein = _PROTEIN_IN_TEXT.search(text)
    inside = " ".join(_PARENTHESES.findall(text))
    if protein:
        return f"p.{protein.group(1)}", inside
    text = _PARENTHESES.sub(" ", text).strip()
    text = re.sub(r"\s+(?:fusion|rearrangement|gene fusion)$", "", text, flags=re.I)
    return text, inside


def from_description(gene: str, text: str, genes: GeneModel | None = None) -> Alteration:
    """An Alteration from a gene and a change as labs write it: 'V600E', 'p.Val600Glu',
    'c.2369C>T (p.T790M)', 'G12' (a codon), 'codon 61', 'exon 19 deletion', 'amplification',
    'homozygous deletion', 'EML4-ALK', 'ITD', 'TMB 14 mut/Mb', 'MSI-H'. With the gene model, a
    protein position gets its MANE exon (so E746_A750del reaches the exon 19 class)."""
    gene = gene.strip().upper()
    biomarker = _biomarker(gene, text)
    if biomarker is not None:
        return biomarker
    raw, inside = _main_text(gene, text)
    lower = raw.lower()
    if lower in _AMPLIFICATION:
        return Alteration(kind="cnv", gene=gene, label=f"{gene} amplification",
                          cnv_call="amplification")
    if lower in _DEEP_DELETION:
        return Alteration(kind="cnv", gene=gene, label=f"{gene} deep deletion",
                          cnv_call="deep_deletion")
    if lower in _SHALLOW_LOSS:
        return Alteration(kind="cnv", gene=gene, label=f"{gene} loss", cnv_call="loss")
    if lower in ("fusion", "rearrangement", "fusions"):
        return Alteration(kind="fusion", gene=gene, label=f"{gene} fusion", partner3=gene,
                          ordered=False)
    fusion = _FUSION_TEXT.match(raw)
    if fusion and not re.match(r"^[A-Z]\d", raw.upper()):
        five, three = fusion.group(1).upper(), fusion.group(2).upper()
        return Alteration(kind="fusion", gene=three, label=f"{five}::{three}",
                          partner5=five, partner3=three)
    exon = _EXON_TEXT.match(raw)
    if exon:
        number, change = int(exon.group(1)), exon.group(2).lower()
        return Alteration(kind="small", gene=gene, label=f"{gene} exon {number} {change}",
                          exon=number, intron=number if change == "skipping" else None,
                          consequences=frozenset(_EXON_CONSEQUENCE[change]))
    if lower == "itd":
        return Alteration(kind="small", gene=gene, label=f"{gene} ITD", protein="ITD",
                          consequences=frozenset({"inframe_insertion"}))
    codon = _CODON_TEXT.match(raw)
    if codon:  # 'codon 61 mutation (Q61X)': any change there, the residue from the brackets
        residue = re.search(rf"\b([A-Z]){codon.group(1)}", inside)
        raw = f"{residue.group(1) if residue else ''}{codon.group(1)}"
    protein = canonical_protein(raw)
    if re.fullmatch(r"[A-Z*]\d+X", protein):  # R233X in a report means a stop
        protein = protein[:-1] + "*"
    start = protein_start(protein)
    consequences = _protein_consequences(protein)
    if (start and re.fullmatch(r"[A-Z]\d+", protein)) or (codon and not start):
        consequences = {"missense_variant"}  # a codon: any change there
    if codon and not start:
        start = ("", int(codon.group(1)))
    exon_number = (
        genes.exon_of_codon(gene, start[1]) if genes is not None and start else None
    )
    return Alteration(
        kind="small", gene=gene, label=f"{gene} p.{protein}" if start else f"{gene} {raw}",
        protein=protein, hgvsp=f"p.{protein}" if start and protein else "",
        position=start[1] if start else None, ref_residue=start[0] if start else "",
        consequences=frozenset(consequences), exon=exon_number,
        exon_count=genes.exon_count(gene) if genes is not None else None,
    )
