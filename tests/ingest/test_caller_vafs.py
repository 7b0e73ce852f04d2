"""Tumor and normal VAF, alt reads and depth checked by hand against the raw records.

Each case quotes the raw line (FORMAT and the sample columns, in header order) and the
arithmetic. Files are the real caller outputs in ../shared/data/vcf.
"""

from __future__ import annotations

import pytest

from mtb.ingest import read_vcf
from tests.conftest import SHARED, needs_shared

pytestmark = needs_shared

# (file, line, ALT, vaf_source, tumor (vaf, alt, depth), normal (vaf, alt, depth))
CASES = [
    # GATK4 Mutect2 — columns NORMAL, TUMOR; FORMAT GT:AD:AF:DP:...
    # line 72: 1 8450 T G ... 0/0:28,1:0.038:29:...  0/1:0,44:0.978:44:...
    ("somaticseq/MuTect2.vcf.gz", 72, "G", "FORMAT/AF", (0.978, 44, 44), (0.038, 1, 29)),
    # multi-allelic, line 118: 1 92705 G C,GC multiallelic ...
    #   NORMAL 0/0:27,0,0:0.032,0.032:27   TUMOR 0/1/2:0,21,27:0.416,0.565:48
    ("somaticseq/MuTect2.vcf.gz", 118, "C", "FORMAT/AF", (0.416, 21, 48), (0.032, 0, 27)),
    ("somaticseq/MuTect2.vcf.gz", 118, "GC", "FORMAT/AF", (0.565, 27, 48), (0.032, 0, 27)),
    # MuTect1 — NORMAL, TUMOR; GT:AD:BQ:DP:FA
    # line 146: 1 204429832 C A PASS  0:43,0:.:43:0.00:0  0/1:39,3:32:42:0.071:2
    ("vcf2maf/test_mutect.vcf", 146, "A", "MuTect1 FORMAT/FA", (0.071, 3, 42), (0.0, 0, 43)),
    # line 371: 10 21124238 G T PASS  0/1:12,3:31:15:0.200:2  0:14,0:.:14:0.00:0
    ("vcf2maf/test_mutect.vcf", 371, "T", "MuTect1 FORMAT/FA", (0.0, 0, 14), (0.2, 3, 15)),
    # Strelka2 SNV — NORMAL, TUMOR; DP:FDP:SDP:SUBDP:AU:CU:GU:TU (tier1,tier2)
    # line 39: 1 8450 T G  30:0:0:0:0,0:0,0:1,1:29,29   44:0:0:0:0,0:0,0:44,44:0,0
    #   tumor GU=44 / (0+0+44+0) = 1.0 ; normal GU=1 / (0+0+1+29) = 1/30
    ("somaticseq/Strelka.snv.vcf.gz", 39, "G", "Strelka2 tier-1 base counts", (1.0, 44, 44),
     (1 / 30, 1, 30)),
    # vcf2maf Strelka v1, line 54: 1 35944648 G A  78:..:0,0:0,0:78,78:0,0  58:..:56,57:0,0:2,2:0,0
    #   tumor AU=56 / (56+0+2+0) = 56/58
    ("vcf2maf/test_strelka.vcf", 54, "A", "Strelka2 tier-1 base counts", (56 / 58, 56, 58),
     (0.0, 0, 78)),
    # Strelka2 indel — DP:DP2:TAR:TIR:TOR:...
    # line 42: 1 27448 T TTAGCCG  23:23:23,23:0,0:0,0:...  47:47:0,0:46,46:3,3:...
    #   tumor TIR 46 / (TAR 0 + TIR 46) = 1.0 ; normal 0 / (23 + 0) = 0
    ("somaticseq/Strelka.indel.vcf.gz", 42, "TTAGCCG", "Strelka2 TIR/(TAR+TIR)", (1.0, 46, 46),
     (0.0, 0, 23)),
    # vcf2maf Strelka v1 indel (TAR/TIR undeclared in the header: read from strings)
    # line 77: 2 102626146 CG C  91:91:87,89:0,0:3,1:...  89:89:19,19:57,58:12,11:...
    #   tumor 57 / (19 + 57) = 0.75
    ("vcf2maf/test_strelka.vcf", 77, "C", "Strelka2 TIR/(TAR+TIR)", (0.75, 57, 76), (0.0, 0, 87)),
    # VarScan2 — NORMAL, TUMOR; GT:GQ:DP:RD:AD:FREQ:DP4 (AD is alt reads, Number=1)
    # line 21: 1 2584408 C A PASS  0/0:.:11:11:0:0%:10,1,0,0  0/1:.:13:9:4:30.77%:5,4,2,2
    ("vcf2maf/test_varscan.vcf", 21, "A", "VarScan2 FORMAT/FREQ", (0.3077, 4, 13), (0.0, 0, 11)),
    # line 22: 1 6195493 G A  0/1:.:59:31:28:47.46%:...  0/1:.:72:33:39:54.17%:...
    ("vcf2maf/test_varscan.vcf", 22, "A", "VarScan2 FORMAT/FREQ", (0.5417, 39, 72),
     (0.4746, 28, 59)),
    # SomaticSniper — NORMAL, TUMOR; GT:IGT:DP:DP4:BCOUNT(A,C,G,T):...
    # line 21: 1 9113 T A  0/0:0/0:24:9,15,0,0:0,0,0,24:...  0/1:0/1:63:17,14,16,16:32,0,0,31:...
    #   tumor A=32 / (32+0+0+31) = 32/63 ; normal 0/24
    ("somaticseq/SomaticSniper.vcf.gz", 21, "A", "SomaticSniper BCOUNT", (32 / 63, 32, 63),
     (0.0, 0, 24)),
    # vcf2maf line 34: 1 1233886 C G  0/0:...:0,10,0,0:...  0/1:...:0,3,0,4:0,3,4,0:...
    #   tumor G=4 / (0+3+4+0) = 4/7
    ("vcf2maf/test_sniper.vcf", 34, "G", "SomaticSniper BCOUNT", (4 / 7, 4, 7), (0.0, 0, 10)),
    # MuSE — TUMOR, NORMAL; GT:DP:AD:BQ:SS
    # line 24: 1 9113 T A PASS SOMATIC  0/1:63:31,32:33,32:2  0/0:24:24,0:35,0:.
    ("somaticseq/MuSE.vcf.gz", 24, "A", "FORMAT/AD", (32 / 63, 32, 63), (0.0, 0, 24)),
    # Scalpel — NORMAL, TUMOR; GT:AD:DP
    # line 33: 1 27448 T TTAGCCG  0/0:13,0:13  1/1:0,29:29
    ("somaticseq/Scalpel.vcf.gz", 33, "TTAGCCG", "FORMAT/AD", (1.0, 29, 29), (0.0, 0, 13)),
    # LoFreq, sites-only: line 23: 1 9113 T A 451 PASS DP=63;AF=0.507937;SB=0;DP4=17,14,16,16
    ("somaticseq/LoFreq.snv.vcf.gz", 23, "A", "INFO/AF (sites-only)", (0.507937, 32, 63),
     (None, None, None)),
    # GT:AD:DP with a missing ref count — TUMOR, NORMAL
    # line 7: 21 34792292 A C  0/1:.,21:54  0/0:.,.:0
    ("vcf2maf/test_b38.vcf", 7, "C", "FORMAT/AD", (21 / 54, 21, 54), (None, None, 0)),
    # line 8: 21 34792478 C T  0/1:778,123:901  0/0:482,0:482
    ("vcf2maf/test_b38.vcf", 8, "T", "FORMAT/AD", (123 / 901, 123, 901), (0.0, 0, 482)),
    # Pindel — NORMAL, TUMOR; GT:DP:BQ:SS:AD
    # line 22: 1 16890971 ACT A  0/0:46:.:2:46,0  0/0:47:.:2:43,4  -> tumor 4/47
    ("vcf2maf/test_pindel.vcf", 22, "A", "FORMAT/AD", (4 / 47, 4, 47), (0.0, 0, 46)),
    # PCGR merged column `<tumor>_<normal>`: INFO TVAF, FORMAT DPC:DPT:ADC:ADT
    # line 18: 1 1046550 C T PASS TVAF=0.25;TDP=28  0/1:34:28:.,.:21,7:1,3,4,2
    ("pcgr/T001-COAD.grch38.vcf.gz", 18, "T", "PCGR TVAF/ADT", (0.25, 7, 28), (None, None, 34)),
    # GATK CombineVariants merge (pVACtools HCC1395) — NORMAL, TUMOR; GT:AD:AF:DP:...
    # line 4413: chr13 32339132 G T PASS  0/0:41,0:0.0:41:...  0/1:31,23:0.42593:54:...
    ("pvactools/HCC1395.annotated.expression.vcf.gz", 4413, "T", "FORMAT/AF", (0.42593, 23, 54),
     (0.0, 0, 41)),
    # VarScan-only record with VCF 4.3 percent-encoding (FREQ=11.56%25); AF still wins:
    # line 3553: chr1 451649 A AG  0/0:688,38:728:...:4.94%25:654:0.0522:...
    #                              0/1:651,90:741:...:11.56%25:612:0.12146:...
    ("pvactools/HCC1395.annotated.expression.vcf.gz", 3553, "AG", "FORMAT/AF",
     (0.12146, 90, 741), (0.0522, 38, 728)),
]


