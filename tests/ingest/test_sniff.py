"""One sniffer (mtb.ingest.sniff) answers "what kind of file is this?" by content, for uploads,
case.toml entries without a kind, `mtb ingest`/`annotate` and `mtb timeline`."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from mtb.ingest import file_kind
from mtb.ingest.sniff import CLINICAL_KINDS, FILE_KINDS, MOLECULAR_KINDS, sniff
from mtb.resources import sample_cases_dir

LUNG = sample_cases_dir() / "synthetic-egfr-lung"
DATA = Path(__file__).resolve().parents[1] / "data" / "histories"


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize(("path", "kind"), [
    (LUNG / "tumor.synthetic.vcf", "vcf"),
    (sample_cases_dir() / "hcc1395-breast" / "HCC1395.annotated.expression.vcf.gz", "vcf"),
    (LUNG / "history.synthetic.csv", "events"),
    (LUNG / "clinical" / "patient.synthetic.json", "fhir"),
    (LUNG / "clinical", "fhir"),
    (sample_cases_dir() / "mii-kim-musterperson-ovary" / "clinical", "fhir"),
    (DATA / "data_timeline_luad.txt", "timeline"),
    (DATA / "verlauf_luad.csv", "events"),
])
def test_bundled_files(path: Path, kind: str) -> None:
    assert sniff(path) == kind


def test_drawn_files(tmp_path: Path) -> None:
    segments = _write(tmp_path / "seg.tsv", "chrom\tstart\tend\tcopy_number\n7\t1\t100\t8\n")
    fusions = _write(tmp_path / "fus.tsv", "#FusionName\tJunctionReadCount\nEML4--ALK\t20\n")
    dicom = tmp_path / "image"
    dicom.write_bytes(b"\0" * 128 + b"DICM" + b"\0" * 16)
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "1.dcm").write_bytes(dicom.read_bytes())
    vcf_gz = tmp_path / "x.txt"
    vcf_gz.write_bytes(gzip.compress(b"##fileformat=VCFv4.2\n"))
    assert [sniff(p) for p in (segments, fusions, dicom, folder, vcf_gz)] == [
        "segments", "fusions", "dicom", "dicom", "vcf"]


def test_by_content_not_by_name(tmp_path: Path) -> None:
    misnamed = _write(tmp_path / "history.vcf", "date,kind,label\n2023-01-16,diagnosis,NSCLC\n")
    assert sniff(misnamed) == "events"
    assert sniff(_write(tmp_path / "x.json", '{"not": "fhir"}')) is None


def test_unknown_missing_and_unreadable_are_none(tmp_path: Path) -> None:
    assert sniff(_write(tmp_path / "notes.txt", "just words\n")) is None
    assert sniff(tmp_path / "missing.vcf") is None
    broken = tmp_path / "broken.vcf.gz"
    broken.write_bytes(gzip.compress(b"##fileformat=VCFv4.2\n" * 100)[:20])
    assert sniff(broken) is None


def test_file_kind_asks_the_sniffer_for_molecular_files(tmp_path: Path) -> None:
    assert file_kind(_write(tmp_path / "seg.tsv", "chrom\tstart\tend\tcopy_number\n")) == \
        "segments"
    assert file_kind(LUNG / "history.synthetic.csv") == "vcf"  # the VCF reader says what's wrong
    assert file_kind(tmp_path / "missing") == "vcf"


def test_the_kinds_are_case_tomls() -> None:
    assert FILE_KINDS == MOLECULAR_KINDS + CLINICAL_KINDS
    assert set(FILE_KINDS) == {"vcf", "maf", "segments", "fusions", "msi", "fhir", "dicom",
                               "timeline", "events"}
