"""Findings as table rows: the column contracts of `mtb ingest` and `mtb annotate`.

The first columns and their order are a public interface (scripts read them by position):
chrom pos ref alt filter variant_type gene hgvsc hgvsp consequence tumor_vaf tumor_alt
tumor_depth normal_vaf normal_depth. Further columns may be added after them, never between.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from mtb.variant import (
    Biomarker,
    CopyNumber,
    Finding,
    Fusion,
    SmallVariant,
    StructuralVariant,
)

if TYPE_CHECKING:
    from annotation.model import AnnotatedVariant

INGEST_COLUMNS: tuple[str, ...] = (
    "chrom", "pos", "ref", "alt", "filter", "variant_type", "gene", "hgvsc", "hgvsp",
    "consequence", "tumor_vaf", "tumor_alt", "tumor_depth", "normal_vaf", "normal_depth",
    # additions, after the contract columns
    "normal_alt", "id", "qual", "transcript", "hgvsp_long", "exon", "impact", "vaf_source",
    "end", "chrom2", "pos2", "sv_type", "copy_number", "cnv_call", "line",
    "rna_vaf", "rna_alt", "rna_depth",  # the tumor's RNA, where the file has it (RADIA)
)

VAF_DIGITS = 4  # cyvcf2 hands out float32 (0.978 -> 0.9779999852); VAFs are shown to 4 digits


def _vaf(value: float | None) -> float | None:
    return round(value, VAF_DIGITS) if value is not None else None


def small_variant_values(v: SmallVariant) -> tuple[Any, ...]:
    """A small variant's values in INGEST_COLUMNS order (the hot path of `mtb ingest`)."""
    ann = v.annotation
    return (
        v.chrom, v.pos, v.ref, v.alt, v.filter, v.variant_type.value,
        ann.gene if ann else None, ann.hgvsc if ann else None, ann.hgvsp if ann else None,
        "&".join(ann.consequence) if ann else None,
        _vaf(v.tumor_vaf), v.tumor_alt, v.tumor_depth, _vaf(v.normal_vaf), v.normal_depth,
        v.normal_alt, v.id or None, v.qual,
        ann.transcript if ann else None, ann.hgvsp_long if ann else None,
        ann.exon if ann else None, ann.impact if ann else None, v.vaf_source,
        None, None, None, None, None, None, v.line,
        _vaf(v.rna_vaf), v.rna_alt, v.rna_depth,
    )


def finding_row(finding: Finding) -> dict[str, Any]:
    """One finding as a flat dict over INGEST_COLUMNS (None where a column does not apply)."""
    if isinstance(finding, SmallVariant):
        return dict(zip(INGEST_COLUMNS, small_variant_values(finding), strict=True))
    row: dict[str, Any] = dict.fromkeys(INGEST_COLUMNS)
    row["variant_type"] = finding.variant_type.value
    row["filter"] = finding.filter
    row["line"] = finding.line
    if isinstance(finding, StructuralVariant):
        row.update(
            chrom=finding.chrom, pos=finding.pos, ref=finding.ref, alt=finding.alt, id=finding.id,
            gene=",".join(finding.genes) or None,
            tumor_vaf=_vaf(finding.tumor_vaf), tumor_alt=finding.tumor_alt,
            tumor_depth=finding.tumor_depth, normal_vaf=_vaf(finding.normal_vaf),
            normal_depth=finding.normal_depth, normal_alt=finding.normal_alt,
            chrom2=finding.chrom2, pos2=finding.pos2, sv_type=finding.sv_type,
        )
    elif isinstance(finding, CopyNumber):
        row.update(
            chrom=finding.chrom, pos=finding.start, end=finding.end, id=finding.id or None,
            gene=",".join(finding.genes) or None, sv_type=finding.svtype or None,
            copy_number=finding.copy_number, cnv_call=finding.call,
        )
    elif isinstance(finding, Biomarker):
        row.update(gene=finding.name, hgvsp=finding.label, consequence=finding.call)
    elif isinstance(finding, Fusion):
        chrom, _, pos = finding.breakpoint5.rpartition(":")
        chrom2, _, pos2 = finding.breakpoint3.rpartition(":")
        row.update(
            gene=finding.name, chrom=chrom or None, pos=int(pos) if pos.isdigit() else None,
            chrom2=chrom2 or None, pos2=int(pos2) if pos2.isdigit() else None,
            tumor_alt=finding.split_reads, sv_type="fusion",
        )
    return row


