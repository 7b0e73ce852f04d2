"""Importing a patient from a FHIR R4 server, against a real HTTP server on 127.0.0.1
(pytest-httpserver; `requests` is never mocked) that serves the shared real bundles as
paged searchsets: once with `$everything`, once without it (per-type searches)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from mtb.errors import ConfigError, HttpStatusError, SourceError
from mtb.http import HttpClient
from mtb.ingest.fhir_server import (
    EVERYTHING,
    PER_TYPE,
    FetchedRecord,
    fetch_patient,
    write_bundle,
)
from tests.conftest import SHARED, needs_shared
from tests.ingest.fake_fhir_server import FakeFhirServer, resources_of

TOKEN = "fhir-test-token-9b1e44c0"  # made up; must never surface in a message or file
JENNY = "cancer-patient-jenny-m"
DARIN = "a8cd3462-ed0c-48a4-81cc-45249aa946ca"
MII = "mii-exa-mtb-patient"
# what the fallback searches, spelled out here so that the test fails if the module drifts
SEARCHED = ["Condition", "Procedure", "MedicationStatement", "MedicationAdministration",
            "MedicationRequest", "Observation", "DiagnosticReport", "ImagingStudy", "Specimen",
            "CarePlan", "RequestGroup"]


def shared_json(relative: str) -> Any:
    assert SHARED is not None
    return json.loads((SHARED / "fhir" / relative).read_text(encoding="utf-8"))


SOURCES = {
    JENNY: "mcode/Bundle-mcode-patient-bundle-jenny-m.json",
    DARIN: "synthea/Darin_Skiles_31c343e9-5d7f-444e-9be4-56b1a6ec6146.json",
}


def source(patient_id: str) -> list[dict[str, Any]]:
    return resources_of(shared_json(SOURCES[patient_id]))


def by_key(resources: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["resourceType"], r["id"]): r for r in resources}


@pytest.fixture
def httpserver(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """pytest-httpserver's server, bound to 127.0.0.1 (its plain fixture binds 'localhost')."""
    return httpserver_ipv4


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient(cache_dir=None, timeout=(2, 5), retries=1, backoff_factor=0)
    yield client
    client.close()


def host(server: HTTPServer) -> str:
    return f"127.0.0.1:{server.port}"


# -- $everything ---------------------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize(("patient_id", "page_size"), [(DARIN, 50), (JENNY, 15)])
def test_everything_pages_through_every_resource_once(httpserver: HTTPServer, patient_id: str,
                                                      page_size: int) -> None:
    resources = source(patient_id)
    fake = FakeFhirServer(httpserver, resources, patient_id, page_size=page_size, token=TOKEN)

    record = fetch_patient(fake.base + "/", patient_id, token=TOKEN)  # its own cacheless client

    assert record.method == EVERYTHING == "$everything"
    assert record.counts == dict(Counter(r["resourceType"] for r in resources))
    pages = fake.expected_pages(len(resources))
    assert pages > 1 and record.pages == pages
    assert len(fake.requests()) == pages  # no fallback, nothing fetched twice
    # the Patient came on every page (deduplicated) and search bookkeeping is gone
    fetched = [entry["resource"] for entry in record.bundle["entry"]]
    assert by_key(fetched) == by_key(resources) and len(fetched) == len(resources)
    assert record.bundle["type"] == "collection" and record.bundle["resourceType"] == "Bundle"
    assert all(set(entry) == {"fullUrl", "resource"} for entry in record.bundle["entry"])
    assert [e["fullUrl"] for e in record.bundle["entry"]] == [
        f"{fake.base}/{r['resourceType']}/{r['id']}" for r in fetched]
    assert record.warnings == ()

    first, *rest = fake.requests()
    assert first.path == f"/fhir/Patient/{patient_id}/$everything"
    assert first.args["_count"] == "200"
    assert [r.path for r in rest] == ["/fhir/_page"] * (pages - 1)
    assert [int(r.args["offset"]) for r in rest] == [page_size * n for n in range(1, pages)]
    for request in fake.requests():
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["Accept"] == "application/fhir+json"


@needs_shared
def test_operation_outcome_entries_become_warnings(httpserver: HTTPServer,
                                                   http: HttpClient) -> None:
    resources = source(JENNY)
    fake = FakeFhirServer(httpserver, resources, JENNY,
                          outcome_text="2 resources withheld:\n consent   restrictions")
    record = fetch_patient(fake.base, JENNY, http=http)
    assert record.warnings == (f"{host(httpserver)}: warning: 2 resources withheld: consent "
                               "restrictions",)
    assert "OperationOutcome" not in record.counts
    assert sum(record.counts.values()) == len(resources)


