"""Every kind of finding answers `support`, `locus` and `type_label` the same way, so no reader
(the grid, the key-finding cards, the report) needs an isinstance ladder."""

from __future__ import annotations

import pytest

from mtb.variant import (
    NO_SUPPORT,
    CopyNumber,
    Fusion,
    ReadSupport,
    SmallVariant,
    StructuralVariant,
    VariantType,
)

SNV = SmallVariant("chr7", 55191822, "T", "G", "PASS", VariantType.SNV, "7",
                   tumor_vaf=0.31, tumor_alt=62, tumor_depth=200)
SEGMENT = CopyNumber("chr17", 39687914, 39730426, "17", copy_number=12.0)
REARRANGEMENT = StructuralVariant("chr2", 29223528, "chr2", 42299876, "BND", "N", "N]2:1]",
                                  "2", "2", tumor_alt=14, tumor_depth=80, tumor_vaf=0.175)
FUSION = Fusion("EML4", "ALK", "chr2:42299876", "chr2:29223528", split_reads=23)


@pytest.mark.parametrize(("finding", "support", "locus", "label"), [
    (SNV, ReadSupport(0.31, 62, 200), "chr7:55191822 T>G", "snv"),
    (SEGMENT, NO_SUPPORT, "chr17:39687914-39730426", "CNV"),
    (REARRANGEMENT, ReadSupport(0.175, 14, 80), "chr2:29223528 / chr2:42299876", "BND"),
    (FUSION, ReadSupport(None, 23, None, allelic=False), "chr2:42299876 / chr2:29223528",
     "fusion"),
])
def test_uniform_accessors(finding, support, locus, label) -> None:
    assert finding.support == support
    assert finding.locus == locus
    assert finding.type_label == label


def test_fusion_split_reads_are_not_allele_reads() -> None:
    assert FUSION.support.alt == 23 and not FUSION.support.allelic
    assert SNV.support.allelic and REARRANGEMENT.support.allelic


def test_fusion_without_breakpoints_has_an_empty_locus() -> None:
    assert Fusion("EML4", "ALK").locus == ""
