"""Sample roles with the tumor's RNA (issue 11, item 7): RADIA's DNA_NORMAL, DNA_TUMOR and
RNA_TUMOR columns take the DNA tumor as the tumor without asking, and the RNA allele counts
come along as expression support (rows, card)."""

from __future__ import annotations

import io
from pathlib import Path

from annotation.model import AnnotatedVariant, Tier
from layouts.findings import read_support
from mtb.ingest import read_vcf, write_findings
from tests.drawn import small

# SYNTHETIC records in RADIA's layout (GT:DP:AD:AF per sample); no patient
RADIA = """##fileformat=VCFv4.2
##source=RADIA (SYNTHETIC records written by a test)
##reference=GRCh38
##contig=<ID=chr7,length=159345973>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	DNA_NORMAL	DNA_TUMOR	RNA_TUMOR
""" + "".join("\t".join(cells) + "\n" for cells in (
    ("chr7", "55191822", ".", "T", "G", ".", "PASS", ".", "GT:DP:AD:AF",
     "0/0:60:60,0:0", "0/1:200:114,86:0.43", "0/1:80:44,36:0.45"),
    ("chr7", "55181378", ".", "C", "T", ".", "PASS", ".", "GT:DP:AD:AF",
     "0/0:50:50,0:0", "0/1:200:176,24:0.12", "0/0:0:0,0:."),
))


def test_radia_dna_tumor_and_rna_support(tmp_path: Path) -> None:
    path = tmp_path / "radia.synthetic.vcf"
    path.write_text(RADIA)
    callset = read_vcf(path)
    assert (callset.info.tumor_sample, callset.info.normal_sample) == ("DNA_TUMOR", "DNA_NORMAL")
    assert "RNA_TUMOR is the tumor's RNA" in callset.info.roles_from
    l858r, t790m = callset.variants
    assert (l858r.tumor_alt, l858r.tumor_depth, l858r.normal_depth) == (86, 200, 60)
    assert (l858r.rna_alt, l858r.rna_depth) == (36, 80)
    assert t790m.rna_depth == 0  # not expressed, or not covered: said as 0 reads
    out = io.StringIO()
    write_findings(path, out)
    header, first, _ = out.getvalue().splitlines()
    row = dict(zip(header.split("\t"), first.split("\t"), strict=True))
    assert (row["tumor_alt"], row["rna_vaf"], row["rna_alt"], row["rna_depth"]) == (
        "86", "0.45", "36", "80")
    card = small("EGFR", "p.L858R", Tier.IA)
    shown = AnnotatedVariant(l858r, card.alteration, Tier.IA, "A")
    assert read_support(shown) == "VAF 43%, 86/200 reads; RNA 36/80 reads"
