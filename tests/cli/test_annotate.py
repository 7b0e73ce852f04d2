"""`mtb annotate` and `mtb kb build|status|update` as users run them (installed console script);
live sources against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from annotation.index import load_index
from annotation.snapshots import SNAPSHOT_DIR
from mtb.rows import ANNOTATE_COLUMNS, INGEST_COLUMNS
from tests.conftest import needs_shared

MTB = shutil.which("mtb") or str(Path(sys.executable).parent / "mtb")
ANNOTATE_CONTRACT = ["amp_tier", "evidence_level", "therapies", "match_granularity", "sources",
                     "reasons"]
RELEASE = SNAPSHOT_DIR / "civic" / "01-Jul-2025"


def run(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MTB_")}
    environment = {**inherited, "MTB_DATA_DIR": str(data_dir), **env}
    return subprocess.run([MTB, *args], capture_output=True, text=True, timeout=300,
                          env=environment)


def test_columns_are_ingest_columns_then_the_annotation_contract() -> None:
    assert list(ANNOTATE_COLUMNS[: len(INGEST_COLUMNS)]) == list(INGEST_COLUMNS)
    after = list(ANNOTATE_COLUMNS[len(INGEST_COLUMNS):])
    assert after[: len(ANNOTATE_CONTRACT)] == ANNOTATE_CONTRACT


@needs_shared
def test_annotate_tsv_builds_the_index_on_first_use(vcf_dir, tmp_path) -> None:
    result = run("annotate", str(vcf_dir / "pcgr/T001-BRCA.grch37.vcf.gz"),
                 "--diagnosis", "C50.9", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "building knowledge-base index" in result.stderr and "100% done" in result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter="\t"))
    assert list(rows[0]) == list(ANNOTATE_COLUMNS)
    assert len(rows) == 198
    # TMB and the MSI estimate are rows of their own, negative here, with their basis
    tmb, msi = (next(r for r in rows if r["gene"] == name) for name in ("TMB", "MSI"))
    assert (tmb["variant_type"], tmb["alteration"], tmb["amp_tier"]) == (
        "biomarker", "TMB 5.5 mut/Mb (low)", "IV")
    assert "computed from the calls" in tmb["reasons"] and not tmb["therapies"]
    assert (msi["alteration"], msi["amp_tier"]) == ("microsatellite stable (estimate)", "IV")
    assert "estimated from the indel pattern" in msi["reasons"]
    # TCGA-A2-A04W carries PIK3CA H1047R (3:178952085 A>G on GRCh37), unannotated in the VCF
    pik3ca = next(r for r in rows if r["pos"] == "178952085")
    # IA from the alpelisib/capivasertib labels, which H1047R reaches as an activating
    # hotspot change of PIK3CA (the JSON test below checks the exact genomic CIViC match)
    assert (pik3ca["amp_tier"], pik3ca["evidence_level"], pik3ca["match_granularity"]) == (
        "IA", "A", "gene_class")
    assert "Alpelisib + Fulvestrant" in pik3ca["therapies"]
    assert pik3ca["alteration"] == "PIK3CA p.H1047R"
    assert pik3ca["hotspot"].startswith("PIK3CA H1047 (single residue")
    assert "diagnosis: 'C50.9' -> " in result.stderr and "ICD-10" in result.stderr
    assert "source: CIViC 01-Jul-2025 (offline)" in result.stderr


@needs_shared
def test_annotate_json_and_unknown_diagnosis(vcf_dir, tmp_path) -> None:
    result = run("annotate", str(vcf_dir / "pcgr/T001-BRCA.grch37.vcf.gz"), "--diagnosis",
                 "xyzzy", "--format", "json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["case"]["diagnosis"]["doid"] is None
    assert document["case"]["tiers"]["IA"] == 0  # no tier I without tumor-type context
    assert "warning: diagnosis 'xyzzy' not found" in result.stderr
    pik3ca = next(v for v in document["variants"] if v["pos"] == 178952085)
    assert pik3ca["amp_tier"] == "IIC"
    # CIViC 2025 gives H1047R's GRCh37 allele: the first match is the exact genomic one
    assert pik3ca["matches"][0]["granularity"] == "exact_genomic"
    assert pik3ca["matches"][0]["evidence"]["source"] == "CIViC"


@needs_shared
def test_measured_biomarkers_from_the_command_line(vcf_dir, kb, data_dir) -> None:
    """--hrd/--msi/--tmb are findings of their own and win over the computed ones; a value
    mtb cannot read is a usage error naming the option."""
    vcf = str(vcf_dir / "vcf2maf/test_b38.vcf")
    result = run("annotate", vcf, "--diagnosis", "high-grade serous ovarian carcinoma",
                 "--hrd", "48", "--msi", "MSS", "--tmb", "3.5", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    rows = {r["gene"]: r for r in csv.DictReader(io.StringIO(result.stdout), delimiter="\t")
            if r["variant_type"] == "biomarker"}
    assert set(rows) == {"HRD", "MSI", "TMB"}
    assert (rows["HRD"]["alteration"], rows["HRD"]["amp_tier"]) == ("HRD positive (GIS 48)", "IA")
    assert "Bevacizumab + Olaparib" in rows["HRD"]["therapies"]
    assert "given on the command line (--hrd 48)" in rows["HRD"]["reasons"]
    assert (rows["MSI"]["amp_tier"], rows["TMB"]["alteration"]) == ("IV", "TMB 3.5 mut/Mb (low)")
    bad = run("annotate", vcf, "--diagnosis", "ovarian cancer", "--msi", "5.2",
              data_dir=data_dir)
    assert bad.returncode == 2
    assert "argument --msi: MSI '5.2' is not high" in bad.stderr and "Traceback" not in bad.stderr


def test_annotate_bad_input_exit_2(tmp_path) -> None:
    bad = tmp_path / "bad.vcf"
    bad.write_text("not a vcf\n")
    result = run("annotate", str(bad), "--diagnosis", "melanoma", data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"mtb: error: {bad}")
    assert "Traceback" not in result.stderr


def test_kb_build_and_status(tmp_path) -> None:
    result = run("kb", "status", data_dir=tmp_path)
    assert result.returncode == 0 and "none yet" in result.stdout
    assert run("kb", "build", data_dir=tmp_path).returncode == 0
    status = run("kb", "status", data_dir=tmp_path).stdout
    assert "CIViC\n  version: 01-Jul-2025" in status
    counts = "variants 1807, molecular profiles 1830, evidence items 4568, assertions 90"
    assert f"counts: {counts}" in status
    assert "licence: CC0 1.0" in status
    assert "Cancer Hotspots" in status and "hotspots" in status
    assert "OncoKB: no token" in status


def test_corrupt_index_is_an_error_naming_it(tmp_path) -> None:
    index = tmp_path / "kb" / "index.sqlite"
    index.parent.mkdir(parents=True)
    index.write_bytes(b"garbage" * 1000)
    result = run("kb", "status", data_dir=tmp_path)
    assert result.returncode == 2
    assert f"the index {index} is corrupt" in result.stderr and "mtb kb build" in result.stderr


def _serve_release(server: HTTPServer, name: str, damage: bool = False) -> None:
    server.expect_request("/api/graphql", method="POST").respond_with_json(
        {"data": {"dataReleases": [{"name": name}, {"name": "01-Jul-2025"}]}}
    )
    for path in sorted(RELEASE.iterdir()):
        data = path.read_bytes()
        if damage and path.name.endswith("ClinicalEvidenceSummaries.tsv"):
            data = data.replace(b"evidence_level", b"level_of_evidence", 1)
        filename = path.name.replace("01-Jul-2025", name)
        server.expect_request(f"/downloads/{name}/{filename}").respond_with_data(data)


@pytest.fixture
def civic_server(httpserver_ipv4: HTTPServer) -> HTTPServer:
    return httpserver_ipv4


def test_kb_update_switches_only_to_a_complete_checked_release(civic_server, tmp_path) -> None:
    """A newer release (here the bundled files republished as 01-Aug-2025 by a local server)
    replaces the index; a damaged one is refused and the old index keeps working."""
    urls = {
        "MTB_CIVIC_API_URL": civic_server.url_for("/api/graphql"),
        "MTB_CIVIC_DOWNLOAD_URL": civic_server.url_for("/downloads"),
    }
    assert run("kb", "build", data_dir=tmp_path).returncode == 0
    _serve_release(civic_server, "01-Sep-2025", damage=True)
    refused = run("kb", "update", data_dir=tmp_path, **urls)
    assert refused.returncode == 2
    assert "missing column evidence_level" in refused.stderr
    assert load_index(tmp_path).meta["civic_release"] == "01-Jul-2025"
    assert not (tmp_path / "kb/civic/01-Sep-2025").exists()

    civic_server.clear()
    _serve_release(civic_server, "01-Aug-2025")
    updated = run("kb", "update", data_dir=tmp_path, **urls)
    assert updated.returncode == 0, updated.stderr
    assert "CIViC updated from 01-Jul-2025 to 01-Aug-2025" in updated.stdout
    assert load_index(tmp_path).meta["civic_release"] == "01-Aug-2025"
    again = run("kb", "update", data_dir=tmp_path, **urls)
    assert "already the newest release" in again.stdout


@needs_shared
def test_live_civic_failure_falls_back_to_the_snapshot(civic_server, vcf_dir, tmp_path) -> None:
    """With MTB_LIVE=1 and CIViC answering with GraphQL errors, the snapshot answers and every
    affected row says so; nothing else is asked (no ClinVar/OncoKB servers exist here)."""
    civic_server.expect_request("/api/graphql", method="POST").respond_with_json(
        {"errors": [{"message": "internal error"}]}
    )
    result = run(
        "annotate", str(vcf_dir / "pcgr/T001-BRCA.grch37.vcf.gz"), "--diagnosis", "breast cancer",
        "--format", "json", data_dir=tmp_path, MTB_LIVE="1",
        MTB_CIVIC_API_URL=civic_server.url_for("/api/graphql"),
        MTB_CLINVAR_URL=civic_server.url_for("/eutils"),
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    pik3ca = next(v for v in document["variants"] if v["pos"] == 178952085)
    assert pik3ca["amp_tier"] == "IA"
    assert any("CIViC live API failed" in r["text"] and "snapshot CIViC 01-Jul-2025 answered"
               in r["text"] for r in pik3ca["reasons"])
    assert "source: CIViC 01-Jul-2025 + live API (live)" in result.stderr
