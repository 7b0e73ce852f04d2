"""A small FHIR R4 REST server for tests, run by pytest-httpserver on 127.0.0.1.

It serves real resources (the shared mCODE, Synthea and MII bundles) the way servers do:
searchset Bundles of `page_size` entries linked by `next` (HAPI-style `_page?key=..&offset=..`
cursors, absolute or relative), `$everything` with search modes match/include/none and the
Patient repeated on every page, reads of single resources, OperationOutcome bodies for errors
and an optional bearer-token check. Everything it was asked is in `server.log`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FHIR_JSON = "application/fhir+json"
INCLUDED_TYPES = {"Practitioner", "Organization", "Location", "Medication"}


def fhir_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type=FHIR_JSON)


def outcome(status: int, text: str, severity: str = "error") -> Response:
    return fhir_response({"resourceType": "OperationOutcome", "issue": [
        {"severity": severity, "code": "processing", "diagnostics": text}]}, status)


def resources_of(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in bundle["entry"]]


class FakeFhirServer:
    """Serves `resources` (one patient's, Patient included) under `/fhir`.

    everything: answer `$everything` (else `everything_status`, 404 like HAPI without it).
    reads_only: resources that only a read finds (Medication), never a search.
    next_url: replaces the `next` link of each page (offset of the next page -> URL).
    outcome_text: a warning OperationOutcome entry on the first `$everything` page.
    """

    def __init__(
        self,
        server: HTTPServer,
        resources: Iterable[dict[str, Any]],
        patient_id: str,
        *,
        everything: bool = True,
        everything_status: int = 404,
        page_size: int = 50,
        token: str | None = None,
        auth_status: int = 401,
        relative_links: bool = False,
        reads_only: Iterable[dict[str, Any]] = (),
        next_url: Callable[[str, int], str] | None = None,
        outcome_text: str | None = None,
    ) -> None:
        self.server = server
        self.resources = list(resources)
        self.patient_id = patient_id
        self.everything = everything
        self.everything_status = everything_status
        self.page_size = page_size
        self.token = token
        self.auth_status = auth_status
        self.relative_links = relative_links
        self.next_url = next_url
        self.outcome_text = outcome_text
        self.by_key = {(r["resourceType"], r["id"]): r for r in [*self.resources, *reads_only]}
        self.results: dict[str, list[dict[str, Any]]] = {}
        self.base = server.url_for("/fhir")
        server.expect_request(re.compile(r"^/fhir(/.*)?$")).respond_with_handler(self)

    # -- what a test asks afterwards ----------------------------------------------------------

    def requests(self) -> list[Request]:
        return [request for request, _ in self.server.log]

    def paths(self) -> list[str]:
        return [request.path for request in self.requests()]

    def expected_pages(self, count: int) -> int:
        return max(1, math.ceil(count / self.page_size))

    # -- serving ------------------------------------------------------------------------------

    def __call__(self, request: Request) -> Response:
        if self.token is not None and (
            request.headers.get("Authorization") != f"Bearer {self.token}"
        ):
            return outcome(self.auth_status, "Authentication required")
        path = request.path.removeprefix("/fhir")
        if path == f"/Patient/{self.patient_id}/$everything":
            if not self.everything:
                return outcome(self.everything_status, "Unknown operation: $everything")
            self.results.setdefault("everything", self._everything_entries())
            return self._page("everything", 0)
        if re.fullmatch(r"/Patient/[^/]+/\$everything", path):
            return outcome(404, "Resource Patient is not known")
        if path == "/_page":
            return self._page(request.args["key"], int(request.args["offset"]))
        read = re.fullmatch(r"/([A-Za-z]+)/([A-Za-z0-9\-.]+)", path)
        if read:
            resource = self.by_key.get((read[1], read[2]))
            if resource is None:
                return outcome(404, f"Resource {read[1]} is not known")
            return fhir_response(resource)
        search = re.fullmatch(r"/([A-Za-z]+)", path)
        if search and "patient" in request.args:
            kind, patient = search[1], request.args["patient"]
            key = f"{kind}.{patient}"
            self.results[key] = [
                {"resource": r, "search": {"mode": "match"}} for r in self.resources
                if r["resourceType"] == kind and patient == self.patient_id
            ]
            return self._page(key, 0)
        return outcome(400, "Unsupported request")

    def _everything_entries(self) -> list[dict[str, Any]]:
        entries = []
        for number, resource in enumerate(self.resources):
            entry: dict[str, Any] = {"fullUrl": f"{self.base}/{resource['resourceType']}/"
                                                f"{resource['id']}", "resource": resource}
            if resource["resourceType"] in INCLUDED_TYPES:
                entry["search"] = {"mode": "include"}
            elif number % 7 != 3:  # some servers leave search out; every 7th has none
                entry["search"] = {"mode": "match"}
            entries.append(entry)
        return entries

    def _page(self, key: str, offset: int) -> Response:
        results = self.results[key]
        entries = results[offset:offset + self.page_size]
        if key == "everything" and offset > 0:  # servers repeat the patient on each page
            patient = self.by_key[("Patient", self.patient_id)]
            entries = [{"resource": patient, "search": {"mode": "include"}}, *entries]
        if key == "everything" and offset == 0 and self.outcome_text:
            entries = [*entries, {"resource": {"resourceType": "OperationOutcome", "issue": [
                {"severity": "warning", "code": "suppressed", "diagnostics": self.outcome_text}
            ]}, "search": {"mode": "outcome"}}]
        links = [{"relation": "self", "url": f"{self.base}/_page?key={key}&offset={offset}"}]
        following = offset + self.page_size
        if following < len(results) or self.next_url is not None:
            if self.next_url is not None:
                url = self.next_url(key, following)
            elif self.relative_links:
                url = f"_page?key={key}&offset={following}"
            else:
                url = f"{self.base}/_page?key={key}&offset={following}"
            links.append({"relation": "next", "url": url})
        return fhir_response({"resourceType": "Bundle", "type": "searchset",
                              "total": len(results), "link": links, "entry": entries})
