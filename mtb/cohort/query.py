"""The cohort query: which cases of the store carry a finding, with the board's view of it.

One pure function over the store's read API (`run`); the SQL is mtb.store's (mtb.store.cohort).
Only each case's shown version counts: a final case's pinned version, else the newest, the
version its case page shows. The rules, each in one place elsewhere:
- a variant in any spelling: mtb.cohort.variants (annotation's reader of written alterations);
- the tier: the curator's tier wins where one was set (mtb.board.reported_tier_of); '--tier I'
  takes IA and IB, '--tier II' IIC and IID;
- the tumor type: the Disease Ontology (annotation.diseases): a case fits when the type's term
  is in its diagnosis's lineage (NSCLC takes lung adenocarcinoma, not small cell lung cancer);
  a name the ontology does not know is looked for in the diagnosis text;
- a biomarker ('TMB-high', 'MSI-H'): the case's biomarker finding with that call (its key
  'biomarker:TMB high'), or the version's recorded TMB value / MSI text;
- a therapy or board decision: the text or kind of a recommendation that is not withdrawn;
- status and dates: the case's board status; the date is when the board last moved the case,
  else when its shown version was made.

Finding filters (gene, variant, class, tier) choose rows; the others choose cases. Without a
finding filter, a matching case is listed by its key findings (reported tier I or II), or by one
row without a finding when it has none. Every query is audited by its caller (`audit`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from annotation.alterations import from_description
from mtb import board
from mtb.cohort.variants import VariantQuery
from mtb.variant import TMB_HIGH

if TYPE_CHECKING:
    from annotation.diseases import DiseaseOntology
    from mtb.store import CohortCase, FindingRow, Store

__all__ = ["COLUMNS", "CohortQuery", "CohortResult", "CohortRow", "audit", "run",
           "tier_matches"]

COLUMNS = ("case_id", "tumor_type", "gene", "alteration", "tier", "status",  # public interface
           "variant_class", "computed_tier", "curated", "version", "date", "recommendations")


@dataclass(frozen=True)
class CohortQuery:
    gene: str = ""
    variant: str = ""
    variant_class: str = ""
    tumor_type: str = ""
    tier: str = ""  # 'I', 'IA', 'I,II'
    biomarker: str = ""
    therapy: str = ""  # recommended therapy or board decision (text or kind)
    status: str = ""  # 'final', 'decided,final'
    since: date | None = None
    until: date | None = None

    @property
    def finding_filters(self) -> bool:
        return bool(self.gene or self.variant or self.variant_class or self.tier)

    def asked(self) -> dict[str, str]:
        """The filters given (for the audit log and the page): no patient data."""
        return {name: str(value) for name, value in asdict(self).items() if value}


@dataclass(frozen=True)
class CohortRow:
    case_id: str
    tumor_type: str
    gene: str
    alteration: str
    tier: str  # reported: the curator's where set
    status: str
    variant_class: str = ""
    computed_tier: str = ""
    curated: bool = False
    version: int = 0
    date: str = ""
    recommendations: str = ""

    def cells(self) -> list[str]:
        return [str(getattr(self, name)) if name != "curated" else
                ("yes" if self.curated else "") for name in COLUMNS]


@dataclass(frozen=True)
class CohortResult:
    query: CohortQuery
    rows: tuple[CohortRow, ...]
    cases: tuple[CohortCase, ...]  # the matching cases, by id
    notes: tuple[str, ...] = ()  # how a filter was read ('NSCLC' -> lung non-small cell ...)
    by_tumor_type: Mapping[str, int] = field(default_factory=dict)  # cases
    by_tier: Mapping[str, int] = field(default_factory=dict)  # rows


def tier_matches(wanted: Iterable[str], tier: str) -> bool:
    """'I' takes IA and IB, 'II' takes IIC and IID; a full tier ('IA', 'III') only itself."""
    tier = tier.upper()
    return any(tier == w or (w in ("I", "II") and tier.rstrip("ABCD") == w) for w in wanted)


def _tiers(text: str) -> list[str]:
    return [t.strip().upper() for t in text.replace(" ", ",").split(",") if t.strip()]


_ALL_TIERS = ("IA", "IB", "IIC", "IID", "III", "IV")


def run(store: Store, query: CohortQuery, ontology: DiseaseOntology | None = None
        ) -> CohortResult:
    """The rows and cases matching `query` (see the module's docstring)."""
    notes: list[str] = []
    cases = {case.case_id: case for case in store.cohort_cases()}
    cases = _by_case_filters(store, query, cases, ontology, notes)
    if not cases:
        return CohortResult(query, (), (), tuple(notes))
    shown = {case_id: case.number for case_id, case in cases.items()}
    curations = {case: found for case, found in store.curations_by_case().items()
                 if case in shown}
    recommendations = store.active_recommendations(list(shown))
    if query.therapy:
        wanted = query.therapy.casefold()
        shown = {case: n for case, n in shown.items() if any(
            wanted in rec.text.casefold() or wanted == rec.kind.casefold()
            for rec in recommendations.get(case, ()))}
    variant = VariantQuery.parse(query.variant, query.gene) if query.variant else None
    genes = set(variant.genes) if variant is not None else set()
    if query.gene:
        genes = {query.gene.strip().upper()}
    wanted_tiers = _tiers(query.tier) if query.tier else []
    overridden = {key for found in curations.values() for key, cur in found.items()
                  if cur.tier_override}
    if query.finding_filters:
        hits = store.cohort_findings(
            shown, genes=genes,
            tiers=[t for t in _ALL_TIERS if tier_matches(wanted_tiers, t)] if wanted_tiers
            else (), keys=overridden)
    else:
        hits = store.cohort_findings(shown, key_findings=True, keys=overridden)
    rows: list[CohortRow] = []
    listed: set[str] = set()
    for hit in hits:
        row = hit.row
        curation = curations.get(hit.case_id, {}).get(row.finding_key)
        reported = board.reported_tier_of(row.tier, curation)
        if variant is not None and not variant.matches(row):
            continue
        if query.gene and not variant and query.gene.strip().upper() not in (
                row.gene.upper(), row.partner5.upper(), row.partner3.upper()):
            continue
        if query.variant_class and row.variant_class.casefold() != \
                query.variant_class.strip().casefold():
            continue
        if wanted_tiers and not tier_matches(wanted_tiers, reported):
            continue
        if not query.finding_filters and reported not in board.KEY_TIERS:
            continue
        rows.append(_row(cases[hit.case_id], row, reported, curation, recommendations))
        listed.add(hit.case_id)
    if not query.finding_filters:
        for case_id in sorted(set(shown) - listed):
            rows.append(_row(cases[case_id], None, "", None, recommendations))
            listed.add(case_id)
    matched = tuple(cases[case_id] for case_id in sorted(listed))
    by_type: dict[str, int] = {}
    for case in matched:
        by_type[case.tumor_type or "not recorded"] = \
            by_type.get(case.tumor_type or "not recorded", 0) + 1
    by_tier: dict[str, int] = {}
    for item in rows:
        if item.tier:
            by_tier[item.tier] = by_tier.get(item.tier, 0) + 1
    return CohortResult(query, tuple(rows), matched, tuple(notes),
                        dict(sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))),
                        dict(sorted(by_tier.items(), key=lambda kv: _tier_order(kv[0]))))


