"""Every FHIR file in ../shared/data/fhir becomes the events read from it by hand.

tests/data/fhir_expected_events.tsv lists, per file, the events a reader of the JSON expects
(dates, drugs, values, read without running mtb; see fhir_expected_events.md for the rules and
the oddities of each file). The MII examples are loose resources of one patient, read as a
folder (their therapy Procedures fold into the MedicationStatements); every bundle is read
on its own.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import pytest

from mtb.ingest.fhir import read_fhir
from mtb.timeline import EventKind, PartialDate, Timeline, TimelineEvent, therapy_lines
from tests.conftest import SHARED, needs_shared

TABLE = Path(__file__).resolve().parents[1] / "data" / "fhir_expected_events.tsv"
with open(TABLE, encoding="utf-8") as handle:
    ROWS = list(csv.DictReader(handle, delimiter="\t"))
FOLDERS = ("mii-onkologie", "mii-mtb")  # loose resources of one patient each


@cache
def _timeline(unit: str) -> Timeline:
    assert SHARED is not None
    return read_fhir([SHARED / "fhir" / unit])


def _unit(file: str) -> str:
    folder = file.split("/")[0]
    return folder if folder in FOLDERS else file


def _matches(event: TimelineEvent, row: dict[str, str]) -> bool:
    if not event.source.startswith(row["resource"] + " "):
        return False
    if event.kind.value != row["kind"] or str(event.start or "") != row["start"]:
        return False
    if row["end"] and str(event.end or "") != row["end"]:
        return False
    label = event.label.lower()
    if not all(part.strip().lower() in label for part in row["label_contains"].split("+")):
        return False
    if row["value"]:
        if isinstance(event.value, float):
            if event.value != pytest.approx(float(row["value"])):
                return False
        elif row["value"].lower() not in str(event.value or "").lower():
            return False
    return not row["unit"] or row["unit"] == event.unit


@needs_shared
@pytest.mark.parametrize("row", ROWS, ids=[f"{r['resource']}:{r['kind']}" for r in ROWS])
def test_hand_read_event_is_on_the_timeline(row: dict[str, str]) -> None:
    timeline = _timeline(_unit(row["file"]))
    candidates = [e for e in timeline.events if e.source.startswith(row["resource"] + " ")]
    assert any(_matches(e, row) for e in candidates), (row, candidates)


def test_table_covers_every_source() -> None:
    sources = {row["file"].split("/")[0] for row in ROWS}
    assert sources == {"genomics-reporting", "mcode", "mii-mtb", "mii-onkologie", "synthea"}
    assert {row["kind"] for row in ROWS} >= {
        "diagnosis", "surgery", "radiotherapy", "systemic_therapy", "imaging", "response",
        "marker", "specimen", "sequencing", "tumor_board", "death",
    }


@needs_shared
def test_every_file_is_read_without_invalid_resources() -> None:
    """All 41 files validate against the R4B models; nothing is dropped as invalid."""
    assert SHARED is not None
    timeline = read_fhir([SHARED / "fhir"])
    in_files = 0
    for path in (SHARED / "fhir").rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        in_files += len(data["entry"]) if data["resourceType"] == "Bundle" else 1
    assert sum(timeline.read.values()) == in_files == 1705
    assert not [k for k in timeline.skipped if "invalid" in k or "unknown" in k]
    assert len(timeline.patients) == 11


@needs_shared
def test_kim_musterperson_course() -> None:
    """The MII Onkologie example: ovarian cancer 2021, carboplatin/paclitaxel (neoadjuvant),
    surgery, gemcitabine/carboplatin, niraparib maintenance, four tumor boards."""
    timeline = _timeline("mii-onkologie")
    [patient] = timeline.patients
    assert (patient.id, patient.birth, patient.name) == (
        "PatientKimMusterperson", PartialDate(1956, 3, 14), "",  # no names unless configured
    )
    lines = therapy_lines(timeline.events)
    assert [line.drugs for line in lines] == [
        ("Paclitaxel + Carboplatin",), ("Carboplatin", "Gemcitabin"), ("Niraparib",),
    ]
    assert "neoadjuvant, curative intent" in lines[0].events[0].detail
    assert str(lines[0].start) == "2021-07-05" and str(lines[0].end) == "2021-09-05"
    # the three OPS 8-54 therapy Procedures are folded into their MedicationStatements
    assert timeline.skipped["Procedure (systemic therapy, shown by its medications)"] == 3
    report = next(e for e in timeline.events if e.source.startswith("DiagnosticReport/"))
    assert report.start is None and "Seröses Adenokarzinom" in report.detail
    assert any("no date" in w and "PathoReport-1" in w for w in timeline.warnings)
    boards = [e for e in timeline.ordered() if e.kind == EventKind.TUMOR_BOARD]
    assert boards[0].detail == "recommended: Chemotherapie; Operation"


@needs_shared
def test_names_only_when_configured() -> None:
    assert SHARED is not None
    [patient] = read_fhir([SHARED / "fhir" / "mii-onkologie"], show_names=True).patients
    assert patient.name == "Kim Musterperson"


@needs_shared
def test_mtb_recommendation_resolves_through_request_group() -> None:
    """The MII MTB therapy plan points to a RequestGroup of two MedicationRequests whose
    Medications carry ATC codes: the board's recommendation reads as a combination."""
    board = next(e for e in _timeline("mii-mtb").events
                 if e.source.startswith("CarePlan/mii-exa-mtb-therapieplan"))
    assert board.detail == ("recommended: Zielgerichtete Substanz; Dabrafenib + Trametinib "
                            "(evidence m1C)")
    assert "recommendation, not given" in " ".join(_timeline("mii-mtb").skipped)


