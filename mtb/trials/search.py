"""Trials for one patient: the site's portfolio first, then ClinicalTrials.gov.

The board asks "which trials could this patient join?". The portfolio answers from structured
criteria (CTML) and is always there; ClinicalTrials.gov answers from text, only when mtb is live
or has a cached answer, and its absence is said, never hidden ("not asked (offline): the
portfolio only"). The registry is asked once per case, for the case's own biomarkers (its tier
I/II genes, MSI-high, TMB-high) in its tumor type or any solid tumor, recruiting, where the site
wants sites (MTB_CTGOV_LOCATION).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mtb.board import KEY_TIERS
from mtb.errors import InputError, SourceError
from mtb.trials.ctgov import CtgovClient, Search
from mtb.trials.eligibility import match_study, read_study
from mtb.trials.matching import match_trials, sort_key
from mtb.trials.model import NO_MATCH, ArmMatch
from mtb.trials.portfolio import Portfolio
from mtb.trials.profile import TMB_HIGH, PatientProfile
from mtb.trials.tumor_types import TumorTypes

__all__ = ["CaseTrials", "registry_query", "trials_for"]

MAX_GENES = 8  # the registry's query stays a query, not the exome


@dataclass(frozen=True)
class CaseTrials:
    case_id: str
    portfolio: tuple[ArmMatch, ...]  # match, possible, excluded arms (no match left out)
    registry: tuple[ArmMatch, ...]
    registry_note: str  # 'ClinicalTrials.gov as of ...', or why it was not asked
    portfolio_size: int = 0
    portfolio_errors: tuple[InputError, ...] = ()
    query: tuple[tuple[str, str], ...] = field(default=())


def registry_query(profile: PatientProfile, ontology_name: Callable[[str], str],
                   location: str = "") -> dict[str, str]:
    """The search for a case: its key genes (and MSI-high, TMB-high) as terms, its diagnosis and
    two broader types (and 'solid tumor' for a solid one) as conditions. {} when the case has
    nothing to search for."""
    genes = list(dict.fromkeys(f.gene for f in sorted(profile.findings, key=lambda f: f.tier)
                               if f.tier in KEY_TIERS))[:MAX_GENES]
    terms = [*genes]
    if profile.msi == "high":
        terms.append('"MSI-H"')
    if profile.tmb is not None and profile.tmb >= TMB_HIGH:
        terms.append('"tumor mutational burden"')
    if not terms:
        return {}
    names = []
    diagnosis = profile.diagnosis
    for doid in diagnosis.lineage[:3]:
        name = ontology_name(doid)
        if name and name != "cancer" and not name.endswith("system cancer"):
            names.append(f'"{name}"')
    if diagnosis.solid:
        names.append('"solid tumor"')
    query = {"term": " OR ".join(terms), "condition": " OR ".join(dict.fromkeys(names))}
    if location:
        query["location"] = location
    return {k: v for k, v in query.items() if v}


def trials_for(
    profile: PatientProfile, portfolio: Portfolio, client: CtgovClient | None,
    is_gene: Callable[[str], bool], *, types: TumorTypes | None = None, location: str = "",
) -> CaseTrials:
    """Portfolio arms, then registry studies, each best first, without the ones that are about
    something the patient does not have."""
    types = types or TumorTypes.bundled()
    mine = [m for m in match_trials(portfolio.trials, profile, types) if m.status != NO_MATCH]
    registry: list[ArmMatch] = []
    query = registry_query(profile, types.ontology.name, location)
    if client is None:
        note = "ClinicalTrials.gov not asked (offline): the site's portfolio only"
    elif not query:
        note = "ClinicalTrials.gov not asked: the case has no tier I/II finding to search for"
    else:
        try:
            search = client.search(term=query.get("term", ""),
                                   condition=query.get("condition", ""),
                                   location=query.get("location", ""))
        except SourceError as error:
            note = (f"ClinicalTrials.gov not available ({error}): the site's portfolio only"
                    if client.live else "ClinicalTrials.gov not asked (offline; MTB_LIVE=1 "
                    "or --live asks it): the site's portfolio only")
        else:
            registry = _registry(search, profile, portfolio, is_gene, types)
            note = _note(search)
    return CaseTrials(profile.case_id, tuple(mine), tuple(registry), note,
                      len(portfolio.trials), portfolio.errors, tuple(sorted(query.items())))


def _registry(search: Search, profile: PatientProfile, portfolio: Portfolio,
              is_gene: Callable[[str], bool], types: TumorTypes) -> list[ArmMatch]:
    own = {t.nct_id for t in portfolio.trials if t.nct_id}
    found = [match_study(read_study(study, is_gene), profile, types)
             for study in search.studies if study.nct_id not in own]
    return sorted((m for m in found if m.status != NO_MATCH), key=sort_key)


def _note(search: Search) -> str:
    count = f"{len(search.studies)} recruiting studies found"
    if search.truncated:
        count += f" (the first {search.pages} pages of {search.total or 'more'})"
    parts = [search.age_text, count, "eligibility read from the records' text"]
    return "; ".join([*parts, *search.notes])