@needs_shared
def test_relative_next_links_resolve_against_the_base(httpserver: HTTPServer,
                                                      http: HttpClient) -> None:
    resources = source(DARIN)
    fake = FakeFhirServer(httpserver, resources, DARIN, relative_links=True, page_size=40)
    record = fetch_patient(fake.base, DARIN, http=http)
    assert record.pages == 5 and sum(record.counts.values()) == len(resources)
    assert fake.paths()[1:] == ["/fhir/_page"] * 4


# -- per-type searches ---------------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("patient_id", [DARIN, JENNY])
def test_per_type_searches_when_everything_is_missing(httpserver: HTTPServer,
                                                      http: HttpClient, patient_id: str) -> None:
    resources = source(patient_id)
    fake = FakeFhirServer(httpserver, resources, patient_id, everything=False, page_size=10,
                          token=TOKEN, relative_links=patient_id == JENNY)

    record = fetch_patient(fake.base, patient_id, token=TOKEN, http=http)

    assert record.method == PER_TYPE == "per-type search"
    wanted = {"Patient", *SEARCHED}
    expected = Counter(r["resourceType"] for r in resources if r["resourceType"] in wanted)
    assert record.counts == dict(expected) and expected["Observation"] > 10
    fetched = [entry["resource"] for entry in record.bundle["entry"]]
    assert by_key(fetched) == {k: v for k, v in by_key(resources).items() if k[0] in wanted}
    assert record.pages == sum(fake.expected_pages(expected[kind]) for kind in SEARCHED)

    requests = fake.requests()
    assert requests[0].path == f"/fhir/Patient/{patient_id}/$everything"
    assert requests[1].path == f"/fhir/Patient/{patient_id}" and not requests[1].args
    searches = [r for r in requests if r.path.count("/") == 2 and "patient" in r.args]
    assert [r.path.split("/")[2] for r in searches] == SEARCHED
    assert all(r.args["patient"] == patient_id and r.args["_count"] == "200" for r in searches)
    assert len(requests) == 2 + record.pages  # reads plus every searchset page, nothing else
    assert {r.headers["Authorization"] for r in requests} == {f"Bearer {TOKEN}"}


@needs_shared
@pytest.mark.parametrize("status", [400, 404, 405, 501])
def test_each_not_offered_status_falls_back(httpserver: HTTPServer, http: HttpClient,
                                            status: int) -> None:
    fake = FakeFhirServer(httpserver, source(JENNY), JENNY, everything=False,
                          everything_status=status)
    record = fetch_patient(fake.base, JENNY, http=http)
    assert record.method == PER_TYPE and record.counts["Observation"] == 22


@needs_shared
def test_a_server_error_does_not_fall_back(httpserver: HTTPServer, http: HttpClient) -> None:
    fake = FakeFhirServer(httpserver, source(JENNY), JENNY, everything=False,
                          everything_status=500)
    with pytest.raises(HttpStatusError, match=r"^127\.0\.0\.1:\d+: HTTP 500$"):
        fetch_patient(fake.base, JENNY, http=http)
    assert len(fake.requests()) == 1


@needs_shared
def test_referenced_medications_are_read(httpserver: HTTPServer, http: HttpClient) -> None:
    """MII MTB example: two therapy recommendations (MedicationRequest) naming Medications that
    only a read finds; one statement (a copy, moved to this patient) names a missing one."""
    mii = {name: shared_json(f"mii-mtb/{name}.json") for name in [
        "Patient-mii-exa-mtb-patient",
        "MedicationRequest-mii-exa-mtb-therapieempfehlung-dabrafenib",
        "MedicationRequest-mii-exa-mtb-therapieempfehlung-trametinib",
        "CarePlan-mii-exa-mtb-therapieplan-kombinationstherapie",
        "Medication-mii-exa-mtb-medikation-dabrafenib",
        "Medication-mii-exa-mtb-medikation-trametinib",
        "MedicationStatement-MII-EXA-MTB-Systemtherapie-Beispiel-1",
    ]}
    statement = dict(mii.pop("MedicationStatement-MII-EXA-MTB-Systemtherapie-Beispiel-1"),
                     subject={"reference": f"Patient/{MII}"})
    assert statement["medicationReference"] == {"reference": "Medication/Example"}
    medications = [mii.pop(k) for k in list(mii) if k.startswith("Medication-")]
    fake = FakeFhirServer(httpserver, [*mii.values(), statement], MII, everything=False,
                          reads_only=medications)

    record = fetch_patient(fake.base, MII, http=http)

    assert record.counts == {"CarePlan": 1, "Medication": 2, "MedicationRequest": 2,
                             "MedicationStatement": 1, "Patient": 1}
    reads = [p for p in fake.paths() if p.startswith("/fhir/Medication/")]
    assert reads == ["/fhir/Medication/Example",  # statements are searched before requests
                     "/fhir/Medication/mii-exa-mtb-medikation-dabrafenib",
                     "/fhir/Medication/mii-exa-mtb-medikation-trametinib"]
    assert record.warnings == (
        f"{host(httpserver)}: a Medication a statement names was not found",)


