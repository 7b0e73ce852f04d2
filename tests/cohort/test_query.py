"""The cohort query on a drawn SYNTHETIC cohort (tests/cohort/drawn_cohort.py) and on the
annotated sample cases. Each table has as many rows that must not match as rows that must.
Spellings: HGVS protein nomenclature (p.Val600Glu = p.V600E, varnomen.hgvs.org); tumor types:
the Disease Ontology (lung adenocarcinoma DOID:3910 is_a lung non-small cell carcinoma
DOID:3908; lung small cell carcinoma DOID:5409 is not)."""

from __future__ import annotations

import io
import json

import pytest

from mtb.board import Actor
from mtb.cohort.query import COLUMNS, CohortQuery, audit, run
from tests.cohort.drawn_cohort import COHORT

CHAIR = Actor("chef", "chair")
CURATOR = Actor("cura", "curator")

# (filters, case ids that must match, case ids that must not)
QUERIES = [
    ({"gene": "BRAF", "variant": "p.V600E"}, {"syn-luad-braf", "syn-mel-braf3"},
     {"syn-mel-v600k"}),
    ({"gene": "BRAF", "variant": "p.Val600Glu"}, {"syn-luad-braf", "syn-mel-braf3"},
     {"syn-mel-v600k"}),
    ({"variant": "BRAF V600E"}, {"syn-luad-braf", "syn-mel-braf3"}, {"syn-mel-v600k"}),
    ({"gene": "BRAF", "variant": "V600K"}, {"syn-mel-v600k"},
     {"syn-luad-braf", "syn-mel-braf3"}),
    ({"gene": "BRAF", "variant": "codon V600"},
     {"syn-luad-braf", "syn-mel-braf3", "syn-mel-v600k"}, {"syn-luad-egfr"}),
    ({"gene": "EGFR", "variant": "exon 19 deletion"}, {"syn-luad-egfr"}, {"syn-luad-braf"}),
    ({"gene": "EGFR", "variant": "exon 20 deletion"}, set(), {"syn-luad-egfr"}),
    ({"variant": "EML4-ALK"}, {"syn-luad-alk"}, {"syn-sclc-erbb2"}),
    ({"gene": "EML4", "variant": "fusion"}, {"syn-luad-alk"}, {"syn-luad-braf"}),
    ({"gene": "ERBB2", "variant": "amplification"}, {"syn-sclc-erbb2"}, {"syn-luad-alk"}),
    ({"gene": "ERBB2", "variant": "deep deletion"}, set(), {"syn-sclc-erbb2"}),
    ({"variant_class": "fusion"}, {"syn-luad-alk"}, {"syn-luad-braf", "syn-sclc-erbb2"}),
    ({"tumor_type": "NSCLC"}, {"syn-luad-braf", "syn-luad-egfr", "syn-luad-alk"},
     {"syn-sclc-erbb2", "syn-mel-braf3"}),
    ({"tumor_type": "SCLC"}, {"syn-sclc-erbb2"}, {"syn-luad-braf", "syn-luad-alk"}),
    ({"tumor_type": "lung cancer"}, {"syn-sclc-erbb2", "syn-luad-braf"}, {"syn-mel-braf3"}),
    ({"tumor_type": "NSCLC", "gene": "BRAF"}, {"syn-luad-braf"}, {"syn-mel-braf3"}),
    ({"tier": "I"}, {"syn-luad-braf", "syn-luad-egfr", "syn-luad-alk"}, {"syn-sclc-erbb2"}),
    ({"tier": "III"}, {"syn-luad-braf", "syn-sclc-erbb2"}, {"syn-mel-braf3", "syn-luad-alk"}),
    ({"biomarker": "TMB-high"}, {"syn-luad-alk"}, {"syn-luad-braf", "syn-sclc-erbb2"}),
    ({"biomarker": "MSI-high"}, set(), {"syn-luad-alk", "syn-luad-braf"}),
    ({"status": "prepared"}, set(COHORT), set()),
    ({"status": "final"}, set(), set(COHORT)),
]


@pytest.mark.parametrize(("filters", "positive", "negative"), QUERIES)
def test_query_table(cohort_store, filters, positive, negative):
    result = run(cohort_store, CohortQuery(**filters))
    found = {row.case_id for row in result.rows}
    assert positive <= found, filters
    assert not (negative & found), filters
    assert {case.case_id for case in result.cases} == found


def test_finding_rows_not_other_findings(cohort_store):
    """One row per matching finding: BRAF V600E in the adenocarcinoma, not its TP53."""
    rows = run(cohort_store, CohortQuery(gene="BRAF", variant="V600E")).rows
    assert {(r.case_id, r.alteration) for r in rows} == {
        ("syn-luad-braf", "BRAF p.V600E"), ("syn-mel-braf3", "BRAF p.Val600Glu")}
    assert all(r.tier == "IA" and r.status == "prepared" for r in rows)
    assert rows[0].tumor_type == "lung adenocarcinoma"


