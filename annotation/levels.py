"""Which AMP/ASCO/CAP evidence level one knowledge-base item gives a finding, and why.

Li et al. (J Mol Diagn 2017;19:4-23), as a molecular pathologist applies it (../shared/
CLINICAL.md). The rules, each with the key the reasons carry:

Where the item stands (`relation`):
- SAME: its disease is the diagnosis or a parent of it (lung adenocarcinoma -> NSCLC), or a
  subtype the patient's own findings define (HER2-positive breast cancer for a breast cancer
  with ERBB2 amplification: `defined_subtype`). Evidence whose population excludes the patient
  (an HR+/HER2- trial for a triple-negative tumor) is EXCLUDED and weighs as another tumor type.
- An approval filed under a more specific type than the diagnosis counts as SAME, with the
  caveat stated (`label_subtype`: an NSCLC label for a case diagnosed "lung cancer, C34.1"):
  labels name the tumor type the regulator approved, and a board confirms the histology.
  A label that leaves a tumor type out ("excluding colorectal cancer") does not count there.
- SOLID: a tumor-agnostic *approval* (any solid tumor) and a solid-tumor diagnosis, cancer of
  unknown primary included. CIViC's "Solid Tumor" items without an approval are basket studies:
  another tumor type.
- SUBTYPE: a more specific type the patient is not known to have; OTHER: another tumor type;
  UNKNOWN: the case has no tumor type. The root "cancer" is always another tumor type.

Therapeutic (predictive) evidence:
- `approved_here`: an FDA/EMA approval or a guideline for this tumor type -> A. A label that
  requires a germline variant does not count for a finding not shown to be germline
  (`germline_only`: the card says germline testing is needed); a withdrawn one never counts.
- `approved_elsewhere`: an approval in another tumor type -> C (off-label).
- CIViC in the tumor type: level A resistance to a standard regimen -> A
  (`civic_a_resistance`: KRAS and cetuximab in colorectal cancer, T790M and erlotinib, which
  labels and guidelines state); level A sensitivity without an approval for this tumor type -> B
  (`civic_a_unapproved`: a validated association, not an approval); B from a registered clinical
  trial (NCT id) rated >= 4 stars -> B (`trial`), other B (retrospective series, unregistered or
  poorly rated studies) -> C (`small_study`); C (case reports) and D (preclinical) -> D; E
  (inferential) is not counted.
- A regimen with a drug no agency approved (investigational) gives level C at most, whatever
  CIViC's level (`investigational`: AMP's level C names investigational therapies).
- CIViC in another tumor type: A, or B from a registered trial rated >= 4 stars -> C; other B,
  C, D -> D; clinical evidence from a hematologic malignancy never transfers to a solid tumor
  (nor the other way round: `other_class`). Approvals in another tumor type do (off-label C).
- CIViC assertions carry an expert AMP category for their own evidence type and therapy: in the
  tumor type the category stands; elsewhere tier I categories count as C and tier II as D.
- Resistance counts only in the tumor type and only against a regimen that is standard there
  (approved or in the standard regimens): resistance to drugs nobody would give is noise.

Diagnostic and prognostic evidence counts only in the patient's tumor type (SAME): never from
another tumor type. CIViC A -> A; diagnostic B rated >= 4 stars -> B (entity-defining findings:
such studies are cohorts, not registered trials); prognostic B and other diagnostic B -> C
(prognostic consensus lives in guidelines, which CIViC rates A); C/D -> D.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotation.model import Diagnosis, Evidence, Tier
from annotation.populations import SUBTYPE_MARKERS, conflict, excluded_types

PAN_CANCER = "DOID:162"
SOLID_TUMOR_NAMES = frozenset({"solid tumor", "solid tumour"})
TIERED_TYPES = frozenset({"Predictive", "Diagnostic", "Prognostic"})
WELL_RATED = 4  # CIViC stars from which a registered trial (or a diagnostic study) is strong

SAME = "same"
SOLID = "solid"
SUBTYPE = "subtype"
EXCLUDED = "excluded"  # the tumor type, but a population the patient is known not to be in
OTHER = "other"
UNKNOWN = "unknown"
IN_TUMOR_TYPE = (SAME, SOLID)

_CATEGORY = {
    "Tier I - Level A": "A",
    "Tier I - Level B": "B",
    "Tier II - Level C": "C",
    "Tier II - Level D": "D",
}
_TIER = {("A", True): Tier.IA, ("B", True): Tier.IB, ("C", True): Tier.IIC,
         ("D", True): Tier.IID, ("C", False): Tier.IIC, ("D", False): Tier.IID}


@dataclass(frozen=True)
class Place:
    """Where an item stands relative to the case, and the words that say so."""

    where: str
    rule: str = ""  # defined_subtype, population, tumor_agnostic, ...
    detail: str = ""  # "the tumor is HER2-positive by its ERBB2 amplification"


@dataclass(frozen=True)
class Grade:
    """The AMP level an item gives, the tier it means, and the rule that decided."""

    level: str  # A-D
    tier: Tier
    rule: str
    why: str


def has_tumor_type(diagnosis: Diagnosis | None) -> bool:
    """A diagnosis evidence can be weighed against: mapped, and more specific than 'cancer'."""
    return diagnosis is not None and diagnosis.known and diagnosis.doid != PAN_CANCER


def _tumor_agnostic(evidence: Evidence) -> bool:
    """An approval (or tier I assertion) for any solid tumor."""
    if evidence.kind == "approval":
        return not evidence.doid
    solid = not evidence.doid and evidence.disease.strip().lower() in SOLID_TUMOR_NAMES
    return solid and (evidence.amp_category.startswith("Tier I ")
                      or evidence.regulatory_approval is True)


def relation(evidence: Evidence, diagnosis: Diagnosis | None,
             patient: frozenset[str] = frozenset()) -> Place:
    """How the item's disease and population relate to the case (`patient`: the population
    tokens the diagnosis and the case's own findings establish)."""
    if not has_tumor_type(diagnosis):
        if _tumor_agnostic(evidence) and diagnosis is not None and diagnosis.solid:
            return Place(SOLID, "tumor_agnostic")
        return Place(UNKNOWN)
    assert diagnosis is not None
    left_out = excluded_types(evidence.population) & set(diagnosis.lineage)
    if left_out:
        return Place(OTHER, "label_excludes", f"the label excludes {diagnosis.name}")
    if _tumor_agnostic(evidence):
        return Place(SOLID if diagnosis.solid else OTHER, "tumor_agnostic")
    doid = evidence.doid
    if not doid or doid == PAN_CANCER:
        return Place(OTHER)
    if doid in diagnosis.lineage:
        place = Place(SAME)
    elif doid in diagnosis.subtypes and evidence.kind == "approval":
        place = Place(SAME, "label_subtype",
                      f"the label names {evidence.disease}, more specific than the diagnosis "
                      f"{diagnosis.name}: confirm the tumor is one")
    elif doid in diagnosis.subtypes and SUBTYPE_MARKERS.get(doid) in patient:
        marker = SUBTYPE_MARKERS[doid]
        place = Place(SAME, "defined_subtype",
                      f"the tumor is {marker} by {_marker_source(marker, diagnosis)}")
    elif doid in diagnosis.subtypes:
        return Place(SUBTYPE)
    else:
        return Place(OTHER)
    excluded = conflict(evidence.population, patient)
    if excluded:
        return Place(EXCLUDED, "population", excluded)
    return place


