"""A stand-in for ClinicalTrials.gov's API v2 on 127.0.0.1 (pytest-httpserver), serving the real
study records of tests/data/trials/ctgov (public domain) with the API's query parameters and
its paging: `pageSize`, an opaque `nextPageToken` handed back as `pageToken`, `countTotal`.

Matching is simpler than the real search engine and says how: each ' OR ' alternative of
query.cond matches when all its words are in one condition, keyword or the title (plurals and
hyphens aside); query.term when all its words are anywhere in the record; query.intr in an
intervention's name; query.locn in a site's country or city; filter.overallStatus by status.
Unknown parameters get HTTP 400, as the real API answers them.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from werkzeug import Request, Response

RECORDS = Path(__file__).resolve().parents[1] / "data" / "trials" / "ctgov"
ALLOWED = {"format", "pageSize", "pageToken", "countTotal", "query.cond", "query.term",
           "query.intr", "query.locn", "filter.overallStatus", "fields"}


def records() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(RECORDS.glob("NCT*.json"))]


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", text.lower())}


def _alternatives(query: str) -> list[set[str]]:
    return [_words(part) for part in re.split(r"\s+OR\s+", query) if _words(part)]


def _any_text(alternatives: list[set[str]], texts: Iterable[str]) -> bool:
    sets = [_words(t) for t in texts]
    return any(alt <= words for alt in alternatives for words in sets)


def _matches(record: dict[str, Any], args: dict[str, str]) -> bool:
    protocol = record["protocolSection"]
    conditions = protocol.get("conditionsModule", {})
    titles = [protocol["identificationModule"].get("briefTitle", "")]
    if args.get("query.cond") and not _any_text(
            _alternatives(args["query.cond"]),
            [*conditions.get("conditions", []), *conditions.get("keywords", []), *titles]):
        return False
    if args.get("query.term") and not _any_text(_alternatives(args["query.term"]),
                                                [json.dumps(record)]):
        return False
    interventions = [i.get("name", "") for i in
                     protocol.get("armsInterventionsModule", {}).get("interventions", [])]
    if args.get("query.intr") and not _any_text(_alternatives(args["query.intr"]),
                                                interventions):
        return False
    sites = protocol.get("contactsLocationsModule", {}).get("locations", [])
    places = [f"{s.get('country', '')} {s.get('city', '')}" for s in sites]
    if args.get("query.locn") and not _any_text(_alternatives(args["query.locn"]), places):
        return False
    statuses = args.get("filter.overallStatus")
    return not statuses or protocol["statusModule"]["overallStatus"] in statuses.split(",")


class FakeCtgov:
    """The handler; `requests` keeps every query string served (to check the paging)."""

    def __init__(self, studies: list[dict[str, Any]] | None = None) -> None:
        self.studies = studies if studies is not None else records()
        self.requests: list[dict[str, str]] = []

    def search(self, request: Request) -> Response:
        args = dict(request.args)
        self.requests.append(args)
        unknown = set(args) - ALLOWED
        if unknown:
            return Response(json.dumps({"message": f"unknown parameter {sorted(unknown)[0]}"}),
                            status=400, content_type="application/json")
        found = [s for s in self.studies if _matches(s, args)]
        size = int(args.get("pageSize", "10"))
        start = int(base64.urlsafe_b64decode(args["pageToken"]).decode()) \
            if args.get("pageToken") else 0
        body: dict[str, Any] = {"studies": found[start:start + size]}
        if start + size < len(found):
            body["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        if args.get("countTotal") == "true" and not args.get("pageToken"):
            body["totalCount"] = len(found)
        return Response(json.dumps(body), content_type="application/json")

    def study(self, request: Request) -> Response:
        self.requests.append({"study": request.path})
        nct = request.path.rsplit("/", 1)[-1]
        for study in self.studies:
            if study["protocolSection"]["identificationModule"]["nctId"] == nct:
                return Response(json.dumps(study), content_type="application/json")
        return Response(json.dumps({"message": "not found"}), status=404,
                        content_type="application/json")


def serve(httpserver: Any, fake: FakeCtgov | None = None) -> tuple[str, FakeCtgov]:
    """Install the fake on a pytest-httpserver; (base URL like MTB_CTGOV_URL, the fake)."""
    fake = fake or FakeCtgov()
    httpserver.expect_request("/api/v2/studies").respond_with_handler(fake.search)
    httpserver.expect_request(re.compile(r"^/api/v2/studies/NCT\d{8}$")).respond_with_handler(
        fake.study)
    return httpserver.url_for("/api/v2"), fake