@needs_shared
def test_dangling_references_warn_and_keep_the_resource() -> None:
    timeline = _timeline("mii-mtb")
    text = "\n".join(timeline.warnings)
    assert "its medication reference (to a Medication) does not resolve" in text
    assert "resources refer to 3 other patients than the patient of these files" in text
    # warnings name the kind and the place, never a resource's id (ids are often names)
    assert "Medication/Example" not in text and "Patient/example" not in text
    therapy = next(e for e in timeline.events if e.kind == EventKind.SYSTEMIC_THERAPY)
    assert "Medication/Example not found" in therapy.label


@needs_shared
def test_synthea_keeps_oncology_and_counts_the_rest() -> None:
    """Micah Schinner: 417 resources; the timeline shows the cancer course and says what it
    left out (encounters, claims, routine labs) by type and reason."""
    timeline = _timeline("synthea/Micah_Schinner_d4d72610-ec40-42ed-b34f-09e286181ee9.json")
    kinds = [e.kind.value for e in timeline.ordered()]
    assert kinds.count("radiotherapy") == 6 and kinds[-1] == "death"
    assert timeline.skipped["Encounter"] == 26
    assert timeline.skipped["Observation (not an oncology observation)"] > 200
    assert timeline.skipped["Condition (not a tumor diagnosis)"] == 4


