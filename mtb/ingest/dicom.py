"""DICOM studies -> imaging events: what was imaged when, read from the files' headers only.

A tumor board needs the dates and kinds of imaging next to the therapy lines ("PET/CT before
the second line"), not the images. So each file is opened for a handful of header elements
(`specific_tags`) and reading stops before the pixel data: a CD export of a few thousand files
is read in seconds. Identifying elements (PatientName, PatientID, PatientBirthDate,
OtherPatientIDs, AccessionNumber, InstitutionName, ReferringPhysicianName) are not among them;
pydicom steps over them unparsed, so they cannot reach an event, a warning or a log. The Study
Instance UID is read only to group files, and the PatientID only as a hash, to warn when the
files belong to more than one patient; neither is ever shown.

One event per study (Study Instance UID), not per file or series: a PET/CT is one examination
of several series and hundreds of files, and a board discusses it as one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.multival import MultiValue

from mtb.errors import InputError
from mtb.timeline import Code, EventKind, PartialDate, Timeline, TimelineEvent

DCM = "http://dicom.nema.org/resources/ontology/DCM"

# The only elements parsed. Anything not listed is skipped unread (privacy and speed).
TAGS = (
    "StudyInstanceUID",  # grouping only, never shown
    "SeriesInstanceUID",
    "SOPInstanceUID",
    "Modality",
    "StudyDate",
    "SeriesDate",
    "AcquisitionDate",
    "BodyPartExamined",
    "StudyDescription",
    "ContrastBolusAgent",
    "PatientID",  # compared (as a hash) to notice files of several patients; never shown
)

# DICOM modality -> (what a clinician reads, the code meaning in DICOM CID 33). Listed in label
# order: the functional modality first, as in "PET/CT" and "Scintigraphy/CT".
MODALITIES: dict[str, tuple[str, str]] = {
    "PT": ("PET", "Positron emission tomography"),
    "NM": ("Scintigraphy", "Nuclear Medicine"),
    "CT": ("CT", "Computed Tomography"),
    "MR": ("MRI", "Magnetic Resonance"),
    "US": ("Ultrasound", "Ultrasound"),
    "MG": ("Mammography", "Mammography"),
    "CR": ("X-ray", "Computed Radiography"),
    "DX": ("X-ray", "Digital Radiography"),
    "XA": ("Angiography", "X-Ray Angiography"),
    "RF": ("Fluoroscopy", "Radiofluoroscopy"),
    "BMD": ("Bone densitometry", "Bone Mineral Densitometry"),
    "ES": ("Endoscopy", "Endoscopy"),
    "SM": ("Slide microscopy", "Slide Microscopy"),
    "GM": ("Microscopy", "General Microscopy"),
    "XC": ("Photograph", "External-camera Photography"),
    "OP": ("Ophthalmic photography", "Ophthalmic Photography"),
    "OPT": ("Ophthalmic tomography", "Ophthalmic Tomography"),
    "IO": ("Intraoral X-ray", "Intra-oral Radiography"),
    "PX": ("Panoramic X-ray", "Panoramic X-Ray"),
    "RTIMAGE": ("RT image", "RT Image"),
    "OT": ("Other imaging", "Other"),
    # Not images (CID 32): coded, but named in the label only when a study holds nothing else,
    # so a CT with a dose report stays "CT" rather than "CT/Structured report".
    "SR": ("Structured report", "Structured Report Document"),
    "KO": ("Key images", "Key Object Selection"),
    "PR": ("Presentation state", "Presentation State"),
    "SEG": ("Segmentation", "Segmentation"),
    "REG": ("Registration", "Registration"),
    "RTSTRUCT": ("RT structure set", "RT Structure Set"),
    "RTPLAN": ("RT plan", "RT Plan"),
    "RTDOSE": ("RT dose", "RT Dose"),
    "RTRECORD": ("RT treatment record", "RT Treatment Record"),
    "DOC": ("Document", "Document"),
}
NOT_IMAGES = frozenset({"SR", "KO", "PR", "SEG", "REG", "RTSTRUCT", "RTPLAN", "RTDOSE",
                        "RTRECORD", "DOC"})
_RANK = {modality: rank for rank, modality in enumerate(MODALITIES)}

# BodyPartExamined defined terms (CID 4031) that title case alone would garble ("Headneck").
BODY_PARTS = {
    "HEADNECK": "Head/Neck",
    "NECKCHEST": "Neck/Chest",
    "NECKCHESTABDOMEN": "Neck/Chest/Abdomen",
    "NECKCHESTABDPELV": "Neck/Chest/Abdomen/Pelvis",
    "CHESTABDOMEN": "Chest/Abdomen",
    "CHESTABDPELVIS": "Chest/Abdomen/Pelvis",
    "ABDOMENPELVIS": "Abdomen/Pelvis",
    "WHOLEBODY": "Whole Body",
    "CSPINE": "Cervical Spine",
    "TSPINE": "Thoracic Spine",
    "LSPINE": "Lumbar Spine",
    "CTSPINE": "Cervicothoracic Spine",
    "TLSPINE": "Thoracolumbar Spine",
    "LSSPINE": "Lumbosacral Spine",
    "CIRCLEOFWILLIS": "Circle of Willis",
    "CORONARYARTERY": "Coronary Artery",
    "IAC": "Internal Auditory Canal",
    "TMJ": "Temporomandibular Joint",
}

MEDIA_DIRECTORY = "1.2.840.10008.1.3.10"  # the SOP class of a DICOMDIR
_UID = re.compile(r"^[0-9]+(?:\.[0-9]+)+$")
_DA = re.compile(r"^(\d{4})\.?(\d{2})\.?(\d{2})$")  # YYYYMMDD; ACR-NEMA wrote YYYY.MM.DD
# A DICOM data set without the 128-byte preamble starts with a group 0002 or 0008 tag (little or
# big endian); only such files are parsed with force=True, never an arbitrary binary.
_BARE_STARTS = (b"\x02\x00", b"\x08\x00", b"\x00\x02", b"\x00\x08")
NAMED_SKIPS = 5  # files that are not DICOM named one by one; a viewer on a CD has hundreds

NOT_DICOM = "file that is not DICOM"
UNREADABLE = "DICOM file that cannot be read"
NO_STUDY = "DICOM file without a Study Instance UID"


class _NotDicom(Exception):
    """Internal: the file is not a DICOM file (the message says what it is instead)."""


class _Unreadable(Exception):
    """Internal: the file looks like DICOM but its header cannot be parsed."""


@dataclass(frozen=True)
class _Header:
    """What one file contributes to its study: nothing identifying, the study UID aside."""

    path: Path
    study: str
    series: str
    instance: str
    modality: str
    study_date: str
    other_dates: tuple[str, ...]  # SeriesDate, AcquisitionDate
    body_part: str
    description: str
    contrast: bool
    patient: str = ""  # a hash of PatientID: only to tell patients apart


@dataclass
class _Study:
    files: list[Path] = field(default_factory=list)
    series: set[str] = field(default_factory=set)
    instances: set[str] = field(default_factory=set)
    modalities: list[str] = field(default_factory=list)
    body_parts: list[str] = field(default_factory=list)
    description: str = ""
    study_dates: list[str] = field(default_factory=list)
    other_dates: list[str] = field(default_factory=list)
    contrast: bool = False
    patients: set[str] = field(default_factory=set)

    def add(self, header: _Header) -> None:
        self.files.append(header.path)
        self.patients.add(header.patient)
        self.series.add(header.series or f"file {header.path}")
        self.instances.add(header.instance or f"file {header.path}")
        if header.modality and header.modality not in self.modalities:
            self.modalities.append(header.modality)
        if header.body_part and header.body_part not in self.body_parts:
            self.body_parts.append(header.body_part)
        self.description = self.description or header.description
        if header.study_date:
            self.study_dates.append(header.study_date)
        self.other_dates += [d for d in header.other_dates if d]
        self.contrast = self.contrast or header.contrast


def read_dicom(paths: Sequence[str | Path]) -> Timeline:
    """Imaging events, one per study, from DICOM files and folders (searched recursively).

    In a folder, files that are not DICOM (DICOMDIR, text, thumbnails, a viewer program) are
    skipped, counted and named in a warning. A file named explicitly that is not DICOM, is a
    DICOMDIR or cannot be parsed raises InputError, as with every other reader; a path that
    does not exist too. Events are sorted by date, undated studies last.
    """
    with _quiet_pydicom():  # values are parsed lazily, so the whole read is quiet
        return _read(paths)


def _read(paths: Sequence[str | Path]) -> Timeline:
    if isinstance(paths, str | Path):
        paths = [paths]
    timeline = Timeline()
    studies: dict[str, _Study] = {}
    not_dicom: list[str] = []
    seen: set[Path] = set()
    for given in map(Path, paths):
        if given.is_dir():
            found = _scan_folder(given, seen, timeline, studies, not_dicom)
            if not found:
                timeline.warnings.append(f"{given}: no DICOM files in this folder")
        elif given.is_file():
            resolved = given.resolve()
            if resolved not in seen:
                seen.add(resolved)
                _add(_read_named(given), timeline, studies)
        else:
            raise InputError(given, "file not found")
    _warn_not_dicom(not_dicom, timeline)
    patients = {p for study in studies.values() for p in study.patients if p}
    if len(patients) > 1:
        timeline.warnings.append(
            f"the DICOM files belong to {len(patients)} different patients (PatientID differs); "
            "check that only this case's images were given")
    events = [_event(study, timeline) for study in studies.values()]
    timeline.events += sorted(events, key=lambda event: event.sort_key)
    return timeline


def _scan_folder(
    folder: Path,
    seen: set[Path],
    timeline: Timeline,
    studies: dict[str, _Study],
    not_dicom: list[str],
) -> int:
    """Read every file under a folder; returns how many were DICOM files."""
    found = 0
    for path in _files_under(folder):
        resolved = path.resolve()
        if resolved in seen:
            found += 1  # met through another path given: not an empty folder
            continue
        seen.add(resolved)
        try:
            header = _read_header(path)
        except _NotDicom as why:
            timeline.skipped[NOT_DICOM] += 1
            not_dicom.append(f"{path}: {why}; skipped")
            continue
        except _Unreadable as why:
            timeline.skipped[UNREADABLE] += 1
            timeline.warnings.append(f"{path}: DICOM header cannot be read ({why}); skipped")
            found += 1
            continue
        found += 1
        _add(header, timeline, studies)
    return found


def _warn_not_dicom(messages: list[str], timeline: Timeline) -> None:
    """The first few files that are not DICOM by name, the rest as a count."""
    timeline.warnings += messages[:NAMED_SKIPS]
    rest = len(messages) - NAMED_SKIPS
    if rest > 0:
        timeline.warnings.append(
            f"and {rest} more file{'s' * (rest != 1)} that {'are' if rest != 1 else 'is'} "
            "not DICOM; skipped"
        )


def _files_under(folder: Path) -> Iterator[Path]:
    """Files in a folder and its subfolders in a stable order (symlinked folders not followed,
    so a link back up cannot loop)."""
    for root, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            yield Path(root) / name


def _read_named(path: Path) -> _Header:
    """The header of a file the user named: anything but a DICOM image file is an error."""
    try:
        return _read_header(path)
    except _NotDicom as why:
        if str(why).startswith("a DICOMDIR"):
            raise InputError(path, f"is {why}; give the folder that holds it") from None
        raise InputError(path, "is not a DICOM file") from None
    except _Unreadable as why:
        raise InputError(path, f"is a DICOM file whose header cannot be read ({why})") from None


def _add(header: _Header, timeline: Timeline, studies: dict[str, _Study]) -> None:
    timeline.read["DICOM file"] += 1
    if not header.study:
        timeline.skipped[NO_STUDY] += 1
        timeline.warnings.append(
            f"{header.path}: DICOM file without a Study Instance UID; not on the timeline"
        )
        return
    studies.setdefault(header.study, _Study()).add(header)


def _read_header(path: Path) -> _Header:
    """The elements in TAGS, nothing else, never the pixel data.

    Files with the DICM prefix (the DICOM file format) are read with force=False; a file
    without it is tried with force=False too (pydicom refuses it), then parsed with force=True
    only if it starts like a bare data set (old ACR-NEMA-style exports) and accepted only if
    that yields a Study Instance UID, so a stray binary is not mistaken for an image.
    """
    try:
        dataset = _dcmread(path, force=False)
        bare = False
    except InvalidDicomError:
        head = _head(path)
        if head[128:132] == b"DICM":  # the DICOM file format, but its meta header is broken
            raise _Unreadable("invalid file meta information") from None
        if not head.startswith(_BARE_STARTS):
            raise _NotDicom("not a DICOM file") from None
        try:
            dataset = _dcmread(path, force=True)
        except Exception:  # pydicom raises anything on a file that only started like DICOM
            raise _NotDicom("not a DICOM file") from None
        bare = True
    except OSError as error:
        raise _Unreadable(error.strerror or _kind(error)) from None
    except Exception as error:  # a DICM prefix followed by garbage
        raise _Unreadable(_kind(error)) from None
    try:
        return _header(path, dataset, bare)
    except (_NotDicom, _Unreadable):
        raise
    except Exception as error:  # a value pydicom could not convert
        raise _Unreadable(_kind(error)) from None


def _kind(error: Exception) -> str:
    """'zlib.error', 'ValueError': what went wrong, without the message, which may quote a
    value from the file."""
    kind = type(error)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _dcmread(path: Path, *, force: bool) -> pydicom.Dataset:
    return pydicom.dcmread(path, stop_before_pixels=True, specific_tags=list(TAGS), force=force)


@contextmanager
def _quiet_pydicom() -> Iterator[None]:
    """pydicom logs and warns about invalid values with the value itself ('Invalid value for
    VR DA: ...'); a description or date of a patient's study must not reach a log file or
    stderr. Problems are reported through the Timeline's warnings instead."""
    logger = logging.getLogger("pydicom")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            yield
    finally:
        logger.setLevel(level)


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(132)
    except OSError:
        return b""


def _header(path: Path, dataset: pydicom.Dataset, bare: bool) -> _Header:
    meta = getattr(dataset, "file_meta", None)
    if meta is not None and _text(meta, "MediaStorageSOPClassUID") == MEDIA_DIRECTORY:
        raise _NotDicom("a DICOMDIR (an index of DICOM files), not an image")
    study = _text(dataset, "StudyInstanceUID")
    if study and not _UID.match(study):
        study = ""
    if bare and not study:
        raise _NotDicom("not a DICOM file")
    return _Header(
        path=path,
        study=study,
        series=_text(dataset, "SeriesInstanceUID"),
        instance=_text(dataset, "SOPInstanceUID"),
        modality=_text(dataset, "Modality").upper(),
        study_date=_text(dataset, "StudyDate"),
        other_dates=(_text(dataset, "SeriesDate"), _text(dataset, "AcquisitionDate")),
        body_part=_text(dataset, "BodyPartExamined"),
        description=_text(dataset, "StudyDescription"),
        contrast=bool(_text(dataset, "ContrastBolusAgent")),
        patient=_patient_key(_text(dataset, "PatientID")),
    )


def _patient_key(patient_id: str) -> str:
    """Equal for equal ids, useless for anything else: the id itself is never kept."""
    if not patient_id:
        return ""
    return hashlib.sha256(patient_id.encode("utf-8", "replace")).hexdigest()[:16]


def _text(dataset: Any, keyword: str) -> str:
    """An element's value as stripped text ('' when absent); the first of several values."""
    value = dataset.get(keyword)
    if isinstance(value, MultiValue):
        value = value[0] if len(value) else None
    if value is None:
        return ""
    if isinstance(value, date):  # with pydicom.config.datetime_conversion on
        return value.strftime("%Y%m%d")
    return str(value).strip(" \x00")


def _date(text: str) -> PartialDate | None:
    match = _DA.match(text)
    if not match:
        return None
    try:
        return PartialDate(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _event(study: _Study, timeline: Timeline) -> TimelineEvent:
    label = _label(study)
    count = len(study.files)
    folder = _common_folder(study.files)
    source = f"DICOM study in {folder.name or folder} ({count} file{'s' * (count != 1)})"
    start = _earliest(study.study_dates)
    if start is None:
        start = _earliest(study.other_dates)
        if start is None:
            timeline.warnings.append(
                f"{source}, {label}: no study, series or acquisition date; listed without a date"
            )
        elif study.study_dates:
            timeline.warnings.append(
                f"{source}, {label}: StudyDate is not a date; dated by its series or "
                "acquisition date"
            )
    series, images = len(study.series), len(study.instances)
    detail = f"{series} series, {images} image{'s' * (images != 1)}"
    if study.contrast:
        detail += ", contrast"
    codes = tuple(
        Code(DCM, modality, MODALITIES.get(modality, ("", ""))[1])
        for modality in _ordered(study.modalities)
    )
    return TimelineEvent(
        kind=EventKind.IMAGING, start=start, label=label, codes=codes, source=source,
        detail=detail,
    )


def _earliest(texts: list[str]) -> PartialDate | None:
    dates = [d for d in map(_date, texts) if d is not None]
    return min(dates, key=lambda d: d.key) if dates else None


def _ordered(modalities: list[str]) -> list[str]:
    """Known modalities in MODALITIES order, then unknown ones as met."""
    return sorted(modalities, key=lambda m: _RANK.get(m, len(_RANK)))


def _label(study: _Study) -> str:
    """'CT Chest (Thorax staging)', 'PET/CT Whole Body', 'MRI Brain'."""
    modalities = _ordered(study.modalities)
    shown = [m for m in modalities if m not in NOT_IMAGES] or modalities
    names = dict.fromkeys(MODALITIES.get(m, (m, ""))[0] for m in shown)  # CR + DX: one X-ray
    label = "/".join(names) or "Imaging"
    parts = dict.fromkeys(_body_part(part) for part in study.body_parts)
    if parts:
        label += " " + ", ".join(parts)
    description = study.description
    if description and description.casefold() != label.casefold():
        label += f" ({description})"
    return label


def _body_part(text: str) -> str:
    key = text.upper().replace(" ", "").replace("_", "")
    return BODY_PARTS.get(key) or text.replace("_", " ").title()


def _common_folder(files: list[Path]) -> Path:
    parents = [str(path.parent) for path in files]
    try:
        return Path(os.path.commonpath(parents))
    except ValueError:  # different drives on Windows
        return files[0].parent
