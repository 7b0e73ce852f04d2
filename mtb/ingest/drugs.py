"""Which medications are cancer therapy, for sources without ATC codes (Synthea and US data use
RxNorm, whose product names start with the ingredient: "10 ML oxaliplatin 5 MG/ML Injection").

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
daunorubicin decitabine degarelix denosumab docetaxel dostarlimab doxorubicin durvalumab
elacestrant encorafenib enfortumab entrectinib enzalutamide epirubicin eribulin erdafitinib
erlotinib etoposide everolimus exemestane fludarabine fluorouracil fluoxymesterone flutamide
fulvestrant futibatinib gefitinib gemcitabine gilteritinib glasdegib goserelin histrelin
hydroxyurea ibrutinib idarubicin idelalisib ifosfamide imatinib infigratinib inotuzumab
ipilimumab irinotecan ivosidenib ixabepilone ixazomib lapatinib larotrectinib lenalidomide
lenvatinib letrozole leuprorelin leuprolide lomustine lorlatinib lurbinectedin medroxyprogesterone
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
ANTINEOPLASTIC_NAMES = frozenset(_INN.split())

_WORD = re.compile(r"[a-z][a-z-]*")


def antineoplastic_names(text: str) -> list[str]:
    """The cancer drugs a medication's name or text mentions, in the order written."""
    words = _WORD.findall(text.lower())
    found = [w for w in words if w in ANTINEOPLASTIC_NAMES]
    return list(dict.fromkeys(found))


def is_antineoplastic(atc_codes: list[str], text: str) -> bool:
    """ATC L01/L02, else a known cancer-drug name in the text (IMiDs sit in L04AX beside
    immunosuppressants, so they are recognised by name)."""
    if any(code.upper().startswith(ANTINEOPLASTIC_ATC_PREFIXES) for code in atc_codes):
        return True
    return bool(antineoplastic_names(text))
