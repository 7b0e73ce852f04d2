"""`mtb ingest` as one domain function: any input file -> rows on a stream, and a summary.

`write_findings` chooses the reader (columnar or per record for a VCF, mtb.ingest.columnar;
the table readers otherwise), writes the TSV or JSON rows of mtb.rows as it streams, shows a
progress bar on a terminal for large files, and returns what the CLI prints on stderr. The
output does not depend on the reader chosen: the tests compare both on every file.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from mtb.ingest.columnar import ColumnarReader
from mtb.ingest.findings import file_kind, read_findings
from mtb.ingest.vcf import CallsetInfo, Counts
from mtb.rows import INGEST_COLUMNS, finding_row, tsv_line
from mtb.variant import Finding, GenomeBuild, SmallVariant

PROGRESS_MIN_BYTES = 8 << 20  # smaller files are read before a bar would be worth drawing
CONTENT = {"maf": "MAF", "segments": "copy-number segments", "fusions": "gene fusions",
           "msi": "MSIsensor report"}


@dataclass
class IngestSummary:
    """What `mtb ingest` reports on stderr after the rows."""

    path: str
    content: str  # VCF, BCF, MAF, copy-number segments, gene fusions, MSIsensor report
    by_type: Counter[str] = field(default_factory=Counter)
    by_filter: Counter[str] = field(default_factory=Counter)
    info: CallsetInfo | None = None
    counts: Counts | None = None
    reader: str = ""  # 'columnar' or 'per record' (for VCF/BCF; never shown to users)

    def lines(self) -> list[str]:
        info, counts = self.info, self.counts
        lines = [f"file: {self.path}", f"content: {self.content}"]
        if info is not None and counts is not None:
            lines += [
                f"format: {info.file_format}; caller: {info.caller}; "
                f"annotation: {info.annotation or 'none'}",
                f"genome build: {info.build} ({info.build_evidence})",
                f"tumor sample: {info.tumor_sample or '-'} ({info.roles_from}); "
                f"normal sample: {info.normal_sample or '-'}",
                f"records: {counts.records}",
            ]
        rows = sum(self.by_type.values())
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.by_type.items()))
        lines.append(f"rows: {rows}" + (f" ({kinds})" if rows else ""))
        filters = counts.by_filter if counts is not None else self.by_filter
        if filters:
            shown = ", ".join(f"{k} {v}" for k, v in filters.most_common(8))
            more = len(filters) - 8
            lines.append(f"filter: {shown}" + (f", {more} more" if more > 0 else ""))
        if counts is not None and counts.filtered_out:
            lines.append(f"--pass-only dropped {counts.filtered_out} records")
        if info is not None:
            lines += [f"warning: {warning}" for warning in info.warnings]
        return lines

    def text(self) -> str:
        return "\n".join(self.lines()) + "\n"


def json_row(finding: Finding) -> dict[str, Any]:
    """One finding as `mtb ingest --format json` writes it: the row and every transcript."""
    row = finding_row(finding)
    if isinstance(finding, SmallVariant):
        row["transcripts"] = [
            {
                "gene": t.gene, "transcript": t.transcript, "consequence": list(t.consequence),
                "hgvsc": t.hgvsc, "hgvsp": t.hgvsp, "hgvsp_long": t.hgvsp_long, "exon": t.exon,
                "impact": t.impact, "canonical": t.canonical, "mane_select": t.mane_select,
                "source": t.source,
            }
            for t in finding.transcripts
        ]
    return row


class _JsonWriter:
    """A JSON array written as it streams, one object per line."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.first = True
        out.write("[")

    def write(self, findings: Iterable[Finding]) -> None:
        out, dumps = self.out, json.dumps
        for finding in findings:
            out.write("\n" if self.first else ",\n")
            out.write(dumps(json_row(finding), separators=(",", ":")))
            self.first = False

    def close(self) -> None:
        self.out.write("\n]\n")


class ProgressBar:
    """Records read and throughput on stderr, redrawn in place at most four times a second."""

    def __init__(self, err: IO[str], path: Path) -> None:
        self.err = err
        self.name = path.name
        self.size = path.stat().st_size
        self.started = time.monotonic()
        self.drawn = 0.0
        self.shown = False

    @classmethod
    def wanted(cls, err: IO[str] | None, path: Path) -> bool:
        try:
            return bool(err is not None and err.isatty()
                        and path.stat().st_size >= PROGRESS_MIN_BYTES)
        except (OSError, ValueError):
            return False

    def __call__(self, records: int, consumed: int) -> None:
        now = time.monotonic()
        if now - self.drawn < 0.25:
            return
        self.drawn = now
        elapsed = max(now - self.started, 1e-6)
        parts = [f"{records:,} records", f"{records / elapsed:,.0f} records/s"]
        if consumed > 0:
            parts[:0] = [f"{min(consumed / self.size, 1.0):4.0%}"]
            parts.append(f"{consumed / elapsed / 1e6:.1f} MB/s")
        self.err.write("\r" + f"reading {self.name}: " + " · ".join(parts) + "\033[K")
        self.err.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.err.write("\r\033[K")
            self.err.flush()


def write_findings(
    path: str | Path,
    out: IO[str],
    *,
    fmt: str = "tsv",
    tumor: str | None = None,
    normal: str | None = None,
    build: GenomeBuild | None = None,
    pass_only: bool = False,
    progress_to: IO[str] | None = None,
    engine: str = "auto",
) -> IngestSummary:
    """Write the rows of `mtb ingest PATH` (TSV with its header line, or a JSON array) to `out`
    and return the summary. `engine='records'` forces the per-record VCF reader (tests)."""
    kind = file_kind(path)
    if kind != "vcf":  # a table or a MAF: read whole (small); a VCF streams
        findings: list[Any] = read_findings(path, tumor=tumor, build=build,
                                            pass_only=pass_only).findings
        summary = IngestSummary(str(path), CONTENT[kind])
        for finding in findings:
            summary.by_type[finding.variant_type.value] += 1
            summary.by_filter[finding.filter] += 1
        _write_all(out, fmt, [findings])
        out.flush()
        return summary

    location = Path(path)
    bar = (ProgressBar(progress_to, location)
           if progress_to is not None and ProgressBar.wanted(progress_to, location) else None)
    try:
        with ColumnarReader(path, tumor=tumor, normal=normal, build=build, pass_only=pass_only,
                            engine=engine, progress=bar) as reader:
            if fmt == "json":
                writer = _JsonWriter(out)
                for batch in reader.batches():
                    writer.write(batch.findings())
                writer.close()
            else:
                out.write("\t".join(INGEST_COLUMNS) + "\n")
                for batch in reader.batches():
                    out.write(batch.tsv())
            summary = IngestSummary(
                str(path), "BCF" if reader.is_bcf else "VCF", info=reader.info,
                counts=reader.counts, reader="columnar" if reader.columnar else "per record")
            for variant_type, count in reader.counts.by_type.items():
                summary.by_type[str(variant_type)] += count
    finally:
        if bar is not None:
            bar.close()
    out.flush()
    return summary


def _write_all(out: IO[str], fmt: str, batches: Iterable[list[Finding]]) -> None:
    if fmt == "json":
        writer = _JsonWriter(out)
        for batch in batches:
            writer.write(batch)
        writer.close()
        return
    out.write("\t".join(INGEST_COLUMNS) + "\n")
    for batch in batches:
        out.write("".join(tsv_line(finding) for finding in batch))
