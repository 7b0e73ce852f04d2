"""ClinicalTrials.gov API v2: recruiting trials for a case, beside the site's own portfolio.

    GET {MTB_CTGOV_URL}/studies?query.cond=...&query.term=...&query.intr=...&query.locn=...
        &filter.overallStatus=RECRUITING&pageSize=N[&pageToken=...]   -> {studies, nextPageToken}
    GET {MTB_CTGOV_URL}/studies/NCT01234567                           -> one study

Never required: the board works from the portfolio. ClinicalTrials.gov is asked only when mtb is
live (MTB_LIVE=1, `--live`), through mtb's one HTTP client (timeouts, retries, no token). Each
search is kept with the time it was fetched (one day fresh), so a page can say "ClinicalTrials.gov
as of ..." and, offline, show the last answer with its age instead of nothing. Only the fields
mtb reads are kept, not the whole record.

A record is read into a `Study`: identification, status, phases, conditions, keywords,
interventions, the eligibility text, age and sex limits, and the countries of its sites. What
the eligibility text says about biomarkers is read by mtb.trials.eligibility, and said to be read
from text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mtb.atomic import atomic_write
from mtb.errors import SourceError
from mtb.http import HttpClient

__all__ = ["CACHE_SUBDIR", "OPEN", "CtgovClient", "Search", "Study", "study_from_record"]

CACHE_SUBDIR = "ctgov-cache"  # under Settings.data_dir
FRESH = timedelta(days=1)  # trials open and close: a day-old answer is asked again when live
OPEN = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
_NCT = re.compile(r"^NCT\d{8}$")
STUDY_URL = "https://clinicaltrials.gov/study/"


@dataclass(frozen=True)
class Study:
    nct_id: str
    title: str
    official_title: str = ""
    status: str = ""  # RECRUITING, NOT_YET_RECRUITING, COMPLETED, ...
    phases: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    arms: tuple[str, ...] = ()  # arm group labels
    eligibility: str = ""  # the eligibility criteria text
    minimum_age: float | None = None  # years
    maximum_age: float | None = None
    sex: str = "ALL"  # ALL, FEMALE, MALE
    countries: tuple[str, ...] = ()
    sites: int = 0
    last_update: str = ""

    @property
    def url(self) -> str:
        return STUDY_URL + self.nct_id

    @property
    def recruiting(self) -> bool:
        return self.status == "RECRUITING"


@dataclass(frozen=True)
class Search:
    """One answer of ClinicalTrials.gov, as fetched (or as cached, with its time)."""

    studies: tuple[Study, ...]
    fetched_at: datetime
    query: tuple[tuple[str, str], ...]
    total: int | None = None  # as the API counted them
    pages: int = 1
    truncated: bool = False  # more pages than mtb asked for
    cached: bool = False  # from the cache (offline, or fresh enough)
    notes: tuple[str, ...] = field(default=())

    @property
    def age_text(self) -> str:
        return f"ClinicalTrials.gov as of {self.fetched_at:%Y-%m-%d %H:%M} UTC"


class CtgovClient:
    """Searches and single studies; `live=False` answers from the cache only (SourceError when
    there is nothing cached)."""

    def __init__(self, base_url: str, *, cache_dir: Path | None = None,
                 http: HttpClient | None = None, live: bool = True,
                 fresh: timedelta = FRESH) -> None:
        self.base_url = base_url.rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.http = http or HttpClient(cache_dir=None, timeout=(3.05, 20), retries=2)
        self.live = live
        self.fresh = fresh

    @classmethod
    def in_data_dir(cls, base_url: str, data_dir: Path, *, live: bool) -> CtgovClient:
        return cls(base_url, cache_dir=Path(data_dir) / CACHE_SUBDIR, live=live)

    def search(
        self, *, condition: str = "", intervention: str = "", term: str = "", location: str = "",
        statuses: Sequence[str] = ("RECRUITING",), page_size: int = 50, max_pages: int = 4,
    ) -> Search:
        """Studies matching the query, following nextPageToken up to `max_pages` pages."""
        params = {k: v for k, v in (
            ("query.cond", condition), ("query.intr", intervention), ("query.term", term),
            ("query.locn", location), ("filter.overallStatus", ",".join(statuses)),
        ) if v}
        params |= {"format": "json", "pageSize": str(page_size), "countTotal": "true"}
        key = _key(self.base_url, params, max_pages)
        cached = self._cached(key)
        if cached is not None and (not self.live or
                                   datetime.now(UTC) - cached.fetched_at < self.fresh):
            return cached
        if not self.live:
            raise SourceError("ClinicalTrials.gov: offline (set MTB_LIVE=1 to ask it)")
        try:
            found = self._fetch(params, max_pages)
        except SourceError as error:
            if cached is not None:
                return Search(cached.studies, cached.fetched_at, cached.query, cached.total,
                              cached.pages, cached.truncated, True,
                              (f"{error}; showing the answer of {cached.fetched_at:%Y-%m-%d}",))
            raise
        self._store(key, found)
        return found

    def study(self, nct_id: str) -> Study:
        """One study by its NCT id (cached like a search)."""
        nct = nct_id.strip().upper()
        if not _NCT.match(nct):
            raise SourceError(f"'{nct_id}' is not an NCT number")
        key = _key(self.base_url, {"study": nct}, 1)
        cached = self._cached(key)
        if cached is not None and cached.studies and (
                not self.live or datetime.now(UTC) - cached.fetched_at < self.fresh):
            return cached.studies[0]
        if not self.live:
            raise SourceError("ClinicalTrials.gov: offline (set MTB_LIVE=1 to ask it)")
        record = self.http.get_json(f"{self.base_url}/studies/{nct}", {"format": "json"},
                                    validate=_is_study)
        study = study_from_record(record)
        self._store(key, Search((study,), datetime.now(UTC), (("study", nct),)))
        return study

    def _fetch(self, params: dict[str, str], max_pages: int) -> Search:
        studies: list[Study] = []
        total = None
        token = ""
        pages = 0
        while pages < max_pages:
            page = dict(params, pageToken=token) if token else dict(params)
            body = self.http.get_json(f"{self.base_url}/studies", page, validate=_is_page)
            pages += 1
            if total is None and isinstance(body.get("totalCount"), int):
                total = body["totalCount"]
            for record in body.get("studies") or []:
                try:
                    studies.append(study_from_record(record))
                except SourceError:
                    continue  # a record without an NCT id: nothing to show or link
            token = str(body.get("nextPageToken") or "")
            if not token:
                break
        unique = tuple({s.nct_id: s for s in studies}.values())
        return Search(unique, datetime.now(UTC), tuple(sorted(params.items())), total, pages,
                      truncated=bool(token))

    # -- the cache: one small JSON file per query --

    def _path(self, key: str) -> Path | None:
        return self.cache_dir / f"{key}.json" if self.cache_dir is not None else None

    def _cached(self, key: str) -> Search | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            fetched = datetime.fromisoformat(data["fetched_at"])
            studies = tuple(Study(**_tuples(s)) for s in data["studies"])
            return Search(studies, fetched, tuple(tuple(q) for q in data["query"]),
                          data.get("total"), data.get("pages", 1), data.get("truncated", False),
                          cached=True)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _store(self, key: str, search: Search) -> None:
        path = self._path(key)
        if path is None:
            return
        data = {"fetched_at": search.fetched_at.isoformat(), "query": search.query,
                "total": search.total, "pages": search.pages, "truncated": search.truncated,
                "studies": [asdict(s) for s in search.studies]}
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs a refetch


def _key(base_url: str, params: Mapping[str, str], pages: int) -> str:
    text = json.dumps([base_url, sorted(params.items()), pages])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _tuples(data: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def _is_page(body: Any) -> None:
    if not isinstance(body, dict) or not isinstance(body.get("studies", []), list):
        raise SourceError("ClinicalTrials.gov: not a page of studies")


def _is_study(body: Any) -> None:
    if not isinstance(body, dict) or "protocolSection" not in body:
        raise SourceError("ClinicalTrials.gov: not a study record")


def study_from_record(record: Mapping[str, Any]) -> Study:
    """A v2 study record (as /studies returns each, or /studies/{nct}) -> Study."""
    protocol = record.get("protocolSection") if isinstance(record, Mapping) else None
    if not isinstance(protocol, Mapping):
        raise SourceError("ClinicalTrials.gov: a study without protocolSection")
    ident = _module(protocol, "identificationModule")
    nct = str(ident.get("nctId") or "").upper()
    if not _NCT.match(nct):
        raise SourceError("ClinicalTrials.gov: a study without an NCT id")
    status = _module(protocol, "statusModule")
    conditions = _module(protocol, "conditionsModule")
    design = _module(protocol, "designModule")
    arms = _module(protocol, "armsInterventionsModule")
    eligibility = _module(protocol, "eligibilityModule")
    locations = _module(protocol, "contactsLocationsModule").get("locations") or []
    update = status.get("lastUpdatePostDateStruct") or {}
    return Study(
        nct_id=nct,
        title=str(ident.get("briefTitle") or ident.get("officialTitle") or nct),
        official_title=str(ident.get("officialTitle") or ""),
        status=str(status.get("overallStatus") or ""),
        phases=_strings(design.get("phases")),
        conditions=_strings(conditions.get("conditions")),
        keywords=_strings(conditions.get("keywords")),
        interventions=tuple(str(i.get("name") or "") for i in arms.get("interventions") or []
                            if isinstance(i, Mapping) and i.get("name")),
        arms=tuple(str(a.get("label") or "") for a in arms.get("armGroups") or []
                   if isinstance(a, Mapping) and a.get("label")),
        eligibility=str(eligibility.get("eligibilityCriteria") or ""),
        minimum_age=_years(eligibility.get("minimumAge")),
        maximum_age=_years(eligibility.get("maximumAge")),
        sex=str(eligibility.get("sex") or "ALL").upper(),
        countries=tuple(dict.fromkeys(str(site.get("country")) for site in locations
                                      if isinstance(site, Mapping) and site.get("country"))),
        sites=len(locations),
        last_update=str(update.get("date") or status.get("lastUpdateSubmitDate") or ""),
    )


def _module(protocol: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = protocol.get(name)
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


_UNITS = {"year": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25,
          "hour": 1 / 8766, "minute": 1 / 525960}


def _years(text: Any) -> float | None:
    """'18 Years', '6 Months' -> years; None when absent or unreadable."""
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+?)s?\s*$", str(text or ""))
    if not match or match.group(2).lower() not in _UNITS:
        return None
    return float(match.group(1)) * _UNITS[match.group(2).lower()]