def _tier_order(tier: str) -> int:
    return _ALL_TIERS.index(tier) if tier in _ALL_TIERS else len(_ALL_TIERS)


def _by_case_filters(store: Store, query: CohortQuery, cases: dict[str, CohortCase],
                     ontology: DiseaseOntology | None, notes: list[str]
                     ) -> dict[str, CohortCase]:
    if query.status:
        wanted = {s.strip().casefold() for s in query.status.split(",") if s.strip()}
        cases = {k: c for k, c in cases.items() if c.status.casefold() in wanted}
    if query.since or query.until:
        cases = {k: c for k, c in cases.items() if _in_range(_day(c), query.since, query.until)}
    if query.tumor_type:
        cases = _tumor_type(query.tumor_type, cases, ontology, notes)
    if query.biomarker:
        cases = _biomarker(store, query.biomarker, cases, notes)
    return cases


def _day(case: CohortCase) -> date:
    return (case.board_at or case.created_at).date()


def _in_range(day: date, since: date | None, until: date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


def _tumor_type(text: str, cases: dict[str, CohortCase], ontology: DiseaseOntology | None,
                notes: list[str]) -> dict[str, CohortCase]:
    if ontology is None:
        from annotation.diseases import DiseaseOntology

        ontology = DiseaseOntology.bundled()
    resolved = ontology.resolve(text)
    if not resolved.doid:
        notes.append(f"tumor type '{text}' is not in the Disease Ontology: looked for in the "
                     "diagnosis text")
        folded = text.casefold()
        return {k: c for k, c in cases.items()
                if folded in c.diagnosis.casefold() or folded in c.diagnosis_name.casefold()}
    notes.append(f"tumor type '{text}' read as {resolved.name} ({resolved.doid}) and the "
                 "types under it")
    lineages: dict[str, tuple[str, ...]] = {}
    found = {}
    for case_id, case in cases.items():
        if not case.doid:
            continue
        if case.doid not in lineages:
            lineages[case.doid] = ontology.lineage(case.doid) or (case.doid,)
        if resolved.doid in lineages[case.doid]:
            found[case_id] = case
    return found


def _biomarker(store: Store, text: str, cases: dict[str, CohortCase], notes: list[str]
               ) -> dict[str, CohortCase]:
    read = from_description("", text)
    if read.kind != "biomarker":
        notes.append(f"biomarker '{text}' not understood (TMB-high, MSI-high, HRD-positive)")
        return {}
    key = f"biomarker:{read.gene} {read.biomarker}".casefold()
    hits = store.cohort_findings({k: c.number for k, c in cases.items()}, genes=[read.gene])
    carrying = {hit.case_id for hit in hits if hit.row.finding_key.casefold() == key}
    for case_id, case in cases.items():
        if case_id in carrying:
            continue
        if read.gene == "TMB" and case.tmb is not None and \
                (case.tmb >= TMB_HIGH) == (read.biomarker == "high"):
            carrying.add(case_id)
        value = case.biomarkers.get(read.gene)
        if read.gene != "TMB" and isinstance(value, str) and value and \
                from_description(read.gene, value).biomarker == read.biomarker:
            carrying.add(case_id)
    return {k: c for k, c in cases.items() if k in carrying}


def _row(case: CohortCase, row: FindingRow | None, reported: str,
         curation: board.Curation | None,
         recommendations: Mapping[str, list[board.Recommendation]]) -> CohortRow:
    recs = "; ".join(
        f"{rec.kind}: {rec.text}" + (f" ({rec.evidence_grade})" if rec.evidence_grade else "")
        for rec in recommendations.get(case.case_id, ()))
    return CohortRow(
        case_id=case.case_id, tumor_type=case.tumor_type, gene=row.gene if row else "",
        alteration=row.label if row else "", tier=reported, status=case.status,
        variant_class=row.variant_class if row else "", computed_tier=row.tier if row else "",
        curated=bool(curation is not None and curation.tier_override),
        version=case.number, date=_day(case).isoformat(), recommendations=recs)


def audit(store: Store, user: str, result: CohortResult, action: str = "cohort_query") -> None:
    """Who asked what, when: the filters and how many rows and cases came back (no patient
    data). `action`: cohort_query, or cohort_export for a download."""
    detail = json.dumps({"filters": result.query.asked(), "rows": len(result.rows),
                         "cases": len(result.cases)}, sort_keys=True, ensure_ascii=False)
    store.log_event(user, action, "", detail)


def as_json(result: CohortResult) -> dict[str, Any]:
    return {"query": result.query.asked(), "notes": list(result.notes),
            "by_tumor_type": dict(result.by_tumor_type), "by_tier": dict(result.by_tier),
            "cases": [c.case_id for c in result.cases],
            "rows": [asdict(row) for row in result.rows]}
