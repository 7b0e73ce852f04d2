"""Who a piece of evidence is about, beyond its disease: receptor status and biomarker-defined
subtypes.

Two errors a pathologist would not sign come from ignoring this. Evidence filed under a parent
disease can exclude the patient: alpelisib + fulvestrant was approved for HR+/HER2- breast
cancer, so it says nothing about a triple-negative one. And evidence filed under a subtype can
apply to a patient whose diagnosis names only the parent: trastuzumab evidence on "HER2-positive
breast cancer" applies to a "breast cancer" whose own ERBB2 amplification makes it HER2-positive.

Populations are written as tokens of one small vocabulary (`TOKENS`). Labels and approvals give
them explicitly; CIViC's evidence gives them in its statement text, which `tokens_in` reads.
A population excludes a patient only when the patient's status is *known* to differ on an axis
(hormone receptor, HER2); an unknown status is a caveat the reasons state, not an exclusion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from annotation.model import Alteration

TOKENS = ("HR+", "HR-", "HER2+", "HER2-", "HER2-low", "TNBC", "ER+", "ER-", "PR+", "PR-",
          "low-grade", "high-grade")

_PATTERNS = (  # (regex on lower-case text, token); the first tokens are the strongest
    (re.compile(r"triple[- ]negative|\btnbc\b|triple[- ]receptor[- ]negative"), "TNBC"),
    (re.compile(r"her2[- ]low\b"), "HER2-low"),
    (re.compile(r"\b(?:her2|erbb2)(?:/neu)?(?:[- ]receptor)?[- ]?(?:positive|\+|amplified|"
                r"overexpressing)"), "HER2+"),
    (re.compile(r"\b(?:her2|erbb2)(?:/neu)?(?:[- ]receptor)?[- ]?(?:negative|-(?=[\s/,;)]|$)|"
                r"non[- ]amplified)"), "HER2-"),
    (re.compile(r"\b(?:hormone[- ]receptor|hr)[- ]?(?:positive|\+)"), "HR+"),
    (re.compile(r"\b(?:hormone[- ]receptor|hr)[- ]?(?:negative|-(?=[\s/,;)]|$))"), "HR-"),
    (re.compile(r"\b(?:o?estrogen[- ]receptor|er)[- ]?(?:positive|\+)"), "ER+"),
    (re.compile(r"\b(?:o?estrogen[- ]receptor|er)[- ]?(?:negative|-(?=[\s/,;)]|$))"), "ER-"),
    (re.compile(r"\b(?:progesterone[- ]receptor|pr)[- ]?(?:positive|\+)"), "PR+"),
    (re.compile(r"\b(?:progesterone[- ]receptor|pr)[- ]?(?:negative|-(?=[\s/,;)]|$))"), "PR-"),
    (re.compile(r"\blow[- ]grade\b|\blgsoc\b|\bniedriggradig"), "low-grade"),
    (re.compile(r"\bhigh[- ]grade\b|\bhgsoc\b|\bhochgradig"), "high-grade"),
)

# token -> (axis, sign): what each token says about the two axes that decide breast therapy
_AXES = {
    "HR+": {("HR", "+")}, "ER+": {("HR", "+"), ("ER", "+")}, "PR+": {("HR", "+")},
    "HR-": {("HR", "-"), ("ER", "-")}, "ER-": {("ER", "-")},
    "HER2+": {("HER2", "+")}, "HER2-": {("HER2", "-")}, "HER2-low": {("HER2", "-")},
    "TNBC": {("HR", "-"), ("ER", "-"), ("HER2", "-")},
    "low-grade": {("grade", "low")}, "high-grade": {("grade", "high")},
}

# Disease Ontology subtypes defined by a biomarker the patient's own findings can show, with the
# token that defines them (DO cancer slim ids).
SUBTYPE_MARKERS = {
    "DOID:0060079": "HER2+",  # HER2 positive breast cancer
    "DOID:0060080": "HER2-",  # HER2 negative breast cancer
    "DOID:0060075": "HR+",  # estrogen receptor-positive breast cancer
    "DOID:0060076": "HR-",  # estrogen receptor-negative breast cancer
    "DOID:0060081": "TNBC",  # triple-negative breast cancer
    "DOID:0081088": "BCR::ABL1",  # chronic myelogenous leukemia, BCR-ABL1 positive
    "DOID:0081089": "NPM1-mutant",  # acute myeloid leukemia with mutated NPM1
    "DOID:0080875": "IDH-mutant",  # IDH-mutant anaplastic astrocytoma
    "DOID:0080877": "IDH-mutant",  # astrocytoma, IDH-mutant, grade 4
}


def tokens_in(text: str) -> tuple[str, ...]:
    """The population tokens a text states ('HR+/HER2- advanced breast cancer' -> HR+, HER2-)."""
    lower = text.lower()
    found = [token for pattern, token in _PATTERNS if pattern.search(lower)]
    if "TNBC" in found:  # "triple-negative (HER2-negative ...)" says no more than TNBC
        found = [t for t in found if t not in ("HR-", "HER2-", "ER-", "PR-")]
    return tuple(dict.fromkeys(found))


def _axes(tokens: Iterable[str]) -> dict[str, set[str]]:
    axes: dict[str, set[str]] = {}
    for token in tokens:
        for axis, sign in _AXES.get(token, ()):
            axes.setdefault(axis, set()).add(sign)
    return axes


def excluded_types(population: Iterable[str]) -> set[str]:
    """DOIDs a label leaves out ('not:DOID:9256': dabrafenib + trametinib's tumor-agnostic
    label is not for colorectal cancer)."""
    return {token[4:] for token in population if token.startswith("not:")}


def conflict(population: Iterable[str], patient: Iterable[str]) -> str:
    """'' when the patient may belong to the population; else what excludes them
    ('HR+ required, the tumor is HR-')."""
    wanted, known = _axes(population), _axes(patient)
    for axis, signs in sorted(wanted.items()):
        have = known.get(axis)
        if have and len(signs) == 1 and not have & signs:
            return f"{_say(axis, signs)} required, the tumor is {_say(axis, have)}"
    return ""


def _say(axis: str, signs: set[str]) -> str:
    sign = next(iter(signs))
    return f"{sign}-grade" if axis == "grade" else f"{axis}{sign}"


def unknown_axes(population: Iterable[str], patient: Iterable[str]) -> list[str]:
    """Population axes the patient's status does not tell ('HR+' when nothing is known)."""
    wanted, known = _axes(population), _axes(patient)
    return [f"{axis}{''.join(sorted(signs))}" for axis, signs in sorted(wanted.items())
            if axis not in known]


