"""Which FHIR resources are oncology events, and of which kind: the rules as tables.

A hospital's FHIR record holds far more than a tumor board reads: Synthea's colon-cancer
patient has 780 observations, mostly vital signs and routine chemistry. The rules keep what
an oncologist looks for (diagnoses, oncologic surgery, radiotherapy, systemic therapy,
imaging, pathology, molecular reports, tumor markers, staging, response, boards, death) and
leave the rest off the timeline, counted by type and reason in the reader's report.

Codes decide first (ICD-10-GM, OPS, ATC, LOINC, SNOMED CT), words in the display or text
second, because real data often carries a local code with a good display. The words are
English and German (MII data is German).
"""

from __future__ import annotations

import re

from mtb.timeline import Code, EventKind, says_progression

ICD10 = ("ICD-10-GM", "ICD-10-CM", "ICD-10")


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(patterns), re.IGNORECASE)


# -- Condition --------------------------------------------------------------------------------

_TUMOR_WORDS = _words(
    r"neoplas", r"carcinom", r"karzinom", r"cancer", r"\btumou?r", r"malignan", r"lymphom",
    r"leuk[a]?emi", r"leuk[äa]mie", r"melanom", r"sarcom", r"sarkom", r"gliom", r"glioblastom",
    r"myelom", r"metasta", r"blastom", r"mesotheliom", r"b[öo]sartig",
)


# Conditions that name a cancer without being the patient's cancer diagnosis
_NOT_A_DIAGNOSIS = _words(r"history of", r"family history", r"\bfh\b", r"anamnes",
                          r"screening", r"\brisk\b", r"tumou?r lysis", r"fear of",
                          r"z\.\s*n\.", r"zustand nach")
_SUSPECTED = _words(r"suspect", r"verdacht", r"\bv\.\s*a\.", r"possible", r"rule out")


def condition_kind(codes: list[Code], text: str) -> tuple[EventKind | None, str]:
    """A tumor diagnosis; a suspected cancer is shown as 'other' (the work-up, not yet the
    diagnosis the evidence is weighed against); histories, family histories, screenings and
    complications such as tumor lysis are not the patient's cancer."""
    if _NOT_A_DIAGNOSIS.search(text):
        return None, "history, risk or complication, not a tumor diagnosis"
    if not is_tumor_diagnosis(codes, text):
        return None, "not a tumor diagnosis"
    if _SUSPECTED.search(text):
        return EventKind.OTHER, ""
    return EventKind.DIAGNOSIS, ""


def is_tumor_diagnosis(codes: list[Code], text: str) -> bool:
    """ICD-10 C00-D09 (malignant, in situ) or D37-D48 (uncertain behaviour), an ICD-O-3 code
    of the condition itself, or tumor words in the display."""
    for code in codes:
        if code.system_name in ICD10:
            value = code.code.upper()
            if value[:1] == "C" or value[:2] == "D0" or "D37" <= value[:3] <= "D48":
                return True
        if code.system_name == "ICD-O-3":
            return True
    return bool(_TUMOR_WORDS.search(text))


# -- Procedure --------------------------------------------------------------------------------

_OPS_PREFIXES: tuple[tuple[str, EventKind], ...] = (
    ("8-52", EventKind.RADIOTHERAPY),
    ("8-53", EventKind.RADIOTHERAPY),  # nuclear medicine therapy
    ("8-54", EventKind.SYSTEMIC_THERAPY),
    ("1-4", EventKind.SPECIMEN),  # biopsies without incision
    ("1-5", EventKind.SPECIMEN),  # biopsies by incision
    ("3-", EventKind.IMAGING),
    ("5-", EventKind.SURGERY),
    ("1-6", EventKind.OTHER),  # diagnostic endoscopy
)
# Order matters: chemoradiation is a radiotherapy course (its drugs come as medications).
_PROCEDURE_WORDS: tuple[tuple[re.Pattern[str], EventKind], ...] = (
    (_words(r"radiotherap", r"radiation", r"brachytherap", r"irradiat", r"strahlen",
            r"bestrahlung", r"radiochemo"), EventKind.RADIOTHERAPY),
    (_words(r"chemotherap", r"immunotherap", r"antineoplast", r"systemic therap",
            r"systemische therap", r"antihormon", r"endocrine therap"), EventKind.SYSTEMIC_THERAPY),
    (_words(r"biops", r"punktion"), EventKind.SPECIMEN),
    (_words(r"resection", r"resektion", r"ectomy", r"ektomie", r"excision", r"exzision",
            r"surgery", r"surgical", r"operation", r"amputation", r"ostomy", r"ostomie",
            r"otomy", r"otomie", r"lymphadenectom", r"dissection"), EventKind.SURGERY),
    (_words(r"computed tomograph", r"computertomograph", r"\bct\b", r"\bmri\b", r"magnetic reson",
            r"magnetresonanz", r"\bpet\b", r"positron", r"ultrasound", r"ultrason", r"sonograph",
            r"x-ray", r"radiograph", r"r[öo]ntgen", r"mammograph", r"scintigra", r"szintigra"),
     EventKind.IMAGING),
    (_words(r"scopy\b", r"skopie\b"), EventKind.OTHER),  # endoscopies: how tumors are found
)
# SNOMED CT procedure categories (Procedure.category)
_SNOMED_CATEGORY = {
    "387713003": EventKind.SURGERY,  # surgical procedure
    "108290001": EventKind.RADIOTHERAPY,  # radiation oncology and/or radiotherapy
    "367336001": EventKind.SYSTEMIC_THERAPY,  # chemotherapy
    "363679005": EventKind.IMAGING,  # imaging
}
_SNOMED_PROCEDURE = {
    "1217123003": EventKind.RADIOTHERAPY,  # radiotherapy course of treatment (mCODE)
    "367336001": EventKind.SYSTEMIC_THERAPY,
}


