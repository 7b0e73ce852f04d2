"""Fetch one patient's record from a FHIR R4 server into a Bundle that `mtb` can read offline.

Why a module of its own: a hospital server is not a knowledge base. What it returns is patient
data, so the rules differ from the live annotation sources:

* Nothing is cached on disk. `fetch_patient` makes its own `HttpClient(cache_dir=None)` and
  refuses (ValueError) a client that has a cache, because the cache would keep patient records
  under the data dir with no way for the user to know.
* The bearer token goes only to the server the user named: it is passed per request, never
  stored, never put in a message, and a paging link pointing to another origin (scheme, host,
  port) is refused instead of followed.
* Messages name the host and the patient id (a pseudonym the user typed), never URLs: paging
  links carry server state and sometimes search terms in their query.

Two ways in, the first that works:

1. `GET [base]/Patient/[id]/$everything` (the Patient-everything operation, a searchset Bundle
   of the patient compartment plus the resources it needs), following `next` links.
2. When the server does not offer it (404, 400, 405 or 501), a read of the Patient, one search
   per resource type a tumor board uses (`[base]/[Type]?patient=[id]`, each followed through
   its `next` links) and a read of every Medication the medication resources reference.

Both give a Bundle of type "collection": every resource once (by type and id), each with the
fullUrl `[base]/[Type]/[id]`. Search bookkeeping (search.mode, OperationOutcome entries) does
not survive; an OperationOutcome's diagnostics become `FetchedRecord.warnings`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from mtb.atomic import atomic_write
from mtb.errors import ConfigError, HttpStatusError, SourceError
from mtb.http import HttpClient, host_of

EVERYTHING = "$everything"
PER_TYPE = "per-type search"

PAGE_SIZE = 200  # `_count`: a hint; servers cap it (often at 100 or 1000) and page the rest
NOT_OFFERED = frozenset({400, 404, 405, 501})  # how servers say "no $everything here"
REJECTED = frozenset({401, 403})
GONE = frozenset({404, 410})

# The per-type fallback: what a tumor board reads (diagnoses, surgery and radiotherapy,
# systemic therapy, labs and reports, imaging, pathology specimens, earlier board plans).
# Each has a `patient` search parameter in R4. Medication is read by reference instead.
SEARCH_TYPES = (
    "Condition",
    "Procedure",
    "MedicationStatement",
    "MedicationAdministration",
    "MedicationRequest",
    "Observation",
    "DiagnosticReport",
    "ImagingStudy",
    "Specimen",
    "CarePlan",
    "RequestGroup",  # MII MTB: a board's combination recommendation (read by its CarePlan)
)

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")  # R4 `id` datatype
FHIR_JSON = {"Accept": "application/fhir+json"}
KEPT_MODES = frozenset({"match", "include"})
DIAGNOSTICS_CAP = 300  # characters of one OperationOutcome issue kept as a warning


@dataclass(frozen=True)
class FetchedRecord:
    """One patient's resources as fetched, and how they were fetched."""

    bundle: dict[str, Any]  # FHIR R4 Bundle, type "collection"
    method: str  # EVERYTHING or PER_TYPE
    counts: dict[str, int]  # resourceType -> resources in `bundle`
    pages: int  # searchset pages read (single reads are not pages)
    warnings: tuple[str, ...] = ()


def fetch_patient(
    base_url: str,
    patient_id: str,
    *,
    token: str | None = None,
    http: HttpClient | None = None,
    page_limit: int = 200,
) -> FetchedRecord:
    """Everything the server at `base_url` holds about `patient_id`, $everything first.

    `page_limit` bounds each chain of `next` links: a server that keeps paging past it (or
    sends a link already followed) is reported rather than followed for ever.
    Raises SourceError for anything the server or network did (messages safe to show and log),
    ConfigError for an unusable base URL or patient id, ValueError for a caching client.
    """
    if http is not None and http.cache_dir is not None:
        raise ValueError("fetch_patient needs an HttpClient without a disk cache "
                         "(patient data must not be cached)")
    if page_limit < 1:
        raise ValueError("page_limit must be at least 1")
    base = _checked_base(base_url)
    if not FHIR_ID.fullmatch(patient_id):
        raise ConfigError(f"patient id {patient_id!r} is not a FHIR id "
                          "(letters, digits, '-' and '.', at most 64)")
    if http is None:
        with HttpClient(cache_dir=None) as own:
            return _Fetch(own, base, patient_id, token, page_limit).run()
    return _Fetch(http, base, patient_id, token, page_limit).run()


