"""Small drawn examples for pure tests: a handful of findings with the tiers a test needs,
built by hand (no files, no knowledge base), and a Case around them. Every value is made up
and labelled synthetic; nothing here claims a real patient's data or a real evidence item."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from annotation import CaseAnnotation
from annotation.model import Alteration, AnnotatedVariant, Diagnosis, Reason, TherapyCall, Tier
from mtb.board import Curation, finding_key
from mtb.case import Case
from mtb.catalog import CaseEntry, case_toml, write_case_toml
from mtb.timeline import TimelineEvent, therapy_lines
from mtb.variant import (
    Biomarker,
    CopyNumber,
    Finding,
    Fusion,
    GenomeBuild,
    SmallVariant,
    VariantType,
    normalize_chrom,
)

CASE_ID = "drawn-case"
LUAD = Diagnosis("Lung adenocarcinoma", "DOID:3910", "lung adenocarcinoma",
                 lineage=("DOID:3910",), solid=True)


def snv(chrom: str, pos: int, ref: str, alt: str, *, vaf: float | None = 0.3,
        alt_reads: int | None = 30, depth: int | None = 100,
        filter_: str = "PASS") -> SmallVariant:
    return SmallVariant(chrom, pos, ref, alt, filter_, VariantType.SNV, normalize_chrom(chrom),
                        tumor_vaf=vaf, tumor_alt=alt_reads, tumor_depth=depth)


def small(gene: str, change: str, tier: Tier, *, pos: int | None = None, vaf: float | None = 0.3,
          level: str = "", therapies: Sequence[TherapyCall] = (),
          consequences: frozenset[str] = frozenset({"missense_variant"}),
          filter_: str = "PASS") -> AnnotatedVariant:
    """A small variant of `gene` with protein change `change` ('p.G12C') and a tier; its
    position (and so its finding key) follows from gene and change unless given."""
    pos = pos if pos is not None else 1 + zlib.crc32(f"{gene} {change}".encode()) % 10**8
    finding = snv("chr1", pos, "G", "T", vaf=vaf, filter_=filter_)
    alteration = Alteration(kind="small", gene=gene, label=f"{gene} {change}", hgvsp=change,
                            consequences=consequences)
    return AnnotatedVariant(finding, alteration, tier, level, therapies=tuple(therapies),
                            reasons=(Reason("drawn", f"drawn as tier {tier.value}"),))


def amplification(gene: str, tier: Tier, copies: float = 12.0) -> AnnotatedVariant:
    finding = CopyNumber("chr17", 39_000_000, 39_100_000, "17", copy_number=copies)
    alteration = Alteration(kind="cnv", gene=gene, label=f"{gene} amplification ({copies:g})",
                            cnv_call="amplification")
    return AnnotatedVariant(finding, alteration, tier, "")


def fusion(five: str, three: str, tier: Tier, split_reads: int = 20) -> AnnotatedVariant:
    finding = Fusion(five, three, "chr2:42299876", "chr2:29223528", split_reads=split_reads)
    alteration = Alteration(kind="fusion", gene=three, label=f"{five}::{three}",
                            partner5=five, partner3=three)
    return AnnotatedVariant(finding, alteration, tier, "")


def biomarker(name: str, call: str, tier: Tier, value: float | None = None, *,
              estimate: bool = False, source: str = "drawn by a test") -> AnnotatedVariant:
    finding = Biomarker(name, call, value, source=source, estimate=estimate)
    alteration = Alteration(kind="biomarker", gene=name, label=finding.label, biomarker=call,
                            estimate=estimate)
    return AnnotatedVariant(finding, alteration, tier, "")


def therapy(name: str, tier: Tier, level: str = "A", *, resistance: bool = False) -> TherapyCall:
    """A drawn therapy line: tier IA ones rest on a drawn approval ('FDA 2020'), the others on
    clinical evidence; the drugs are the name's parts."""
    approved = tier == Tier.IA and not resistance
    return TherapyCall(name, resistance, tier, level,
                       basis="approved" if approved else "clinical",
                       approvals=("FDA 2020",) if approved else (),
                       drugs=tuple(sorted(p.strip().lower() for p in name.split("+"))))


def curation(variant: AnnotatedVariant, **fields: object) -> Curation:
    """A stored curation of `variant` (tier_override=..., oncogenicity=..., ...)."""
    values: dict[str, object] = {"updated_by": "cura", "version": 1,
                                 "updated_at": datetime(2026, 1, 5, 9, 30, tzinfo=UTC)}
    values.update(fields)
    return Curation(id=1, case_id=CASE_ID, finding_key=finding_key(variant), **values)  # type: ignore[arg-type]


def entry(title: str = "SYNTHETIC drawn case", case_id: str = CASE_ID) -> CaseEntry:
    return CaseEntry(id=case_id, title=title, diagnosis=LUAD.text, synthetic=True,
                     source="drawn by a test", folder=Path("/nonexistent/drawn-case"), files=())


def case_of(variants: Sequence[Finding | AnnotatedVariant] = (), *,
            events: Sequence[TimelineEvent] = (), title: str = "SYNTHETIC drawn case",
            case_id: str = CASE_ID) -> Case:
    annotated = [v for v in variants if isinstance(v, AnnotatedVariant)]
    return Case(
        entry=entry(title, case_id), patient=None,
        annotation=CaseAnnotation(LUAD, annotated, None, [], []),
        events=sorted(events, key=lambda e: e.sort_key), lines=therapy_lines(list(events)),
        build=GenomeBuild.GRCH38, files=[],
    )


VCF_HEADER = """##fileformat=VCFv4.2
##source=SYNTHETIC VCF drawn by a test (no patient)
##reference=GRCh38
##contig=<ID=chr7,length=159345973,assembly=GRCh38>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	TUMOR
"""
# EGFR L858R's and T790M's public GRCh38 positions (as sample_cases/synthetic-egfr-lung)
L858R = "chr7\t55191822\t.\tT\tG\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:118,86:0.42:204\n"
T790M = "chr7\t55181378\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/1:176,24:0.12:200\n"


def write_vcf_case(root: Path, case_id: str, title: str, records: str = L858R) -> Path:
    """A case folder with a drawn tumor VCF and its case.toml."""
    folder = root / case_id
    folder.mkdir(parents=True)
    (folder / "tumor.vcf").write_text(VCF_HEADER + records)
    write_case_toml(folder, case_toml(["SYNTHETIC, drawn by a test"], case_id=case_id,
                                      title=title, diagnosis="Lung adenocarcinoma",
                                      source="drawn by a test", files=[("tumor.vcf", "vcf")]))
    return folder