# Procedures around a therapy that are not the therapy: a port for chemotherapy, a
# radiation-oncology consultation, treatment planning.
_AROUND_THERAPY = _words(r"\bport\b", r"port-a-cath", r"catheter", r"katheter", r"consult",
                         r"konsil", r"planning", r"planung", r"education", r"counsel",
                         r"referral", r"assessment", r"evaluation of")


def procedure_kind(codes: list[Code], categories: list[Code], text: str) -> EventKind | None:
    """The kind of an oncologic procedure, or None for the rest (medication reconciliation,
    examinations, screenings, the port for a chemotherapy)."""
    if _AROUND_THERAPY.search(text):
        return None
    for code in codes:
        if code.system_name == "OPS":
            for prefix, kind in _OPS_PREFIXES:
                if code.code.startswith(prefix):
                    return kind
        if code.system_name == "SNOMED CT" and code.code in _SNOMED_PROCEDURE:
            return _SNOMED_PROCEDURE[code.code]
    for pattern, kind in _PROCEDURE_WORDS:
        if pattern.search(text):
            return kind
    for category in categories:
        if category.system_name == "SNOMED CT" and category.code in _SNOMED_CATEGORY:
            return _SNOMED_CATEGORY[category.code]
    return None


# -- Observation ------------------------------------------------------------------------------

TUMOR_MARKER_LOINC = frozenset({
    "2039-6", "19158-5",  # CEA
    "10334-1", "83084-7",  # CA-125
    "24108-3", "83083-9",  # CA 19-9
    "6875-9", "83082-1",  # CA 15-3
    "2857-1", "10886-0", "35741-8", "19197-3", "83112-6",  # PSA (total, free, ...)
    "1834-1", "19176-2", "53962-3",  # AFP
    "19080-1", "21198-7", "2106-3",  # beta-hCG
    "17842-6",  # CA 72-4
    "15060-8",  # neuron-specific enolase
    "9811-1",  # chromogranin A
    "3013-0",  # thyroglobulin
    "1992-7",  # calcitonin
    "1952-1",  # beta-2 microglobulin
})
BIOMARKER_LOINC = frozenset({
    "94076-7",  # tumor mutational burden
    "81695-9",  # microsatellite instability
    "85337-4", "16112-5", "40556-3",  # estrogen receptor
    "85339-0", "16113-3", "40557-1",  # progesterone receptor
    "48676-1", "85319-2", "85318-4", "18474-7", "72383-3",  # HER2
    "85329-1", "29593-1",  # Ki-67
    "83052-4", "85147-7",  # PD-L1
})
_MARKER_WORDS = _words(
    r"carcinoembryonic", r"\bCEA\b", r"cancer ag", r"\bCA[ -]?(125|19-9|15-3|72-4)\b",
    r"prostate specific", r"\bPSA\b", r"fetoprotein", r"\bAFP\b", r"choriogonadotropin",
    r"receptor", r"\bHER2\b", r"\bERBB2\b", r"Ki-?67", r"PD-?L1", r"Mutations/Megabase",
    r"mutational burden", r"microsatellite", r"Oncotype", r"recurrence score",
)
STAGING_LOINC = frozenset({
    "21908-9", "21902-2", "21905-5", "21906-3", "21907-1", "21899-0", "21900-6", "21901-4",
    "21914-7", "21917-0", "21918-8", "21916-2",
})
STAGING_SNOMED = frozenset({
    "399537006", "399390009", "399504009", "399534004", "399387003", "384625004",
    "385382003", "385380006", "399588009", "399651003", "399576007", "443830009",
})
PERFORMANCE_LOINC = frozenset({"89247-1", "89243-0", "89262-0"})
DISEASE_STATUS_LOINC = frozenset({"97509-4", "88040-1", "21976-6"})
DISEASE_STATUS_SNOMED = frozenset({"396432002", "445528004"})
GENOMIC_LOINC = frozenset({
    "69548-6", "81247-9", "53041-0", "51969-4", "48018-6", "82121-5", "69547-8",
})
_STAGING_WORDS = _words(r"\bTNM\b", r"\bstage\b", r"stadium", r"\bFIGO\b", r"\bUICC\b",
                        r"\b[cpy]?[TNM] category", r"grading")
