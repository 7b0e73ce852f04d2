"""Clinical histories from tables: cBioPortal timelines and the simple event table.

The files in tests/data/histories are SYNTHETIC (see its README); bad rows are written inline so
that each line number can be read off the test.
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from mtb.errors import InputError
from mtb.ingest.histories import (
    looks_like_cbioportal_timeline,
    looks_like_event_table,
    read_cbioportal_timeline,
    read_event_table,
)
from mtb.timeline import DayOffset, EventKind, PartialDate, therapy_lines

DATA = Path(__file__).resolve().parents[1] / "data" / "histories"
LUAD = DATA / "data_timeline_luad.txt"
TWO_PATIENTS = DATA / "data_timeline_two_patients.txt"
GERMAN = DATA / "verlauf_luad.csv"
DIAGNOSED = date(2023, 3, 6)  # the synthetic patient's day 0

CBIO_HEADER = (
    "PATIENT_ID\tSTART_DATE\tSTOP_DATE\tEVENT_TYPE\tTREATMENT_TYPE\tSUBTYPE\tAGENT\tSTATUS\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _by_source(events) -> dict[str, object]:
    return {event.source: event for event in events}


# --- cBioPortal ---------------------------------------------------------------------------------


def test_cbioportal_days_resolved_from_the_index_date() -> None:
    timeline = read_cbioportal_timeline(LUAD, index_date=DIAGNOSED)
    events = _by_source(timeline.events)
    erlotinib = events["data_timeline_luad.txt line 8"]
    assert (erlotinib.kind, erlotinib.label, erlotinib.start, erlotinib.end) == (
        EventKind.SYSTEMIC_THERAPY, "Erlotinib", PartialDate(2023, 3, 26), PartialDate(2023, 12, 31)
    )
    assert erlotinib.detail == "TREATMENT_TYPE: Medical Therapy; SUBTYPE: Targeted Therapy"
    first_biopsy = events["data_timeline_luad.txt line 4"]  # day -7
    assert (first_biopsy.kind, first_biopsy.start, first_biopsy.label, first_biopsy.detail) == (
        EventKind.SPECIMEN, PartialDate(2023, 2, 27), "Specimen, Lung, right upper lobe",
        "SPECIMEN_TYPE: tissue; SOURCE: Bronchoscopy",
    )
    progression = events["data_timeline_luad.txt line 14"]
    assert (progression.kind, progression.label, progression.start) == (
        EventKind.PROGRESSION, "Progressive disease", PartialDate(2023, 12, 21)
    )
    death = events["data_timeline_luad.txt line 20"]
    assert (death.kind, death.start) == (EventKind.DEATH, PartialDate(2024, 11, 5))
    assert [p.id for p in timeline.patients] == ["LUAD-SYN-01"]
    assert timeline.read == {"cBioPortal timeline row": 17}
    assert not timeline.skipped and not timeline.warnings


def test_cbioportal_event_types_become_kinds_labels_and_values() -> None:
    events = _by_source(read_cbioportal_timeline(LUAD).events)
    seen = {
        line: (events[f"data_timeline_luad.txt line {line}"].kind,
               events[f"data_timeline_luad.txt line {line}"].label)
        for line in (5, 6, 10, 11, 15, 16, 19)
    }
    assert seen == {
        5: (EventKind.DIAGNOSIS, "Lung adenocarcinoma, stage IVA"),
        6: (EventKind.SEQUENCING, "DNA panel"),
        10: (EventKind.IMAGING, "CT chest/abdomen"),
        11: (EventKind.RESPONSE, "Partial response"),
        15: (EventKind.SPECIMEN, "Sample acquisition, Liver"),  # EVENT_TYPE with a space
        16: (EventKind.RADIOTHERAPY, "SBRT"),  # TREATMENT with TREATMENT_TYPE Radiation Therapy
        19: (EventKind.OTHER, "Performance status: ECOG 2"),  # unknown type kept
    }
    radiotherapy = events["data_timeline_luad.txt line 16"]
    assert (radiotherapy.start, radiotherapy.end) == (DayOffset(320), DayOffset(334))
    assert radiotherapy.detail == "TREATMENT_TYPE: Radiation Therapy; AGENT: 5 x 7 Gy"
    imaging = events["data_timeline_luad.txt line 13"]
    assert imaging.detail == "RESULT: New liver metastases"
    # the lab values: a dot, a German decimal comma, a censored value kept as text
    cea = [
        (e.start, e.value, e.unit)
        for e in sorted(events.values(), key=lambda e: e.sort_key)
        if e.kind == EventKind.MARKER
    ]
    assert cea == [
        (DayOffset(14), 35.2, "ng/mL"),
        (DayOffset(110), 4.1, "ng/mL"),
        (DayOffset(285), 48.9, "ng/mL"),
        (DayOffset(400), "<0.5", "ng/mL"),
    ]
    assert all(event.label == "CEA" for event in events.values() if event.kind == EventKind.MARKER)
    # STYLE_COLOR is a rendering hint for cBioPortal, not clinical detail
    assert "STYLE_COLOR" not in events["data_timeline_luad.txt line 8"].detail


def test_cbioportal_without_index_date_keeps_day_offsets_in_order() -> None:
    timeline = read_cbioportal_timeline(LUAD)
    ordered = timeline.ordered()
    assert all(isinstance(event.start, DayOffset) for event in ordered)
    assert [event.start.days for event in ordered][:5] == [-7, 0, 10, 14, 20]
    assert [(e.kind, e.start.days) for e in ordered if e.start.days == 290] == [
        (EventKind.IMAGING, 290), (EventKind.PROGRESSION, 290)
    ]
    assert ordered[-1].kind == EventKind.DEATH
    # the same events, anchored afterwards, equal those read with the index date
    anchored = timeline.anchored(DIAGNOSED).ordered()
    assert anchored == read_cbioportal_timeline(LUAD, index_date=DIAGNOSED).ordered()


def test_cbioportal_timeline_gives_therapy_lines_once_anchored() -> None:
    events = read_cbioportal_timeline(LUAD, index_date=DIAGNOSED).events
    lines = therapy_lines(events)
    assert [(line.number, line.drugs) for line in lines] == [
        (1, ("Erlotinib",)), (2, ("Osimertinib",))
    ]
    assert therapy_lines(read_cbioportal_timeline(LUAD).events) == []  # day offsets: not grouped


def test_several_patients_need_a_choice() -> None:
    with pytest.raises(InputError) as caught:
        read_cbioportal_timeline(TWO_PATIENTS)
    error = caught.value
    assert error.path == str(TWO_PATIENTS)
    assert error.line == 5  # first row of the second patient
    assert "2 patients (LUAD-SYN-01, LUAD-SYN-02)" in error.problem
    second = read_cbioportal_timeline(TWO_PATIENTS, patient="LUAD-SYN-02")
    assert sorted((e.kind, e.label) for e in second.events) == [
        (EventKind.DIAGNOSIS, "Initial diagnosis"),
        (EventKind.SYSTEMIC_THERAPY, "Carboplatin"),
        (EventKind.SYSTEMIC_THERAPY, "Pemetrexed"),
    ]
    assert [p.id for p in second.patients] == ["LUAD-SYN-02"]
    assert second.read == {"cBioPortal timeline row": 6}
    assert second.skipped == {"row of another patient": 3}
    assert not second.warnings
    with pytest.raises(InputError, match="has no rows of patient 'LUAD-SYN-03'"):
        read_cbioportal_timeline(TWO_PATIENTS, patient="LUAD-SYN-03")


def test_cbioportal_bad_rows_are_skipped_with_their_line(tmp_path) -> None:
    path = _write(
        tmp_path, "data_timeline_bad.txt",
        "# SYNTHETIC\n"
        + CBIO_HEADER
        + "P1\t0\t\tSTATUS\t\t\t\tInitial diagnosis\n"  # 3: fine
        + "P1\tday 5\t\tSTATUS\t\t\t\tStable disease\n"  # 4: not a day number
        + "P1\t40\t20\tTREATMENT\t\t\tCisplatin\t\n"  # 5: stops before it starts
        + "P1\t50\t\t\t\t\t\tPartial response\n"  # 6: no event type
        + "P1\t60\t\tSTATUS\t\t\t\tStable\textra\n"  # 7: one cell too many
        + "\t70\t\tSTATUS\t\t\t\tStable\n"  # 8: no patient
        + "P1\t\t\tSTATUS\t\t\t\tDeceased\n"  # 9: kept, undated
        + "P1\t80\tNA\tTREATMENT\t\t\tPemetrexed\t\n",  # 10: NA stop = point event
    )
    timeline = read_cbioportal_timeline(path)
    assert timeline.warnings == [
        "data_timeline_bad.txt, line 4: START_DATE 'day 5' is not a whole number of days",
        "data_timeline_bad.txt, line 5: STOP_DATE 20 is before START_DATE 40",
        "data_timeline_bad.txt, line 6: EVENT_TYPE is empty",
        "data_timeline_bad.txt, line 7: has 9 cells, the header has 8",
        "data_timeline_bad.txt, line 8: PATIENT_ID is empty",
        "data_timeline_bad.txt, line 9: START_DATE is empty; listed last, undated",
    ]
    assert timeline.skipped == {
        "row with an invalid date": 1,
        "row ending before it starts": 1,
        "row without an event type": 1,
        "row with more cells than the header": 1,
        "row without a patient id": 1,
    }
    assert timeline.read == {"cBioPortal timeline row": 8}
    assert [(e.kind, e.start, e.end) for e in timeline.ordered()] == [
        (EventKind.DIAGNOSIS, DayOffset(0), None),
        (EventKind.SYSTEMIC_THERAPY, DayOffset(80), None),
        (EventKind.DEATH, None, None),
    ]


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("Progressive disease", EventKind.PROGRESSION),
        ("Local recurrence", EventKind.PROGRESSION),
        ("Relapse", EventKind.PROGRESSION),
        ("Stable disease, no progression", EventKind.RESPONSE),
        ("Progression-free", EventKind.OTHER),
        ("Dead of disease", EventKind.DEATH),
        ("Initial Diagnosis", EventKind.DIAGNOSIS),
        ("Complete remission", EventKind.RESPONSE),
        ("Alive, last follow-up", EventKind.OTHER),
    ],
)
def test_status_text_decides_the_kind(tmp_path, status, kind) -> None:
    path = _write(tmp_path, "status.txt", CBIO_HEADER + f"P1\t10\t\tStatus\t\t\t\t{status}\n")
    (event,) = read_cbioportal_timeline(path).events
    assert (event.kind, event.label) == (kind, status)


@pytest.mark.parametrize(
    ("event_type", "treatment_type", "subtype", "agent", "kind", "label"),
    [
        ("TREATMENT", "Medical Therapy", "Chemotherapy", "", EventKind.SYSTEMIC_THERAPY,
         "Chemotherapy"),
        ("TREATMENT", "Surgery", "Lobectomy", "", EventKind.SURGERY, "Lobectomy"),
        ("treatment", "Radiotherapy", "", "", EventKind.RADIOTHERAPY, "Radiotherapy"),
        ("SURGERY", "", "", "", EventKind.SURGERY, "Surgery"),
        ("RADIATION", "", "WBRT", "30 Gy", EventKind.RADIOTHERAPY, "WBRT"),
        ("Lab_test", "", "", "", EventKind.MARKER, "Lab test"),  # no TEST column: the type
        ("BIOPSY", "", "", "", EventKind.SPECIMEN, "Biopsy"),
    ],
)
def test_treatment_and_other_types(tmp_path, event_type, treatment_type, subtype, agent, kind,
                                   label) -> None:
    row = f"P1\t5\t9\t{event_type}\t{treatment_type}\t{subtype}\t{agent}\t\n"
    (event,) = read_cbioportal_timeline(_write(tmp_path, "t.txt", CBIO_HEADER + row)).events
    assert (event.kind, event.label) == (kind, label)


def test_cbioportal_without_stop_date_column_and_gzipped(tmp_path) -> None:
    """The documentation's own examples leave STOP_DATE out; cBioPortal's importer accepts it."""
    text = "PATIENT_ID\tSTART_DATE\tEVENT_TYPE\tTEST\tRESULT\nP1\t100\tLAB_TEST\tPSA\t10\n"
    path = tmp_path / "data_timeline_labtest.txt.gz"
    path.write_bytes(gzip.compress(text.encode()))
    assert looks_like_cbioportal_timeline(path)
    (event,) = read_cbioportal_timeline(path, index_date=date(2020, 1, 1)).events
    assert (event.kind, event.label, event.value, event.start, event.end) == (
        EventKind.MARKER, "PSA", 10.0, PartialDate(2020, 4, 10), None
    )


def test_cbioportal_missing_columns_name_the_file(tmp_path) -> None:
    text = "# SYNTHETIC\nPATIENT_ID\tSTART\tTYPE\nP1\t0\tX\n"
    path = _write(tmp_path, "data_timeline_x.txt", text)
    with pytest.raises(InputError) as caught:
        read_cbioportal_timeline(path)
    assert caught.value.path == str(path)
    assert caught.value.line == 2
    assert caught.value.problem.startswith("no START_DATE, EVENT_TYPE column")
    assert str(caught.value).startswith(f"{path}, line 2: no START_DATE, EVENT_TYPE column")


# --- event table --------------------------------------------------------------------------------


def test_german_event_table() -> None:
    timeline = read_event_table(GERMAN)
    events = _by_source(timeline.events)
    diagnosis = events["verlauf_luad.csv line 3"]
    assert (diagnosis.kind, diagnosis.start, diagnosis.label, diagnosis.detail) == (
        EventKind.DIAGNOSIS, PartialDate(2023), "Adenokarzinom der Lunge, Stadium IVA",
        "Kommentar: Jahr aus dem Krebsregister",
    )
    cea = events["verlauf_luad.csv line 6"]
    assert (cea.kind, cea.label, cea.value, cea.unit, cea.start) == (
        EventKind.MARKER, "CEA", 35.2, "ng/ml", PartialDate(2023, 3, 20)
    )
    erlotinib = events["verlauf_luad.csv line 7"]
    assert (erlotinib.kind, erlotinib.start, erlotinib.end, erlotinib.value, erlotinib.unit) == (
        EventKind.SYSTEMIC_THERAPY, PartialDate(2023, 3, 26), PartialDate(2023, 12, 31), 150.0,
        "mg/d",
    )
    ct = events["verlauf_luad.csv line 8"]  # '00.06.2023': day unknown
    assert (ct.kind, ct.start, ct.value, ct.detail) == (
        EventKind.IMAGING, PartialDate(2023, 6), "PR", "Kommentar: partielle Remission"
    )
    board = events["verlauf_luad.csv line 10"]
    assert (board.kind, board.detail) == (
        EventKind.TUMOR_BOARD, "Kommentar: Empfehlung: Rebiopsie, dann Osimertinib"
    )
    assert events["verlauf_luad.csv line 13"].kind == EventKind.RADIOTHERAPY
    assert [e.kind for e in timeline.ordered()] == [
        EventKind.DIAGNOSIS,  # '2023' sorts at the start of its year
        EventKind.SPECIMEN,
        EventKind.SEQUENCING,
        EventKind.MARKER,
        EventKind.SYSTEMIC_THERAPY,
        EventKind.IMAGING,
        EventKind.PROGRESSION,
        EventKind.TUMOR_BOARD,
        EventKind.SYSTEMIC_THERAPY,
        EventKind.MARKER,
        EventKind.RADIOTHERAPY,
    ]
    assert timeline.read == {"event table row": 11}
    assert not timeline.skipped and not timeline.warnings
    assert [(line.drugs, str(line.start)) for line in therapy_lines(timeline.events)] == [
        (("Erlotinib",), "2023-03-26"), (("Osimertinib",), "2024-01-10")
    ]


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_event_table_delimiters_and_header_case(tmp_path, delimiter) -> None:
    rows = [
        ["Label", "KIND", "Date", "Value", "Unit", "Arzt"],
        ["CA-125", "Tumor Marker", "05.03.2022", "35,2", "U/ml", "Dr. A"],
        ["Carboplatin", "chemotherapy", "2022-04", "", "", ""],
        ["Lobektomie", "OP", "00.00.2021", "", "", ""],
        ["Tod", "deceased", "2024-03-00", "", "", ""],
        ["Staging", "other", "2020-00", "", "", ""],
    ]
    text = "\ufeff" + "\n".join(delimiter.join(row) for row in rows) + "\n"  # Excel's BOM
    path = _write(tmp_path, "history.txt", text)
    assert looks_like_event_table(path)
    assert not looks_like_cbioportal_timeline(path)
    got = [
        (e.kind, e.label, e.start, e.value, e.unit, e.detail) for e in read_event_table(path).events
    ]
    assert got == [
        (EventKind.MARKER, "CA-125", PartialDate(2022, 3, 5), 35.2, "U/ml", "Arzt: Dr. A"),
        (EventKind.SYSTEMIC_THERAPY, "Carboplatin", PartialDate(2022, 4), None, "", ""),
        (EventKind.SURGERY, "Lobektomie", PartialDate(2021), None, "", ""),
        (EventKind.DEATH, "Tod", PartialDate(2024, 3), None, "", ""),
        (EventKind.OTHER, "Staging", PartialDate(2020), None, "", ""),  # 00: unknown
    ]


@pytest.mark.parametrize(
    ("cell", "value"),
    [("35.2", 35.2), ("35,2", 35.2), ("-1", -1.0), ("0,123", 0.123), ("positive", "positive"),
     ("1,234", "1,234"), ("<0.5", "<0.5")],
)
def test_values(tmp_path, cell, value) -> None:
    path = _write(tmp_path, "v.tsv", f"date\tkind\tlabel\tvalue\n2022\tmarker\tX\t{cell}\n")
    (event,) = read_event_table(path).events
    assert event.value == value


def test_event_table_bad_rows_are_skipped_with_their_line(tmp_path) -> None:
    path = _write(
        tmp_path, "verlauf.csv",
        "# SYNTHETIC\n"
        "date,kind,label,end,value\n"
        "2023-01-05,surgery,Lobektomie,,\n"  # 3: fine
        "31.02.2023,surgery,Mediastinoskopie,,\n"  # 4: no such day
        "2023-02-01,Chirurgie,Keilresektion,,\n"  # 5: unknown kind
        "2023-03-01,drug,Carboplatin,2023-02-01,\n"  # 6: ends before it starts
        "2023-04-01,imaging,,,\n"  # 7: no label
        "2023-05-01,marker,CEA,,35,2\n"  # 8: unquoted decimal comma
        ",radiotherapy,Bestrahlung,,\n"  # 9: kept, undated
        "2023-03-15,drug,Pemetrexed,2023-03,\n",  # 10: ends in its start's month: not before
    )
    timeline = read_event_table(path)
    assert timeline.warnings[0] == (
        "verlauf.csv, line 4: date '31.02.2023' is not a date (expected YYYY, YYYY-MM, "
        "YYYY-MM-DD or DD.MM.YYYY)"
    )
    assert timeline.warnings[1].startswith(
        "verlauf.csv, line 5: kind 'Chirurgie' is not known (expected one of: diagnosis, "
    )
    assert timeline.warnings[2:] == [
        "verlauf.csv, line 6: end 2023-02-01 is before date 2023-03-01",
        "verlauf.csv, line 7: label is empty",
        "verlauf.csv, line 8: has 6 cells, the header has 5 (a decimal comma in a "
        "comma-separated file needs quotes)",
        "verlauf.csv, line 9: date is empty; listed last, undated",
    ]
    assert timeline.skipped == {
        "row with an invalid date": 1,
        "row with an unknown kind": 1,
        "row ending before it starts": 1,
        "row without a label": 1,
        "row with more cells than the header": 1,
    }
    assert timeline.read == {"event table row": 8}
    assert [(e.label, e.source) for e in timeline.ordered()] == [
        ("Lobektomie", "verlauf.csv line 3"),
        ("Pemetrexed", "verlauf.csv line 10"),
        ("Bestrahlung", "verlauf.csv line 9"),
    ]


def test_quoted_multiline_cell_keeps_line_numbers(tmp_path) -> None:
    path = _write(
        tmp_path, "board.csv",
        'date,kind,label,Empfehlung\n2024-01-05,mtb,Tumorboard,"Osimertinib;\nRebiopsie bei PD"\n'
        "2024-x,marker,CEA,\n",
    )
    timeline = read_event_table(path)
    assert timeline.events[0].detail == "Empfehlung: Osimertinib;\nRebiopsie bei PD"
    assert timeline.events[0].source == "board.csv line 2"  # where the row starts
    assert timeline.warnings[0].startswith("board.csv, line 4: date '2024-x' is not a date")


def test_event_table_refuses_several_patients(tmp_path) -> None:
    path = _write(
        tmp_path, "h.csv", "patient_id,date,kind,label\nA1,2022,diagnosis,X\nB2,2023,diagnosis,Y\n"
    )
    with pytest.raises(InputError) as caught:
        read_event_table(path)
    assert (caught.value.line, caught.value.path) == (3, str(path))
    assert "2 patients (A1, B2); split it by patient" in caught.value.problem
    single = _write(tmp_path, "one.csv", "patient_id,date,kind,label\nA1,2022,diagnosis,X\n")
    timeline = read_event_table(single)
    assert [p.id for p in timeline.patients] == ["A1"]
    assert timeline.events[0].detail == ""  # the patient column is not detail


def test_event_table_missing_columns_name_the_file(tmp_path) -> None:
    path = _write(tmp_path, "verlauf.csv", "datum,art,bezeichnung\n2022,diagnosis,X\n")
    with pytest.raises(InputError) as caught:
        read_event_table(path)
    assert caught.value.path == str(path)
    assert caught.value.line == 1
    assert caught.value.problem.startswith("no date, kind, label column")
    assert not looks_like_event_table(path)


# --- files that cannot be read ------------------------------------------------------------------


@pytest.mark.parametrize("reader", [read_cbioportal_timeline, read_event_table])
def test_empty_and_unreadable_files(tmp_path, reader) -> None:
    empty = _write(tmp_path, "empty.txt", "")
    with pytest.raises(InputError) as caught:
        reader(empty)
    assert str(caught.value) == f"{empty}: is empty: no header line"
    only_comments = _write(tmp_path, "comments.txt", "# SYNTHETIC\n\n# nothing else\n")
    with pytest.raises(InputError, match="is empty: no header line"):
        reader(only_comments)
    missing = tmp_path / "missing.txt"
    with pytest.raises(InputError) as caught:
        reader(missing)
    assert caught.value.path == str(missing)
    assert caught.value.problem == "cannot be read (No such file or directory)"
    binary = tmp_path / "latin1.csv"
    binary.write_bytes("date,kind,label\n2022,diagnosis,Lungenkrebs Größe 3 cm\n".encode("cp1252"))
    with pytest.raises(InputError, match="is not UTF-8 text"):
        reader(binary)


def test_header_only_gives_an_empty_timeline_with_a_warning(tmp_path) -> None:
    path = _write(tmp_path, "h.csv", "date,kind,label\n")
    timeline = read_event_table(path)
    assert (timeline.events, timeline.warnings) == ([], ["h.csv: has a header but no rows"])


def test_dispatch_by_content_not_name(tmp_path) -> None:
    assert looks_like_cbioportal_timeline(LUAD)
    assert not looks_like_event_table(LUAD)
    assert looks_like_event_table(GERMAN)
    assert not looks_like_cbioportal_timeline(GERMAN)
    disguised = _write(tmp_path, "data_timeline_fake.txt", "date,kind,label\n2022,other,X\n")
    assert looks_like_event_table(disguised)
    assert not looks_like_cbioportal_timeline(disguised)
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\xff\xfe\x00\x01garbage")
    assert not looks_like_event_table(binary)
    assert not looks_like_cbioportal_timeline(binary)
    assert not looks_like_event_table(tmp_path / "missing.csv")
