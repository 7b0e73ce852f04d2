"""The case's diagnosis as a Disease Ontology term, with every ancestor of that term.

Knowledge bases file evidence under the disease a study enrolled ("lung non-small cell carcinoma").
A tumor board writes the patient's diagnosis however it likes: "Adenokarzinom der Lunge,
metastasiert", "ICD-10-GM C34.1", "OncoTree:LUAD" or "DOID:3910". This module maps each of these
to one term of the Disease Ontology cancer slim and lists the term's ancestors, so that evidence
filed under a broader disease applies to the case (lung adenocarcinoma -> lung non-small cell
carcinoma -> lung carcinoma -> lung cancer -> cancer).

It reads two files: the slim (OBO, CC0) and mtb's curated supplement (TSV, CC0). The supplement
adds is_a links the slim lost, German names and abbreviations, OncoTree codes and ICD-10
categories; its header explains each kind of row. Nothing is read at import.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from annotation.model import Diagnosis
from mtb.errors import KnowledgeBaseError

CANCER = "DOID:162"
HEMATOLOGIC_CANCER = "DOID:2531"
SLIM_FILE = "DO_cancer_slim.obo"
SUPPLEMENT_FILE = "mtb_supplement.tsv"

_UNKNOWN = "diagnosis '{text}'{detail} not found in the Disease Ontology cancer slim; tiers are given without tumor-type context"  # noqa: E501

# Priorities of the names a term is known by; a lower number wins when two terms share a text.
_CURATED, _NAME, _EXACT, _NARROW, _RELATED = range(5)
_SCOPES = {"EXACT": _EXACT, "NARROW": _NARROW, "RELATED": _RELATED}  # BROAD names a wider disease
_HOW = {
    _CURATED: "synonym (mtb supplement)",
    _NAME: "name",
    _EXACT: "synonym (EXACT)",
    _NARROW: "synonym (NARROW)",
    _RELATED: "synonym (RELATED)",
}

# --- text normalisation: applied to ontology names and to input alike ----------------------------

_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-")
)
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4]")
_SPELLING = (  # British and German-influenced spellings -> the American spelling DO mostly uses
    (re.compile(r"(?<=[a-z])aemi"), "emi"),  # leukaemia, anaemia
    (re.compile(r"tumour"), "tumor"),
    (re.compile(r"oesophag"), "esophag"),
    (re.compile(r"oestrogen"), "estrogen"),
    (re.compile(r"\bhaem"), "hem"),
    (re.compile(r"paediatr"), "pediatr"),
    (re.compile(r"gynaecolog"), "gynecolog"),
    (re.compile(r"\bpositiv(?:e[nrs]?)?\b"), "positive"),  # German "HER2-positives"
    (re.compile(r"\bnegativ(?:e[nrs]?)?\b"), "negative"),
)
_PLUS = re.compile(r"(?<=[a-z0-9])\+")  # "HER2+" -> "her2 positive"
_MINUS = re.compile(r"(?<=[a-z0-9])-(?=\s|/|,|;|\)|$)")  # "HER2-/HR-" -> "her2 negative ..."
_GRADE = re.compile(r"\b(?:cns\s+)?(?:who\s+)?grad(?:e)?\s*(iv|iii|ii|i|[1-4])\b")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_WORD = re.compile(r"[a-z0-9]+")
_NEGATIONS = frozenset({"non", "nicht"})  # joined to the next word: "non-small" == "nonsmall"
_STOPWORDS = frozenset(
    {"of", "the", "a", "an", "in", "and", "with", "nos", "unspecified", "der", "die", "das"}
    | {"des", "dem", "den", "im", "am", "mit", "und", "von", "vom", "bei", "nnb"}
)
_TOKEN_ALIASES = {"pos": "positive", "neg": "negative"}


def _fold(text: str) -> str:
    """One spelling for every way of writing a name: lower case, umlauts spelled out (ä -> ae, as
    Germans type without umlauts), other accents dropped, dashes and BCR::ABL1 unified, British
    spellings made American, receptor signs spelled out, WHO grades as digits."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).replace("::", "-")
    text = text.lower().translate(_GERMAN)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text)
    for pattern, replacement in _SPELLING:
        text = pattern.sub(replacement, text)
    text = _PLUS.sub(" positive ", text)
    text = _MINUS.sub(" negative ", text)
    return _GRADE.sub(lambda m: "grade " + _ROMAN.get(m.group(1), m.group(1)), text)