_PERFORMANCE_WORDS = _words(r"\bECOG\b", r"karnofsky", r"performance status")
# MII 'Gesamtbeurteilung des Tumorstatus': P progression, Y recurrence
_MII_PROGRESSION = frozenset({"P", "Y"})
_PROGRESSION_SNOMED = frozenset({"271299001", "444391001", "25173007"})


def observation_kind(
    codes: list[Code], categories: list[Code], value_codes: list[Code], value_text: str,
    text: str,
) -> tuple[EventKind | None, str]:
    """The kind of an observation, or None and why it is left off the timeline."""
    loinc = {c.code for c in codes if c.system_name == "LOINC"}
    snomed = {c.code for c in codes if c.system_name == "SNOMED CT"}
    category_codes = {c.code.lower() for c in categories}
    if loinc & DISEASE_STATUS_LOINC or snomed & DISEASE_STATUS_SNOMED:
        progressed = any(
            (v.system_name == "SNOMED CT" and v.code in _PROGRESSION_SNOMED)
            or ("verlauf" in v.system and v.code in _MII_PROGRESSION)
            for v in value_codes
        ) or says_progression(value_text)
        return (EventKind.PROGRESSION if progressed else EventKind.RESPONSE), ""
    if loinc & TUMOR_MARKER_LOINC or loinc & BIOMARKER_LOINC:
        return EventKind.MARKER, ""
    if loinc & GENOMIC_LOINC or "tbd-codes" in " ".join(c.system for c in codes):
        return None, "genomic finding, shown with its report"
    if loinc & STAGING_LOINC or snomed & STAGING_SNOMED or _STAGING_WORDS.search(text):
        return EventKind.OTHER, ""
    if loinc & PERFORMANCE_LOINC or _PERFORMANCE_WORDS.search(text):
        return EventKind.OTHER, ""
    if _MARKER_WORDS.search(text):
        return EventKind.MARKER, ""
    for name in ("vital-signs", "social-history", "survey", "exam", "activity"):
        if name in category_codes:
            return None, name.replace("-", " ")
    return None, "not an oncology observation"


# Names for codes that sources send without a display (mCODE writes some codes bare).
_KNOWN_NAMES = {
    "1217123003": "Radiotherapy course of treatment",
    "89247-1": "ECOG performance status",
    "89243-0": "ECOG performance status",
    "89262-0": "Karnofsky performance status",
    "94076-7": "Tumor mutational burden",
    "81695-9": "Microsatellite instability",
    "97509-4": "Cancer disease status",
    "88040-1": "Cancer disease status",
    "21908-9": "Stage group",
}


def known_name(codes: list[Code]) -> str:
    return next((_KNOWN_NAMES[c.code] for c in codes if c.code in _KNOWN_NAMES), "")


# -- DiagnosticReport -------------------------------------------------------------------------

_GENOMIC_REPORT_LOINC = frozenset({"81247-9", "51969-4", "51968-6", "55232-3", "86206-0"})
_PATHOLOGY_REPORT_LOINC = frozenset({"60568-3", "11526-1", "22637-3", "22634-0", "33746-1",
                                     "66121-3", "60567-5"})
_IMAGING_REPORT_LOINC = frozenset({"18748-4", "18782-3", "24627-2", "24558-9", "36643-5"})


def report_kind(
    codes: list[Code], categories: list[Code], text: str
) -> tuple[EventKind | None, str]:
    """Genomic reports are sequencing events, pathology reports specimen events, imaging
    reports imaging events; lab panels are left to their observations."""
    loinc = {c.code for c in codes if c.system_name == "LOINC"}
    category_codes = {c.code.upper() for c in categories}
    if loinc & _GENOMIC_REPORT_LOINC or category_codes & {"GE", "GEN"}:
        return EventKind.SEQUENCING, ""
    if loinc & _PATHOLOGY_REPORT_LOINC or category_codes & {"PAT", "SP", "CP"}:
        return EventKind.SPECIMEN, ""
    if loinc & _IMAGING_REPORT_LOINC or category_codes & {"RAD", "RX", "CT", "NMR", "US", "NMS"}:
        return EventKind.IMAGING, ""
    if re.search(r"patholog|histolog|zytolog|cytolog", text, re.IGNORECASE):
        return EventKind.SPECIMEN, ""
    if re.search(r"genetic|genomic|sequenc|molekular|molecular", text, re.IGNORECASE):
        return EventKind.SEQUENCING, ""
    return None, "lab panel or other report (its observations are read one by one)"


# -- CarePlan ---------------------------------------------------------------------------------

_BOARD_WORDS = _words(r"tumou?r ?board", r"tumorkonferenz", r"tumor conference", r"\bMTB\b",
                      r"molecular tumou?r", r"therapieplan", r"therapieempfehlung")


def is_tumor_board(profiles: list[str], categories: list[Code], text: str) -> bool:
    """MII tumor-board and MTB therapy-plan profiles, or a category/text naming a board."""
    if any("tumorkonferenz" in p or "modul-mtb" in p for p in profiles):
        return True
    if any("therapieplanung" in c.system for c in categories):
        return True
    return bool(_BOARD_WORDS.search(text))
