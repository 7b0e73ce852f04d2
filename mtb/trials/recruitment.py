"""Which of the site's patients fit this trial: the coordinator's question, with the same
reasons the case page gives.

Where the site's patients come from is decided in one place, `site_profiles`. Today it opens
every case of the catalogue (the cases folder and the cases added in the app), because findings
live in each case's files; once findings are stored (issue 13) it reads them from the store and
nothing else changes. A case that cannot be opened is reported, not fatal: one broken upload
must not hide every other patient from a coordinator.

Every query is audited by its callers (the Trials page, `mtb trials patients`) through the
store's event log: who asked which trial, when, how many patients matched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from mtb.board import Curation
from mtb.case import Case
from mtb.errors import MtbError
from mtb.trials.eligibility import StudyCriteria, match_study
from mtb.trials.matching import TrialMatcher, sort_key
from mtb.trials.model import NO_MATCH, ArmMatch, Trial
from mtb.trials.profile import PatientProfile, profile_of
from mtb.trials.tumor_types import TumorTypes

__all__ = ["Recruitment", "SiteProfiles", "recruit", "site_profiles"]


@dataclass(frozen=True)
class SiteProfiles:
    profiles: tuple[PatientProfile, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (case id, why it could not be opened)


def site_profiles(
    case_ids: Iterable[str], open_case: Callable[[str], Case],
    curations: Callable[[str], Mapping[str, Curation]] | None = None,
) -> SiteProfiles:
    """Every patient of the site as a profile: THE one function that says where they come from
    (today: each case of the catalogue, opened; later: the stored findings)."""
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
