"""Seen before: for each key finding of a case, the other cases of the store with the same
variant (the same gene and alteration, in any spelling: mtb.cohort.variants.alteration_key),
and, counted apart, those with the same gene and variant class but another alteration; with
each case's tumor type, status, and the board's recommendations with their evidence grades.

A few queries per case page however many cases the store holds: the cases' shown versions,
the index rows of the findings' genes (an index serves them), the curations and the
recommendations of the cases found. Only shown versions count (a final case's pinned one, else
the newest), as in the cohort query.

The outcome is the newest response assessment each case's timeline records (RECIST CR, PR, SD,
PD; a progression is PD) with its date, kept with the version when it is annotated (mtb.store
CaseVersion.outcome): reading each earlier case's document on every page would make the case
page as slow as the store is large.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mtb import board
from mtb.cohort.variants import alteration_key
from mtb.store import FindingRow, Store

__all__ = ["SeenBefore", "SeenCase", "seen_before"]

SHOWN_CASES = 5  # per finding: the newest first; the rest are counted


@dataclass(frozen=True)
class SeenCase:
    case_id: str
    tumor_type: str
    alteration: str  # as that case's index wrote it
    tier: str  # reported there (the curator's where set)
    status: str
    date: str  # the board's last move, else the version's day (YYYY-MM-DD)
    recommendations: tuple[tuple[str, str, str], ...] = ()  # (kind, text, evidence grade)
    outcome: str = ""  # the newest response its timeline records: "PD 2024-11-02"; "" if none


@dataclass(frozen=True)
class SeenBefore:
    finding_key: str
    label: str
    same_variant: tuple[SeenCase, ...]  # the newest SHOWN_CASES
    same_variant_count: int  # cases
    same_class_count: int  # cases with the gene and class but another alteration
    variant_class: str = ""

    @property
    def more(self) -> int:
        return self.same_variant_count - len(self.same_variant)


def seen_before(store: Store, case_id: str, findings: Sequence[FindingRow]
                ) -> dict[str, SeenBefore]:
    """finding key -> what other cases had it, for the given findings of `case_id` (its key
    findings). Empty when the store holds no other case."""
    if not findings:
        return {}
    cases = {c.case_id: c for c in store.cohort_cases() if c.case_id != case_id}
    if not cases:
        return {f.finding_key: SeenBefore(f.finding_key, f.label, (), 0, 0, f.variant_class)
                for f in findings}
    genes = {f.gene.upper() for f in findings if f.gene}
    hits = store.cohort_findings({k: c.number for k, c in cases.items()}, genes=genes)
    wanted = {alteration_key(f): f for f in findings}
    by_key: dict[str, dict[str, FindingRow]] = {}  # alteration key -> case -> its row
    by_class: dict[tuple[str, str], set[str]] = {}
    for hit in hits:
        row = hit.row
        key = alteration_key(row)
        if key in wanted:
            by_key.setdefault(key, {}).setdefault(hit.case_id, row)
        by_class.setdefault((row.gene.upper(), row.variant_class), set()).add(hit.case_id)
    found_cases = {case for rows in by_key.values() for case in rows}
    curations = {case: c for case, c in store.curations_by_case().items()
                 if case in found_cases}
    recommendations = store.active_recommendations(found_cases) if found_cases else {}
    out: dict[str, SeenBefore] = {}
    for key, finding in wanted.items():
        rows = by_key.get(key, {})
        seen = []
        for other, row in rows.items():
            case = cases[other]
            curation = curations.get(other, {}).get(row.finding_key)
            seen.append(SeenCase(
                case_id=other, tumor_type=case.tumor_type, alteration=row.label,
                tier=board.reported_tier_of(row.tier, curation), status=case.status,
                date=(case.board_at or case.created_at).date().isoformat(),
                recommendations=tuple((r.kind, r.text, r.evidence_grade)
                                      for r in recommendations.get(other, ())),
                outcome=case.outcome))
        seen.sort(key=lambda s: (s.date, s.case_id), reverse=True)
        same_class = by_class.get((finding.gene.upper(), finding.variant_class), set())
        out[finding.finding_key] = SeenBefore(
            finding.finding_key, finding.label, tuple(seen[:SHOWN_CASES]), len(seen),
            len(same_class - set(rows)), finding.variant_class)
    return out
