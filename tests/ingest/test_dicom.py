"""DICOM folders become one imaging event per study, read from synthetic files written with
pydicom here and from the CT and MR files that ship inside pydicom's wheel."""

from __future__ import annotations

import shutil
import warnings
from collections import Counter
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_file_meta_info
from pydicom.uid import DeflatedExplicitVRLittleEndian, ExplicitVRLittleEndian, generate_uid

from mtb.errors import InputError
from mtb.ingest import dicom
from mtb.ingest.dicom import DCM, NO_STUDY, NOT_DICOM, UNREADABLE, read_dicom
from mtb.timeline import Code, EventKind, PartialDate

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
PET_IMAGE = "1.2.840.10008.5.1.4.1.1.128"
US_IMAGE = "1.2.840.10008.5.1.4.1.1.6.1"
DX_IMAGE = "1.2.840.10008.5.1.4.1.1.1.1"
SOP_CLASSES = {"CT": CT_IMAGE, "MR": MR_IMAGE, "PT": PET_IMAGE, "US": US_IMAGE, "DX": DX_IMAGE}

# What the privacy test plants in every synthetic file; none of it may reach the timeline.
IDENTIFYING = {
    "PatientName": "Mustermann^Erika",
    "PatientID": "PID-4711-XYZ",
    "PatientBirthDate": "19640812",
    "OtherPatientIDs": "KIS-0815",
    "AccessionNumber": "ACC-99812",
    "InstitutionName": "Klinikum Beispielstadt",
    "ReferringPhysicianName": "Doktor^Hausarzt",
}
# PatientID is read (hashed, never shown) to notice files of several patients; the rest is not
UNREAD = set(IDENTIFYING) - {"PatientID"}


def write_dicom(path: Path, study: str, series: str, modality: str, **elements: str) -> Path:
    """A small but complete DICOM image file (file meta, preamble, 2x2 pixels)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SOP_CLASSES[modality]
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    dataset.SOPClassUID = meta.MediaStorageSOPClassUID
    dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    dataset.StudyInstanceUID = study
    dataset.SeriesInstanceUID = series
    dataset.Modality = modality
    with warnings.catch_warnings():  # some tests write invalid dates on purpose
        warnings.simplefilter("ignore", UserWarning)
        for keyword, value in {**IDENTIFYING, **elements}.items():
            setattr(dataset, keyword, value)
    dataset.Rows = dataset.Columns = 2
    dataset.SamplesPerPixel = 1
    dataset.PhotometricInterpretation = "MONOCHROME2"
    dataset.BitsAllocated = dataset.BitsStored = 16
    dataset.HighBit = 15
    dataset.PixelRepresentation = 0
    dataset.PixelData = bytes(8)
    path.parent.mkdir(parents=True, exist_ok=True)
    pydicom.dcmwrite(path, dataset, enforce_file_format=True)
    return path


def write_dicomdir(path: Path) -> Path:
    """A file with the DICOMDIR SOP class: DICOM, but an index rather than an image."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.1.3.10"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    dataset.FileSetID = "CD1"
    path.parent.mkdir(parents=True, exist_ok=True)
    pydicom.dcmwrite(path, dataset, enforce_file_format=True)
    return path


