"""Batches of findings, as the columnar reader hands them out: per-record findings, or columns.

A `ColumnBatch` holds a chunk's rows as NumPy columns (text columns as codes into their
distinct values) and writes them either as `mtb.rows` TSV bytes (`tsv`, in NumPy, see
mtb.ingest.rowtext) or as the very objects the per-record reader makes (`findings`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from mtb.ingest.rowtext import assemble, int_matrix, table_matrix
from mtb.ingest.vcf import VcfFinding
from mtb.ingest.vectors import MISSING
from mtb.rows import format_cell, tsv_line
from mtb.variant import SmallVariant, VariantType

_new = tuple.__new__


class Batch:
    """Findings of consecutive records, in file order."""

    def findings(self) -> list[VcfFinding]:
        raise NotImplementedError

    def tsv(self) -> str:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


@dataclass
class RecordBatch(Batch):
    """Findings the per-record reader made."""

    items: list[VcfFinding]

    def findings(self) -> list[VcfFinding]:
        return self.items

    def tsv(self) -> str:
        return "".join([tsv_line(finding) for finding in self.items])

    def __len__(self) -> int:
        return len(self.items)


def _objects(values: np.ndarray, missing: np.ndarray) -> list[object]:
    out = values.astype(object)
    out[missing] = None
    return out.tolist()


@dataclass
class Coded:
    """A text column as codes into its distinct values."""

    names: list[str]
    code: np.ndarray

    def matrix(self, rows: np.ndarray | None = None) -> np.ndarray:
        return table_matrix(self.names)[self.code if rows is None else self.code[rows]]

    def objects(self, rows: np.ndarray | None = None,
                names: Sequence[object] | None = None) -> list:
        values = table(names if names is not None else self.names)
        return values[self.code if rows is None else self.code[rows]].tolist()


def _vaf_matrix(values: np.ndarray) -> np.ndarray:
    """VAF cells as `mtb.rows` writes them: rounded to 4 digits, rendered per distinct value."""
    missing = np.isnan(values)
    unique, inverse = np.unique(values[~missing], return_inverse=True)
    names = [format_cell(round(value, 4)) for value in unique.tolist()] + [""]
    code = np.full(len(values), len(names) - 1, np.int64)
    code[~missing] = inverse.ravel()
    return table_matrix(names)[code]


@dataclass
class ColumnBatch(Batch):
    """Rows of a chunk as columns; per-record columns are indexed through `record`."""

    record: np.ndarray  # row -> record
    chrom: Coded  # per record
    norms: list[str]  # normalised name of each chrom name
    pos: np.ndarray  # per record, int64
    ident: Coded  # per record, '' for '.'
    ref: Coded  # per record
    qual: Coded  # per record: the cell as written by mtb.rows ('' for '.')
    quals: list[float | None]  # value of each qual name
    filter: Coded  # per record
    line: np.ndarray  # per record, int64
    source: Coded  # per record: the convention's name
    alt: Coded  # per row
    kind: Coded  # per row: VariantType values
    evidence: tuple[np.ndarray, ...]  # per row: tumor vaf, alt, depth, normal vaf, alt, depth

    def __len__(self) -> int:
        return len(self.record)

    def tsv(self) -> str:
        rows = len(self.record)
        if not rows:
            return ""
        record = self.record
        tv, ta, td, nv, na, nd = self.evidence
        tab = b"\t"
        parts: list[np.ndarray | bytes] = [
            self.chrom.matrix(record), tab, int_matrix(self.pos[record]), tab,
            self.ref.matrix(record), tab, self.alt.matrix(), tab, self.filter.matrix(record), tab,
            self.kind.matrix(), b"\t\t\t\t\t", _vaf_matrix(tv), tab,
            int_matrix(ta, ta == MISSING), tab, int_matrix(td, td == MISSING), tab,
            _vaf_matrix(nv), tab, int_matrix(nd, nd == MISSING), tab,
            int_matrix(na, na == MISSING), tab, self.ident.matrix(record), tab,
            self.qual.matrix(record), b"\t\t\t\t\t", self.source.matrix(record),
            b"\t\t\t\t\t\t\t", int_matrix(self.line[record]), b"\t\t\t\n",  # no RNA columns
        ]
        text = assemble(parts, rows)
        return text if text is not None else "".join(tsv_line(f) for f in self.findings())

    def findings(self) -> list[VcfFinding]:
        tv, ta, td, nv, na, nd = self.evidence
        record = self.record
        columns = (
            self.chrom.objects(record), self.pos[record].tolist(), self.ref.objects(record),
            self.alt.objects(), self.filter.objects(record),
            self.kind.objects(names=[VariantType(name) for name in self.kind.names]),
            self.chrom.objects(record, names=self.norms), self.ident.objects(record),
            self.qual.objects(record, names=self.quals),
            _objects(tv, np.isnan(tv)), _objects(ta, ta == MISSING), _objects(td, td == MISSING),
            _objects(nv, np.isnan(nv)), _objects(na, na == MISSING), _objects(nd, nd == MISSING),
            self.source.objects(record), repeat(None), repeat(()), self.line[record].tolist(),
            repeat(None), repeat(None), repeat(None),  # no RNA sample on the columnar path
        )
        return [_new(SmallVariant, values) for values in zip(*columns, strict=False)]


def table(values: Sequence[object]) -> np.ndarray:
    """An object array of the values (a list of tuples stays a list of tuples)."""
    out = np.empty(len(values), object)
    out[:] = values
    return out
