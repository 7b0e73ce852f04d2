"""TMB and MSI as findings (issue 11, item 4): computed from the calls unless a laboratory's
value is given, an estimate tiered as one, negative results not taken for variants of unknown
significance, and a measured value that disagrees with the calls said aloud."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from annotation.model import Alteration, Tier
from annotation.signatures import MSI_MIN_INDEL_SHARE, MSI_MIN_MUTATIONS, msi_estimate
from mtb.case import open_case
from mtb.config import Settings
from mtb.variant import SmallVariant, VariantType

COLON = Path(__file__).resolve().parents[2] / "sample_cases" / "tcga-a6-2686-colon"
_VARIANT = SmallVariant(chrom="1", pos=100, ref="A", alt="C", filter="PASS",
                        variant_type=VariantType.SNV, norm_chrom="1", tumor_vaf=0.3)


def _calls(missense: int, indels: int) -> list[tuple[SmallVariant, Alteration]]:
    def alteration(term: str) -> Alteration:
        return Alteration(kind="small", gene="G", label="G", consequences=frozenset({term}))
    return ([(_VARIANT, alteration("missense_variant"))] * missense
            + [(_VARIANT, alteration("frameshift_variant"))] * indels)


@pytest.mark.parametrize(("missense", "indels", "megabases", "call"), [
    (90, 10, 10.0, "high"),  # 1.0 indels/Mb and 10 %: both cut-offs met
    (91, 9, 9.0, "stable"),  # 1.0/Mb but 9 %: the share decides (a hypermutated stable tumor)
    (70, 30, 31.0, "stable"),  # 30 %, but 0.97/Mb: the rate decides
    (70, 30, 30.0, "high"),
])
def test_msi_estimate_needs_both_the_rate_and_the_share(missense: int, indels: int,
                                                        megabases: float, call: str) -> None:
    marker = msi_estimate(_calls(missense, indels), megabases)
    assert marker is not None and marker.estimate
    assert marker.call == call and "confirm by MMR immunohistochemistry" in marker.source
    assert MSI_MIN_INDEL_SHARE == 0.10


def test_too_few_coding_mutations_say_nothing_about_msi() -> None:
    assert msi_estimate(_calls(MSI_MIN_MUTATIONS - 11, 10), 1.0) is None
    assert msi_estimate(_calls(MSI_MIN_MUTATIONS - 10, 10), 1.0) is not None


def _colon(tmp_path: Path, extra: str = "") -> Path:
    """The TCGA colon case (MSI-like: 3,313 calls, hundreds of frameshifts) with an
    optional measured value added to a copy of its case.toml."""
    folder = tmp_path / "colon"
    shutil.copytree(COLON, folder)
    toml = folder / "case.toml"
    text = toml.read_text()
    toml.write_text(text.replace("[[files]]", extra + "\n[[files]]", 1))
    return folder


def _markers(case) -> dict:  # type: ignore[no-untyped-def]
    return {v.alteration.gene: v for v in case.annotation.variants
            if v.alteration.kind == "biomarker"}


def test_computed_msi_is_an_estimate_capped_at_level_c(kb, tmp_path: Path) -> None:
    case = open_case(_colon(tmp_path), kb, Settings.load(environ={}))
    markers = _markers(case)
    msi, tmb = markers["MSI"], markers["TMB"]
    assert msi.alteration.label == "MSI-high (estimate)"
    assert (msi.tier, msi.level) == (Tier.IIC, "C")  # the labels ask for a validated test
    assert any("not a validated assay" in flag for flag in msi.flags)
    assert msi.therapies[0].name == "Pembrolizumab"  # the colorectal approval, but at IIC
    assert any(r.text.startswith("IIC: MSI-high (estimate) is an estimate") for r in msi.reasons)
    assert tmb.tier == Tier.IA and tmb.alteration.label.startswith("TMB 90.1 mut/Mb (high)")


def test_a_measured_msi_high_is_tier_one(kb, tmp_path: Path) -> None:
    case = open_case(_colon(tmp_path, 'msi = "MSI-H"'), kb, Settings.load(environ={}))
    msi = _markers(case)["MSI"]
    assert msi.alteration.label == "MSI-high" and not msi.alteration.estimate
    assert (msi.tier, msi.level) == (Tier.IA, "A")
    assert not any("validated assay" in flag for flag in msi.flags)
    assert any("given in case.toml (msi = 'MSI-H')" in r.text for r in msi.reasons)
    assert not [w for w in case.warnings if w.startswith("MSI:")]  # agrees with the calls


def test_a_measured_mss_wins_and_the_disagreement_is_said(kb, tmp_path: Path) -> None:
    case = open_case(_colon(tmp_path, 'msi = "MSS"\ntmb = 4.2'), kb, Settings.load(environ={}))
    markers = _markers(case)
    assert [v.alteration.label for v in case.annotation.variants
            if v.alteration.gene == "MSI"] == ["microsatellite stable"]  # no estimate beside
    assert markers["MSI"].tier == Tier.IV and not markers["MSI"].therapies
    assert markers["TMB"].tier == Tier.IV  # the measured 4.2, not the computed 90
    assert any(w.startswith("MSI: given in case.toml (msi = 'MSS') says stable; the calls say "
                            "high") for w in case.warnings)
    assert any(w.startswith("TMB: given in case.toml (tmb = 4.2) says low") for w in case.warnings)
