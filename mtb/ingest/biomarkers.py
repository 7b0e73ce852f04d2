"""Biomarkers a laboratory measured, given rather than computed: TMB, MSI and HRD from case.toml
(`tmb = 12.5`, `msi = "high"`, `hrd = 48`), the command line (`--tmb 12.5 --msi high`) or a FHIR
Observation (LOINC 94076-7 tumor mutational burden, 81695-9 microsatellite instability, as the
MII molecular-genetics module and the Genomics Reporting IG code them).

A measured value is what the labels ask for (the assay's TMB, MSI PCR or MMR immunohistochemistry,
an HRD score), so it wins over mtb's count from the calls (annotation.signatures). Which source
wins, in this order: case.toml or the command line, a FHIR Observation, an MSIsensor report;
`choose` keeps one per biomarker and says when the sources disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from mtb.timeline import TimelineEvent
from mtb.variant import HRD_SCORE_POSITIVE, TMB_HIGH, Biomarker

__all__ = ["BIOMARKER_LOINC", "NAMES", "choose", "from_events", "parse_given"]

NAMES = ("TMB", "MSI", "HRD")
BIOMARKER_LOINC = {"94076-7": "TMB", "81695-9": "MSI"}

_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:mut(?:ations)?\s*/\s*mb|muts?/mb)?\s*$", re.I)
_MSI_WORDS = {
    "high": "high", "msi-h": "high", "msi-high": "high", "msih": "high", "dmmr": "high",
    "mmr-deficient": "high", "instable": "high", "unstable": "high",
    "stable": "stable", "mss": "stable", "msi-l": "stable", "msi-low": "stable", "low": "stable",
    "pmmr": "stable", "mmr-proficient": "stable",
    "indeterminate": "indeterminate", "equivocal": "indeterminate",
}
_HRD_WORDS = {"positive": "positive", "hrd+": "positive", "hrd-positive": "positive",
              "negative": "negative", "hrd-": "negative", "hrd-negative": "negative"}


def parse_given(name: str, value: object, source: str) -> Biomarker:
    """A measured biomarker from what a user wrote; ValueError saying what is accepted.

    TMB: mutations per megabase (12.5, "12.5 mut/Mb"), high from 10, or "high"/"low".
    MSI: high (MSI-H, dMMR), stable (MSS, MSI-L, pMMR) or indeterminate.
    HRD: positive/negative, or a genomic instability score (positive from 42)."""
    key = name.strip().upper()
    text = str(value).strip().lower().replace("_", "-").replace(" ", "-")
    number = _number(value)
    if key == "TMB":
        if number is not None:
            call = "high" if number >= TMB_HIGH else "low"
            return Biomarker("TMB", call, number, "mut/Mb", source=source)
        if text in ("high", "low"):
            return Biomarker("TMB", text, source=source)
        raise ValueError(f"TMB {value!r} is neither mutations per megabase (12.5) nor high/low")
    if key == "MSI":
        if text in _MSI_WORDS:
            return Biomarker("MSI", _MSI_WORDS[text], source=source)
        raise ValueError(f"MSI {value!r} is not high (MSI-H, dMMR), stable (MSS, MSI-L, pMMR) "
                         "or indeterminate")
    if key == "HRD":
        if number is not None:
            call = "positive" if number >= HRD_SCORE_POSITIVE else "negative"
            return Biomarker("HRD", call, number, "GIS", source=source)
        if text in _HRD_WORDS:
            return Biomarker("HRD", _HRD_WORDS[text], source=source)
        raise ValueError(f"HRD {value!r} is neither positive/negative nor a genomic instability "
                         f"score (positive from {HRD_SCORE_POSITIVE:g})")
    raise ValueError(f"{name!r} is not a biomarker mtb knows ({', '.join(NAMES)})")


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    match = _NUMBER.match(str(value))
    return float(match.group(1).replace(",", ".")) if match else None


def from_events(events: Iterable[TimelineEvent]) -> tuple[list[Biomarker], list[str]]:
    """The newest TMB and MSI Observation of the clinical record as findings, and a warning
    for each one whose value mtb cannot read (it stays on the timeline)."""
    newest: dict[str, TimelineEvent] = {}
    for event in sorted(events, key=lambda e: e.sort_key):
        name = next((BIOMARKER_LOINC[c.code] for c in event.codes if c.code in BIOMARKER_LOINC),
                    None)
        if name is not None and event.value is not None:
            newest[name] = event  # events arrive sorted: the last is the newest
    found, warnings = [], []
    for name, event in newest.items():
        when = f" of {event.start}" if event.start is not None else ""
        try:
            found.append(parse_given(name, event.value, f"measured: {event.source}{when}"))
        except ValueError as error:
            warnings.append(f"{event.source}: {error}; not used as a finding")
    return found, warnings


def choose(*sources: Sequence[Biomarker]) -> tuple[list[Biomarker], list[str]]:
    """One finding per biomarker, from the first source that has it (sources in order of
    precedence), and a warning for each later source that says otherwise."""
    chosen: dict[str, Biomarker] = {}
    warnings = []
    for source in sources:
        for marker in source:
            kept = chosen.get(marker.name)
            if kept is None:
                chosen[marker.name] = marker
            elif kept.call != marker.call:
                warnings.append(f"{marker.name}: {kept.source} says {kept.call}, "
                                f"{marker.source} says {marker.call}; the first is used")
    return list(chosen.values()), warnings
