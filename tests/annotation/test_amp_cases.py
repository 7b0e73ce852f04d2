"""Published variant x tumor type cases: the tier and first therapy a molecular pathologist would
sign (tests/data/amp_cases.tsv; rationale per row and failure class in amp_cases.md).

Positive rows must reach their tier exactly; negative rows (over-calling traps) must stay at or
below `max_tier`. The first sensitivity line on the card must be one of the expected options,
and no `must_not_show` therapy may be offered as a sensitivity option on the card.
"""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from annotation import annotate_alterations
from annotation.alterations import from_description
from annotation.model import TIER_RANK, Tier
from annotation.therapies import card_lines

with open(Path(__file__).parents[1] / "data/amp_cases.tsv", encoding="utf-8") as table:
    ROWS = list(csv.DictReader(table, delimiter="\t"))
IDS = [f"{r['case_id']} {r['gene']} {r['variant']} in {r['tumor_type']}" for r in ROWS]
TIER_ONE = (Tier.IA, Tier.IB)
# Rows whose expectation needs knowledge no bundled source holds: kept as they are (the
# expectation is what a pathologist signs), marked strict so that they fail once they pass.
KNOWN_GAPS = {
    "AMP063": "POLE P286R is tier I by the ESGO/ESTRO/ESP 2021 molecular classification; mtb has "
              "no source for prognostic guideline statements (CIViC lists only level C/D)",
    "AMP081": "abemaciclib failed its phase III in KRAS-mutant NSCLC (JUNIPER); CIViC 01-Jul-2025 "
              "has only the positive phase I item, so abemaciclib stays a level C line",
    "AMP088": "eprenetapopt + azacitidine failed its phase III in TP53-mutant MDS; CIViC "
              "01-Jul-2025 has only the positive phase II item (EID12029)",
}


def _norm(text: str) -> str:
    return " + ".join(sorted(p.strip().lower() for p in text.split("+")))


def _drugs(text: str) -> frozenset[str]:
    return frozenset(p.strip().lower() for p in text.split("+"))


def _is_option(line: str, expected: list[str]) -> bool:
    """The line is an expected option, alone or with a backbone the label adds
    (quizartinib + cytarabine + anthracycline for 'quizartinib')."""
    return any(_drugs(option) <= _drugs(line) for option in expected)


def test_the_table_is_balanced_and_sourced() -> None:
    polarity = Counter(r["polarity"] for r in ROWS)
    assert len(ROWS) >= 80 and polarity["negative"] >= polarity["positive"]
    assert all(r["source"].strip() for r in ROWS)
    assert len({r["gene"] for r in ROWS}) >= 35
    classes = {r["failure_class"] for r in ROWS}
    for needed in ("off_type_diagnostic_prognostic", "civic_level_not_amp",
                   "resistance_nonstandard", "germline_only_approval", "population_mismatch",
                   "passenger_tumor_suppressor", "prognostic_only", "benign_polymorphism"):
        assert needed in classes


@pytest.mark.parametrize("row", [
    pytest.param(row, marks=pytest.mark.xfail(reason=KNOWN_GAPS[row["case_id"]], strict=True))
    if row["case_id"] in KNOWN_GAPS else row for row in ROWS], ids=IDS)
def test_published_case(kb, row) -> None:
    diagnosis = kb.ontology.resolve(row["tumor_type"])
    alteration = from_description(row["gene"], row["variant"], kb.genes)
    alteration = dataclasses.replace(
        alteration, germline=row["origin"] == "germline", somatic=row["origin"] == "somatic",
        population_af=float(row["population_af"]) if row["population_af"] else None)
    [found] = annotate_alterations([(None, alteration)], diagnosis, kb)
    why = [r.text for r in found.reasons][:8]
    therapies = [f"{t.label} {t.tier} {t.basis_text} {t.excluded}" for t in found.therapies]
    if row["polarity"] == "positive":
        assert found.tier == Tier(row["expected_tier"]), (why, therapies)
    else:
        assert TIER_RANK[found.tier.value] >= TIER_RANK[row["max_tier"]], (why, therapies)
    shown, _ = card_lines(found.therapies)
    offered = [t for t in shown if not t.resistance and not t.conflicting]
    expected = [option for option in row["expected_first_therapy"].split("|") if option]
    if expected:
        assert offered and _is_option(offered[0].name, expected), therapies
    else:
        assert not [t for t in offered if t.tier in TIER_ONE], therapies
    for name in filter(None, row["must_not_show"].split("|")):
        assert _norm(name) not in {_norm(t.name) for t in offered}, therapies
    for flag in filter(None, row["expected_flags"].split("|")):
        _assert_flag(flag, found, therapies)


def _assert_flag(flag: str, found, therapies) -> None:
    lines = found.therapies
    if flag == "germline testing needed":
        assert any("germline testing" in f for f in found.flags) or any(
            t.germline_testing for t in lines), therapies
    elif flag == "resistance":
        assert any(t.resistance or t.conflicting for t in lines), therapies
    elif flag == "conflicting":
        assert any(t.conflicting for t in lines), therapies
    elif flag == "off-label":
        assert any(t.off_label for t in lines if t.on_card), therapies
    elif flag == "tumor-agnostic":
        assert any("tumor-agnostic" in r.text for r in found.reasons), therapies
    else:
        raise AssertionError(f"unknown flag {flag!r} in amp_cases.tsv")