@pytest.fixture
def case(tmp_path: Path) -> Path:
    """A CD-like export: five studies in subfolders, plus files that are not images."""
    root = tmp_path / "case"
    ct, ct_series = generate_uid(), (generate_uid(), generate_uid())
    chest = {"StudyDate": "20230105", "BodyPartExamined": "CHEST",
             "StudyDescription": "Thorax staging"}
    write_dicom(root / "ct/s1/1.dcm", ct, ct_series[0], "CT", **chest)
    write_dicom(root / "ct/s1/2.dcm", ct, ct_series[0], "CT", **chest)
    write_dicom(root / "ct/s2/1.dcm", ct, ct_series[1], "CT", **chest,
                ContrastBolusAgent="Iomeprol")
    write_dicom(root / "mr/IM0001", generate_uid(), generate_uid(), "MR",
                StudyDate="20230301", BodyPartExamined="BRAIN")
    petct = generate_uid()
    body = {"StudyDate": "20230410", "BodyPartExamined": "WHOLEBODY", "StudyDescription": "FDG"}
    write_dicom(root / "petct/ct.dcm", petct, generate_uid(), "CT", **body)
    write_dicom(root / "petct/pt1.dcm", petct, (pet := generate_uid()), "PT", **body)
    write_dicom(root / "petct/pt2.dcm", petct, pet, "PT", **body)
    write_dicom(root / "us/us.dcm", generate_uid(), generate_uid(), "US",
                BodyPartExamined="ABDOMEN")  # no date at all
    write_dicom(root / "xray/dx.dcm", generate_uid(), generate_uid(), "DX",
                StudyDate="20231399", SeriesDate="20221224", BodyPartExamined="CHEST")
    (root / "README.txt").write_text("Patient CD, open viewer.exe\n")
    (root / "petct/thumb.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64))
    write_dicomdir(root / "DICOMDIR")
    return root


def test_one_event_per_study_in_date_order(case: Path) -> None:
    timeline = read_dicom([case])
    rows = [(str(e.start) if e.start else None, e.label, e.detail, e.source)
            for e in timeline.events]
    assert rows == [
        ("2022-12-24", "X-ray Chest", "1 series, 1 image", "DICOM study in xray (1 file)"),
        ("2023-01-05", "CT Chest (Thorax staging)", "2 series, 3 images, contrast",
         "DICOM study in ct (3 files)"),
        ("2023-03-01", "MRI Brain", "1 series, 1 image", "DICOM study in mr (1 file)"),
        ("2023-04-10", "PET/CT Whole Body (FDG)", "2 series, 3 images",
         "DICOM study in petct (3 files)"),
        (None, "Ultrasound Abdomen", "1 series, 1 image", "DICOM study in us (1 file)"),
    ]
    assert all(e.kind == EventKind.IMAGING for e in timeline.events)
    assert timeline.events[1].start == PartialDate(2023, 1, 5)
    assert timeline.events[3].codes == (
        Code(DCM, "PT", "Positron emission tomography"),
        Code(DCM, "CT", "Computed Tomography"),
    )
    assert timeline.events[0].codes == (Code(DCM, "DX", "Digital Radiography"),)
    assert str(timeline.events[2].codes[0]) == "DICOM MR"
    assert timeline.read == Counter({"DICOM file": 9})
    assert timeline.skipped == Counter({NOT_DICOM: 3})


def test_warnings_name_skipped_files_and_missing_dates(case: Path) -> None:
    warnings = read_dicom([case]).warnings
    assert warnings == [
        f"{case / 'DICOMDIR'}: a DICOMDIR (an index of DICOM files), not an image; skipped",
        f"{case / 'README.txt'}: not a DICOM file; skipped",
        f"{case / 'petct/thumb.jpg'}: not a DICOM file; skipped",
        "DICOM study in us (1 file), Ultrasound Abdomen: no study, series or acquisition date; "
        "listed without a date",
        "DICOM study in xray (1 file), X-ray Chest: StudyDate is not a date; dated by its series "
        "or acquisition date",
    ]
    assert not any("Patient CD" in w or "JFIF" in w for w in warnings)  # names, not content


def test_identifying_elements_never_reach_the_timeline(case: Path, monkeypatch) -> None:
    opened: list[pydicom.Dataset] = []
    real = pydicom.dcmread

    def spy(*args, **kwargs):
        dataset = real(*args, **kwargs)
        opened.append(dataset)
        return dataset

    monkeypatch.setattr(pydicom, "dcmread", spy)
    timeline = read_dicom([case])
    uids = {dataset.StudyInstanceUID for dataset in opened if "StudyInstanceUID" in dataset}
    assert len(uids) == 5  # grouping needs them; the test looks for them in the output
    text = repr(timeline) + repr(timeline.ordered()) + "\n".join(timeline.warnings)
    assert timeline.events and timeline.warnings  # there is something to leak into
    for value in [*IDENTIFYING.values(), "Mustermann", "Erika", "4711", *uids]:
        assert value not in text, value
    # not even parsed: the elements are skipped while reading, and so is the pixel data
    assert len(opened) == 10  # 9 images and the DICOMDIR (the others fail before a data set)
    for dataset in opened:
        assert not {*UNREAD, "PixelData"} & set(dataset.dir())


def test_reads_metadata_only(monkeypatch, tmp_path: Path) -> None:
    calls: list[dict] = []
    real = pydicom.dcmread

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(pydicom, "dcmread", spy)
    for number in range(30):
        write_dicom(tmp_path / f"{number}.dcm", "1.2.3", "1.2.3.4", "CT", StudyDate="20240102")
    timeline = read_dicom([tmp_path])
    assert [e.detail for e in timeline.events] == ["1 series, 30 images"]
    assert len(calls) == 30
    for kwargs in calls:
        assert kwargs["stop_before_pixels"] is True
        assert kwargs["force"] is False
        wanted = set(kwargs["specific_tags"])
        assert "PixelData" not in wanted and not wanted & UNREAD


def test_pydicom_ct_small_real_header() -> None:
    path = Path(get_testdata_file("CT_small.dcm"))  # ships in pydicom's wheel, no download
    timeline = read_dicom([path])
    (event,) = timeline.events
    # StudyDate 20040119; its SeriesDate and AcquisitionDate (19970430) are not used
    assert event.start == PartialDate(2004, 1, 19)
    assert event.label == "CT (e+1)"  # no BodyPartExamined; StudyDescription 'e+1'
    assert event.codes == (Code(DCM, "CT", "Computed Tomography"),)
    assert event.detail == "1 series, 1 image, contrast"  # ContrastBolusAgent ISOVUE300/100
    assert event.source == "DICOM study in test_files (1 file)"
    assert timeline.read == Counter({"DICOM file": 1})
    assert (timeline.warnings, timeline.skipped) == ([], Counter())


def test_pydicom_mr_small_and_file_without_preamble(tmp_path: Path) -> None:
    # ExplVR_LitEndNoMeta: a bare data set without the DICM prefix (an RT plan from 2015)
    for name in ("MR_small.dcm", "ExplVR_LitEndNoMeta.dcm"):
        shutil.copy(get_testdata_file(name), tmp_path / name)
    # starts like a bare data set (group 0008, little endian) but holds no study
    (tmp_path / "noise.bin").write_bytes(b"\x08\x00\x05\x00" + bytes(range(256)) * 4)
    timeline = read_dicom([tmp_path])
    assert [(str(e.start), e.label, [c.code for c in e.codes]) for e in timeline.events] == [
        ("2004-08-26", "MRI", ["MR"]),  # empty ContrastBolusAgent: no 'contrast'
        ("2015-05-15", "RT plan", ["RTPLAN"]),
    ]
    assert timeline.events[0].detail == "1 series, 1 image"
    assert timeline.read == Counter({"DICOM file": 2})
    assert timeline.skipped == Counter({NOT_DICOM: 1})
    assert timeline.warnings == [f"{tmp_path / 'noise.bin'}: not a DICOM file; skipped"]


def test_named_file_that_is_not_dicom_is_an_error(case: Path) -> None:
    with pytest.raises(InputError) as raised:
        read_dicom([case / "README.txt"])
    assert raised.value.message == f"{case / 'README.txt'}: is not a DICOM file"
    with pytest.raises(InputError, match="is a DICOMDIR"):
        read_dicom([case / "DICOMDIR"])
    with pytest.raises(InputError, match="file not found"):
        read_dicom([case / "missing.dcm"])


def test_named_files_join_their_study_once(case: Path) -> None:
    files = [case / "ct/s1/1.dcm", case / "ct/s2/1.dcm"]
    (event,) = read_dicom(files).events
    assert (event.label, event.detail) == ("CT Chest (Thorax staging)",
                                          "2 series, 2 images, contrast")
    assert event.source == "DICOM study in ct (2 files)"
    # a file named again inside a folder given too is read once
    timeline = read_dicom([case / "ct", *files])
    assert timeline.read == Counter({"DICOM file": 3})
    assert [e.detail for e in timeline.events] == ["2 series, 3 images, contrast"]


def write_broken(path: Path) -> Path:
    """DICM prefix and a valid file meta header announcing deflate, then bytes that are not."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT_IMAGE
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    buffer = DicomBytesIO()
    write_file_meta_info(buffer, meta, enforce_standard=True)
    path.write_bytes(b"\0" * 128 + b"DICM" + buffer.getvalue() + b"not deflated" * 10)
    return path


def test_broken_and_studyless_files(tmp_path: Path) -> None:
    good = write_dicom(tmp_path / "good.dcm", "1.2.3", "1.2.3.1", "MR", StudyDate="20240101")
    broken = write_broken(tmp_path / "broken.dcm")
    studyless = write_dicom(tmp_path / "studyless.dcm", "", "1.2.3.2", "CT")
    # pydicom reads a file cut off after its DICM prefix without complaint: an empty header
    truncated = tmp_path / "truncated.dcm"
    truncated.write_bytes(good.read_bytes()[:140])
    timeline = read_dicom([tmp_path])
    assert [e.label for e in timeline.events] == ["MRI"]
    assert timeline.read == Counter({"DICOM file": 3})
    assert timeline.skipped == Counter({UNREADABLE: 1, NO_STUDY: 2})
    assert timeline.warnings == [
        f"{broken}: DICOM header cannot be read (zlib.error); skipped",
        f"{studyless}: DICOM file without a Study Instance UID; not on the timeline",
        f"{truncated}: DICOM file without a Study Instance UID; not on the timeline",
    ]
    with pytest.raises(InputError) as raised:
        read_dicom([broken])
    assert raised.value.problem == "is a DICOM file whose header cannot be read (zlib.error)"


def test_many_files_that_are_not_dicom_are_counted_not_all_named(tmp_path: Path) -> None:
    write_dicom(tmp_path / "a.dcm", "1.2.3", "1.2.3.1", "CT", StudyDate="20240101")
    for number in range(8):
        (tmp_path / "viewer" / f"lib{number}.dll").parent.mkdir(exist_ok=True)
        (tmp_path / "viewer" / f"lib{number}.dll").write_bytes(b"MZ" + bytes(100))
    timeline = read_dicom([tmp_path])
    assert timeline.skipped == Counter({NOT_DICOM: 8})
    assert len(timeline.warnings) == dicom.NAMED_SKIPS + 1
    assert timeline.warnings[-1] == "and 3 more files that are not DICOM; skipped"


def test_label_rules() -> None:
    study = dicom._Study(modalities=["CT", "SR", "NM"], body_parts=["CHEST", "ABDOMENPELVIS"],
                         description="ct chest")
    assert dicom._label(study) == "Scintigraphy/CT Chest, Abdomen/Pelvis (ct chest)"
    assert dicom._label(dicom._Study(modalities=["CR", "DX"])) == "X-ray"
    assert dicom._label(dicom._Study(modalities=["SR"])) == "Structured report"
    assert dicom._label(dicom._Study(modalities=["ZZ"], body_parts=["left_knee"])) == "ZZ Left Knee"
    assert dicom._label(dicom._Study(description="MRI")) == "Imaging (MRI)"
    assert dicom._label(dicom._Study(modalities=["MR"], description="mri")) == "MRI"


def test_empty_folder_warns(tmp_path: Path) -> None:
    timeline = read_dicom([tmp_path])
    assert timeline.events == []
    assert timeline.warnings == [f"{tmp_path}: no DICOM files in this folder"]


def test_files_of_two_patients_are_warned_about(tmp_path: Path) -> None:
    """A CD export of two patients must not become one patient's imaging history unnoticed;
    the warning names neither id."""
    write_dicom(tmp_path / "a.dcm", "1.2.3", "1.2.3.1", "CT", StudyDate="20240102",
                PatientID="PID-A-0001")
    write_dicom(tmp_path / "b.dcm", "1.2.4", "1.2.4.1", "MR", StudyDate="20240105",
                PatientID="PID-B-0002")
    timeline = read_dicom([tmp_path])
    [warning] = [w for w in timeline.warnings if "different patients" in w]
    assert "2 different patients" in warning
    text = repr(timeline) + "\n".join(timeline.warnings)
    assert "PID-A-0001" not in text and "PID-B-0002" not in text
