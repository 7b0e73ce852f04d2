"""Files -> findings and clinical events; nothing here knows about annotation.

- VCF/BCF (`.vcf`, `.vcf.gz`, `.bcf`): `VcfReader` streams, `read_vcf` collects;
  `ColumnarReader` / `finding_batches` stream whole genomes in batches (columnar where it can);
  `write_findings` is `mtb ingest` (rows of any input file, and its summary).
- MAF files: `read_maf`; MSIsensor reports: `read_msisensor`.
- Copy-number segment tables: `read_segments`; fusion tables: `read_fusions`;
  `read_findings` reads any of them.
- The clinical record (FHIR, histories, DICOM, a FHIR server): one door, mtb.ingest.clinical.
- What kind a file is, by content: one sniffer, mtb.ingest.sniff (`file_kind` asks it which
  molecular reader a file needs).
"""

from __future__ import annotations

from mtb.ingest.cnv import read_segments
from mtb.ingest.columnar import ColumnarReader, finding_batches
from mtb.ingest.export import IngestSummary, write_findings
from mtb.ingest.findings import FileFindings, MolecularKind, file_kind, read_findings
from mtb.ingest.fusions import read_fusions
from mtb.ingest.maf import read_maf
from mtb.ingest.msi import read_msisensor
from mtb.ingest.vcf import Callset, CallsetInfo, VcfReader, read_vcf

__all__ = [
    "Callset",
    "CallsetInfo",
    "ColumnarReader",
    "FileFindings",
    "IngestSummary",
    "MolecularKind",
    "VcfReader",
    "file_kind",
    "finding_batches",
    "read_findings",
    "read_fusions",
    "read_maf",
    "read_msisensor",
    "read_segments",
    "read_vcf",
    "write_findings",
]
