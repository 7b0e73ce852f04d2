"""Which medications are cancer therapy, for sources without ATC codes (Synthea and US data use
RxNorm, whose product names start with the ingredient: "10 ML oxaliplatin 5 MG/ML Injection").

Drugs with a common non-cancer use are left out of the name list (denosumab for osteoporosis,
medroxyprogesterone as a contraceptive): without ATC they would put a contraceptive on a
therapy line. Antibody-drug conjugates are matched as their full names first, so that
"trastuzumab deruxtecan" is not read as trastuzumab. German spellings (Gemcitabin,
Cyclophosphamid) are listed too, as MII data writes them.

ATC says it directly: L01 antineoplastic agents, L02 endocrine therapy. Without ATC, a
medication counts when one of these international non-proprietary names (WHO INN, as listed
under ATC L01/L02 and L04AX for the IMiDs) is a word of its name. A clinic's hundreds of
supportive medications (antiemetics, analgesics, antibiotics) then stay off the timeline
without a list of everything that is not cancer therapy. Folinic acid (leucovorin) is listed
too: it is part of the regimens it modulates (FOLFOX, FOLFIRI), and the board reads the regimen.
Maintained by hand: a missing name means the drug is counted as "not antineoplastic" in the
reader's report, not lost silently.
"""

from __future__ import annotations

import re

ANTINEOPLASTIC_ATC_PREFIXES = ("L01", "L02")

_INN = """
abemaciclib abiraterone acalabrutinib adagrasib ado-trastuzumab afatinib aflibercept alectinib
alpelisib amivantamab anastrozole apalutamide asciminib atezolizumab avapritinib avelumab
axitinib azacitidine belinostat bendamustine bevacizumab bicalutamide binimetinib bleomycin
blinatumomab bortezomib bosutinib brentuximab brigatinib busulfan cabazitaxel cabozantinib
capecitabine capmatinib carboplatin carfilzomib carmustine cemiplimab ceritinib cetuximab
chlorambucil cisplatin cladribine clofarabine cobimetinib crizotinib cyclophosphamide
cytarabine dabrafenib dacarbazine dacomitinib dactinomycin daratumumab darolutamide dasatinib
daunorubicin decitabine degarelix docetaxel dostarlimab doxorubicin durvalumab
elacestrant encorafenib enfortumab entrectinib enzalutamide epirubicin eribulin erdafitinib
erlotinib etoposide everolimus exemestane fludarabine fluorouracil fluoxymesterone flutamide
fulvestrant futibatinib gefitinib gemcitabine gilteritinib glasdegib goserelin histrelin
hydroxyurea ibrutinib idarubicin idelalisib ifosfamide imatinib infigratinib inotuzumab
ipilimumab irinotecan ivosidenib ixabepilone ixazomib lapatinib larotrectinib lenalidomide
lenvatinib letrozole leuprorelin leuprolide lomustine lorlatinib lurbinectedin
megestrol melphalan mercaptopurine methotrexate midostaurin mitomycin mitotane mitoxantrone
mobocertinib nab-paclitaxel nelarabine neratinib nilotinib nilutamide niraparib nivolumab
obinutuzumab olaparib osimertinib oxaliplatin palbociclib panitumumab pazopanib
pembrolizumab pemetrexed pemigatinib pertuzumab pomalidomide ponatinib pralsetinib
procarbazine ramucirumab regorafenib relugolix repotrectinib ribociclib rituximab rucaparib
ruxolitinib sacituzumab selpercatinib selumetinib sorafenib sotorasib streptozocin sunitinib
talazoparib tamoxifen tebentafusp tegafur temozolomide temsirolimus tepotinib thalidomide
thioguanine thiotepa tisotumab tivozanib topotecan toremifene tovorafenib trabectedin
trametinib trastuzumab tremelimumab trifluridine triptorelin tucatinib vandetanib vemurafenib
venetoclax vinblastine vincristine vindesine vinflunine vinorelbine vismodegib vorasidenib
zanubrutinib ziv-aflibercept paclitaxel leucovorin levoleucovorin folinate
"""
_GERMAN = """
gemcitabin capecitabin cyclophosphamid ifosfamid etoposid vinorelbin vincristin vinblastin
temozolomid letrozol anastrozol exemestan bicalutamid enzalutamid abirateron cabazitaxel
pemetrexed irinotecan topotecan epirubicin doxorubicin bendamustin chlorambucil melphalan
fludarabin cytarabin azacitidin decitabin mercaptopurin thioguanin lomustin carmustin
dacarbazin procarbazin mitomycin bleomycin eribulin trabectedin imatinib
"""
ANTINEOPLASTIC_NAMES = frozenset(_INN.split()) | frozenset(_GERMAN.split())
# conjugates and other names of several words, matched before single words
COMPOUND_NAMES = (
    "fam-trastuzumab deruxtecan", "trastuzumab deruxtecan", "ado-trastuzumab emtansine",
    "trastuzumab emtansine", "datopotamab deruxtecan", "sacituzumab govitecan",
    "enfortumab vedotin", "brentuximab vedotin", "tisotumab vedotin", "polatuzumab vedotin",
    "mirvetuximab soravtansine", "loncastuximab tesirine", "belantamab mafodotin",
    "inotuzumab ozogamicin", "gemtuzumab ozogamicin", "lutetium lu 177 dotatate",
    "lutetium lu 177 vipivotide tetraxetan",
)

_WORD = re.compile(r"[a-z][a-z-]*")


def antineoplastic_names(text: str) -> list[str]:
    """The cancer drugs a medication's name or text mentions, in the order written."""
    lower = " ".join(text.lower().split())
    found: list[tuple[int, str]] = []
    for name in COMPOUND_NAMES:
        at = lower.find(name)
        if at >= 0 and not any(at < end and at + len(name) > start
                               for start, end in _spans(found)):
            found.append((at, name))
    taken = _spans(found)
    for match in _WORD.finditer(lower):
        inside = any(start <= match.start() < end for start, end in taken)
        if match.group() in ANTINEOPLASTIC_NAMES and not inside:
            found.append((match.start(), match.group()))
    return list(dict.fromkeys(name for _, name in sorted(found)))


def _spans(found: list[tuple[int, str]]) -> list[tuple[int, int]]:
    return [(at, at + len(name)) for at, name in found]


def is_antineoplastic(atc_codes: list[str], text: str) -> bool:
    """ATC L01/L02, else a known cancer-drug name in the text (IMiDs sit in L04AX beside
    immunosuppressants, so they are recognised by name)."""
    if any(code.upper().startswith(ANTINEOPLASTIC_ATC_PREFIXES) for code in atc_codes):
        return True
    return bool(antineoplastic_names(text))
