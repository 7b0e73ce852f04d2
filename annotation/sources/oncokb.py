"""OncoKB (www.oncokb.org API v1), live and only with the user's own token.

Licence, and why this module is careful: OncoKB's terms of use forbid redistributing its
content. mtb therefore never bundles OncoKB data, never writes it to reports or exports, and
keeps it only in the HTTP cache under the user's data dir (`HttpClient.in_data_dir`, private
0700/0600 files), which is where the site's token was used to fetch it. Without a token no
request is made at all: every answer is empty with the note "OncoKB: no token configured".

The token travels only in the Authorization header of requests to `base_url`; it is never part
of a message, a cache key or a cache entry. 401/403 become SourceError("OncoKB rejected the
token").

Treatments become Evidence in CIViC's vocabulary so one set of tiering rules serves both:
evidence_type "Predictive", significance "Sensitivity/Response" (or "Resistance" for R levels),
level LEVEL_1/LEVEL_2/LEVEL_R1 -> A, LEVEL_3A -> B, LEVEL_3B -> C, LEVEL_4/LEVEL_R2 -> D, the
disease named by `levelAssociatedCancerType` (no DOID: OncoKB uses OncoTree). The drugs of one
treatment are a combination; alternatives are separate treatments.

tumorType is sent only when the diagnosis was given as an OncoTree code: without it OncoKB lists
the treatments of every tumor type, each with its cancer type, which is what AMP/ASCO/CAP needs
to tell same-tumor (Tier I) from other-tumor (Tier IIC) evidence; a free-text name OncoKB does
not recognise could silently empty the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from annotation.model import Alteration, Diagnosis, Evidence, Granularity, Match
from annotation.sources.base import FetchMode, KnowledgeSource, SourceAnswer, SourceStatus
from mtb.errors import HttpStatusError, SourceError
from mtb.http import HttpClient

ONCOKB_API = "https://www.oncokb.org/api/v1"
ONCOKB_SITE = "https://www.oncokb.org"
LICENCE = "terms of use forbid redistribution; queried live with the site's token"

LEVELS = {
    "LEVEL_1": "A",
    "LEVEL_2": "A",
    "LEVEL_R1": "A",
    "LEVEL_3A": "B",
    "LEVEL_3B": "C",
    "LEVEL_4": "D",
    "LEVEL_R2": "D",
}
_CNV_TYPES = {
    "amplification": "AMPLIFICATION",
    "gain": "GAIN",
    "loss": "LOSS",
    "deep_deletion": "DELETION",
}
_ONCOTREE = re.compile(r"OncoTree\s+([A-Za-z0-9_]+)")


class OncoKbSource(KnowledgeSource):
    """OncoKB therapeutic levels for mutations, copy-number changes and fusions."""

    name = "OncoKB"

    def __init__(
        self,
        http: HttpClient,
        token: str | None = None,
        *,
        base_url: str = ONCOKB_API,
        mode: FetchMode | None = None,
    ) -> None:
        self.http = http
        self._token = (token or "").strip()
        self.base_url = base_url.rstrip("/")
        if mode is None:
            mode = FetchMode.LIVE if self._token and not http.offline else FetchMode.OFFLINE
        self.mode = mode

    def __repr__(self) -> str:  # never show the token
        return (f"OncoKbSource(base_url={self.base_url!r}, token={'set' if self._token else 'none'}"
                f", mode={self.mode.value!r})")

    def status(self) -> SourceStatus:
        live = self.mode is FetchMode.LIVE and bool(self._token)
        return SourceStatus(
            name=self.name,
            version="live" if live else "not bundled",
            date="",
            counts={},
            licence=LICENCE,
            mode=FetchMode.LIVE if live else FetchMode.OFFLINE,
        )

    def annotate(
        self, alterations: Sequence[Alteration], diagnosis: Diagnosis | None
    ) -> list[SourceAnswer]:
        """One answer per alteration. No token, or offline: empty answers and no request."""
        if not self._token:
            return self._empty(alterations, "OncoKB: no token configured")
        if self.mode is FetchMode.OFFLINE:
            return self._empty(alterations, "OncoKB: offline")
        tumor_type = _tumor_type(diagnosis)
        return [self._answer(alteration, tumor_type) for alteration in alterations]

    def _empty(self, alterations: Sequence[Alteration], note: str) -> list[SourceAnswer]:
        return [
            SourceAnswer(notes=(note,), source=self.name, version="not bundled")
            for _ in alterations
        ]

    def _answer(self, alteration: Alteration, tumor_type: str) -> SourceAnswer:
        query = _query(alteration)
        if query is None:
            return SourceAnswer(source=self.name, version="live")
        path, params, granularity, profile = query
        if tumor_type:
            params["tumorType"] = tumor_type
        body = self._get(path, params)
        data_version = str(body.get("dataVersion") or "")
        matches = [
            Match(evidence, granularity, profile)
            for evidence in _treatments(body, profile, alteration.gene)
        ]
        notes = []
        oncogenic = str(body.get("oncogenic") or "")
        if oncogenic and oncogenic != "Unknown":
            effect = str((body.get("mutationEffect") or {}).get("knownEffect") or "")
            known = f" ({effect})" if effect and effect != "Unknown" else ""
            notes.append(f"OncoKB: {oncogenic}{known}")
        return SourceAnswer(
            matches=tuple(matches),
            notes=tuple(notes),
            source=self.name,
            version=f"live {data_version}".strip(),
        )

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            body = self.http.get_json(
                f"{self.base_url}{path}",
                params,
                headers={"Authorization": f"Bearer {self._token}"},
                validate=_check,
            )
        except HttpStatusError as exc:
            if exc.status in (401, 403):
                raise SourceError("OncoKB rejected the token") from None
            raise
        return body


def _check(body: Any) -> None:
    if not isinstance(body, dict):
        raise SourceError("OncoKB: unexpected answer (not an annotation object)")


def _tumor_type(diagnosis: Diagnosis | None) -> str:
    """The OncoTree code the diagnosis was given as ("OncoTree LUAD" -> "LUAD"), else ''."""
    if diagnosis is None:
        return ""
    match = _ONCOTREE.match(diagnosis.matched_by or "")
    return match.group(1) if match else ""


def _query(alteration: Alteration) -> tuple[str, dict[str, str], Granularity, str] | None:
    """(endpoint path, parameters, granularity, profile label), or None when OncoKB has no
    endpoint for this kind of alteration."""
    gene = alteration.gene
    if alteration.kind == "small" and gene and alteration.protein:
        # the change as reported (p.E746_A750del) reads better than the upper-case match key
        change = alteration.hgvsp.removeprefix("p.") or alteration.protein
        params = {"hugoSymbol": gene, "alteration": change}
        return ("/annotate/mutations/byProteinChange", params, Granularity.EXACT_PROTEIN,
                f"{gene} {change}")
    if alteration.kind == "cnv" and gene and alteration.cnv_call in _CNV_TYPES:
        cna = _CNV_TYPES[alteration.cnv_call]
        return ("/annotate/copyNumberAlterations",
                {"hugoSymbol": gene, "copyNameAlterationType": cna},  # sic: "Name"
                Granularity.CNV_GENE, f"{gene} {cna.capitalize()}")
    if alteration.kind == "fusion":
        a, b = alteration.partner5 or gene, alteration.partner3
        if not a:
            return None
        params = {"hugoSymbolA": a, "structuralVariantType": "FUSION",
                  "isFunctionalFusion": "true"}
        if b and b != a:
            params["hugoSymbolB"] = b
            return ("/annotate/structuralVariants", params, Granularity.FUSION_PAIR,
                    f"{a}::{b}")
        return ("/annotate/structuralVariants", params, Granularity.FUSION_GENE, f"{a} Fusion")
    return None


def _treatments(body: dict[str, Any], profile: str, gene: str) -> list[Evidence]:
    out: list[Evidence] = []
    seen: set[str] = set()
    for treatment in body.get("treatments") or []:
        if not isinstance(treatment, dict):
            continue
        level = str(treatment.get("level") or "")
        drugs = tuple(
            str(d["drugName"])
            for d in treatment.get("drugs") or []
            if isinstance(d, dict) and d.get("drugName")
        )
        disease = _cancer_type_name(treatment.get("levelAssociatedCancerType"))
        ident = f"OncoKB:{profile}:{level}:{'+'.join(drugs)}"
        if ident in seen:  # same drugs and level for another cancer type
            ident = f"{ident}:{disease}"
        seen.add(ident)
        pmids = [str(p) for p in treatment.get("pmids") or []]
        out.append(
            Evidence(
                source="OncoKB",
                id=ident,
                kind="evidence",
                evidence_type="Predictive",
                direction="Supports",
                significance="Resistance" if level.startswith("LEVEL_R") else
                "Sensitivity/Response",
                level=LEVELS.get(level, ""),
                disease=disease,
                doid="",
                profile=profile,
                therapies=drugs,
                therapy_interaction="Combination" if len(drugs) > 1 else "",
                citation=", ".join(f"PMID:{p}" for p in pmids),
                url=f"{ONCOKB_SITE}/gene/{gene}" if gene else ONCOKB_SITE,
                version="live",
            )
        )
    return out


def _cancer_type_name(value: Any) -> str:
    """OncoKB TumorType object -> name, else its main type's name, else its code."""
    if not isinstance(value, dict):
        return ""
    main = value.get("mainType") or {}
    return str(
        value.get("name") or (main.get("name") if isinstance(main, dict) else "")
        or value.get("code") or ""
    )
