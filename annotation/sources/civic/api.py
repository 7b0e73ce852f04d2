"""CIViC's GraphQL API (v2) and its monthly release downloads.

Live CIViC answers the same questions as the bundled TSV snapshot, so its answers are converted
to the snapshot's vocabulary: ids "EID95"/"AID7", evidence levels A-E, and the TSV's human
spelling of GraphQL enums (SENSITIVITYRESPONSE -> "Sensitivity/Response", DOES_NOT_SUPPORT ->
"Does Not Support", TIER_I_LEVEL_A -> "Tier I - Level A"). Tiering then never needs to know
where a statement came from.

Two facts about the API shape the code (from CIViC's schema and server code):

* GraphQL failures come back as HTTP 200 with an `errors` list; they are turned into
  SourceError by a validator, so they are never cached.
* Name filters are fuzzy (`variants(name: "V600")` is a substring match over names and aliases,
  so it also returns V600E, V600K, ...). The client lists the candidates first (ids and names
  only, cheap), keeps exact name matches, and only then fetches evidence for the chosen
  molecular profile. Aliases are not matched: they hold legacy numbering (BRAF V600E is aliased
  V640E), which would attach another residue's evidence.

Statuses: only ACCEPTED evidence items and assertions are returned (the snapshot is the
accepted release); the root `evidenceItems` query includes SUBMITTED items, so status is
filtered here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from annotation.model import Evidence
from mtb.errors import SourceError
from mtb.http import HttpClient, host_of

CIVIC_GRAPHQL = "https://civicdb.org/api/graphql"
CIVIC_DOWNLOADS = "https://civicdb.org/downloads"

# The files of a monthly release, in the snapshot's (legacy) names: newer releases keep these
# as symlinks to AcceptedClinicalEvidenceSummaries.tsv etc., older ones have only these.
RELEASE_FILES = (
    "ClinicalEvidenceSummaries.tsv",
    "AssertionSummaries.tsv",
    "MolecularProfileSummaries.tsv",
    "VariantSummaries.tsv",
)
# Files some releases have and others not (GeneSummaries and the VCF until 2024,
# FeatureSummaries since 2025): fetched when present, never required.
OPTIONAL_FILES = (
    "GeneSummaries.tsv",
    "FeatureSummaries.tsv",
    "VariantGroupSummaries.tsv",
    "civic_accepted.vcf",
)
PROBE_MONTHS = 6

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RELEASE = re.compile(r"(\d{2})-([A-Z][a-z]{2})-(\d{4})")
_PAGE_SIZE = 100
_MAX_PAGES = 50  # 5,000 items per profile: far above any CIViC profile, stops a cursor loop

_VARIANTS_QUERY = """
query MtbVariants($gene: String!, $name: String!, $first: Int!, $after: String) {
  gene(entrezSymbol: $gene) {
    variants(name: $name, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id name singleVariantMolecularProfile { id name } }
    }
  }
}
"""

_EVIDENCE_QUERY = """
query MtbEvidence($mp: Int!, $first: Int!, $after: String) {
  evidenceItems(molecularProfileId: $mp, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name status evidenceType evidenceDirection significance evidenceLevel
      evidenceRating variantOrigin therapyInteractionType
      disease { name doid }
      therapies { name }
      source { citationId sourceType }
    }
  }
}
"""

_ASSERTIONS_QUERY = """
query MtbAssertions($mp: Int!, $first: Int!, $after: String) {
  assertions(molecularProfileId: $mp, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name status assertionType assertionDirection significance ampLevel
      regulatoryApproval therapyInteractionType
      nccnGuideline { name }
      disease { name doid }
      therapies { name }
    }
  }
}
"""

_RELEASES_QUERY = "query MtbReleases { dataReleases { name } }"

# GraphQL enum -> TSV spelling where the generic rule (words capitalised, "of" lower) fails.
_SPECIAL = {"SENSITIVITYRESPONSE": "Sensitivity/Response", "NA": "N/A"}
_LOWER_WORDS = {"of", "and", "or"}
_CITATION_PREFIX = {"PUBMED": "PMID", "ASCO": "ASCO", "ASH": "ASH"}
_AMP = re.compile(r"TIER_(I|II|III|IV)(?:_LEVEL_([A-E]))?")


def human(value: str | None) -> str:
    """A GraphQL enum in the TSV's spelling: PREDICTIVE -> Predictive, GAIN_OF_FUNCTION ->
    Gain of Function, SENSITIVITYRESPONSE -> Sensitivity/Response, NA -> N/A, None -> ''."""
    if not value:
        return ""
    if value in _SPECIAL:
        return _SPECIAL[value]
    words = value.split("_")
    return " ".join(
        w.lower() if i and w.lower() in _LOWER_WORDS else w.capitalize()
        for i, w in enumerate(words)
    )


def amp_category(value: str | None) -> tuple[str, str]:
    """(TSV amp_category, level letter): TIER_I_LEVEL_A -> ("Tier I - Level A", "A"),
    TIER_III -> ("Tier III", ""), NA/None -> ("", "")."""
    match = _AMP.fullmatch(value or "")
    if not match:
        return "", ""
    tier, level = match.group(1), match.group(2) or ""
    return (f"Tier {tier} - Level {level}" if level else f"Tier {tier}"), level


def release_date(name: str) -> date | None:
    """date(2024, 8, 1) for "01-Aug-2024"; None for "nightly" or anything else."""
    match = _RELEASE.fullmatch(name)
    if not match or match.group(2) not in _MONTHS:
        return None
    try:
        return date(int(match.group(3)), _MONTHS.index(match.group(2)) + 1, int(match.group(1)))
    except ValueError:
        return None


def release_name(day: date) -> str:
    """CIViC's directory name for a monthly release ('%d-%b-%Y', without the locale)."""
    return f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year}"


