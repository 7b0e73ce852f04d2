"""Copy-number segment tables: PCGR (Chromosome, Start, End, nMajor, nMinor), CNVkit .cns/.call
(chromosome, start, end, log2, cn), plain chrom/start/end/copy_number tables, and log2-ratio
tables without a copy number (the copy number computed from log2, with the purity when known).

The sample's ploidy and purity may head the file ('#ploidy=3.1', '## purity: 0.42', as
written by pipelines that know them); case.toml's `ploidy` and `purity` win over them
(mtb.case). Calls are made against the ploidy (mtb.variant.CopyNumber.call)."""

from __future__ import annotations

import re
from pathlib import Path

from mtb.errors import InputError
from mtb.ingest.tabular import optional_float, parse_int, read_table
from mtb.variant import CopyNumber, normalize_chrom, tumor_copy_number

CHROM = ("Chromosome", "chrom", "chr", "seqnames", "contig")
START = ("Start", "start", "loc.start", "chromStart")
END = ("End", "end", "loc.end", "chromEnd")
TOTAL = ("copy_number", "cn", "total_cn", "TCN", "CopyNumber")
MAJOR = ("nMajor", "major_cn", "cn1")
MINOR = ("nMinor", "minor_cn", "cn2")
LOG2 = ("log2", "log2_ratio", "seg.mean", "Segment_Mean", "log2R")
_SAMPLE = re.compile(r"^#+\s*(purity|ploidy)\s*[=:\t ]\s*([0-9]*\.?[0-9]+)\s*$", re.I)


def looks_like_segments(columns: tuple[str, ...]) -> bool:
    lowered = {c.strip().lower() for c in columns}
    has = lambda names: any(n.lower() in lowered for n in names)  # noqa: E731
    return has(CHROM) and has(START) and has(END) and (has(TOTAL) or has(MAJOR) or has(LOG2))


def sample_header(path: Path, comments: tuple[tuple[int, str], ...]) -> dict[str, float]:
    """Purity and ploidy from the lines before the header; a value out of range is an error
    naming its line."""
    found: dict[str, float] = {}
    for line, text in comments:
        match = _SAMPLE.match(text.strip())
        if match is None:
            continue
        key, value = match.group(1).lower(), float(match.group(2))
        problem = check_sample(key, value)
        if problem:
            raise InputError(path, problem, line)
        found[key] = value
    return found


def check_sample(key: str, value: float) -> str:
    """'' when a purity (a fraction, 0-1) or ploidy (0.5-10) is plausible, else the problem."""
    if key == "purity" and not 0.0 < value <= 1.0:
        return f"purity {value:g} is not a fraction between 0 and 1 (write 40 % as 0.4)"
    if key == "ploidy" and not 0.5 <= value <= 10.0:
        return f"ploidy {value:g} is not between 0.5 and 10"
    return ""


def read_segments(path: str | Path) -> list[CopyNumber]:
    """Segments with their total copy number (nMajor + nMinor where only those are given)."""
    table = read_table(Path(path))
    chrom_at = table.require("chromosome", *CHROM)
    start_at = table.require("start", *START)
    end_at = table.require("end", *END)
    total_at = table.index(*TOTAL)
    major_at, minor_at = table.index(*MAJOR), table.index(*MINOR)
    log2_at = table.index(*LOG2) if total_at is None and major_at is None else None
    if total_at is None and major_at is None and log2_at is None:
        names = ", ".join(TOTAL + MAJOR + LOG2)
        raise InputError(path, f"no copy-number column (expected one of: {names})", 1)
    sample = sample_header(Path(path), table.comments)
    ploidy, purity = sample.get("ploidy"), sample.get("purity")
    source = f"{Path(path).name} header" if sample else ""
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
        log2 = None
        if total_at is not None:
            total = optional_float(table, cells[total_at], "copy number", line)
        elif log2_at is not None:
            log2 = optional_float(table, cells[log2_at], "log2", line)
            total = tumor_copy_number(log2, purity) if log2 is not None else None
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
                log2=log2,
                ploidy=ploidy,
                purity=purity,
                sample_source=source,
            )
        )
    return segments
