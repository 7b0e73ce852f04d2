"""Files -> findings; nothing here knows about annotation.

- VCF/BCF (`.vcf`, `.vcf.gz`, `.bcf`): `VcfReader` streams, `read_vcf` collects;
  `ColumnarReader` / `finding_batches` stream whole genomes in batches (columnar where it can);
  `write_findings` is `mtb ingest` (rows of any input file, and its summary).
- Copy-number segment tables: `read_segments`; fusion tables: `read_fusions`.
`file_kind` tells them apart by content, not by file name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mtb.ingest.cnv import looks_like_segments, read_segments
from mtb.ingest.columnar import ColumnarReader, finding_batches
from mtb.ingest.export import IngestSummary, write_findings
from mtb.ingest.files import READ_ERRORS, open_binary
from mtb.ingest.fusions import looks_like_fusions, read_fusions
from mtb.ingest.tabular import header_of
from mtb.ingest.vcf import Callset, CallsetInfo, VcfReader, read_vcf
from mtb.variant import Finding, GenomeBuild

__all__ = [
    "Callset",
    "CallsetInfo",
    "ColumnarReader",
    "FileFindings",
    "IngestSummary",
    "VcfReader",
    "file_kind",
    "finding_batches",
    "read_findings",
    "read_fusions",
    "read_segments",
    "read_vcf",
    "write_findings",
]

FileKind = Literal["vcf", "segments", "fusions"]


def file_kind(path: str | Path) -> FileKind:
    """What a file holds. Anything that is not a recognisable table is read as a VCF, so that
    the VCF reader reports what is wrong with it."""
    path = Path(path)
    try:
        with open_binary(path) as handle:
            head = handle.read(64)
    except READ_ERRORS:
        return "vcf"
    if head.startswith((b"BCF", b"##fileformat=VCF", b"#CHROM")):
        return "vcf"
    columns = header_of(path)
    if looks_like_fusions(columns):
        return "fusions"
    if looks_like_segments(columns):
        return "segments"
    return "vcf"


@dataclass
class FileFindings:
    """Everything read from one input file, whatever its kind."""

    path: str
    kind: FileKind
    findings: list[Finding]
    info: CallsetInfo | None  # VCF/BCF only
    build: GenomeBuild


def read_findings(
    path: str | Path,
    *,
    tumor: str | None = None,
    normal: str | None = None,
    build: GenomeBuild | None = None,
    pass_only: bool = False,
) -> FileFindings:
    """Read any supported file into memory. Tables carry no build: the given one (or unknown)."""
    kind = file_kind(path)
    if kind == "vcf":
        callset = read_vcf(path, tumor=tumor, normal=normal, build=build, pass_only=pass_only)
        findings: list[Finding] = [
            *callset.variants, *callset.copy_numbers, *callset.structural_variants
        ]
        return FileFindings(str(path), kind, findings, callset.info, callset.info.build)
    table: list[Finding] = list(read_segments(path) if kind == "segments" else read_fusions(path))
    if pass_only:
        table = [finding for finding in table if finding.passed]
    return FileFindings(str(path), kind, table, None, build or GenomeBuild.UNKNOWN)
