"""Gene-fusion tables: PCGR (FusionGene 'A--B', LeftBreakpoint, RightBreakpoint, SplitReads),
STAR-Fusion (#FusionName, JunctionReadCount, SpanningFragCount, LeftBreakpoint, RightBreakpoint)
and Arriba (#gene1, gene2, breakpoint1, breakpoint2, split_reads1/2, discordant_mates).

The 5' partner is written first in all three; names are normalised to the 'A::B' of HGNC and
CIViC. Arriba may list several candidate genes ('GENE1,GENE2(1234)'); the first is taken.
"""

from __future__ import annotations

import re
from pathlib import Path

from mtb.errors import InputError
from mtb.ingest.tabular import Table, read_table
from mtb.variant import Fusion

NAME = ("FusionGene", "FusionName", "fusion", "fusion_name")
GENE5 = ("gene1", "5_prime_gene", "gene5")
GENE3 = ("gene2", "3_prime_gene", "gene3")
LEFT = ("LeftBreakpoint", "breakpoint1", "left_breakpoint")
RIGHT = ("RightBreakpoint", "breakpoint2", "right_breakpoint")
SPLIT = ("SplitReads", "JunctionReadCount", "split_reads", "junction_reads")
SPLIT_PARTS = ("split_reads1", "split_reads2")
SPANNING = ("SpanningFragCount", "discordant_mates", "spanning_reads")
_GENE_ANNOTATION = re.compile(r"\(.*\)$")
_BREAKPOINT = re.compile(r"^\s*([^:\s]+):(\d+)")


def looks_like_fusions(columns: tuple[str, ...]) -> bool:
    lowered = {c.strip().lower() for c in columns}
    has = lambda names: any(n.lower() in lowered for n in names)  # noqa: E731
    return has(NAME) or (has(GENE5) and has(GENE3))


def split_fusion_name(name: str) -> tuple[str, str] | None:
    """'EML4--ALK', 'EML4::ALK', 'NKX2-1--ALK', 'EML4-ALK' -> gene pair.

    A single '-' separates only when it is the only hyphen (gene symbols such as NKX2-1 or
    HLA-A hold one themselves); otherwise None.
    """
    name = name.strip()
    for separator in ("::", "--"):
        if separator in name:
            left, _, right = name.partition(separator)
            return (left.strip(), right.strip()) if left and right else None
    if name.count("-") == 1:
        left, _, right = name.partition("-")
        return (left, right) if left and right else None
    return None


def _gene(cell: str) -> str:
    return _GENE_ANNOTATION.sub("", cell.split(",")[0]).strip()


def _breakpoint(cell: str) -> str:
    """'chr14:36516392:-' (STAR-Fusion, with strand) -> 'chr14:36516392'."""
    match = _BREAKPOINT.match(cell)
    return f"{match.group(1)}:{match.group(2)}" if match else cell.strip()


def _count(table: Table, cells: list[str], at: int | None, line: int) -> int | None:
    if at is None or cells[at] in ("", ".", "NA"):
        return None
    try:
        return int(float(cells[at]))
    except ValueError:
        raise InputError(table.path, f"{table.columns[at]} is not a number", line) from None


def read_fusions(path: str | Path) -> list[Fusion]:
    table = read_table(Path(path))
    name_at = table.index(*NAME)
    gene5_at, gene3_at = table.index(*GENE5), table.index(*GENE3)
    if name_at is None and (gene5_at is None or gene3_at is None):
        raise InputError(path, f"no fusion name column (expected one of: {', '.join(NAME)})", 1)
    left_at, right_at = table.index(*LEFT), table.index(*RIGHT)
    split_at, spanning_at = table.index(*SPLIT), table.index(*SPANNING)
    split_parts = [table.index(name) for name in SPLIT_PARTS]
    fusions = []
    pair: tuple[str, str] | None
    for line, cells in table.rows:
        if gene5_at is not None and gene3_at is not None:
            pair = (_gene(cells[gene5_at]), _gene(cells[gene3_at]))
        else:
            assert name_at is not None  # checked above: a name column or both gene columns
            pair = split_fusion_name(cells[name_at])
        if not pair or not all(pair):
            raise InputError(path, "fusion name is not of the form GENE1--GENE2", line)
        split = _count(table, cells, split_at, line)
        if split is None and all(at is not None for at in split_parts):
            parts = [_count(table, cells, at, line) for at in split_parts]
            split = sum(p for p in parts if p is not None)
        fusions.append(
            Fusion(
                gene5=pair[0],
                gene3=pair[1],
                breakpoint5=_breakpoint(cells[left_at]) if left_at is not None else "",
                breakpoint3=_breakpoint(cells[right_at]) if right_at is not None else "",
                split_reads=split,
                spanning_reads=_count(table, cells, spanning_at, line),
                line=line,
            )
        )
    return fusions
