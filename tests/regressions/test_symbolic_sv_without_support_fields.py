"""Found by the columnar ingest's fuzzing (issue 15): a symbolic <DUP>/<DEL> in a VCF whose
header declares none of Delly's and Manta's read-support fields (DV, RV, PR, SR) stopped the
whole file with "record values cannot be decoded (KeyError)": cyvcf2 raises KeyError for an
undeclared FORMAT key. Such a record is read, as a structural variant."""

from __future__ import annotations

import io
from pathlib import Path

from mtb.ingest import read_vcf, write_findings
from mtb.variant import StructuralVariant

VCF = """##fileformat=VCFv4.2
##source=SYNTHETIC (a test's own record, no patient)
##reference=GRCh38
##contig=<ID=chr17,length=83257441>
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">
##INFO=<ID=END,Number=1,Type=Integer,Description="End">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	TUMOR
chr17	39687914	.	N	<DUP>	.	PASS	SVTYPE=DUP;END=39730426	GT	0/1
"""


def test_a_symbolic_dup_without_support_fields_is_read(tmp_path: Path) -> None:
    path = tmp_path / "sv.synthetic.vcf"
    path.write_text(VCF)
    [sv] = read_vcf(path).structural_variants
    assert isinstance(sv, StructuralVariant) and (sv.pos, sv.pos2) == (39687914, 39730426)
    out = io.StringIO()
    summary = write_findings(path, out)
    assert summary.by_type == {"sv": 1} and out.getvalue().count("\n") == 2