# -- failures ------------------------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("everything", [True, False])
def test_unknown_patient_is_not_found(httpserver: HTTPServer, http: HttpClient,
                                      everything: bool) -> None:
    fake = FakeFhirServer(httpserver, source(JENNY), JENNY, everything=everything)
    with pytest.raises(SourceError) as info:
        fetch_patient(fake.base, "nobody-42", http=http)
    assert str(info.value) == f"patient nobody-42 not found on {host(httpserver)}"
    assert fake.paths() == ["/fhir/Patient/nobody-42/$everything", "/fhir/Patient/nobody-42"]


@needs_shared
@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("everything", [True, False])
def test_wrong_token_is_rejected_and_never_echoed(httpserver: HTTPServer, http: HttpClient,
                                                  status: int, everything: bool) -> None:
    fake = FakeFhirServer(httpserver, source(JENNY), JENNY, token="the-right-one",
                          auth_status=status, everything=everything)
    with pytest.raises(SourceError) as info:
        fetch_patient(fake.base, JENNY, token=TOKEN, http=http)
    assert str(info.value) == f"{host(httpserver)} rejected the token"
    assert TOKEN not in repr(info.value) and info.value.__cause__ is None
    assert info.value.__suppress_context__
    assert len(fake.requests()) == 1  # a rejected token is not a missing $everything
    assert fake.requests()[0].headers["Authorization"] == f"Bearer {TOKEN}"


@needs_shared
def test_missing_token_says_so(httpserver: HTTPServer, http: HttpClient) -> None:
    fake = FakeFhirServer(httpserver, source(JENNY), JENNY, token=TOKEN)
    with pytest.raises(SourceError, match=r"^127\.0\.0\.1:\d+ needs a token$"):
        fetch_patient(fake.base, JENNY, http=http)
    assert "Authorization" not in fake.requests()[0].headers


@needs_shared
@pytest.mark.parametrize("elsewhere", [
    "http://localhost:{port}/fhir/_page?key={key}&offset={offset}",  # same server, other name
    "https://127.0.0.1:{port}/fhir/_page?key={key}&offset={offset}",  # other scheme
    "http://fhir.example.org/fhir/_page?key={key}&offset={offset}",
    "//fhir.example.org/_page?key={key}&offset={offset}",  # scheme-relative
])
def test_next_link_to_another_server_is_refused(httpserver: HTTPServer, http: HttpClient,
                                                elsewhere: str) -> None:
    fake = FakeFhirServer(
        httpserver, source(DARIN), DARIN, token=TOKEN,
        next_url=lambda key, offset: elsewhere.format(port=httpserver.port, key=key,
                                                      offset=offset))
    with pytest.raises(SourceError, match="points to another server") as info:
        fetch_patient(fake.base, DARIN, token=TOKEN, http=http)
    assert TOKEN not in str(info.value) and "_page" not in str(info.value)
    assert len(fake.requests()) == 1


@needs_shared
def test_a_server_that_keeps_paging_is_stopped(httpserver: HTTPServer, http: HttpClient) -> None:
    fake = FakeFhirServer(httpserver, source(DARIN), DARIN, page_size=20)
    with pytest.raises(SourceError, match=r"kept paging \(stopped after 3 pages\)"):
        fetch_patient(fake.base, DARIN, http=http, page_limit=3)
    assert len(fake.requests()) == 3
    assert fetch_patient(fake.base, DARIN, http=http, page_limit=9).pages == 9  # 168/20


@needs_shared
def test_a_next_link_loop_is_stopped(httpserver: HTTPServer, http: HttpClient) -> None:
    fake = FakeFhirServer(httpserver, source(DARIN), DARIN,
                          next_url=lambda key, offset: f"_page?key={key}&offset=50")
    with pytest.raises(SourceError, match="kept paging"):
        fetch_patient(fake.base, DARIN, http=http)
    assert len(fake.requests()) == 2


def test_a_caching_client_is_refused(httpserver: HTTPServer, tmp_path: Path) -> None:
    fake = FakeFhirServer(httpserver, [], JENNY)
    with HttpClient(tmp_path / "cache") as cached, pytest.raises(ValueError, match="cache"):
        fetch_patient(fake.base, JENNY, http=cached)
    assert fake.requests() == [] and not (tmp_path / "cache").exists()


