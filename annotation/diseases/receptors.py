"""Receptor status read from a diagnosis: the populations that evidence is filed under.

A trial in HR+/HER2- breast cancer says nothing about triple-negative breast cancer (alpelisib
is approved for HR+/HER2- only), and the Disease Ontology has no term for every combination.
So the diagnosis keeps what it read as a controlled vocabulary, and tiering checks evidence
populations against it. The vocabulary and what each value implies (by definition):

    ER+, PR+  -> HR+        (hormone receptor-positive: ER and/or PR positive)
    HR-       -> ER-, PR-
    ER- & PR- -> HR-
    HR- & HER2- -> TNBC     (triple-negative: ER-, PR- and HER2-)
    TNBC      -> HR-, ER-, PR-, HER2-
    HER2-low  -> HER2-      (IHC 1+ or 2+ without amplification: HER2-negative by ASCO/CAP)

Read from the folded text (annotation.diseases.text.fold): "HR+/HER2-", "ER/PR-positive",
"HER2 3+", "HER2-low", "triple-negative", "TNBC", "Hormonrezeptor-positiv", "luminal A".
"""

from __future__ import annotations

import re

VOCABULARY = frozenset(
    {"HR+", "HR-", "HER2+", "HER2-", "HER2-low", "TNBC", "ER+", "ER-", "PR+", "PR-"}
)
HORMONE_STATUS = frozenset({"HR+", "HR-", "TNBC", "ER+", "ER-", "PR+", "PR-"})

_MARKERS = {
    "er": "ER", "estrogen receptor": "ER", "estrogenrezeptor": "ER", "oestrogenrezeptor": "ER",
    "pr": "PR", "pgr": "PR", "progesterone receptor": "PR", "progesteronrezeptor": "PR",
    "hr": "HR", "hormone receptor": "HR", "hormonrezeptor": "HR", "hormonrezeptoren": "HR",
    "hormone receptors": "HR",
    "her2": "HER2", "her 2": "HER2", "her2 neu": "HER2", "her2neu": "HER2", "erbb2": "HER2",
}
_MARKER = "|".join(sorted((re.escape(m) for m in _MARKERS), key=len, reverse=True))
_STATUS = r"positive|negative|low|ultralow|0|1 positive|2 positive|3 positive"
_GLUE = r"(?:\s*(?:/|,|\band\b|\bund\b|\bor\b)\s*|\s+|-)"
# one or more markers followed by a status: "er pr negative", "er/pr positive", "her2 3 positive"
_PHRASE = re.compile(
    rf"\b((?:(?:{_MARKER}){_GLUE}?)+?)(?:-|\s)*(?:status\s+)?({_STATUS})\b"
    r"(?:\s*\((?:ihc|fish|ish)[^)]*\))?"
)
_TRIPLE = re.compile(r"\b(?:triple|tripel|dreifach)[\s-]*(?:receptor[\s-]*)?negative\b|\btnbc\b")
_LUMINAL = re.compile(r"\bluminal[\s-]*(a|b)(?:[\s-]*like)?\b")
_TRIPLE_POSITIVE = re.compile(r"\btriple[\s-]*positive\b")


def read(folded: str) -> tuple[frozenset[str], str]:
    """(qualifiers, the text without the receptor phrases). Contradictions are kept, both
    values, so that the caller can warn."""
    found: set[str] = set()

    def status(match: re.Match[str]) -> str:
        markers = {_MARKERS[m] for m in _split_markers(match.group(1))}
        value = match.group(2)
        for marker in markers:
            if value in ("positive", "3 positive"):
                found.add(f"{marker}+")
            elif value in ("negative", "0", "ultralow"):
                found.add(f"{marker}-")
            elif value in ("low", "1 positive") and marker == "HER2":
                found.add("HER2-low")
            # 'HER2 2+' is equivocal until ISH: no status
        return " "

    def triple_positive(match: re.Match[str]) -> str:
        found.update({"HR+", "HER2+"})
        return " "

    def triple_negative(match: re.Match[str]) -> str:
        found.add("TNBC")
        return " "

    def luminal(match: re.Match[str]) -> str:
        found.update({"ER+", "HER2-"} if match.group(1) == "a" else {"ER+"})
        return " "

    text = _TRIPLE_POSITIVE.sub(triple_positive, folded)
    text = _TRIPLE.sub(triple_negative, text)
    text = _LUMINAL.sub(luminal, text)
    text = _PHRASE.sub(status, text)
    return close(found), text


def _split_markers(group: str) -> list[str]:
    """'er/pr ' -> ['er', 'pr']; 'hormone receptor' stays one marker."""
    out = []
    rest = group.strip()
    while rest:
        match = re.match(rf"({_MARKER})", rest)
        if match is None:
            rest = rest[1:].lstrip(" /,-")
            continue
        out.append(match.group(1))
        rest = rest[match.end():].lstrip(" /,-")
        rest = re.sub(r"^(?:and|und|or)\s+", "", rest)
    return out


def close(found: set[str] | frozenset[str]) -> frozenset[str]:
    """Add what the values imply by definition (see the module docstring)."""
    values = set(found)
    for _ in range(3):  # the rules chain at most twice
        if "ER+" in values or "PR+" in values:
            values.add("HR+")
        if "HR-" in values:
            values |= {"ER-", "PR-"}
        if {"ER-", "PR-"} <= values:
            values.add("HR-")
        if {"HR-", "HER2-"} <= values:
            values.add("TNBC")
        if "TNBC" in values:
            values |= {"HR-", "ER-", "PR-", "HER2-"}
        if "HER2-low" in values:
            values.add("HER2-")
    return frozenset(values)


def contradictions(values: frozenset[str]) -> list[str]:
    """Pairs read as both positive and negative ('HER2+' and 'HER2-')."""
    return [m for m in ("HR", "ER", "PR", "HER2") if {f"{m}+", f"{m}-"} <= values]


# DO slim terms for breast cancer by receptor status (DO_cancer_slim.obo, release 2026-07-31)
BREAST_CANCER = "DOID:1612"
_BREAST_TERMS = (
    ("TNBC", "DOID:0060081"),  # triple-negative breast cancer
    ("HER2+", "DOID:0060079"),  # HER2 positive breast cancer
    ("ER+", "DOID:0060075"),  # estrogen receptor-positive breast cancer
    ("ER-", "DOID:0060076"),  # estrogen receptor-negative breast cancer
    ("HR+", "DOID:0060075"),  # HR+ is ER+ in practice (ER-/PR+ is rare); the slim has no HR+
    ("HER2-", "DOID:0060080"),  # HER2 negative breast cancer
)
BREAST_RECEPTOR_TERMS = frozenset(doid for _, doid in _BREAST_TERMS)


def breast_term(values: frozenset[str]) -> str | None:
    """The slim's breast cancer term for these receptor values, most decisive first (triple
    negativity, then HER2 amplification, then the hormone receptors, then HER2 negativity)."""
    for value, doid in _BREAST_TERMS:
        if value in values:
            return doid
    return None
