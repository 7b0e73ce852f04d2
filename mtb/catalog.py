"""The case folders mtb knows: each folder with a case.toml is one case.

case.toml names the case, its diagnosis as the clinician wrote it, whether it is synthetic, the
dates a board needs to place the molecular findings (specimen taken, sequenced, the index date
of day-counted histories) and its data files, each with its kind:

    vcf        tumor VCF/BCF (small variants, CNV and SV records)
    segments   copy-number segment table          fusions   fusion table
    fhir       FHIR R4 JSON/NDJSON file or folder  dicom     DICOM file or folder
    timeline   cBioPortal timeline (days from index_date)
    events     simple CSV history (date, end, kind, label, value, unit)

Reading the catalogue opens no data file; mtb.case does that when a case is opened.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from mtb.errors import InputError
from mtb.timeline import PartialDate

FILE_KINDS = ("vcf", "segments", "fusions", "fhir", "dicom", "timeline", "events")
_FOLDER_KINDS = ("fhir", "dicom")


@dataclass(frozen=True)
class CaseFile:
    path: Path
    kind: str  # one of FILE_KINDS
    patient: str = ""  # the PATIENT_ID of a cBioPortal timeline, the Patient id in FHIR files


@dataclass(frozen=True)
class CaseEntry:
    id: str
    title: str
    diagnosis: str
    synthetic: bool
    source: str
    folder: Path
    files: tuple[CaseFile, ...]
    synthetic_parts: str = ""  # which parts are synthetic or joined for the demo
    specimen_date: PartialDate | None = None  # the sequenced specimen was taken
    sequencing_date: PartialDate | None = None  # the molecular report
    index_date: PartialDate | None = None  # day 0 of day-counted histories
    build: str = ""  # genome build of the tables, when the VCF does not tell
    tumor: str = ""  # VCF sample names, when the header does not tell
    normal: str = ""


_LINE = re.compile(r"line (\d+)")


def read_case(folder: Path) -> CaseEntry:
    path = folder / "case.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        line = _LINE.search(str(error))
        number = int(line.group(1)) if line else None
        raise InputError(path, f"is not valid TOML ({error})", number) from None
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror})") from None
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise InputError(path, f"'{key}' is missing or empty")
    files = []
    for item in data.get("files", []):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise InputError(path, "every [[files]] entry needs a path (text)")
        kind = str(item.get("kind", "vcf"))
        if kind not in FILE_KINDS:
            raise InputError(path, f"file kind '{kind}' is not one of {', '.join(FILE_KINDS)}")
        file_path = folder / item["path"]
        folder_ok = kind in _FOLDER_KINDS and file_path.is_dir()
        if not (folder_ok or file_path.is_file()):
            raise InputError(path, f"names {item['path']}, which is not in the case folder")
        files.append(CaseFile(file_path, kind, str(item.get("patient", ""))))
    return CaseEntry(
        id=data["id"],
        title=data["title"],
        diagnosis=str(data.get("diagnosis", "")),
        synthetic=bool(data.get("synthetic", False)),
        source=str(data.get("source", "")),
        folder=folder,
        files=tuple(files),
        synthetic_parts=str(data.get("synthetic_parts", "")),
        specimen_date=_date(data, "specimen_date", path),
        sequencing_date=_date(data, "sequencing_date", path),
        index_date=_date(data, "index_date", path),
        build=str(data.get("build", "")),
        tumor=str(data.get("tumor", "")),
        normal=str(data.get("normal", "")),
    )


def _date(data: dict[str, object], key: str, path: Path) -> PartialDate | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        return PartialDate.parse(str(value))  # TOML dates arrive as datetime.date: same text
    except ValueError as error:
        raise InputError(path, f"'{key}': {error}") from None


def list_cases(cases_dir: Path) -> list[CaseEntry]:
    """All cases under cases_dir, sorted by title. A broken case.toml raises InputError."""
    if not cases_dir.is_dir():
        raise InputError(cases_dir, "cases folder not found")
    folders = [toml.parent for toml in sorted(cases_dir.glob("*/case.toml"))
               if not toml.parent.name.startswith(".")]  # .incoming-*: a case being added
    cases = [read_case(folder) for folder in folders]
    return sorted(cases, key=lambda case: case.title.lower())
