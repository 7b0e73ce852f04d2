"""HGVS c./p. names and consequences without VEP (annotation.hgvs).

SYNTHETIC DATA. No human reference sequence exists on this machine, so most tests run on two
SYNTHETIC genes, SYNP ('+' strand) and SYNM ('-' strand), on a SYNTHETIC contig `chrSYN`: a
tiny MANE-format genes folder (bigGenePred row + summary row each) and a FASTA whose sequence
is written out below, codon by codon, so that every expected name can be worked out by hand
(the reasoning is in the comments). Nothing about SYNP/SYNM is real.

The tests on the real bundled MANE use no FASTA (c., exon and codon come from the transcript
alone), or the SYNTHETIC 'N'-filled FASTA of test_genes.py's protein-change tests (moved here
with `protein_change`), whose only real bases are the published reference codons named in each
comment; the HGVS names there are ClinVar's / COSMIC's.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pysam
import pytest

from annotation.alterations import alterations_of
from annotation.genes import GeneModel
from annotation.hgvs import Description, Reference, describe
from mtb.errors import InputError
from mtb.variant import GenomeBuild, SmallVariant, TranscriptAnnotation, VariantType

GRCH37, GRCH38, UNKNOWN = GenomeBuild.GRCH37, GenomeBuild.GRCH38, GenomeBuild.UNKNOWN

# ---------------------------------------------------------------------------------------------
# SYNTHETIC gene SYNP, '+' strand. 1-based positions on chrSYN:
#   exon 1    101..140  5'UTR c.-10..c.-1 at 101..110, c.1..c.30 at 111..140   (c.n = 110 + n)
#   intron 1  141..170  c.30+1..c.30+15 at 141..155, c.31-15..c.31-1 at 156..170
#   exon 2    171..200  c.31..c.60                                              (c.n = 140 + n)
#   intron 2  201..231  31 bases: the middle base 216 is c.60+16 (HGVS: odd middle counts +)
#   exon 3    232..273  c.61..c.72 at 232..243 (stop c.70-72), 3'UTR c.*1..c.*30 at 244..273
SYNP_UTR5 = "CTTCGCAGCC"  # c.-10 .. c.-1
SYNP_CDS = (
    # codon: 1   2   3   4   5   6   7   8   9   10
    "ATG" "CTG" "CAG" "GAA" "GAA" "GAA" "ACC" "GCC" "GAT" "AAC",  # exon 1: M L Q E E E T A D N
    # 11  12  13  14  15  16  17  18  19  20
    "TCT" "GGG" "CCA" "TTC" "CGA" "TAC" "CTT" "AGC" "ACT" "GCA",  # exon 2: S G P F R Y L S T A
    # 21  22  23  24
    "GTC" "TGG" "AAT" "TAA",  # exon 3: V W N *
)
# 3'UTR: in frame with the CDS it reads CTG GGA TAG (L G *): a lost stop ends 3 codons on;
# one base on (from c.*2) it reads TGG GAT AGC ATT TCA AAA CCC TTT GGG CC: no stop at all
SYNP_UTR3 = "CTGGGATAGCATTTCAAAACCCTTTGGGCC"
SYNP_INTRON1 = "GTAAGTCCTTACGGATCCATTGCTTTACAG"  # c.30+1 G, +2 T, +5 G, +12 C; -2 A, -1 G
SYNP_INTRON2 = "GTGAGTACCTAGGCTTAAGCCTCTCCTTCAG"  # 216 (+16) T, 227-228 TT (c.61-5, -4)

# SYNTHETIC gene SYNM, '-' strand: the mRNA (coding strand) is written here; the contig holds
# its reverse complement. 1-based positions on chrSYN (transcript order: exon 1 is rightmost):
#   exon 1    1115..1143  5'UTR c.-8..c.-1 at 1143..1136; c.1..c.21 at 1135..1115 (c.n = 1136 - n)
#   intron 1  1085..1114  c.21+k at 1115 - k; c.22-k at 1084 + k
#   exon 2    1061..1084  c.22..c.45                                           (c.n = 1106 - n)
#   intron 2  1031..1060  c.45+k at 1061 - k
#   exon 3    1001..1030  c.46..c.54 at 1030..1022 (c.n = 1076 - n); c.*k at 1022 - k
SYNM_UTR5 = "GACTCAGC"  # c.-8 .. c.-1
SYNM_CDS = (
    # 1   2   3   4   5   6   7
    "ATG" "GGT" "GGC" "CAA" "ACG" "GAG" "CTG",  # exon 1: M G G Q T E L
    # 8   9   10  11  12  13  14  15
    "AAG" "CTG" "GCC" "GCC" "ATT" "CGA" "AAC" "TCA",  # exon 2: K L A A I R N S
    # 16  17  18
    "GAC" "TTT" "TGA",  # exon 3: D F *
)
# 3'UTR: in frame (c.*1..) CTA AGC GCT GAC CCA GCT ACC: no stop (a lost stop runs off the end);
# from c.*2: TAA, a stop at once; from c.*3: AAG CGC TGA, a stop at the third codon
SYNM_UTR3 = "CTAAGCGCTGACCCAGCTACC"
SYNM_INTRON1 = "GTAAGCTTCCGGTAACTTGCATCTTTTCAG"  # c.21+1 G, +10 C; c.22-2 A, -1 G
SYNM_INTRON2 = "GTGAGCAATTCGTTAACCTTGGATCCACAG"  # c.45+4 A

CONTIG_LENGTH = 1300

_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def _revcomp(seq: str) -> str:
    return seq.translate(_COMPLEMENT)[::-1]


def _synp_cds(a: int, b: int) -> str:
    return "".join(SYNP_CDS)[a - 1 : b]


def _synm_cds(a: int, b: int) -> str:
    return "".join(SYNM_CDS)[a - 1 : b]


def synthetic_contig() -> str:
    """chrSYN: 'N' except the two SYNTHETIC genes (positions as in the layout above)."""
    seq = ["N"] * CONTIG_LENGTH
    cds = "".join(SYNP_CDS)
    synp = (SYNP_UTR5 + cds[:30] + SYNP_INTRON1 + cds[30:60] + SYNP_INTRON2 + cds[60:]
            + SYNP_UTR3)
    assert len(synp) == 273 - 101 + 1
    seq[100:273] = synp
    cds = "".join(SYNM_CDS)
    synm = (SYNM_UTR5 + cds[:21] + SYNM_INTRON1 + cds[21:45] + SYNM_INTRON2 + cds[45:]
            + SYNM_UTR3)
    assert len(synm) == 1143 - 1001 + 1
    seq[1000:1143] = _revcomp(synm)
    return "".join(seq)


def _genes_dir(folder: Path) -> Path:
    """A MANE-format genes folder with the two SYNTHETIC transcripts (0-based half-open)."""
    folder.mkdir(parents=True, exist_ok=True)
    header = ("#chrom\tchromStart\tchromEnd\tname\tscore\tstrand\tthickStart\tthickEnd\t"
              "reserved\tblockCount\tblockSizes\tchromStarts\tname2\tcdsStartStat\t"
              "cdsEndStat\texonFrames\ttype\tgeneName\tgeneName2\tgeneType\tensemblProtAcc\t"
              "ncbiId\tncbiGene\tncbiProtAcc\tmaneStat")

    def row(start: int, end: int, name: str, strand: str, cds: tuple[int, int],
            exons: list[tuple[int, int]], refseq: str, gene: str, gene_id: str) -> str:
        sizes = ",".join(str(b - a) for a, b in exons) + ","
        offsets = ",".join(str(a - start) for a, _ in exons) + ","
        return "\t".join([
            "chrSYN", str(start), str(end), name, "0", strand, str(cds[0]), str(cds[1]),
            "0", str(len(exons)), sizes, offsets, name, "cmpl", "cmpl", "", "mRNA",
            "ENSG_SYN", gene, "protein_coding", "ENSP_SYN", refseq, gene_id, "NP_SYN",
            "MANE Select",
        ])

    rows = [
        # SYNP: exons 101-140, 171-200, 232-273 (1-based) -> 0-based starts 100, 170, 231;
        # CDS c.1 at 111 (0-based 110) .. stop's last base 243 (0-based end 243)
        row(100, 273, "ENST_SYNP.1", "+", (110, 243),
            [(100, 140), (170, 200), (231, 273)], "NM_SYNP.1", "SYNP", "GeneID:SYN1"),
        # SYNM: exons 1001-1030, 1061-1084, 1115-1143; CDS from c.54 (1022) to c.1 (1135)
        row(1000, 1143, "ENST_SYNM.1", "-", (1021, 1135),
            [(1000, 1030), (1060, 1084), (1114, 1143)], "NM_SYNM.1", "SYNM", "GeneID:SYN2"),
    ]
    exons = folder / "MANE.GRCh38.v1.2.ucsc_bigGenePred.tsv.gz"
    exons.write_bytes(gzip.compress(("\n".join([header, *rows]) + "\n").encode()))
    summary = folder / "MANE.GRCh38.v1.5.summary.txt.gz"
    lines = [
        "#NCBI_GeneID\tEnsembl_Gene\tHGNC_ID\tsymbol\tname\tRefSeq_nuc\tRefSeq_prot\t"
        "Ensembl_nuc\tEnsembl_prot\tMANE_status\tGRCh38_chr\tchr_start\tchr_end\tchr_strand",
        "GeneID:SYN1\tENSG_SYN1\tHGNC:0\tSYNP\tSYNTHETIC\tNM_SYNP.1\tNP_SYN\tENST_SYNP.1\t"
        "ENSP_SYN\tMANE Select\tchrSYN\t101\t273\t+",
        "GeneID:SYN2\tENSG_SYN2\tHGNC:0\tSYNM\tSYNTHETIC\tNM_SYNM.1\tNP_SYN\tENST_SYNM.1\t"
        "ENSP_SYN\tMANE Select\tchrSYN\t1001\t1143\t-",
    ]
    summary.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return folder


def _write_fasta(path: Path, contigs: dict[str, str]) -> Path:
    with path.open("w") as handle:
        for name, seq in contigs.items():
            handle.write(f">{name} SYNTHETIC\n")
            for k in range(0, len(seq), 60):
                handle.write(seq[k : k + 60] + "\n")
    return path


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> GeneModel:
    return GeneModel(genes_dir=_genes_dir(tmp_path_factory.mktemp("genes")))


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fasta-index")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, index_dir: Path) -> Reference:
    path = _write_fasta(tmp_path_factory.mktemp("synthetic") / "synthetic.fa",
                        {"chrSYN": synthetic_contig()})
    return Reference.open(path, index_dir)


def test_the_synthetic_layout_is_what_the_comments_say() -> None:
    contig = synthetic_contig()

    def at(pos: int, n: int = 1) -> str:
        return contig[pos - 1 : pos - 1 + n]

    assert at(111, 3) == "ATG" and at(101, 10) == SYNP_UTR5  # SYNP c.1, 5'UTR
    assert at(140) == "C" and at(141, 2) == "GT" and at(169, 2) == "AG" and at(171) == "T"
    assert at(238, 3) == "AAT" and at(241, 3) == "TAA" and at(244, 3) == "CTG"  # stop c.70-72
    assert at(216) == "T" and at(227, 2) == "TT"
    assert _revcomp(at(1133, 3)) == "ATG" and _revcomp(at(1136, 8)) == SYNM_UTR5  # SYNM c.1
    assert _revcomp(at(1113, 2)) == "GT" and _revcomp(at(1085, 2)) == "AG"  # SYNM intron 1
    assert _revcomp(at(1022, 3)) == "TGA" and _revcomp(at(1001, 21)) == SYNM_UTR3


# ---------------------------------------------------------------------------------------------
# with the FASTA: chrom, pos, ref, alt (VCF, left-aligned as callers write them), then the
# expected c., p., consequences (most severe first), exon, intron, codon

SYNP_CASES = [
    # c.5 = 115: CTG -> CGG, L2R
    ("chrSYN", 115, "T", "G", "c.5T>G", "p.L2R", ("missense_variant",), 1, None, 2),
    # c.6 = 116: CTG -> CTA, still L
    ("chrSYN", 116, "G", "A", "c.6G>A", "p.L2=", ("synonymous_variant",), 1, None, 2),
    # c.7 = 117: CAG -> TAG
    ("chrSYN", 117, "C", "T", "c.7C>T", "p.Q3*", ("stop_gained",), 1, None, 3),
    # c.43 = 183: CGA -> TGA
    ("chrSYN", 183, "C", "T", "c.43C>T", "p.R15*", ("stop_gained",), 2, None, 15),
    # c.1 = 111: ATG -> GTG, start lost
    ("chrSYN", 111, "A", "G", "c.1A>G", "p.M1?", ("start_lost",), 1, None, 1),
    # c.70 = 241: TAA -> CAA (Q); the 3'UTR in frame reads CTG GGA TAG: stop 3 codons on
    ("chrSYN", 241, "T", "C", "c.70T>C", "p.*24Qext*3", ("stop_lost",), 3, None, 24),
    # c.72 = 243: TAA -> TAG, still a stop
    ("chrSYN", 243, "A", "G", "c.72A>G", "p.*24=", ("stop_retained_variant",), 3, None, 24),
    # MNV c.4_5 (114-115) CT -> AA: CTG -> AAG, L2K
    ("chrSYN", 114, "CT", "AA", "c.4_5delinsAA", "p.L2K", ("missense_variant",), 1, None, 2),
    # c.29 = 139, 2nd-last base of exon 1: AAC -> AGC (N10S), and in the splice region
    ("chrSYN", 139, "A", "G", "c.29A>G", "p.N10S", ("missense_variant", "splice_region_variant"),
     1, None, 10),
    # GCCA deleted (c.-2, c.-1, c.1 = 109-111; 112 T stops a shift): the start codon's A
    ("chrSYN", 108, "GCCA", "G", "c.-2_1del", "p.M1?", ("start_lost", "5_prime_UTR_variant"),
     1, None, 1),
    # TAG between codons 9 and 10 (after 137): D9 then a stop where N10 was
    ("chrSYN", 137, "T", "TTAG", "c.27_28insTAG", "p.N10*", ("stop_gained",), 1, None, 9),
    # GGCTAA there: D9 G * -> an insertion ending in a stop
    ("chrSYN", 137, "T", "TGGCTAA", "c.27_28insGGCTAA", "p.D9_N10insG*",
     ("stop_gained", "inframe_insertion"), 1, None, 9),
    # ATT deleted from AAT TAA (c.68-70 = 239-241); the next base (c.71 A) equals the first
    # deleted one, so it shifts to TTA = c.69_71 (c.72 A != T stops it). AAT TAA -> A A+A =
    # AAA (K), then the 3'UTR in frame CTG GGA TAG: N23 * -> K L G *, the stop codon lost
    ("chrSYN", 238, "AATT", "A", "c.69_71del", "p.N23_*24delinsKLG*",
     ("stop_lost", "inframe_deletion"), 3, None, 23),
    # in-frame deletion in GAA GAA GAA (c.10-18 = 120-128). The VCF has the leftmost GAA
    # (POS 119 = c.9 G anchor). 3' shift: 120..131 reads G A A G A A G A A A C C; a 3-base
    # deletion moves right while the base after it equals its first base: to 126-128 =
    # c.16_18 (the next base, 129 A, is not G). Protein: EEE -> EE, the last E named.
    ("chrSYN", 119, "GGAA", "G", "c.16_18del", "p.E6del", ("inframe_deletion",), 1, None, 6),
    # in-frame duplication of GCC. Left-aligned the insertion is CCG after 129 (ACC|GCC|GAT:
    # C C G C C G at 130-135 lets it slide left to there). 3' shift: CCG moves right while
    # the next base equals its first: 130 C, 131 C, 132 G, 133 C, 134 C, 135 G all do, 136 A
    # does not -> CCG between 135 and 136, and 133-135 are CCG: c.23_25dup. Protein: alt
    # T A A D N vs T A D N -> one more A after A8: p.A8dup
    ("chrSYN", 129, "A", "ACCG", "c.23_25dup", "p.A8dup", ("inframe_insertion",), 1, None, 8),
    # the same duplication as a caller might write it unaligned: after 134 (c.24)
    ("chrSYN", 134, "C", "CGCC", "c.23_25dup", "p.A8dup", ("inframe_insertion",), 1, None, 8),
    # GGC between c.27 (137 T) and c.28 (138 A): no shift (138 A != G), GAT != GGC so no
    # dup; protein D9 G N10
    ("chrSYN", 137, "T", "TGGC", "c.27_28insGGC", "p.D9_N10insG", ("inframe_insertion",), 1,
     None, 9),
    # c.17_19del (127-129, AAA; 130 C stops any shift): GAA ACC -> G|CC = GCC (A):
    # E6 T7 A8 -> A A8: p.E6_T7delinsA
    ("chrSYN", 126, "GAAA", "G", "c.17_19del", "p.E6_T7delinsA", ("inframe_deletion",), 1,
     None, 6),
    # frameshift deletion c.40_41 (TT of TTC, 180-181; 182 C: no shift). New frame from
    # codon 14: c.42-44 CCG (P), c.45-47 ATA (I), c.48-50 CCT (P), c.51-53 TAG (*):
    # F14P, stop at residue 17 -> *4 counting P14 as 1
    ("chrSYN", 179, "ATT", "A", "c.40_41del", "p.F14Pfs*4", ("frameshift_variant",), 2, None,
     14),
    # one T of TT: the VCF deletes 180 (c.40), the 3' rule names c.41. New frame from codon
    # 14: TCC (S) GAT ACC TTA GCA CTG CAG TCT GGA ATT, AA+c.*1 AAC, then the 3'UTR from c.*2:
    # no stop before the transcript ends -> fs*?
    ("chrSYN", 179, "AT", "A", "c.41del", "p.F14Sfs*?", ("frameshift_variant",), 2, None, 14),
    # one G of GGG (c.34-36): c.36del. Codon 12 becomes GGC: still G; codon 13 CAT (H) is
    # the first changed residue, P13H; the frame is the one above: no stop
    ("chrSYN", 173, "TG", "T", "c.36del", "p.P13Hfs*?", ("frameshift_variant",), 2, None, 12),
    # A inserted after 184 (c.44 G); 3' shift to after c.45 (185 A; 186 T stops it) and the
    # base before is A: c.45dup. Codons from 16: A+TA = ATA (I), CCT (P), TAG (*) -> Y16Ifs*3
    ("chrSYN", 184, "G", "GA", "c.45dup", "p.Y16Ifs*3", ("frameshift_variant",), 2, None, 15),
    # A after c.46 (186 T), shifted to after c.47 (187 A): c.47dup. Codon 16 TA+A = TAA: the
    # first changed codon is a stop, so it is named as a stop gain
    ("chrSYN", 186, "T", "TA", "c.47dup", "p.Y16*", ("stop_gained", "frameshift_variant"), 2,
     None, 16),
    # splice sites and regions (intron 1 starts GTAAG at 141; ends AG at 169-170)
    ("chrSYN", 141, "G", "A", "c.30+1G>A", "", ("splice_donor_variant",), None, 1, None),
    ("chrSYN", 169, "A", "G", "c.31-2A>G", "", ("splice_acceptor_variant",), None, 1, None),
    ("chrSYN", 145, "G", "C", "c.30+5G>C", "", ("splice_region_variant", "intron_variant"),
     None, 1, None),
    ("chrSYN", 152, "C", "T", "c.30+12C>T", "", ("intron_variant",), None, 1, None),
    # intron 2 has 31 bases: its middle base 216 is 16 from both exons and counts from the
    # donor (+); 217 is c.61-15
    ("chrSYN", 216, "T", "C", "c.60+16T>C", "", ("intron_variant",), None, 2, None),
    ("chrSYN", 217, "A", "G", "c.61-15A>G", "", ("intron_variant",), None, 2, None),
    # one T of TT at 227-228 (c.61-5, c.61-4): the VCF deletes 227, 3' shift to 228
    ("chrSYN", 226, "CT", "C", "c.61-4del", "", ("splice_region_variant", "intron_variant"),
     None, 2, None),
    # a deletion across the exon 2 / intron 2 junction (c.60 and c.60+1..+2: 200-202): named,
    # but no protein change is predicted for it
    ("chrSYN", 199, "CAGT", "C", "c.60_60+2del", "",
     ("splice_donor_variant", "coding_sequence_variant"), 2, None, 20),
    # UTRs: c.-5 = 106 (C), c.*10 = 253 (C)
    ("chrSYN", 106, "C", "T", "c.-5C>T", "", ("5_prime_UTR_variant",), 1, None, None),
    ("chrSYN", 253, "C", "T", "c.*10C>T", "", ("3_prime_UTR_variant",), 3, None, None),
]

SYNM_CASES = [
    # c.5 = 1131 (genome C = coding G): GGT -> GAT, G2D
    ("SYN", 1131, "C", "T", "c.5G>A", "p.G2D", ("missense_variant",), 1, None, 2),
    # c.4 = 1132: GGT -> TGT, G2C
    ("SYN", 1132, "C", "A", "c.4G>T", "p.G2C", ("missense_variant",), 1, None, 2),
    # MNV c.4_5 (1131-1132, genome CC): GGT -> TTT, G2F
    ("SYN", 1131, "CC", "AA", "c.4_5delinsTT", "p.G2F", ("missense_variant",), 1, None, 2),
    # c.10 = 1126: CAA -> TAA
    ("SYN", 1126, "G", "A", "c.10C>T", "p.Q4*", ("stop_gained",), 1, None, 4),
    # c.14 = 1122: ACG -> ATG, T5M
    ("SYN", 1122, "G", "A", "c.14C>T", "p.T5M", ("missense_variant",), 1, None, 5),
    # c.21 = 1115, last base of exon 1: CTG -> CTA (L), in the splice region
    ("SYN", 1115, "C", "T", "c.21G>A", "p.L7=", ("splice_region_variant", "synonymous_variant"),
     1, None, 7),
    # c.2 = 1134: ATG -> ACG
    ("SYN", 1134, "A", "G", "c.2T>C", "p.M1?", ("start_lost",), 1, None, 1),
    # c.52 = 1024: TGA -> CGA (R); the 3'UTR in frame has no stop: ext*?
    ("SYN", 1024, "A", "G", "c.52T>C", "p.*18Rext*?", ("stop_lost",), 3, None, 18),
    # GCC GCC (c.28-33 = genome GGCGGC at 1073-1078). The VCF's leftmost insertion of GGC
    # after 1072 (T) is already 3' on this strand (1072 T != C: no shift) and 1073-1075 are
    # GGC: a duplication of c.31-33 (1075 -> c.31, 1073 -> c.33); A10 A11 -> A A A: A11dup
    ("SYN", 1072, "T", "TGGC", "c.31_33dup", "p.A11dup", ("inframe_insertion",), 2, None, 11),
    # deleting GGC at 1073-1075 = c.31_33del: one A fewer, the last one named
    ("SYN", 1072, "TGGC", "T", "c.31_33del", "p.A11del", ("inframe_deletion",), 2, None, 11),
    # the same deletion written at its 5' copy (1076-1078, i.e. c.28_30) shifts 3' to c.31_33
    ("SYN", 1075, "CGGC", "C", "c.31_33del", "p.A11del", ("inframe_deletion",), 2, None, 11),
    # c.6del (1130, T of GGT): codon 2 becomes GG+G: still G; then GCC (A) AAA (K) CGG (R)
    # AGC (S) TGA (*; c.20 c.21 | c.22: read across the exon 1/2 junction) -> G3Afs*5
    ("SYN", 1129, "CA", "C", "c.6del", "p.G3Afs*5", ("frameshift_variant",), 1, None, 2),
    # c.37del (1069, C of CGA): GAA (E) ACT (T) CAG (Q) ACT (T) TTT (F) GA+c.*1 GAC (D),
    # then c.*2-4 TAA -> R13Efs*7
    ("SYN", 1068, "CG", "C", "c.37del", "p.R13Efs*7", ("frameshift_variant",), 2, None, 13),
    # a G into GGG (c.3-5 = genome CCC 1131-1133): the VCF's leftmost C after 1130 is the 3'
    # end here, and 1131 is C: c.5dup. New codons from 3 (c.6-8 TGG, W) read through the CDS
    # and c.54+c.*1-2 ACT, c.*3-5 AAG, c.*6-8 CGC, c.*9-11 TGA: stop at residue 22 -> *20
    ("SYN", 1130, "A", "AC", "c.5dup", "p.G3Wfs*20", ("frameshift_variant",), 1, None, 2),
    # one T of TTTT (c.49-52 = genome AAAA 1024-1027): c.52del breaks the stop codon: TTT
    # then c.53-54+c.*1 GAC (D) and c.*2-4 TAA: the stop moved one codon on
    ("SYN", 1023, "CA", "C", "c.52del", "p.*18Dext*1", ("frameshift_variant", "stop_lost"), 3,
     None, 18),
    # splice: c.21+1 = 1114 (G, genome C); c.22-2 = 1086 (A, genome T); c.45+4 = 1057 (A)
    ("SYN", 1114, "C", "T", "c.21+1G>A", "", ("splice_donor_variant",), None, 1, None),
    ("SYN", 1086, "T", "C", "c.22-2A>G", "", ("splice_acceptor_variant",), None, 1, None),
    ("SYN", 1057, "T", "C", "c.45+4A>G", "", ("splice_region_variant", "intron_variant"), None,
     2, None),
    ("SYN", 1105, "G", "A", "c.21+10C>T", "", ("intron_variant",), None, 1, None),
    # UTRs: c.-3 = 1138 (A, genome T); c.*4 = 1018 (A, genome T)
    ("SYN", 1138, "T", "C", "c.-3A>G", "", ("5_prime_UTR_variant",), 1, None, None),
    ("SYN", 1018, "T", "C", "c.*4A>G", "", ("3_prime_UTR_variant",), 3, None, None),
]


@pytest.mark.parametrize(
    ("chrom", "pos", "ref", "alt", "hgvsc", "hgvsp", "terms", "exon", "intron", "codon"),
    SYNP_CASES + SYNM_CASES,
)
def test_synthetic_with_fasta(
    synthetic: GeneModel, reference: Reference, chrom: str, pos: int, ref: str, alt: str,
    hgvsc: str, hgvsp: str, terms: tuple[str, ...], exon: int | None, intron: int | None,
    codon: int | None,
) -> None:
    d = describe(synthetic, GRCH38, chrom, pos, ref, alt, reference)
    assert d is not None
    assert (d.hgvsc, d.hgvsp, d.consequences) == (hgvsc, hgvsp, terms)
    assert (d.exon, d.intron, d.codon) == (exon, intron, codon)
    assert d.warning == ""
    assert d.gene == ("SYNP" if pos < 1000 else "SYNM")
    assert d.transcript.startswith("ENST_SYN") and d.refseq.startswith("NM_SYN")


def test_the_fasta_can_be_given_as_a_path(synthetic: GeneModel, reference: Reference) -> None:
    d = describe(synthetic, GRCH38, "chrSYN", 115, "T", "G", reference.path)
    assert d is not None and d.hgvsp == "p.L2R"
    assert Reference.open(reference.path) is Reference.open(reference.path)  # opened once


# ---------------------------------------------------------------------------------------------
# without the FASTA: c. from the VCF alleles as placed, consequences from position and length

NO_FASTA = [
    # chrom, pos, ref, alt, hgvsc, consequences, label
    ("chrSYN", 115, "T", "G", "c.5T>G", ("coding_sequence_variant",),
     "SYNP exon 1, codon 2, c.5T>G"),
    # not 3'-shifted on '+' (the VCF's leftmost copy), no protein
    ("chrSYN", 119, "GGAA", "G", "c.10_12del", ("inframe_deletion",),
     "SYNP exon 1, codon 4, in-frame deletion"),
    # an insertion cannot be recognised as a duplication without the sequence
    ("chrSYN", 129, "A", "ACCG", "c.19_20insCCG", ("inframe_insertion",),
     "SYNP exon 1, codon 7, in-frame insertion"),
    ("chrSYN", 179, "ATT", "A", "c.40_41del", ("frameshift_variant",),
     "SYNP exon 2, codon 14, frameshift"),
    ("chrSYN", 137, "T", "TGGC", "c.27_28insGGC", ("inframe_insertion",),
     "SYNP exon 1, codons 9-10, in-frame insertion"),
    ("chrSYN", 141, "G", "A", "c.30+1G>A", ("splice_donor_variant",),
     "SYNP intron 1, splice donor +1"),
    ("chrSYN", 106, "C", "T", "c.-5C>T", ("5_prime_UTR_variant",), "SYNP exon 1, 5' UTR"),
    ("chrSYN", 253, "C", "T", "c.*10C>T", ("3_prime_UTR_variant",), "SYNP exon 3, 3' UTR"),
    ("chrSYN", 216, "T", "C", "c.60+16T>C", ("intron_variant",), "SYNP intron 2"),
    ("chrSYN", 199, "CAGT", "C", "c.60_60+2del",
     ("splice_donor_variant", "coding_sequence_variant"),
     "SYNP exon 2, codon 20, c.60_60+2del, splice donor -1"),
    # '-' strand: left-aligned VCF indels are 3' on the transcript already
    ("SYN", 1072, "TGGC", "T", "c.31_33del", ("inframe_deletion",),
     "SYNM exon 2, codon 11, in-frame deletion"),
    ("SYN", 1068, "CG", "C", "c.37del", ("frameshift_variant",),
     "SYNM exon 2, codon 13, frameshift"),
    ("SYN", 1115, "C", "T", "c.21G>A", ("splice_region_variant", "coding_sequence_variant"),
     "SYNM exon 1, codon 7, c.21G>A, splice region -1"),
    ("SYN", 1086, "T", "C", "c.22-2A>G", ("splice_acceptor_variant",),
     "SYNM intron 1, splice acceptor -2"),
]


@pytest.mark.parametrize(("chrom", "pos", "ref", "alt", "hgvsc", "terms", "label"), NO_FASTA)
def test_synthetic_without_fasta(
    synthetic: GeneModel, chrom: str, pos: int, ref: str, alt: str, hgvsc: str,
    terms: tuple[str, ...], label: str,
) -> None:
    d = describe(synthetic, GRCH38, chrom, pos, ref, alt)
    assert d is not None
    assert (d.hgvsc, d.hgvsp, d.consequences, d.label) == (hgvsc, "", terms, label)
    assert d.warning == ""


def test_nothing_outside_a_transcript_or_on_an_unknown_build(
    synthetic: GeneModel, reference: Reference
) -> None:
    assert describe(synthetic, GRCH38, "chrSYN", 500, "N", "A", reference) is None
    assert describe(synthetic, GRCH38, "chr9", 115, "T", "G") is None
    assert describe(synthetic, UNKNOWN, "chrSYN", 115, "T", "G") is None


def test_symbolic_alleles_keep_the_place(synthetic: GeneModel, reference: Reference) -> None:
    d = describe(synthetic, GRCH38, "chrSYN", 115, "T", "<DEL>", reference)
    assert d is not None
    assert (d.hgvsc, d.hgvsp, d.exon, d.codon) == ("", "", 1, 2)
    assert d.consequences == ("coding_sequence_variant",)


# ---------------------------------------------------------------------------------------------
# FASTA problems are per-variant warnings


def test_ref_mismatch_and_missing_contig_are_warnings_not_errors(
    synthetic: GeneModel, reference: Reference, tmp_path: Path, index_dir: Path
) -> None:
    # 115 is T in the FASTA; a VCF saying C there was called on another reference
    wrong = describe(synthetic, GRCH38, "chrSYN", 115, "C", "G", reference)
    assert wrong is not None
    assert wrong.warning == ("REF differs from the reference FASTA synthetic.fa at this "
                             "position: is it a GRCh37 reference?")
    assert (wrong.hgvsc, wrong.hgvsp, wrong.codon) == ("c.5C>G", "", 2)  # still placed
    assert wrong.consequences == ("coding_sequence_variant",)
    # the next variant of the same run is described from the FASTA as usual
    right = describe(synthetic, GRCH38, "chrSYN", 115, "T", "G", reference)
    assert right is not None and (right.hgvsp, right.warning) == ("p.L2R", "")

    other = Reference.open(_write_fasta(tmp_path / "other.fa", {"chrOTHER": "ACGT" * 50}),
                           index_dir)
    missing = describe(synthetic, GRCH38, "chrSYN", 179, "ATT", "A", other)
    assert missing is not None
    assert missing.warning == "reference FASTA other.fa has no contig chrSYN"
    assert (missing.hgvsc, missing.hgvsp) == ("c.40_41del", "")
    assert missing.consequences == ("frameshift_variant",)


def test_a_fasta_in_a_read_only_folder_is_indexed_elsewhere(
    tmp_path: Path, synthetic: GeneModel
) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    fasta = _write_fasta(folder / "ro.fa", {"chrSYN": synthetic_contig()})
    bgzipped = folder / "ro.fa.gz"
    pysam.tabix_compress(str(fasta), str(bgzipped))
    plain_gz = folder / "plain.fa.gz"
    plain_gz.write_bytes(gzip.compress(fasta.read_bytes()))
    index = tmp_path / "index"
    folder.chmod(0o555)
    try:
        # (root ignores the mode: what is checked is that nothing is written beside the FASTA)
        before = sorted(os.listdir(folder))
        for path in (fasta, bgzipped):
            reader = Reference.open(path, index)
            d = describe(synthetic, GRCH38, "chrSYN", 183, "C", "T", reader)
            assert d is not None and d.hgvsp == "p.R15*"
        assert sorted(os.listdir(folder)) == before
        built = sorted(p.name for p in index.rglob("*") if p.is_file())
        assert built == ["ro.fa.fai", "ro.fa.gz.fai", "ro.fa.gz.gzi"]
        with pytest.raises(InputError, match=r"plain\.fa\.gz.*bgzip"):
            Reference.open(plain_gz, index)
    finally:
        folder.chmod(0o755)


def test_the_index_is_built_once_and_falls_back_to_a_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTB_DATA_DIR", str(tmp_path / "data"))
    fasta = _write_fasta(tmp_path / "a.fa", {"chrSYN": synthetic_contig()})
    reader = Reference.open(fasta)  # default: <MTB_DATA_DIR>/fasta-index
    [fai] = (tmp_path / "data" / "fasta-index").rglob("a.fa.fai")
    stamp = fai.stat().st_mtime_ns
    reader.close()
    Reference(fasta)  # a new reader of the same file reuses the index
    assert fai.stat().st_mtime_ns == stamp
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the index folder should be\n")
    other = _write_fasta(tmp_path / "b.fa", {"chrSYN": "ACGT" * 10})
    assert Reference(other, blocked).fetch("chrSYN", 0, 4) == "ACGT"


def test_an_index_beside_the_fasta_is_used_unless_older(tmp_path: Path) -> None:
    fasta = _write_fasta(tmp_path / "c.fa", {"chrSYN": "ACGT" * 10})
    pysam.faidx(str(fasta))  # c.fa.fai beside it
    Reference(fasta, tmp_path / "index")
    assert not (tmp_path / "index").exists()
    os.utime(fasta.with_name("c.fa.fai"), ns=(0, 0))  # older than the FASTA: not trusted
    assert Reference(fasta, tmp_path / "index").fetch("chrSYN", 4, 8) == "ACGT"
    assert len(list((tmp_path / "index").rglob("c.fa.fai"))) == 1


def test_an_unreadable_fasta_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.fa"):
        Reference.open(tmp_path / "missing.fa")
    bad = tmp_path / "bad.fa"
    bad.write_text("this is not a FASTA\n")
    with pytest.raises(InputError, match=r"bad\.fa"):
        Reference.open(bad, tmp_path / "index")


# ---------------------------------------------------------------------------------------------
# the real bundled MANE, no FASTA: c., exon and codon from the transcript alone


@pytest.fixture(scope="module")
def model() -> GeneModel:
    return GeneModel.bundled()


REAL = [  # build, chrom, pos, ref, alt, gene, NM, c., exon, intron, codon; source per row
    # NM_005228.5(EGFR):c.2573T>G p.L858R, GRCh38 chr7:55191822 ('+' strand)
    (GRCH38, "7", 55191822, "T", "G", "EGFR", "NM_005228.5", "c.2573T>G", 21, None, 858),
    (GRCH37, "7", 55259515, "T", "G", "EGFR", "NM_005228.5", "c.2573T>G", 21, None, 858),
    # NM_004333.6(BRAF):c.1799T>A p.V600E, GRCh38 chr7:140753336 A>T ('-' strand)
    (GRCH38, "chr7", 140753336, "A", "T", "BRAF", "NM_004333.6", "c.1799T>A", 15, None, 600),
    (GRCH37, "7", 140453136, "A", "T", "BRAF", "NM_004333.6", "c.1799T>A", 15, None, 600),
    # NM_004985.5(KRAS):c.35G>A p.G12D and c.181C>T p.Q61* ('-' strand)
    (GRCH38, "12", 25245350, "C", "T", "KRAS", "NM_004985.5", "c.35G>A", 2, None, 12),
    (GRCH38, "12", 25227343, "G", "A", "KRAS", "NM_004985.5", "c.181C>T", 3, None, 61),
    # MET exon 14 ends at c.3028 = chr7:116771989 (test_genes.py, PROVENANCE.md): the next
    # base is c.3028+1 in intron 14, the exon 14 skipping donor
    (GRCH38, "7", 116771990, "G", "T", "MET", "NM_000245.4", "c.3028+1G>T", None, 14, None),
]


@pytest.mark.parametrize(
    ("build", "chrom", "pos", "ref", "alt", "gene", "refseq", "hgvsc", "exon", "intron",
     "codon"),
    REAL,
)
def test_real_mane_without_fasta(
    model: GeneModel, build: GenomeBuild, chrom: str, pos: int, ref: str, alt: str, gene: str,
    refseq: str, hgvsc: str, exon: int | None, intron: int | None, codon: int | None,
) -> None:
    d = describe(model, build, chrom, pos, ref, alt)
    assert d is not None
    assert (d.gene, d.refseq, d.hgvsc, d.exon, d.intron, d.codon) == (
        gene, refseq, hgvsc, exon, intron, codon)
    assert d.hgvsp == "" and d.warning == ""
    assert (d.liftover != "") == (build == GRCH37)


def test_real_mane_label(model: GeneModel) -> None:
    d = describe(model, GRCH38, "7", 116771990, "G", "T")
    assert d is not None and d.label == "MET intron 14, splice donor +1"


# --- protein changes on real MANE transcripts with a SYNTHETIC 'N'-filled FASTA (moved from
# test_genes.py with GeneModel.protein_change): only the reference codons under test are real


def _write_sparse_fasta(path: Path, contigs: dict[str, tuple[int, dict[int, str]]]) -> Path:
    """Contigs of 'N' (one line each) with `bases` written at 1-based positions. The contigs
    end a little past the last position used: reads only need them to reach that far."""
    filler = b"N" * (1 << 24)
    with path.open("wb") as handle:
        for name, (length, bases) in contigs.items():
            handle.write(f">{name} synthetic: N except the codons under test\n".encode())
            offset = handle.tell()
            for done in range(0, length, len(filler)):
                handle.write(filler[: min(len(filler), length - done)])
            handle.write(b"\n")
            end = handle.tell()
            for pos, seq in bases.items():
                handle.seek(offset + pos - 1)
                handle.write(seq.encode())
            handle.seek(end)
    return path


@pytest.fixture(scope="module")
def fasta38(tmp_path_factory: pytest.TempPathFactory, index_dir: Path) -> Reference:
    # plus-strand bases of reference codons (minus-strand genes written reverse-complemented)
    chr7 = {
        140753335: "CAC",  # BRAF codon 600 GTG (V), '-' strand: c.1800..c.1798
        55191821: "CTG",  # EGFR codon 858 CTG (L), '+' strand: c.2572..c.2574
        55019278: "ATG",  # EGFR start codon, c.1..c.3
        55205615: "TGA",  # EGFR stop codon 1211, c.3631..c.3633
    }
    chr12 = {
        25245346: "GCCACC",  # KRAS codons 12-13 GGT GGC, '-' strand: c.39..c.34
        25227341: "TTG",  # KRAS codon 61 CAA (Q), '-' strand: c.183..c.181
    }
    path = _write_sparse_fasta(
        tmp_path_factory.mktemp("grch38") / "synthetic_GRCh38.fa",
        {"7": (140_760_000, chr7), "12": (25_250_000, chr12)},
    )
    return Reference.open(path, index_dir)


@pytest.fixture(scope="module")
def fasta37(tmp_path_factory: pytest.TempPathFactory, index_dir: Path) -> Reference:
    chr7 = {
        140453135: "CAC",  # BRAF codon 600 on GRCh37
        55259514: "CTG",  # EGFR codon 858 on GRCh37
    }
    path = _write_sparse_fasta(
        tmp_path_factory.mktemp("grch37") / "synthetic_GRCh37.fa",
        {"chr7": (140_460_000, chr7)},  # UCSC-style name: the VCF's '7' must still find it
    )
    return Reference.open(path, index_dir)


PROTEIN_CHANGES = [  # build, chrom, pos, ref, alt, HGVSp; ClinVar / COSMIC names of the changes
    (GRCH38, "7", 140753336, "A", "T", "p.V600E"),  # BRAF c.1799T>A
    (GRCH38, "chr7", 140753336, "A", "T", "p.V600E"),
    (GRCH38, "7", 140753336, "AC", "TT", "p.V600K"),  # BRAF c.1798_1799delinsAA
    (GRCH38, "7", 140753335, "C", "T", "p.V600="),  # BRAF c.1800G>A, synonymous
    (GRCH38, "7", 55191822, "T", "G", "p.L858R"),  # EGFR c.2573T>G, '+' strand
    (GRCH38, "7", 55191821, "CT", "TA", "p.L858*"),  # CTG>TAG: stop gained by an MNV
    (GRCH38, "7", 55019278, "A", "G", "p.M1?"),  # start lost
    # TGA>TGG: stop lost; the 3'UTR is all N in this FASTA, so the new stop is unknown
    (GRCH38, "7", 55205617, "A", "G", "p.*1211Wext*?"),
    (GRCH38, "12", 25245350, "C", "T", "p.G12D"),  # KRAS c.35G>A
    (GRCH38, "12", 25245351, "C", "A", "p.G12C"),  # KRAS c.34G>T
    (GRCH38, "12", 25245347, "C", "T", "p.G13D"),  # KRAS c.38G>A
    (GRCH38, "12", 25245350, "CC", "AA", "p.G12F"),  # KRAS c.34_35delinsTT
    (GRCH38, "12", 25245348, "CA", "TT", "p.G13S"),  # c.36_37delinsAA: G12 silent, G13S
    (GRCH38, "12", 25245347, "CCAC", "TCAT", "p.G12_G13delinsDD"),  # c.35G>A + c.38G>A
    (GRCH38, "12", 25227343, "G", "A", "p.Q61*"),  # KRAS c.181C>T
    (GRCH37, "7", 140453136, "A", "T", "p.V600E"),
    (GRCH37, "chr7", 55259515, "T", "G", "p.L858R"),
]


@pytest.mark.parametrize(("build", "chrom", "pos", "ref", "alt", "hgvsp"), PROTEIN_CHANGES)
def test_protein_change_on_real_transcripts(
    model: GeneModel, fasta37: Reference, fasta38: Reference, build: GenomeBuild, chrom: str,
    pos: int, ref: str, alt: str, hgvsp: str,
) -> None:
    fasta = fasta37 if build == GRCH37 else fasta38
    d = describe(model, build, chrom, pos, ref, alt, fasta)
    assert d is not None and d.warning == ""
    assert d.hgvsp == hgvsp


def test_a_fasta_of_the_other_build_is_a_warning(
    model: GeneModel, fasta38: Reference
) -> None:
    d = describe(model, GRCH37, "7", 140453136, "A", "T", fasta38)  # GRCh37 VCF, GRCh38 FASTA
    assert isinstance(d, Description)
    assert d.warning.endswith("is it a GRCh38 reference?")
    assert (d.hgvsc, d.hgvsp) == ("c.1799T>A", "")
    d = describe(model, GRCH38, "17", 7675088, "C", "T", fasta38)  # TP53: no chr17 in it
    assert d is not None and d.warning == "reference FASTA synthetic_GRCh38.fa has no contig 17"
    assert d.hgvsc == "c.524G>A"  # NM_000546.6(TP53):c.524G>A p.R175H (ClinVar)


# ---------------------------------------------------------------------------------------------
# annotation.alterations uses it for variants the VCF did not annotate


def _variant(pos: int, ref: str, alt: str, annotation: TranscriptAnnotation | None = None
             ) -> SmallVariant:
    kind = (VariantType.SNV if len(ref) == len(alt) == 1
            else VariantType.DELETION if len(ref) > len(alt) else VariantType.INSERTION)
    return SmallVariant("chrSYN", pos, ref, alt, "PASS", kind, "SYN", annotation=annotation)


def test_alterations_of_unannotated_variants(
    synthetic: GeneModel, reference: Reference
) -> None:
    [frameshift] = alterations_of(_variant(179, "ATT", "A"), GRCH38, synthetic, reference.path)
    assert (frameshift.label, frameshift.hgvsp, frameshift.hgvsc) == (
        "SYNP p.F14Pfs*4", "p.F14Pfs*4", "c.40_41del")
    assert frameshift.protein == "F14FS" and frameshift.position == 14
    assert frameshift.consequences == {"frameshift_variant"}
    assert "protein change p.F14Pfs*4 computed from synthetic.fa" in frameshift.notes
    [bare] = alterations_of(_variant(179, "ATT", "A"), GRCH38, synthetic)  # no FASTA
    assert (bare.label, bare.hgvsp, bare.hgvsc) == (
        "SYNP exon 2, codon 14, frameshift", "", "c.40_41del")
    [wrong] = alterations_of(_variant(115, "C", "G"), GRCH38, synthetic, reference.path)
    # a codon's second base: the residue changes, into what needs the (here unusable) FASTA
    assert wrong.hgvsp == "" and wrong.label == "SYNP exon 1, codon 2, c.5C>G, amino-acid change"
    assert wrong.consequences == {"protein_altering_variant"}
    assert any(note.startswith("REF differs from the reference FASTA") for note in wrong.notes)


def test_alterations_of_annotated_variants_without_a_protein_change(
    synthetic: GeneModel, reference: Reference
) -> None:
    given = TranscriptAnnotation(gene="SYNP", transcript="ENST_SYNP.1",
                                 consequence=("missense_variant",), hgvsc="c.5T>G")
    [alteration] = alterations_of(_variant(115, "T", "G", given), GRCH38, synthetic,
                                  reference.path)
    assert (alteration.hgvsp, alteration.hgvsc) == ("p.L2R", "c.5T>G")
    assert alteration.consequences == {"missense_variant"}  # the VCF's own


def test_a_grch37_indel_is_read_from_the_grch37_fasta(
    model: GeneModel, fasta37: Reference
) -> None:
    # BRAF c.1799 (GRCh37 7:140453136, A on the genome) deleted: the 3' neighbour on this
    # '-' strand gene is 140453135 (C), so no shift. The codons around are 'N' in this FASTA
    # but for codon 600, so the frameshift's protein cannot be read: no p. name, no warning
    d = describe(model, GRCH37, "7", 140453135, "CA", "C", fasta37)
    assert d is not None
    assert (d.hgvsc, d.hgvsp, d.consequences, d.warning) == (
        "c.1799del", "", ("frameshift_variant",), "")
    assert d.liftover == "GRCh37->GRCh38 7:140453136->7:140753336"
