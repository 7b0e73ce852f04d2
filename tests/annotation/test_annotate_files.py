"""Annotation of whole files: unannotated VCFs on both builds (chr names or not), the real
VEP-annotated HCC1395 exome, fusion and copy-number tables, and a broken knowledge base."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotation import annotate
from annotation.index import build_index, index_path, load_index
from annotation.model import Tier
from mtb.errors import KnowledgeBaseError
from mtb.ingest import read_findings
from mtb.variant import GenomeBuild
from tests.conftest import needs_shared

# SYNTHETIC case files: records placed at the public coordinates of three CIViC alleles
# (civic_accepted.vcf, GRCh37; lifted to GRCh38 with the shipped UCSC chain), no annotation.
EGFR_GRCH37 = [("7", 55259515, "T", "G"), ("7", 55249071, "C", "T"),
               ("7", 55242464, "AGGAATTAAGAGAAGC", "A")]  # L858R, T790M, E746_A750del
EGFR_GRCH38 = [("chr7", 55191822, "T", "G"), ("chr7", 55181378, "C", "T"),
               ("chr7", 55174771, "AGGAATTAAGAGAAGC", "A")]
CHR7_LENGTH = {"GRCh37": 159138663, "GRCh38": 159345973}


def _synthetic_vcf(path: Path, records, build: str, chrom_name: str) -> Path:
    lines = [
        "##fileformat=VCFv4.2",
        "##source=synthetic test case for mtb (not patient data)",
        f"##contig=<ID={chrom_name},length={CHR7_LENGTH[build]}>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\tNORMAL",
    ]
    for chrom, pos, ref, alt in records:
        lines.append(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\t.\tGT:AD:DP\t0/1:80,20:100\t"
                     "0/0:60,0:60")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("build", "records", "chrom_name"),
    [("GRCh38", EGFR_GRCH38, "chr7"), ("GRCh37", EGFR_GRCH37, "7")],
)
def test_unannotated_egfr_case_on_both_builds(kb, tmp_path, build, records, chrom_name) -> None:
    """USERS.md's case 3: lung adenocarcinoma with EGFR L858R and T790M (and an exon 19
    deletion), from a VCF without VEP annotation. Gene and exon come from MANE (GRCh37 lifted),
    protein changes from CIViC's own coordinates."""
    vcf = _synthetic_vcf(tmp_path / "case.vcf", records, build, chrom_name)
    files = read_findings(vcf)
    assert files.build == build
    case = annotate(files.findings, "lung adenocarcinoma", kb, build=files.build)
    by_label = {v.alteration.label: v for v in case.variants}
    l858r, t790m, ex19 = (by_label[k] for k in
                          ("EGFR p.L858R", "EGFR p.T790M", "EGFR p.E746_A750DEL"))
    assert (l858r.tier, l858r.level) == (Tier.IA, "A")
    assert l858r.reasons[0].match.granularity.value in ("exact_genomic", "exact_protein")
    assert any("from CIViC's coordinates" in note for note in l858r.notes)
    assert any("MANE" in note for note in l858r.notes)
    assert {"Osimertinib", "Erlotinib (resistance)"} <= {t.label for t in t790m.therapies}
    assert t790m.tier == Tier.IA
    assert ex19.tier == Tier.IA and ex19.alteration.exon == 19
    assert any(m.granularity.value == "exon" and m.matched == "EGFR Exon 19 Deletion"
               for m in ex19.matches)


@needs_shared
def test_hcc1395_exome(kb, vcf_dir) -> None:
    """The real HCC1395 tumor/normal exome (VEP-annotated, GRCh38) as a triple-negative
    breast cancer: BRCA2 p.E1593* (line 4413) reaches olaparib through 'BRCA2
    Loss-of-function', but it is somatic (the matched normal does not carry it) and the breast
    cancer labels need a germline variant (OlympiAD): IIC, germline testing needed; TP53
    p.R175H is a hotspot."""
    files = read_findings(vcf_dir / "pvactools/HCC1395.annotated.expression.vcf.gz")
    case = annotate(files.findings, "triple-negative breast cancer", kb, build=files.build)
    calls = [v for v in case.variants if v.finding.variant_type.value != "biomarker"]
    assert len(calls) == 1470
    # the computed TMB and the MSI estimate are findings of their own
    biomarkers = {v.alteration.gene: v for v in case.variants if v not in calls}
    assert biomarkers["TMB"].alteration.label == "TMB 10.7 mut/Mb (high)"
    assert biomarkers["TMB"].tier == Tier.IA  # pembrolizumab, tumor-agnostic (FDA 2020)
    assert biomarkers["MSI"].alteration.label == "microsatellite stable (estimate)"
    assert biomarkers["MSI"].tier == Tier.IV and not biomarkers["MSI"].therapies
    brca2 = next(v for v in case.variants if v.finding.line == 4413)
    assert not brca2.alteration.germline
    assert (brca2.tier, brca2.level) == (Tier.IIC, "C")
    assert any("germline testing needed" in flag for flag in brca2.flags)
    assert "Olaparib" in [t.name for t in brca2.therapies]
    assert brca2.granularity.value == "gene_class"
    tp53 = next(v for v in case.variants if v.alteration.label == "TP53 p.R175H")
    assert tp53.hotspot is not None and tp53.hotspot.residue == "R175"
    assert case.by_tier()["IV"] > 100  # common polymorphisms (gnomAD AF >= 1 %) in an exome
    assert case.tmb is not None and case.tmb.mutations > 100


