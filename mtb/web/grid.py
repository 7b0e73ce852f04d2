"""The variant table behind the case page's grid: one row per annotated finding, filtered and
sorted on the server.

A whole-genome case has 100,000 rows and more; sending them to the browser would take seconds
and hundreds of megabytes. The grid uses AG Grid's infinite row model instead: it asks for a
block of rows (startRow..endRow) with its filter and sort model, and `rows_for` answers from a
pandas frame with vectorised masks (about 20 ms for 100k rows here; bench/ui.py measures it).
The filter model is AG Grid's own (text and number filters, two conditions joined by AND/OR),
so the grid's header filters and the tier buttons above it speak one language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from annotation.model import TIER_RANK, AnnotatedVariant
from mtb.case import Case
from mtb.sequence import CODING
from mtb.variant import NO_SUPPORT

COLUMNS = ("row", "gene", "alteration", "tier", "tier_rank", "level", "vaf", "alt", "depth",
           "consequence", "coding", "filter", "type", "therapies", "hotspot", "location")
TEXT_COLUMNS = ("gene", "alteration", "tier", "level", "consequence", "coding", "filter",
                "type", "therapies", "hotspot", "location")
NUMBER_COLUMNS = ("row", "tier_rank", "vaf", "alt", "depth")


@dataclass(frozen=True)
class VariantFrame:
    frame: pd.DataFrame  # COLUMNS; index = row number = position in case.annotation.variants
    lowered: dict[str, pd.Series]  # text columns in lower case, for case-insensitive filters

    def __len__(self) -> int:
        return len(self.frame)


def variant_frame(case: Case) -> VariantFrame:
    records = [_record(row, variant) for row, variant in enumerate(case.annotation.variants)]
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    frame.index = frame["row"]
    for name in NUMBER_COLUMNS:
        if name != "row":  # the row number stays an integer: it is the grid's row id
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    for name in TEXT_COLUMNS:
        frame[name] = frame[name].fillna("").astype(str)
    lowered = {name: frame[name].str.lower() for name in TEXT_COLUMNS}
    return VariantFrame(frame, lowered)


def _record(row: int, variant: AnnotatedVariant) -> dict[str, Any]:
    finding = variant.finding
    alteration = variant.alteration
    vaf, alt, depth, _ = finding.support if finding is not None else NO_SUPPORT
    consequences = alteration.consequences
    hotspot = variant.hotspot
    return {
        "row": row,
        "gene": alteration.gene,
        "alteration": alteration.label,
        "tier": variant.tier.value,
        "tier_rank": TIER_RANK[variant.tier.value],
        "level": variant.level,
        "vaf": vaf,
        "alt": alt,
        "depth": depth,
        "consequence": ", ".join(sorted(c.replace("_variant", "").replace("_", " ")
                                        for c in consequences)),
        "coding": "yes" if consequences & CODING else "no",
        "filter": finding.filter if finding is not None else "",
        "type": finding.type_label if finding is not None else "",
        "therapies": "; ".join(t.label for t in variant.therapies[:6]),
        "hotspot": f"{hotspot.residue} ({hotspot.samples})" if hotspot else "",
        "location": finding.locus if finding is not None else "",
    }


# -- AG Grid's filter and sort models ---------------------------------------------------------


def rows_for(table: VariantFrame, request: Mapping[str, Any] | None) -> dict[str, Any]:
    """The block of rows an infinite-model grid asked for, and how many rows match."""
    request = request or {}
    model = request.get("filterModel")
    sort = request.get("sortModel")
    mask = filter_mask(table, model if isinstance(model, Mapping) else {})
    matched = table.frame[mask]
    matched = _sorted(matched, [m for m in sort if isinstance(m, Mapping)]
                      if isinstance(sort, list) else [])
    start = max(_integer(request.get("startRow"), 0), 0)
    end = min(max(_integer(request.get("endRow"), start + 100), start), start + MAX_BLOCK)
    block = matched.iloc[start:end]
    records = block.replace({np.nan: None}).to_dict("records")
    return {"rowData": records, "rowCount": len(matched)}


MAX_BLOCK = 500  # rows per request, whatever the request asks


def _integer(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def filter_mask(table: VariantFrame, model: Mapping[str, Any]) -> pd.Series:
    mask = pd.Series(True, index=table.frame.index)
    for column, spec in model.items():
        if column not in table.frame.columns or not isinstance(spec, Mapping):
            continue  # a column the grid knows and the server does not: ignore, never fail
        mask &= _column_mask(table, column, spec)
    return mask


def _column_mask(table: VariantFrame, column: str, spec: Mapping[str, Any]) -> pd.Series:
    conditions = spec.get("conditions")
    if conditions:
        masks = [_condition(table, column, c) for c in conditions if isinstance(c, Mapping)]
        if not masks:
            return pd.Series(True, index=table.frame.index)
        combined = masks[0]
        for other in masks[1:]:
            combined = (combined | other) if spec.get("operator") == "OR" else (combined & other)
        return combined
    return _condition(table, column, spec)


def _condition(table: VariantFrame, column: str, spec: Mapping[str, Any]) -> pd.Series:
    kind = spec.get("type", "contains")
    everything = pd.Series(True, index=table.frame.index)
    if column in NUMBER_COLUMNS:
        values = table.frame[column]
        if kind == "blank":
            return values.isna()
        if kind == "notBlank":
            return values.notna()
        try:
            number = float(spec.get("filter"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return everything
        if kind == "inRange":
            try:
                upper = float(spec.get("filterTo"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return everything
            return (values >= number) & (values <= upper)
        compare = {
            "equals": values == number, "notEqual": values != number,
            "lessThan": values < number, "lessThanOrEqual": values <= number,
            "greaterThan": values > number, "greaterThanOrEqual": values >= number,
        }
        return compare.get(kind, everything).fillna(False)
    values = table.lowered[column]
    if kind == "blank":
        return values == ""
    if kind == "notBlank":
        return values != ""
    text = str(spec.get("filter") or "").lower()
    if not text:
        return everything
    if kind == "equals":
        return values == text
    if kind == "notEqual":
        return values != text
    if kind == "startsWith":
        return values.str.startswith(text)
    if kind == "endsWith":
        return values.str.endswith(text)
    if kind == "notContains":
        return ~values.str.contains(text, regex=False)
    return values.str.contains(text, regex=False)


def _sorted(frame: pd.DataFrame, model: list[Mapping[str, Any]]) -> pd.DataFrame:
    """The grid's sort; without one, the board's order: tier, then gene and alteration."""
    keys = [(m.get("colId"), m.get("sort") != "desc") for m in model
            if m.get("colId") in frame.columns]
    if not keys:
        keys = [("tier_rank", True), ("gene", True), ("alteration", True)]
    if keys[0][0] == "tier":
        keys[0] = ("tier_rank", keys[0][1])
    return frame.sort_values([str(k) for k, _ in keys], ascending=[a for _, a in keys],
                             na_position="last", kind="stable")
