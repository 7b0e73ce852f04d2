"""ClinVar through NCBI E-utilities (esearch + esummary), live only.

Why it is asked: CIViC says little about benign variants, and AMP/ASCO/CAP Tier IV needs
evidence of benignity. ClinVar's classifications ("Benign", "Likely benign", "Pathogenic", ...)
are returned as Evidence(source="ClinVar", evidence_type="Germline classification", or
"Oncogenicity"/"Clinical impact" for the 2024 somatic classifications) so tiering can read
`significance` like any other statement. Evidence.rating carries ClinVar's review stars (0-4).

No snapshot is bundled (the full ClinVar release is gigabytes), so in offline mode every answer
is empty with the note "ClinVar: offline".

Format notes (E-utilities JSON as NCBI documents it and public clients read it): esummary
records come in two layouts. The current one has `germline_classification`,
`clinical_impact_classification` and `oncogenicity_classification` blocks, each with its own
`trait_set`; the pre-2024 one has a single `clinical_significance` block and a top-level
`trait_set`. Both are read. The free-text search (`BRAF[gene] AND V600E`) is loose, so a record
is kept only when its gene and its protein change (the `protein_change` list, or the HGVS in its
title, both canonicalised by annotation.proteins) match the alteration exactly.

NCBI allows 3 requests/s without an API key and 10/s with one; the client is throttled to that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from annotation.model import Alteration, Diagnosis, Evidence, Granularity, Match
from annotation.proteins import canonical_protein
from annotation.sources.base import FetchMode, KnowledgeSource, SourceAnswer, SourceStatus
from mtb.errors import SourceError
from mtb.http import HttpClient, host_of

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
LICENCE = "Public domain (NCBI ClinVar); cite Landrum et al., Nucleic Acids Res 2018"

# (esummary block, Evidence.evidence_type, Evidence.variant_origin)
_BLOCKS = (
    ("germline_classification", "Germline classification", "Germline"),
    ("oncogenicity_classification", "Oncogenicity", "Somatic"),
    ("clinical_impact_classification", "Clinical impact", "Somatic"),
)
_LEGACY_BLOCK = "clinical_significance"

# ClinVar review status -> stars (https://www.ncbi.nlm.nih.gov/clinvar/docs/review_status/)
_STARS = (
    ("practice guideline", 4),
    ("reviewed by expert panel", 3),
    ("criteria provided, multiple submitters, no conflicts", 2),
    ("criteria provided, conflicting", 1),
    ("criteria provided, single submitter", 1),
)

_TITLE_PROTEIN = re.compile(r"\(p\.([^)]+)\)")  # "NM_004333.6(BRAF):c.1799T>A (p.Val600Glu)"


def stars(review_status: str) -> int:
    """ClinVar's 0-4 review stars for a review status text."""
    text = review_status.strip().lower()
    for prefix, count in _STARS:
        if text.startswith(prefix):
            return count
    return 0


