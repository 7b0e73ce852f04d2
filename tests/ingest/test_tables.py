"""Copy-number segment and fusion tables (PCGR formats in ../shared/data/vcf/pcgr)."""

from __future__ import annotations

import pytest

from mtb.errors import InputError
from mtb.ingest import file_kind, read_fusions, read_segments
from mtb.ingest.fusions import split_fusion_name
from tests.conftest import needs_shared


@needs_shared
def test_pcgr_segments(vcf_dir) -> None:
    path = vcf_dir / "pcgr/T001-BRCA.grch38.cna.tsv"
    assert file_kind(path) == "segments"
    segments = read_segments(path)
    assert len(segments) == 260  # 261 lines, one header
    # line 2: "1  809641  37651942  1  0" -> total copy number nMajor + nMinor = 1 (loss)
    first = segments[0]
    assert (first.chrom, first.start, first.end, first.copy_number, first.call, first.line) == (
        "1", 809641, 37651942, 1.0, "loss", 2
    )


@needs_shared
def test_pcgr_fusions(vcf_dir) -> None:
    path = vcf_dir / "pcgr/T001-BRCA.grch38.fusions.tsv"
    assert file_kind(path) == "fusions"
    fusions = read_fusions(path)
    # line 3: "EML4--ALK  2:42295554  2:29223528  100"
    eml4 = fusions[1]
    assert (eml4.name, eml4.breakpoint5, eml4.breakpoint3, eml4.split_reads, eml4.line) == (
        "EML4::ALK", "2:42295554", "2:29223528", 100, 3
    )
    assert [f.name for f in fusions][-1] == "EWSR1::FLI1"


def test_other_fusion_and_segment_layouts(tmp_path) -> None:
    """Synthetic rows in STAR-Fusion's, Arriba's and CNVkit's column layouts."""
    star = tmp_path / "star.tsv"
    star.write_text(
        "#FusionName\tJunctionReadCount\tSpanningFragCount\tLeftBreakpoint\tRightBreakpoint\n"
        "NKX2-1--ALK\t12\t3\tchr14:36516392:-\tchr2:29223528:-\n"
    )
    arriba = tmp_path / "arriba.tsv"
    arriba.write_text(
        "#gene1\tgene2\tbreakpoint1\tbreakpoint2\tsplit_reads1\tsplit_reads2\tdiscordant_mates\n"
        "TMPRSS2\tERG,AC015656.1(1234)\t21:41508081\t21:38445621\t7\t5\t20\n"
    )
    cns = tmp_path / "sample.call.cns"
    cns.write_text(
        "chromosome\tstart\tend\tgene\tlog2\tcn\nchr17\t39687914\t39730426\tERBB2\t2.8\t14\n"
    )
    star_fusion = read_fusions(star)[0]
    assert (star_fusion.name, star_fusion.split_reads, star_fusion.spanning_reads) == (
        "NKX2-1::ALK", 12, 3
    )
    assert (star_fusion.breakpoint5, star_fusion.breakpoint3) == ("chr14:36516392", "chr2:29223528")
    arriba_fusion = read_fusions(arriba)[0]
    assert (arriba_fusion.name, arriba_fusion.split_reads, arriba_fusion.spanning_reads) == (
        "TMPRSS2::ERG", 12, 20
    )
    segment = read_segments(cns)[0]
    assert (segment.copy_number, segment.call) == (14.0, "amplification")


def test_bad_tables_name_line_and_problem(tmp_path) -> None:
    path = tmp_path / "cna.tsv"
    path.write_text("Chromosome\tStart\tEnd\tnMajor\tnMinor\n1\t100\t200\t1\t1\n1\tabc\t300\t1\t0\n")
    with pytest.raises(InputError) as caught:
        read_segments(path)
    assert str(caught.value) == f"{path}, line 3: start is not a number"
    fusions = tmp_path / "fusions.tsv"
    fusions.write_text("FusionGene\tSplitReads\nEML4--ALK\t10\nNOSEPARATOR\t3\n")
    with pytest.raises(InputError) as caught:
        read_fusions(fusions)
    assert (caught.value.line, caught.value.problem) == (
        3, "fusion name is not of the form GENE1--GENE2"
    )


@pytest.mark.parametrize(
    ("name", "pair"),
    [("EML4--ALK", ("EML4", "ALK")), ("EML4::ALK", ("EML4", "ALK")), ("EML4-ALK", ("EML4", "ALK")),
     ("NKX2-1--ALK", ("NKX2-1", "ALK")), ("HLA-A-B", None)],
)
def test_split_fusion_name(name, pair) -> None:
    assert split_fusion_name(name) == pair
