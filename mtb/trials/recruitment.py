"""Which of the site's patients fit this trial: the coordinator's question, with the same
reasons the case page gives.

Where the site's patients come from is decided in one place, `site_profiles`, with its
sibling `stored_profiles`: the Trials page opens every stored case (all its findings and the
clinical record: age, sex, ECOG, death); `stored_profiles` builds the same profiles from the
stored findings' index without opening a document (bench/cohort.py: 1,000 cases), knowing
less of the patient (see its docstring). A case that cannot be opened is reported, not fatal:
one broken upload must not hide every other patient from a coordinator.

Every query is audited by its callers (the Trials page, `mtb trials patients`) through the
store's event log: who asked which trial, when, how many patients matched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from annotation.proteins import canonical_protein
from mtb.board import KEY_TIERS, Curation, dismissed, reported_tier_of
from mtb.case import Case
from mtb.errors import MtbError
from mtb.trials.eligibility import StudyCriteria, match_study
from mtb.trials.matching import TrialMatcher, sort_key
from mtb.trials.model import NO_MATCH, ArmMatch, Trial
from mtb.trials.profile import PatientProfile, profile_of
from mtb.trials.tumor_types import TumorTypes

if TYPE_CHECKING:
    from annotation.diseases import DiseaseOntology
    from mtb.store import Store

__all__ = ["Recruitment", "SiteProfiles", "recruit", "site_profiles", "stored_profiles"]


@dataclass(frozen=True)
class SiteProfiles:
    profiles: tuple[PatientProfile, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (case id, why it could not be opened)


def site_profiles(
    case_ids: Iterable[str], open_case: Callable[[str], Case],
    curations: Callable[[str], Mapping[str, Curation]] | None = None,
) -> SiteProfiles:
    """Every patient of the site as a profile: THE one place that says where they come from.
    Two sources, one result: each case opened (`open_case`: every finding, the timeline's
    age, sex and ECOG), or, with `stored`, the stored findings' index (`stored_profiles`:
    no document opened, so 1,000 cases are matched in seconds; it knows no age, sex, ECOG,
    receptor status or death, which criteria then find unknown, never excluding: a deceased
    patient is not left out. The Trials page therefore still opens the cases)."""
    profiles: list[PatientProfile] = []
    skipped: list[tuple[str, str]] = []
    for case_id in case_ids:
        try:
            case = open_case(case_id)
            curated = curations(case_id) if curations is not None else None
            profiles.append(profile_of(case, curated))
        except MtbError as error:
            skipped.append((case_id, str(error)))
    return SiteProfiles(tuple(profiles), tuple(skipped))


def stored_profiles(store: Store, genes: Iterable[str] | None = None,
                    ontology: DiseaseOntology | None = None,
                    cases: Iterable[str] | None = None) -> SiteProfiles:
    """`site_profiles` from the store's index: each case's shown version, its diagnosis
    (lineage from the ontology) and TMB/MSI, and its findings of `genes` (the genes the trials
    ask about: a gene not asked about changes no match; all genes when None), with the
    curated tier; of the `cases` given, else of all. A small variant's MAF class is read
    from its protein change (the index keeps no consequence), so a finding without a protein
    change counts only when tiered I/II."""
    from annotation.alterations import from_description
    from annotation.diseases import DiseaseOntology
    from mtb.trials.model import CNV, MUTATION, SV
    from mtb.trials.profile import PROTEIN_ALTERING, ProfileFinding, maf_class
    from mtb.trials.tumor_types import PatientDiagnosis

    ontology = ontology or DiseaseOntology.bundled()
    chosen = set(cases) if cases is not None else None
    cases = {case.case_id: case for case in store.cohort_cases()
             if chosen is None or case.case_id in chosen}
    shown = {case_id: case.number for case_id, case in cases.items()}
    wanted = None if genes is None else {g.upper() for g in genes} | {"TMB", "MSI"}
    hits = store.cohort_findings(shown, genes=wanted or ())
    curations = store.curations_by_case()
    findings: dict[str, list[ProfileFinding]] = {case_id: [] for case_id in cases}
    msi: dict[str, str] = {}
    classes: dict[str, str] = {}
    for hit in hits:
        row = hit.row
        if row.finding_key.startswith("biomarker:"):
            name, _, call = row.finding_key[len("biomarker:"):].partition(" ")
            if name == "MSI":
                msi[hit.case_id] = call
            continue
        curation = curations.get(hit.case_id, {}).get(row.finding_key)
        tier = reported_tier_of(row.tier, curation)
        if tier == "IV" or dismissed(curation) or not row.gene:
            continue
        if row.variant_class == "cnv" or row.finding_key.startswith("cnv:"):
            category, classification = CNV, ""
        elif row.variant_class == "fusion" or row.finding_key.startswith("fusion:"):
            category, classification = SV, ""
        else:
            category = MUTATION
            if row.protein not in classes:
                classes[row.protein] = maf_class(
                    from_description(row.gene, row.protein).consequences) if row.protein else ""
            classification = classes[row.protein]
            if classification not in PROTEIN_ALTERING and tier not in KEY_TIERS:
                continue
        cnv_call = row.cnv_call or (from_description(row.gene, row.label).cnv_call
                                    if category == CNV else "")
        partners = tuple(p for p in (row.partner5, row.partner3) if p) if category == SV \
            else ()
        findings[hit.case_id].append(ProfileFinding(
            key=row.finding_key, gene=row.gene, label=row.label, category=category,
            protein=canonical_protein(row.protein), classification=classification,
            exon=row.exon, cnv_call=cnv_call, partners=partners, tier=tier))
    profiles = []
    lineages: dict[str, tuple[str, ...]] = {}
    for case_id, case in cases.items():
        if case.doid and case.doid not in lineages:
            lineages[case.doid] = ontology.lineage(case.doid)
        diagnosis = PatientDiagnosis(
            text=case.diagnosis, doid=case.doid or None, name=case.diagnosis_name,
            lineage=lineages.get(case.doid, ()), oncotree=case.oncotree,
            solid=ontology.is_solid(case.doid) if case.doid else None)
        value = case.tmb
        if value is None and isinstance(case.biomarkers.get("TMB"), int | float):
            value = float(case.biomarkers["TMB"])
        profiles.append(PatientProfile(
            case_id=case_id, title=case.title or case_id, diagnosis=diagnosis, tmb=value,
            msi=msi.get(case_id, ""), findings=tuple(findings[case_id])))
    return SiteProfiles(tuple(profiles))


@dataclass(frozen=True)
class Recruitment:
    trial_id: str
    title: str
    source: str  # portfolio, ClinicalTrials.gov
    matches: tuple[ArmMatch, ...]  # one per patient and arm: match, possible, excluded
    patients: int  # how many were checked
    skipped: tuple[tuple[str, str], ...] = ()
    counts: dict[str, int] = field(default_factory=dict)  # status -> patients (best arm)

    @property
    def case_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.case_id for m in self.matches))


def recruit(trial: Trial | StudyCriteria, site: SiteProfiles,
            types: TumorTypes | None = None) -> Recruitment:
    """The site's patients for one trial (a portfolio trial, or a registry record read as
    text), best first; patients for whom every arm is 'no match' are left out."""
    types = types or TumorTypes.bundled()
    matcher = TrialMatcher([trial], types) if isinstance(trial, Trial) else None
    found: list[ArmMatch] = []
    best: dict[str, str] = {}
    for profile in site.profiles:
        if matcher is not None:
            arms = matcher.match(profile)
        else:
            assert isinstance(trial, StudyCriteria)
            arms = [match_study(trial, profile, types)]
        kept = [m for m in arms if m.status != NO_MATCH]
        found += kept
        if kept:
            best[profile.case_id] = min(kept, key=sort_key).status
    if isinstance(trial, Trial):
        ident, title, source = trial.id, trial.label, "portfolio"
    else:
        ident, title, source = trial.study.nct_id, trial.study.title, "ClinicalTrials.gov"
    counts: dict[str, int] = {}
    for status in best.values():
        counts[status] = counts.get(status, 0) + 1
    return Recruitment(ident, title, source, tuple(sorted(found, key=sort_key)),
                       len(site.profiles), site.skipped, counts)