def _marker_source(marker: str, diagnosis: Diagnosis) -> str:
    return "its diagnosis" if marker in diagnosis.qualifiers else "its own findings"


def counted(evidence: Evidence) -> bool:
    """Whether an item can decide a tier at all: clinical evidence that supports a
    significance, not about common polymorphisms, with a level."""
    return (
        evidence.evidence_type in TIERED_TYPES
        and evidence.direction == "Supports"
        and evidence.significance not in ("N/A", "")
        and evidence.variant_origin != "Common Germline"
        and (evidence.level in ("A", "B", "C", "D") or evidence.amp_category in _CATEGORY)
    )


def _well_powered(evidence: Evidence) -> bool:
    return evidence.trial and (evidence.rating or 0) >= WELL_RATED


def _grade(level: str, in_type: bool, rule: str, why: str) -> Grade:
    """Tier I needs level A or B in the tumor type; everything else is tier II."""
    return Grade(level, _TIER[(level, in_type)], rule, why)


def therapeutic_level(evidence: Evidence, place: Place, *, germline: bool,
                      same_class: bool = True, investigational: bool = False) -> Grade | str:
    """The level of a predictive item, or a sentence saying why it does not count.
    `same_class`: the item's disease is of the patient's class (solid or hematologic); clinical
    evidence from the other class does not transfer off-label (an MPN drug for a JAK2 V617F in
    lung cancer, an MDS regimen for a TP53 in colon cancer). `investigational`: the regimen has
    a drug no agency approved; AMP puts investigational therapies at level C at most."""
    here = place.where in IN_TUMOR_TYPE
    if evidence.kind == "approval":
        when = f"{evidence.source} {evidence.date[:4]}"
        if evidence.withdrawn:
            return f"{when} approval withdrawn {evidence.withdrawn}"
        if evidence.variant_origin == "Germline" and not germline:
            return (f"{when} approval requires a germline variant; this finding is not shown to "
                    "be germline: germline testing needed")
        if here:
            return Grade("A", Tier.IA, "approved_here", f"approved here ({when})")
        return Grade("C", Tier.IIC, "approved_elsewhere",
                     f"approved in {evidence.disease} ({when}), another tumor type")
    if evidence.variant_origin in ("Rare Germline", "Germline") and not germline and here:
        place = Place(OTHER, "germline_evidence")
        here = False
    if evidence.kind == "assertion" and evidence.amp_category in _CATEGORY:
        level = _CATEGORY[evidence.amp_category]
        if here:
            return _grade(level, True, "assertion", f"CIViC assertion {evidence.amp_category}")
        return _grade("C" if level in "AB" else "D", False, "assertion_elsewhere",
                      f"CIViC assertion {evidence.amp_category} for another tumor type")
    level = evidence.level
    if level == "E" or not level:
        return "inferential evidence (CIViC level E) is not counted"
    if not here and not same_class:
        return ("evidence from a hematologic malignancy does not transfer to a solid tumor, "
                "nor the other way round")
    if investigational and here and level in "AB":
        return _grade("C", True, "investigational",
                      f"CIViC level {level}, but the regimen has a drug no agency has approved: "
                      "an investigational therapy, AMP level C")
    if here:
        if level == "A" and evidence.is_resistance:  # tiering keeps it only for a standard
            return _grade("A", True, "civic_a_resistance",  # regimen (labels, guidelines)
                          "CIViC level A resistance to a regimen that is standard here")
        if level == "A":
            return _grade("B", True, "civic_a_unapproved",
                          "CIViC level A without an approval or guideline for this tumor type "
                          "in the approvals table: AMP level B")
        if level == "B" and _well_powered(evidence):
            return _grade("B", True, "trial",
                          f"CIViC level B from a registered trial rated {evidence.rating}")
        if level == "B":
            return _grade("C", True, "small_study",
                          "CIViC level B from a retrospective, unregistered or low-rated study: "
                          "AMP level C")
        return _grade("D", True, "case_or_preclinical",
                      "CIViC level C/D (case reports, preclinical): AMP level D")
    if level == "A" or (level == "B" and _well_powered(evidence)):
        return _grade("C", False, "clinical_elsewhere",
                      f"CIViC level {level} in another tumor type: AMP level C")
    return _grade("D", False, "small_elsewhere",
                  f"CIViC level {level} in another tumor type: AMP level D")


