"""MAF input (issue 11, item 3): the same findings, columns and errors as the VCF it came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtb.errors import InputError
from mtb.ingest import read_findings
from mtb.ingest.maf import read_maf
from mtb.ingest.sniff import sniff
from mtb.variant import GenomeBuild, allele_key
from tests.conftest import needs_shared

HEADER = ("Hugo_Symbol\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\t"
          "Tumor_Sample_Barcode\tt_alt_count\tt_depth\tHGVSp_Short\tVariant_Classification\n")


def _maf(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "calls.maf"
    path.write_text("#version 2.4\n" + header + "".join(row + "\n" for row in rows))
    return path


@needs_shared
def test_vcf2maf_output_reads_as_its_own_vcf(vcf_dir: Path) -> None:
    """vcf2maf's GRCh38 regression pair: every record of test_b38.vcf comes back from
    test_b38_output.maf at the same VCF position and alleles (the indels' anchor base restored
    from flanking_bps), with the same tumor and normal reads."""
    maf = read_findings(vcf_dir / "vcf2maf/test_b38_output.maf")
    vcf = read_findings(vcf_dir / "vcf2maf/test_b38.vcf")
    assert (maf.kind, maf.build) == ("maf", GenomeBuild.GRCH38)

    def reads(findings):  # type: ignore[no-untyped-def]
        return [(f.chrom, f.pos, f.ref, f.alt, f.tumor_alt, f.tumor_depth, f.normal_alt,
                 f.normal_depth) for f in findings]

    assert len(maf.findings) == 25 and reads(maf.findings) == reads(vcf.findings)
    insertion = next(f for f in maf.findings if f.pos == 34880555)
    assert (insertion.ref, insertion.alt) == ("A", "ACCTCTT")
    runx1 = maf.findings[0]
    assert runx1.annotation is not None
    assert (runx1.annotation.gene, runx1.annotation.hgvsp) == ("RUNX1", "p.L429R")
    assert runx1.tumor_vaf == pytest.approx(runx1.tumor_alt / runx1.tumor_depth)


def test_an_indel_without_flanking_bases_still_matches_by_allele(tmp_path: Path) -> None:
    path = _maf(tmp_path, "EGFR\t7\t55242465\tGGAATTAAGAGAAGC\t-\tT1\t30\t100\t"
                          "p.E746_A750del\tIn_Frame_Del")
    [deletion], build, sample = read_maf(path)
    assert (deletion.pos, deletion.ref, deletion.alt) == (55242464, "NGGAATTAAGAGAAGC", "N")
    assert allele_key(deletion.pos, deletion.ref, deletion.alt) == (
        55242465, "GGAATTAAGAGAAGC", "")
    assert (build, sample) == (GenomeBuild.UNKNOWN, "T1")
    assert deletion.annotation is not None
    assert deletion.annotation.consequence == ("inframe_deletion",)


def test_several_tumor_samples_need_one_chosen(tmp_path: Path) -> None:
    path = _maf(tmp_path, "KRAS\t12\t25398284\tC\tA\tT1\t10\t50\tp.G12V\tMissense_Mutation",
                "TP53\t17\t7577120\tC\tT\tT2\t20\t60\tp.R273H\tMissense_Mutation")
    with pytest.raises(InputError, match=r"calls.maf: holds 2 tumor samples \(T1, T2\)"):
        read_maf(path)
    [only], _, sample = read_maf(path, tumor="T2")
    assert (only.annotation.gene, sample) == ("TP53", "T2")  # type: ignore[union-attr]
    with pytest.raises(InputError, match="no tumor sample 'T3'"):
        read_maf(path, tumor="T3")


def test_bad_maf_rows_name_the_file_line_and_column(tmp_path: Path) -> None:
    path = _maf(tmp_path, "KRAS\t12\ttwelve\tC\tA\tT1\t10\t50\tp.G12V\tMissense_Mutation")
    with pytest.raises(InputError, match=r"calls.maf, line 3: .*Start_Position"):
        read_maf(path)
    missing = _maf(tmp_path, "KRAS\t12\tC\tA", header="Hugo_Symbol\tChromosome\t"
                   "Reference_Allele\tTumor_Seq_Allele2\n")
    with pytest.raises(InputError, match="Start_Position"):
        read_maf(missing)


def test_a_maf_is_sniffed_as_maf(tmp_path: Path) -> None:
    path = _maf(tmp_path, "KRAS\t12\t25398284\tC\tA\tT1\t10\t50\tp.G12V\tMissense_Mutation")
    assert sniff(path) == "maf"