# Findings that define a population token (the case's own evidence of a subtype).
_AMPLIFIED_MARKERS = {"ERBB2": "HER2+"}
_CODON_MARKERS = {("IDH1", 132): "IDH-mutant", ("IDH2", 172): "IDH-mutant",
                  ("IDH2", 140): "IDH-mutant"}
_FUSION_MARKERS = {frozenset({"BCR", "ABL1"}): "BCR::ABL1"}


def case_markers(alterations: Iterable[Alteration]) -> dict[str, str]:
    """Population tokens the case's findings establish, with the finding that shows each:
    {'HER2+': 'ERBB2 amplification (CN 12)'}."""
    found: dict[str, str] = {}
    for alteration in alterations:
        gene, token = alteration.gene, None
        if alteration.kind == "cnv" and alteration.cnv_call == "amplification":
            token = _AMPLIFIED_MARKERS.get(gene)
        elif alteration.kind == "small" and "missense_variant" in alteration.consequences:
            token = _CODON_MARKERS.get((gene, alteration.position or 0))
        elif (alteration.kind == "small" and gene == "NPM1"
              and "frameshift_variant" in alteration.consequences):
            token = "NPM1-mutant"
        elif alteration.kind == "fusion":
            token = _FUSION_MARKERS.get(frozenset({alteration.partner5, alteration.partner3}))
        if token:
            found.setdefault(token, alteration.label)
    return found
