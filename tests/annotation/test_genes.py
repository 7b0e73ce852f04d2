"""Gene model (annotation.genes) and liftover (annotation.liftover) on the shipped snapshots.

Clinical facts are table rows, each citing its source: exon boundaries from the checks recorded
in snapshots/PROVENANCE.md (MANE v1.2 bigGenePred), hotspot coordinates from ClinVar's HGVS
and GRCh37/GRCh38 positions of the named variants. Protein changes (annotation.hgvs) are
tested in test_hgvs.py.
"""

from __future__ import annotations

import gzip
import random
from dataclasses import replace
from pathlib import Path

import pytest
from pyliftover import LiftOver

from annotation.genes import GeneModel, Location
from annotation.liftover import Liftover
from mtb.errors import KnowledgeBaseError
from mtb.variant import GenomeBuild

GRCH37, GRCH38, UNKNOWN = GenomeBuild.GRCH37, GenomeBuild.GRCH38, GenomeBuild.UNKNOWN
SNAPSHOTS = Path(__file__).resolve().parents[2] / "annotation" / "snapshots"


@pytest.fixture(scope="module")
def model() -> GeneModel:
    return GeneModel.bundled()


@pytest.fixture(scope="module")
def liftover() -> Liftover:
    return Liftover.bundled()


# --- exons: (gene, NM, exon, first base, last base) on GRCh38, 1-based; source: PROVENANCE.md
EXONS = [
    ("EGFR", "NM_005228.5", 19, 55174722, 55174820),
    ("EGFR", "NM_005228.5", 20, 55181293, 55181478),
    ("MET", "NM_000245.4", 14, 116771849, 116771989),
]