def _tokens(folded: str) -> tuple[str, ...]:
    """Words of a folded text, without filler words; "non"/"nicht" fused with the next word so
    that "non-small cell lung cancer" never contains the words of "small cell lung cancer"."""
    words = [_TOKEN_ALIASES.get(w, w) for w in _WORD.findall(folded)]
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i] in _NEGATIONS and i + 1 < len(words):
            out.append(words[i] + words[i + 1])
            i += 2
            continue
        if words[i] not in _STOPWORDS:
            out.append(words[i])
        i += 1
    return tuple(out)


def _capitalised_tokens(text: str) -> frozenset[str]:
    """Tokens written like acronyms ("ALL", "aCML", the "B" of "B-ALL"). An acronym label matches
    inside a longer text only when written so: the word "all" is not a leukemia, and neither is
    a German noun or a sentence start ("All"). All-caps input carries no such signal."""
    words = re.findall(r"[^\W_]+", text)
    if len(words) > 1 and not any(c.islower() for c in text):
        return frozenset()
    return frozenset(t for w in words if _acronym_like(w) for t in _tokens(_fold(w)))


def _acronym_like(word: str) -> bool:
    """'ALL', 'aCML', 'mCRC', the 'B' of 'B-ALL'; not 'All' or a capitalised German noun."""
    return any(c.isupper() for c in word[1:]) or (len(word) == 1 and word.isupper())


# --- what clinicians add to a diagnosis that is not the disease (input only) ---------------------

_SITES = (
    r"(?:liver|hepatic|lung|pulmonary|bone|osseous|brain|cerebral|cns|nodal|lymph\s+node|"
    r"peritoneal|adrenal|pleural|distant|visceral|leptomeningeal|skin|cutaneous|soft\s+tissue|"
    r"multiple|diffuse|widespread|hepatisch|ossaer|pulmonal|zerebral|lymphogen|viszeral|"
    r"multipel|diffus|ausgedehnt)\w*"
)
_SITE_GLUE = (
    r"(?:\s*(?:,|/|\band\b|\bund\b|\bor\b|\boder\b)\s*|[\s-]+)"  # bounded: no backtracking blow-up
)
_QUALIFIERS = tuple(
    re.compile(pattern)
    for pattern in (
        r"(?<![a-z0-9])\([^)]*\)|(?<![a-z0-9])\[[^\]]*\]",  # remarks; keeps t(8;21)
        rf"(?:\b(?:with|mit|and|und|plus|including)\s+)?(?:\b{_SITES}{_SITE_GLUE}){{0,4}}"
        r"\b\w*metasta(?:ses|sis|sen|se)\b",  # "with liver and lung metastases", "Lebermetastasen"
        rf"\b(?:{_SITES}\s+)?\w*metastas(?:iert|ierend)\w*",  # "hepatisch metastasiert"
        rf"\bmetastatic\b(?:\s+(?:to|in|into)\s+(?:the\s+)?{_SITES})?|\bmets\b",
        r"\b(?:progression|progressing|progressive\s+disease|progress|progredient|relapse|"
        r"relapsed|recurrence|pd|refractory|resistant|resistance|resistent|refraktaer)\s+"
        r"(?:on|under|after|to|following|unter|nach|auf|gegen)\b[^,;]*",
        r"\b(?:stage|stadium|uicc|figo|ajcc)\s+[0-4ivx]+[a-c]?[0-9]?\b",
        r"\b(?:first|second|third|fourth|fifth|later|[1-9](?:st|nd|rd|th|l)?)[\s-]*line\b"
        r"(?:\s+(?:therapy|treatment|setting))?|\b(?:erst|zweit|dritt)linie\b",
        r"\b(?:chronic|accelerated|blast|blastic|chronische|akzelerierte)\s+phase\b|"
        r"\bblast(?:ic)?\s+crisis\b|\bblastenkrise\b",
        r"\b(?:never|ex|former|current|heavy|light|non)[\s-]*smokers?\b|"
        r"\b(?:nie|ex|nicht)?[\s-]*raucher(?:in)?\b",
        r"\bv\.\s*a\.|\bverdacht\s+auf\b|\bz\.\s*n\.|\bstatus\s+post\b|\bs/p\b",  # markers only
        r"\b(?:ecog|ps|kps|karnofsky)\s*\d+%?",
        r"\b(?:y?[cpr]?t[0-4x](?:is|[a-d])?|[cp]?n[0-3x][a-c]?|[cp]?m[01x][a-c]?|g[1-4x]|r[0-2x]|"
        r"l[01]|v[0-2]|pn[01])\b",  # TNM and residual-tumour codes
        r"\b(?:metastasized|metastasised|disseminated|disseminiert\w*|advanced|locally|"
        r"unresectable|inoperable|inoperabel|irresektabel|nicht\s+resektabel|relapsed|"
        r"(?<!castration )(?<!hormone )refractory|recurrent|newly\s+diagnosed|erstdiagnose|"
        r"fortgeschritten\w*|lokal|rezidiviert\w*|rezidivierend\w*|rezidiv|refraktaer\w*)\b",
    )
)


