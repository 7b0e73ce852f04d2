"""`mtb trials add|list|match|patients` as users run them (the console script, a subprocess),
with the bundled sample cases, the test trials and ClinicalTrials.gov on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.trials.conftest import REPO, TRIALS
from tests.trials.ctgov_server import serve

MTB = shutil.which("mtb") or str(Path(sys.executable).parent / "mtb")
HANDMADE = TRIALS / "handmade"


@pytest.fixture()
def env(tmp_path, data_dir, kb):
    """The session's data dir (its knowledge-base index is built), a store and a portfolio of
    this test's own; no ClinicalTrials.gov answer kept by an earlier test (the stand-in server
    has the same address in every test)."""
    shutil.rmtree(data_dir / "ctgov-cache", ignore_errors=True)
    return {**os.environ, "MTB_DATA_DIR": str(data_dir),
            "MTB_DB_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
            "MTB_TRIALS_DIR": str(tmp_path / "trials"),
            "MTB_CASES_DIR": str(REPO / "sample_cases"), "MTB_LIVE": "0"}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MTB, "trials", *args], capture_output=True, text=True, timeout=300,
                          env=env)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


def test_add_and_list(env) -> None:
    added = run(env, "add", *(str(p) for p in sorted(HANDMADE.glob("*.yaml"))))
    assert added.returncode == 0, added.stderr
    assert "added SYN-KRAS-G12: 2 arms with criteria, genes KRAS" in added.stdout
    listed = run(env, "list")
    assert listed.returncode == 0, listed.stderr
    table = rows(listed.stdout)
    assert len(table) == 6 and list(table[0]) == [
        "trial", "nct_id", "title", "phase", "status", "open_arms", "arms", "genes", "file"]
    kras = next(r for r in table if r["trial"] == "SYN-KRAS-G12")
    assert (kras["open_arms"], kras["arms"], kras["genes"]) == ("1", "2", "KRAS")
    as_json = json.loads(run(env, "list", "--format", "json").stdout)
    assert {a["status"] for t in as_json if t["trial"] == "SYN-KRAS-G12"
            for a in t["arms"]} == {"open", "suspended"}


def test_bad_ctml_is_one_line_with_file_field_and_line(env, tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((HANDMADE / "SYN-EGFR-NSCLC.yaml").read_text().replace(
        "protein_change: p.L858R", "protein_change: p.L858"))
    result = run(env, "add", str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith(f"mtb: error: {bad}, line 15: ")
    assert "genomic.protein_change: 'p.L858' is a residue, not a change" in result.stderr
    assert not Path(env["MTB_TRIALS_DIR"]).exists()


def test_match_a_case_offline_then_live(env, httpserver) -> None:
    assert run(env, "add", *(str(p) for p in HANDMADE.glob("*.yaml"))).returncode == 0
    offline = run(env, "match", "synthetic-egfr-lung")
    assert offline.returncode == 0, offline.stderr
    table = rows(offline.stdout)
    assert list(table[0])[:6] == ["source", "trial", "nct_id", "arm", "recruiting", "status"]
    g12 = next(r for r in table if r["trial"] == "SYN-KRAS-G12" and r["arm"] == "G12-ANY")
    assert g12["status"] == "match" and "KRAS p.G12D (tier IIC)" in g12["matched"]
    egfr = {r["arm"]: r for r in table if r["trial"] == "SYN-EGFR-NSCLC"}
    assert egfr["L858R"]["status"] == egfr["T790M"]["status"] == "match"
    assert "EX19DEL" not in egfr  # no exon 19 deletion: not listed
    assert {r["source"] for r in table} == {"portfolio"}
    assert "ClinicalTrials.gov not asked (offline" in offline.stderr
    base, fake = serve(httpserver)
    live = run({**env, "MTB_CTGOV_URL": base}, "match", "synthetic-egfr-lung", "--live",
               "--format", "json")
    assert live.returncode == 0, live.stderr
    found = json.loads(live.stdout)
    registry = found["clinicaltrials_gov"]
    assert registry["note"].startswith("ClinicalTrials.gov as of ")
    assert "read from the records' text" in registry["note"]
    assert {"EGFR", "KRAS"} <= set(registry["query"]["term"].split(" OR "))
    studies = {s["trial"]: s for s in registry["studies"]}
    assert studies["NCT06385925"]["status"] == "possible"  # KRAS G12D, any malignant neoplasm
    assert all(r["read_from_text"] for s in studies.values() for r in s["reasons"]
               if "read from" in r["text"])
    assert found["portfolio"][0]["source"] == "portfolio"
    assert any(r.get("query.term") for r in fake.requests)


def test_patients_for_a_trial_are_audited(env, httpserver) -> None:
    assert run(env, "add", str(HANDMADE / "SYN-BRAF-NOT-MEL.yaml"),
               str(HANDMADE / "SYN-SIGNATURES.yaml")).returncode == 0
    result = run(env, "patients", "syn-braf-not-mel")
    assert result.returncode == 0, result.stderr
    table = rows(result.stdout)
    assert [(r["case"], r["status"]) for r in table] == [("tcga-a6-2686-colon", "excluded")]
    assert "BRAF p.V600E (tier IA)" in table[0]["matched"]
    assert "the patient has died" in table[0]["excluding"]
    assert re.search(r"1 of \d+ patients", result.stderr)  # sample cases (+ any added)
    tmb = rows(run(env, "patients", "SYN-SIGNATURES").stdout)
    assert ("hcc1395-breast", "TMB-MSI", "match") in {(r["case"], r["arm"], r["status"])
                                                      for r in tmb}
    from mtb.store import Store

    store = Store.open(env["MTB_DB_URL"])
    try:
        asked = [e for e in store.audit() if e.action == "trial_patients"]
    finally:
        store.close()
    assert len(asked) == 2 and asked[0].user_name.endswith("(command line)")
    assert re.search(r"patients for trial SYN-BRAF-NOT-MEL: 1 of \d+ cases", asked[0].after)
    unknown = run(env, "patients", "NCT06008288")
    assert unknown.returncode == 2 and "did not answer" in unknown.stderr
    base, _ = serve(httpserver)
    registry = run({**env, "MTB_CTGOV_URL": base}, "patients", "NCT06008288", "--live",
                   "--format", "json")
    assert registry.returncode == 0, registry.stderr
    assert json.loads(registry.stdout)["source"] == "ClinicalTrials.gov"
