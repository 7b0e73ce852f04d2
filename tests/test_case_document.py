"""A case as a stored document (mtb.case_document): every sample case comes back exactly (the
same Case, the same bytes when stored again, the same case page and report), documents of a
newer mtb are refused with a clear message, and older ones are read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from plotly.io.json import to_json_plotly

from annotation.model import Tier
from layouts.case_page import case_page
from mtb import case_document
from mtb.case import Case, open_case
from mtb.config import Settings
from mtb.errors import DocumentError
from mtb.report import build_content, bundle_json, render_html
from mtb.resources import sample_cases_dir
from tests.drawn import amplification, biomarker, case_of, fusion, small, therapy

SAMPLES = sorted(p.name for p in sample_cases_dir().iterdir() if (p / "case.toml").is_file())
WHEN = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def samples(kb, data_dir) -> dict[str, Case]:
    settings = Settings.load(environ={"MTB_DATA_DIR": str(data_dir)})
    return {name: open_case(sample_cases_dir() / name, kb, settings) for name in SAMPLES}


def _page(case: Case) -> str:
    return to_json_plotly(case_page(case))


def _report(case: Case) -> tuple[str, str]:
    content = build_content(case, None, {}, [], now=WHEN)
    return render_html(content), bundle_json(content)


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_case_comes_back_exactly(samples, name) -> None:
    case = samples[name]
    stored = case_document.dumps(case)
    back = case_document.loads(stored)
    assert back == case
    assert case_document.dumps(back) == stored  # the same case, the same bytes
    assert _page(back) == _page(case)
    assert _report(back) == _report(case)


def test_every_kind_of_finding_and_field_comes_back() -> None:
    case = case_of([small("EGFR", "p.L858R", Tier.IA, therapies=[therapy("Osimertinib", Tier.IA)]),
                    amplification("ERBB2", Tier.IIC), fusion("EML4", "ALK", Tier.IA),
                    biomarker("TMB", "high", Tier.IA, 14.2)])
    back = case_document.loads(case_document.dumps(case))
    assert back == case
    assert [type(v.finding).__name__ for v in back.annotation.variants] == [
        "SmallVariant", "CopyNumber", "Fusion", "Biomarker"]


def test_evidence_is_stored_once_per_document(samples) -> None:
    case = samples["tcga-a6-2686-colon"]
    document = case_document.to_document(case)
    shared = {id(m.evidence) for v in case.annotation.variants for m in v.matches}
    assert len(document["tables"]["Evidence"]) <= len(shared)
    assert document["schema"] == case_document.SCHEMA and document["kind"] == "mtb.case"


def _document() -> dict:
    return case_document.to_document(case_of([small("KRAS", "p.G12C", Tier.IIC)]))


def test_a_document_of_a_newer_schema_is_refused() -> None:
    document = {**_document(), "schema": case_document.SCHEMA + 1, "mtb": "9.0"}
    with pytest.raises(DocumentError, match=r"newer mtb \(9\.0, document schema 2\).*upgrade"):
        case_document.from_document(document)


def test_a_field_this_mtb_does_not_know_is_refused() -> None:
    document = _document()
    variant = document["case"]["annotation"]["variants"][0]
    variant["call_quality"] = "low"  # a field a newer mtb may add
    with pytest.raises(DocumentError, match=r"AnnotatedVariant\.call_quality.*newer mtb"):
        case_document.from_document(document)
    document = _document()
    document["case"]["annotation"]["variants"][0]["finding"]["@"] = "Methylation"
    with pytest.raises(DocumentError, match="'Methylation', which this mtb does not know"):
        case_document.from_document(document)


def test_an_older_document_without_newer_fields_is_read_with_their_defaults() -> None:
    document = _document()
    variant = document["case"]["annotation"]["variants"][0]
    variant.pop("reasons")  # as if written before the field existed: its default is read
    back = case_document.from_document(document)
    assert back.annotation.variants[0].reasons == ()


def test_damaged_documents_are_refused() -> None:
    with pytest.raises(DocumentError, match="not JSON"):
        case_document.loads(b"{not json")
    with pytest.raises(DocumentError, match="not an mtb case document"):
        case_document.from_document({"kind": "something else"})
    document = _document()
    del document["case"]["entry"]["id"]
    with pytest.raises(DocumentError, match="CaseEntry cannot be read"):
        case_document.from_document(document)