def _strip_qualifiers(folded: str) -> str:
    """Remove what describes the course rather than the disease: stage, metastases, relapse,
    lines of therapy, smoking status, parenthetical remarks."""
    for pattern in _QUALIFIERS:
        folded = pattern.sub(" ", folded)
    return folded


# --- input that is a code ------------------------------------------------------------------------

_DOID = re.compile(r"^doid\s*[:_ ]?\s*(\d+)$", re.IGNORECASE)
_ICD_PREFIX = re.compile(r"^icd[-\s]*(?:10)?[-\s]*(?:gm|cm|who)?[-\s]*(?:\d{4})?\s*:?\s*", re.I)
_ICD_CODE = re.compile(
    r"^([A-Z])\s?(\d{2})(?:\.(\d{1,2}|[A-Z]|-)?)?([A-Z])?\s*[+*!\u2020]?\s*(?:[GVZALRB])?$"
)
_ONCOTREE_PREFIX = re.compile(r"^oncotree\s*[:\s]\s*(\S+)$", re.IGNORECASE)
_ONCOTREE_CODE = re.compile(r"^[A-Z][A-Z0-9/-]{1,15}$")


def _icd10_code(text: str) -> str | None:
    """'C34.1', 'ICD-10-GM:C92.00', 'icd10 c50.9 L', 'C50.-' -> 'C34.1', 'C92.00', 'C50.9',
    'C50'; None when the text is not an ICD-10 code. A letter after the digits is a German
    certainty or side marker (G, V, Z, A, L, R, B) and is dropped; C49.A-style letters stay."""
    match = _ICD_CODE.match(_ICD_PREFIX.sub("", text.strip()).upper())
    if match is None:
        return None
    letter, digits, sub, _marker = match.groups()
    category = letter + digits
    return category if not sub or sub == "-" else f"{category}.{sub}"


# --- the files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    doid: str
    name: str
    parents: tuple[str, ...]
    labels: tuple[tuple[str, int, bool], ...]  # (text, priority, acronym)
    icd10: tuple[str, ...]
    obsolete: bool = False
    replaced_by: str = ""


