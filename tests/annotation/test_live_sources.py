"""Live sources (CIViC GraphQL, ClinVar E-utilities, OncoKB) and their HTTP client, against real
HTTP servers on 127.0.0.1 (pytest-httpserver); `requests` is never mocked.

The payloads in tests/data/api/ are constructed by hand from the documented API formats, not
captured from the services (see the README there); their values are illustrative.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from annotation.model import Alteration, Diagnosis, Granularity
from annotation.sources.base import FetchMode
from annotation.sources.civic.api import CivicApi, amp_category, human
from annotation.sources.clinvar import ClinVarSource, stars
from annotation.sources.oncokb import OncoKbSource
from mtb.errors import HttpStatusError, SourceError
from mtb.http import HttpClient, cache_key

API = Path(__file__).resolve().parents[1] / "data" / "api"
TOKEN = "okb-test-token-3f9c2a71"  # a made-up token; must never surface anywhere
API_KEY = "ncbi-test-key-77d1"


def payload(name: str) -> Any:
    return json.loads((API / name).read_text())


def json_response(body: Any, status: int = 200, **headers: str) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json",
                    headers=headers)


@pytest.fixture
def httpserver(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """pytest-httpserver's server, bound to 127.0.0.1 (its plain fixture binds 'localhost')."""
    return httpserver_ipv4


@pytest.fixture
def http(tmp_path: Path) -> Iterator[HttpClient]:
    """A client with a cache and no backoff sleeps, so retry tests stay fast."""
    client = HttpClient(tmp_path / "cache", timeout=(2, 5), retries=2, backoff_factor=0)
    yield client
    client.close()


def hits(server: HTTPServer, path: str, method: str | None = None) -> list[Request]:
    return [r for r, _ in server.log if r.path == path and (method is None or r.method == method)]


def cache_text(client: HttpClient) -> str:
    assert client.cache_dir is not None
    return "".join(p.read_text() for p in client.cache_dir.rglob("*") if p.is_file())


# -- HttpClient ---------------------------------------------------------------------------------


def test_get_json_sends_user_agent_accept_and_params(httpserver: HTTPServer,
                                                     http: HttpClient) -> None:
    httpserver.expect_request("/x", query_string={"q": "BRAF"}).respond_with_json({"ok": 1})
    assert http.get_json(httpserver.url_for("/x"), {"q": "BRAF"}) == {"ok": 1}
    request = hits(httpserver, "/x")[0]
    assert request.headers["User-Agent"].startswith("mtb/")
    assert request.headers["Accept"] == "application/json"


