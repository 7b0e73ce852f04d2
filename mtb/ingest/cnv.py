"""Copy-number segment tables: PCGR (Chromosome, Start, End, nMajor, nMinor), CNVkit .cns/.call
(chromosome, start, end, log2, cn) and plain chrom/start/end/copy_number tables."""

from __future__ import annotations

from pathlib import Path

from mtb.errors import InputError
from mtb.ingest.tabular import optional_float, parse_int, read_table
from mtb.variant import CopyNumber, normalize_chrom

CHROM = ("Chromosome", "chrom", "chr", "seqnames", "contig")
START = ("Start", "start", "loc.start", "chromStart")
END = ("End", "end", "loc.end", "chromEnd")
TOTAL = ("copy_number", "cn", "total_cn", "TCN", "CopyNumber")
MAJOR = ("nMajor", "major_cn", "cn1")
MINOR = ("nMinor", "minor_cn", "cn2")


def looks_like_segments(columns: tuple[str, ...]) -> bool:
    lowered = {c.strip().lower() for c in columns}
    has = lambda names: any(n.lower() in lowered for n in names)  # noqa: E731
    return has(CHROM) and has(START) and has(END) and (has(TOTAL) or has(MAJOR))


def read_segments(path: str | Path) -> list[CopyNumber]:
    """Segments with their total copy number (nMajor + nMinor where only those are given)."""
    table = read_table(Path(path))
    chrom_at = table.require("chromosome", *CHROM)
    start_at = table.require("start", *START)
    end_at = table.require("end", *END)
    total_at = table.index(*TOTAL)
    major_at, minor_at = table.index(*MAJOR), table.index(*MINOR)
    if total_at is None and major_at is None:
        names = ", ".join(TOTAL + MAJOR)
        raise InputError(path, f"no copy-number column (expected one of: {names})", 1)
    segments = []
    for line, cells in table.rows:
        chrom = cells[chrom_at]
        if not chrom:
            raise InputError(path, "chromosome is empty", line)
        start = parse_int(table, cells[start_at], "start", line)
        end = parse_int(table, cells[end_at], "end", line)
        if end < start:
            raise InputError(path, "segment ends before it starts", line)
        major = minor = None
        if major_at is not None:
            major_value = optional_float(table, cells[major_at], "nMajor", line)
            major = int(major_value) if major_value is not None else None
        if minor_at is not None:
            minor_value = optional_float(table, cells[minor_at], "nMinor", line)
            minor = int(minor_value) if minor_value is not None else None
        if total_at is not None:
            total = optional_float(table, cells[total_at], "copy number", line)
        else:
            total = float(major + minor) if major is not None and minor is not None else None
        if total is not None and total < 0:
            raise InputError(path, "copy number is negative", line)
        segments.append(
            CopyNumber(
                chrom=chrom,
                start=start,
                end=end,
                norm_chrom=normalize_chrom(chrom),
                copy_number=total,
                major_cn=major,
                minor_cn=minor,
                line=line,
            )
        )
    return segments
