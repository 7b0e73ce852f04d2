"""Issue 11, item 1: no tier I target lost to partial annotation.

VEP writes EXON and INTRON only with --numbers, so a CSQ without them is the common case; and a
VCF may carry no annotation at all. The variants below are real, at the GRCh37 coordinates CIViC
01-Jul-2025 gives them (VariantSummaries); their CSQ entries are written the way VEP writes them
without --numbers (SYNTHETIC annotation of real alleles). Indels carry the VCF anchor base as
written in the test ('N'-free padding shared by REF and ALT: the match key drops it).
"""

from __future__ import annotations

from annotation import annotate
from annotation.model import Tier
from mtb.variant import GenomeBuild, SmallVariant, TranscriptAnnotation, VariantType


def _variant(chrom: str, pos: int, ref: str, alt: str,
             annotation: TranscriptAnnotation | None = None) -> SmallVariant:
    kind = VariantType.SNV if len(ref) == len(alt) == 1 else VariantType.DELETION
    return SmallVariant(chrom=chrom, pos=pos, ref=ref, alt=alt, filter="PASS",
                        variant_type=kind, norm_chrom=chrom, tumor_vaf=0.3, tumor_alt=30,
                        tumor_depth=100, annotation=annotation,
                        transcripts=(annotation,) if annotation else ())


def _csq(gene: str, consequence: str, hgvsp: str = "", position: int | None = None
         ) -> TranscriptAnnotation:
    return TranscriptAnnotation(gene=gene, transcript="ENST_SYNTHETIC", consequence=(consequence,),
                                hgvsp=hgvsp, protein_position=position, canonical=True)


def _one(variant: SmallVariant, diagnosis: str, kb):  # type: ignore[no-untyped-def]
    case = annotate([variant], diagnosis, kb, build=GenomeBuild.GRCH37)
    [found] = [v for v in case.variants if v.finding is variant]  # beside the computed TMB
    return found, case


def test_egfr_exon_19_deletion_without_exon_number_is_ia_osimertinib(kb) -> None:
    """CIViC EID/VID1002: EGFR E746_A750del at 7:55242465 (GRCh37, 15 bp)."""
    variant = _variant("7", 55242464, "AGGAATTAAGAGAAGC", "A",
                       _csq("EGFR", "inframe_deletion", "p.E746_A750del", 746))
    found, case = _one(variant, "lung adenocarcinoma", kb)
    assert found.alteration.exon == 19 and "exon/intron" in found.alteration.filled
    assert any("exon 19 from MANE" in note for note in found.alteration.notes)
    assert found.tier == Tier.IA
    assert found.therapies[0].name == "Osimertinib"
    assert any("exon or intron numbers" in note and "MANE" in note for note in case.notes)


def test_kit_exon_11_deletion_without_exon_number_is_ia_imatinib(kb) -> None:
    """CIViC VID961: KIT W557_K558del at 4:55593603 (GRCh37)."""
    variant = _variant("4", 55593602, "ATGGAAG", "A",
                       _csq("KIT", "inframe_deletion", "p.W557_K558del", 557))
    found, _ = _one(variant, "gastrointestinal stromal tumor", kb)
    assert found.alteration.exon == 11
    assert found.tier == Tier.IA
    assert found.therapies[0].name == "Imatinib"


def test_met_splice_donor_without_intron_number_is_exon_14_skipping(kb) -> None:
    """MET c.3028+1G>T: the first intron base after exon 14 (CIViC VID4386 gives c.3028 at
    7:116412043 GRCh37; the donor's +1 G is the next base)."""
    variant = _variant("7", 116412044, "G", "T", _csq("MET", "splice_donor_variant"))
    found, _ = _one(variant, "non-small cell lung cancer", kb)
    assert found.alteration.intron == 14
    assert found.tier == Tier.IA
    assert found.therapies[0].name in ("Capmatinib", "Tepotinib")


def test_unannotated_idh2_r140q_reaches_the_codon_and_enasidenib(kb) -> None:
    """IDH2 R140Q, c.419G>A, 15:90631934 C>T (GRCh37; CIViC's codon entry 'IDH2 R140'). No
    annotation at all: MANE gives the codon, and a change of a codon's second base always
    changes the residue."""
    found, _ = _one(_variant("15", 90631934, "C", "T"), "acute myeloid leukemia", kb)
    alteration = found.alteration
    assert (alteration.gene, alteration.position) == ("IDH2", 140)
    assert "protein_altering_variant" in alteration.consequences
    assert found.tier == Tier.IA
    assert found.therapies[0].name == "Enasidenib"


def test_third_base_changes_stay_of_unknown_effect(kb) -> None:
    """IDH2 codon 140 third base (c.420, 15:90631933 on the minus strand): may be silent;
    no codon match is claimed, and the card says where the variant is."""
    found, _ = _one(_variant("15", 90631933, "C", "T"), "acute myeloid leukemia", kb)
    assert "coding_sequence_variant" in found.alteration.consequences
    assert found.tier == Tier.III
    assert found.alteration.label.startswith("IDH2 exon 4, codon 140")
