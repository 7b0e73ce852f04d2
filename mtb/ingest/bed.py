"""Reading a sequencing panel's target regions (BED: chrom, 0-based start, end) for TMB."""

from __future__ import annotations

from pathlib import Path

from mtb.errors import InputError
from mtb.ingest.files import READ_ERRORS, open_text
from mtb.regions import Regions
from mtb.variant import normalize_chrom


def read_bed(path: str | Path) -> Regions:
    raw: dict[str, list[tuple[int, int]]] = {}
    try:
        with open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip() or line.startswith(("#", "track", "browser")):
                    continue
                fields = line.rstrip("\r\n").split("\t")
                if len(fields) < 3:
                    raise InputError(path, "a BED line needs chrom, start and end", number)
                try:
                    start, end = int(fields[1]), int(fields[2])
                except ValueError:
                    raise InputError(path, "start or end is not a number", number) from None
                if start < 0 or end <= start:
                    raise InputError(path, "end must be greater than start >= 0", number)
                raw.setdefault(normalize_chrom(fields[0]), []).append((start, end))
    except READ_ERRORS as error:
        raise InputError(path, f"cannot be read ({error})") from None
    if not raw:
        raise InputError(path, "holds no regions")
    merged = {}
    for chrom, spans in raw.items():
        spans.sort()
        starts, ends = [spans[0][0]], [spans[0][1]]
        for start, end in spans[1:]:
            if start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        merged[chrom] = (tuple(starts), tuple(ends))
    return Regions(str(path), merged)
