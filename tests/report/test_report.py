"""Case reports: the synthetic lung case after curation and the board's decision, as HTML, PDF
and a FHIR R4 Bundle read back with fhir.resources (R4B), and through `mtb report`.

The scenario of shared/USERS.md: EGFR L858R and T790M (tier IA); a curator overrides T790M's
tier with a reason and writes a comment holding a script tag; the chair recommends
osimertinib, evidence grade m1A, resting on T790M.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import importlib
import io
import json
import re
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotation.model import Alteration, AnnotatedVariant, Tier
from mtb.board import finding_key
from mtb.case import Case, open_case
from mtb.cli.report import add_parser as add_commands
from mtb.cli.report import run as run_report
from mtb.config import Settings
from mtb.errors import MtbError
from mtb.report import (
    PdfUnavailableError,
    ReportError,
    render_html,
    render_pdf,
    report_content,
    to_bundle,
)
from mtb.report.fhir import CS_EVIDENCE_GRADE, EXT_EVIDENCE_GRADE
from mtb.resources import sample_cases_dir
from mtb.store import Actor, Store

CASE_ID = "synthetic-egfr-lung"
CURATOR = Actor("cura", "curator")
CHAIR = Actor("chef", "chair")
SCRIPT = "<script>alert(1)</script>"
REASON = "acquired resistance after erlotinib; subclonal"
NOW = datetime(2024, 4, 9, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def case(kb, data_dir) -> Case:
    settings = Settings.load(environ={"MTB_DATA_DIR": str(data_dir)})
    return open_case(sample_cases_dir() / CASE_ID, kb, settings)


def _variant(case: Case, change: str) -> AnnotatedVariant:
    return next(v for v in case.annotation.variants if v.alteration.label == f"EGFR {change}")


@pytest.fixture
def store(tmp_path: Path, case: Case) -> Store:
    """The store after curation and decision: T790M curated (override IB with its reason, a
    comment with a script tag), a summary, osimertinib m1A on T790M, one withdrawn idea."""
    store = Store.open(f"sqlite:///{tmp_path}/s.sqlite")
    key = finding_key(_variant(case, "p.T790M"))
    curation = store.curate(CASE_ID, key, CURATOR, 0, oncogenicity="oncogenic",
                            tier_override="IB", override_reason=REASON,
                            comment=f"check the clone {SCRIPT}", in_report=True)
    store.set_summary(CASE_ID, "EGFR L858R with acquired T790M after erlotinib.", CURATOR,
                      0)
    assert curation.case_revision == 1
    store.recommend(CASE_ID, CHAIR, kind="therapy", text="Osimertinib 80 mg once daily",
                    evidence_grade="m1A", amp_tier="IA", rationale="T790M after erlotinib",
                    finding_keys=(key,))
    withdrawn = store.recommend(CASE_ID, CHAIR, kind="trial", text="Withdrawn trial idea",
                                evidence_grade="m3")
    store.withdraw(withdrawn.id, CHAIR, withdrawn.version)
    store.recommend(CASE_ID, CHAIR, kind="genetic_counselling", text="Genetic counselling",
                    rationale="family history to be taken")
    yield store
    store.close()


@pytest.fixture
def content(case: Case, store: Store):
    return report_content(case, store, now=NOW)


# -- content ---------------------------------------------------------------------------------


def test_finding_key_is_the_position_for_small_variants_and_kind_label_otherwise(case):
    assert finding_key(_variant(case, "p.T790M")) == "7-55181378-C-T"
    cnv = AnnotatedVariant(None, Alteration(kind="cnv", gene="ERBB2",
                                            label="ERBB2 amplification"), Tier.IA, "A")
    assert finding_key(cnv) == "cnv:ERBB2 amplification"


def test_content_has_the_actionable_findings_the_override_and_the_decision(content):
    by_label = {f.label: f for f in content.findings}
    assert {"EGFR p.L858R", "EGFR p.T790M"} <= set(by_label)
    t790m = by_label["EGFR p.T790M"]
    assert t790m.tier == "IA" and t790m.reported_tier == "IB"
    assert t790m.tier_text == f"IA (curated: IB — {REASON})"
    assert t790m.vaf == pytest.approx(0.12, abs=1e-6)
    assert by_label["EGFR p.L858R"].tier_text == "IA"
    assert [r.text for r in content.recommendations] == ["Osimertinib 80 mg once daily",
                                                         "Genetic counselling"]
    assert content.recommendations[0].findings == ("EGFR p.T790M",)
    assert content.status == "prepared" and not content.final
    assert content.patient_id == "SYN-LUAD-003" and content.age == 62
    assert content.doid == "DOID:3910"
    assert content.stage.startswith("IVA") and content.ecog.startswith("1 ")
    assert content.patient_name == ""  # names only when the site configured them


def test_a_tier_iii_finding_is_reported_only_when_a_curator_adds_it(case, tmp_path):
    changed = copy.copy(case)
    variants = [dataclasses.replace(v, tier=Tier.III, therapies=())
                if v.alteration.gene == "TP53" else v for v in case.annotation.variants]
    changed.annotation = dataclasses.replace(case.annotation, variants=variants)
    tp53 = next(v for v in variants if v.alteration.gene == "TP53")
    store = Store.open(f"sqlite:///{tmp_path}/iii.sqlite")
    try:
        assert "TP53" not in {f.gene for f in report_content(changed, store).findings}
        store.curate(CASE_ID, finding_key(tp53), CURATOR, 0, oncogenicity="likely oncogenic",
                     in_report=True)
        reported = report_content(changed, store).findings
        assert [f.tier for f in reported if f.gene == "TP53"] == ["III"]
    finally:
        store.close()


# -- HTML and PDF ----------------------------------------------------------------------------


def test_html_report_shows_findings_curation_decision_and_sources(content):
    page = render_html(content)
    for text in ("EGFR", "p.L858R", "p.T790M", "VAF 12%", f"IA (curated: IB — {REASON})",
                 "IVA (2023-01-16)", "ECOG",
                 "Osimertinib 80 mg once daily", "m1A", "Genetic counselling",
                 "EGFR L858R with acquired T790M after erlotinib.", "SYNTHETIC",
                 "CIViC", "01-Jul-2025", "Cancer Hotspots", f"mtb {content.mtb_version}",
                 "2024-04-09", "lung adenocarcinoma (DOID:3910", "SYN-LUAD-003"):
        assert text in page, text
    assert "Withdrawn trial idea" not in page
    assert "preliminary" in page


def test_html_renders_comments_inert(content):
    page = render_html(content)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()


def test_html_is_self_contained(content):
    page = render_html(content).lower()
    assert "<link" not in page and "@import" not in page and " src=" not in page
    assert "url(" not in page


def test_names_strings_from_files_are_escaped_everywhere(content):
    hostile = dataclasses.replace(
        content, title='<img src=x onerror="alert(2)">', summary="</p><script>x()</script>",
        warnings=("<b>bold</b>",), case_id='x"; } body { color: red',
    )
    page = render_html(hostile)
    assert "<img" not in page and "<script" not in page and "<b>bold" not in page
    assert "&lt;img src=x" in page
    assert 'x"; }' not in page  # nor can the case id end the page header's CSS string


def test_pdf_report(content):
    """PDF/A-2b, the archival form: WeasyPrint writes the XMP metadata naming the part and
    conformance, and an sRGB output intent."""
    pdf = render_pdf(content)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 5_000
    streams = [zlib.decompress(m.group(1)) for m in re.finditer(
        rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S) if m.group(1)[:1] == b"x"]
    xmp = next(s for s in streams if b"pdfaid:part" in s)
    assert b'pdfaid:part="2"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert b"/OutputIntent" in pdf or any(b"/OutputIntent" in s for s in streams)


def test_prior_lines_with_best_response_and_the_sign_off(case, store, tmp_path):
    """The synthetic lung course: erlotinib from 2023-02-01, partial response on 2023-05-02
    (RECIST), progression in 2024-03; the sign-off names who decided and who finalized."""
    content = report_content(case, store, now=NOW)
    assert content.prior_lines == (
        ("Line 1", "Erlotinib", "2023-02-01 to 2024-03-10", "PR (2023-05-02)"),)
    assert dict(content.sign_off)["Decided by"] == "not yet"
    record = store.case_record(CASE_ID)
    for status in ("presented", "decided", "final"):
        record = store.set_status(CASE_ID, status, CHAIR, record.version,
                                  revision=record.revision)
    signed = dict(report_content(case, store, now=NOW).sign_off)
    assert signed["Decided by"].startswith("chef, ") and signed["Finalized by"].startswith("chef")
    page = render_html(report_content(case, store, now=NOW))
    assert "Prior systemic therapy" in page and "PR (2023-05-02)" in page
    assert "Sign-off" in page and '<td class="date">2023-02-01 to 2024-03-10</td>' in page


def test_pdf_without_weasyprint_names_the_system_packages(content, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without the libs
    with pytest.raises(PdfUnavailableError) as raised:
        render_pdf(content)
    assert "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" in str(raised.value)
    assert isinstance(raised.value, MtbError)


# -- FHIR --------------------------------------------------------------------------------------


def _model(resource_type: str):
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    return getattr(module, resource_type)


def _resources(bundle: dict, resource_type: str, code: str | None = None) -> list[dict]:
    found = [e["resource"] for e in bundle["entry"]
             if e["resource"]["resourceType"] == resource_type]
    if code is not None:
        found = [r for r in found if any(c.get("code") == code
                                         for c in r.get("code", {}).get("coding", []))]
    return found


def _component(observation: dict, loinc: str) -> dict | None:
    for component in observation.get("component", []):
        if any(c.get("code") == loinc for c in component["code"]["coding"]):
            return component
    return None


def _text(concept: dict) -> str:
    return " ".join([concept.get("text", "")] + [f"{c.get('code', '')} {c.get('display', '')}"
                                                 for c in concept.get("coding", [])])


def test_fhir_bundle_reads_back_with_r4b_models(content):
    bundle = json.loads(json.dumps(to_bundle(content)))
    from fhir.resources.R4B.bundle import Bundle

    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    for entry in bundle["entry"]:
        resource = entry["resource"]
        _model(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "Observation", "DiagnosticReport", "MedicationRequest",
            "CarePlan"} <= kinds


def test_fhir_variants_carry_gene_change_vaf_and_tier(content):
    bundle = to_bundle(content)
    variants = _resources(bundle, "Observation", "69548-6")
    by_change = {}
    for observation in variants:
        assert observation["meta"]["profile"] == [
            "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/variant"]
        protein = _component(observation, "48005-3")
        if protein:
            by_change[protein["valueCodeableConcept"]["text"]] = observation
    assert {"p.L858R", "p.T790M"} <= set(by_change)
    for change in ("p.L858R", "p.T790M"):
        observation = by_change[change]
        gene = _component(observation, "48018-6")["valueCodeableConcept"]
        assert gene["coding"][0]["display"] == "EGFR"
        assert gene["coding"][0]["code"] == "HGNC:3236"
        assert change in _text(_component(observation, "48005-3")["valueCodeableConcept"])
        assert "IA" in [c["code"] for i in observation["interpretation"] for c in i["coding"]]
    t790m = by_change["p.T790M"]
    vaf = _component(t790m, "81258-6")["valueQuantity"]
    assert vaf["value"] == 0.12 and vaf["code"] == "1"
    assert _component(t790m, "82121-5")["valueQuantity"]["value"] == 24
    assert "NC_000007.14:g.55181378C>T" in _text(_component(t790m, "81290-9")
                                                  ["valueCodeableConcept"])
    tiers = [i["text"] for i in t790m["interpretation"]]
    assert any("IA" in t for t in tiers) and any("IB" in t and REASON in t for t in tiers)
    notes = " ".join(n["text"] for n in t790m["note"])
    assert SCRIPT in notes  # data, unchanged: escaping is for HTML, not for JSON


def test_fhir_therapy_recommendation_with_evidence_grade(content):
    bundle = to_bundle(content)
    [request] = _resources(bundle, "MedicationRequest")
    assert request["intent"] == "proposal" and request["status"] == "draft"
    assert request["medicationCodeableConcept"]["text"] == "Osimertinib 80 mg once daily"
    [grade] = [e for e in request["extension"] if e["url"] == EXT_EVIDENCE_GRADE]
    assert grade["valueCodeableConcept"]["coding"][0] == {
        "system": CS_EVIDENCE_GRADE, "code": "m1A", "display": "m1A"}
    full_urls = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    [reason] = request["reasonReference"]
    target = full_urls[reason["reference"]]
    assert "p.T790M" in _text(_component(target, "48005-3")["valueCodeableConcept"])
    [plan] = _resources(bundle, "CarePlan")
    assert plan["intent"] == "proposal"
    references = [a["reference"]["reference"] for a in plan["activity"] if "reference" in a]
    assert references == [f"urn:uuid:{request['id']}"]
    assert [a["detail"]["description"] for a in plan["activity"] if "detail" in a] == [
        "Genetic counselling"]


def test_fhir_report_references_resolve_inside_the_bundle(content):
    bundle = to_bundle(content)
    full_urls = {e["fullUrl"] for e in bundle["entry"]}
    [report] = _resources(bundle, "DiagnosticReport")
    assert report["status"] == "preliminary"
    assert "51969-4" in _text(report["code"]) and "81247-9" in _text(report["code"])
    assert report["conclusion"] == "EGFR L858R with acquired T790M after erlotinib."
    assert report["result"] and all(r["reference"] in full_urls for r in report["result"])
    observations = _resources(bundle, "Observation")
    assert {f"urn:uuid:{o['id']}" for o in observations} == {r["reference"]
                                                             for r in report["result"]}
    for resource in (e["resource"] for e in bundle["entry"]):
        for key in ("subject", "derivedFrom", "reasonReference", "supportingInfo"):
            value = resource.get(key)
            for ref in value if isinstance(value, list) else [value] if value else []:
                assert ref["reference"] in full_urls, (resource["resourceType"], key)


def test_fhir_therapeutic_implications_derive_from_the_variant(content):
    bundle = to_bundle(content)
    implications = _resources(bundle, "Observation", "therapeutic-implication")
    assert implications
    full_urls = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    osimertinib = []
    for implication in implications:
        [source] = implication["derivedFrom"]
        variant = full_urls[source["reference"]]
        medication = _component(implication, "51963-7")["valueCodeableConcept"]["text"]
        if medication == "Osimertinib":
            osimertinib.append(_text(_component(variant, "48005-3")["valueCodeableConcept"]))
            effect = [c for c in implication["component"]
                      if c["code"]["coding"][0]["code"] == "therapeutic-implication"]
            assert effect[0]["valueCodeableConcept"]["coding"][0]["code"] == "LA6677-4"
    assert any("p.T790M" in text for text in osimertinib)


def test_fhir_tmb_as_molecular_biomarker(content):
    absent = to_bundle(dataclasses.replace(content, tmb_per_mb=None))  # no territory
    [tmb] = _resources(absent, "Observation", "94076-7")
    assert "dataAbsentReason" in tmb and "valueQuantity" not in tmb
    computed = dataclasses.replace(content, tmb_per_mb=12.3456)
    [tmb] = _resources(to_bundle(computed), "Observation", "94076-7")
    assert tmb["meta"]["profile"] == [
        "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/molecular-biomarker"]
    assert tmb["valueQuantity"] == {"value": 12.35, "system": "http://unitsofmeasure.org",
                                    "code": "1/1000000{Base}", "unit": "Mutations/Megabase"}


def test_fhir_ids_are_stable_and_final_cases_are_final(case, store, content):
    first = to_bundle(content)
    again = to_bundle(report_content(case, store, now=datetime(2025, 1, 1, tzinfo=UTC)))
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in again["entry"]]
    version = store.case_record(CASE_ID).version
    for status in ("presented", "decided"):
        version = store.set_status(CASE_ID, status, CHAIR, version).version
    store.set_status(CASE_ID, "final", CHAIR, version,
                     revision=store.case_record(CASE_ID).revision)
    final = to_bundle(report_content(case, store, now=NOW))
    [report] = _resources(final, "DiagnosticReport")
    assert report["status"] == "final"
    assert _resources(final, "MedicationRequest")[0]["status"] == "active"
    assert all(o["status"] == "final" for o in _resources(final, "Observation"))


def test_a_case_without_store_records_still_reports(case):
    content = report_content(case, None, now=NOW)
    assert content.recommendations == () and content.summary == ""
    bundle = to_bundle(content)
    assert not _resources(bundle, "MedicationRequest") and not _resources(bundle, "CarePlan")
    assert "No recommendation has been recorded" in render_html(content)


def test_a_cnv_finding_without_coordinates_validates(content):
    cnv = dataclasses.replace(
        content.findings[0], key="cnv:ERBB2 amplification", kind="cnv", gene="ERBB2",
        label="ERBB2 amplification", change="amplification", hgvsp="", hgvsc="", transcript="",
        genomic=None, vaf=None, alt_reads=None, depth=None, genes=("ERBB2",), curated_tier="",
        override_reason="", comment="", oncogenicity="", curated_by="")
    bundle = to_bundle(dataclasses.replace(content, findings=(cnv,)))
    [variant] = _resources(bundle, "Observation", "69548-6")
    assert _component(variant, "48018-6")["valueCodeableConcept"]["text"] == "ERBB2"
    assert _component(variant, "81258-6") is None


# -- mtb report -----------------------------------------------------------------------------


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="mtb")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["report", *argv])


@pytest.fixture
def cli_env(monkeypatch, data_dir, store, tmp_path):
    monkeypatch.setenv("MTB_DATA_DIR", str(data_dir))
    monkeypatch.setenv("MTB_DB_URL", str(store.engine.url))
    monkeypatch.setenv("MTB_CASES_DIR", str(sample_cases_dir()))
    return tmp_path


@pytest.mark.parametrize("fmt", ["html", "pdf", "fhir"])
def test_cli_writes_each_format(cli_env, fmt):
    target = cli_env / f"report.{fmt}"
    err = io.StringIO()
    assert run_report(_args(str(sample_cases_dir() / CASE_ID), "--format", fmt, "-o",
                            str(target)), io.StringIO(), err) == 0
    data = target.read_bytes()
    if fmt == "pdf":
        assert data.startswith(b"%PDF")
    elif fmt == "html":
        assert b"m1A" in data and b"Osimertinib" in data
    else:
        bundle = json.loads(data)
        assert bundle["resourceType"] == "Bundle"
        assert _resources(bundle, "MedicationRequest")
    assert "report: synthetic-egfr-lung" in err.getvalue()


def test_cli_finds_a_case_by_id_and_writes_stdout(cli_env):
    out = io.StringIO()
    assert run_report(_args(CASE_ID, "--format", "fhir"), out, io.StringIO()) == 0
    assert json.loads(out.getvalue())["type"] == "collection"


def test_cli_unknown_case_is_a_clear_error(cli_env):
    with pytest.raises(MtbError, match="no case 'no-such-case'") as raised:
        run_report(_args("no-such-case", "--format", "html", "-o", str(cli_env / "x.html")),
                   io.StringIO(), io.StringIO())
    assert isinstance(raised.value, ReportError)
    assert not (cli_env / "x.html").exists()


def test_cli_pdf_needs_an_output_file(cli_env):
    with pytest.raises(ReportError, match="-o FILE"):
        run_report(_args(CASE_ID, "--format", "pdf"), io.StringIO(), io.StringIO())


def test_report_package_imports_no_dash_or_layouts():
    import ast

    root = Path(__file__).resolve().parents[2]
    for path in [*(root / "mtb" / "report").glob("*.py"), root / "mtb" / "cli" / "report.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(("dash", "layouts")), (path.name, name)


def test_fhir_biomarkers_are_molecular_biomarkers_not_variants(kb, data_dir) -> None:
    """The TCGA colon case: the computed TMB (90 mut/Mb) and the MSI estimate become Genomics
    Reporting molecular-biomarker Observations (MSI with LOINC's answer LA26203-2 'MSI-H',
    'preliminary' as an estimate); pembrolizumab's implication derives from the TMB one; no
    biomarker is sent as a genetic variant (69548-6)."""
    settings = Settings.load(environ={"MTB_DATA_DIR": str(data_dir)})
    colon = open_case(sample_cases_dir() / "tcga-a6-2686-colon", kb, settings)
    content = report_content(colon)
    assert {b.name for b in content.biomarkers} == {"TMB", "MSI"}
    assert content.tmb_text.startswith("TMB 90.1 mut/Mb (high): computed from the calls")
    bundle = to_bundle(content)
    [msi] = _resources(bundle, "Observation", "81695-9")
    assert msi["valueCodeableConcept"]["coding"][0]["code"] == "LA26203-2"
    assert msi["status"] == "preliminary" and "indel pattern" in msi["note"][0]["text"]
    [tmb] = _resources(bundle, "Observation", "94076-7")
    assert tmb["valueQuantity"]["value"] == 90.1
    variants = _resources(bundle, "Observation", "69548-6")
    genes = {_text(_component(v, "48018-6")["valueCodeableConcept"]) for v in variants}
    assert genes and not genes & {"TMB", "MSI"}
    full_urls = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    sources = {_component(i, "51963-7")["valueCodeableConcept"]["text"]:
               full_urls[i["derivedFrom"][0]["reference"]]["code"]["coding"][0]["code"]
               for i in _resources(bundle, "Observation", "therapeutic-implication")
               if i["derivedFrom"][0]["reference"] == f"urn:uuid:{tmb['id']}"}
    assert sources == {"Pembrolizumab": "94076-7"}
