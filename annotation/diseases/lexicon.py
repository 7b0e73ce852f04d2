"""German clinical words and compounds in English, sites in one form, and typos, for word matching.

German writes a diagnosis as one compound ("Harnblasenkarzinom", "Nierenzellkarzinom",
"Lungenadenokarzinom") and abbreviates freely ("Mamma-Ca", "Adeno-Ca der Lunge"). English
names a site as a noun or an adjective ("pancreatic adenocarcinoma", "adenocarcinoma of the
pancreas"). For matching words against ontology names both sides are brought to one English
form: compounds are split at a known head noun and both parts translated, adjectives of sites
become the site's noun, and a word no name contains is corrected when exactly one known word is
one letter away. Exact matches never go through this module: a name found here is a 'high'
confidence match at best.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

# German words (folded: umlauts as ae/oe/ue, lower case) -> English words
_WORDS: dict[str, tuple[str, ...]] = {
    # tumour kinds
    "karzinom": ("carcinoma",), "carcinom": ("carcinoma",), "karzinome": ("carcinoma",),
    "carzinom": ("carcinoma",), "ca": ("carcinoma",), "krebs": ("cancer",),
    "krebserkrankung": ("cancer",), "adenokarzinom": ("adenocarcinoma",),
    "adenocarcinom": ("adenocarcinoma",), "adeno": ("adeno",),
    "plattenepithelkarzinom": ("squamous", "cell", "carcinoma"),
    "plattenepithel": ("squamous", "cell"), "sarkom": ("sarcoma",), "sarcom": ("sarcoma",),
    "tumor": ("tumor",), "tumoren": ("tumor",), "neoplasie": ("neoplasm",),
    "neubildung": ("neoplasm",), "melanom": ("melanoma",), "lymphom": ("lymphoma",),
    "leukaemie": ("leukemia",), "leukamie": ("leukemia",), "leukose": ("leukemia",),
    "myelom": ("myeloma",), "gliom": ("glioma",), "karzinoid": ("carcinoid",),
    "meningeom": ("meningioma",), "phaeochromozytom": ("pheochromocytoma",),
    "astrozytom": ("astrocytoma",), "metastase": ("metastasis",),
    "thrombozythemie": ("thrombocythemia",), "polyzythemie": ("polycythemia",),
    "essentiell": ("essential",), "myelofibrose": ("myelofibrosis",),
    "mastozytose": ("mastocytosis",), "histiozytose": ("histiocytosis",),
    # qualities
    "akut": ("acute",), "chronisch": ("chronic",), "myeloisch": ("myeloid",),
    "lymphatisch": ("lymphocytic",), "lymphozytisch": ("lymphocytic",),
    "lymphoblastisch": ("lymphoblastic",), "myelomonozytaer": ("myelomonocytic",),
    "promyelozytaer": ("promyelocytic",), "papillaer": ("papillary",),
    "follikulaer": ("follicular",), "medullaer": ("medullary",), "anaplastisch": ("anaplastic",),
    "seroes": ("serous",), "muzinoes": ("mucinous",), "duktal": ("ductal",),
    "lobulaer": ("lobular",), "neuroendokrin": ("neuroendocrine",),
    "undifferenziert": ("undifferentiated",), "entdifferenziert": ("dedifferentiated",),
    "dedifferenziert": ("dedifferentiated",), "bosartig": ("malignant",),
    "boesartig": ("malignant",), "gutartig": ("benign",), "benigne": ("benign",),
    "pleomorph": ("pleomorphic",), "alveolaer": ("alveolar",), "epitheloid": ("epithelioid",),
    "desmoplastisch": ("desmoplastic",), "inflammatorisch": ("inflammatory",),
    "tubulaer": ("tubular",), "intrahepatisch": ("intrahepatic",),
    "extrahepatisch": ("extrahepatic",), "perihilaer": ("perihilar",), "hilaer": ("hilar",),
    "kolorektal": ("colorectal",), "gastrooesophageal": ("gastroesophageal",),
    "uebergang": ("junction",), "zentral": ("central",), "embryonal": ("embryonal",),
    "kleinzellig": ("small", "cell"), "nichtkleinzellig": ("nonsmall", "cell"),
    "grosszellig": ("large", "cell"), "klarzellig": ("clear", "cell"),
    "spindelzellig": ("spindle", "cell"), "siegelringzellig": ("signet", "ring", "cell"),
    "hepatozellulaer": ("hepatocellular",), "cholangiozellulaer": ("cholangiocellular",),
    "zell": ("cell",), "zellig": ("cell",), "zellen": ("cell",), "hormonrezeptor": ("hr",),
    "mutiert": ("mutant",), "wildtyp": ("wildtype",), "kodeletiert": ("codeleted",),
    "kastrationsresistent": ("castration", "resistant"),
    "kastrationsrefraktaer": ("castration", "refractory"),
    "hormonrefraktaer": ("hormone", "refractory"),
    "kutan": ("skin",), "okulaer": ("ocular",), "uveal": ("uvea",), "bronchogen": ("lung",),
    # sites (the noun; English adjectives are brought to the same noun by SITES below)
    "lunge": ("lung",), "lungen": ("lung",), "bronchial": ("lung",), "bronchus": ("lung",),
    "pulmonal": ("lung",), "mamma": ("breast",), "mammae": ("breast",), "brust": ("breast",),
    "kolon": ("colon",), "rektum": ("rectum",), "rektal": ("rectum",), "sigma": ("sigmoid",),
    "magen": ("stomach",), "pankreas": ("pancreas",), "pankreaskopf": ("pancreas",),
    "pankreasschwanz": ("pancreas",), "leber": ("liver",), "hepatisch": ("liver",),
    "niere": ("kidney",), "nieren": ("kidney",), "harnblase": ("bladder",),
    "blase": ("bladder",), "prostata": ("prostate",), "schilddruese": ("thyroid",),
    "ovar": ("ovary",), "ovarial": ("ovary",), "ovarien": ("ovary",), "eierstock": ("ovary",),
    "gebaermutter": ("uterus",), "zervix": ("cervix",), "gebaermutterhals": ("cervix",),
    "endometrium": ("endometrium",), "speiseroehre": ("esophagus",),
    "esophagus": ("esophagus",), "gallengang": ("bile", "duct"),
    "gallengaenge": ("bile", "duct"), "gallenweg": ("biliary",), "gallenwege": ("biliary",),
    "gallenblase": ("gallbladder",), "haut": ("skin",), "gehirn": ("brain",),
    "hirn": ("brain",), "knochen": ("bone",), "weichteil": ("soft", "tissue"),
    "weichteile": ("soft", "tissue"), "weichgewebe": ("soft", "tissue"), "hoden": ("testis",),
    "kopf": ("head",), "hals": ("neck",), "zunge": ("tongue",), "mundhoehle": ("oral", "cavity"),
    "kehlkopf": ("larynx",), "larynx": ("larynx",), "rachen": ("pharynx",),
    "nasopharynx": ("nasopharynx",), "oropharynx": ("oropharynx",),
    "hypopharynx": ("hypopharynx",), "speicheldruese": ("salivary", "gland"),
    "nebenniere": ("adrenal", "gland"), "nebennierenrinde": ("adrenal", "cortex"),
    "duenndarm": ("small", "intestine"), "dickdarm": ("colorectal",), "darm": ("bowel",),
    "anal": ("anus",), "analkanal": ("anus",), "appendix": ("appendix",),
    "bauchfell": ("peritoneum",), "rippenfell": ("pleura",), "pleura": ("pleura",),
    "auge": ("eye",), "aderhaut": ("choroid",), "netzhaut": ("retina",),
    "scheide": ("vagina",), "urothel": ("urothelial",), "harnleiter": ("ureter",),
    "nierenbecken": ("kidney", "pelvis"), "knochenmark": ("bone", "marrow"),
    "lymphknoten": ("lymph", "node"), "thymus": ("thymus",), "penis": ("penis",),
    "vulva": ("vulva",), "vagina": ("vagina",), "merkel": ("merkel",), "basal": ("basal",),
    "keim": ("germ",), "mantel": ("mantle",), "haar": ("hairy",), "plasma": ("plasma",),
    "leberzell": ("liver", "cell"), "nierenzell": ("kidney", "cell"),
    "siegelringzell": ("signet", "ring", "cell"), "siegelring": ("signet", "ring"),
    "urothelial": ("urothelial",),
}
# Head nouns a German compound ends with, longest first (the split point of a compound)
_HEADS = tuple(sorted(
    ("plattenepithelkarzinom", "adenokarzinom", "adenocarcinom", "karzinom", "carcinom",
     "karzinome", "sarkom", "krebs", "tumor", "tumoren", "melanom", "lymphom", "leukaemie",
     "myelom", "gliom", "karzinoid", "neoplasie"),
    key=len, reverse=True,
))
_ENDINGS = ("es", "er", "en", "em", "e", "s")  # German adjective endings, genitive -s
_NOT_TUMOURS = frozenset({"syndrom", "symptom", "bottom", "random", "freedom", "custom"})
_LINKS = ("s", "n", "en", "-")  # Fugenlaute between the parts of a compound

# English adjectives of sites -> the noun, and two-word sites fused, on both sides of a match
SITES = {
    "pulmonary": "lung", "bronchial": "lung", "mammary": "breast", "colonic": "colon",
    "rectal": "rectum", "gastric": "stomach", "esophageal": "esophagus",
    "pancreatic": "pancreas", "hepatic": "liver", "renal": "kidney", "prostatic": "prostate",
    "ovarian": "ovary", "uterine": "uterus", "cervical": "cervix", "endometrial": "endometrium",
    "cutaneous": "skin", "cerebral": "brain", "osseous": "bone", "testicular": "testis",
    "penile": "penis", "vulvar": "vulva", "vaginal": "vagina", "anal": "anus",
    "appendiceal": "appendix", "thymic": "thymus", "pleural": "pleura",
    "peritoneal": "peritoneum", "laryngeal": "larynx", "pharyngeal": "pharynx",
    "nasopharyngeal": "nasopharynx", "oropharyngeal": "oropharynx",
    "hypopharyngeal": "hypopharynx", "duodenal": "duodenum", "uveal": "uvea",
    "conjunctival": "conjunctiva", "urethral": "urethra", "ureteral": "ureter",
    "intestinal": "intestine", "gallbladder": "gallbladder", "splenic": "spleen",
    "thyroidal": "thyroid", "tonsillar": "tonsil", "lingual": "tongue",
}
_FUSED = {
    ("small", "intestine"): "smallintestine", ("large", "intestine"): "colorectal",
    ("soft", "tissue"): "softtissue", ("bile", "duct"): "bileduct", ("lymph", "node"): "lymphnode",
    ("bone", "marrow"): "bonemarrow", ("salivary", "gland"): "salivary",
    ("adrenal", "gland"): "adrenal", ("thyroid", "gland"): "thyroid", ("head", "neck"): "headneck",
    ("oral", "cavity"): "oral", ("adeno", "carcinoma"): "adenocarcinoma",
}
SITE_WORDS = frozenset(SITES.values()) | {
    "lung", "breast", "colon", "rectum", "colorectal", "stomach", "esophagus", "pancreas",
    "liver", "kidney", "bladder", "prostate", "ovary", "uterus", "cervix", "endometrium", "skin",
    "brain", "bone", "testis", "penis", "vulva", "vagina", "anus", "appendix", "thymus",
    "pleura", "peritoneum", "larynx", "pharynx", "nasopharynx", "oropharynx", "hypopharynx",
    "duodenum", "adrenal", "biliary", "bileduct", "salivary", "thyroid", "tongue", "oral",
    "headneck", "head", "neck", "gallbladder", "smallintestine", "intestine", "softtissue",
    "eye", "uvea", "choroid", "retina", "urethra", "ureter", "spleen", "mediastinum",
    "mediastinal", "nasal", "sinus", "lip", "mouth", "tonsil", "sigmoid", "bowel", "lymphnode",
    "bonemarrow", "cortex", "pelvis", "junction", "ampulla", "jejunum", "ileum", "cecum",
    "heart", "orbit", "spine", "chest", "abdomen", "abdominal", "pelvic", "trunk", "extremity",
    "thigh", "arm", "leg", "knee", "shoulder", "hand", "foot", "finger", "toe", "back",
    "buttock", "groin", "axilla", "scalp", "face", "cheek", "retroperitoneum",
    "retroperitoneal", "hilum", "lobe", "oberschenkel", "unterschenkel", "bein",
    "ruecken", "schulter", "knie", "fuss", "gesaess", "leiste", "achsel", "kopfhaut",
    "gesicht", "thorax", "thoraxwand", "bauchwand", "becken",
}
# cancer ~ carcinoma: "anaplastic thyroid cancer" is DO's "anaplastic thyroid carcinoma"
EQUIVALENT = {"cancer": "carcinoma", "karzinom": "carcinoma", "neoplasm": "tumor"}


def canonical(words: Iterable[str]) -> tuple[str, ...]:
    """English site adjectives as nouns, two-word sites as one token."""
    out = [SITES.get(w, w) for w in words]
    fused: list[str] = []
    i = 0
    while i < len(out):
        pair = tuple(out[i:i + 2])
        if len(pair) == 2 and pair in _FUSED:
            fused.append(_FUSED[pair])
            i += 2
        else:
            fused.append(out[i])
            i += 1
    return tuple(fused)


def translate(
    words: Iterable[str], known: frozenset[str],
) -> tuple[tuple[str, ...], dict[str, str]]:
    """German words and compounds in English; words neither known nor German are corrected
    when one known word is a single typo away. Returns the words and what was corrected."""
    out: list[str] = []
    corrected: dict[str, str] = {}
    for word in words:
        english = _german(word)
        if english is None and word not in known and 7 <= len(word) <= 30:  # bounded work
            fix = _correction(word, known)
            if fix is not None:
                english = _german(fix) or _tumour_noun(fix) or (fix,)
                if english != _tumour_noun(word):  # 'hemangiom' is German, not a typo
                    corrected[word] = fix
        if english is None:
            english = _tumour_noun(word)
        out.extend(english or (word,))
    return canonical(out), corrected


def english(words: Iterable[str]) -> tuple[str, ...]:
    """translate() without typo correction: for the names in the ontology ("seröses
    Ovarialkarzinom" -> serous ovary carcinoma), so that they meet translated input."""
    out: list[str] = []
    for word in words:
        out.extend(_german(word) or _tumour_noun(word) or (word,))
    return canonical(out)


def _german(word: str) -> tuple[str, ...] | None:
    for form in _forms(word):
        if form in _WORDS:
            return _WORDS[form]
    for head in _HEADS:
        if word.endswith(head) and len(word) > len(head) + 2:
            prefix = _compound_part(word[: -len(head)])
            if prefix is not None:
                return prefix + _WORDS[head]
    return None


def _tumour_noun(word: str) -> tuple[str, ...] | None:
    """German '-om' nouns in English: osteosarkom -> osteosarcoma, astrozytom -> astrocytoma,
    glioblastom -> glioblastoma. Tried after typo correction ('Mammakarcinom' is a typo)."""
    if word.endswith("om") and len(word) >= 5 and word not in _NOT_TUMOURS:
        return (word.replace("sarkom", "sarcom").replace("zytom", "cytom") + "a",)
    return None


def _forms(word: str) -> Iterable[str]:
    yield word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 3:
            yield word[: -len(ending)]


def _compound_part(prefix: str) -> tuple[str, ...] | None:
    """'harnblasen' -> ('bladder',); 'nierenzell' -> ('kidney', 'cell'); 'pankreaskopf' ->
    ('pancreas',); None if unknown. At most two known parts, so that any input stays cheap."""
    if len(prefix) > 30:
        return None
    for candidate in _linked(prefix):
        for form in _forms(candidate):
            if form in _WORDS:
                return _WORDS[form]
    for cut in range(len(prefix) - 3, 2, -1):
        tail = _WORDS.get(prefix[cut:])
        if tail is None:
            continue
        for candidate in _linked(prefix[:cut]):
            if candidate in _WORDS:
                return _WORDS[candidate] + tail
    return None


def _linked(part: str) -> list[str]:
    return [part] + [part[: -len(link)] for link in _LINKS if part.endswith(link)]


def _correction(word: str, known: frozenset[str]) -> str | None:
    """The one known word at edit distance 1 (or one transposition), else None."""
    index = _deletions(known)
    found: set[str] = set()
    for variant in {word} | {word[:i] + word[i + 1:] for i in range(len(word))}:
        found |= index.get(variant, set())
    found = {f for f in found if _one_edit(word, f)}
    meanings = {_german(f) or _tumour_noun(f) or (f,) for f in found}
    return min(found) if len(meanings) == 1 else None  # 'glioblastom' and 'glioblastoma' agree


@functools.lru_cache(maxsize=4)
def _deletions(known: frozenset[str]) -> dict[str, set[str]]:
    """Each known word (of 6 letters or more) and its one-letter deletions -> the word. Built on
    the first typo, not at load: most cases never need it."""
    index: dict[str, set[str]] = {}
    vocabulary = set(known) | {w for w in _WORDS if len(w) >= 6}
    for word in vocabulary:
        if len(word) < 6 or not word.isalpha():
            continue
        for variant in {word} | {word[:i] + word[i + 1:] for i in range(len(word))}:
            index.setdefault(variant, set()).add(word)
    return index


def _one_edit(a: str, b: str) -> bool:
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(long_) - len(short) != 1:
        return False
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