@dataclass(frozen=True)
class _Label:
    doid: str
    text: str
    priority: int
    tokens: frozenset[str]
    size: int
    acronym: bool


@dataclass(frozen=True)
class _Supplement:
    is_a: tuple[tuple[str, str], ...]
    synonyms: tuple[tuple[str, str], ...]
    oncotree: dict[str, str]
    icd10: dict[str, str]
    new_terms: dict[str, str]  # DOIDs the slim lacks -> name


_SYNONYM = re.compile(
    r'^"((?:[^"\\]|\\.)*)"\s+(EXACT|RELATED|NARROW|BROAD)(?:\s+([A-Za-z_]+:\w+))?'
)


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeBaseError(f"{path}: cannot read the {what} ({exc})") from exc


def _parse_obo(path: Path) -> tuple[dict[str, _Term], dict[str, str]]:
    """Terms and alt_id -> id of the slim; refuses files that are not (complete) OBO."""
    text = _read(path, "Disease Ontology slim")
    if not text.lstrip().startswith("format-version:"):
        raise KnowledgeBaseError(f"{path}: not an OBO file (no 'format-version:' header)")
    terms: dict[str, _Term] = {}
    alts: dict[str, str] = {}
    stanza: dict[str, list[str]] | None = None
    start = 0
    lines = text.splitlines()
    for number, line in enumerate([*lines, "[End]"], start=1):
        if line.startswith("["):
            if stanza is not None:
                _add_term(path, start, stanza, terms, alts)
            stanza, start = ({}, number) if line.strip() == "[Term]" else (None, number)
        elif stanza is not None and ": " in line:
            tag, value = line.split(": ", 1)
            stanza.setdefault(tag, []).append(value.strip())
    for needed in (CANCER, HEMATOLOGIC_CANCER):
        if needed not in terms:
            raise KnowledgeBaseError(f"{path}: {needed} is missing (truncated, or not the slim?)")
    return terms, alts


def _add_term(
    path: Path,
    line: int,
    stanza: dict[str, list[str]],
    terms: dict[str, _Term],
    alts: dict[str, str],
) -> None:
    if "id" not in stanza or "name" not in stanza:
        raise KnowledgeBaseError(f"{path}, line {line}: [Term] without id or name (truncated?)")
    doid = stanza["id"][0]
    if not doid.startswith("DOID:"):
        return
    labels = [(stanza["name"][0], _NAME, False)]
    for raw in stanza.get("synonym", []):
        match = _SYNONYM.match(raw)
        if match is None:
            raise KnowledgeBaseError(f"{path}, term {doid}: unreadable synonym {raw!r}")
        label, scope, kind = match.group(1).replace('\\"', '"'), match.group(2), match.group(3)
        if scope in _SCOPES:
            acronym = kind == "OMO:0003012" or not any(c.islower() for c in label)
            labels.append((label, _SCOPES[scope], acronym))
    icd = tuple(x.split()[0][8:] for x in stanza.get("xref", []) if x.startswith("ICD10CM:"))
    terms[doid] = _Term(
        doid=doid,
        name=stanza["name"][0],
        parents=tuple(p.split()[0] for p in stanza.get("is_a", [])),
        labels=tuple(labels),
        icd10=icd,
        obsolete=stanza.get("is_obsolete", ["false"])[0] == "true",
        replaced_by=stanza.get("replaced_by", [""])[0].split(" ")[0],
    )
    for alt in stanza.get("alt_id", []):
        alts[alt.split()[0]] = doid


_KINDS = ("is_a", "synonym", "oncotree", "icd10")


