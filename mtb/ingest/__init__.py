"""Files -> findings; nothing here knows about annotation.

- VCF/BCF (`.vcf`, `.vcf.gz`, `.bcf`): `VcfReader` streams, `read_vcf` collects.
- Copy-number segment tables: `read_segments`; fusion tables: `read_fusions`.
`file_kind` tells them apart by content, not by file name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from mtb.ingest.cnv import looks_like_segments, read_segments
from mtb.ingest.files import READ_ERRORS, open_binary
from mtb.ingest.fusions import looks_like_fusions, read_fusions
from mtb.ingest.tabular import header_of
from mtb.ingest.vcf import Callset, CallsetInfo, VcfReader, read_vcf

__all__ = [
    "Callset",
    "CallsetInfo",
    "VcfReader",
    "file_kind",
    "read_fusions",
    "read_segments",
    "read_vcf",
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
