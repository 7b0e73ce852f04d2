"""A whole genome's unfiltered VCF in a case (issue 15, item 4): above MTB_KEEP_FILTERED_MB only
its PASS records are kept, and the case says how many filtered records it left out."""

from __future__ import annotations

from pathlib import Path

from mtb.case import read_case_files
from mtb.catalog import read_case
from mtb.config import Settings

VCF = """##fileformat=VCFv4.2
##source=SYNTHETIC (a test's own records, no patient)
##reference=GRCh38
##contig=<ID=chr7,length=159345973>
##FILTER=<ID=weak_evidence,Description="weak">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	TUMOR
chr7	55191822	.	T	G	.	PASS	.	GT:AD:DP	0/1:118,86:204
chr7	55191900	.	A	C	.	weak_evidence	.	GT:AD:DP	0/1:98,2:100
chr7	55192000	.	G	A	.	weak_evidence	.	GT:AD:DP	0/1:99,1:100
"""


def _case(tmp_path: Path) -> Path:
    (tmp_path / "calls.vcf").write_text(VCF)
    (tmp_path / "case.toml").write_text('id = "c"\ntitle = "SYNTHETIC"\n'
                                       '[[files]]\npath = "calls.vcf"\nkind = "vcf"\n')
    return tmp_path


def test_a_small_vcf_keeps_its_filtered_records(tmp_path: Path) -> None:
    files = read_case_files(read_case(_case(tmp_path)), Settings.load(environ={}))
    assert len(files.molecular[0].findings) == 3 and files.molecular[0].filtered_out == 0


def test_a_large_vcf_keeps_pass_records_and_counts_the_rest(tmp_path: Path) -> None:
    settings = Settings.load(environ={"MTB_KEEP_FILTERED_MB": "0.0001"})  # 100 bytes
    files = read_case_files(read_case(_case(tmp_path)), settings)
    [found] = files.molecular
    assert [f.pos for f in found.findings] == [55191822] and found.filtered_out == 2