def test_bad_input_is_reported_never_raised(tmp_path: Path) -> None:
    """Invalid JSON, a wrong resourceType, an invalid resource, a bundle entry without a
    resource: each is a warning naming file and place, and the valid rest is read."""
    (tmp_path / "broken.json").write_text('{"resourceType": "Patient", "id": "p1",\n  oops}')
    (tmp_path / "alien.json").write_text('{"resourceType": "Spaceship", "id": "x"}')
    (tmp_path / "bundle.json").write_text(json.dumps({
        "resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": {"resourceType": "Patient", "id": "p1", "gender": "female",
                          "birthDate": "1970"}},
            {"resource": {"resourceType": "Procedure", "id": "bad", "status": "completed",
                          "subject": {"reference": "Patient/p1"},
                          "performedDateTime": "2021-13-01"}},
            {"fullUrl": "urn:uuid:1"},
            {"resource": {"resourceType": "Condition", "id": "c1",
                          "subject": {"reference": "Patient/p1"},
                          "code": {"coding": [{"system": "http://fhir.de/CodeSystem/bfarm/"
                                               "icd-10-gm", "code": "C34.1"}],
                                   "text": "Adenokarzinom Oberlappen"},
                          "onsetDateTime": "2022-03"}},
        ]}))
    timeline = read_fhir([tmp_path])
    text = "\n".join(timeline.warnings)
    assert "broken.json, line 2: invalid JSON" in text
    assert "alien.json: resourceType 'Spaceship' is not a FHIR R4 resource" in text
    assert "Procedure (bundle.json, entry 2): not valid FHIR R4 (performedDateTime" in text
    assert "Procedure/bad" not in text  # never the id: it may hold a name
    assert "bundle.json, entry 3: no resource" in text
    [diagnosis] = timeline.events
    assert (diagnosis.kind, str(diagnosis.start), diagnosis.label) == (
        EventKind.DIAGNOSIS, "2022-03", "Adenokarzinom Oberlappen")
    assert diagnosis.start.precision == "month"  # a partial date stays partial
    assert timeline.skipped["Procedure (invalid)"] == 1
    assert timeline.patients[0].birth == PartialDate(1970)


def test_patient_filter_keeps_one_patient(tmp_path: Path) -> None:
    def condition(ident: str, patient: str) -> dict[str, object]:
        return {"resourceType": "Condition", "id": ident,
                "subject": {"reference": f"Patient/{patient}"},
                "code": {"text": "Melanoma"}, "onsetDateTime": "2020-01-02"}

    (tmp_path / "two.json").write_text(json.dumps({
        "resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": {"resourceType": "Patient", "id": "a"}},
            {"resource": {"resourceType": "Patient", "id": "b"}},
            {"resource": condition("ca", "a")}, {"resource": condition("cb", "b")},
        ]}))
    both = read_fhir([tmp_path])
    assert len(both.events) == 2 and any("2 patients" in w for w in both.warnings)
    only_a = read_fhir([tmp_path], patient="a")
    assert [e.source.split(" ")[0] for e in only_a.events] == ["Condition/ca"]
    assert [p.id for p in only_a.patients] == ["a"]
    assert only_a.skipped["Condition (another patient)"] == 1


# -- review regressions: each a way a board could have been misled -------------------------


def _bundle(path: Path, *resources: dict[str, object]) -> Path:
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": [{"resource": r} for r in resources]}))
    return path


PATIENT = {"resourceType": "Patient", "id": "p1"}


def _statement(ident: str, drug: str, start: str, **more: object) -> dict[str, object]:
    return {"resourceType": "MedicationStatement", "id": ident, "status": "completed",
            "subject": {"reference": "Patient/p1"}, "effectiveDateTime": start,
            "medicationCodeableConcept": {"text": drug}, **more}


def test_planned_drug_is_not_given_therapy(tmp_path: Path) -> None:
    """An 'intended' osimertinib (the board's plan) must not become Line 2."""
    timeline = read_fhir([_bundle(
        tmp_path / "b.json", PATIENT,
        _statement("given", "Erlotinib 150 MG", "2023-02-01"),
        _statement("plan", "Osimertinib 80 MG", "2024-04-10", status="intended"),
    )])
    assert [e.label for e in timeline.events] == ["Erlotinib"]
    assert timeline.skipped["MedicationStatement (planned, not given)"] == 1


@pytest.mark.parametrize(("text", "kind"), [
    ("Progression", EventKind.PROGRESSION), ("keine Progression", EventKind.RESPONSE),
    ("No progression", EventKind.RESPONSE), ("Disease progression ruled out",
                                              EventKind.RESPONSE),
])
def test_negated_progression_is_a_response(tmp_path: Path, text: str, kind: EventKind) -> None:
    status = {"resourceType": "Observation", "id": "s", "status": "final",
              "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2024-03-05",
              "code": {"coding": [{"system": "http://loinc.org", "code": "97509-4"}]},
              "valueCodeableConcept": {"text": text}}
    [event] = read_fhir([_bundle(tmp_path / "b.json", PATIENT, status)]).events
    assert event.kind == kind


