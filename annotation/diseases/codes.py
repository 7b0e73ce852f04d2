"""Recognising a diagnosis given as a code: DOID, ICD-10-GM, ICD-O-3, OncoTree.

Only the form is checked here; what a code means is the ontology's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LOCAL_PREFIX = "MTB"  # terms mtb adds to the slim: 'MTB:0000001' (see mtb_supplement.tsv)

_ID = re.compile(r"^(doid|mtb)\s*[:_ ]?\s*(\d+)$", re.IGNORECASE)
_ICD_PREFIX = re.compile(r"^icd[-\s]*(?:10)?[-\s]*(?:gm|cm|who)?[-\s]*(?:\d{4})?\s*:?\s*", re.I)
_ICD_CODE = re.compile(
    r"^([A-Z])\s?(\d{2})(?:\.(\d{1,2}|[A-Z]|-)?|(\d{1,2}))?([A-Z])?\s*[+*!\u2020]?\s*"
    r"(?:[GVZALRB])?$"
)
_ICDO_PREFIX = re.compile(r"^icd[-\s]*o(?:[-\s]*3(?:\.\d)?)?\s*:?\s*", re.IGNORECASE)
_MORPHOLOGY = r"M?-?\s*(\d{4})\s*/\s*(\d)\d?"  # 8140/3, M8140/3, M-8140/3, 8140/33 (grade)
_TOPOGRAPHY = r"C\s?(\d{2})(?:\.?(\d))?"  # ICD-O-3 topography: C34.1, C341, C34
_ICDO = re.compile(
    rf"^(?:{_MORPHOLOGY}(?:\s*[,;/]?\s*{_TOPOGRAPHY})?|{_TOPOGRAPHY}\s*[,;/]?\s*{_MORPHOLOGY})$",
    re.IGNORECASE,
)
_ONCOTREE_PREFIX = re.compile(r"^oncotree\s*[:\s]\s*(\S+)$", re.IGNORECASE)
_ONCOTREE_CODE = re.compile(r"^[A-Z][A-Z0-9/_-]{1,15}$")


def ontology_id(text: str) -> str | None:
    """'DOID:3910', 'doid_3910', 'DOID 3910', 'MTB:0000001' -> the id as written canonically."""
    match = _ID.match(text.strip())
    if match is None:
        return None
    prefix = "DOID" if match.group(1).lower() == "doid" else LOCAL_PREFIX
    return f"{prefix}:{match.group(2)}"


def icd10(text: str) -> str | None:
    """'C34.1', 'C341', 'ICD-10-GM:C92.00', 'icd10 c50.9 L', 'C50.9 R', 'C50.-' -> 'C34.1',
    'C34.1', 'C92.00', 'C50.9', 'C50.9', 'C50'; None when the text is not an ICD-10 code. A
    letter after the code is a German certainty or side marker (G, V, Z, A, L, R, B) and is
    dropped; C49.A-style letters stay."""
    match = _ICD_CODE.match(_ICD_PREFIX.sub("", text.strip()).upper())
    if match is None:
        return None
    letter, digits, sub, undotted, _marker = match.groups()
    sub = sub or undotted
    category = letter + digits
    return category if not sub or sub == "-" else f"{category}.{sub}"


@dataclass(frozen=True)
class IcdO:
    morphology: str  # '8140/3'
    behaviour: str  # '3' malignant, '2' in situ, '0' benign, '1' uncertain, '6' metastatic
    topography: str | None  # 'C34.1', 'C34' or None


def icdo(text: str) -> IcdO | None:
    """'8140/3', 'M8140/3', 'ICD-O-3: 8140/3', '8140/3 C34.1', 'C34.1 8140/3' -> IcdO."""
    match = _ICDO.match(_ICDO_PREFIX.sub("", text.strip()))
    if match is None:
        return None
    m1, b1, t1, s1, t2, s2, m2, b2 = match.groups()
    morph, behaviour = (m1, b1) if m1 else (m2, b2)
    site, sub = (t1, s1) if t1 else (t2, s2)
    topography = None if site is None else f"C{site}" + (f".{sub}" if sub else "")
    return IcdO(f"{morph}/{behaviour}", behaviour, topography)


def oncotree(text: str) -> tuple[str, bool] | None:
    """('LUAD', prefixed) for 'OncoTree:LUAD', 'oncotree:luad' or a bare upper-case 'LUAD';
    None when the text cannot be a code."""
    prefixed = _ONCOTREE_PREFIX.match(text)
    if prefixed:
        return prefixed.group(1).upper(), True
    if _ONCOTREE_CODE.match(text):
        return text, False
    return None
