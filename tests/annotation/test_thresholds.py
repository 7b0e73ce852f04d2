"""Every clinical threshold of annotation, tested on both sides of its boundary.

A review once moved eight thresholds (off-label level B counted as IID, the TMB minimum VAF, the
population-frequency cut-off, ...) and the suite still passed. Each test here puts one value just
below and one just at or above a boundary and asserts the two outcomes differ as the rule says.
Evidence items are SYNTHETIC (built in the test, ids 'SYN...'), so that only the field under test
varies.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from annotation import annotate_alterations
from annotation.alterations import TMB_HIGH, _germline, _somatic, from_description
from annotation.levels import (
    OTHER,
    SAME,
    WELL_RATED,
    Place,
    clinical_level,
    therapeutic_level,
)
from annotation.model import COMMON_AF, Alteration, Evidence, Tier
from annotation.tmb import MAX_UNKNOWN_SHARE, MIN_VAF, compute_tmb
from mtb.variant import AMPLIFICATION_MIN_CN, CopyNumber, SmallVariant, VariantType

HERE, ELSEWHERE = Place(SAME), Place(OTHER)


def _item(level: str, *, rating: int = 3, trial: bool = True, kind: str = "Predictive",
          significance: str = "Sensitivity/Response") -> Evidence:
    return Evidence(source="CIViC", id="SYN1", kind="evidence", evidence_type=kind,
                    direction="Supports", significance=significance, level=level,
                    disease="synthetic", doid="DOID:0", profile="SYN", therapies=("Osimertinib",),
                    rating=rating, trial=trial)


def _level(evidence: Evidence, place: Place = HERE, **options: bool) -> str:
    grade = therapeutic_level(evidence, place, germline=False, **options)
    return grade if isinstance(grade, str) else grade.level


# -- AMP levels from CIViC levels --------------------------------------------------------------

def test_registered_trial_counts_as_well_powered_from_four_stars() -> None:
    assert _level(_item("B", rating=WELL_RATED)) == "B"
    assert _level(_item("B", rating=WELL_RATED - 1)) == "C"
    assert _level(_item("B", rating=5, trial=False)) == "C"  # no NCT id: not a registered trial


def test_off_label_level_b_is_c_when_well_powered_and_d_otherwise() -> None:
    """The mapping a review once changed unnoticed (off-label B as IID)."""
    assert _level(_item("B", rating=WELL_RATED), ELSEWHERE) == "C"
    assert _level(_item("B", rating=WELL_RATED - 1), ELSEWHERE) == "D"
    assert _level(_item("A"), ELSEWHERE) == "C"
    assert _level(_item("C"), ELSEWHERE) == "D"


def test_civic_level_a_is_b_without_an_approval_and_level_e_never_counts() -> None:
    assert _level(_item("A")) == "B"
    assert _level(_item("A", significance="Resistance")) == "A"
    assert isinstance(therapeutic_level(_item("E"), HERE, germline=False), str)


def test_investigational_regimens_stop_at_level_c() -> None:
    assert _level(_item("B", rating=5)) == "B"
    assert _level(_item("B", rating=5), investigational=True) == "C"


def test_diagnostic_level_b_needs_four_stars_and_prognostic_b_a_guideline() -> None:
    diagnostic = _item("B", rating=WELL_RATED, kind="Diagnostic", significance="Positive")
    assert clinical_level(diagnostic, HERE).level == "B"
    assert clinical_level(replace(diagnostic, rating=WELL_RATED - 1), HERE).level == "C"
    prognostic = replace(diagnostic, evidence_type="Prognostic", significance="Poor Outcome")
    assert clinical_level(prognostic, HERE).level == "C"
    assert clinical_level(replace(prognostic, level="A"), HERE).level == "A"
    assert isinstance(clinical_level(replace(prognostic, level="A"), ELSEWHERE), str)


# -- population frequency ----------------------------------------------------------------------

@pytest.mark.parametrize(("af", "tier"), [(COMMON_AF, Tier.IV), (COMMON_AF * 0.99, Tier.III)])
def test_population_frequency_cut_off(kb, af: float, tier: Tier) -> None:
    """A missense change of unknown significance (SYNTHETIC position) is benign from 1 %."""
    alteration = replace(from_description("PIK3CA", "p.A1035V", kb.genes), population_af=af)
    [found] = annotate_alterations([(None, alteration)], kb.ontology.resolve("breast cancer"),
                                   kb)
    assert found.tier == tier


def test_a_common_variant_the_normal_lacks_is_not_benign(kb) -> None:
    alteration = replace(from_description("PIK3CA", "p.A1035V", kb.genes),
                         population_af=0.2, somatic=True)
    [found] = annotate_alterations([(None, alteration)], kb.ontology.resolve("breast cancer"),
                                   kb)
    assert found.tier == Tier.III


# -- matched normal ----------------------------------------------------------------------------

def _small(normal_depth: int, normal_vaf: float, normal_alt: int | None = None) -> SmallVariant:
    return SmallVariant(
        chrom="1", pos=100, ref="A", alt="G", norm_chrom="1", variant_type=VariantType.SNV,
        filter="PASS", tumor_vaf=0.4, tumor_alt=40, tumor_depth=100, normal_vaf=normal_vaf,
        normal_depth=normal_depth, normal_alt=normal_alt)


def test_somatic_needs_a_covered_normal_without_the_allele() -> None:
    assert _somatic(_small(20, 0.0, 0)) and not _somatic(_small(19, 0.0, 0))
    assert _somatic(_small(50, 0.02, 1)) and not _somatic(_small(50, 0.04, 2))


def test_germline_from_twenty_percent_in_a_covered_normal() -> None:
    assert _germline(_small(10, 0.2)) and not _germline(_small(10, 0.19))
    assert not _germline(_small(9, 0.5))


# -- TMB ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "call"), [(TMB_HIGH, "high"), (TMB_HIGH - 0.1, "low")])
def test_tmb_high_from_ten_per_megabase(value: float, call: str) -> None:
    assert from_description("TMB", f"TMB {value:g} mut/Mb").biomarker == call


def _coding(vaf: float, consequence: str = "missense_variant") -> tuple[SmallVariant, Alteration]:
    variant = _small(0, 0.0)._replace(tumor_vaf=vaf)
    return variant, Alteration(kind="small", gene="KRAS", label="SYN",
                               consequences=frozenset({consequence}))


def test_tmb_counts_variants_from_five_percent_vaf() -> None:
    counted = compute_tmb([_coding(MIN_VAF)], 1.0)
    dropped = compute_tmb([_coding(MIN_VAF - 0.001)], 1.0)
    assert (counted.mutations, dropped.mutations) == (1, 0)


def test_tmb_counts_every_coding_variant_when_over_five_percent_have_unknown_effect() -> None:
    """Up to 5 % of coding variants of unknown effect: nonsynonymous ones only; above it every
    coding variant, synonymous included (FoundationOne CDx's count, Chalmers et al. 2017)."""
    known = [_coding(0.3) for _ in range(100)]
    silent = [_coding(0.3, "synonymous_variant")] * 10
    unknown = [_coding(0.3, "coding_sequence_variant")] * int(MAX_UNKNOWN_SHARE * 105)
    within = compute_tmb(known + silent + unknown, 1.0)
    assert (within.basis, within.per_mb) == ("nonsynonymous", 100)
    over = compute_tmb(known + silent + unknown * 2, 1.0)
    assert (over.basis, over.per_mb) == ("all coding", 100 + 10 + 2 * len(unknown))
    assert "synonymous included" in over.summary


# -- copy number -------------------------------------------------------------------------------

@pytest.mark.parametrize(("copies", "call"), [(AMPLIFICATION_MIN_CN, "amplification"),
                                              (AMPLIFICATION_MIN_CN - 0.5, "gain")])
def test_amplification_from_five_copies(copies: float, call: str) -> None:
    segment = CopyNumber(chrom="17", start=1, end=2, norm_chrom="17", copy_number=copies)
    assert segment.call == call
