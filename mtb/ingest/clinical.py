"""The one door to the clinical record: FHIR files, tabular histories, DICOM and a hospital's
FHIR server all come out as a Timeline through here, so the case assembly (mtb.case), `mtb
timeline` and `mtb case import-fhir` choose readers the same way.

- `read_clinical(paths)`: files and folders whose kind is not known, recognised by content
  (mtb.ingest.sniff); FHIR files are read as one record, so references resolve across files
  and mixed patients are seen.
- `read_clinical_file(path, kind)`: one file whose kind case.toml states.
- `import_patient(server, patient, target)`: a patient's record fetched from a FHIR server,
  written to `target` (owner-only, atomically) and read like any FHIR file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mtb.errors import InputError
from mtb.ingest.dicom import read_dicom
from mtb.ingest.fhir import read_fhir, timeline_of
from mtb.ingest.fhir_record import record_from_bundle
from mtb.ingest.fhir_server import FetchedRecord, fetch_patient, write_bundle
from mtb.ingest.histories import read_cbioportal_timeline, read_event_table
from mtb.ingest.sniff import CLINICAL_KINDS, sniff
from mtb.timeline import Timeline

__all__ = ["ImportedRecord", "import_patient", "read_clinical", "read_clinical_file"]


def read_clinical_file(
    path: Path, kind: str, *, index_date: date | None = None, patient: str | None = None,
    show_names: bool = False,
) -> Timeline:
    """The timeline of one clinical file or folder of a stated kind (fhir, dicom, timeline,
    events). `index_date`: day 0 of a cBioPortal timeline; `patient`: the one to keep of a
    multi-patient FHIR file or cBioPortal timeline."""
    if kind == "fhir":
        return read_fhir([path], patient=patient, show_names=show_names)
    if kind == "dicom":
        return read_dicom([path])
    if kind == "timeline":
        return read_cbioportal_timeline(path, index_date, patient)
    if kind == "events":
        return read_event_table(path)
    raise InputError(path, f"'{kind}' is not a clinical file kind ({', '.join(CLINICAL_KINDS)})")


def read_clinical(
    paths: Sequence[Path], *, index_date: date | None = None, patient: str | None = None,
    show_names: bool = False,
) -> Timeline:
    """Any clinical files and folders, by their content: FHIR, cBioPortal timeline, event
    table, DICOM. A file that is none of these is an InputError naming it."""
    missing = next((path for path in paths if not path.exists()), None)
    if missing is not None:
        raise InputError(missing, "not found")
    kinds = {path: sniff(path) for path in paths}
    timeline = Timeline()
    fhir = [path for path in paths if kinds[path] == "fhir"]
    if fhir:  # one record: references resolve across files, and mixed patients are seen
        timeline.extend(read_fhir(fhir, patient=patient, show_names=show_names))
    for path in paths:
        kind = kinds[path]
        if kind == "fhir":
            continue
        if kind not in CLINICAL_KINDS:
            raise InputError(path, "is not a FHIR resource or Bundle, a cBioPortal timeline, "
                             "an event table (date, kind, label) or a DICOM file")
        timeline.extend(read_clinical_file(path, kind, index_date=index_date, patient=patient))
    return timeline


@dataclass(frozen=True)
class ImportedRecord:
    """A patient's record fetched from a FHIR server, where it was written and what it holds."""

    fetched: FetchedRecord
    path: Path
    timeline: Timeline


def import_patient(server: str, patient: str, target: Path, *,
                   token: str | None = None) -> ImportedRecord:
    """Fetch everything the server holds about `patient` (Patient/$everything, or per-type
    searches), write it to `target` as one Bundle and read it as a timeline."""
    fetched = fetch_patient(server, patient, token=token)
    path = write_bundle(fetched, target)
    timeline = timeline_of(record_from_bundle(fetched.bundle, path.name))
    return ImportedRecord(fetched, path, timeline)
