"""Does this patient fit this trial arm, and why: pure functions of a Trial and a PatientProfile.

Each criterion answers true, false or unknown, with a reason that names the criterion and the
patient's finding or fact it was checked against. The tree is then read in three-valued logic
(all of: false if any is false, else unknown if any is; any of: true if any is, else unknown if
any is), so an arm is

  match     every criterion met;
  possible  nothing excludes, but the case does not record something asked (ECOG, a signature,
            whether the gene was sequenced);
  excluded  a finding of the patient is what the arm is about, yet something rules it out
            (wildtype required, age, a negated diagnosis, another diagnosis);
  no match  the arm is about something the patient does not have.

MatchMiner's semantics, kept on purpose: a '!' genomic criterion is met by the absence of the
alteration among the case's findings; `wildtype: true` needs the gene sequenced and unaltered,
which a case's files do not record, so it is unknown unless an alteration rules it out; a
deceased patient matches nothing. Where mtb knows more than MatchMiner's config uses (receptor
status read from the diagnosis), it checks it; what it cannot check is reported as unknown,
never silently passed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from annotation.model import TIER_RANK
from mtb.trials.model import (
    ANY,
    ANY_GENE,
    CNV,
    EXCLUDED,
    EXCLUDING,
    INTERGENIC,
    MATCH,
    MATCHED,
    MISSING,
    MUTATION,
    NO_MATCH,
    POSSIBLE,
    STATUSES,
    SV,
    UNKNOWN,
    AllOf,
    AnyOf,
    Arm,
    ArmMatch,
    Clinical,
    Criterion,
    Genomic,
    Reason,
    Trial,
)
from mtb.trials.profile import PatientProfile, ProfileFinding
from mtb.trials.tumor_types import FALSE, TRUE, UNSURE, TumorTypes

__all__ = ["TrialMatcher", "about_a_finding", "match_arm", "match_trial", "match_trials",
           "sort_key"]

# CTML cnv_call -> mtb's copy-number call (annotation.alterations)
_CNV_CALLS = {"High Amplification": "amplification", "Low Amplification": "gain",
              "Homozygous Deletion": "deep_deletion", "Heterozygous Deletion": "loss"}
# CTML tier '1'..'4' read as AMP/ASCO/CAP tiers
_TIERS = {"1": ("IA", "IB"), "2": ("IIC", "IID"), "3": ("III",), "4": ("IV",)}
_RESIDUES = "ACDEFGHIKLMNPQRSTVWY"
_TRIPLE_NEGATIVE = "DOID:0060081"


@dataclass(frozen=True)
class _Result:
    state: str  # TRUE, FALSE, UNSURE
    reasons: tuple[Reason, ...]


def match_trials(trials: Iterable[Trial], profile: PatientProfile,
                 types: TumorTypes | None = None) -> list[ArmMatch]:
    """Every arm with criteria of every trial, best first (sort_key)."""
    return TrialMatcher(trials, types).match(profile)


class TrialMatcher:
    """Trials prepared for matching many patients (the recruitment query, the cohort): each
    arm's genes, of which the patient must have at least one finding in each group for the arm
    to be about them, are read once. An arm whose genes the patient lacks is 'no match' at once,
    with the reason; the full evaluation gives the same status (a required alteration missing)
    but costs a walk of the tree per patient."""

    def __init__(self, trials: Iterable[Trial], types: TumorTypes | None = None) -> None:
        self.types = types or TumorTypes.bundled()
        self.arms = [(trial, arm, _required(arm.match)) for trial in trials
                     for arm in trial.arms if arm.match is not None]

    def match(self, profile: PatientProfile) -> list[ArmMatch]:
        genes = profile.genes
        found = []
        for trial, arm, required in self.arms:
            lacking = next((group for group in required if not group & genes), None)
            if lacking is not None:
                found.append(_lacking(trial, arm, profile, lacking))
            else:
                found.append(match_arm(trial, arm, profile, self.types))
        return sorted(found, key=sort_key)


def _required(node: Criterion | None) -> list[frozenset[str]]:
    """Groups of genes the patient must have a finding in (one of each group) for the arm to
    hold or be about a finding: every positive genomic criterion naming a gene."""
    if isinstance(node, Genomic):
        if node.negated or node.wildtype or node.is_signature:
            return []
        named = {g for g in (node.gene, node.partner) if g not in ("", ANY_GENE, INTERGENIC)}
        if node.gene in ("", ANY_GENE) and node.partner in ("", ANY_GENE, INTERGENIC):
            return []
        return [frozenset(named)] if named else []
    if isinstance(node, AllOf):
        return [group for child in node.children for group in _required(child)]
    if isinstance(node, AnyOf):
        branches = [_required(child) for child in node.children]
        if any(not branch for branch in branches):
            return []
        return [frozenset(g for branch in branches for group in branch for g in group)]
    return []


def _lacking(trial: Trial, arm: Arm, profile: PatientProfile,
             genes: frozenset[str]) -> ArmMatch:
    named = ", ".join(sorted(genes))
    reason = Reason(MISSING, f"an alteration of {named}", f"the arm requires an alteration of "
                    f"{named}: none among the case's findings", genomic=True)
    return ArmMatch(trial_id=trial.id, nct_id=trial.nct_id, title=trial.label, arm=arm.code,
                    arm_open=not arm.suspended, trial_open=trial.open, status=NO_MATCH,
                    reasons=(reason,), source="portfolio", case_id=profile.case_id)


def match_trial(trial: Trial, profile: PatientProfile,
                types: TumorTypes | None = None) -> list[ArmMatch]:
    types = types or TumorTypes.bundled()
    return [match_arm(trial, arm, profile, types) for arm in trial.arms if arm.match is not None]


def match_arm(trial: Trial, arm: Arm, profile: PatientProfile,
              types: TumorTypes | None = None) -> ArmMatch:
    types = types or TumorTypes.bundled()
    assert arm.match is not None
    result = _evaluate(arm.match, profile, types)
    reasons = list(result.reasons)
    state = result.state
    if profile.deceased:
        reasons.append(Reason(EXCLUDING, "alive", "the patient has died"))
        state = FALSE
    if state != FALSE:
        reasons += [Reason(UNKNOWN, f"prior treatment: {p}",
                           f"prior treatment requirement not checked: {p}")
                    for p in trial.prior_treatment]
        if trial.prior_treatment and state == TRUE:
            state = UNSURE
    reasons = _unique(reasons)
    return ArmMatch(
        trial_id=trial.id, nct_id=trial.nct_id, title=trial.label, arm=arm.code,
        arm_open=not arm.suspended, trial_open=trial.open, status=_status(state, reasons),
        reasons=tuple(reasons), source="portfolio", case_id=profile.case_id,
    )


def _status(state: str, reasons: Sequence[Reason]) -> str:
    if state == TRUE:
        return MATCH
    if state == UNSURE:
        return POSSIBLE
    return EXCLUDED if about_a_finding(reasons) else NO_MATCH


def about_a_finding(reasons: Iterable[Reason]) -> bool:
    """The arm names a finding of the patient (matched, possibly matched, or excluded by it)
    and requires no alteration the patient lacks: a coordinator wants to see why it does not
    fit, rather than not see it at all."""
    reasons = list(reasons)
    if any(r.genomic and r.kind == MISSING for r in reasons):
        return False
    return any(r.genomic and r.finding and r.kind in (MATCHED, UNKNOWN, EXCLUDING)
               for r in reasons)


def sort_key(match: ArmMatch) -> tuple[int, bool, int, int, str, str]:
    """Status; recruiting arms first; the strongest matched finding's tier; variant-level
    matches before gene-level ones; then trial and arm."""
    tiers = [TIER_RANK.get(r.tier, 9) for r in match.matched if r.tier]
    specific = 0 if any("p." in r.criterion for r in match.matched) else 1
    return (STATUSES.index(match.status), not match.recruiting, min(tiers, default=9), specific,
            match.trial_id, match.arm)


# -- the tree ------------------------------------------------------------------------------------


def _evaluate(node: Criterion, profile: PatientProfile, types: TumorTypes) -> _Result:
    if isinstance(node, Genomic):
        return _genomic(node, profile)
    if isinstance(node, Clinical):
        return _clinical(node, profile, types)
    results = [_evaluate(child, profile, types) for child in node.children]
    states = {r.state for r in results}
    if isinstance(node, AllOf):
        state = FALSE if FALSE in states else UNSURE if UNSURE in states else TRUE
        return _Result(state, tuple(r for result in results for r in result.reasons))
    assert isinstance(node, AnyOf)
    chosen = [r for r in results if r.state == TRUE]
    if chosen:
        return _Result(TRUE, max(chosen, key=_strength).reasons)
    unsure = [r for r in results if r.state == UNSURE]
    if unsure:  # the likeliest branch, and what each of the others would need to know
        best = max(unsure, key=_strength)
        others = [r for result in unsure if result is not best for r in result.reasons
                  if r.kind == UNKNOWN]
        return _Result(UNSURE, tuple(_unique([*best.reasons, *others])))
    return _Result(FALSE, _none_of(results))


def _strength(result: _Result) -> tuple[int, int, int]:
    """Which true branch of an 'or' to show: the one resting on the strongest finding, then on
    the most specific criterion, then the one with fewest unknowns."""
    matched = [r for r in result.reasons if r.kind == MATCHED and r.finding]
    tiers = [TIER_RANK.get(r.tier, 9) for r in matched if r.tier]
    specific = sum(1 for r in matched if "p." in r.criterion)
    unknown = sum(1 for r in result.reasons if r.kind == UNKNOWN)
    return (-min(tiers, default=9), specific, -unknown)


def _none_of(results: Sequence[_Result]) -> tuple[Reason, ...]:
    """The reasons of an 'or' none of whose branches holds: what did match (a finding, so the
    coordinator sees what the arm is about), then one line naming every branch that failed."""
    kept = [r for result in results for r in result.reasons if r.kind == MATCHED and r.finding]
    failed = [r for result in results for r in result.reasons if r.kind in (MISSING, EXCLUDING)]
    failed = _unique(failed)
    if len(failed) <= 1:
        return tuple(_unique([*kept, *failed]))
    kind = EXCLUDING if all(r.kind == EXCLUDING for r in failed) else MISSING
    diagnoses = [r.criterion.removeprefix("diagnosis ") for r in failed
                 if r.criterion.startswith("diagnosis ")]
    if len(diagnoses) == len(failed):
        subject = failed[0].text.split(" is not ")[0]
        names = ", ".join(dict.fromkeys(diagnoses))
        merged = Reason(kind, f"diagnosis one of {names}", f"{subject} is none of: {names}")
    else:
        merged = Reason(kind, "any of: " + "; ".join(r.criterion for r in failed),
                        "none of these holds: " + "; ".join(r.text for r in failed),
                        genomic=any(r.genomic for r in failed))
    return tuple(_unique([*kept, merged]))


def _unique(reasons: Iterable[Reason]) -> list[Reason]:
    seen: set[tuple[str, str]] = set()
    out = []
    for reason in reasons:
        if (reason.kind, reason.text) not in seen:
            seen.add((reason.kind, reason.text))
            out.append(reason)
    return out


# -- genomic -------------------------------------------------------------------------------------


def _genomic(leaf: Genomic, profile: PatientProfile) -> _Result:
    if leaf.is_signature:
        return _signature(leaf, profile)
    if leaf.wildtype:
        return _wildtype(leaf, profile)
    candidates = profile.in_gene(leaf.gene) if leaf.gene not in ("", ANY_GENE) else (
        profile.in_gene(leaf.partner) if leaf.partner not in ("", ANY_GENE, INTERGENIC)
        else profile.findings)
    hits = sorted((f for f in candidates if _fits(leaf, f)),
                  key=lambda f: (TIER_RANK.get(f.tier, 9), f.label))
    criterion = leaf.label
    if leaf.negated:
        if hits:
            return _Result(FALSE, (Reason(
                EXCLUDING, criterion, f"excludes {criterion.removeprefix('no ')}: the patient "
                f"has {hits[0].shown}", hits[0].shown, hits[0].key, genomic=True,
                tier=hits[0].tier),))
        return _Result(TRUE, (Reason(MATCHED, criterion, f"{criterion}: none among the case's "
                                     "findings", genomic=True),))
    if hits:
        best = hits[0]
        more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
        return _Result(TRUE, (Reason(MATCHED, criterion, f"{criterion}: {best.shown}{more}",
                                     best.shown, best.key, genomic=True, tier=best.tier),))
    codon = next((f for f in candidates if _codon_only(leaf, f)), None)
    if codon is not None:
        return _Result(UNSURE, (Reason(
            UNKNOWN, criterion, f"{criterion}: the case gives {codon.shown}, a codon without "
            "the change", codon.shown, codon.key, genomic=True, tier=codon.tier),))
    return _Result(FALSE, (Reason(MISSING, criterion, f"{criterion}: not among the case's "
                                  "findings", genomic=True),))


def _fits(leaf: Genomic, finding: ProfileFinding) -> bool:
    """Whether one finding is the positive form of the criterion (every key holds)."""
    category = leaf.category or _implied_category(leaf)
    if category not in ("", ANY) and finding.category != category:
        return False
    if leaf.gene and leaf.gene != ANY_GENE:
        in_gene = finding.gene == leaf.gene or (finding.category == SV
                                                and leaf.gene in finding.partners)
        if not in_gene:
            return False
    if leaf.protein and finding.protein != leaf.protein:
        return False
    if leaf.wildcard and not re.fullmatch(f"{leaf.wildcard}[{_RESIDUES}]?", finding.protein):
        return False  # a codon reported without its change ('KRAS G12') is a change there
    if leaf.classification and finding.classification != leaf.classification:
        return False
    if leaf.exon is not None and finding.exon != leaf.exon:
        return False
    if leaf.cnv_call and finding.cnv_call != _CNV_CALLS[leaf.cnv_call]:
        return False
    if leaf.partner and not _partner_fits(leaf, finding):
        return False
    return not leaf.tiers or finding.tier in {t for n in leaf.tiers for t in _TIERS[n]}


def _codon_only(leaf: Genomic, finding: ProfileFinding) -> bool:
    """A finding reported as a codon ('KRAS G12') for an exact change (p.G12C): it may be it."""
    if not leaf.protein or not re.fullmatch(r"[A-Z]\d+", finding.protein):
        return False
    return bool(re.fullmatch(rf"{finding.protein}[A-Z*]", leaf.protein)) and _fits(
        replace(leaf, protein="", wildcard=finding.protein), finding)


def _implied_category(leaf: Genomic) -> str:
    if leaf.protein or leaf.wildcard or leaf.classification or leaf.exon is not None:
        return MUTATION
    if leaf.cnv_call:
        return CNV
    if leaf.partner:
        return SV
    return ""


def _partner_fits(leaf: Genomic, finding: ProfileFinding) -> bool:
    """MatchMiner matches partners in both orientations."""
    partners = [p for p in finding.partners if p]
    if finding.category != SV:
        return False
    if leaf.partner == ANY_GENE:
        return len(partners) >= 2 or (leaf.gene == ANY_GENE and bool(partners))
    if leaf.partner == INTERGENIC:
        return len(partners) == 1
    if leaf.gene in ("", ANY_GENE):
        return leaf.partner in partners
    others = list(partners)
    if leaf.gene in others:
        others.remove(leaf.gene)
    return leaf.partner in others


def _wildtype(leaf: Genomic, profile: PatientProfile) -> _Result:
    altered = sorted(profile.in_gene(leaf.gene), key=lambda f: TIER_RANK.get(f.tier, 9))
    criterion = f"{leaf.gene} wildtype"
    if leaf.negated:  # '!' on wildtype: the gene must be altered
        if altered:
            return _Result(TRUE, (Reason(MATCHED, f"{leaf.gene} altered",
                                         f"{leaf.gene} altered: {altered[0].shown}",
                                         altered[0].shown, altered[0].key, genomic=True,
                                         tier=altered[0].tier),))
        return _Result(FALSE, (Reason(MISSING, f"{leaf.gene} altered", f"{leaf.gene} altered: "
                                      "no alteration among the case's findings",
                                      genomic=True),))
    if altered:
        return _Result(FALSE, (Reason(
            EXCLUDING, criterion, f"{criterion} required: the patient has {altered[0].shown}",
            altered[0].shown, altered[0].key, genomic=True, tier=altered[0].tier),))
    return _Result(UNSURE, (Reason(
        UNKNOWN, criterion, f"{criterion} required: no {leaf.gene} alteration among the case's "
        f"findings, but the case does not record whether {leaf.gene} was sequenced",
        genomic=True),))


def _signature(leaf: Genomic, profile: PatientProfile) -> _Result:
    parts: list[_Result] = []
    for wanted in (leaf.ms, leaf.mmr):
        if not wanted:
            continue
        high = wanted in ("MSI-H", "MMR-Deficient")
        criterion = ("no " if leaf.negated else "") + wanted
        if not profile.msi:
            parts.append(_Result(UNSURE, (Reason(UNKNOWN, criterion,
                                                 f"{criterion}: MSI/MMR status not recorded",
                                                 genomic=True),)))
            continue
        has = (profile.msi == "high") == high
        shown = "MSI-high" if profile.msi == "high" else "microsatellite stable"
        if profile.msi_estimate:  # an estimate from the calls does not qualify for a trial
            parts.append(_Result(UNSURE, (Reason(
                UNKNOWN, criterion, f"{criterion}: {shown} is estimated from the indel "
                "pattern; a trial needs MMR immunohistochemistry or MSI PCR", shown,
                genomic=True),)))
            continue
        if has != leaf.negated:
            parts.append(_Result(TRUE, (Reason(MATCHED, criterion, f"{criterion}: {shown}",
                                               shown, genomic=True),)))
        else:
            kind = EXCLUDING if leaf.negated else MISSING
            parts.append(_Result(FALSE, (Reason(kind, criterion, f"{criterion}: the case is "
                                                f"{shown}", genomic=True),)))
    for name, value in leaf.signatures:
        parts.append(_Result(UNSURE, (Reason(
            UNKNOWN, f"{name} signature {value.lower()}",
            f"{name} mutational signature ({value}): not computed by mtb", genomic=True),)))
    states = {p.state for p in parts}
    state = FALSE if FALSE in states else UNSURE if UNSURE in states else TRUE
    return _Result(state, tuple(r for p in parts for r in p.reasons))


# -- clinical ------------------------------------------------------------------------------------


def _clinical(leaf: Clinical, profile: PatientProfile, types: TumorTypes) -> _Result:
    parts: list[_Result] = []
    if leaf.diagnosis is not None:
        parts.append(_diagnosis(leaf, profile, types))
    if leaf.age is not None:
        parts.append(_compare("age", leaf.age, profile.age, "years", EXCLUDING,
                              "age not recorded (no birth date in the clinical record)"))
    if leaf.tmb is not None:
        parts.append(_compare("TMB", leaf.tmb, profile.tmb, "mut/Mb", MISSING,
                              "TMB not recorded", genomic=True))
    if leaf.sex:
        criterion = f"sex {leaf.sex}"
        if profile.sex not in ("female", "male"):
            parts.append(_Result(UNSURE, (Reason(UNKNOWN, criterion,
                                                 f"{criterion}: not recorded"),)))
        elif profile.sex == leaf.sex:
            parts.append(_Result(TRUE, (Reason(MATCHED, criterion, f"{criterion}: "
                                               f"{profile.sex}"),)))
        else:
            parts.append(_Result(FALSE, (Reason(EXCLUDING, criterion, f"{criterion} required: "
                                                f"the patient is {profile.sex}"),)))
    for marker, value in leaf.receptors:
        parts.append(_receptor(marker, value, profile))
    for key, value in leaf.unchecked:
        name = key.replace("_", " ")
        parts.append(_Result(UNSURE, (Reason(UNKNOWN, f"{name}: {value}",
                                             f"{name} ({value}): not recorded in mtb"),)))
    states = {p.state for p in parts}
    state = FALSE if FALSE in states else UNSURE if UNSURE in states else TRUE
    return _Result(state, tuple(r for p in parts for r in p.reasons))


def _diagnosis(leaf: Clinical, profile: PatientProfile, types: TumorTypes) -> _Result:
    wanted = leaf.diagnosis
    assert wanted is not None
    verdict = types.contains(wanted, profile.diagnosis)
    criterion = f"diagnosis {'not ' if wanted.negated else ''}{wanted.text}"
    if verdict.state == UNSURE:
        return _Result(UNSURE, (Reason(UNKNOWN, criterion, f"{criterion}: {verdict.text}"),))
    holds = verdict.state == TRUE
    if wanted.negated:
        if holds:
            return _Result(FALSE, (Reason(EXCLUDING, criterion,
                                          f"excludes {wanted.text}: {verdict.text}"),))
        return _Result(TRUE, (Reason(MATCHED, criterion, verdict.text),))
    if holds:
        return _Result(TRUE, (Reason(MATCHED, criterion, verdict.text),))
    return _Result(FALSE, (Reason(MISSING, criterion, verdict.text),))


_OPERATORS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
              "<": lambda a, b: a < b, "==": lambda a, b: a == b}


def _compare(what: str, rule: tuple[str, float], value: float | None, unit: str,
             failing: str, missing: str, *, genomic: bool = False) -> _Result:
    operator, limit = rule
    criterion = f"{what} {operator}{limit:g}"
    if value is None:
        return _Result(UNSURE, (Reason(UNKNOWN, criterion, f"{criterion}: {missing}",
                                       genomic=genomic),))
    shown = f"{what} {value:.1f} {unit}" if what == "TMB" else \
        f"{what} {int(value)} {unit} today"
    if _OPERATORS[operator](value, limit):
        return _Result(TRUE, (Reason(MATCHED, criterion, f"{criterion}: {shown}",
                                     shown if genomic else "", genomic=genomic),))
    return _Result(FALSE, (Reason(failing, criterion, f"{criterion} required: {shown}",
                                  genomic=genomic),))


def _receptor(marker: str, value: str, profile: PatientProfile) -> _Result:
    """ER, PR and HER2 status from the clinical record's markers, else from what the diagnosis
    says (annotation.diseases.receptors: 'HR+/HER2-', 'triple-negative')."""
    criterion = f"{marker} {value.lower()}"
    recorded = {m: (status, source) for m, status, source in profile.receptors}
    if marker in recorded:
        has, source = recorded[marker]
        where = f"the clinical record: {source}"
    else:
        q = profile.diagnosis.qualifiers
        negative = f"{marker}-" in q or "TNBC" in q or (marker in ("ER", "PR") and "HR-" in q) \
            or _TRIPLE_NEGATIVE in profile.diagnosis.lineage
        positive = f"{marker}+" in q
        if positive == negative:  # neither, or contradictory
            return _Result(UNSURE, (Reason(UNKNOWN, criterion, f"{criterion}: {marker} status "
                                           "not recorded"),))
        has = "positive" if positive else "negative"
        where = f"the diagnosis says {marker} {has}"
    if has == value.lower():
        return _Result(TRUE, (Reason(MATCHED, criterion, f"{criterion}: {where}"),))
    return _Result(FALSE, (Reason(EXCLUDING, criterion, f"{criterion} required: {where}"),))
