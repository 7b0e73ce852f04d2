"""Every VCF in ../shared/data/vcf is ingested, and the number of rows is the number of ALT
alleles counted independently with pysam (htslib) — one row per split allele."""

from __future__ import annotations

from pathlib import Path

import pysam
import pytest

from mtb.ingest import read_vcf
from mtb.variant import SmallVariant
from tests.conftest import SHARED

VCFS = sorted(
    str(path.relative_to(SHARED / "vcf"))
    for path in (SHARED / "vcf").glob("*/*")
    if path.name.endswith((".vcf", ".vcf.gz"))
) if SHARED else []

# Records mtb skips with a warning, checked by hand: test_varscan.vcf line 110 is
# "2  106715342  .  G  A/T  ..." — VarScan2's 'A/T' is not a VCF allele list.
SKIPPED_LINES = {"vcf2maf/test_varscan.vcf": [110]}


def _pysam_alleles(path: Path, skipped_positions: set[tuple[str, int]]) -> int:
    """ALT alleles that carry a variant ('*' and '.' are not), counted by htslib via pysam."""
    pysam.set_verbosity(0)
    total = 0
    with pysam.VariantFile(str(path)) as vcf:
        for rec in vcf:
            if (rec.chrom, rec.pos) in skipped_positions:
                continue
            total += sum(1 for alt in rec.alts or () if alt not in ("*", "."))
    return total


def _positions_of_lines(path: Path, lines: list[int]) -> set[tuple[str, int]]:
    text = path.read_text().splitlines()
    return {(text[n - 1].split("\t")[0], int(text[n - 1].split("\t")[1])) for n in lines}


def test_all_shared_vcfs_are_found() -> None:
    if SHARED is None:
        pytest.skip("shared data not found")
    assert len(VCFS) == 19, VCFS


@pytest.mark.parametrize("name", VCFS)
def test_row_count_matches_pysam(name: str) -> None:
    path = SHARED / "vcf" / name  # type: ignore[operator]
    skipped = SKIPPED_LINES.get(name, [])
    expected = _pysam_alleles(path, _positions_of_lines(path, skipped) if skipped else set())
    callset = read_vcf(path)
    rows = len(callset.variants) + len(callset.copy_numbers) + len(callset.structural_variants)
    assert rows == expected
    assert callset.counts.skipped_lines == skipped
    # every row keeps the line it came from, in file order
    lines = [v.line for v in callset.variants]
    assert lines == sorted(lines)


@pytest.mark.parametrize("name", VCFS)
def test_vafs_are_fractions_and_match_counts(name: str) -> None:
    """VAF in [0, 1]; where the VAF is computed from counts, it equals alt / depth."""
    callset = read_vcf(SHARED / "vcf" / name)  # type: ignore[operator]
    computed = {"Strelka2 tier-1 base counts", "Strelka2 TIR/(TAR+TIR)", "SomaticSniper BCOUNT",
                "FORMAT/AD", "FreeBayes AO/RO"}
    for variant in callset.variants:
        assert isinstance(variant, SmallVariant)
        for vaf in (variant.tumor_vaf, variant.normal_vaf):
            assert vaf is None or 0.0 <= vaf <= 1.0, (variant.line, vaf)
        if variant.vaf_source in computed and variant.tumor_depth:
            assert variant.tumor_vaf == pytest.approx(variant.tumor_alt / variant.tumor_depth)