class ClinVarSource(KnowledgeSource):
    """ClinVar classifications for small variants, by gene and protein change."""

    name = "ClinVar"

    def __init__(
        self,
        http: HttpClient,
        *,
        mode: FetchMode | None = None,
        base_url: str = EUTILS,
        api_key: str | None = None,
        email: str | None = None,
        tool: str = "mtb",
        retmax: int = 20,
    ) -> None:
        self.http = http
        self.mode = mode or (FetchMode.OFFLINE if http.offline else FetchMode.LIVE)
        self.base_url = base_url.rstrip("/")
        self.host = host_of(base_url)
        self.retmax = retmax
        self._common = {"db": "clinvar", "retmode": "json", "tool": tool}
        if email:
            self._common["email"] = email
        if api_key:
            self._common["api_key"] = api_key
        http.rate_limit(self.host, 10 if api_key else 3)

    def __repr__(self) -> str:  # never show the API key
        return f"ClinVarSource(base_url={self.base_url!r}, mode={self.mode.value!r})"

    def status(self) -> SourceStatus:
        live = self.mode is FetchMode.LIVE
        return SourceStatus(
            name=self.name,
            version="live" if live else "not bundled",
            date="",
            counts={},
            licence=LICENCE,
            mode=self.mode,
        )

    def annotate(
        self, alterations: Sequence[Alteration], diagnosis: Diagnosis | None
    ) -> list[SourceAnswer]:
        """One answer per alteration; only small variants with a gene and a protein change are
        looked up (ClinVar classifies variants, not copy-number segments or fusions here).
        Raises SourceError when E-utilities fail."""
        if self.mode is FetchMode.OFFLINE:
            return [
                SourceAnswer(notes=("ClinVar: offline",), source=self.name, version="not bundled")
                for _ in alterations
            ]
        return [self._answer(alteration) for alteration in alterations]

    def _answer(self, alteration: Alteration) -> SourceAnswer:
        if alteration.kind != "small" or not alteration.gene or not alteration.protein:
            return SourceAnswer(source=self.name, version="live")
        protein = canonical_protein(alteration.protein)
        uids = self._search(alteration.gene, protein)
        matches: list[Match] = []
        notes: list[str] = []
        for record in self._summaries(uids):
            if not _same_variant(record, alteration.gene, protein):
                continue
            for evidence, review_status in _evidence(record):
                matches.append(Match(evidence, Granularity.EXACT_PROTEIN, evidence.profile))
                count = evidence.rating or 0
                notes.append(
                    f"ClinVar {evidence.id} {evidence.evidence_type.lower()}: "
                    f"{evidence.significance} ({count} star{'' if count == 1 else 's'}"
                    f"{'; ' + review_status if review_status else ''})"
                )
        return SourceAnswer(
            matches=tuple(matches), notes=tuple(notes), source=self.name, version="live"
        )

    def _search(self, gene: str, protein: str) -> list[str]:
        # Entrez is case-insensitive, so the canonical key (V600E, E746_A750DEL, E11FS) is a
        # usable term; a trailing '*' (R1443*) is Entrez's truncation wildcard, which only
        # widens the search: records are filtered exactly afterwards.
        body = self.http.get_json(
            f"{self.base_url}/esearch.fcgi",
            {**self._common, "term": f"{gene}[gene] AND {protein}", "retmax": self.retmax},
            validate=self._check_search,
        )
        return [str(uid) for uid in body["esearchresult"].get("idlist") or []]

    def _summaries(self, uids: list[str]) -> list[dict[str, Any]]:
        if not uids:
            return []
        body = self.http.get_json(
            f"{self.base_url}/esummary.fcgi",
            {**self._common, "id": ",".join(uids)},
            validate=self._check_summary,
        )
        result = body["result"]
        order = [str(uid) for uid in result.get("uids") or uids]
        records = [result.get(uid) for uid in order]
        # a per-UID failure is a record holding only {"uid", "error"}: skip it
        return [r for r in records if isinstance(r, dict) and "error" not in r]

    def _check_search(self, body: Any) -> None:
        result = body.get("esearchresult") if isinstance(body, dict) else None
        if not isinstance(result, dict):
            raise SourceError(f"{self.host}: esearch answer without esearchresult")
        if result.get("ERROR"):
            raise SourceError(f"{self.host}: esearch error")

    def _check_summary(self, body: Any) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("result"), dict):
            raise SourceError(f"{self.host}: esummary error")


def _same_variant(record: dict[str, Any], gene: str, protein: str) -> bool:
    """The record is about this gene and exactly this protein change (`protein` is the
    canonical key; ClinVar's spellings, 'V600E' or '(p.Val600Glu)', are canonicalised too)."""
    symbols = {
        str(g.get("symbol", "")).upper() for g in record.get("genes") or [] if isinstance(g, dict)
    }
    if symbols and gene.upper() not in symbols:
        return False
    changes = {
        canonical_protein(c) for c in str(record.get("protein_change") or "").split(",")
    }
    if protein in changes:
        return True
    title = _TITLE_PROTEIN.search(str(record.get("title") or ""))
    return title is not None and canonical_protein(title.group(1)) == protein


def _evidence(record: dict[str, Any]) -> list[tuple[Evidence, str]]:
    """(Evidence, review status) for each classification the record carries."""
    uid = str(record.get("uid") or "")
    accession = str(record.get("accession") or uid)
    title = str(record.get("title") or accession)
    blocks = [(record.get(key), kind, origin) for key, kind, origin in _BLOCKS]
    if not any(isinstance(block, dict) for block, _, _ in blocks):
        blocks = [(record.get(_LEGACY_BLOCK), "Germline classification", "Germline")]
    out = []
    for block, kind, origin in blocks:
        if not isinstance(block, dict):
            continue
        description = str(block.get("description") or "").strip()
        if not description:
            continue
        review_status = str(block.get("review_status") or "").strip()
        traits = block.get("trait_set") or record.get("trait_set") or []
        names = [
            str(t["trait_name"]) for t in traits if isinstance(t, dict) and t.get("trait_name")
        ]
        evidence = Evidence(
            source="ClinVar",
            id=accession,
            kind="evidence",
            evidence_type=kind,
            direction="Supports",
            significance=description,
            level="",
            disease="; ".join(dict.fromkeys(names)),
            doid="",
            profile=title,
            variant_origin=origin,
            rating=stars(review_status),
            url=f"https://www.ncbi.nlm.nih.gov/clinvar/variation/{uid}/" if uid else "",
            version="live",
        )
        out.append((evidence, review_status))
    return out
