"""Files -> findings and clinical events; nothing here knows about annotation.

- VCF/BCF (`.vcf`, `.vcf.gz`, `.bcf`): `VcfReader` streams, `read_vcf` collects.
- MAF files: `read_maf`; MSIsensor reports: `read_msisensor`.
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
from mtb.ingest.maf import read_maf
from mtb.ingest.msi import read_msisensor
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
    "read_maf",
    "read_msisensor",
    "read_segments",
    "read_vcf",
]

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
