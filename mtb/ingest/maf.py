"""MAF files (vcf2maf, TCGA/GDC and cBioPortal conventions) as the same findings a VCF gives.

A MAF has one row per variant and sample: Hugo_Symbol, Chromosome, Start_Position,
Reference_Allele, Tumor_Seq_Allele2, Variant_Classification, HGVSp_Short, HGVSc,
Transcript_ID, t_alt_count/t_depth (t_ref_count), n_alt_count/n_depth, Tumor_Sample_Barcode,
NCBI_Build; vcf2maf adds VEP's Consequence, EXON, INTRON, CANONICAL, gnomAD and CLIN_SIG columns.
Only the columns that locate a variant are required; the rest are used when present.

MAF writes indels without VCF's anchor base ('-' for the empty allele, a deletion starting at
its first deleted base). When vcf2maf's `flanking_bps` gives the reference around the
variant, the anchor is restored; otherwise it is written as N (REF 'N', ALT 'NA' for an
insertion of A). Exact genomic matching drops shared bases either way (mtb.variant.allele_key),
so the anchor never decides a match; it only shows in the row.

A file with several tumor samples needs `--tumor` (or `tumor =` in case.toml), as a VCF does.
"""

from __future__ import annotations

from pathlib import Path

from mtb.errors import InputError
from mtb.ingest.tabular import Table, optional_float, parse_int, read_table
from mtb.variant import (
    GenomeBuild,
    SmallVariant,
    TranscriptAnnotation,
    VariantType,
    normalize_chrom,
)

__all__ = ["looks_like_maf", "read_maf"]

REQUIRED = ("Hugo_Symbol", "Chromosome", "Start_Position", "Reference_Allele",
            "Tumor_Seq_Allele2")
# MAF Variant_Classification -> Sequence Ontology term (when VEP's Consequence is absent)
CLASSIFICATION = {
    "missense_mutation": "missense_variant", "nonsense_mutation": "stop_gained",
    "frame_shift_del": "frameshift_variant", "frame_shift_ins": "frameshift_variant",
    "in_frame_del": "inframe_deletion", "in_frame_ins": "inframe_insertion",
    "splice_site": "splice_donor_variant", "splice_region": "splice_region_variant",
    "silent": "synonymous_variant", "translation_start_site": "start_lost",
    "nonstop_mutation": "stop_lost", "3'utr": "3_prime_UTR_variant",
    "5'utr": "5_prime_UTR_variant", "intron": "intron_variant", "igr": "intergenic_variant",
    "rna": "non_coding_transcript_exon_variant", "3'flank": "downstream_gene_variant",
    "5'flank": "upstream_gene_variant",
}


def looks_like_maf(columns: tuple[str, ...]) -> bool:
    present = {c.strip() for c in columns}
    return all(name in present for name in REQUIRED)


def _cell(table: Table, cells: list[str], *names: str) -> str:
    at = table.index(*names)
    return cells[at].strip() if at is not None and at < len(cells) else ""


def _count(table: Table, cells: list[str], name: str, line: int) -> int | None:
    value = optional_float(table, _cell(table, cells, name), name, line) \
        if _cell(table, cells, name) not in ("", ".", "NA") else None
    return int(value) if value is not None else None


def _alleles(ref: str, alt: str, flanking: str, line: int, path: Path) -> tuple[int, str, str]:
    """(offset to POS, REF, ALT) as a VCF writes them: the anchor base put back for indels."""
    ref, alt = ("" if ref == "-" else ref.upper()), ("" if alt == "-" else alt.upper())
    if not ref and not alt:
        raise InputError(path, "both alleles are empty", line)
    if ref and alt and len(ref) == len(alt):
        return 0, ref, alt
    anchor = "N"
    # vcf2maf's flanking_bps runs from one base before the VCF's anchor base to one after the
    # change ('TAC' around an insertion after A; 'AGTT' around G, then the deleted T): the
    # anchor is its second base, used only when the deleted bases follow it as they should
    flanking = flanking.upper()
    if len(flanking) >= 3 and flanking[1] in "ACGT" and flanking[2:2 + len(ref)] == ref:
        anchor = flanking[1]
    if not ref:  # insertion: MAF's Start_Position is the base before it, like VCF's POS
        return 0, anchor, anchor + alt
    return -1, anchor + ref, anchor + alt  # deletion (or delins): MAF starts at the 1st base


def _kind(ref: str, alt: str) -> VariantType:
    if len(ref) == len(alt) == 1:
        return VariantType.SNV
    if len(ref) == len(alt):
        return VariantType.MNV
    return VariantType.INSERTION if len(alt) > len(ref) else VariantType.DELETION


