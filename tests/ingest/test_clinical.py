"""The one door to the clinical record (mtb.ingest.clinical): files of a stated kind, files
recognised by content, and what is not clinical."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mtb.errors import InputError
from mtb.ingest.clinical import read_clinical, read_clinical_file
from mtb.resources import sample_cases_dir
from mtb.timeline import EventKind

LUNG = sample_cases_dir() / "synthetic-egfr-lung"
TIMELINE = Path(__file__).resolve().parents[1] / "data" / "histories" / "data_timeline_luad.txt"


def test_a_stated_kind_picks_the_reader() -> None:
    events = read_clinical_file(LUNG / "history.synthetic.csv", "events")
    assert any(e.kind is EventKind.SYSTEMIC_THERAPY for e in events.events)
    fhir = read_clinical_file(LUNG / "clinical" / "patient.synthetic.json", "fhir")
    assert [p.id for p in fhir.patients] == ["SYN-LUAD-003"]
    with pytest.raises(InputError, match="'vcf' is not a clinical file kind"):
        read_clinical_file(LUNG / "tumor.synthetic.vcf", "vcf")


def test_by_content_fhir_files_are_read_as_one_record() -> None:
    timeline = read_clinical([LUNG / "history.synthetic.csv", LUNG / "clinical"])
    assert [p.id for p in timeline.patients] == ["SYN-LUAD-003"]
    assert timeline.read["event table row"] == 17


def test_what_is_not_clinical_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"tumor\.synthetic\.vcf: is not a FHIR resource"):
        read_clinical([LUNG / "tumor.synthetic.vcf"])
    with pytest.raises(InputError, match="not found"):
        read_clinical([tmp_path / "missing.json"])


def test_a_timeline_counts_days_from_the_index_date() -> None:
    dated = read_clinical([TIMELINE], index_date=date(2023, 1, 16))
    assert all(str(e.start).startswith("20") for e in dated.events if e.start is not None)
