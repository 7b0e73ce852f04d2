"""Diagnoses as a tumor board writes them -> Disease Ontology terms with their ancestors.

Every table row says where its expectation comes from. "CExx" rows are the tumor_type ->
tumor_doid pairs of the project's clinical examples (research note clinical_examples.tsv,
checked against CIViC 01-Aug-2024 and the DO cancer slim 2026-07-31). Other rows cite ICD-10-GM,
the OncoTree tree of 2026-05-21, or the slim itself (DO_cancer_slim.obo, with line numbers where
one line proves the point).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotation.diseases import DiseaseOntology
from mtb.errors import KnowledgeBaseError

ONTOLOGY = Path(__file__).resolve().parents[2] / "annotation" / "snapshots" / "ontology"
SLIM = ONTOLOGY / "DO_cancer_slim.obo"
SUPPLEMENT = ONTOLOGY / "mtb_supplement.tsv"
UNKNOWN = (
    "diagnosis '{}' not found in the Disease Ontology cancer slim; "
    "tiers are given without tumor-type context"
)


@pytest.fixture(scope="module")
def onto() -> DiseaseOntology:
    return DiseaseOntology.bundled()


# (tumor_type as written, expected DOID, source / why)
CLINICAL = [
    ("metastatic malignant melanoma", "DOID:1909", "CE01; 'malignant melanoma' EXACT of melanoma"),
    ("ICD-10-GM:C43.5", "DOID:8923", "CE02; slim xref ICD10CM:C43.9 on skin melanoma"),
    ("metastatic colorectal cancer, RAS wild-type", "DOID:9256", "CE03; biomarker words ignored"),
    ("pancreatic ductal adenocarcinoma", "DOID:3498", "CE04; slim name"),
    ("lung adenocarcinoma, stage IV", "DOID:3910", "CE05; stage removed"),
    ("OncoTree:LUAD", "DOID:3910", "CE06; OncoTree LUAD = Lung Adenocarcinoma"),
    ("Adenokarzinom der Lunge", "DOID:3910", "CE07; German, from the supplement"),
    ("non-small cell lung cancer", "DOID:3908", "CE08; EXACT synonym of DOID:3908"),
    ("NSCLC, progression on erlotinib", "DOID:3908", "CE09; therapy history removed"),
    ("lung adenocarcinoma", "DOID:3910", "CE10, CE12; slim name"),
    ("metastatic non-small cell lung carcinoma", "DOID:3908", "CE11"),
    ("non-small cell lung cancer, stage IV", "DOID:3908", "CE13"),
    ("metastatic colorectal adenocarcinoma", "DOID:0050861", "CE14; slim name"),
    ("ICD-10-GM:C18.7", "DOID:219", "CE15; category C18 is colon cancer in the slim"),
    ("HER2-positive breast cancer", "DOID:0060079", "CE16; slim name 'HER2 positive ...'"),
    ("high-grade serous ovarian carcinoma", "DOID:0050933", "CE17; words of ovarian serous ca."),
    ("lung adenocarcinoma, never-smoker", "DOID:3910", "CE18; smoking status removed"),
    ("colon adenocarcinoma", "DOID:234", "CE19; slim name"),
    ("relapsed B-lymphoblastic leukemia", "DOID:0080630", "CE20; WHO name, relapse removed"),
    ("gastrointestinal stromal tumour of the stomach", "DOID:9253", "CE21; British spelling"),
    ("OncoTree:GIST", "DOID:9253", "CE22; OncoTree GIST"),
    ("relapsed/refractory acute myeloid leukaemia", "DOID:9119", "CE23; British spelling"),
    ("ICD-10-GM:C22.1", "DOID:4928", "CE24; C22.1 = intrahepatic bile duct carcinoma"),
    ("astrocytoma, IDH-mutant, CNS WHO grade 2", "DOID:0081256", "CE25; 'CNS WHO grade 2'"),
    ("adenocarcinoma of lung, metastatic", "DOID:3910", "CE26; RELATED synonym"),
    ("ER-positive, HER2-negative metastatic breast cancer", "DOID:0060075", "CE27"),
    ("ICD-10-GM:C92.00", "DOID:9119", "CE28; GM fifth digit dropped -> C92.0"),
    ("chronic myeloid leukaemia, BCR::ABL1-positive, chronic phase", "DOID:8552", "CE29"),
    ("chronic lymphocytic leukaemia, progression on venetoclax", "DOID:1040", "CE30"),
    ("metastatic castration-resistant prostate cancer", "DOID:0080909", "CE31; supplement term"),
    ("triple-negative breast cancer", "DOID:0060081", "CE32, CE33; slim name"),
]


@pytest.mark.parametrize(("text", "doid", "why"), CLINICAL, ids=[c[2][:4] for c in CLINICAL])
def test_clinical_examples(onto: DiseaseOntology, text: str, doid: str, why: str) -> None:
    diagnosis = onto.resolve(text)
    assert diagnosis.doid == doid, why
    assert diagnosis.text == text
    assert diagnosis.lineage[0] == doid and diagnosis.lineage[-1] == "DOID:162"
    assert diagnosis.name == onto.name(doid)
    assert diagnosis.warning is None


# (code, DOID, matched_by, why)
ICD10 = [
    (
        "C43.5",
        "DOID:8923",
        "ICD-10 C43.5 -> ICD10CM C43.9",
        "ICD-10-GM C43 is melanoma of skin; the slim's only C43 xref is C43.9 on skin melanoma",
    ),
    ("C18.7", "DOID:219", "ICD-10 C18.7 -> ICD10CM C18", "sigmoid colon; slim xref C18"),
    (
        "C22.1",
        "DOID:4928",
        "ICD-10 C22.1 -> C22.1 (mtb supplement)",
        "intrahepatic bile duct carcinoma; supplement picks the intrahepatic term over its parent",
    ),
    (
        "C92.00",
        "DOID:9119",
        "ICD-10 C92.00 -> ICD10CM C92.0",
        "AML not in remission (GM 5th digit); C92.0 is on AML and 3 subtypes, the general one wins",
    ),
    ("C34.1", "DOID:1324", "ICD-10 C34.1 -> ICD10CM C34.1", "upper lobe; slim xref on lung cancer"),
    ("C50.9", "DOID:1612", "ICD-10 C50.9 -> ICD10CM C50", "breast, unspecified; slim xref C50"),
    (
        "C34.9",
        "DOID:1324",
        "ICD-10 C34.9 -> C34 (mtb supplement)",
        "the commonest German lung code; the slim has only C34.1-C34.3",
    ),
    (
        "C71.9",
        "DOID:1319",
        "ICD-10 C71.9 -> C71.9 (mtb supplement)",
        "brain, unspecified; the slim maps C71.9 to diffuse midline glioma",
    ),
    (
        "C92.1",
        "DOID:8552",
        "ICD-10 C92.1 -> C92.1 (mtb supplement)",
        "CML; without the curated row the category fallback would say AML",
    ),
    (
        "C45",
        "DOID:1790",
        "ICD-10 C45 -> C45 (mtb supplement)",
        "mesothelioma; the slim maps C45 to benign mesothelioma",
    ),
    ("C91.00", "DOID:9952", "ICD-10 C91.00 -> ICD10CM C91.00", "ALL; slim xref"),
]


@pytest.mark.parametrize(("code", "doid", "how", "why"), ICD10, ids=[i[0] for i in ICD10])
def test_icd10_codes(onto: DiseaseOntology, code: str, doid: str, how: str, why: str) -> None:
    diagnosis = onto.resolve(code)
    assert (diagnosis.doid, diagnosis.matched_by) == (doid, how), why


@pytest.mark.parametrize(
    "text",
    [
        "ICD-10-GM:C43.5",
        "ICD10 C43.5",
        "icd-10-gm: c43.5",
        "C43.5 G",
        "C43.5G",
        "ICD-10-GM 2024: C43.5",
    ],
)
def test_icd10_spellings(onto: DiseaseOntology, text: str) -> None:
    """Prefixes, lower case and the GM certainty marker G ('gesichert') are all one code."""
    assert onto.resolve(text).doid == "DOID:8923"


def test_icd10_without_mapping_is_unknown(onto: DiseaseOntology) -> None:
    """C40 (bone) has no slim xref and no curated row: no guess, a warning instead."""
    diagnosis = onto.resolve("C40.2")
    assert diagnosis.doid is None
    assert "C40" in diagnosis.warning and "tumor-type context" in diagnosis.warning


def test_icd10_shared_code_warns_about_unrelated_terms(onto: DiseaseOntology) -> None:
    """C96.4 is the xref of three unrelated dendritic-cell sarcomas in the slim."""
    diagnosis = onto.resolve("C96.4")
    assert diagnosis.doid == "DOID:6262"
    assert "DOID:7146" in diagnosis.warning and "DOID:7848" in diagnosis.warning


# (code, DOID, OncoTree name)
ONCOTREE = [
    ("LUAD", "DOID:3910", "Lung Adenocarcinoma"),
    ("GIST", "DOID:9253", "Gastrointestinal Stromal Tumor"),
    ("SKCM", "DOID:8923", "Cutaneous Melanoma"),
    ("COAD", "DOID:234", "Colon Adenocarcinoma"),
    ("GB", "DOID:0080878", "Glioblastoma, IDH-Wildtype"),
    ("ESCA", "DOID:4914", "Esophageal Adenocarcinoma (OncoTree, not TCGA's meaning)"),
]


@pytest.mark.parametrize(("code", "doid", "why"), ONCOTREE, ids=[o[0] for o in ONCOTREE])
def test_oncotree_codes(onto: DiseaseOntology, code: str, doid: str, why: str) -> None:
    for text in (code, f"OncoTree:{code}", f"oncotree:{code.lower()}"):
        diagnosis = onto.resolve(text)
        assert (diagnosis.doid, diagnosis.matched_by) == (doid, f"OncoTree {code}"), why


def test_unknown_oncotree_code_is_reported(onto: DiseaseOntology) -> None:
    diagnosis = onto.resolve("OncoTree:NOTACODE")
    assert diagnosis.doid is None and "NOTACODE" in diagnosis.warning


# (German text, DOID, translation)
GERMAN = [
    ("Adenokarzinom der Lunge", "DOID:3910", "adenocarcinoma of the lung"),
    ("Lungenkarzinom", "DOID:3905", "lung carcinoma"),
    ("nicht-kleinzelliges Lungenkarzinom", "DOID:3908", "non-small cell lung carcinoma"),
    ("nichtkleinzelliges Lungenkarzinom", "DOID:3908", "same, written as one word"),
    ("kleinzelliges Lungenkarzinom", "DOID:5409", "small cell lung carcinoma"),
    ("Mammakarzinom", "DOID:3459", "breast carcinoma"),
    ("Mammakarzinom, triple-negativ", "DOID:0060081", "triple-negative breast carcinoma"),
    ("Triple-negative breast carcinoma (cell line HCC1395)", "DOID:0060081",
     "supplement: pathology writes carcinoma, the slim only 'triple-negative breast cancer'"),
    ("HER2-positive breast carcinoma", "DOID:0060079", "supplement, as above"),
    ("Kolonkarzinom", "DOID:1520", "colon carcinoma"),
    ("Rektumkarzinom", "DOID:1993", "rectal carcinoma"),
    ("malignes Melanom", "DOID:1909", "malignant melanoma"),
    ("Glioblastom", "DOID:3068", "glioblastoma"),
    ("Pankreaskarzinom", "DOID:4905", "pancreatic carcinoma"),
    ("Prostatakarzinom", "DOID:10286", "prostate carcinoma"),
    ("akute myeloische Leukämie", "DOID:9119", "acute myeloid leukemia, with umlaut"),
    ("akute myeloische Leukaemie", "DOID:9119", "same, typed without umlaut"),
    ("Magenkarzinom", "DOID:5517", "stomach carcinoma"),
    ("Ovarialkarzinom", "DOID:4001", "ovarian carcinoma"),
    ("Nierenzellkarzinom", "DOID:4450", "renal cell carcinoma"),
    ("Cholangiokarzinom", "DOID:4947", "cholangiocarcinoma"),
    ("Urothelkarzinom", "DOID:2671", "urothelial carcinoma (DO: transitional cell carcinoma)"),
    ("Diffus großzelliges B-Zell-Lymphom", "DOID:0050745", "DLBCL, with ß"),
    ("hepatisch metastasiertes Kolonkarzinom", "DOID:1520", "colon carcinoma, liver metastases"),
    ("Plattenepithelkarzinom der Lunge, UICC IV, pT2 pN1 M1", "DOID:3907", "lung SCC with TNM"),
]


@pytest.mark.parametrize(("text", "doid", "why"), GERMAN, ids=[g[0] for g in GERMAN])
def test_german_diagnoses(onto: DiseaseOntology, text: str, doid: str, why: str) -> None:
    diagnosis = onto.resolve(text)
    assert (diagnosis.doid, diagnosis.warning) == (doid, None), why


# (abbreviation, DOID, why)
ABBREVIATIONS = [
    ("NSCLC", "DOID:3908", "EXACT synonym and OncoTree code"),
    ("SCLC", "DOID:5409", "supplement and OncoTree; the slim's SCLC term has no synonyms"),
    ("CRC", "DOID:9256", "supplement"),
    ("mCRC", "DOID:9256", "supplement: metastatic CRC is filed under CRC"),
    ("HCC", "DOID:684", "OncoTree HCC"),
    ("GIST", "DOID:9253", "EXACT synonym"),
    ("AML", "DOID:9119", "OncoTree AML"),
    ("CML", "DOID:8552", "EXACT synonym beats the RELATED one on chronic leukemia"),
    ("CLL", "DOID:1040", "EXACT synonym beats the RELATED one on chronic leukemia"),
    ("TNBC", "DOID:0060081", "EXACT synonym"),
    ("HNSCC", "DOID:5520", "supplement"),
    ("RCC", "DOID:4450", "EXACT synonym"),
    ("ccRCC", "DOID:4467", "supplement"),
    ("GBM", "DOID:3068", "EXACT synonym"),
    ("PDAC", "DOID:3498", "supplement"),
    ("MM", "DOID:9538", "supplement"),
    ("B-ALL", "DOID:0080630", "EXACT synonym"),
    ("mCRPC", "DOID:0080909", "supplement; CIViC's PROfound evidence is on CRPC"),
]


@pytest.mark.parametrize(("text", "doid", "why"), ABBREVIATIONS, ids=[a[0] for a in ABBREVIATIONS])
def test_abbreviations(onto: DiseaseOntology, text: str, doid: str, why: str) -> None:
    assert onto.resolve(text).doid == doid, why


# (text, DOID, the pitfall the row guards against)
PITFALLS = [
    ("non-small cell lung cancer", "DOID:3908", "contains every word of 'small cell lung cancer'"),
    ("small cell lung cancer", "DOID:5409", "must not become NSCLC either"),
    ("non small cell lung carcinoma", "DOID:3908", "hyphen missing"),
    ("non-small cell lung cancer with EGFR exon 19 deletion", "DOID:3908", "word match"),
    ("breast cancer with liver metastases", "DOID:1612", "a metastasis site is not the tumor"),
    ("breast cancer with multiple liver and lung metastases", "DOID:1612", "several sites"),
    ("Mammakarzinom mit Lebermetastasen", "DOID:3459", "same, in German"),
    ("acute myeloid leukemia with t(8;21)", "DOID:9119", "slim files acute leukemia deeper"),
    ("malignant glioma, glioblastoma", "DOID:3068", "longer name of an ancestor loses"),
    ("HER2-/HR- breast cancer", "DOID:0060081", "trailing minus signs mean negative"),
    ("ER+/PR+/HER2- breast cancer", "DOID:0060075", "plus and minus signs"),
    ("EGFR-mutant NSCLC", "DOID:3908", "acronym inside a longer text"),
    ("All stages of melanoma", "DOID:1909", "'All' is not acute lymphoblastic leukemia"),
    ("uveal melanoma metastatic to the liver", "DOID:6039", "not liver cancer"),
    ("Adenocarcinoma of the lung (EGFR exon 19 del), stage IVB", "DOID:3910", "remark removed"),
    ("glioblastoma, IDH-wildtype, CNS WHO grade 4", "DOID:0080878", "more specific than GBM"),
    ("Z.n. Hemikolektomie bei Kolonkarzinom", "DOID:1520", "'status after' marker"),
]


@pytest.mark.parametrize(("text", "doid", "why"), PITFALLS, ids=[p[2][:30] for p in PITFALLS])
def test_pitfalls(onto: DiseaseOntology, text: str, doid: str, why: str) -> None:
    diagnosis = onto.resolve(text)
    assert (diagnosis.doid, diagnosis.warning) == (doid, None), why


@pytest.mark.parametrize(
    ("text", "doid", "how"),
    [
        ("DOID:3910", "DOID:3910", "DOID"),
        ("doid:3910", "DOID:3910", "DOID"),
        ("DOID_3910", "DOID:3910", "DOID"),
        (" DOID:3910 ", "DOID:3910", "DOID"),
        ("DOID:3909", "DOID:3910", "DOID (DOID:3909 is an alt_id of DOID:3910)"),  # slim l. 6840
        ("DOID:0080909", "DOID:0080909", "DOID"),  # defined by the supplement
    ],
)
def test_doid_forms(onto: DiseaseOntology, text: str, doid: str, how: str) -> None:
    diagnosis = onto.resolve(text)
    assert (diagnosis.doid, diagnosis.matched_by) == (doid, how)


def test_bare_digits_are_not_a_doid(onto: DiseaseOntology) -> None:
    assert onto.resolve("3910").doid is None


def test_obsolete_doid_is_kept_with_a_warning(onto: DiseaseOntology) -> None:
    """DOID:0080191 is obsolete in the slim but still used by one CIViC item."""
    diagnosis = onto.resolve("DOID:0080191")
    assert diagnosis.doid == "DOID:0080191" and "obsolete" in diagnosis.warning


@pytest.mark.parametrize("text", ["xyzzy", "", "tumor", "DOID:99999999", "3910"])
def test_unknown_input(onto: DiseaseOntology, text: str) -> None:
    diagnosis = onto.resolve(text)
    assert diagnosis == type(diagnosis)(text=text, doid=None, warning=UNKNOWN.format(text))
    assert not diagnosis.known


def test_generic_match_is_flagged(onto: DiseaseOntology) -> None:
    """The slim has no tongue cancer: only the root matched, and the board must be told."""
    diagnosis = onto.resolve("tongue cancer")
    assert diagnosis.doid == "DOID:162" and "generic" in diagnosis.warning


def test_lineage_of_lung_adenocarcinoma(onto: DiseaseOntology) -> None:
    """is_a chain in the slim: 3910 -> 3908 -> 3905 -> 1324 -> 162 (lines 6857 and up)."""
    expected = ("DOID:3910", "DOID:3908", "DOID:3905", "DOID:1324", "DOID:162")
    assert onto.lineage("DOID:3910") == expected
    assert onto.lineage("3910") == expected
    assert onto.lineage("DOID:4826") == expected  # alt_id of 3910
    assert onto.resolve("lung adenocarcinoma").lineage == expected


def test_skin_melanoma_is_a_melanoma(onto: DiseaseOntology) -> None:
    """The slim lost this link (DOID:8923 is_a only DOID:162); the supplement restores it."""
    assert onto.lineage("DOID:8923") == ("DOID:8923", "DOID:1909", "DOID:162")
    assert "DOID:1909" in onto.resolve("ICD-10-GM:C43.5").lineage


def test_crpc_joins_the_prostate_branch(onto: DiseaseOntology) -> None:
    """DO 2026-08-31: castration-resistant prostate carcinoma is_a prostate carcinoma."""
    assert onto.lineage("DOID:0080909") == ("DOID:0080909", "DOID:10286", "DOID:10283", "DOID:162")
    assert onto.name("DOID:0080909") == "castration-resistant prostate carcinoma"


def test_lineage_with_two_parents_has_no_duplicates(onto: DiseaseOntology) -> None:
    """Triple-negative BC is_a HER2-negative BC and is_a breast cancer in the slim."""
    assert onto.lineage("DOID:0060081") == ("DOID:0060081", "DOID:0060080", "DOID:1612", "DOID:162")
    lineage = onto.lineage("DOID:3969")  # papillary thyroid carcinoma, also two parents
    assert len(lineage) == len(set(lineage)) and lineage[-1] == "DOID:162"


def test_lineage_of_unknown_doid_is_empty(onto: DiseaseOntology) -> None:
    assert onto.lineage("DOID:14175") == ()  # VHL disease: in CIViC, not in the slim


@pytest.mark.parametrize(
    ("doid", "solid"),
    [
        ("DOID:9119", False),  # AML: leukemia -> hematologic cancer
        ("DOID:8552", False),  # CML
        ("DOID:9538", False),  # multiple myeloma
        ("DOID:0050745", False),  # DLBCL: lymphoma -> hematologic cancer
        ("DOID:3910", True),  # lung adenocarcinoma
        ("DOID:0080909", True),  # CRPC through the supplement link
        ("DOID:162", None),  # the root itself: could be either
        ("DOID:3315", None),  # lipoma: outside 'cancer' in the slim
        ("DOID:99999999", None),  # unknown
    ],
)
def test_is_solid(onto: DiseaseOntology, doid: str, solid: bool | None) -> None:
    assert onto.is_solid(doid) is solid


def test_resolve_fills_solid(onto: DiseaseOntology) -> None:
    assert onto.resolve("acute myeloid leukemia").solid is False
    assert onto.resolve("Mammakarzinom").solid is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3910", "DOID:3910"),
        ("DOID:3910", "DOID:3910"),
        ("DOID_3910", "DOID:3910"),
        ("doid:3910", "DOID:3910"),
        ("0060079", "DOID:0060079"),  # leading zeros are part of the id
        ("DOID:3909", "DOID:3910"),  # alt_id -> primary
        ("60079", None),  # not the same id as 0060079
        ("DOID:99999999", None),
        ("lung", None),
        ("", None),
    ],
)
def test_normalise_doid(onto: DiseaseOntology, value: str, expected: str | None) -> None:
    assert onto.normalise_doid(value) == expected


def test_names(onto: DiseaseOntology) -> None:
    assert onto.name("DOID:3908") == "lung non-small cell carcinoma"
    assert onto.name("DOID:99999999") == ""


def _supplement_rows(kind: str) -> list[tuple[str, str]]:
    lines = [line for line in SUPPLEMENT.read_text().splitlines() if not line.startswith("#")]
    return [
        (row["key"], row["doid"])
        for row in csv.DictReader(lines, delimiter="\t")
        if row["kind"] == kind
    ]


@pytest.mark.parametrize(("key", "doid"), _supplement_rows("synonym"))
def test_every_curated_synonym_resolves_to_its_term(onto: DiseaseOntology, key: str, doid: str):
    """No curated name is swallowed by another rule (ICD regex, OncoTree, qualifier removal)."""
    assert onto.resolve(key).doid == doid


@pytest.mark.parametrize(("code", "doid"), _supplement_rows("oncotree"))
def test_every_oncotree_row_resolves(onto: DiseaseOntology, code: str, doid: str) -> None:
    assert onto.resolve(f"OncoTree:{code}").doid == doid


@pytest.mark.parametrize(("code", "doid"), _supplement_rows("icd10"))
def test_every_icd10_row_resolves(onto: DiseaseOntology, code: str, doid: str) -> None:
    assert onto.resolve(code).doid == doid


WORDS = [
    "lung",
    "cancer",
    "carcinoma",
    "non",
    "small",
    "cell",
    "non-small",
    "adenocarcinoma",
    "of",
    "HER2-",
    "ER+",
    "breast",
    "metastases",
    "liver",
    "with",
    "(",
    ")",
    "stage",
    "IV",
    "C34.1",
    "DOID:",
    "3910",
    "OncoTree:",
    "LUAD",
    "ALL",
    "all",
    "Leukämie",
    "akute",
    "myeloische",
    "–",
    "progression",
    "on",
    "grade",
    "2",
    "::",
    "Z.n.",
    "t(8;21)",
    "AML",
    "-",
    "/",
    ",",
]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(max_size=120), st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join))
)
def test_resolve_never_raises(text: str) -> None:
    """Any text gives a Diagnosis: a known term with its lineage, or None with a warning."""
    diagnosis = DiseaseOntology.bundled().resolve(text)
    assert diagnosis.text == text
    if diagnosis.doid is None:
        assert "not found" in diagnosis.warning
    else:
        assert diagnosis.lineage[0] == diagnosis.doid and diagnosis.name


def test_long_pasted_input_resolves(onto: DiseaseOntology) -> None:
    """Pasted reports must not stall the app: the qualifier patterns are linear (an unbounded
    repetition of metastasis sites once took 1.5 s on this input; bench, not a timer, guards
    the speed)."""
    diagnosis = onto.resolve("liver and " * 3000 + "lung " * 3000)
    assert diagnosis.doid is None or diagnosis.lineage[-1] == "DOID:162"


def test_bundled_is_loaded_once() -> None:
    assert DiseaseOntology.bundled() is DiseaseOntology.bundled()


# --- broken files are refused, naming the file ---


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_obo(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match=r"nothere\.obo"):
        DiseaseOntology.load(tmp_path / "nothere.obo", SUPPLEMENT)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<html>503 Service Unavailable</html>\n", "not an OBO file"),
        ("format-version: 1.2\n\n[Term]\nid: DOID:162\n", "without id or name"),
        ("format-version: 1.2\n\n[Term]\nid: DOID:3910\nname: lung adenocarcinoma\n", "DOID:162"),
    ],
    ids=["not-obo", "truncated-stanza", "truncated-file"],
)
def test_corrupt_obo(tmp_path: Path, text: str, problem: str) -> None:
    obo = _write(tmp_path, "broken.obo", text)
    with pytest.raises(KnowledgeBaseError, match=problem) as raised:
        DiseaseOntology.load(obo, SUPPLEMENT)
    assert "broken.obo" in str(raised.value)


def test_undecodable_obo(tmp_path: Path) -> None:
    obo = tmp_path / "binary.obo"
    obo.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(KnowledgeBaseError, match=r"binary\.obo"):
        DiseaseOntology.load(obo, SUPPLEMENT)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("synonym\tLungenkrebs\tDOID:99999999\ttypo", "DOID:99999999 is not in the slim"),
        ("oncotree\tLUAD\tDOID:3908\tclash", "already maps elsewhere"),
        ("colour\tred\tDOID:162\t", "malformed row"),
    ],
    ids=["unknown-doid", "conflicting-key", "unknown-kind"],
)
def test_corrupt_supplement(tmp_path: Path, row: str, problem: str) -> None:
    supplement = tmp_path / "supplement.tsv"
    shutil.copy(SUPPLEMENT, supplement)
    with supplement.open("a", encoding="utf-8") as out:
        out.write(row + "\n")
    with pytest.raises(KnowledgeBaseError, match=problem) as raised:
        DiseaseOntology.load(SLIM, supplement)
    assert "supplement.tsv" in str(raised.value)


def test_supplement_term_without_parent_is_refused(tmp_path: Path) -> None:
    """A term the slim lacks must be attached, or its evidence would reach no ancestor."""
    supplement = _write(
        tmp_path, "orphan.tsv", "kind\tkey\tdoid\tnote\nsynonym\tnew disease\tDOID:99999999\t\n"
    )
    with pytest.raises(KnowledgeBaseError, match="no is_a row attaches it"):
        DiseaseOntology.load(SLIM, supplement)
