"""VEP CSQ / SnpEff ANN parsing, the reported transcript, and HGVSp in both spellings."""

from __future__ import annotations

import pytest

from mtb.ingest import read_vcf
from mtb.ingest.consequences import (
    AnnParser,
    CsqParser,
    choose,
    derive_protein,
    short_protein,
    vep_alleles,
)
from mtb.sequence import long_protein
from tests.conftest import needs_shared


@pytest.mark.parametrize(
    ("given", "short"),
    [
        ("ENSP00000288602.6:p.Val600Glu", "p.V600E"),
        ("p.Val600Glu", "p.V600E"),
        ("p.(Gly12Cys)", "p.G12C"),
        ("ENSP00000409316.1:p.Glu11Ter", "p.E11*"),
        ("p.Thr190%3D", "p.T190="),  # VEP percent-encodes '=' inside a VCF
        ("p.Glu746_Ala750del", "p.E746_A750del"),
        ("p.Glu11GlyfsTer5", "p.E11Gfs*5"),
        ("p.Asp770_Asn771insSerValAsp", "p.D770_N771insSVD"),
        ("", ""),
    ],
)
def test_short_protein(given: str, short: str) -> None:
    assert short_protein(given) == short


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("p.V600E", "p.Val600Glu"),
        ("p.E746_A750del", "p.Glu746_Ala750del"),
        ("p.E746_L747delinsK", "p.Glu746_Leu747delinsLys"),
        ("p.E11Gfs*5", "p.Glu11GlyfsTer5"),
        ("p.T190=", "p.Thr190="),
    ],
)
def test_long_protein(short: str, long: str) -> None:
    assert long_protein(short) == long
    assert short_protein(long) == short


@pytest.mark.parametrize(
    ("position", "amino_acids", "short"),
    [
        ("600", "V/E", "p.V600E"),  # the example
        ("190", "T", "p.T190="),
        ("12", "G/*", "p.G12*"),
        ("746-750", "ELREA/-", "p.E746_A750del"),
        ("746-747", "EL/K", "p.E746_L747delinsK"),
        ("10", "S/SX", ""),  # frameshift: flanking residues unknown -> not derived
        ("", "V/E", ""),
        ("?-600", "V/E", ""),
    ],
)
def test_derive_protein(position: str, amino_acids: str, short: str) -> None:
    assert derive_protein(position, amino_acids) == short


def test_vep_allele_strings() -> None:
    assert vep_alleles("A", ["AG"]) == ["G"]
    assert vep_alleles("AC", ["A"]) == ["-"]
    assert vep_alleles("A", ["G", "T"]) == ["G", "T"]
    assert vep_alleles("G", ["C", "GC"]) == ["C", "GC"]  # C does not share the first base


FORMAT = (
    "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|"
    "cDNA_position|CDS_position|Protein_position|Amino_acids|Codons|PICK|CANONICAL|MANE_SELECT"
)


def test_csq_transcript_choice_and_derived_protein() -> None:
    """Synthetic CSQ entries (constructed for this test) in VEP's layout for BRAF c.1799T>A."""
    parser = CsqParser.from_header(f'Consequence annotations from Ensembl VEP. Format: {FORMAT}">')
    assert parser is not None
    entries = [
        # a non-canonical intron hit, listed first
        "A|intron_variant|MODIFIER|BRAF|ENSG00000157764|Transcript|ENST00000496384.7|"
        "protein_coding||5/17|||||||||||",
        # MANE/canonical missense, HGVSp empty: derived from Protein_position + Amino_acids
        "A|missense_variant|MODERATE|BRAF|ENSG00000157764|Transcript|ENST00000646891.2|"
        "protein_coding|15/18||ENST00000646891.2:c.1799T>A||1919|1799|600|V/E|gTg/gAg||YES|"
        "NM_004333.6",
    ]
    per_alt = parser.parse(",".join(entries), "T", ["A"])
    chosen = choose(per_alt[0])
    assert chosen is not None
    assert (chosen.transcript, chosen.hgvsc, chosen.hgvsp, chosen.hgvsp_long, chosen.exon) == (
        "ENST00000646891.2", "c.1799T>A", "p.V600E", "p.Val600Glu", "15/18"
    )
    assert len(per_alt[0]) == 2


def test_pick_flag_wins_over_severity() -> None:
    parser = CsqParser(FORMAT.split("|"))
    entries = [
        "A|stop_gained|HIGH|G1|E1|Transcript|T1|protein_coding|||c.1C>A|p.Cys1Ter|||1|C/*||||",
        "A|synonymous_variant|LOW|G1|E1|Transcript|T2|protein_coding|||c.3C>A|p.Cys1%3D|||1|C||1||",
    ]
    chosen = choose(parser.parse(",".join(entries), "C", ["A"])[0])
    assert chosen is not None and chosen.transcript == "T2"


def test_snpeff_ann() -> None:
    """A synthetic ANN value in SnpEff's documented 16-field layout (KRAS G12C, GRCh37)."""
    ann = (
        "A|missense_variant|MODERATE|KRAS|ENSG00000133703|transcript|ENST00000256078.4|"
        "protein_coding|2/6|c.34G>T|p.Gly12Cys|98/1119|34/570|12/189||,"
        "A|upstream_gene_variant|MODIFIER|LYRM5|ENSG00000205707|transcript|ENST00000380881.1|"
        "protein_coding||c.-3400C>A|||||3400|"
    )
    chosen = choose(AnnParser().parse(ann, "C", ["A"])[0])
    assert chosen is not None
    assert (chosen.gene, chosen.hgvsp, chosen.hgvsp_long, chosen.exon, chosen.protein_position) == (
        "KRAS", "p.G12C", "p.Gly12Cys", "2/6", 12
    )


@needs_shared
def test_hcc1395_coding_variants_have_gene_and_short_hgvsp(vcf_dir) -> None:
    callset = read_vcf(vcf_dir / "pvactools/HCC1395.annotated.expression.vcf.gz")
    assert callset.info.annotation == "VEP"
    missense = [v for v in callset.variants if "missense_variant" in v.consequence]
    assert len(missense) > 300
    assert all(v.gene and v.hgvsp.startswith("p.") and "Val" not in v.hgvsp for v in missense)
    # line 4413: chr13 32339132 G>T, CSQ stop_gained BRCA2 ENST00000380152.8 p.Glu1593Ter
    brca2 = next(v for v in callset.variants if v.line == 4413)
    assert (brca2.gene, brca2.hgvsp, brca2.annotation.hgvsp_long) == (
        "BRCA2", "p.E1593*", "p.Glu1593Ter"
    )
    assert brca2.annotation.transcript == "ENST00000380152.8"


@needs_shared
def test_civic_vcf_csq_with_backslash_escapes(shared) -> None:
    """CIViCpy writes '\\x2E'-style escapes and its own CSQ layout; both are read."""
    callset = read_vcf(shared / "kb/civic/01-Aug-2024-civic_accepted.vcf")
    assert len(callset.variants) == 804
    errfi1 = next(v for v in callset.variants if v.pos == 8073509)
    assert errfi1.gene == "ERRFI1"
    assert errfi1.annotation.consequence == ("stop_gained", "loss_of_function_variant")
