"""Genome build and sample roles, decided from real headers and said out loud."""

from __future__ import annotations

import pytest

from mtb.errors import InputError
from mtb.ingest import VcfReader
from mtb.ingest.header import VcfHeader, detect_build, resolve_roles
from mtb.variant import GenomeBuild, classify_small, normalize_chrom
from tests.conftest import needs_shared

pytestmark = needs_shared

BUILDS = [
    # file, build, evidence (what in the header decided it)
    ("pvactools/HCC1395.annotated.expression.vcf.gz", "GRCh38", "##contig lengths"),
    ("vcf2maf/test_mutect.vcf", "GRCh37", "##contig lengths"),  # 1 length=249250621
    ("vcf2maf/test_delly.vcf", "GRCh37", "##contig lengths"),
    ("vcf2maf/test_b38.vcf", "GRCh38", "##contig lengths"),  # 21 length=46709983
    ("vcf2maf/test_pindel.vcf", "GRCh37", "##reference"),  # ##reference=HG19
    ("pcgr/T001-BRCA.grch37.vcf.gz", "GRCh37", "##new_reference_genome"),  # .../hg19/ucsc.hg19.fa
    ("pcgr/T001-COAD.grch38.vcf.gz", "GRCh38", "##liftOverChainFile"),  # hg19Tohg38.over.chain
    # no contig lines and no reference name: unknown, never guessed
    ("vcf2maf/test_varscan.vcf", "unknown", "no contig lengths"),
    ("vcf2maf/test_strelka.vcf", "unknown", "no contig lengths"),
    ("somaticseq/MuTect2.vcf.gz", "unknown", "no contig lengths"),  # synthetic 300 kb genome
]


@pytest.mark.parametrize(("name", "build", "evidence"), BUILDS)
def test_build_from_header(vcf_dir, name, build, evidence) -> None:
    with VcfReader(vcf_dir / name) as reader:
        assert reader.info.build == build
        assert reader.info.build_evidence.startswith(evidence)
        if build == "unknown":
            assert any("genome build unknown" in w for w in reader.info.warnings)


def test_build_option_overrides_and_warns_on_conflict(vcf_dir) -> None:
    with VcfReader(vcf_dir / "vcf2maf/test_varscan.vcf", build=GenomeBuild.GRCH37) as reader:
        assert (reader.info.build, reader.info.warnings) == ("GRCh37", [])
    with VcfReader(vcf_dir / "vcf2maf/test_mutect.vcf", build=GenomeBuild.GRCH38) as reader:
        assert reader.info.build == "GRCh38"
        assert reader.info.warnings == [
            "--build GRCh38 given, but the header indicates GRCh37 (##contig lengths "
            "(24 contigs match GRCh37)); using GRCh38"
        ]


@pytest.mark.parametrize(
    ("text", "build"),
    [("hg19", "GRCh37"), ("GRCh37-lite", "GRCh37"), ("/ifs/b37/b37.fasta", "GRCh37"),
     ("GRCh38.p13", "GRCh38"), ("hg38", "GRCh38"), ("38", "GRCh38"), ("/run38/hg19.fa", "GRCh37"),
     ("tiny.fa", "unknown"), ("GRCm38", "unknown")],
)
def test_build_names(text, build) -> None:
    assert GenomeBuild.parse(text) == build


ROLES = [
    # file, tumor, normal, how
    ("somaticseq/MuTect2.vcf.gz", "TUMOR", "NORMAL", "header"),  # ##tumor_sample=TUMOR
    ("pvactools/HCC1395.annotated.expression.vcf.gz", "HCC1395_TUMOR_DNA", "HCC1395_NORMAL_DNA",
     "header"),  # GATK command line --tumor-sample
    ("vcf2maf/test_varscan.vcf", "TUMOR", "NORMAL", "sample name"),  # NORMAL, TUMOR columns
    ("vcf2maf/test_delly.vcf", "TUMOR", "NORMAL", "sample name"),  # TUMOR, NORMAL columns
    ("pcgr/T001-BRCA.grch37.vcf.gz",
     "TCGA-A2-A04W-01A-31D-A10Y-09_TCGA-A2-A04W-10A-01D-A110-09", None, "only sample (tumor-only)"),
    ("somaticseq/LoFreq.snv.vcf.gz", None, None, "sites-only file: evidence from INFO"),
]


