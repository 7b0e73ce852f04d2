"""The variant grid's server side (mtb.web.grid) on a drawn case: AG Grid's filter and sort
models answered from the frame, blocks, and requests the server must survive."""

from __future__ import annotations

import pytest

from annotation.model import Tier
from mtb.web.grid import MAX_BLOCK, filter_mask, rows_for, variant_frame
from mtb.web.pages.case import tier_filter_model
from tests.drawn import amplification, case_of, fusion, small

VARIANTS = [
    small("TP53", "p.R175H", Tier.III, vaf=0.55),
    small("EGFR", "p.L858R", Tier.IA, level="A", vaf=0.42),
    small("KRAS", "p.G12C", Tier.IIC, level="C", vaf=0.04, filter_="weak_evidence"),
    small("PIK3CA", "p.E545K", Tier.IID, vaf=None,
          consequences=frozenset({"intron_variant"})),
    amplification("ERBB2", Tier.IB),
    fusion("EML4", "ALK", Tier.IA, split_reads=23),
]
FRAME = variant_frame(case_of(VARIANTS))


def genes(request: dict) -> list[str]:
    return [row["gene"] for row in rows_for(FRAME, request)["rowData"]]


def text(column: str, kind: str, value: str = "") -> dict:
    return {"filterModel": {column: {"filterType": "text", "type": kind, "filter": value}}}


def number(column: str, kind: str, value: float | None = None, to: float | None = None) -> dict:
    return {"filterModel": {column: {"filterType": "number", "type": kind, "filter": value,
                                     "filterTo": to}}}


def test_rows_carry_uniform_support_and_locus() -> None:
    rows = {r["gene"]: r for r in rows_for(FRAME, {})["rowData"]}
    assert (rows["EGFR"]["vaf"], rows["EGFR"]["alt"], rows["EGFR"]["depth"]) == (0.42, 30, 100)
    assert rows["EGFR"]["type"] == "snv" and rows["EGFR"]["coding"] == "yes"
    assert rows["PIK3CA"]["vaf"] is None and rows["PIK3CA"]["coding"] == "no"
    assert (rows["ALK"]["alt"], rows["ALK"]["type"]) == (23, "fusion")
    assert rows["ALK"]["location"] == "chr2:42299876 / chr2:29223528"
    assert (rows["ERBB2"]["type"], rows["ERBB2"]["location"]) == ("CNV", "chr17:39000000-39100000")


def test_default_order_is_the_boards() -> None:
    assert genes({}) == ["ALK", "EGFR", "ERBB2", "KRAS", "PIK3CA", "TP53"]


@pytest.mark.parametrize(("request_", "expected"), [
    (text("gene", "contains", "k"), ["ALK", "KRAS", "PIK3CA"]),
    (text("gene", "equals", "egfr"), ["EGFR"]),
    (text("gene", "notEqual", "egfr"), ["ALK", "ERBB2", "KRAS", "PIK3CA", "TP53"]),
    (text("gene", "startsWith", "e"), ["EGFR", "ERBB2"]),
    (text("gene", "endsWith", "53"), ["TP53"]),
    (text("gene", "notContains", "a"), ["EGFR", "ERBB2", "TP53"]),
    (text("filter", "equals", "PASS"), ["EGFR", "PIK3CA", "TP53"]),
    (text("level", "blank"), ["ALK", "ERBB2", "PIK3CA", "TP53"]),
    (text("level", "notBlank"), ["EGFR", "KRAS"]),
    (text("gene", "contains", ""), ["ALK", "EGFR", "ERBB2", "KRAS", "PIK3CA", "TP53"]),
    (number("vaf", "greaterThanOrEqual", 0.05), ["EGFR", "TP53"]),
    (number("vaf", "lessThan", 0.05), ["KRAS"]),
    (number("vaf", "blank"), ["ALK", "ERBB2", "PIK3CA"]),
    (number("vaf", "inRange", 0.4, 0.6), ["EGFR", "TP53"]),
    (number("alt", "equals", 23), ["ALK"]),
    (number("vaf", "greaterThan", "not a number"), ["ALK", "EGFR", "ERBB2", "KRAS", "PIK3CA",
                                                     "TP53"]),
])
def test_filters(request_: dict, expected: list[str]) -> None:
    assert genes(request_) == expected


def test_two_conditions_and_or() -> None:
    conditions = [{"type": "startsWith", "filter": "e"}, {"type": "endsWith", "filter": "r"}]
    both = {"filterModel": {"gene": {"filterType": "text", "operator": "AND",
                                     "conditions": conditions}}}
    either = {"filterModel": {"gene": {"filterType": "text", "operator": "OR",
                                       "conditions": conditions}}}
    assert genes(both) == ["EGFR"]
    assert genes(either) == ["EGFR", "ERBB2"]


def test_tier_buttons_filter_by_rank_and_keep_other_filters() -> None:
    model = tier_filter_model({"gene": {"type": "contains", "filter": "r"}}, 3)
    assert genes({"filterModel": model}) == ["EGFR", "ERBB2", "KRAS"]
    assert "tier_rank" not in tier_filter_model(model, 5)
    assert genes({"filterModel": tier_filter_model(None, 1)}) == ["ALK", "EGFR", "ERBB2"]


def test_sorting() -> None:
    assert genes({"sortModel": [{"colId": "vaf", "sort": "desc"}]})[:3] == ["TP53", "EGFR",
                                                                              "KRAS"]
    assert genes({"sortModel": [{"colId": "tier", "sort": "desc"}]})[0] == "TP53"
    assert genes({"sortModel": [{"colId": "no-such-column"}]}) == genes({})


def test_blocks_counts_and_limits() -> None:
    answer = rows_for(FRAME, {"startRow": 2, "endRow": 4})
    assert answer["rowCount"] == 6 and [r["gene"] for r in answer["rowData"]] == ["ERBB2", "KRAS"]
    assert rows_for(FRAME, {"startRow": 0, "endRow": 10**9})["rowCount"] == 6
    huge = variant_frame(case_of([small("G", f"p.A{n}T", Tier.III) for n in range(MAX_BLOCK + 5)]))
    assert len(rows_for(huge, {"startRow": 0, "endRow": 10**6})["rowData"]) == MAX_BLOCK


@pytest.mark.parametrize("request_", [
    None, {}, {"startRow": "x", "endRow": None}, {"filterModel": "nonsense"},
    {"filterModel": {"gene": "nonsense", "no-such-column": {"type": "equals"}}},
    {"sortModel": "nonsense"}, {"startRow": -5, "endRow": -1},
])
def test_malformed_requests_are_answered(request_) -> None:
    answer = rows_for(FRAME, request_)
    assert answer["rowCount"] in (0, 6)


def test_filter_mask_is_a_mask_over_every_row() -> None:
    mask = filter_mask(FRAME, {"gene": {"type": "equals", "filter": "kras"}})
    assert list(mask) == [False, False, True, False, False, False]