@pytest.mark.parametrize(("gene", "refseq", "exon", "first", "last"), EXONS)
def test_exon_boundaries(
    model: GeneModel, gene: str, refseq: str, exon: int, first: int, last: int
) -> None:
    for pos in (first, (first + last) // 2, last):
        loc = model.locate(GRCH38, "chr7", pos)
        assert loc is not None
        assert (loc.gene, loc.refseq, loc.exon, loc.intron) == (gene, refseq, exon, None)
    before, after = model.locate(GRCH38, "7", first - 1), model.locate(GRCH38, "7", last + 1)
    assert before is not None and after is not None
    assert (before.exon, before.intron) == (None, exon - 1)  # '+' strand genes
    assert (after.exon, after.intron) == (None, exon)


# --- hotspots: build, chrom, pos, gene, NM, strand, exon, c., codon; source: ClinVar (HGVS)
HOTSPOTS = [
    # NM_004333.6(BRAF):c.1799T>A p.V600E
    (GRCH38, "chr7", 140753336, "BRAF", "NM_004333.6", "-", 15, 1799, 600),
    (GRCH37, "7", 140453136, "BRAF", "NM_004333.6", "-", 15, 1799, 600),
    # NM_004985.5(KRAS):c.34G>T p.G12C and c.35G>A p.G12D
    (GRCH38, "12", 25245351, "KRAS", "NM_004985.5", "-", 2, 34, 12),
    (GRCH37, "12", 25398285, "KRAS", "NM_004985.5", "-", 2, 34, 12),
    (GRCH38, "12", 25245350, "KRAS", "NM_004985.5", "-", 2, 35, 12),
    (GRCH37, "12", 25398284, "KRAS", "NM_004985.5", "-", 2, 35, 12),
    # NM_005228.5(EGFR):c.2573T>G p.L858R
    (GRCH38, "7", 55191822, "EGFR", "NM_005228.5", "+", 21, 2573, 858),
    (GRCH37, "7", 55259515, "EGFR", "NM_005228.5", "+", 21, 2573, 858),
    # NM_000546.6(TP53):c.524G>A p.R175H
    (GRCH38, "17", 7675088, "TP53", "NM_000546.6", "-", 5, 524, 175),
    (GRCH37, "17", 7578406, "TP53", "NM_000546.6", "-", 5, 524, 175),
]


@pytest.mark.parametrize(
    ("build", "chrom", "pos", "gene", "refseq", "strand", "exon", "cds", "codon"), HOTSPOTS
)
def test_hotspots(
    model: GeneModel,
    build: GenomeBuild,
    chrom: str,
    pos: int,
    gene: str,
    refseq: str,
    strand: str,
    exon: int,
    cds: int,
    codon: int,
) -> None:
    loc = model.locate(build, chrom, pos)
    assert loc is not None
    assert (loc.gene, loc.refseq, loc.strand) == (gene, refseq, strand)
    assert (loc.exon, loc.region, loc.cds_position, loc.codon) == (exon, "cds", cds, codon)
    assert loc.coding and loc.splice_distance is None
    assert loc.transcript.startswith("ENST") and "." in loc.transcript
    assert (loc.liftover != "") == (build == GRCH37)


def test_grch37_is_located_through_liftover(model: GeneModel) -> None:
    loc37 = model.locate(GRCH37, "7", 140453136)
    loc38 = model.locate(GRCH38, "chr7", 140753336)
    assert loc37 is not None and loc38 is not None
    assert loc37.liftover == "GRCh37->GRCh38 7:140453136->7:140753336"
    assert replace(loc37, liftover="") == loc38


def test_chromosome_names_are_normalised(model: GeneModel) -> None:
    locs = {model.locate(GRCH38, name, 140753336) for name in ("7", "chr7", "NC_000007.14")}
    assert len(locs) == 1 and None not in locs


# --- splice: MET exon 14 (c.2888..c.3028, chr7:116771849-116771989, '+' strand); HGVS offsets
MET_SPLICE = [
    (116771846, "splice_region", -3, 13),  # c.2888-3
    (116771847, "splice_site", -2, 13),  # c.2888-2
    (116771848, "splice_site", -1, 13),  # c.2888-1 (acceptor AG)
    (116771849, "splice_region", 1, None),  # c.2888, first exon base
    (116771851, "splice_region", 3, None),  # c.2890
    (116771852, "cds", None, None),  # c.2891: deep enough in the exon
    (116771987, "splice_region", -3, None),  # c.3026
    (116771989, "splice_region", -1, None),  # c.3028, last exon base
    (116771990, "splice_site", 1, 14),  # c.3028+1 (donor GT; MET exon 14 skipping)
    (116771991, "splice_site", 2, 14),  # c.3028+2
    (116771992, "splice_region", 3, 14),  # c.3028+3
    (116771997, "splice_region", 8, 14),  # c.3028+8
    (116771998, "intron", 9, 14),  # c.3028+9
    (116771841, "splice_region", -8, 13),  # c.2888-8
    (116771840, "intron", -9, 13),  # c.2888-9
]


@pytest.mark.parametrize(("pos", "region", "distance", "intron"), MET_SPLICE)
def test_met_exon14_splice_regions(
    model: GeneModel, pos: int, region: str, distance: int | None, intron: int | None
) -> None:
    loc = model.locate(GRCH38, "7", pos)
    assert loc is not None and loc.gene == "MET"
    assert (loc.region, loc.splice_distance, loc.intron) == (region, distance, intron)
    assert loc.exon == (14 if intron is None else None)
    assert loc.coding == (intron is None)


def test_minus_strand_junctions_and_intron_numbers(model: GeneModel) -> None:
    # BRAF exon 15 = c.1742..c.1860 = chr7:140753275-140753393 on the '-' strand: the genomic
    # right end is the acceptor side (intron 14), the left end the donor side (intron 15).
    expected = {
        140753394: (None, 14, "splice_site", -1, None),  # c.1742-1
        140753393: (15, None, "splice_region", 1, 1742),  # c.1742
        140753275: (15, None, "splice_region", -1, 1860),  # c.1860
        140753274: (None, 15, "splice_site", 1, None),  # c.1860+1
    }
    for pos, want in expected.items():
        loc = model.locate(GRCH38, "7", pos)
        assert loc is not None and loc.exon_count == 18
        assert (loc.exon, loc.intron, loc.region, loc.splice_distance, loc.cds_position) == want


def test_intron_middle_base_counts_from_the_donor(model: GeneModel) -> None:
    # HGVS: the intron is split in half; an odd middle base takes the donor's '+' offset.
    loc = model.locate(GRCH38, "7", 116771989 + 1)
    assert loc is not None and loc.splice_distance == 1
    # walk intron 14 of MET and check offsets change sign exactly once, at the middle
    start, signs = 116771990, []
    pos = start
    while (loc := model.locate(GRCH38, "7", pos)) is not None and loc.intron == 14:
        signs.append(loc.splice_distance)
        pos += 1
    assert signs[0] == 1 and signs[-1] == -1
    positives = [d for d in signs if d is not None and d > 0]
    assert positives == list(range(1, len(positives) + 1))
    assert len(positives) - (len(signs) - len(positives)) in (0, 1)


@pytest.mark.parametrize(
    ("chrom", "pos", "gene", "region"),
    [
        ("7", 55019270, "EGFR", "utr5"),  # exon 1 before the ATG at 55019278 ('+')
        ("7", 140924710, "BRAF", "utr5"),  # exon 1 past the CDS end on the '-' strand
        ("17", 7669000, "TP53", "utr3"),  # exon 11 left of the CDS on the '-' strand
    ],
)
def test_utr(model: GeneModel, chrom: str, pos: int, gene: str, region: str) -> None:
    loc = model.locate(GRCH38, chrom, pos)
    assert loc is not None
    assert (loc.gene, loc.region, loc.cds_position, loc.codon) == (gene, region, None, None)


def test_deletion_is_located_at_its_first_deleted_base(model: GeneModel) -> None:
    # EGFR c.2235_2249del (p.E746_A750del) in VCF form: anchor c.2234 at chr7:55174771
    deletion = model.locate(GRCH38, "7", 55174771, "AGGAATTAAGAGAAGC", "A")
    anchor = model.locate(GRCH38, "7", 55174771)
    insertion = model.locate(GRCH38, "7", 55174771, "A", "AT")
    assert deletion is not None and anchor is not None and insertion is not None
    assert (deletion.exon, deletion.cds_position, deletion.codon) == (19, 2235, 745)
    assert anchor.cds_position == insertion.cds_position == 2234


def test_mane_select_wins_over_plus_clinical(model: GeneModel) -> None:
    # KRAS and BRAF have a MANE Plus Clinical transcript covering the same hotspots
    for chrom, pos, select in (("12", 25245350, "NM_004985.5"), ("7", 140753336, "NM_004333.6")):
        loc = model.locate(GRCH38, chrom, pos)
        assert loc is not None and loc.refseq == select


def test_nothing_is_guessed(model: GeneModel) -> None:
    assert model.locate(UNKNOWN, "7", 140753336) is None
    assert model.locate(GRCH38, "7", 1) is None  # no transcript
    assert model.locate(GRCH38, "chrUn_KI270742v1", 100) is None
    assert model.locate(GRCH37, "1", 1) is None  # does not lift


# --- segments and breakpoints (native spans of each build, never lifted)


def test_erbb2_amplicon_on_both_builds(model: GeneModel) -> None:
    # ERBB2: GRCh38 chr17:39687914-39730426 (Ensembl; the MANE span is 39700064-39728658),
    # GRCh37 17:37844167-37886679 (ensembl_genes_37.txt.gz row for ENSG00000141736)
    genes38 = model.genes_in(GRCH38, "chr17", 39687914, 39730426)
    genes37 = model.genes_in(GRCH37, "17", 37844167, 37886679)
    assert "ERBB2" in genes38 and genes37 == genes38
    wide38 = model.genes_in(GRCH38, "17", 39500000, 39900000)
    wide37 = model.genes_in(GRCH37, "17", 37650000, 38050000)
    assert wide38 == wide37
    assert wide38.index("CDK12") < wide38.index("ERBB2") < wide38.index("GRB7")  # by start


def test_grch37_spans_use_mane_genes_and_current_symbols(model: GeneModel) -> None:
    # ensembl_genes_37 rows: 20:57600522-57607437 ATP5E (now ATP5F1E, ENSG00000124172);
    # 13:23708313-23708703 HMGA1P6, a pseudogene outside MANE.
    atp5 = model.genes_in(GRCH37, "20", 57600522, 57607437)
    assert "ATP5F1E" in atp5 and "ATP5E" not in atp5
    assert model.genes_in(GRCH37, "13", 23708313, 23708703) == []


def test_gene_at(model: GeneModel) -> None:
    assert model.gene_at(GRCH38, "chr7", 140753336) == "BRAF"
    assert model.gene_at(GRCH37, "7", 140453136) == "BRAF"
    assert model.gene_at(GRCH37, "2", 29446394) == "ALK"  # GRCh37 ALK intron 19 (fusions)
    assert model.gene_at(GRCH38, "7", 1) is None
    assert model.gene_at(UNKNOWN, "7", 140753336) is None


def test_genes_in_edge_cases(model: GeneModel) -> None:
    assert model.genes_in(UNKNOWN, "17", 39687914, 39730426) == []
    assert model.genes_in(GRCH38, "17", 39700064, 39700064) == ["ERBB2"]  # first base
    assert model.genes_in(GRCH38, "17", 39700063, 39700063) != ["ERBB2"]
    assert model.genes_in(GRCH38, "chrUn_KI270742v1", 1, 1000) == []
    with pytest.raises(ValueError):
        model.genes_in(GRCH38, "17", 200, 100)


# --- liftover


LIFTS = [  # GRCh37 -> GRCh38; source: ClinVar positions of the named variants
    ("7", 140453136, ("7", 140753336)),  # BRAF c.1799
    ("chr12", 25398285, ("12", 25245351)),  # KRAS c.34
    ("NC_000007.13", 55259515, ("7", 55191822)),  # EGFR c.2573
    ("17", 37844167, ("17", 39687914)),  # ERBB2 gene start
    ("1", 1, None),  # telomere gap: unmapped
    ("1", 223730001, None),  # maps to chr9 in GRCh38: another chromosome
    ("22", 16100001, None),  # inverted block ('-' strand): alleles would flip
    ("1", 143400001, None),  # maps to chr14_GL000009v2_random: not primary
    ("MT", 320, ("MT", 320)),  # b37 MT is rCRS, as GRCh38
    ("chrM", 320, ("MT", 318)),  # hg19 chrM is the Yoruba sequence: chained
]


@pytest.mark.parametrize(("chrom", "pos", "expected"), LIFTS)
def test_liftover_37_to_38(
    liftover: Liftover, chrom: str, pos: int, expected: tuple[str, int] | None
) -> None:
    assert liftover.convert(chrom, pos, GRCH37, GRCH38) == expected


def test_liftover_agrees_with_pyliftover(liftover: Liftover) -> None:
    # convert() answers from its own block index; pyliftover's query, with the documented
    # rules applied (best hit, same chromosome, '+' strand), must give the same answers
    reference = LiftOver(str(SNAPSHOTS / "liftover" / "hg19ToHg38.over.chain.gz"))
    rng = random.Random(37)
    names = [str(n) for n in range(1, 23)] + ["X", "Y"]
    mapped = 0
    for _ in range(5000):
        chrom, pos = rng.choice(names), rng.randrange(1, 48_000_000)  # all chromosomes are longer
        hits = reference.convert_coordinate("chr" + chrom, pos - 1)
        expected = None
        if hits and hits[0][0] == "chr" + chrom and hits[0][2] == "+":
            expected = (chrom, hits[0][1] + 1)
            mapped += 1
        assert liftover.convert(chrom, pos, GRCH37, GRCH38) == expected, (chrom, pos)
    assert 4000 < mapped < 5000  # both kinds of answer were exercised


def test_liftover_round_trip_and_identity(liftover: Liftover) -> None:
    assert liftover.convert("chr7", 140753336, GRCH38, GRCH37) == ("7", 140453136)
    assert liftover.convert("chrX", 5, GRCH38, GRCH38) == ("X", 5)
    assert liftover.convert("7", 140453136, GRCH37, UNKNOWN) is None
    assert liftover.convert("7", 140453136, UNKNOWN, GRCH38) is None


def test_missing_or_corrupt_chain_is_a_knowledge_base_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match=r"hg19ToHg38\.over\.chain\.gz"):
        Liftover(tmp_path).convert("7", 1000, GRCH37, GRCH38)
    (tmp_path / "hg38ToHg19.over.chain.gz").write_bytes(b"not gzip at all")
    with pytest.raises(KnowledgeBaseError, match=r"hg38ToHg19\.over\.chain\.gz.*corrupt"):
        Liftover(tmp_path).convert("7", 1000, GRCH38, GRCH37)