def test_curated_tier_wins(cohort_store):
    key = "cnv:ERBB2 amplification (12)"
    cohort_store.curate("syn-sclc-erbb2", key, CURATOR, 0, tier_override="IA",
                        override_reason="drawn test: curated up")
    rows = run(cohort_store, CohortQuery(tier="IA")).rows
    erbb2 = [r for r in rows if r.gene == "ERBB2"]
    assert erbb2 and erbb2[0].tier == "IA" and erbb2[0].computed_tier == "IIC" and \
        erbb2[0].curated
    assert not [r for r in run(cohort_store, CohortQuery(tier="IIC")).rows if r.gene == "ERBB2"]
    # and curated down: the BRAF V600E row leaves tier I
    braf_key = next(r.finding_key for r in cohort_store.finding_rows("syn-luad-braf", 1)
                    if r.gene == "BRAF")
    cohort_store.curate("syn-luad-braf", braf_key, CURATOR, 0, tier_override="III",
                        override_reason="drawn test: curated down")
    tier_one = {r.case_id for r in run(cohort_store, CohortQuery(tier="I", gene="BRAF")).rows}
    assert "syn-luad-braf" not in tier_one and "syn-mel-braf3" in tier_one


def test_therapy_and_status(cohort_store):
    cohort_store.recommend("syn-luad-braf", CHAIR, kind="therapy",
                           text="dabrafenib + trametinib", evidence_grade="m1A")
    cohort_store.recommend("syn-mel-braf3", CHAIR, kind="diagnostics", text="germline testing")
    found = {r.case_id for r in run(cohort_store, CohortQuery(therapy="dabrafenib")).rows}
    assert found == {"syn-luad-braf"}
    rows = run(cohort_store, CohortQuery(therapy="diagnostics")).rows
    assert {r.case_id for r in rows} == {"syn-mel-braf3"}
    braf = run(cohort_store, CohortQuery(gene="BRAF", variant="V600E")).rows
    assert "therapy: dabrafenib + trametinib (m1A)" in braf[0].recommendations


def test_date_range(cohort_store):
    from datetime import date, timedelta

    today = date.today()
    assert run(cohort_store, CohortQuery(since=today - timedelta(days=1))).cases
    assert not run(cohort_store, CohortQuery(until=today - timedelta(days=1))).cases


def test_counts(cohort_store):
    result = run(cohort_store, CohortQuery(gene="BRAF", variant="V600"))
    assert result.by_tumor_type == {"melanoma": 2, "lung adenocarcinoma": 1}
    assert result.by_tier == {"IA": 3}


def test_audited_without_patient_data(cohort_store):
    before = cohort_store.audit_count()
    result = run(cohort_store, CohortQuery(gene="BRAF", variant="V600E"))
    audit(cohort_store, "vera", result)
    entry = cohort_store.audit(newest=1)[-1]
    assert cohort_store.audit_count() == before + 1
    assert (entry.user_name, entry.action) == ("vera", "cohort_query")
    detail = json.loads(json.loads(entry.after)["detail"])
    assert detail == {"filters": {"gene": "BRAF", "variant": "V600E"}, "rows": 2, "cases": 2}
    assert "syn-" not in entry.after  # no case ids in the audit of a query


def test_cli_columns(cohort_store, tmp_path, monkeypatch):
    from mtb.cli import main

    monkeypatch.setenv("MTB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MTB_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    before = cohort_store.audit_count()
    assert main(["cohort", "query", "--gene", "BRAF", "--variant", "p.Val600Glu"]) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split("\t")[:6] == ["case_id", "tumor_type", "gene", "alteration", "tier",
                                        "status"]
    assert lines[0].split("\t") == list(COLUMNS)
    cells = [line.split("\t") for line in lines[1:]]
    assert sorted(c[0] for c in cells) == ["syn-luad-braf", "syn-mel-braf3"]
    assert cohort_store.audit(newest=1)[-1].action == "cohort_export"
    assert cohort_store.audit_count() == before + 1
    out.truncate(0)
    out.seek(0)
    assert main(["cohort", "query", "--tumor-type", "SCLC", "--format", "json"]) == 0
    data = json.loads(out.getvalue())
    assert data["cases"] == ["syn-sclc-erbb2"]


def test_sample_cases(sample_store):
    """The annotated samples: the synthetic EGFR lung case (EGFR L858R, lung adenocarcinoma,
    sample_cases/synthetic-egfr-lung) is found by gene, by spelling and by NSCLC, not by
    SCLC nor by L858Q."""
    from mtb.store import Store

    store = Store.open(f"sqlite:///{sample_store}")
    try:
        for filters, want in [({"gene": "EGFR", "variant": "L858R"}, True),
                              ({"gene": "EGFR", "variant": "p.Leu858Arg"}, True),
                              ({"gene": "EGFR", "variant": "L858Q"}, False),
                              ({"tumor_type": "NSCLC", "gene": "EGFR"}, True),
                              ({"tumor_type": "SCLC", "gene": "EGFR"}, False)]:
            found = {r.case_id for r in run(store, CohortQuery(**filters)).rows}
            assert ("synthetic-egfr-lung" in found) is want, filters
    finally:
        store.close()
