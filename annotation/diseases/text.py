"""One spelling for every way a diagnosis is written, and what in it is not the disease.

Applied alike to ontology names and to what a tumor board writes: case, umlauts (ä -> ae, as
Germans type without them), British spellings, dashes, receptor signs ("HER2-" -> "her2
negative") and WHO grades. Then, for the input only: the course of the disease (stage,
metastases, relapse, lines of therapy, smoking), biomarker phrases ("EGFR exon 19 deletion",
"t(8;21)") and words that never decide a diagnosis are set apart, so that they neither block an
exact match nor count as unexplained words.
"""

from __future__ import annotations

import re
import unicodedata

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
    (re.compile(r"phaeochrom"), "pheochrom"),
    (re.compile(r"\bpositiv(?:e[nrs]?)?\b"), "positive"),  # German "HER2-positives"
    (re.compile(r"\bnegativ(?:e[nrs]?)?\b"), "negative"),
)
_PLUS = re.compile(r"(?<=[a-z0-9])\+")  # "HER2+" -> "her2 positive"
_MINUS = re.compile(r"(?<=[a-z0-9])-(?=\s|/|,|;|\)|$)")  # "HER2-/HR-" -> "her2 negative ..."
_GRADE = re.compile(r"\b(?:cns[\s-]+)?(?:who[\s-]+)?grad(?:e)?[\s-]*(iv|iii|ii|i|[1-4])\b")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_WORD = re.compile(r"[a-z0-9]+")
_NEGATIONS = frozenset({"non", "nicht"})  # joined to the next word: "non-small" == "nonsmall"
STOPWORDS = frozenset(
    {"of", "the", "a", "an", "in", "and", "with", "nos", "unspecified", "der", "die", "das"}
    | {"des", "dem", "den", "im", "am", "mit", "und", "von", "vom", "bei", "nnb"}
)
_TOKEN_ALIASES = {"pos": "positive", "neg": "negative"}


def fold(text: str) -> str:
    """One spelling for every way of writing a name: lower case, umlauts spelled out (ä -> ae, as
    Germans type without umlauts), other accents dropped, dashes and BCR::ABL1 unified, British
    spellings made American, receptor signs spelled out, WHO grades as digits."""
    if text.isascii():  # most names: no dashes, umlauts or accents to unify
        text = text.replace("::", "-").lower()
    else:
        text = unicodedata.normalize("NFKC", text).translate(_DASHES).replace("::", "-")
        text = text.lower().translate(_GERMAN)
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    text = _APOSTROPHES.sub("", text)
    for pattern, replacement in _SPELLING:
        text = pattern.sub(replacement, text)
    text = _PLUS.sub(" positive ", text)
    text = _MINUS.sub(" negative ", text)
    return _GRADE.sub(lambda m: "grade " + _ROMAN.get(m.group(1), m.group(1)), text)


def tokens(folded: str) -> tuple[str, ...]:
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
        if words[i] not in STOPWORDS:
            out.append(words[i])
        i += 1
    return tuple(out)


def ordered(text: str) -> tuple[str, ...]:
    """The tokens of a raw name, in order: the key of the exact-name index."""
    return tokens(fold(text))


def capitalised_tokens(text: str) -> frozenset[str]:
    """Tokens written like acronyms ("ALL", "aCML", the "B" of "B-ALL"). An acronym label matches
    inside a longer text only when written so: the word "all" is not a leukemia, and neither is
    a German noun or a sentence start ("All"). All-caps input carries no such signal."""
    words = re.findall(r"[^\W_]+", text)
    if len(words) > 1 and not any(c.islower() for c in text):
        return frozenset()
    return frozenset(t for w in words if _acronym_like(w) for t in tokens(fold(w)))


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
_COURSE = tuple(
    re.compile(pattern)
    for pattern in (
        r"(?<![a-z0-9])\([^)]*\)|(?<![a-z0-9])\[[^\]]*\]",  # remarks; keeps t(8;21)
        rf"(?:\b(?:with|mit|and|und|plus|including)\s+)?(?:\b{_SITES}{_SITE_GLUE}){{0,4}}"
        r"\b\w*metasta(?:ses|sis|sen|se)\b",  # "with liver and lung metastases", "Lebermetastasen"
        rf"\b(?:{_SITES}\s+)?\w*metastas(?:iert|ierend)\w*",  # "hepatisch metastasiert"
        r"\b(?:und\s+|and\s+|with\s+|mit\s+)?(?:\w*karzinose|(?:peritoneal\s+|pleural\s+)?"
        r"carcinomatosis|(?:meningeosis|lymphangiosis|meningitis)\s+carcinomatosa)\b",
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
        # "Z.n. Hemikolektomie bei Kolonkarzinom": the procedure is history, the disease follows
        r"\b(?:z\.\s*n\.|zn|status\s+post|s/p)\s+[^,;]{0,60}?\b(?:bei|wegen|for)\b",
        r"\bv\.\s*a\.|\bverdacht\s+auf\b|\bz\.\s*n\.|\bstatus\s+post\b|\bs/p\b",  # markers only
        r"\b(?:ecog|ps|kps|karnofsky)\s*\d+%?",
        r"\b(?:links|rechts|linksseitig\w*|rechtsseitig\w*|beidseits|beidseitig\w*|bds|left|"
        r"right|left-sided|right-sided|bilateral)\b|\b(?:re|li)\.(?=\s|$|,)",  # the side
        r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{1,2}[./](?:19|20)?\d{2}\b|\b(?:19|20)\d{2}\b",
        r"\b(?:y?[cpr]?t[0-4x](?:is|[a-d])?|[cp]?n[0-3x][a-c]?|[cp]?m[01x][a-c]?|g[1-4x]|r[0-2x]|"
        r"l[01]|v[0-2]|pn[01])\b",  # TNM and residual-tumour codes
        r"\b(?:metastasized|metastasised|disseminated|disseminiert\w*|advanced|locally|"
        r"unresectable|inoperable|inoperabel|irresektabel|nicht\s+resektabel|relapsed|"
        r"(?<!castration )(?<!hormone )refractory|recurrent|newly\s+diagnosed|erstdiagnose|"
        r"fortgeschritten\w*|lokal|rezidiviert\w*|rezidivierend\w*|rezidiv|refraktaer\w*|"
        r"primaerdiagnose|ed)\b",
    )
)


