"""Any molecular file into findings in memory: which reader a file needs (`file_kind`, by
content through mtb.ingest.sniff) and `read_findings`, which reads it whole."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mtb.ingest.cnv import read_segments
from mtb.ingest.columnar import ColumnarReader
from mtb.ingest.fusions import read_fusions
from mtb.ingest.maf import read_maf
from mtb.ingest.msi import read_msisensor
from mtb.ingest.sniff import sniff
from mtb.ingest.vcf import CallsetInfo
from mtb.variant import Finding, GenomeBuild

MolecularKind = Literal["vcf", "maf", "segments", "fusions", "msi"]  # sniff's molecular kinds


def file_kind(path: str | Path) -> MolecularKind:
    """Which molecular reader a file needs. Anything that is not a recognisable table is read
    as a VCF, so that the VCF reader reports what is wrong with it."""
    kind = sniff(path)
    return kind if kind in ("maf", "segments", "fusions", "msi") else "vcf"


@dataclass
class FileFindings:
    """Everything read from one input file, whatever its kind."""

    path: str
    kind: MolecularKind
    findings: list[Finding]
    info: CallsetInfo | None  # VCF/BCF only
    build: GenomeBuild
    filtered_out: int = 0  # records pass_only left out


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
    if kind == "vcf":  # columnar where it can (a whole genome in seconds), in file order
        with ColumnarReader(path, tumor=tumor, normal=normal, build=build,
                            pass_only=pass_only) as reader:
            findings: list[Finding] = [f for batch in reader.batches() for f in batch.findings()]
        return FileFindings(str(path), kind, findings, reader.info, reader.info.build,
                            reader.counts.filtered_out)
    if kind == "maf":
        variants, maf_build, _ = read_maf(path, tumor=tumor)
        kept: list[Finding] = [v for v in variants if v.passed or not pass_only]
        return FileFindings(str(path), kind, kept, None,
                            build or maf_build)
    if kind == "msi":
        return FileFindings(str(path), kind, list(read_msisensor(path)), None,
                            build or GenomeBuild.UNKNOWN)
    table: list[Finding] = list(read_segments(path) if kind == "segments" else read_fusions(path))
    if pass_only:
        table = [finding for finding in table if finding.passed]
    return FileFindings(str(path), kind, table, None, build or GenomeBuild.UNKNOWN)