def clinical_level(evidence: Evidence, place: Place) -> Grade | str:
    """The level of a diagnostic or prognostic item, or why it does not count."""
    kind = evidence.evidence_type.lower()
    if place.where != SAME:
        return (f"{kind} evidence counts only in the patient's own tumor type "
                f"({evidence.disease} is not)")
    if evidence.kind == "assertion" and evidence.amp_category in _CATEGORY:
        level = _CATEGORY[evidence.amp_category]
        return _grade(level, True, "assertion", f"CIViC assertion {evidence.amp_category}")
    level = evidence.level
    if level == "A":
        return _grade("A", True, "civic_a", f"CIViC level A {kind} evidence")
    if level == "B" and kind == "diagnostic" and (evidence.rating or 0) >= WELL_RATED:
        return _grade("B", True, "consensus",
                      f"CIViC level B diagnostic evidence rated {evidence.rating} stars: AMP "
                      "level B")
    if level == "B":
        return _grade("C", True, "small_study",
                      f"CIViC level B {kind} evidence (prognostic cohorts, or a diagnostic study "
                      "rated below 4 stars) without a guideline: AMP level C")
    if level in ("C", "D"):
        return _grade("D", True, "case_or_preclinical",
                      f"CIViC level {level} {kind} evidence: AMP level D")
    return "inferential evidence (CIViC level E) is not counted"
