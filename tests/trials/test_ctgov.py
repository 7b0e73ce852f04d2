"""The ClinicalTrials.gov API v2 client against a local server with the API's paging and query
parameters (tests/trials/ctgov_server.py, serving the real records of tests/data/trials/ctgov)."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from mtb.errors import SourceError
from mtb.trials.ctgov import CtgovClient, study_from_record
from tests.trials.ctgov_server import FakeCtgov, records, serve


def test_a_record_read_whole() -> None:
    by_id = {r["protocolSection"]["identificationModule"]["nctId"]: r for r in records()}
    study = study_from_record(by_id["NCT03745326"])
    assert study.status == "RECRUITING" and study.phases == ("PHASE1", "PHASE2")
    assert (study.minimum_age, study.maximum_age, study.sex) == (18.0, 72.0, "ALL")
    assert "Pancreatic Cancer" in study.conditions and "KRAS" in study.keywords
    assert "anti-KRAS G12D mTCR PBL" in study.interventions
    assert study.countries == ("United States",) and study.sites == 1
    assert study.url == "https://clinicaltrials.gov/study/NCT03745326"
    with pytest.raises(SourceError):
        study_from_record({"protocolSection": {"identificationModule": {"nctId": "x"}}})


def test_paging_follows_next_page_token(httpserver, tmp_path) -> None:
    base, fake = serve(httpserver)
    client = CtgovClient(base, cache_dir=tmp_path)
    found = client.search(term="KRAS", page_size=3)
    expected = sum(1 for r in records() if "KRAS" in str(r))
    assert len(found.studies) == expected == found.total
    pages = [r for r in fake.requests if "pageSize" in r]
    assert len(pages) == math.ceil(expected / 3) == found.pages
    assert "pageToken" not in pages[0] and all("pageToken" in p for p in pages[1:])
    assert pages[0]["filter.overallStatus"] == "RECRUITING" and pages[0]["query.term"] == "KRAS"
    assert not found.truncated and not found.cached


def test_queries_by_condition_intervention_location_and_status(httpserver, tmp_path) -> None:
    base, _ = serve(httpserver)
    client = CtgovClient(base, cache_dir=None)
    pancreatic = client.search(condition='"pancreatic cancer"', page_size=50)
    assert {s.nct_id for s in pancreatic.studies} >= {"NCT06898385", "NCT05438667",
                                                      "NCT06008288"}
    assert "NCT04956640" not in {s.nct_id for s in pancreatic.studies}
    assert [s.nct_id for s in client.search(intervention="TSN1611").studies] == ["NCT06385925"]
    china = client.search(term="KRAS", location="China", page_size=50)
    assert china.studies and all("China" in s.countries for s in china.studies)
    assert client.search(term="KRAS", location="Germany").studies == ()  # no German site
    assert client.search(term="KRAS", statuses=("COMPLETED",)).studies == ()


def test_max_pages_truncates_and_says_so(httpserver) -> None:
    base, _ = serve(httpserver)
    found = CtgovClient(base).search(term="KRAS", page_size=2, max_pages=2)
    assert len(found.studies) == 4 and found.truncated and found.pages == 2


def test_the_answer_is_cached_with_its_time(httpserver, tmp_path) -> None:
    base, fake = serve(httpserver)
    live = CtgovClient(base, cache_dir=tmp_path)
    first = live.search(term="G12C")
    asked = len(fake.requests)
    again = live.search(term="G12C")
    assert len(fake.requests) == asked and again.cached  # fresh: not asked twice
    assert [s.nct_id for s in again.studies] == [s.nct_id for s in first.studies]
    offline = CtgovClient(base, cache_dir=tmp_path, live=False)
    kept = offline.search(term="G12C")
    assert kept.cached and kept.fetched_at == first.fetched_at
    assert kept.age_text.startswith("ClinicalTrials.gov as of ")
    with pytest.raises(SourceError, match="offline"):
        offline.search(term="BRAF")  # never asked, nothing cached: no network either
    assert len(fake.requests) == asked


def test_a_failing_server_falls_back_to_the_last_answer(httpserver, tmp_path) -> None:
    base, _fake = serve(httpserver)
    client = CtgovClient(base, cache_dir=tmp_path, fresh=timedelta(0))
    first = client.search(term="KRAS")
    httpserver.clear()
    httpserver.expect_request("/api/v2/studies").respond_with_data("down", status=500)
    stale = client.search(term="KRAS")
    assert stale.cached and stale.notes and "HTTP 500" in stale.notes[0]
    assert len(stale.studies) == len(first.studies)
    with pytest.raises(SourceError, match="HTTP 500"):
        client.search(term="NRAS")


def test_one_study(httpserver, tmp_path) -> None:
    base, _ = serve(httpserver)
    client = CtgovClient(base, cache_dir=tmp_path)
    assert client.study("nct06008288").title.startswith("A Phase II Study Evaluating JAB-21822")
    with pytest.raises(SourceError, match="HTTP 404"):
        client.study("NCT00000000")
    with pytest.raises(SourceError, match="not an NCT number"):
        client.study("06008288")
    assert CtgovClient(base, cache_dir=tmp_path, live=False).study("NCT06008288").nct_id


def test_an_error_page_is_not_taken_for_studies(httpserver) -> None:
    httpserver.expect_request("/api/v2/studies").respond_with_json({"studies": "none"})
    with pytest.raises(SourceError, match="not a page of studies"):
        CtgovClient(httpserver.url_for("/api/v2")).search(term="KRAS")


def test_unknown_parameters_are_refused_like_the_real_api(httpserver) -> None:
    base, _fake = serve(httpserver, FakeCtgov())
    from mtb.http import HttpClient

    with pytest.raises(SourceError, match="HTTP 400"):
        HttpClient().get_json(f"{base}/studies", {"query.foo": "x"})
