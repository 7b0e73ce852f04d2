"""Biomarker eligibility read from ClinicalTrials.gov records' text (the real records of
tests/data/trials/ctgov), and patients against them: never more than 'possible', every reason
said to be read from text."""

from __future__ import annotations

import pytest

from mtb.trials.ctgov import Study, study_from_record
from mtb.trials.eligibility import match_study, read_study
from tests.trials.ctgov_server import records

STUDIES = {r["protocolSection"]["identificationModule"]["nctId"]: study_from_record(r)
           for r in records()}


@pytest.fixture(scope="module")
def is_gene(kb):
    return lambda symbol: kb.genes.exon_count(symbol) is not None


def test_what_the_text_says(is_gene) -> None:
    g12c = read_study(STUDIES["NCT04956640"], is_gene)
    assert [(m.genes, m.proteins, m.where) for m in g12c.required] == [
        (("KRAS",), ("G12C",), "inclusion")]
    assert g12c.ecog_max == 1 and g12c.excluding == ()  # 'prior KRAS G12C inhibitor' skipped
    tcr = read_study(STUDIES["NCT03745326"], is_gene)
    assert tcr.hla == ("HLA-A*11:01",)
    assert any(m.genes == ("KRAS",) and m.proteins == ("G12D",) for m in tcr.required)
    assert not any(m.genes == ("ALK",) for m in tcr.required)  # 'targeted therapy ... ALK'
    raf = read_study(STUDIES["NCT05786924"], is_gene)
    assert any(m.not_proteins == ("G12C",) for m in raf.required)  # 'KRAS non-G12C'
    assert [(m.genes, m.where) for m in raf.excluding] == [(("MAP2K1", "MAP2K2"), "exclusion")]
    vaccine = read_study(STUDIES["NCT06411691"], is_gene)
    assert vaccine.ecog_max == 0
    assert any(m.signature and m.kind == "stable" for m in vaccine.required)  # 'MMR-p'
    none = read_study(STUDIES["NCT05052671"], is_gene)
    assert none.required == () and none.ecog_max == 1


@pytest.mark.parametrize(("nct", "gene", "variant", "tumor", "facts", "status", "reason"), [
    # the KRAS G12C trial: a G12C lung cancer may fit; ECOG is not recorded
    ("NCT04956640", "KRAS", "G12C", "non-small cell lung cancer", {"age": 60}, "possible",
     "ECOG not recorded"),
    ("NCT04956640", "KRAS", "G12C", "non-small cell lung cancer", {"age": 60, "ecog": 2},
     "excluded", "latest ECOG 2"),
    ("NCT04956640", "KRAS", "G12D", "colorectal adenocarcinoma", {"age": 60}, "no match",
     "none among the case's findings"),
    # KRAS non-G12C: G12D fits, G12C is named by another cohort of the same record
    ("NCT05786924", "KRAS", "G12D", "lung adenocarcinoma", {"age": 60}, "possible",
     "KRAS non-G12C"),
    ("NCT05786924", "MAP2K1", "K57N", "colorectal adenocarcinoma", {"age": 60}, "no match",
     "none among"),
    # an age limit from the structured fields, HLA from the text
    ("NCT03745326", "KRAS", "G12D", "pancreatic adenocarcinoma", {"age": 80}, "excluded",
     "age 18-72 required"),
    ("NCT03745326", "KRAS", "G12D", "pancreatic adenocarcinoma", {"age": 60, "ecog": 0},
     "possible", "HLA-A*11:01 required"),
    # conditions: a lung cancer is not a pancreatic cancer trial's patient
    ("NCT06898385", "KRAS", "G12V", "lung adenocarcinoma", {"age": 60}, "excluded",
     "none of the record's conditions"),
    # MMR-proficient required, not recorded: unknown, not a match
    ("NCT06411691", "KRAS", "G12D", "colorectal adenocarcinoma", {"age": 60, "ecog": 0},
     "possible", "MSI status not recorded"),
    ("NCT06411691", "KRAS", "G12D", "colorectal adenocarcinoma", {"age": 60, "ecog": 0,
                                                                   "msi": "high"},
     "excluded", "microsatellite stable / pMMR required"),
])
def test_patients_against_records(is_gene, text_profile, nct, gene, variant, tumor, facts,
                                  status, reason) -> None:
    criteria = read_study(STUDIES[nct], is_gene)
    profile = text_profile("p", [(gene, variant)], tumor, **facts)
    found = match_study(criteria, profile)
    explained = " | ".join(r.text for r in found.reasons)
    assert found.status == status, explained
    assert reason in explained, explained
    assert found.source == "ClinicalTrials.gov" and found.recruiting
    assert all(r.from_text for r in found.reasons if r.genomic)


def test_a_mek1_mutation_excludes(is_gene, text_profile) -> None:
    criteria = read_study(STUDIES["NCT05786924"], is_gene)
    profile = text_profile("p", [("KRAS", "G12D"), ("MAP2K1", "K57N")], "lung adenocarcinoma",
                           age=60)
    found = match_study(criteria, profile)
    assert found.status == "excluded"
    assert any("MEK1/2 mutation" in r.text and "MAP2K1" in r.finding for r in found.excluding)


def _record(text: str, conditions: tuple[str, ...] = ("Non-small Cell Lung Cancer",)) -> Study:
    return Study("NCT00000001", "SYNTHETIC record", status="RECRUITING", conditions=conditions,
                 eligibility=text, minimum_age=18.0)


@pytest.mark.parametrize(("text", "status", "reason"), [
    ("Inclusion Criteria:\n* NSCLC without EGFR mutation or ALK rearrangement\n", "excluded",
     "the patient has EGFR p.L858R"),
    ("Inclusion Criteria:\n* EGFR wild-type non-small cell lung cancer\n", "excluded",
     "the patient has EGFR p.L858R"),
    ("Inclusion Criteria:\n* NSCLC with an EGFR L858R or exon 19 deletion\n", "possible",
     "EGFR L858R"),
    ("Inclusion Criteria:\n* Progression on prior EGFR tyrosine kinase inhibitor therapy\n",
     "possible", "no biomarker requirement found"),
    ("Inclusion Criteria:\n* Advanced NSCLC\nExclusion Criteria:\n* Known EGFR sensitizing "
     "mutation\n", "excluded", "exclusion text"),
])
def test_negations_and_treatment_sentences(is_gene, text_profile, text, status,
                                           reason) -> None:
    """SYNTHETIC records (NCT00000001 is a placeholder): 'without EGFR mutation' and 'EGFR
    wild-type' exclude an EGFR-mutant patient; 'prior EGFR TKI' names a treatment, not a
    biomarker to have."""
    profile = text_profile("p", [("EGFR", "L858R")], "lung adenocarcinoma", age=60)
    found = match_study(read_study(_record(text), is_gene), profile)
    explained = " | ".join(r.text for r in found.reasons)
    assert found.status == status, explained
    assert reason in explained, explained
