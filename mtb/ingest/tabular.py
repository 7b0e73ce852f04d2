"""Tab-separated tables (copy-number segments, fusions) read with line numbers.

Tools name their columns differently; each reader declares the aliases it accepts and this module
finds them case-insensitively, so a missing column is reported by the names it could have had.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mtb.errors import InputError
from mtb.ingest.files import READ_ERRORS, open_text


@dataclass(frozen=True)
class Table:
    path: Path
    columns: tuple[str, ...]  # as written, a leading '#' removed
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    comments: tuple[tuple[int, str], ...] = ()  # (line number, text) of the lines before the
    # header: '#version 2.4', '#purity=0.42'

    def index(self, *aliases: str) -> int | None:
        """Position of the first column named by any alias (case-insensitive), else None."""
        lowered = [name.strip().lower() for name in self.columns]
        for alias in aliases:
            if alias.lower() in lowered:
                return lowered.index(alias.lower())
        return None

    def require(self, what: str, *aliases: str) -> int:
        position = self.index(*aliases)
        if position is None:
            raise InputError(
                self.path, f"no {what} column (expected one of: {', '.join(aliases)})", line=1
            )
        return position


def header_of(path: Path) -> tuple[str, ...]:
    """The column names of a table, or () if the file is not readable as text."""
    try:
        with open_text(path) as handle:
            for line in handle:
                if _comment(line.split("\t")) or not line.strip():
                    continue
                return tuple(line.rstrip("\r\n").lstrip("#").split("\t"))
    except (*READ_ERRORS, UnicodeDecodeError):
        return ()
    return ()


def read_table(path: Path) -> Table:
    try:
        with open_text(path) as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            columns: Sequence[str] | None = None
            rows: list[tuple[int, list[str]]] = []
            comments: list[tuple[int, str]] = []
            for number, cells in enumerate(reader, start=1):
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                if columns is None:
                    if _comment(cells):
                        comments.append((number, "\t".join(cells)))
                        continue
                    columns = [cells[0].lstrip("#"), *cells[1:]]
                    continue
                if len(cells) != len(columns):
                    raise InputError(
                        path, f"has {len(cells)} columns, the header has {len(columns)}", number
                    )
                rows.append((number, cells))
    except (*READ_ERRORS, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot be read as a text table ({error})") from None
    if columns is None:
        raise InputError(path, "is empty: no header line")
    return Table(path, tuple(columns), rows, tuple(comments))


def _comment(cells: Sequence[str]) -> bool:
    """A comment before the header: '##...', or a one-cell '#...' line (MAF's '#version 2.4');
    a '#'-prefixed line with columns is the header ('#chrom<TAB>start...')."""
    first = cells[0] if cells else ""
    return first.startswith("##") or (first.startswith("#") and len(cells) == 1)


def parse_int(table: Table, value: str, what: str, line: int) -> int:
    try:
        return int(float(value)) if value not in ("", ".", "NA") else _missing(table, what, line)
    except ValueError:
        raise InputError(table.path, f"{what} is not a number", line) from None


def _missing(table: Table, what: str, line: int) -> int:
    raise InputError(table.path, f"{what} is missing", line)


def optional_float(table: Table, value: str, what: str, line: int) -> float | None:
    if value in ("", ".", "NA", "NaN", "nan"):
        return None
    try:
        return float(value)
    except ValueError:
        raise InputError(table.path, f"{what} is not a number", line) from None