def write_bundle(record: FetchedRecord, path: Path) -> Path:
    """Write `record.bundle` as UTF-8 JSON, atomically: a temporary file beside `path`, then
    `os.replace`, so a crash leaves the previous file or the complete new one. The file keeps
    the temporary file's owner-only mode (0600): it is a patient record."""
    data = json.dumps(record.bundle, ensure_ascii=False, indent=1).encode("utf-8")
    return atomic_write(Path(path), data)


def _checked_base(base_url: str) -> str:
    parts = urlsplit(base_url.strip())
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ConfigError("FHIR base URL has an invalid port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("FHIR base URL must be an http(s) URL with a host")
    if parts.query or parts.fragment:
        raise ConfigError("FHIR base URL must not have a query or fragment")
    if parts.username is not None or parts.password is not None:  # would end up in fullUrls
        raise ConfigError("FHIR base URL must not hold credentials (give a token instead)")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with default ports filled in; a token may only go where the user
    sent it, and an https -> http change would send it in clear text."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:  # unparsable port: matches no origin
        return parts.scheme, "", -1
    return parts.scheme, (parts.hostname or "").lower(), port


class _Fetch:
    """One fetch: the client, where to, the token (only for the duration of the call) and what
    has arrived so far."""

    def __init__(self, http: HttpClient, base: str, patient_id: str, token: str | None,
                 page_limit: int) -> None:
        self.http = http
        self.base = base
        self.host = host_of(base)
        self.origin = _origin(base)
        self.patient_id = patient_id
        self.has_token = bool(token)
        self.headers = {**FHIR_JSON, **({"Authorization": f"Bearer {token}"} if token else {})}
        self.page_limit = page_limit
        self.resources: dict[tuple[str, str], dict[str, Any]] = {}
        self.warnings: dict[str, None] = {}  # ordered set
        self.pages = 0
        self.without_id = 0

    def run(self) -> FetchedRecord:
        url = f"{self.base}/Patient/{self.patient_id}/{EVERYTHING}"
        try:
            self._search(url, {"_count": PAGE_SIZE})
            method = EVERYTHING
            if ("Patient", self.patient_id) not in self.resources:
                self._warn(f"{self.host}: $everything did not return the Patient itself")
        except HttpStatusError as exc:
            if exc.status not in NOT_OFFERED:
                raise
            self._reset()
            self._per_type()
            method = PER_TYPE
        if self.without_id:
            self._warn(f"{self.host}: {self.without_id} resource(s) without an id skipped")
        return self._record(method)

    def _reset(self) -> None:
        self.resources.clear()
        self.warnings.clear()
        self.pages = 0
        self.without_id = 0

    # -- the fallback -----------------------------------------------------------------------

    def _per_type(self) -> None:
        patient = self._read("Patient", self.patient_id)
        if patient is None:
            raise SourceError(f"patient {self.patient_id} not found on {self.host}")
        self._add(patient)
        for kind in SEARCH_TYPES:
            try:
                self._search(f"{self.base}/{kind}",
                             {"patient": self.patient_id, "_count": PAGE_SIZE})
            except HttpStatusError as exc:
                if exc.status not in NOT_OFFERED:
                    raise
                self._warn(f"{self.host}: {kind} search not supported (HTTP {exc.status})")
        for med_id in self._medication_ids():
            if ("Medication", med_id) in self.resources:
                continue
            try:
                medication = self._read("Medication", med_id)
            except HttpStatusError as exc:  # best effort: the statement still names the drug
                self._warn(f"{self.host}: a Medication a statement names was not read "
                           f"(HTTP {exc.status})")
                continue
            if medication is None:
                self._warn(f"{self.host}: a Medication a statement names was not found")
            else:
                self._add(medication)

    def _medication_ids(self) -> list[str]:
        """Ids of `Medication/[id]` references (relative, or absolute on this server); contained
        (#...) and urn:uuid references point to nothing a read could fetch."""
        ids: dict[str, None] = {}
        prefix = f"{self.base}/"
        for resource in list(self.resources.values()):
            ref = resource.get("medicationReference")
            text = ref.get("reference") if isinstance(ref, Mapping) else None
            if not isinstance(text, str):
                continue
            if text.startswith(prefix):
                text = text[len(prefix):]
            parts = text.split("/")
            if len(parts) in (2, 4) and parts[0] == "Medication" and FHIR_ID.fullmatch(parts[1]):
                ids[parts[1]] = None  # Medication/[id] or Medication/[id]/_history/[v]
        return list(ids)

    def _read(self, kind: str, resource_id: str) -> dict[str, Any] | None:
        """A read; None when the server says there is no such resource (404/410)."""
        try:
            body = self._get(f"{self.base}/{kind}/{resource_id}", None)
        except HttpStatusError as exc:
            if exc.status in GONE:
                return None
            raise
        if not isinstance(body, dict) or body.get("resourceType") != kind:
            raise SourceError(f"{self.host}: answered a {kind} read with something else")
        return body

    # -- searchsets and paging ----------------------------------------------------------------

    def _search(self, url: str, params: Mapping[str, Any] | None) -> None:
        seen: set[str] = set()
        next_url: str | None = url
        chain = 0
        while next_url is not None:
            if chain >= self.page_limit or next_url in seen:
                raise SourceError(f"{self.host}: the server kept paging "
                                  f"(stopped after {chain} pages)")
            seen.add(next_url)
            try:
                body = self._get(next_url, params)
            except HttpStatusError as exc:
                if chain == 0:
                    raise  # the caller decides what a refused search means
                # a later page failing says nothing about support: the cursor may have expired
                raise SourceError(f"{self.host}: HTTP {exc.status} on result page "
                                  f"{chain + 1}") from None
            params = None  # `next` links carry their own query
            chain += 1
            self.pages += 1
            if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
                raise SourceError(f"{self.host}: answered a search with something other than "
                                  "a Bundle")
            for resource in _entries(body, self._warn, self.host):
                self._add(resource)
            next_url = self._next_link(body)

    def _next_link(self, bundle: Mapping[str, Any]) -> str | None:
        for link in bundle.get("link") or ():
            if isinstance(link, Mapping) and link.get("relation") == "next":
                target = link.get("url")
                if not isinstance(target, str) or not target:
                    return None
                absolute = urljoin(f"{self.base}/", target)
                if _origin(absolute) != self.origin:
                    raise SourceError(f"{self.host}: a paging link points to another server "
                                      f"({host_of(absolute)}); not followed")
                return absolute
        return None

    def _get(self, url: str, params: Mapping[str, Any] | None) -> Any:
        try:
            return self.http.get_json(url, params, headers=self.headers)
        except HttpStatusError as exc:
            if exc.status in REJECTED:
                what = "rejected the token" if self.has_token else "needs a token"
                raise SourceError(f"{self.host} {what}") from None
            raise

    # -- collecting ---------------------------------------------------------------------------

    def _add(self, resource: dict[str, Any]) -> None:
        kind, resource_id = resource.get("resourceType"), resource.get("id")
        if not isinstance(kind, str) or not kind:
            return
        if not isinstance(resource_id, str) or not resource_id:
            self.without_id += 1
            return
        self.resources.setdefault((kind, resource_id), resource)  # first copy wins

    def _warn(self, text: str) -> None:
        self.warnings[text] = None

    def _record(self, method: str) -> FetchedRecord:
        entries = [{"fullUrl": f"{self.base}/{kind}/{rid}", "resource": resource}
                   for (kind, rid), resource in self.resources.items()]
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "entry": entries,
        }
        counts = dict(sorted(Counter(kind for kind, _ in self.resources).items()))
        return FetchedRecord(bundle=bundle, method=method, counts=counts, pages=self.pages,
                             warnings=tuple(self.warnings))


def _entries(
    bundle: Mapping[str, Any], warn: Callable[[str], None], host: str
) -> Iterator[dict[str, Any]]:
    """The resources of a searchset page that are results (search.mode match, include or
    absent); OperationOutcome entries are turned into warnings instead."""
    for entry in bundle.get("entry") or ():
        if not isinstance(entry, Mapping):
            continue
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            continue
        if resource.get("resourceType") == "OperationOutcome":
            for issue in resource.get("issue") or ():
                if isinstance(issue, Mapping):
                    warn(f"{host}: {_issue_text(issue)}")
            continue
        search = entry.get("search")
        mode = search.get("mode") if isinstance(search, Mapping) else None
        if mode is None or mode in KEPT_MODES:
            yield resource


def _issue_text(issue: Mapping[str, Any]) -> str:
    details = issue.get("details")
    text = issue.get("diagnostics") or (
        details.get("text") if isinstance(details, Mapping) else None) or issue.get("code")
    severity = issue.get("severity") or "information"
    text = " ".join(str(text or "no details").split())
    if len(text) > DIAGNOSTICS_CAP:
        text = text[:DIAGNOSTICS_CAP - 1] + "…"
    return f"{severity}: {text}"
