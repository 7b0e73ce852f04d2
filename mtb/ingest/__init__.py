"""Files -> findings and clinical events; nothing here knows about annotation.

- VCF/BCF (`.vcf`, `.vcf.gz`, `.bcf`): `VcfReader` streams, `read_vcf` collects.
- Copy-number segment tables: `read_segments`; fusion tables: `read_fusions`;
  `read_findings` reads any of them.
- The clinical record (FHIR, histories, DICOM, a FHIR server): one door, mtb.ingest.clinical.
- What kind a file is, by content: one sniffer, mtb.ingest.sniff (`file_kind` asks it which
  molecular reader a file needs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mtb.ingest.cnv import read_segments
from mtb.ingest.fusions import read_fusions
from mtb.ingest.sniff import sniff
from mtb.ingest.vcf import Callset, CallsetInfo, VcfReader, read_vcf
from mtb.variant import Finding, GenomeBuild

__all__ = [
    "Callset",
    "CallsetInfo",
    "FileFindings",
    "MolecularKind",
    "VcfReader",
    "file_kind",
    "read_findings",
    "read_fusions",
    "read_segments",
    "read_vcf",
]

MolecularKind = Literal["vcf", "segments", "fusions"]  # the molecular kinds of sniff.FILE_KINDS


def file_kind(path: str | Path) -> MolecularKind:
    """Which molecular reader a file needs. Anything that is not a recognisable table is read
    as a VCF, so that the VCF reader reports what is wrong with it."""
    kind = sniff(path)
    return kind if kind in ("segments", "fusions") else "vcf"


@dataclass
class FileFindings:
    """Everything read from one input file, whatever its kind."""

    path: str
    kind: MolecularKind
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
