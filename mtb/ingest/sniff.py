"""What kind of file is this? Answered here once, by content (never by the file's name), for
everything that asks: adding a case from uploads, case.toml entries without a `kind`, `mtb
ingest`/`annotate` (which table reader) and `mtb timeline` (which clinical reader).

The kinds are case.toml's kinds:

    vcf        tumor VCF/BCF (plain, gzip or BGZF)    maf   MAF (vcf2maf, TCGA/cBioPortal)
    segments   copy-number segment table        fusions   fusion table
    msi        MSIsensor / MSIsensor-pro report
    fhir       FHIR R4 JSON/NDJSON file, or a folder of them
    dicom      DICOM file, or a folder of DICOM files
    timeline   cBioPortal timeline              events    event table (date, kind, label)

A file that is none of these is None: each caller says what it expected (the VCF reader is
asked for molecular files, since it names precisely what is wrong with anything else).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from mtb.ingest.cnv import looks_like_segments
from mtb.ingest.files import READ_ERRORS, open_binary
from mtb.ingest.fusions import looks_like_fusions
from mtb.ingest.histories import looks_like_cbioportal_timeline, looks_like_event_table
from mtb.ingest.maf import looks_like_maf
from mtb.ingest.msi import looks_like_msisensor
from mtb.ingest.tabular import header_of

__all__ = [
    "CLINICAL_KINDS",
    "FHIR_SUFFIXES",
    "FILE_KINDS",
    "MOLECULAR_KINDS",
    "FileKind",
    "fhir_files",
    "looks_like_dicom",
    "looks_like_fhir",
    "sniff",
]

FileKind = Literal["vcf", "maf", "segments", "fusions", "msi", "fhir", "dicom", "timeline",
                   "events"]
MOLECULAR_KINDS: tuple[FileKind, ...] = ("vcf", "maf", "segments", "fusions", "msi")
CLINICAL_KINDS: tuple[FileKind, ...] = ("fhir", "dicom", "timeline", "events")
FILE_KINDS: tuple[FileKind, ...] = MOLECULAR_KINDS + CLINICAL_KINDS
_VCF_MAGIC = (b"BCF", b"##fileformat=VCF", b"#CHROM")
FHIR_SUFFIXES = (".json", ".ndjson")


def sniff(path: str | Path) -> FileKind | None:
    """The kind of a file or folder by its content; None when it is none of FILE_KINDS (or
    cannot be read)."""
    path = Path(path)
    if path.is_dir():  # a folder of FHIR files, else of DICOM files
        return "fhir" if looks_like_fhir(path) else "dicom"
    if _head(path).startswith(_VCF_MAGIC):
        return "vcf"
    if looks_like_dicom(path):
        return "dicom"
    if looks_like_fhir(path):
        return "fhir"
    if looks_like_cbioportal_timeline(path):
        return "timeline"
    if looks_like_event_table(path):
        return "events"
    columns = header_of(path)
    if looks_like_maf(columns):
        return "maf"
    if looks_like_msisensor(columns):
        return "msi"
    if looks_like_fusions(columns):
        return "fusions"
    if looks_like_segments(columns):
        return "segments"
    return None


def looks_like_fhir(path: str | Path) -> bool:
    """A JSON file whose first object has a resourceType, or a folder holding such files."""
    path = Path(path)
    if path.is_dir():
        return any(looks_like_fhir(p) for p in fhir_files(path))
    head = _raw_head(path, 4096)
    return head.lstrip()[:1] == b"{" and b'"resourceType"' in head


def fhir_files(folder: Path) -> list[Path]:
    """The .json and .ndjson files under a folder (not hidden ones), sorted."""
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in FHIR_SUFFIXES and not p.name.startswith(".")
    )


def looks_like_dicom(path: str | Path) -> bool:
    """A DICOM Part 10 file: 'DICM' after the 128-byte preamble (read without pydicom)."""
    return _raw_head(Path(path), 132)[128:132] == b"DICM"


def _raw_head(path: Path, size: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def _head(path: Path) -> bytes:
    """The first bytes, decompressed (a BCF is BGZF-compressed)."""
    try:
        with open_binary(path) as handle:
            return handle.read(64)
    except READ_ERRORS:
        return b""
