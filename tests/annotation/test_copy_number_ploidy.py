"""Copy number against the sample's ploidy and purity (issue 11, item 6): a whole-genome-doubled
tumor's gains are not amplifications, a homozygous deletion diluted by normal cells is still one,
and every reason says which threshold it used."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotation import annotate
from annotation.model import Tier
from mtb.case import open_case
from mtb.config import Settings
from mtb.errors import InputError
from mtb.ingest.cnv import read_segments
from mtb.variant import CopyNumber, GenomeBuild

# ERBB2's GRCh38 gene span (MANE): a SYNTHETIC segment over it
ERBB2 = ("17", 39687914, 39730426)


def _segment(cn: float, ploidy: float | None = None) -> CopyNumber:
    return CopyNumber(*ERBB2[:1], ERBB2[1], ERBB2[2], "17", copy_number=cn).for_sample(
        ploidy, None, "case.toml")


@pytest.mark.parametrize(("cn", "ploidy", "call"), [
    (5, None, "amplification"),  # the fixed threshold (PCGR's default on a diploid genome)
    (4.9, None, "gain"),
    (7, 4.0, "amplification"),  # ploidy 4 + 3
    (6.9, 4.0, "gain"),  # amplified by the fixed threshold, a gain in a tetraploid genome
    (6.1, 3.1, "amplification"),
    (6.0, 3.1, "gain"),
    (4.0, 4.0, "neutral"),
    (2.0, 4.0, "loss"),  # two copies lost in a tetraploid genome
    (0.49, None, "deep_deletion"),
    (0.5, None, "loss"),
])
def test_calls_against_the_ploidy(cn: float, ploidy: float | None, call: str) -> None:
    assert _segment(cn, ploidy).call == call


def test_the_basis_says_which_threshold() -> None:
    assert _segment(12).basis == ("amplification: CN 12; amplification from 5 copies (fixed "
                                  "threshold: the sample's ploidy is not known)")
    assert _segment(6, 4.0).basis == ("gain: CN 6; amplification from ploidy 4 + 3 = 7 copies "
                                      "(ploidy from case.toml)")


def _table(tmp_path: Path, header: str, rows: str) -> Path:
    path = tmp_path / "segments.tsv"
    path.write_text(header + "chrom\tstart\tend\tlog2\n" + rows)
    return path


def test_log2_ratios_with_the_purity_from_the_header(tmp_path: Path) -> None:
    """log2 -2 is half a copy observed; at 40 % purity the normal cells' 1.2 copies explain all
    of it: a homozygous deletion, which the unadjusted value (0.5 copies: a loss) hides."""
    row = "17\t39687914\t39730426\t-2.0\n"
    [pure] = read_segments(_table(tmp_path, "#purity=0.4\n#ploidy=2\n", row))
    assert (pure.call, pure.copy_number, pure.sample_source) == (
        "deep_deletion", 0.0, "segments.tsv header")
    assert "from log2 -2.00 at purity 40%" in pure.basis
    [unknown] = read_segments(_table(tmp_path, "", row))
    assert (unknown.call, unknown.copy_number) == ("loss", 0.5)
    assert "purity not known" in unknown.basis


def test_implausible_header_values_name_the_line(tmp_path: Path) -> None:
    path = _table(tmp_path, "#ploidy=3\n#purity=40\n", "17\t1\t2\t0.1\n")
    with pytest.raises(InputError, match=r"segments.tsv, line 2: purity 40 is not a fraction"):
        read_segments(path)


def test_a_tetraploid_erbb2_gain_is_no_trastuzumab_finding(kb) -> None:
    """ERBB2 at 6 copies: amplified by the fixed threshold (IA, trastuzumab in breast cancer),
    but in a whole-genome-doubled tumor (ploidy 4) a gain, which no label covers."""
    diploid = annotate([_segment(6)], "breast cancer", kb, build=GenomeBuild.GRCH38)
    doubled = annotate([_segment(6, 4.0)], "breast cancer", kb, build=GenomeBuild.GRCH38)
    amplified = next(v for v in diploid.variants if v.alteration.gene == "ERBB2")
    assert amplified.alteration.label == "ERBB2 amplification (CN 6)"
    assert amplified.tier == Tier.IA
    # the gained segment's genes (ERBB2 and its neighbours) are one row without evidence
    [gained] = doubled.variants
    assert gained.alteration.label == "gain over 3 genes" and gained.finding.call == "gain"
    assert gained.tier not in (Tier.IA, Tier.IB) and not gained.therapies
    assert any("ploidy 4 + 3 = 7 copies" in r.text for r in gained.reasons)


def test_case_toml_ploidy_wins_over_the_header(kb, tmp_path: Path) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "cna.tsv").write_text("#ploidy=2\nchrom\tstart\tend\tcopy_number\n"
                                    "17\t39687914\t39730426\t6\n")
    (folder / "case.toml").write_text(
        'id = "c"\ntitle = "SYNTHETIC"\ndiagnosis = "breast cancer"\nbuild = "GRCh38"\n'
        'ploidy = 4.0\n[[files]]\npath = "cna.tsv"\nkind = "segments"\n')
    case = open_case(folder, kb, Settings.load(environ={}))
    [segment] = case.annotation.variants
    assert (segment.finding.call, segment.finding.ploidy) == ("gain", 4.0)
    assert segment.finding.sample_source == "case.toml"
    (folder / "case.toml").write_text('id = "c"\ntitle = "C"\npurity = 55\n')
    with pytest.raises(InputError, match=r"case.toml: 'purity': purity 55 is not a fraction"):
        open_case(folder, kb, Settings.load(environ={}))