def strip_course(folded: str) -> str:
    """Remove what describes the course rather than the disease: stage, metastases, relapse,
    lines of therapy, smoking status, earlier procedures, parenthetical remarks."""
    for pattern in _COURSE:
        folded = pattern.sub(" ", folded)
    return folded


# Biomarkers belong to the finding, not the diagnosis, except where a WHO name carries them
# ("astrocytoma, IDH-mutant"): they are matched when a name has them, never counted against one.
_GENES = (
    r"(?:egfr|kras|nras|hras|ras|braf|alk|ros1|ret|met|erbb2|her2|idh|idh1|idh2|tp53|p53|pik3ca|"
    r"brca|brca1|brca2|ntrk|ntrk1|ntrk2|ntrk3|fgfr|fgfr1|fgfr2|fgfr3|kit|pdgfra|bcr|abl|abl1|myc|"
    r"mycn|npm1|flt3|cebpa|jak2|calr|mpl|esr1|akt1|pten|nf1|msi|mss|mmr|dmmr|pmmr|tmb|pd|l1|pdl1|"
    r"h3|k27m|g34|mgmt|1p|19q|1p19q|atrx|cdkn2a|tert|smarcb1|smarca4|ewsr1|fus|ss18|kmt2a|mll|"
    r"runx1|runx1t1|cbfb|myh11|pml|rara|dek|nup214|tcf3|pbx1|etv6|dux4|bcl2|bcl6|sf3b1|tet2|"
    r"asxl1|dnmt3a|wt1|gist|hpv|ebv|p16|mtap|nrg1|cd20|cd30|cd33|cd19|cd38|bcma|cldn18|trop2|"
    r"[a-z]{2,5}[0-9]{1,2}[a-z]?)"
)
_STATUS = (
    r"(?:mutant|mutated|mutation|mutations|mut|wild[\s-]*type|wildtype|wt|positive|negative|"
    r"amplified|amplification|amp|overexpression|overexpressed|fusion|fusions|rearranged|"
    r"rearrangement|translocation|altered|alteration|alterations|deleted|deletion|codeleted|"
    r"codeletion|deficient|proficient|defizient|high|low|stable|instable|unstable|methylated|"
    r"unmethylated|loss|lost|intact|expression|exprimiert|mutiert|mutation|amplifiziert|"
    r"kodeletiert|verlust)"
)
_BIOMARKERS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"\b{_GENES}(?:[\s/-]+{_GENES})*[\s-]+{_STATUS}\b",  # "EGFR-mutant", "BCR-ABL1 positive"
        rf"\b{_GENES}[\s-]+(?:exon|ex)\s*\d+\w*(?:[\s-]+(?:deletion|del|insertion|ins|"
        rf"mutation|skipping|skip|duplication|dup))?\b",  # "EGFR exon 19 deletion"
        rf"\b{_GENES}[\s-]+(?:p\.)?[a-z]\d+[a-z]+(?:[\s-]+{_STATUS})?\b",  # "KRAS G12C"
        r"\b(?:t|inv|del|der|add)\s*\(\s*[0-9xy;:pq.\s]+\)(?:\s*\(\s*[0-9xy;:pq.\s]+\))?",
        r"\b(?:monosomy|trisomy|monosomie|trisomie)\s*\d+\b|\b(?:complex|komplex\w*)\s+"
        r"(?:karyotype|karyotyp)\b",
        r"\b(?:ihc|fish|ish|ngs|pcr)\b|\bscore\s*\d+",
        r"\b\d+\s*%",
    )
)


_GRADING = re.compile(r"\bgrade\s+[1-4]\b|\b(?:who|cns)\b")  # a grade the name does not spell


def strip_grading(folded: str) -> str:
    """The text without a WHO grade ('CNS WHO grade 4')."""
    return _GRADING.sub(" ", folded)


def strip_biomarkers(folded: str) -> str:
    """The text without biomarker, cytogenetic and grading phrases."""
    for pattern in _BIOMARKERS:
        folded = pattern.sub(" ", folded)
    return strip_grading(folded)


# Words that never decide a diagnosis: left unexplained, they do not lower the confidence.
SOFT = frozenset(
    {"stage", "stages", "patient", "patients", "pat", "known", "history", "diagnosed",
     "diagnosis", "diagnose", "befund", "histologisch", "histologically", "histology", "proven",
     "confirmed", "gesichert", "bioptisch", "primary", "primaer", "primaeres", "type", "typ",
     "malignant", "maligne", "malignes", "maligner", "invasive", "invasiv", "infiltrating",
     "adult", "left", "right", "links", "rechts", "bilateral", "beidseits", "side", "seitig",
     "upper", "lower", "middle", "lobe", "oberlappen", "unterlappen", "mittellappen", "grade",
     "d", "nos", "nnb", "seit", "since", "ed", "re", "li", "bds"}
)  # never "low", "high", "diffuse", "b": "low-grade", "B-cell" are parts of names
PROCEDURE = re.compile(r"(?:ektomie|ectomy|resektion|resection|operation|biopsie|biopsy)$")


def soft(token: str) -> bool:
    return token in SOFT or token.isdigit() or bool(PROCEDURE.search(token))
