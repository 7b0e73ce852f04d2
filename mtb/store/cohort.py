"""Cohort reads of the store: every case's shown version with its diagnosis and biomarkers,
and the findings' index rows of those versions, filtered in SQL by the columns an index
serves (gene or fusion partner, tier, finding key). A mixin of `Store`; the query's logic
(spellings of a variant, the ontology, the curated tier) is mtb.cohort's, above the store.

The shown version is what the case page shows: a final case's pinned version, else the newest
(mtb.library.Library.shown_version, here for all cases in three queries)."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import func, or_, select

from mtb import board
from mtb.store import records
from mtb.store.cases import FindingRow, _finding_row
from mtb.store.mixin import StoreMixin
from mtb.store.schema import (
    BoardSeen,
    CaseRecord,
    CaseVersion,
    FindingEntry,
    Recommendation,
    StoredCase,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["CohortCase", "CohortFinding", "CohortStore"]

_CHUNK = 500  # ids per IN (...): well below every database's limit of bound parameters


@dataclass(frozen=True)
class CohortCase:
    """A case as a cohort query sees it: its shown version's diagnosis and biomarkers, the
    board's status and when the board last moved it."""

    case_id: str
    number: int  # the shown version
    created_at: datetime  # of that version
    title: str
    diagnosis: str  # as given
    diagnosis_name: str  # the ontology's name ('' when not resolved)
    doid: str
    oncotree: str
    tmb: float | None
    status: str  # prepared, ..., final
    board_at: datetime | None  # the newest time the board moved the case (BoardSeen)
    biomarkers: Mapping[str, Any] = field(default_factory=dict)
    outcome: str = ""  # the version's newest response: "PD 2024-11-02"; "" when none

    @property
    def tumor_type(self) -> str:
        return self.diagnosis_name or self.diagnosis


class CohortFinding(NamedTuple):
    case_id: str
    number: int
    row: FindingRow


