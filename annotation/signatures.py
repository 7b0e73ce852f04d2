"""Genome-wide signatures as findings: TMB and MSI computed from the case's calls, when nobody
gave them (case.toml, a command-line option, a FHIR Observation or an MSIsensor report win).

TMB is computed the usual way (annotation.tmb) and is high from 10 mutations per megabase, the
cut-off of the tumor-agnostic pembrolizumab label (FDA 2020, KEYNOTE-158, FoundationOne CDx).

MSI is *estimated* from the indel pattern: microsatellite-unstable tumors accumulate
insertions and deletions in coding repeats. MSIseq (Huang et al., Sci Rep 2015;5:13321) found
the somatic indel rate the best single discriminator on TCGA exomes (cut-off 0.395 indels/Mb).
mtb asks for more before it says "MSI-high (estimate)": at least 1 coding indel per megabase
and indels making up at least 10 % of the coding mutations, so that the many deletions of a
homologous-recombination-deficient or otherwise hypermutated stable tumor are not taken for MSI
(the HCC1395 exome: 0.7 coding indels/Mb, 5 %: stable; the MSI-like TCGA colon case: 15/Mb,
17 %: high). An estimate is never the label's test: it carries a flag asking for MMR
immunohistochemistry or MSI PCR and tiers at level C at most (annotation.tiering).
"""

from __future__ import annotations

from collections.abc import Sequence

from annotation.model import Alteration
from annotation.tmb import Tmb
from mtb.variant import TMB_HIGH, Biomarker, SmallVariant

MSI_MIN_INDELS_PER_MB = 1.0
MSI_MIN_INDEL_SHARE = 0.10
MSI_MIN_MUTATIONS = 50  # fewer coding mutations say too little about the pattern
_INDELS = frozenset({"frameshift_variant", "inframe_insertion", "inframe_deletion"})
_CODING = _INDELS | frozenset({"missense_variant", "stop_gained", "synonymous_variant",
                               "protein_altering_variant", "coding_sequence_variant",
                               "start_lost", "stop_lost"})


def tmb_finding(tmb: Tmb) -> Biomarker | None:
    """The computed TMB as a finding; None when it could not be computed."""
    if tmb.per_mb is None:
        return None
    call = "high" if tmb.per_mb >= TMB_HIGH else "low"
    return Biomarker("TMB", call, round(tmb.per_mb, 2), "mut/Mb",
                     source=f"computed from the calls: {tmb.summary}")


def msi_estimate(pairs: Sequence[tuple[SmallVariant, Alteration]], megabases: float
                 ) -> Biomarker | None:
    """MSI-high or stable, estimated from the coding indels that passed filters; None when
    there are too few coding mutations to say."""
    coding = indels = 0
    for variant, alteration in pairs:
        if not variant.passed or not alteration.consequences & _CODING:
            continue
        coding += 1
        indels += bool(alteration.consequences & _INDELS)
    if coding < MSI_MIN_MUTATIONS or megabases <= 0:
        return None
    rate, share = indels / megabases, indels / coding
    high = rate >= MSI_MIN_INDELS_PER_MB and share >= MSI_MIN_INDEL_SHARE
    basis = (f"estimated from the indel pattern: {indels} coding indels of {coding} coding "
             f"mutations ({rate:.1f}/Mb, {share:.0%}); MSI-high from {MSI_MIN_INDELS_PER_MB:g}/Mb "
             f"and {MSI_MIN_INDEL_SHARE:.0%}: confirm by MMR immunohistochemistry or MSI PCR")
    return Biomarker("MSI", "high" if high else "stable", round(rate, 2), "coding indels/Mb",
                     source=basis, estimate=True)