def _annotation(table: Table, cells: list[str]) -> TranscriptAnnotation | None:
    gene = _cell(table, cells, "Hugo_Symbol")
    if not gene or gene == "Unknown":
        return None
    consequence = _cell(table, cells, "Consequence")
    terms = tuple(t for t in consequence.split(",") if t) if consequence else ()
    if not terms:
        term = CLASSIFICATION.get(_cell(table, cells, "Variant_Classification").lower())
        terms = (term,) if term else ()
    hgvsp = _cell(table, cells, "HGVSp_Short")
    position = _cell(table, cells, "Protein_position").split("/")[0].split("-")[0]
    af = _cell(table, cells, "gnomADe_AF", "gnomAD_AF", "AF")
    return TranscriptAnnotation(
        gene=gene,
        transcript=_cell(table, cells, "Transcript_ID", "Feature"),
        consequence=terms,
        hgvsc=_cell(table, cells, "HGVSc").rpartition(":")[2],
        hgvsp=hgvsp if hgvsp.startswith("p.") else "",
        hgvsp_long=_cell(table, cells, "HGVSp").rpartition(":")[2],
        protein_position=int(position) if position.isdigit() else None,
        exon=_cell(table, cells, "EXON", "Exon_Number"),
        intron=_cell(table, cells, "INTRON"),
        canonical=_cell(table, cells, "CANONICAL") == "YES",
        source="MAF",
        max_af=float(af) if af.replace(".", "", 1).replace("e-", "", 1).isdigit() else None,
        clin_sig=_cell(table, cells, "CLIN_SIG"),
    )


def read_maf(path: str | Path, *, tumor: str | None = None) -> tuple[list[SmallVariant],
                                                                    GenomeBuild, str]:
    """The small variants of one tumor sample, the build NCBI_Build names, and the sample."""
    path = Path(path)
    table = read_table(path)
    for name in REQUIRED:
        table.require(name, name)
    samples = sorted({_cell(table, cells, "Tumor_Sample_Barcode") for _, cells in table.rows}
                     - {""})
    if tumor is not None and tumor not in samples:
        raise InputError(path, f"no tumor sample {tumor!r} (the file has: {', '.join(samples)})")
    if tumor is None and len(samples) > 1:
        shown = ", ".join(samples[:5]) + (", ..." if len(samples) > 5 else "")
        raise InputError(path, f"holds {len(samples)} tumor samples ({shown}): choose one "
                         "with --tumor (or tumor = in case.toml)")
    sample = tumor or (samples[0] if samples else "")
    builds = {_cell(table, cells, "NCBI_Build") for _, cells in table.rows} - {""}
    build = GenomeBuild.parse(builds.pop()) if len(builds) == 1 else GenomeBuild.UNKNOWN
    variants = []
    for line, cells in table.rows:
        if sample and _cell(table, cells, "Tumor_Sample_Barcode") != sample:
            continue
        chrom = _cell(table, cells, "Chromosome")
        start = parse_int(table, _cell(table, cells, "Start_Position"), "Start_Position", line)
        shift, ref, alt = _alleles(_cell(table, cells, "Reference_Allele"),
                                   _cell(table, cells, "Tumor_Seq_Allele2"),
                                   _cell(table, cells, "flanking_bps"), line, path)
        t_alt, t_depth = _count(table, cells, "t_alt_count", line), _count(
            table, cells, "t_depth", line)
        if t_depth is None and t_alt is not None:
            t_ref = _count(table, cells, "t_ref_count", line)
            t_depth = t_alt + t_ref if t_ref is not None else None
        n_alt, n_depth = _count(table, cells, "n_alt_count", line), _count(
            table, cells, "n_depth", line)
        annotation = _annotation(table, cells)
        variants.append(SmallVariant(
            chrom=chrom, pos=start + shift, ref=ref, alt=alt,
            filter=_cell(table, cells, "FILTER") or "PASS", variant_type=_kind(ref, alt),
            norm_chrom=normalize_chrom(chrom), id=_cell(table, cells, "dbSNP_RS"),
            tumor_vaf=t_alt / t_depth if t_alt is not None and t_depth else None,
            tumor_alt=t_alt, tumor_depth=t_depth,
            normal_vaf=n_alt / n_depth if n_alt is not None and n_depth else None,
            normal_alt=n_alt, normal_depth=n_depth, vaf_source="MAF t_alt_count/t_depth",
            annotation=annotation, transcripts=(annotation,) if annotation else (),
            line=line,
        ))
    return variants, build, sample
