"""The agenda's rows (mtb.web.pages.agenda.agenda_rows): their tier counts are the reported
tiers (mtb.board.reported_tier) of the findings the curators have not dismissed, for every
case; a case that cannot be opened is a row saying why."""

from __future__ import annotations

from dataclasses import dataclass

from annotation.model import Tier
from mtb.board import TIER_ONE, dismissed, finding_key, reported_tier
from mtb.case import Case
from mtb.errors import InputError
from mtb.web.pages.agenda import agenda_rows
from tests.drawn import case_of, curation, small

LUNG = case_of([small("EGFR", "p.L858R", Tier.IA), small("KRAS", "p.G12C", Tier.IIC),
                small("TP53", "p.R175H", Tier.III), small("STK11", "p.Q37*", Tier.III),
                small("KEAP1", "p.G333C", Tier.IV)], case_id="lung", title="SYNTHETIC lung")
COLON = case_of([small("BRAF", "p.V600E", Tier.IB), small("APC", "p.R1450*", Tier.IID)],
                case_id="colon", title="SYNTHETIC colon")
VARIANTS = {v.alteration.gene: v for case in (LUNG, COLON) for v in case.annotation.variants}
CURATIONS = {
    "lung": {finding_key(VARIANTS["TP53"]): curation(VARIANTS["TP53"], tier_override="IB",
                                                      override_reason="drawn"),
             finding_key(VARIANTS["KRAS"]): curation(VARIANTS["KRAS"],
                                                      oncogenicity="likely artefact"),
             finding_key(VARIANTS["KEAP1"]): curation(VARIANTS["KEAP1"], tier_override="IID",
                                                       override_reason="drawn")},
    "colon": {finding_key(VARIANTS["BRAF"]): curation(VARIANTS["BRAF"], tier_override="III",
                                                       override_reason="drawn")},
}


@dataclass
class _Opened:
    case: Case


class _Library:
    """What agenda_rows asks of the case library: the catalogue and the opened cases."""

    def __init__(self, *cases: Case, broken: str = "") -> None:
        self.cases = {case.entry.id: case for case in cases}
        self.broken = broken

    def entries(self):
        listed = [case.entry for case in self.cases.values()]
        if self.broken:
            listed.append(case_of([], case_id=self.broken, title="Broken").entry)
        return listed

    def open(self, case_id: str) -> _Opened:
        if case_id == self.broken:
            raise InputError("broken/case.toml", "'title' is missing or empty")
        return _Opened(self.cases[case_id])


def _expected(case: Case, curations) -> tuple[int, int]:
    """The counts by the rule's definition, written out: reported tier I/II, not dismissed."""
    tiers = [reported_tier(v, curations.get(finding_key(v))) for v in case.annotation.variants
             if not dismissed(curations.get(finding_key(v)))]
    key = [t for t in tiers if t in ("IA", "IB", "IIC", "IID")]
    tier1 = sum(1 for t in key if t in TIER_ONE)
    return tier1, len(key) - tier1


def test_counts_are_the_reported_tiers() -> None:
    rows = agenda_rows(_Library(LUNG, COLON), {"lung": "presented"}, {"colon": 2},
                       CURATIONS.__getitem__)
    counts = {row.id: (row.tier1, row.tier2) for row in rows}
    assert counts == {"lung": (2, 1), "colon": (0, 1)}
    assert counts == {case.entry.id: _expected(case, CURATIONS[case.entry.id])
                      for case in (LUNG, COLON)}
    assert [(row.status, row.meeting) for row in rows] == [("presented", None), ("prepared", 2)]


def test_without_curations_the_computed_tiers_count() -> None:
    rows = agenda_rows(_Library(LUNG, COLON))
    assert {row.id: (row.tier1, row.tier2) for row in rows} == {"lung": (1, 1), "colon": (1, 1)}
    assert all(row.synthetic == "synthetic" for row in rows)


def test_a_case_that_cannot_be_opened_says_why() -> None:
    rows = agenda_rows(_Library(LUNG, broken="broken"))
    [broken] = [row for row in rows if row.id == "broken"]
    assert (broken.status, broken.tier1, broken.tier2) == ("cannot be opened", None, None)
    assert "'title' is missing or empty" in broken.problem