class CohortStore(StoreMixin):
    """Store methods for cohort queries (mixed into `Store`)."""

    def shown_numbers(self) -> dict[str, int]:
        """case id -> its shown version (cases without a version are left out)."""
        with self._read() as session:
            return self._shown(session)

    @staticmethod
    def _shown(session: Session) -> dict[str, int]:
        shown = {case: number for case, number in session.execute(
            select(StoredCase.case_id, StoredCase.current_version)) if number is not None}
        finals = set(session.execute(select(CaseRecord.case_id).where(
            CaseRecord.status == "final")).scalars())
        for case, number in session.execute(select(
                BoardSeen.case_id, BoardSeen.version_number).where(
                BoardSeen.status == "final").order_by(BoardSeen.id)):
            if case in finals and number is not None:
                shown[case] = number  # the newest final mark wins (ordered by id)
        return shown

    def cohort_cases(self) -> list[CohortCase]:
        """Every case with a shown version, by case id."""
        with self._read() as session:
            shown = self._shown(session)
            statuses = {case: status for case, status in session.execute(
                select(CaseRecord.case_id, CaseRecord.status))}
            board_at = {case: at for case, at in session.execute(select(
                BoardSeen.case_id, func.max(BoardSeen.at)).group_by(BoardSeen.case_id))}
            found: list[CohortCase] = []
            cases = sorted(shown)
            for start in range(0, len(cases), _CHUNK):
                for row in session.execute(select(
                        CaseVersion.case_id, CaseVersion.number, CaseVersion.created_at,
                        CaseVersion.title, CaseVersion.diagnosis, CaseVersion.diagnosis_name,
                        CaseVersion.doid, CaseVersion.oncotree, CaseVersion.tmb,
                        CaseVersion.biomarkers, CaseVersion.outcome).where(
                        CaseVersion.case_id.in_(cases[start:start + _CHUNK]))):
                    if shown.get(row.case_id) != row.number:
                        continue
                    found.append(CohortCase(
                        case_id=row.case_id, number=row.number, created_at=row.created_at,
                        title=row.title, diagnosis=row.diagnosis,
                        diagnosis_name=row.diagnosis_name, doid=row.doid,
                        oncotree=row.oncotree, tmb=row.tmb,
                        status=statuses.get(row.case_id, "prepared"),
                        board_at=board_at.get(row.case_id),
                        biomarkers=json.loads(row.biomarkers or "{}"),
                        outcome=row.outcome or ""))
            return sorted(found, key=lambda case: case.case_id)

    def cohort_findings(
        self, shown: Mapping[str, int], *, genes: Collection[str] = (),
        tiers: Collection[str] = (), keys: Collection[str] = (), key_findings: bool = False,
    ) -> list[CohortFinding]:
        """The index rows of the given versions (case id -> number), narrowed in SQL:
        `genes` - the gene (a fusion's: its 3' partner) or the 5' partner is one of them;
        `tiers` and `keys` - the computed tier is one of `tiers` or the finding key one of
        `keys` (the findings a curator re-tiered); `key_findings` - a key finding by the
        rules, or one of `keys`.
        Rows by case and ordinal."""
        if not shown:
            return []
        out: list[CohortFinding] = []
        with self._read() as session:
            versions = self._version_ids(session, shown)
            chosen = []
            if tiers:
                chosen.append(FindingEntry.tier.in_(sorted(tiers)))
            if key_findings:
                chosen.append(FindingEntry.key_finding.is_(True))
            if chosen and keys:
                chosen.append(FindingEntry.finding_key.in_(sorted(keys)))
            narrowed = [or_(*chosen)] if chosen else []
            if genes:
                # by the gene's index, over all versions (the shown ones are kept below): a
                # version filter beside it would make the database scan those versions' rows.
                # A fusion's gene is its 3' partner; the 5' partner has an index of its own.
                wanted = sorted(genes)
                seen_ids: set[int] = set()
                for column in (FindingEntry.gene, FindingEntry.partner5):
                    for row in session.scalars(select(FindingEntry).where(
                            column.in_(wanted), *narrowed)):
                        if row.version_id in versions and row.id not in seen_ids:
                            seen_ids.add(row.id)
                            out.append(CohortFinding(row.case_id, versions[row.version_id][1],
                                                     _finding_row(row)))
            else:
                ids = sorted(versions)
                for start in range(0, len(ids), _CHUNK):
                    for row in session.scalars(select(FindingEntry).where(
                            FindingEntry.version_id.in_(ids[start:start + _CHUNK]),
                            *narrowed)):
                        out.append(CohortFinding(row.case_id, versions[row.version_id][1],
                                                 _finding_row(row)))
        out.sort(key=lambda hit: (hit.case_id, hit.row.ordinal))
        return out

    @staticmethod
    def _version_ids(session: Session, shown: Mapping[str, int]) -> dict[int, tuple[str, int]]:
        versions: dict[int, tuple[str, int]] = {}
        cases = sorted(shown)
        for start in range(0, len(cases), _CHUNK):
            for version_id, case, number in session.execute(select(
                    CaseVersion.id, CaseVersion.case_id, CaseVersion.number).where(
                    CaseVersion.case_id.in_(cases[start:start + _CHUNK]))):
                if shown.get(case) == number:
                    versions[version_id] = (case, number)
        return versions

    def active_recommendations(
        self, case_ids: Collection[str] | None = None,
    ) -> dict[str, list[board.Recommendation]]:
        """case id -> the board's recommendations that are not withdrawn, oldest first."""
        found: dict[str, list[board.Recommendation]] = {}
        with self._read() as session:
            query = select(Recommendation).where(Recommendation.withdrawn.is_(False))
            if case_ids is not None:
                wanted = sorted(case_ids)
                if not wanted:
                    return {}
                if len(wanted) <= _CHUNK:
                    query = query.where(Recommendation.case_id.in_(wanted))
            for row in session.scalars(query.order_by(Recommendation.id)):
                if case_ids is None or row.case_id in case_ids:
                    found.setdefault(row.case_id, []).append(records.recommendation(row))
        return found