def test_retries_on_503_then_succeeds(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_oneshot_request("/flaky").respond_with_data("busy", status=503)
    httpserver.expect_oneshot_request("/flaky").respond_with_data("busy", status=503)
    httpserver.expect_request("/flaky").respond_with_json({"ok": True})
    assert http.get_json(httpserver.url_for("/flaky")) == {"ok": True}
    assert len(hits(httpserver, "/flaky")) == 3


def test_gives_up_after_retries_naming_host_and_status(httpserver: HTTPServer,
                                                       http: HttpClient) -> None:
    httpserver.expect_request("/down").respond_with_data("bad gateway", status=502)
    with pytest.raises(HttpStatusError) as info:
        http.get_json(httpserver.url_for("/down"), {"gene": "BRAF"})
    assert str(info.value) == f"127.0.0.1:{httpserver.port}: HTTP 502"
    assert info.value.status == 502
    assert len(hits(httpserver, "/down")) == 3  # the request and 2 retries
    assert "gene" not in str(info.value)


def test_post_is_retried_too_and_retry_after_is_honoured(httpserver: HTTPServer,
                                                         http: HttpClient) -> None:
    httpserver.expect_oneshot_request("/gql", method="POST").respond_with_response(
        json_response({"error": "API rate limit exceeded"}, 429, **{"Retry-After": "1"})
    )
    httpserver.expect_request("/gql", method="POST").respond_with_json({"data": {}})
    start = time.monotonic()
    assert http.post_json(httpserver.url_for("/gql"), {"query": "{ x }"}) == {"data": {}}
    assert time.monotonic() - start >= 0.9
    assert len(hits(httpserver, "/gql")) == 2


def test_client_errors_are_not_retried(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request("/secret").respond_with_json(payload("oncokb_401.json"), 401)
    with pytest.raises(SourceError, match=r": HTTP 401$"):
        http.get_json(httpserver.url_for("/secret"))
    assert len(hits(httpserver, "/secret")) == 1


def test_invalid_json_is_a_source_error(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request("/html").respond_with_data("<html>maintenance</html>")
    with pytest.raises(SourceError, match=rf"^127\.0\.0\.1:{httpserver.port}: invalid JSON$"):
        http.get_json(httpserver.url_for("/html"))


@pytest.fixture
def slow_server() -> Iterator[HTTPServer]:
    """A threaded server of its own, so a sleeping handler does not hold up other tests."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_timeout_is_a_quick_source_error(slow_server: HTTPServer, tmp_path: Path) -> None:
    calls: list[float] = []

    def sleepy(request: Request) -> Response:
        calls.append(time.monotonic())
        time.sleep(1.5)
        return json_response({"late": True})

    slow_server.expect_request("/slow").respond_with_handler(sleepy)
    client = HttpClient(None, timeout=(1, 0.3), retries=2, backoff_factor=0)
    start = time.monotonic()
    with pytest.raises(SourceError, match=r"127\.0\.0\.1:\d+: timed out$"):
        client.get_json(slow_server.url_for("/slow"))
    assert time.monotonic() - start < 1.4  # gave up before the 1.5 s answer arrived
    assert len(calls) == 1  # a slow server is not asked again


def test_connection_refused_is_a_source_error() -> None:
    probe = HTTPServer(host="127.0.0.1", port=0)
    probe.start()
    url = probe.url_for("/gone")
    probe.stop()  # nothing listens on that port any more
    client = HttpClient(None, timeout=(1, 1), retries=1, backoff_factor=0)
    with pytest.raises(SourceError, match=r"127\.0\.0\.1:\d+: connection failed$"):
        client.get_json(url)


def test_cache_serves_a_repeat_without_a_request(httpserver: HTTPServer,
                                                 http: HttpClient) -> None:
    httpserver.expect_request("/c").respond_with_json({"n": 1})
    url = httpserver.url_for("/c")
    assert http.get_json(url, {"a": "1", "b": "2"}) == {"n": 1}
    assert http.get_json(url, {"b": "2", "a": "1"}) == {"n": 1}  # parameter order is irrelevant
    assert len(hits(httpserver, "/c")) == 1

    assert http.cache_dir is not None
    [entry] = list(http.cache_dir.rglob("*.json"))
    assert entry.name == cache_key("GET", url, {"a": "1", "b": "2"}) + ".json"
    stored = json.loads(entry.read_text())
    assert set(stored) == {"status", "body", "fetched_at"}
    assert stored["status"] == 200 and stored["body"] == {"n": 1}
    assert not list(http.cache_dir.rglob("*.tmp"))  # written through a temporary file


def test_expired_or_corrupt_cache_entries_are_refetched(httpserver: HTTPServer,
                                                       http: HttpClient) -> None:
    httpserver.expect_request("/e").respond_with_json({"n": 2})
    url = httpserver.url_for("/e")
    http.get_json(url)
    assert http.cache_dir is not None
    [entry] = list(http.cache_dir.rglob("*.json"))
    stored = json.loads(entry.read_text())
    stored["fetched_at"] = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    entry.write_text(json.dumps(stored))
    http.get_json(url)
    assert len(hits(httpserver, "/e")) == 2  # older than the 7-day TTL
    http.get_json(url)
    assert len(hits(httpserver, "/e")) == 2  # refreshed entry is fresh again
    entry.write_text("{not json")
    assert http.get_json(url) == {"n": 2}
    assert len(hits(httpserver, "/e")) == 3


def test_post_cache_key_includes_the_body(httpserver: HTTPServer, http: HttpClient) -> None:
    def echo(request: Request) -> Response:
        return json_response({"echo": request.get_json()["v"]})

    httpserver.expect_request("/p", method="POST").respond_with_handler(echo)
    url = httpserver.url_for("/p")
    assert http.post_json(url, {"v": 1}) == {"echo": 1}
    assert http.post_json(url, {"v": 2}) == {"echo": 2}
    assert http.post_json(url, {"v": 1}) == {"echo": 1}
    assert len(hits(httpserver, "/p")) == 2


def test_offline_makes_no_request(httpserver: HTTPServer, tmp_path: Path) -> None:
    client = HttpClient(tmp_path / "cache", offline=True)
    url = httpserver.url_for("/never")
    for call in (lambda: client.get_json(url), lambda: client.post_json(url, {}),
                 lambda: client.probe(url), lambda: client.download(url, tmp_path / "f")):
        with pytest.raises(SourceError, match=r"^offline$"):
            call()
    assert httpserver.log == []
    assert not (tmp_path / "f").exists()


def test_rate_limit_spaces_network_requests_but_not_cache_hits(httpserver: HTTPServer,
                                                               http: HttpClient) -> None:
    httpserver.expect_request("/r").respond_with_json({})
    http.rate_limit(f"127.0.0.1:{httpserver.port}", 10)  # one request per 0.1 s
    url = httpserver.url_for("/r")
    start = time.monotonic()
    for i in range(4):
        http.get_json(url, {"i": str(i)})
    assert time.monotonic() - start >= 0.29
    start = time.monotonic()
    for i in range(4):
        http.get_json(url, {"i": str(i)})  # cached
    assert time.monotonic() - start < 0.1


def test_download_replaces_the_file_only_when_complete(httpserver: HTTPServer,
                                                       http: HttpClient, tmp_path: Path) -> None:
    dest = tmp_path / "kb" / "01-Nov-2026-ClinicalEvidenceSummaries.tsv"
    content = b"molecular_profile\tmolecular_profile_id\n" + b"BRAF V600E\t12\n" * 5000
    httpserver.expect_request("/ok.tsv").respond_with_data(content)
    assert http.download(httpserver.url_for("/ok.tsv"), dest) == dest
    assert dest.read_bytes() == content

    httpserver.expect_request("/missing.tsv").respond_with_data("not found", status=404)
    with pytest.raises(HttpStatusError, match=r": HTTP 404$"):
        http.download(httpserver.url_for("/missing.tsv"), dest)

    def truncated(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b"molecular_profile\t" * 100  # then the connection ends early

        return Response(body(), headers={"Content-Length": "100000"})

    httpserver.expect_request("/cut.tsv").respond_with_handler(truncated)
    with pytest.raises(SourceError, match=r"127\.0\.0\.1:\d+: ") as info:
        http.download(httpserver.url_for("/cut.tsv"), dest)
    assert "HTTP" not in str(info.value)

    assert dest.read_bytes() == content  # the previous file is untouched
    assert [p.name for p in dest.parent.iterdir()] == [dest.name]  # no partial file left


# -- CIViC ---------------------------------------------------------------------------------------


def civic_handler(seen: list[dict[str, Any]]):
    """Answers the client's GraphQL queries from the fixtures, as CIViC would: fuzzy variant
    names, Relay pages, HTTP 200 for everything."""

    def handle(request: Request) -> Response:
        body = request.get_json()
        query, variables = body["query"], body.get("variables") or {}
        seen.append(variables)
        if "dataReleases" in query:
            return json_response(payload("civic_data_releases.json"))
        if "variants(" in query:
            if variables["gene"] != "BRAF":
                return json_response(payload("civic_gene_null.json"))
            name = variables["name"]
            if name in ("V600E", "V600"):
                return json_response(payload(f"civic_variants_BRAF_{name}.json"))
            return json_response({"data": {"gene": {"variants": {
                "pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}}}})
        mp = variables["mp"]
        if "evidenceItems(" in query:
            if mp == 12:
                page = "page2" if variables.get("after") == "Mg" else "page1"
                return json_response(payload(f"civic_evidence_mp12_{page}.json"))
            if mp == 17:
                return json_response(payload("civic_evidence_mp17.json"))
            return json_response(payload("civic_empty_connection.json"))
        if "assertions(" in query:
            if mp == 12:
                return json_response(payload("civic_assertions_mp12.json"))
            return json_response(payload("civic_empty_connection.json"))
        return json_response(payload("civic_graphql_error.json"))

    return handle


def test_civic_evidence_converted_and_names_filtered_exactly(httpserver: HTTPServer,
                                                             http: HttpClient) -> None:
    seen: list[dict[str, Any]] = []
    httpserver.expect_request("/api/graphql", method="POST").respond_with_handler(
        civic_handler(seen))
    api = CivicApi(http, base_url=httpserver.url_for("/api/graphql"))

    result = api.evidence_for("BRAF", ["V600E", "V600", "V600D"])

    assert list(result) == ["V600E", "V600", "V600D"]
    assert result["V600D"] == []
    # fuzzy matches (V600E AMPLIFICATION, V600K) were never asked for evidence
    assert {v.get("mp") for v in seen} - {None} == {12, 17}
    v600e = {e.id: e for e in result["V600E"]}
    # EID1409 is SUBMITTED and AID99 REJECTED: only accepted statements
    assert list(v600e) == ["EID95", "EID3017", "EID1578", "AID7"]

    eid95 = v600e["EID95"]
    assert (eid95.source, eid95.kind, eid95.evidence_type, eid95.direction, eid95.significance,
            eid95.level) == ("CIViC", "evidence", "Predictive", "Supports",
                             "Sensitivity/Response", "A")
    assert (eid95.disease, eid95.doid, eid95.profile) == ("Melanoma", "DOID:1909", "BRAF V600E")
    assert eid95.therapies == ("Vemurafenib",) and eid95.therapy_interaction == ""
    assert (eid95.rating, eid95.citation, eid95.variant_origin, eid95.version) == (
        5, "PMID:21639808", "Somatic", "live")
    assert eid95.url == f"http://127.0.0.1:{httpserver.port}/links/evidence_items/95"

    combo = v600e["EID3017"]
    assert combo.therapies == ("Dabrafenib", "Trametinib")
    assert combo.therapy_interaction == "Combination"
    odd = v600e["EID1578"]
    assert (odd.direction, odd.significance, odd.doid, odd.rating, odd.variant_origin,
            odd.citation) == ("Does Not Support", "Poor Outcome", "", None, "Rare Germline",
                              "ASCO:2019-1234")

    aid7 = v600e["AID7"]
    assert (aid7.kind, aid7.amp_category, aid7.level, aid7.regulatory_approval,
            aid7.nccn_guideline, aid7.therapy_interaction) == (
        "assertion", "Tier I - Level A", "A", True, "Melanoma: Cutaneous", "Combination")
    assert aid7.url.endswith("/links/assertions/7")

    [functional] = result["V600"]
    assert (functional.id, functional.profile, functional.significance, functional.disease) == (
        "EID7157", "BRAF V600", "Gain of Function", "")


def test_civic_unknown_gene_answers_empty(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request("/api/graphql", method="POST").respond_with_handler(
        civic_handler([]))
    api = CivicApi(http, base_url=httpserver.url_for("/api/graphql"))
    assert api.evidence_for("NOTAGENE", ["Mutation"]) == {"Mutation": []}


def test_civic_graphql_errors_with_200_are_source_errors_and_not_cached(
        httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request("/api/graphql", method="POST").respond_with_json(
        payload("civic_graphql_error.json"))
    api = CivicApi(http, base_url=httpserver.url_for("/api/graphql"))
    for _ in range(2):
        with pytest.raises(SourceError, match=r"127\.0\.0\.1:\d+: GraphQL error: Field 'rating'"):
            api.evidence_for("BRAF", ["V600E"])
    assert len(hits(httpserver, "/api/graphql")) == 2
    assert http.cache_dir is not None and not list(http.cache_dir.rglob("*.json"))


def test_civic_enum_spelling() -> None:
    assert human("SENSITIVITYRESPONSE") == "Sensitivity/Response"
    assert human("LOSS_OF_FUNCTION") == "Loss of Function"
    assert human("NA") == "N/A" and human(None) == ""
    assert amp_category("TIER_II_LEVEL_C") == ("Tier II - Level C", "C")
    assert amp_category("TIER_IV") == ("Tier IV", "")
    assert amp_category("NA") == ("", "")


def test_latest_release_from_data_releases(httpserver: HTTPServer, http: HttpClient) -> None:
    httpserver.expect_request("/api/graphql", method="POST").respond_with_json(
        payload("civic_data_releases.json"))
    api = CivicApi(http, base_url=httpserver.url_for("/api/graphql"),
                   download_base=httpserver.url_for("/downloads"))
    assert api.latest_release() == "01-Nov-2026"  # newest by date, "nightly" skipped
    assert not hits(httpserver, "/downloads", "HEAD")


def test_latest_release_by_probing_when_graphql_fails(httpserver: HTTPServer,
                                                      http: HttpClient) -> None:
    httpserver.expect_request("/api/graphql", method="POST").respond_with_data("down", 503)
    oct_tsv = "/downloads/01-Oct-2026/01-Oct-2026-ClinicalEvidenceSummaries.tsv"
    httpserver.expect_request(oct_tsv, method="HEAD").respond_with_data("")
    httpserver.expect_request(
        "/downloads/01-Nov-2026/01-Nov-2026-ClinicalEvidenceSummaries.tsv", method="HEAD"
    ).respond_with_data("", status=404)
    api = CivicApi(http, base_url=httpserver.url_for("/api/graphql"))
    release = api.latest_release(httpserver.url_for("/downloads"), today=date(2026, 11, 15))
    assert release == "01-Oct-2026"
    assert [r.path for r, _ in httpserver.log if r.method == "HEAD"] == [
        "/downloads/01-Nov-2026/01-Nov-2026-ClinicalEvidenceSummaries.tsv", oct_tsv]

    files = api.release_files(release, httpserver.url_for("/downloads"))
    assert files["01-Oct-2026-civic_accepted.vcf"].endswith(
        "/downloads/01-Oct-2026/01-Oct-2026-civic_accepted.vcf")
    assert len(files) == 8 and httpserver.url_for(oct_tsv) in files.values()


def test_latest_release_probes_at_most_six_months(httpserver: HTTPServer,
                                                  http: HttpClient) -> None:
    httpserver.expect_request("/api/graphql", method="POST").respond_with_json(
        payload("civic_graphql_error.json"))
    httpserver.no_handler_status_code = 404
    try:
        api = CivicApi(http, base_url=httpserver.url_for("/api/graphql"))
        with pytest.raises(SourceError, match="no CIViC release found in the last 6 months"):
            api.latest_release(httpserver.url_for("/downloads"), today=date(2026, 2, 3))
    finally:
        httpserver.no_handler_status_code = 500
        httpserver.clear_assertions()  # the 404s were intended
    probed = [r.path.split("/")[2] for r, _ in httpserver.log if r.method == "HEAD"]
    assert probed == ["01-Feb-2026", "01-Jan-2026", "01-Dec-2025", "01-Nov-2025",
                      "01-Oct-2025", "01-Sep-2025"]


def test_release_names_are_checked(http: HttpClient) -> None:
    with pytest.raises(SourceError, match="not a monthly release name"):
        CivicApi(http).release_files("../../etc")


# -- ClinVar -------------------------------------------------------------------------------------

BRAF_V600E = Alteration(kind="small", gene="BRAF", label="BRAF p.V600E", protein="V600E",
                        hgvsp="p.V600E")
TP53_P72R = Alteration(kind="small", gene="TP53", label="TP53 p.P72R", protein="P72R")
ERBB2_AMP = Alteration(kind="cnv", gene="ERBB2", label="ERBB2 amplification",
                       cnv_call="amplification")
EML4_ALK = Alteration(kind="fusion", gene="ALK", label="EML4::ALK", partner5="EML4",
                      partner3="ALK")


def clinvar_server(httpserver: HTTPServer) -> None:
    def esearch(request: Request) -> Response:
        args = request.args
        assert (args["db"], args["retmode"], args["tool"], args["email"]) == (
            "clinvar", "json", "mtb", "board@example.org")
        term = args["term"]
        if term == "BRAF[gene] AND V600E":
            return json_response(payload("clinvar_esearch.json"))
        if term == "TP53[gene] AND P72R":
            return json_response(payload("clinvar_esearch_benign.json"))
        return json_response(payload("clinvar_esearch_error.json"))

    def esummary(request: Request) -> Response:
        assert request.args["db"] == "clinvar" and request.args["retmode"] == "json"
        ids = request.args["id"]
        if ids == "13961,376069,999999":
            return json_response(payload("clinvar_esummary_new.json"))
        if ids == "12351":
            return json_response(payload("clinvar_esummary_legacy.json"))
        return json_response({"esummaryresult": ["Invalid uid"]})

    httpserver.expect_request("/entrez/eutils/esearch.fcgi").respond_with_handler(esearch)
    httpserver.expect_request("/entrez/eutils/esummary.fcgi").respond_with_handler(esummary)


def clinvar(httpserver: HTTPServer, http: HttpClient, **kwargs: Any) -> ClinVarSource:
    return ClinVarSource(http, base_url=httpserver.url_for("/entrez/eutils"),
                         email="board@example.org", **kwargs)


def test_clinvar_current_layout(httpserver: HTTPServer, http: HttpClient) -> None:
    clinvar_server(httpserver)
    answers = clinvar(httpserver, http).annotate([ERBB2_AMP, BRAF_V600E], None)

    assert answers[0].matches == () and answers[0].source == "ClinVar"  # not a small variant
    matches = answers[1].matches
    # V600M (another protein change) and the per-UID error record are dropped
    assert {m.evidence.id for m in matches} == {"VCV000013961"}
    assert all(m.granularity is Granularity.EXACT_PROTEIN for m in matches)
    by_type = {m.evidence.evidence_type: m.evidence for m in matches}
    assert set(by_type) == {"Germline classification", "Clinical impact"}  # oncogenicity empty
    germline = by_type["Germline classification"]
    assert (germline.source, germline.kind, germline.significance, germline.level,
            germline.rating, germline.disease, germline.variant_origin) == (
        "ClinVar", "evidence", "Pathogenic", "", 2, "Cardiofaciocutaneous syndrome", "Germline")
    assert germline.profile == "NM_004333.6(BRAF):c.1799T>A (p.Val600Glu)"
    assert germline.url == "https://www.ncbi.nlm.nih.gov/clinvar/variation/13961/"
    assert by_type["Clinical impact"].significance == "Tier I - Strong"
    assert any("2 stars" in note for note in answers[1].notes)
    assert answers[1].version == "live"


def test_clinvar_legacy_layout_benign(httpserver: HTTPServer, http: HttpClient) -> None:
    clinvar_server(httpserver)
    [answer] = clinvar(httpserver, http).annotate([TP53_P72R], None)
    [match] = answer.matches  # the record has no protein_change: matched by its title's HGVS
    evidence = match.evidence
    assert (evidence.id, evidence.evidence_type, evidence.significance, evidence.rating) == (
        "VCV000012351", "Germline classification", "Benign", 3)
    assert "benign" in evidence.significance.lower()  # what tiering reads for Tier IV
    assert evidence.disease == "Li-Fraumeni syndrome; not specified"


def test_clinvar_offline_makes_no_request(httpserver: HTTPServer, tmp_path: Path) -> None:
    source = ClinVarSource(HttpClient(tmp_path, offline=True),
                           base_url=httpserver.url_for("/entrez/eutils"))
    answers = source.annotate([BRAF_V600E, TP53_P72R], None)
    assert [a.notes for a in answers] == [("ClinVar: offline",)] * 2
    assert all(a.matches == () for a in answers)
    assert source.status().mode is FetchMode.OFFLINE
    assert source.status().version == "not bundled"
    assert httpserver.log == []


def test_clinvar_error_in_200_hides_the_api_key_and_is_not_cached(
        httpserver: HTTPServer, http: HttpClient) -> None:
    clinvar_server(httpserver)
    source = clinvar(httpserver, http, api_key=API_KEY)
    odd = Alteration(kind="small", gene="KRAS", label="KRAS p.G12C", protein="G12C")
    with pytest.raises(SourceError, match=r"127\.0\.0\.1:\d+: esearch error") as info:
        source.annotate([odd], None)
    assert API_KEY not in str(info.value) and API_KEY not in repr(source)
    assert hits(httpserver, "/entrez/eutils/esearch.fcgi")[0].args["api_key"] == API_KEY
    assert http.cache_dir is not None and not list(http.cache_dir.rglob("*.json"))
    source.annotate([BRAF_V600E], None)
    assert API_KEY not in cache_text(http)


def test_clinvar_status_and_helpers(http: HttpClient) -> None:
    status = ClinVarSource(http).status()
    assert (status.name, status.version, status.mode) == ("ClinVar", "live", FetchMode.LIVE)
    assert "public domain" in status.licence.lower()
    assert stars("reviewed by expert panel") == 3
    assert stars("no assertion criteria provided") == 0


# -- OncoKB --------------------------------------------------------------------------------------


def oncokb_server(httpserver: HTTPServer) -> None:
    """Like www.oncokb.org: 401 problem+json unless the Bearer token is right."""

    def guarded(name: str, expected: dict[str, str]):
        def handle(request: Request) -> Response:
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return json_response(payload("oncokb_401.json"), 401)
            assert dict(request.args) == expected
            return json_response(payload(name))

        return handle

    httpserver.expect_request("/api/v1/annotate/mutations/byProteinChange").respond_with_handler(
        guarded("oncokb_braf_v600e.json",
                {"hugoSymbol": "BRAF", "alteration": "V600E", "tumorType": "MEL"}))
    httpserver.expect_request("/api/v1/annotate/copyNumberAlterations").respond_with_handler(
        guarded("oncokb_erbb2_amp.json", {"hugoSymbol": "ERBB2", "tumorType": "MEL",
                                          "copyNameAlterationType": "AMPLIFICATION"}))
    httpserver.expect_request("/api/v1/annotate/structuralVariants").respond_with_handler(
        guarded("oncokb_eml4_alk.json",
                {"hugoSymbolA": "EML4", "hugoSymbolB": "ALK", "structuralVariantType": "FUSION",
                 "isFunctionalFusion": "true", "tumorType": "MEL"}))


MELANOMA = Diagnosis(text="MEL", doid="DOID:1909", name="melanoma", matched_by="OncoTree MEL")


def test_oncokb_with_token(httpserver: HTTPServer, http: HttpClient) -> None:
    oncokb_server(httpserver)
    source = OncoKbSource(http, TOKEN, base_url=httpserver.url_for("/api/v1"))
    small, cnv, fusion = source.annotate([BRAF_V600E, ERBB2_AMP, EML4_ALK], MELANOMA)

    evidence = [m.evidence for m in small.matches]
    assert [e.id for e in evidence] == [
        "OncoKB:BRAF V600E:LEVEL_1:Dabrafenib+Trametinib",
        "OncoKB:BRAF V600E:LEVEL_1:Dabrafenib+Trametinib:Non-Small Cell Lung Cancer",
        "OncoKB:BRAF V600E:LEVEL_3A:Encorafenib+Cetuximab",
        "OncoKB:BRAF V600E:LEVEL_R1:Vemurafenib",
        "OncoKB:BRAF V600E:LEVEL_R2:Selumetinib",
    ]
    assert [e.level for e in evidence] == ["A", "A", "B", "A", "D"]
    assert [e.significance for e in evidence] == ["Sensitivity/Response"] * 3 + ["Resistance"] * 2
    first = evidence[0]
    assert (first.source, first.evidence_type, first.disease, first.doid, first.therapies,
            first.therapy_interaction, first.citation, first.version) == (
        "OncoKB", "Predictive", "Melanoma", "", ("Dabrafenib", "Trametinib"), "Combination",
        "PMID:22663011", "live")
    assert evidence[4].disease == "Thyroid Cancer"  # main type when the name is empty
    assert evidence[1].citation == "PMID:27283860, PMID:28919011"
    assert all(m.granularity is Granularity.EXACT_PROTEIN for m in small.matches)
    assert small.notes == ("OncoKB: Oncogenic (Gain-of-function)",)
    assert small.version == "live v9.99"

    assert [(m.evidence.level, m.granularity) for m in cnv.matches] == [
        ("A", Granularity.CNV_GENE), ("C", Granularity.CNV_GENE)]
    assert cnv.matches[0].evidence.profile == "ERBB2 Amplification"
    assert [(m.evidence.level, m.granularity, m.matched) for m in fusion.matches] == [
        ("A", Granularity.FUSION_PAIR, "EML4::ALK"), ("D", Granularity.FUSION_PAIR, "EML4::ALK")]

    cached = cache_text(http)
    assert "Dabrafenib" in cached and TOKEN not in cached  # body cached, token never


def test_oncokb_without_token_makes_no_request(httpserver: HTTPServer, http: HttpClient) -> None:
    source = OncoKbSource(http, None, base_url=httpserver.url_for("/api/v1"))
    answers = source.annotate([BRAF_V600E, ERBB2_AMP], MELANOMA)
    assert [a.notes for a in answers] == [("OncoKB: no token configured",)] * 2
    assert all(a.matches == () for a in answers)
    assert source.status().mode is FetchMode.OFFLINE
    httpserver.check_assertions()
    assert httpserver.log == []


@pytest.mark.parametrize("status", [401, 403])
def test_oncokb_rejected_token_is_not_echoed(httpserver: HTTPServer, http: HttpClient,
                                             status: int) -> None:
    problem = dict(payload("oncokb_401.json"), status=status)
    httpserver.expect_request("/api/v1/annotate/mutations/byProteinChange").respond_with_json(
        problem, status=status)
    source = OncoKbSource(http, TOKEN, base_url=httpserver.url_for("/api/v1"))
    with pytest.raises(SourceError) as info:
        source.annotate([BRAF_V600E], None)
    assert str(info.value) == "OncoKB rejected the token"
    assert TOKEN not in str(info.value) and TOKEN not in repr(source)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    request = hits(httpserver, "/api/v1/annotate/mutations/byProteinChange")[0]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "tumorType" not in request.args  # no OncoTree code known: all tumor types
    assert len(hits(httpserver, "/api/v1/annotate/mutations/byProteinChange")) == 1
    assert http.cache_dir is not None and not list(http.cache_dir.rglob("*.json"))


def test_oncokb_status_licence(http: HttpClient) -> None:
    status = OncoKbSource(http, TOKEN).status()
    assert (status.name, status.version, status.mode) == ("OncoKB", "live", FetchMode.LIVE)
    assert status.licence == (
        "terms of use forbid redistribution; queried live with the site's token")
    assert OncoKbSource(http).status().version == "not bundled"