@pytest.mark.parametrize("bad", ["../Patient/x", "a b", "x?_format=xml", "", "x" * 65])
def test_a_patient_id_must_be_a_fhir_id(httpserver: HTTPServer, http: HttpClient,
                                        bad: str) -> None:
    with pytest.raises(ConfigError, match="not a FHIR id"):
        fetch_patient(httpserver.url_for("/fhir"), bad, http=http)
    assert httpserver.log == []


@pytest.mark.parametrize("base", ["ftp://example.org/fhir", "example.org/fhir",
                                  "https://example.org/fhir?x=1", "https://u:pw@example.org/fhir",
                                  "https://example.org:port/fhir"])
def test_a_base_url_must_be_http(http: HttpClient, base: str) -> None:
    with pytest.raises(ConfigError, match="FHIR base URL"):
        fetch_patient(base, JENNY, http=http)


# -- writing -------------------------------------------------------------------------------------


@needs_shared
def test_written_bundle_rereads_as_a_collection(httpserver: HTTPServer, http: HttpClient,
                                                tmp_path: Path) -> None:
    fake = FakeFhirServer(httpserver, source(DARIN), DARIN, token=TOKEN)
    record = fetch_patient(fake.base, DARIN, token=TOKEN, http=http)
    target = tmp_path / "import" / "darin.json"

    assert write_bundle(record, target) == target
    text = target.read_text(encoding="utf-8")
    bundle = json.loads(text)
    assert bundle == record.bundle and bundle["type"] == "collection"
    assert text.startswith('{\n "resourceType": "Bundle"')  # indent 1
    assert len(bundle["entry"]) == sum(record.counts.values()) == 168
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    assert all(re.fullmatch(re.escape(fake.base) + r"/[A-Za-z]+/[A-Za-z0-9\-.]+", url)
               for url in full_urls)
    assert TOKEN not in text
    assert [p.name for p in target.parent.iterdir()] == ["darin.json"]  # no temp file left
    assert target.stat().st_mode & 0o777 == 0o600  # a patient record: owner only

    write_bundle(record, target)  # replaces in place
    assert json.loads(target.read_text(encoding="utf-8")) == bundle


def test_write_bundle_keeps_non_ascii(tmp_path: Path) -> None:
    patient = {"resourceType": "Patient", "id": "p1", "name": [{"family": "Müller"}]}
    record = FetchedRecord(bundle={"resourceType": "Bundle", "type": "collection",
                                   "entry": [{"fullUrl": "https://h/fhir/Patient/p1",
                                              "resource": patient}]},
                           method=EVERYTHING, counts={"Patient": 1}, pages=1)
    path = write_bundle(record, tmp_path / "p1.json")
    assert "Müller" in path.read_bytes().decode("utf-8")


# -- mtb case import-fhir ------------------------------------------------------------------------


@needs_shared
def test_cli_import_fhir_writes_a_case_folder(httpserver: HTTPServer, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """`mtb case import-fhir` fetches Jenny M's record into a new case folder; its timeline
    reads back; the token (from MTB_FHIR_TOKEN) is sent and printed nowhere."""
    from mtb.catalog import read_case
    from mtb.cli import main
    from mtb.ingest.fhir import read_fhir

    fake = FakeFhirServer(httpserver, source(JENNY), JENNY, page_size=15, token=TOKEN)
    monkeypatch.setenv("MTB_FHIR_TOKEN", TOKEN)
    monkeypatch.setenv("MTB_DATA_DIR", str(tmp_path / "data"))  # its store: not the user's
    folder = tmp_path / "jenny"
    assert main(["case", "import-fhir", "--server", fake.base, "--patient", JENNY,
                 "--out", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert TOKEN not in out + err
    assert "created" in out and "22 events" in out
    entry = read_case(folder)
    assert (entry.id, [f.kind for f in entry.files]) == (JENNY, ["fhir"])
    timeline = read_fhir([entry.files[0].path])
    assert [p.id for p in timeline.patients] == [JENNY]
    assert oct(entry.files[0].path.stat().st_mode & 0o777) == "0o600"
    # without a token the server refuses, and the CLI says so in one line
    monkeypatch.delenv("MTB_FHIR_TOKEN")
    assert main(["case", "import-fhir", "--server", fake.base, "--patient", JENNY,
                 "--out", str(tmp_path / "again")]) == 2
    assert capsys.readouterr().err.strip() == f"mtb: error: {host(httpserver)} needs a token"