@needs_shared
def test_fusion_and_copy_number_tables(kb, vcf_dir, tmp_path) -> None:
    fusions = read_findings(vcf_dir / "pcgr/T001-BRCA.grch38.fusions.tsv",
                            build=GenomeBuild.GRCH38)
    case = annotate(fusions.findings, "lung adenocarcinoma", kb, build=fusions.build)
    by_label = {v.alteration.label: v for v in case.variants}
    eml4 = by_label["EML4::ALK"]
    assert eml4.tier == Tier.IA and eml4.granularity.value == "fusion_gene"
    assert "Alectinib" in [t.name for t in eml4.therapies]
    # the file's order puts NTRK1 at the 5' end: its kinase domain is not kept, so neither the
    # CIViC pair TPM3::NTRK1 nor gene-level 'NTRK1 Fusion' (NTRK1 always 3') applies
    ntrk1 = by_label["NTRK1::TPM3"]
    assert ntrk1.tier == Tier.III
    notes = " ".join(r.text for r in ntrk1.reasons)
    assert "partners' order is reversed" in notes and "NTRK1 is the 5' partner" in notes
    # a SYNTHETIC segment: ERBB2 amplified (GRCh38 gene span), 12 copies
    segments = tmp_path / "cna.tsv"
    segments.write_text("Chromosome\tStart\tEnd\tnMajor\tnMinor\n17\t39687914\t39730426\t10\t2\n")
    cnv = read_findings(segments, build=GenomeBuild.GRCH38)
    case = annotate(cnv.findings, "HER2-positive breast cancer", kb, build=cnv.build)
    erbb2 = next(v for v in case.variants if v.alteration.gene == "ERBB2")
    assert erbb2.tier == Tier.IA and erbb2.granularity.value == "cnv_gene"
    assert "Trastuzumab" in [t.name for t in erbb2.therapies]


def test_missing_index_is_built_and_corrupt_index_names_itself(tmp_path) -> None:
    with pytest.raises(KnowledgeBaseError, match=r"no knowledge-base index at .*mtb kb build"):
        load_index(tmp_path)
    build_index(tmp_path)
    assert load_index(tmp_path).meta["civic_release"] == "01-Jul-2025"
    path = index_path(tmp_path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(KnowledgeBaseError, match=r"schema 0.*run `mtb kb build`"):
        load_index(tmp_path)
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(KnowledgeBaseError, match=f"the index {path} is corrupt"):
        load_index(tmp_path)


def test_corrupt_snapshot_is_refused_by_name(tmp_path, monkeypatch) -> None:
    """A damaged installation is reported by file name, not turned into wrong annotations."""
    import shutil

    from annotation import snapshots

    copy = tmp_path / "snapshots"
    shutil.copytree(snapshots.SNAPSHOT_DIR, copy)
    hotspots = copy / "hotspots/hotspots_v2_and_3d.txt"
    hotspots.write_text(hotspots.read_text()[:-100])
    snapshots.manifest.cache_clear()
    try:
        with pytest.raises(KnowledgeBaseError, match=r"hotspots_v2_and_3d\.txt is corrupt"):
            snapshots.verify(folder=copy)
        (copy / "ontology/DO_cancer_slim.obo").unlink()
        with pytest.raises(KnowledgeBaseError, match=r"DO_cancer_slim\.obo is missing"):
            snapshots.verify(("Disease Ontology cancer slim",), folder=copy)
    finally:
        snapshots.manifest.cache_clear()
