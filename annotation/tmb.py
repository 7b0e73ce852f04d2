"""Tumor mutational burden: nonsynonymous coding variants per megabase of sequenced territory.

Counted: SNVs, MNVs and indels that passed filters, with a coding, protein-changing consequence
(missense, nonsense, frameshift, in-frame, start/stop lost), a tumor VAF of at least 5 % when
known, and not common in the population (>= 1 %: germline polymorphisms inflate TMB in
tumor-only data). The territory is the panel BED (variants outside it are not counted) or a
size in megabases (MTB_TMB_MB, default 30 Mb, about the coding exome). Variants the matched
normal shows somatic count even when common in the population.

Coding variants whose effect is unknown (no VEP/SnpEff annotation and no reference FASTA to
compute the protein change: mostly SNVs at a codon's third base, whose effect MANE's codon
position cannot tell) are not guessed one by one. When they are more than 5 % of the coding
variants, counting only the known nonsynonymous ones would understate the burden, so the burden
is counted the way FoundationOne CDx counts it: every coding variant, synonymous included
(Chalmers et al., Genome Med 2017;9:34, whose TMB-high cut-off of 10 mut/Mb the tumor-agnostic
pembrolizumab label uses); `basis` says so.

A list of calls in which every one counts (no filtered, synonymous or non-coding call at all)
looks pre-filtered, like a report's list of relevant variants: its burden is only a lower bound.
It is given when even that reaches TMB-high, and otherwise not at all, since a "low" from a
filtered list would tell the board something nobody measured.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from annotation.model import COMMON_AF, Alteration
from mtb.regions import Regions
from mtb.variant import SMALL_TYPES, TMB_HIGH, SmallVariant

TMB_CONSEQUENCES = frozenset({
    "missense_variant", "stop_gained", "stop_lost", "start_lost", "frameshift_variant",
    "inframe_insertion", "inframe_deletion", "protein_altering_variant",
})
MIN_VAF = 0.05
MAX_UNKNOWN_SHARE = 0.05


@dataclass(frozen=True)
class Tmb:
    per_mb: float | None  # None: not computable (too many coding variants of unknown effect)
    mutations: int
    megabases: float
    territory: str  # "panel.bed (1.23 Mb)" or "30 Mb (MTB_TMB_MB)"
    unknown_effect: int  # coding variants without a known consequence
    excluded: dict[str, int]
    basis: str = "nonsynonymous"  # or "all coding" (synonymous included; FoundationOne's way)
    pre_filtered: bool = False  # every call counted: the list looks like a report's excerpt

    @property
    def summary(self) -> str:
        if self.per_mb is None and self.pre_filtered:
            return (f"TMB not computable: the {self.mutations} calls look pre-filtered (every one "
                    "a passing nonsynonymous coding variant, no filtered, synonymous or non-coding "
                    "call), so they give only a lower bound; give the measured TMB (--tmb, or "
                    "tmb = in case.toml)")
        if self.per_mb is None:
            return "TMB not computable: no sequenced territory (give --target-mb or a panel BED)"
        if self.pre_filtered:
            return (f"TMB at least {self.per_mb:.1f} mut/Mb ({self.mutations} nonsynonymous coding "
                    f"variants / {self.territory}; the calls look pre-filtered, so this is a "
                    "lower bound)")
        if self.basis == "all coding":
            return (f"TMB {self.per_mb:.1f} mut/Mb ({self.mutations} coding variants, "
                    f"synonymous included / {self.territory}): {self.unknown_effect} have no "
                    "known effect without VEP/SnpEff annotation or --reference, so every coding "
                    "variant is counted, as FoundationOne CDx counts")
        text = (f"TMB {self.per_mb:.1f} mut/Mb ({self.mutations} nonsynonymous coding "
                f"variants / {self.territory})")
        if self.unknown_effect:
            text += f"; {self.unknown_effect} coding variants of unknown effect not counted"
        return text


def compute_tmb(
    variants: Sequence[tuple[SmallVariant, Alteration]],
    megabases: float,
    panel: Regions | None = None,
) -> Tmb:
    excluded: Counter[str] = Counter()
    counted = unknown = 0
    synonymous: list[tuple[SmallVariant, Alteration]] = []  # counted only in the all-coding way
    for variant, alteration in variants:
        if variant.variant_type not in SMALL_TYPES:
            continue
        if not variant.passed:
            excluded["filtered"] += 1
            continue
        if panel is not None and not panel.contains(variant.norm_chrom, variant.pos):
            excluded["outside panel"] += 1
            continue
        consequences = alteration.consequences
        effect_unknown = ("coding_sequence_variant" in consequences
                          and not consequences & TMB_CONSEQUENCES)
        if not effect_unknown and not consequences & TMB_CONSEQUENCES:
            if "synonymous_variant" in consequences:
                synonymous.append((variant, alteration))
            else:
                excluded["not nonsynonymous coding"] += 1
            continue
        if variant.tumor_vaf is not None and variant.tumor_vaf < MIN_VAF:
            excluded[f"VAF < {MIN_VAF:g}"] += 1
            continue
        common = alteration.population_af is not None and alteration.population_af >= COMMON_AF
        if common and not alteration.somatic:
            excluded["common in the population"] += 1
            continue
        if effect_unknown:
            unknown += 1
        else:
            counted += 1
    size = panel.megabases if panel is not None else megabases
    territory = f"{panel.path} ({size:.2f} Mb)" if panel is not None else f"{size:g} Mb"
    basis = "nonsynonymous"
    if unknown > MAX_UNKNOWN_SHARE * (counted + unknown):
        basis = "all coding"
        counted += unknown + sum(1 for v, a in synonymous if _counts(v, a))
    per_mb = counted / size if size > 0 else None
    pre_filtered = counted > 0 and not excluded and not synonymous
    if pre_filtered and per_mb is not None and per_mb < TMB_HIGH:
        per_mb = None
    return Tmb(per_mb, counted, size, territory, unknown, dict(excluded), basis, pre_filtered)


def _counts(variant: SmallVariant, alteration: Alteration) -> bool:
    """The VAF and population filters, for synonymous variants of the all-coding count."""
    if variant.tumor_vaf is not None and variant.tumor_vaf < MIN_VAF:
        return False
    common = alteration.population_af is not None and alteration.population_af >= COMMON_AF
    return not common or alteration.somatic
