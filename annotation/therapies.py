"""The therapy lines of one finding, in the order a tumor board considers them.

Each counted predictive item names a regimen (a combination is one regimen, substitutes are
several); regimens are folded to one name per drug set through the drug vocabulary, so
"Imatinib Mesylate" and "Imatinib" are one line and "Trastuzumab + Pertuzumab" equals
"Pertuzumab + Trastuzumab". A regimen with counted sensitivity and counted resistance is one
line marked conflicting.

Order (issue: therapy lists ranked for the board): approved or guideline in this tumor type
(the guideline's preferred option first, then the most recently approved), approved in another
tumor type (off-label), clinical evidence, then preclinical data and case reports; resistance
lines after the options. Lines from level D evidence, tool compounds, withdrawn drugs and drugs
whose development stopped never stand on a card (`excluded` says why); the evidence panel keeps
them, labelled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from annotation.drugs import DrugVocabulary, Regimen
from annotation.levels import Grade
from annotation.model import Evidence, Match, TherapyCall, Tier

CARD_LIMIT = 5  # therapies a card shows; the rest are counted and left to the evidence panel
_BASIS = {"approved_here": "approved", "approved_elsewhere": "off-label",
          "investigational": "clinical", "label_scope": "clinical",
          "civic_a_resistance": "clinical",
          "assertion": "clinical", "assertion_elsewhere": "clinical",
          "civic_a_unapproved": "clinical", "trial": "clinical", "small_study": "clinical",
          "clinical_elsewhere": "clinical", "case_or_preclinical": "preclinical",
          "small_elsewhere": "preclinical"}
_BASIS_RANK = {"approved": 0, "guideline": 1, "germline-only approval": 2, "off-label": 3,
               "clinical": 4, "preclinical": 5}
_LEVELS = "ABCD"
_FIRST_LINE = re.compile(r"first[- ]line|newly diagnosed|untreated|treatment-na[iï]ve", re.I)
_CURATIVE = re.compile(r"adjuvant|maintenance|consolidation|perioperative", re.I)
_LATER = re.compile(r"\bafter\b|relapsed|refractory|progress|second|previously treated|"
                    r"subsequent|resistan", re.I)


def setting_rank(setting: str) -> int:
    """0 first line, 1 any line (or unrestricted), 2 (neo)adjuvant/maintenance, 3 after an
    earlier therapy: where in the course a label puts a regimen."""
    if _FIRST_LINE.search(setting):
        return 0
    if _CURATIVE.search(setting):
        return 2
    if _LATER.search(setting):
        return 3
    return 1


@dataclass(frozen=True)
class Counted:
    """A counted item: its grade, the match, and the order key tiering sorted it by."""

    grade: Grade
    match: Match
    order: tuple[int, ...]


def regimens(evidence: Evidence, drugs: DrugVocabulary) -> list[Regimen]:
    """The regimens an item names: a combination (or sequence) is one, substitutes several."""
    if not evidence.therapies:
        return []
    combined = evidence.therapy_interaction in ("Combination", "Sequential") or (
        evidence.kind in ("assertion", "approval"))
    if combined:
        return [drugs.regimen(evidence.therapies)]
    return [drugs.regimen([name]) for name in evidence.therapies]


def _year(evidence: Evidence) -> str:
    return evidence.date[:4]


def _approval_text(evidence: Evidence) -> str:
    return f"{evidence.agency} {_year(evidence)}"


def _line(regimen: Regimen, items: Sequence[Counted], resistance: bool,
          conflicting: bool, germline: dict[frozenset[str], list[Evidence]]) -> TherapyCall:
    best = items[0]
    grade, evidence = best.grade, best.match.evidence
    basis = _BASIS.get(grade.rule, "clinical")
    if basis == "approved" and evidence.agency in ("NCCN", "ESMO"):
        basis = "guideline"
    here = [c.match.evidence for c in items if c.grade.rule == "approved_here"]
    first: dict[str, Evidence] = {}  # each agency's first approval of the regimen here
    for item in sorted(here, key=lambda e: e.date):
        first.setdefault(item.agency, item)
    approvals = tuple(_approval_text(first[a]) for a in ("FDA", "EMA", "NCCN", "ESMO")
                      if a in first)
    elsewhere = next((f"approved in {c.match.evidence.disease} "
                      f"({_approval_text(c.match.evidence)})" for c in items
                      if c.grade.rule == "approved_elsewhere"), "")
    backing = here or [c.match.evidence for c in items if c.grade.rule == "approved_elsewhere"]
    germline_here = germline.get(regimen.key, [])
    if germline_here and not approvals and not resistance:
        basis = "germline-only approval"
    excluded = regimen.excluded_because
    if not excluded and grade.level == "D" and not germline_here:
        excluded = "level D only (preclinical data or case reports)"
    return TherapyCall(
        name=regimen.label,
        resistance=resistance,
        tier=grade.tier,
        level=grade.level,
        evidence_ids=tuple(dict.fromkeys(c.match.evidence.id for c in items)),
        basis=basis,
        approvals=approvals if not resistance else (),
        elsewhere=elsewhere if basis == "off-label" else "",
        conflicting=conflicting,
        preferred=any(e.preferred for e in backing),
        setting_rank=min((setting_rank(e.setting) for e in backing), default=9),
        breadth=len({e.doid or "solid" for e in backing}),
        off_label=(not approvals and not resistance and not conflicting
                   and basis not in ("approved", "guideline")
                   and all(d.status == "approved" for d in regimen.drugs if d.kind == "drug")),
        germline_testing=bool(germline_here),
        drugs=tuple(sorted(regimen.key)),
        excluded=excluded,
    )


def _germline_line(regimen: Regimen, approvals: Sequence[Evidence]) -> TherapyCall:
    """A regimen approved here only for germline variants, with no other counted evidence:
    shown so the board orders germline testing, never as a tier."""
    return TherapyCall(
        name=regimen.label, resistance=False, tier=Tier.III, level="",
        evidence_ids=tuple(e.id for e in approvals), basis="germline-only approval",
        germline_testing=True, drugs=tuple(sorted(regimen.key)),
        excluded=regimen.excluded_because,
    )


def therapy_lines(
    counted: Iterable[Counted], drugs: DrugVocabulary,
    germline_only: Iterable[Evidence] = (),
) -> tuple[TherapyCall, ...]:
    """The finding's therapy lines, ranked (module docstring). `counted` is sorted best first;
    `germline_only` are approvals for this tumor type set aside because they need a germline
    variant: their regimens are marked 'germline testing needed'."""
    sensitive: dict[frozenset[str], list[Counted]] = {}
    resistant: dict[frozenset[str], list[Counted]] = {}
    names: dict[frozenset[str], Regimen] = {}
    for item in counted:
        evidence = item.match.evidence
        if evidence.evidence_type != "Predictive":
            continue
        for regimen in regimens(evidence, drugs):
            if not regimen.drugs:
                continue
            names.setdefault(regimen.key, regimen)
            side = resistant if evidence.is_resistance else sensitive
            side.setdefault(regimen.key, []).append(item)
    germline: dict[frozenset[str], list[Evidence]] = {}
    for evidence in germline_only:
        for regimen in regimens(evidence, drugs):
            germline.setdefault(regimen.key, []).append(evidence)
            names.setdefault(regimen.key, regimen)
    lines = []
    for key, regimen in names.items():
        for_it, against = sensitive.get(key, []), resistant.get(key, [])
        if for_it and against:
            resistance = against[0].order < for_it[0].order
            lines.append(_line(regimen, sorted(for_it + against, key=lambda c: c.order),
                               resistance, True, germline))
        elif for_it:
            lines.append(_line(regimen, for_it, False, False, germline))
        elif against:
            lines.append(_line(regimen, against, True, False, germline))
        else:
            lines.append(_germline_line(regimen, germline[key]))
    labelled = {d for line in lines if line.approvals for d in line.drugs}
    return tuple(sorted((replace(line, off_label=False) if line.off_label and set(
        _named_drugs(names[frozenset(line.drugs)])) <= labelled else line for line in lines),
        key=rank_key))


def _named_drugs(regimen: Regimen) -> list[str]:
    """The drugs a regimen names, without the classes ('chemotherapy') it leaves open."""
    return [d.name for d in regimen.drugs if d.kind == "drug"]


def rank_key(line: TherapyCall) -> tuple[object, ...]:
    """Options before resistance; by basis (approved here, germline-only approval here,
    off-label, clinical, preclinical); then the guideline's preferred option; then approved in
    more tumor types (off-label: the most broadly approved regimen); then the earliest
    setting a label gives it (first line before later lines); then approved by more agencies;
    then level and tier; then name."""
    return (
        bool(line.excluded),
        line.resistance or line.conflicting,
        _BASIS_RANK.get(line.basis, 5),
        not line.preferred,
        -line.breadth,
        line.setting_rank,
        -len(line.approvals),
        _LEVELS.find(line.level),
        line.tier.rank if isinstance(line.tier, Tier) else 9,
        line.name,
    )


def card_lines(therapies: Sequence[TherapyCall], limit: int = CARD_LIMIT
               ) -> tuple[list[TherapyCall], int]:
    """What a card shows (at most `limit` lines that may stand on a card) and how many more
    lines the evidence panel holds."""
    shown = [t for t in therapies if t.on_card][:limit]
    return shown, len(therapies) - len(shown)


def more_text(therapies: Sequence[TherapyCall], shown: int) -> str:
    """What a card says about the lines it does not show: '2 more', and apart from them the
    lines that may never stand on a card ('3 other lines from level D evidence only'), so that a
    card with no line at all does not read 'and 3 more'. '' when nothing is left out."""
    fit = sum(1 for t in therapies if t.on_card)
    parts = [f"{fit - shown} more"] if fit > shown else []
    unfit = [t.excluded for t in therapies if not t.on_card]
    if unfit:
        why = "level D evidence" if all(w.startswith("level D") for w in unfit) else (
            "level D, tool compounds or stopped drugs")
        parts.append(f"{len(unfit)} {'other ' if parts or shown else ''}line"
                     f"{'s' if len(unfit) > 1 else ''} from {why} only")
    return "; ".join(parts)
