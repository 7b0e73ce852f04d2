"""A small drawn cohort in a store: SYNTHETIC cases (no patient) with the findings the query
tables need. Diagnoses are Disease Ontology terms of the bundled ontology (DOID:3910 lung
adenocarcinoma, DOID:5409 lung small cell carcinoma, DOID:1909 melanoma; annotation/diseases
bundled slim); variants are written as the annotation would store them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from annotation import CaseAnnotation
from annotation.model import Diagnosis, Tier
from mtb.case import Case
from mtb.timeline import EventKind, PartialDate, TimelineEvent
from mtb.variant import GenomeBuild
from tests import drawn
from tests.stored import store_drawn

LUAD = drawn.LUAD
SCLC = Diagnosis("Small cell lung cancer", "DOID:5409", "lung small cell carcinoma",
                 lineage=("DOID:5409", "DOID:3905", "DOID:1324", "DOID:162"), solid=True)
MELANOMA = Diagnosis("Melanoma", "DOID:1909", "melanoma", lineage=("DOID:1909", "DOID:162"),
                     solid=True)


def case(case_id: str, diagnosis: Diagnosis, variants: list,
         events: list[TimelineEvent] | None = None) -> Case:
    entry = replace(drawn.entry(f"SYNTHETIC {case_id}", case_id), diagnosis=diagnosis.text,
                    folder=Path(f"/nonexistent/{case_id}"))
    return Case(entry=entry, patient=None,
                annotation=CaseAnnotation(diagnosis, variants, None, [], []),
                events=events or [], lines=[], build=GenomeBuild.GRCH38, files=[])


# the course after the board of the melanoma case with BRAF V600E (SYNTHETIC)
MELANOMA_COURSE = [
    TimelineEvent(EventKind.SYSTEMIC_THERAPY, PartialDate.parse("2024-03-01"),
                  "Dabrafenib + Trametinib"),
    TimelineEvent(EventKind.RESPONSE, PartialDate.parse("2024-05-01"), "Partial response",
                  value="PR"),
    TimelineEvent(EventKind.PROGRESSION, PartialDate.parse("2024-11-02"), "Progression"),
]


def exon(variant, number: int):
    return replace(variant, alteration=replace(variant.alteration, exon=number))


def braf_v600e(spelling: str = "p.V600E"):
    return drawn.small("BRAF", spelling, Tier.IA, pos=140753336, level="A")


COHORT = {
    # case id: (diagnosis, findings)
    "syn-luad-braf": (LUAD, [braf_v600e(), drawn.small("TP53", "p.R175H", Tier.III)]),
    "syn-mel-braf3": (MELANOMA, [braf_v600e("p.Val600Glu")], MELANOMA_COURSE),
    "syn-mel-v600k": (MELANOMA, [drawn.small("BRAF", "p.V600K", Tier.IA, pos=140753335)]),
    "syn-luad-egfr": (LUAD, [exon(drawn.small("EGFR", "p.E746_A750del", Tier.IA,
                                              consequences=frozenset({"inframe_deletion"})), 19),
                             exon(drawn.small("EGFR", "p.T790M", Tier.IIC), 20)]),
    "syn-luad-alk": (LUAD, [drawn.fusion("EML4", "ALK", Tier.IA),
                            drawn.biomarker("TMB", "high", Tier.IIC, 14.0)]),
    "syn-sclc-erbb2": (SCLC, [drawn.amplification("ERBB2", Tier.IIC),
                              drawn.small("KRAS", "p.G12C", Tier.III)]),
}


def store_cohort(store) -> None:
    for case_id, (diagnosis, variants, *course) in COHORT.items():
        store_drawn(store, case(case_id, diagnosis, variants, *course))