# --- snapshots: loaded lazily, errors name the file


def test_nothing_is_read_before_use(tmp_path: Path) -> None:
    model = GeneModel(genes_dir=tmp_path / "absent")  # no I/O here, so no error yet
    with pytest.raises(KnowledgeBaseError, match=r"MANE\.GRCh38\.v1\.5\.summary"):
        model.locate(GRCH38, "7", 140753336)


def test_corrupt_exon_table_names_file_and_line(tmp_path: Path) -> None:
    summary = SNAPSHOTS / "genes" / "MANE.GRCh38.v1.5.summary.txt.gz"
    (tmp_path / summary.name).write_bytes(summary.read_bytes())
    exons = tmp_path / "MANE.GRCh38.v1.2.ucsc_bigGenePred.tsv.gz"
    exons.write_bytes(b"\x1f\x8b truncated")
    with pytest.raises(KnowledgeBaseError, match=r"bigGenePred.*corrupt"):
        GeneModel(genes_dir=tmp_path).locate(GRCH38, "7", 1)
    exons.write_bytes(gzip.compress(b"#chrom\tchromStart\nchr7\tnot-a-number\n"))
    with pytest.raises(KnowledgeBaseError, match=r"bigGenePred.*line 2"):
        GeneModel(genes_dir=tmp_path).locate(GRCH38, "7", 1)


def test_location_is_frozen(model: GeneModel) -> None:
    loc = model.locate(GRCH38, "7", 140753336)
    assert isinstance(loc, Location)
    with pytest.raises(AttributeError):
        loc.gene = "NRAS"  # type: ignore[misc]