class CivicApi:
    """Client of CIViC's GraphQL endpoint and download area (base URLs overridable for tests
    and mirrors)."""

    def __init__(
        self,
        http: HttpClient,
        base_url: str = CIVIC_GRAPHQL,
        download_base: str = CIVIC_DOWNLOADS,
    ) -> None:
        self.http = http
        self.base_url = base_url
        self.download_base = download_base.rstrip("/")
        self.host = host_of(base_url)
        parts = urlsplit(base_url)
        self._site = f"{parts.scheme}://{parts.netloc}"  # for evidence links

    # -- evidence -------------------------------------------------------------------------------

    def evidence_for(self, gene: str, variant_names: Sequence[str]) -> dict[str, list[Evidence]]:
        """For each CIViC variant name of `gene` ("V600E", "V600", "Mutation", "Amplification",
        "EML4::ALK", "Fusion"), the accepted evidence items and assertions of its single-variant
        molecular profile. Every requested name is a key; unknown names map to []."""
        result: dict[str, list[Evidence]] = {name: [] for name in variant_names}
        for name in result:
            profile = self._single_variant_profile(gene, name)
            if profile is not None:
                result[name] = self._profile_evidence(*profile)
        return result

    def _single_variant_profile(self, gene: str, name: str) -> tuple[int, str] | None:
        """(id, name) of the molecular profile of the variant named exactly `name`."""
        wanted = name.casefold()
        for node in self._nodes(_VARIANTS_QUERY, {"gene": gene, "name": name},
                                ("gene", "variants")):
            if str(node.get("name", "")).casefold() != wanted:
                continue
            profile = node.get("singleVariantMolecularProfile") or {}
            if profile.get("id") is not None:
                return int(profile["id"]), str(profile.get("name") or f"{gene} {node['name']}")
        return None

    def _profile_evidence(self, profile_id: int, profile: str) -> list[Evidence]:
        out = [
            self._evidence(node, profile)
            for node in self._nodes(_EVIDENCE_QUERY, {"mp": profile_id}, ("evidenceItems",))
            if node.get("status") == "ACCEPTED"
        ]
        out += [
            self._assertion(node, profile)
            for node in self._nodes(_ASSERTIONS_QUERY, {"mp": profile_id}, ("assertions",))
            if node.get("status") == "ACCEPTED"
        ]
        return out

    def _evidence(self, node: dict[str, Any], profile: str) -> Evidence:
        disease = node.get("disease") or {}
        source = node.get("source") or {}
        citation = ""
        if source.get("citationId"):
            kind = str(source.get("sourceType") or "")
            prefix = _CITATION_PREFIX.get(kind, kind.capitalize() or "Source")
            citation = f"{prefix}:{source['citationId']}"
        rating = node.get("evidenceRating")
        return Evidence(
            source="CIViC",
            id=f"EID{node['id']}",
            kind="evidence",
            evidence_type=human(node.get("evidenceType")),
            direction=human(node.get("evidenceDirection")),
            significance=human(node.get("significance")),
            level=str(node.get("evidenceLevel") or ""),
            disease=str(disease.get("name") or ""),
            doid=_doid(disease.get("doid")),
            profile=profile,
            therapies=_names(node.get("therapies")),
            therapy_interaction=human(node.get("therapyInteractionType")),
            variant_origin=human(node.get("variantOrigin")),
            rating=int(rating) if rating is not None else None,
            citation=citation,
            url=f"{self._site}/links/evidence_items/{node['id']}",
            version="live",
        )

    def _assertion(self, node: dict[str, Any], profile: str) -> Evidence:
        disease = node.get("disease") or {}
        category, level = amp_category(node.get("ampLevel"))
        approval = node.get("regulatoryApproval")
        return Evidence(
            source="CIViC",
            id=f"AID{node['id']}",
            kind="assertion",
            evidence_type=human(node.get("assertionType")),
            direction=human(node.get("assertionDirection")),
            significance=human(node.get("significance")),
            level=level,
            disease=str(disease.get("name") or ""),
            doid=_doid(disease.get("doid")),
            profile=profile,
            therapies=_names(node.get("therapies")),
            therapy_interaction=human(node.get("therapyInteractionType")),
            amp_category=category,
            regulatory_approval=approval if isinstance(approval, bool) else None,
            nccn_guideline=str((node.get("nccnGuideline") or {}).get("name") or ""),
            url=f"{self._site}/links/assertions/{node['id']}",
            version="live",
        )

    # -- releases -------------------------------------------------------------------------------

    def latest_release(self, download_base: str | None = None, *, today: date | None = None) -> str:
        """Name of the newest monthly release ("01-Nov-2026"): from GraphQL `dataReleases`, or,
        when that fails, by probing the evidence TSV of the first of each month back from
        `today` (at most PROBE_MONTHS). Raises SourceError when neither finds one."""
        try:
            names = self._release_names()
        except SourceError:
            names = []
        if names:
            return names[0]
        base = (download_base or self.download_base).rstrip("/")
        day = (today or date.today()).replace(day=1)
        for _ in range(PROBE_MONTHS):
            name = release_name(day)
            if self.http.probe(f"{base}/{name}/{name}-{RELEASE_FILES[0]}"):
                return name
            day = (day.replace(year=day.year - 1, month=12) if day.month == 1
                   else day.replace(month=day.month - 1))
        raise SourceError(
            f"{host_of(base)}: no CIViC release found in the last {PROBE_MONTHS} months"
        )

    def release_files(self, release: str, download_base: str | None = None) -> dict[str, str]:
        """{file name: URL} of a monthly release, file names as in the bundled snapshot
        ("01-Nov-2026-ClinicalEvidenceSummaries.tsv"). The name is checked because it becomes a
        directory name on disk."""
        if release_date(release) is None:
            raise SourceError(f"CIViC: {release!r} is not a monthly release name (DD-Mon-YYYY)")
        base = (download_base or self.download_base).rstrip("/")
        return {
            f"{release}-{name}": f"{base}/{release}/{release}-{name}"
            for name in (*RELEASE_FILES, *OPTIONAL_FILES)
        }

    def _release_names(self) -> list[str]:
        """Monthly release names, newest first ("nightly" and odd names dropped)."""
        data = self._post(_RELEASES_QUERY, {})
        names = {
            str(item.get("name") or "")
            for item in data.get("dataReleases") or []
            if isinstance(item, dict)
        }
        dated = [(day, name) for name in names if (day := release_date(name)) is not None]
        return [name for _, name in sorted(dated, reverse=True)]

    # -- transport ------------------------------------------------------------------------------

    def _post(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = self.http.post_json(
            self.base_url, {"query": query, "variables": variables}, validate=self._check
        )
        return body["data"]

    def _check(self, body: Any) -> None:
        """GraphQL reports failures with HTTP 200: reject them before they are cached."""
        if not isinstance(body, dict):
            raise SourceError(f"{self.host}: not a GraphQL response")
        errors = body.get("errors")
        if errors:
            first = errors[0] if isinstance(errors, list) and errors else {}
            message = str(first.get("message", "")) if isinstance(first, dict) else ""
            raise SourceError(f"{self.host}: GraphQL error: {message[:160] or 'unspecified'}")
        if not isinstance(body.get("data"), dict):
            raise SourceError(f"{self.host}: GraphQL response without data")

    def _nodes(
        self, query: str, variables: dict[str, Any], path: tuple[str, ...]
    ) -> Iterator[dict[str, Any]]:
        """Every node of the Relay connection at `path`, following `endCursor`."""
        after: str | None = None
        for _ in range(_MAX_PAGES):
            data: Any = self._post(query, {**variables, "first": _PAGE_SIZE, "after": after})
            for key in path:
                data = data.get(key) if isinstance(data, dict) else None
            if not isinstance(data, dict):
                return  # e.g. gene(entrezSymbol:) is null for an unknown gene
            yield from (n for n in data.get("nodes") or [] if isinstance(n, dict))
            page = data.get("pageInfo") or {}
            if not page.get("hasNextPage") or not page.get("endCursor"):
                return
            after = str(page["endCursor"])
        raise SourceError(f"{self.host}: more than {_MAX_PAGES} pages")


def _doid(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    return text if text.upper().startswith("DOID:") else f"DOID:{text}"


def _names(items: Any) -> tuple[str, ...]:
    return tuple(str(i["name"]) for i in items or [] if isinstance(i, dict) and i.get("name"))