def _parse_supplement(path: Path, terms: dict[str, _Term], alts: dict[str, str]) -> _Supplement:
    """The curated rows, checked: every DOID exists (in the slim or as a term defined here), no
    key means two things, and every term the slim lacks is attached to the hierarchy."""
    rows: list[tuple[int, str, str, str]] = []
    header_seen = False
    for number, line in enumerate(_read(path, "mtb ontology supplement").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if not header_seen:
            if fields[:3] != ["kind", "key", "doid"]:
                raise KnowledgeBaseError(f"{path}, line {number}: expected header kind, key, doid")
            header_seen = True
            continue
        if len(fields) < 3 or fields[0] not in _KINDS or not re.fullmatch(r"DOID:\d+", fields[2]):
            raise KnowledgeBaseError(f"{path}, line {number}: malformed row {line!r}")
        kind, key, doid = fields[0], fields[1].strip(), alts.get(fields[2], fields[2])
        rows.append((number, kind, alts.get(key, key) if kind == "is_a" else key, doid))
    if not header_seen:
        raise KnowledgeBaseError(f"{path}: no header row (kind, key, doid, note)")

    new_terms: dict[str, str] = {}
    attached = {key for _, kind, key, _ in rows if kind == "is_a"}
    for number, kind, key, doid in rows:
        if kind == "synonym" and doid not in terms and doid not in new_terms:
            if doid not in attached:
                raise KnowledgeBaseError(
                    f"{path}, line {number}: {doid} is not in the slim, and no is_a row "
                    "attaches it as a new term (typo?)"
                )
            new_terms[doid] = key
    known = terms.keys() | new_terms.keys()
    maps: dict[str, dict[str, str]] = {"synonym": {}, "oncotree": {}, "icd10": {}}
    is_a: list[tuple[str, str]] = []
    for number, kind, key, doid in rows:
        for needed in (doid, key) if kind == "is_a" else (doid,):
            if needed not in known:
                raise KnowledgeBaseError(f"{path}, line {number}: {needed} is not in the slim")
        if kind == "is_a":
            is_a.append((key, doid))
            continue
        norm = " ".join(_ordered(key)) if kind == "synonym" else key.upper()
        if maps[kind].setdefault(norm, doid) != doid:
            raise KnowledgeBaseError(
                f"{path}, line {number}: {kind} {key!r} already maps elsewhere"
            )
    synonyms = tuple((key, doid) for number, kind, key, doid in rows if kind == "synonym")
    return _Supplement(tuple(is_a), synonyms, maps["oncotree"], maps["icd10"], new_terms)


# --- the ontology --------------------------------------------------------------------------------


class DiseaseOntology:
    """The cancer slim plus mtb's supplement, indexed for mapping diagnoses. Immutable once
    loaded, so one instance can serve every case (see bundled())."""

    def __init__(self, terms: dict[str, _Term], alts: dict[str, str], sup: _Supplement) -> None:
        self._alts = alts
        self._names = {d: t.name for d, t in terms.items()} | sup.new_terms
        self._obsolete = {d: t.replaced_by for d, t in terms.items() if t.obsolete}
        parents: dict[str, list[str]] = {d: list(t.parents) for d, t in terms.items()}
        parents.update({d: [] for d in sup.new_terms})
        for child, parent in sup.is_a:
            if parent not in parents[child]:
                parents[child].append(parent)
        self._lineages = _lineages(parents)
        self._below: dict[str, set[str]] = {}
        for doid, lineage in self._lineages.items():
            for ancestor in lineage[1:]:
                self._below.setdefault(ancestor, set()).add(doid)
        self._labels = self._index_labels(terms, sup)
        self._exact: dict[str, _Label] = {}
        for label in sorted(self._labels, key=lambda lab: (lab.priority, self._depth(lab.doid))):
            self._exact.setdefault(" ".join(_ordered(label.text)), label)
        self._icd_slim: dict[str, list[str]] = {}
        for term in terms.values():
            for code in term.icd10 if not term.obsolete else ():
                self._icd_slim.setdefault(code, []).append(term.doid)
        self._icd_curated = sup.icd10
        self._oncotree = sup.oncotree

    @classmethod
    def load(cls, obo: Path, supplement: Path) -> DiseaseOntology:
        """Read the slim and the supplement. Raises KnowledgeBaseError naming the file when either
        is missing, unreadable or inconsistent, because a silently partial ontology would tier
        cases without their tumor type."""
        terms, alts = _parse_obo(Path(obo))
        return cls(terms, alts, _parse_supplement(Path(supplement), terms, alts))

    @classmethod
    def bundled(cls) -> DiseaseOntology:
        """The ontology shipped in annotation/snapshots/ontology/, loaded once per process."""
        return _bundled()

    # --- lookups by DOID ---

    def normalise_doid(self, value: str) -> str | None:
        """'3910', 'DOID:3910', 'doid_3910' -> 'DOID:3910' when the term exists; alt_ids give the
        primary term (CIViC writes DOIDs without prefix and sometimes as alt_ids). Leading zeros
        are part of the id ('0060079')."""
        match = re.fullmatch(r"(?:doid\s*[:_ ]?\s*)?(\d+)", str(value).strip(), re.IGNORECASE)
        if match is None:
            return None
        doid = self._alts.get(f"DOID:{match.group(1)}", f"DOID:{match.group(1)}")
        return doid if doid in self._names else None

    def lineage(self, doid: str) -> tuple[str, ...]:
        """The term, then its ancestors breadth-first without duplicates, ending at DOID:162 for
        cancers; () for an unknown DOID."""
        primary = self.normalise_doid(doid)
        return self._lineages[primary] if primary else ()

    def name(self, doid: str) -> str:
        """The ontology's name of the term ('' if unknown)."""
        primary = self.normalise_doid(doid)
        return self._names[primary] if primary else ""

    def is_solid(self, doid: str) -> bool | None:
        """False under hematologic cancer, True for other cancers, None otherwise (unknown DOIDs,
        the root 'cancer', and benign or syndromic terms the slim keeps outside 'cancer'). CIViC
        files tumor-agnostic evidence under 'Solid Tumor'; this decides whether it applies."""
        lineage = self.lineage(doid)
        if HEMATOLOGIC_CANCER in lineage:
            return False
        if CANCER in lineage[1:]:
            return True
        return None

    # --- resolving what a tumor board wrote ---

    def resolve(self, text: str) -> Diagnosis:
        """Map a diagnosis to a slim term. Tries, in order: a DOID, an ICD-10 code, an OncoTree
        code, then free text. Never raises: an unmappable text gives Diagnosis(doid=None) with a
        warning, because the board still needs the tiers, only without tumor-type context."""
        raw = text if isinstance(text, str) else ""
        for step in (self._by_doid, self._by_icd10, self._by_oncotree, self._by_text):
            found = step(raw, raw.strip())
            if found is not None:
                return found
        return _unknown(raw)

    def _by_doid(self, raw: str, text: str) -> Diagnosis | None:
        match = _DOID.match(text)
        if match is None:
            return None
        given = f"DOID:{match.group(1)}"
        doid = self.normalise_doid(given)
        if doid is None:
            return _unknown(raw)
        how = "DOID" if doid == given else f"DOID ({given} is an alt_id of {doid})"
        if doid in self._obsolete:
            replacement = self.normalise_doid(self._obsolete[doid] or "-")
            if replacement:
                how = f"DOID ({given} is obsolete, replaced by {replacement})"
                return self._diagnosis(raw, replacement, how)
            return self._diagnosis(raw, doid, how, f"{doid} is obsolete in the Disease Ontology")
        return self._diagnosis(raw, doid, how)

    def _by_icd10(self, raw: str, text: str) -> Diagnosis | None:
        """Exact code, then without its last digit (GM's fifth digit is remission status), then
        the three-character category, then any cross-referenced code in that category."""
        code = _icd10_code(text)
        if code is None:
            return None
        category = code[:3]
        tried = [code]
        if "." in code:
            tail = code.split(".")[1]
            if len(tail) == 2:
                tried.append(code[:-1])
            tried.append(category)
        for candidate in tried:
            if candidate in self._icd_curated:
                how = f"ICD-10 {code} -> {candidate} (mtb supplement)"
                return self._diagnosis(raw, self._icd_curated[candidate], how)
            if candidate in self._icd_slim:
                return self._icd_hit(raw, code, {candidate: self._icd_slim[candidate]})
        related = {c: d for c, d in self._icd_slim.items() if c.startswith(category)}
        if related:
            return self._icd_hit(raw, code, related)
        return _unknown(raw, f" (ICD-10 {code}: no mapping for category {category})")

    def _icd_hit(self, raw: str, code: str, codes: dict[str, list[str]]) -> Diagnosis:
        """Several terms can share a code (C92.0: AML and three subtypes); the most general
        cancer term wins, so no subtype-specific evidence is claimed that the code cannot show."""
        pairs = sorted({(d, c) for c, ds in codes.items() for d in ds}, key=self._generality)
        doid, source = pairs[0]
        others = {d for d, _ in pairs[1:]} - {doid}
        unrelated = [d for d in others if doid not in self._lineages[d]]
        warning = self._also(raw, doid, unrelated) if unrelated else None
        return self._diagnosis(raw, doid, f"ICD-10 {code} -> ICD10CM {source}", warning)

    def _generality(self, pair: tuple[str, str]) -> tuple[bool, bool, int, str, str]:
        doid = pair[0]
        return (
            CANCER not in self._lineages[doid],
            "syndrome" in self._names[doid],
            self._depth(doid),
            pair[1],
            doid,
        )

    def _by_oncotree(self, raw: str, text: str) -> Diagnosis | None:
        """'OncoTree:LUAD' or a bare upper-case code from mtb's hand-made OncoTree table."""
        prefixed = _ONCOTREE_PREFIX.match(text)
        code = prefixed.group(1).upper() if prefixed else text
        if not prefixed and not _ONCOTREE_CODE.match(text):
            return None
        if code in self._oncotree:
            return self._diagnosis(raw, self._oncotree[code], f"OncoTree {code}")
        return _unknown(raw, f" (OncoTree code {code} is not in mtb's table)") if prefixed else None

    def _by_text(self, raw: str, text: str) -> Diagnosis | None:
        """Exact name or synonym, first as written and then without clinical qualifiers; failing
        that, the most specific term all of whose words occur in the text."""
        folded = _fold(text)
        exact = self._exact.get(" ".join(_tokens(folded)))
        if exact is not None:
            return self._diagnosis(raw, exact.doid, _HOW[exact.priority])
        words = _tokens(_strip_qualifiers(folded))
        exact = self._exact.get(" ".join(words))
        if exact is not None:
            return self._diagnosis(raw, exact.doid, f"{_HOW[exact.priority]}, qualifiers removed")
        return self._by_words(raw, words, _capitalised_tokens(text)) if words else None

    def _by_words(
        self, raw: str, words: tuple[str, ...], capitals: frozenset[str]
    ) -> Diagnosis | None:
        """The most specific term whose name or synonym has all its words in the text. A term
        that is an ancestor of another candidate is never the answer. Between unrelated
        branches, the name that explains more words wins, then the deeper term: depth alone
        misleads, because the slim files 'acute leukemia' deeper than 'acute myeloid leukemia'."""
        present = set(words)
        best: dict[str, _Label] = {}
        for label in self._labels:
            if label.tokens <= present and (not label.acronym or label.tokens <= capitals):
                held = best.get(label.doid)
                if held is None or (label.size, -label.priority) > (held.size, -held.priority):
                    best[label.doid] = label
        above = {a for doid in best for a in self._lineages[doid][1:]}
        leaves = [label for doid, label in best.items() if doid not in above]
        if not leaves:
            return None

        def rank(label: _Label) -> tuple[int, int, int, int]:
            first = min(words.index(t) for t in label.tokens)
            return (label.size, self._depth(label.doid), -label.priority, -first)

        winner, *rest = sorted(leaves, key=rank, reverse=True)
        unrelated = [label.doid for label in rest if not label.tokens <= winner.tokens]
        warning = self._also(raw, winner.doid, unrelated) if unrelated else None
        if winner.doid == CANCER:
            warning = f"diagnosis '{raw}' matched only the generic term 'cancer' ({CANCER})"
        return self._diagnosis(raw, winner.doid, f"words of {winner.text!r}", warning)

    # --- helpers ---

    def _also(self, raw: str, chosen: str, others: Iterable[str]) -> str:
        listed = ", ".join(f"{self._names[d]} ({d})" for d in list(others)[:3])
        return (
            f"diagnosis '{raw}' also matches {listed}; mtb chose {self._names[chosen]} ({chosen})"
        )

    def _depth(self, doid: str) -> int:
        return len(self._lineages[doid]) - 1

    def _diagnosis(self, raw: str, doid: str, how: str, warning: str | None = None) -> Diagnosis:
        return Diagnosis(
            text=raw,
            doid=doid,
            name=self._names[doid],
            lineage=self._lineages[doid],
            solid=self.is_solid(doid),
            subtypes=frozenset(self._below.get(doid, ())),
            matched_by=how,
            warning=warning,
        )

    def _index_labels(self, terms: dict[str, _Term], sup: _Supplement) -> tuple[_Label, ...]:
        entries = [
            (t.doid, text, priority, acronym)
            for t in terms.values()
            if not t.obsolete
            for text, priority, acronym in t.labels
        ]
        entries += [
            (doid, text, _CURATED, not any(c.islower() for c in text))
            for text, doid in sup.synonyms
        ]
        labels = []
        for doid, text, priority, acronym in entries:
            tokens = _ordered(text)
            if tokens:
                labels.append(
                    _Label(doid, text, priority, frozenset(tokens), len(set(tokens)), acronym)
                )
        return tuple(labels)


def _ordered(text: str) -> tuple[str, ...]:
    return _tokens(_fold(text))


def _unknown(raw: str, detail: str = "") -> Diagnosis:
    return Diagnosis(text=raw, doid=None, warning=_UNKNOWN.format(text=raw, detail=detail))


def _lineages(parents: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """Each term with its ancestors, breadth-first, the root 'cancer' last. A parent that is also
    an ancestor of another parent is not taken as a direct step, so an added link (skin
    melanoma -> melanoma) keeps melanoma before the root."""
    ancestors: dict[str, frozenset[str]] = {}

    def above(doid: str, path: frozenset[str]) -> frozenset[str]:
        if doid not in ancestors:
            if doid in path:
                raise KnowledgeBaseError(f"is_a cycle through {doid}")
            found: set[str] = set()
            for parent in parents.get(doid, ()):
                found |= {parent} | above(parent, path | {doid})
            ancestors[doid] = frozenset(found)
        return ancestors[doid]

    direct = {}
    for doid, ps in parents.items():
        above(doid, frozenset())
        direct[doid] = [p for p in ps if not any(p in ancestors[q] for q in ps if q != p)]
    lineages = {}
    for doid in parents:
        order, queue = [doid], [doid]
        while queue:
            for parent in direct.get(queue.pop(0), ()):
                if parent not in order:
                    order.append(parent)
                    queue.append(parent)
        if CANCER in order[1:]:
            order.remove(CANCER)
            order.append(CANCER)
        lineages[doid] = tuple(order)
    return lineages


@functools.lru_cache(maxsize=1)
def _bundled() -> DiseaseOntology:
    folder = Path(__file__).resolve().parent / "snapshots" / "ontology"
    return DiseaseOntology.load(folder / SLIM_FILE, folder / SUPPLEMENT_FILE)