@pytest.mark.parametrize(("name", "tumor", "normal", "how"), ROLES)
def test_sample_roles(vcf_dir, name, tumor, normal, how) -> None:
    with VcfReader(vcf_dir / name) as reader:
        assert (reader.info.tumor_sample, reader.info.normal_sample) == (tumor, normal)
        assert reader.info.roles_from == how


def test_tumor_option_swaps_roles(vcf_dir) -> None:
    """--tumor NORMAL reads the other column: line 21 tumor VAF becomes 0 (NORMAL's 0%)."""
    with VcfReader(vcf_dir / "vcf2maf/test_varscan.vcf", tumor="NORMAL") as reader:
        variant = next(v for v in reader if v.line == 21)
        assert (reader.info.tumor_sample, reader.info.normal_sample) == ("NORMAL", "TUMOR")
        assert (variant.tumor_vaf, variant.normal_vaf) == (0.0, pytest.approx(0.3077))


def _header(samples: tuple[str, ...], text: str = "##fileformat=VCFv4.2\n") -> VcfHeader:
    return VcfHeader.parse(text, samples)


@pytest.mark.parametrize(
    ("samples", "tumor", "normal"),
    [
        (("DNA_TUMOR", "DNA_NORMAL"), 0, 1),
        (("p1_normal", "p1_tumor"), 1, 0),
        (("TCGA-A6-2686-10A", "TCGA-A6-2686-01A"), 1, 0),  # TCGA sample types: 01 tumor, 10 normal
        (("blood", "S2"), 1, 0),  # one is recognisably the normal: the other is the tumor
    ],
)
def test_roles_from_names(samples, tumor, normal) -> None:
    roles = resolve_roles(_header(samples), "x.vcf")
    assert (roles.tumor, roles.normal) == (tumor, normal)


@pytest.mark.parametrize(
    ("samples", "tumor", "normal", "rna"),
    [
        (("DNA_NORMAL", "DNA_TUMOR", "RNA_TUMOR"), 1, 0, 2),  # RADIA's three columns
        (("RNA_TUMOR", "DNA_TUMOR", "DNA_NORMAL"), 1, 2, 0),
        (("DNA_NORMAL", "DNA_TUMOR", "RNA_NORMAL", "RNA_TUMOR"), 1, 0, 3),
        (("TUMOR", "RNA_TUMOR"), 0, None, 1),  # tumor-only DNA with its RNA
    ],
)
def test_the_dna_tumor_is_the_tumor_and_rna_is_expression_support(
        samples, tumor, normal, rna) -> None:
    roles = resolve_roles(_header(samples), "radia.vcf")
    assert (roles.tumor, roles.normal, roles.rna) == (tumor, normal, rna)
    assert f"{samples[rna]} is the tumor's RNA" in roles.how


def test_two_anonymous_samples_are_an_error_not_a_guess() -> None:
    with pytest.raises(InputError) as caught:
        resolve_roles(_header(("S1", "S2")), "x.vcf")
    assert caught.value.problem == (
        "cannot tell which of the samples (S1, S2) is the tumor; pass --tumor NAME"
    )


def test_detect_build_from_contig_assembly() -> None:
    header = _header((), "##fileformat=VCFv4.2\n##contig=<ID=chr1,assembly=GRCh38>\n")
    assert detect_build(header).build == "GRCh38"


@pytest.mark.parametrize(
    ("name", "norm"),
    [("chr7", "7"), ("7", "7"), ("chrM", "MT"), ("MT", "MT"), ("chrX", "X"),
     ("NC_000007.13", "7"), ("NC_000023.11", "X"), ("GL000192.1", "GL000192.1")],
)
def test_normalize_chrom(name, norm) -> None:
    assert normalize_chrom(name) == norm


@pytest.mark.parametrize(
    ("ref", "alt", "kind"),
    [("A", "T", "snv"), ("AC", "GT", "mnv"), ("A", "AG", "insertion"), ("ACT", "A", "deletion"),
     ("ACGT", "AT", "deletion"), ("AC", "TGA", "complex"), ("GAC", "GTC", "snv")],
)
def test_classify_small(ref, alt, kind) -> None:
    assert classify_small(ref, alt) == kind