@pytest.fixture(scope="module")
def callsets():
    return {}


@pytest.mark.parametrize(("name", "line", "alt", "source", "tumor", "normal"), CASES)
def test_vaf_by_hand(callsets, name, line, alt, source, tumor, normal) -> None:
    if name not in callsets:
        callsets[name] = read_vcf(SHARED / "vcf" / name)  # type: ignore[operator]
    matches = [v for v in callsets[name].variants if v.line == line and v.alt == alt]
    assert len(matches) == 1
    variant = matches[0]
    assert variant.vaf_source == source
    for (vaf, alt_reads, depth), got in (
        (tumor, (variant.tumor_vaf, variant.tumor_alt, variant.tumor_depth)),
        (normal, (variant.normal_vaf, variant.normal_alt, variant.normal_depth)),
    ):
        assert got[0] == (pytest.approx(vaf, abs=5e-5) if vaf is not None else None)
        assert got[1:] == (alt_reads, depth)


def test_delly_breakpoints_and_support(vcf_dir) -> None:
    """Delly BND, TUMOR first. line 129: 21 42843749 BND00000094 C ]15:80623247]C PASS
    SVTYPE=BND;CHR2=15;END=80623247 (END < POS is Delly's way, not an error)
    TUMOR ...:CN -1:DR 0:DV 184:RR 289:RV 172 -> (184+172)/(0+184+289+172) = 356/645."""
    callset = read_vcf(vcf_dir / "vcf2maf/test_delly.vcf")
    sv = next(s for s in callset.structural_variants if s.line == 129)
    where = (sv.chrom, sv.pos, sv.chrom2, sv.pos2, sv.sv_type)
    assert where == ("21", 42843749, "15", 80623247, "BND")
    assert (sv.tumor_alt, sv.tumor_depth) == (356, 645)
    assert sv.tumor_vaf == pytest.approx(356 / 645)
    # Delly's read-depth CN on DEL/DUP calls does not turn breakpoint calls into CNV segments
    assert callset.copy_numbers == []
    assert {s.sv_type for s in callset.structural_variants} == {"BND", "DEL", "INV", "DUP"}