def format_cell(value: Any) -> str:
    """TSV cell: empty for missing values, no trailing '.0' on whole numbers of reads."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def tsv_line(finding: Finding) -> str:
    """One finding as a TSV line over INGEST_COLUMNS (strings pass through untouched)."""
    values = small_variant_values(finding) if isinstance(finding, SmallVariant) else (
        finding_row(finding).values()
    )
    return "\t".join(
        [v if v.__class__ is str else "" if v is None else format_cell(v) for v in values]
    ) + "\n"


# -- annotated findings (mtb annotate) --------------------------------------------------------

ANNOTATE_COLUMNS: tuple[str, ...] = (
    *INGEST_COLUMNS,
    # the contract of `mtb annotate`, after the ingest columns
    "amp_tier", "evidence_level", "therapies", "match_granularity", "sources", "reasons",
    # additions
    "alteration", "hotspot", "evidence_ids", "population_af", "intron", "splice_distance",
)


def _hotspot_text(variant: AnnotatedVariant) -> str | None:
    hotspot = variant.hotspot
    if hotspot is None:
        return None
    return f"{hotspot.gene} {hotspot.residue} ({hotspot.kind}, {hotspot.samples} tumors)"


def annotated_row(variant: AnnotatedVariant) -> dict[str, Any]:
    """An annotated finding as a flat dict over ANNOTATE_COLUMNS."""
    assert variant.finding is not None  # rows are drawn for findings read from files
    row = finding_row(variant.finding)
    alteration = variant.alteration
    if alteration.gene and not row["gene"]:
        row["gene"] = alteration.gene
    if alteration.hgvsp and not row["hgvsp"]:
        row["hgvsp"] = alteration.hgvsp
    if alteration.transcript and not row["transcript"]:  # unannotated input: MANE's
        row["transcript"] = alteration.transcript
    if alteration.exon is not None and not row["exon"]:
        row["exon"] = alteration.exon
    if alteration.consequences and not row["consequence"]:  # unannotated input: MANE region
        row["consequence"] = "&".join(sorted(alteration.consequences))
    granularity = variant.granularity
    row.update(
        amp_tier=variant.tier.value,
        evidence_level=variant.level or None,
        therapies="; ".join(t.label for t in variant.therapies) or None,
        match_granularity=granularity.value if granularity else None,
        sources="; ".join(variant.sources) or None,
        reasons=" | ".join(reason.text for reason in variant.reasons) or None,
        alteration=alteration.label,
        hotspot=_hotspot_text(variant),
        evidence_ids=",".join(dict.fromkeys(m.evidence.id for m in variant.matches)) or None,
        population_af=alteration.population_af,
        intron=alteration.intron,
        splice_distance=alteration.splice_distance,
    )
    return row


def annotated_tsv_line(variant: AnnotatedVariant) -> str:
    row = annotated_row(variant)
    return "\t".join(
        format_cell(row[c]).replace("\t", " ").replace("\n", " ") for c in ANNOTATE_COLUMNS
    ) + "\n"


def annotated_json(variant: AnnotatedVariant) -> dict[str, Any]:
    """Everything about an annotated finding: the row, every reason, match and therapy."""
    row = annotated_row(variant)
    row["reasons"] = [
        {
            "rule": reason.rule,
            "text": reason.text,
            "evidence": reason.match.evidence.id if reason.match else None,
            "granularity": reason.match.granularity.value if reason.match else None,
        }
        for reason in variant.reasons
    ]
    row["therapies"] = [
        {"name": t.name, "resistance": t.resistance, "tier": t.tier.value, "level": t.level,
         "evidence": list(t.evidence_ids)}
        for t in variant.therapies
    ]
    row["matches"] = [
        {"granularity": m.granularity.value, "matched": m.matched, "compound": m.compound,
         "evidence": dataclasses.asdict(m.evidence)}
        for m in variant.matches
    ]
    row["notes"] = list(variant.notes)
    return row