def test_contained_medication_and_comparator(tmp_path: Path) -> None:
    """EHR exports contain their Medication ('#m1'); a PSA '<0.1' is not 0.1."""
    given = {"resourceType": "MedicationAdministration", "id": "a", "status": "completed",
             "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2024-01-02",
             "contained": [{"resourceType": "Medication", "id": "m1", "code": {"coding": [
                 {"system": "http://www.whocc.no/atc", "code": "L01XC35",
                  "display": "Trastuzumab deruxtecan"}]}}],
             "medicationReference": {"reference": "#m1"}}
    psa = {"resourceType": "Observation", "id": "psa", "status": "final",
           "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2024-02-01",
           "code": {"coding": [{"system": "http://loinc.org", "code": "2857-1",
                                "display": "PSA"}]},
           "valueQuantity": {"value": 0.1, "comparator": "<", "unit": "ng/mL"}}
    events = read_fhir([_bundle(tmp_path / "b.json", PATIENT, given, psa)]).events
    by_kind = {e.kind: e for e in events}
    assert by_kind[EventKind.SYSTEMIC_THERAPY].label == "Trastuzumab deruxtecan"
    assert (by_kind[EventKind.MARKER].value, by_kind[EventKind.MARKER].unit) == ("<0.1", "ng/mL")


def test_two_files_of_two_patients_are_noticed(tmp_path: Path, capsys) -> None:
    """Each file is one patient; together they are two: `mtb timeline a b` says so."""
    from mtb.cli import main

    def condition(patient: str) -> dict[str, object]:
        return {"resourceType": "Condition", "id": f"c-{patient}",
                "subject": {"reference": f"Patient/{patient}"}, "code": {"text": "Melanoma"},
                "onsetDateTime": "2020-01-02"}

    a = _bundle(tmp_path / "a.json", {"resourceType": "Patient", "id": "a"}, condition("a"))
    b = _bundle(tmp_path / "b.json", {"resourceType": "Patient", "id": "b"}, condition("b"))
    assert main(["timeline", str(a), str(b)]) == 0
    assert "the files hold 2 patients; choose one" in capsys.readouterr().err
    only_b = read_fhir([a, b], patient="b")
    assert [p.id for p in only_b.patients] == ["b"] and len(only_b.events) == 1


def test_history_and_suspicion_are_not_the_diagnosis(tmp_path: Path) -> None:
    def condition(ident: str, text: str) -> dict[str, object]:
        return {"resourceType": "Condition", "id": ident, "subject": {"reference": "Patient/p1"},
                "code": {"text": text}, "onsetDateTime": "2020-01-02"}

    timeline = read_fhir([_bundle(
        tmp_path / "b.json", PATIENT, condition("h", "History of malignant neoplasm of breast"),
        condition("f", "Family history of breast cancer"), condition("t", "Tumor lysis syndrome"),
        condition("s", "Suspected lung cancer"), condition("d", "Adenocarcinoma of lung"),
    )])
    kinds = {e.source.split(" ")[0]: e.kind for e in timeline.events}
    assert kinds == {"Condition/s": EventKind.OTHER, "Condition/d": EventKind.DIAGNOSIS}


def test_kim_musterperson_lines_keep_their_setting() -> None:
    """Neoadjuvant and adjuvant therapy are not 'lines' (the MII extensions say so): a board
    must not read the niraparib maintenance as third-line therapy."""
    if SHARED is None:
        pytest.skip("../shared/data not found")
    lines = therapy_lines(_timeline("mii-onkologie").events)
    assert [(line.number, line.setting) for line in lines] == [
        (None, "neoadjuvant"), (None, "adjuvant"), (None, "adjuvant")]
    assert lines[0].label == "Neoadjuvant: Paclitaxel + Carboplatin (2021-07-05 to 2021-09-05)"
