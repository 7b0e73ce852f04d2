"""The approvals table and the drug vocabulary: well-formed, sourced, joined to the ontology and
to each other, and applied the way the labels say."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from annotation import annotate_alterations
from annotation.alterations import from_description
from annotation.approvals import AGENCIES, APPROVALS_FILE, ApprovalTable
from annotation.drugs import DrugVocabulary
from annotation.model import Tier
from annotation.snapshots import SNAPSHOT_DIR
from annotation.sources.civic.release import _therapies
from mtb.errors import KnowledgeBaseError

with open(SNAPSHOT_DIR / APPROVALS_FILE, encoding="utf-8") as _table:
    ROWS = list(csv.DictReader(_table, delimiter="\t", quoting=csv.QUOTE_NONE))
_DATE = re.compile(r"^\d{4}(-\d{2}){0,2}$")


def test_every_row_is_sourced_dated_and_of_the_vocabulary() -> None:
    assert len(ROWS) > 300 and len({r["id"] for r in ROWS}) == len(ROWS)
    for row in ROWS:
        where = row["id"]
        assert row["source"].startswith("http") and row["source_title"], where
        assert row["agency"] in AGENCIES, where
        assert _DATE.match(row["date"]), where
        assert row["origin"] in ("somatic", "germline", "germline or somatic", "not specified")
        assert row["status"] in ("approved", "accelerated", "conditional", "withdrawn"), where
        assert bool(row["withdrawn"]) == (row["status"] == "withdrawn"), where
        assert (row["oncotree"] == "_SOLID_") == (row["doid"] == ""), where


def test_a_row_without_a_source_is_refused_naming_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots"
    shutil.copytree(SNAPSHOT_DIR / "approvals", folder / "approvals")
    table = folder / APPROVALS_FILE
    lines = table.read_text(encoding="utf-8").splitlines()
    cells = lines[5].split("\t")
    cells[-3] = ""  # the source column of the fifth row
    lines[5] = "\t".join(cells)
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"approvals.tsv, line 6: a row without a source"):
        ApprovalTable.load(folder, DrugVocabulary.bundled())


def test_tumor_types_are_ontology_terms(kb) -> None:
    for row in ROWS:
        for doid in filter(None, row["doid"].split("|")):
            assert kb.ontology.normalise_doid(doid) == doid, (row["id"], doid)


def test_every_regimen_drug_is_in_the_vocabulary() -> None:
    drugs = DrugVocabulary.bundled()
    unknown = {name for row in ROWS for slot in row["regimen"].split(" + ")
               for name in slot.split("|") if name not in drugs}
    assert not unknown


def test_every_civic_therapy_name_has_one_drug(shared: Path) -> None:
    drugs = DrugVocabulary.bundled()
    names = set()
    for release in ("01-Aug-2024", "01-Jul-2025"):
        path = shared / f"kb/civic/{release}-ClinicalEvidenceSummaries.tsv"
        with open(path, encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                names.update(_therapies(row["therapies"]))
    assert len(names) > 400
    assert not [n for n in names if n not in drugs]


def test_salts_brands_and_codes_fold_to_the_inn() -> None:
    drugs = DrugVocabulary.bundled()
    assert {drugs.drug(n).name for n in ("Imatinib", "Imatinib Mesylate", "Gleevec",
                                         "STI-571")} == {"imatinib"}
    assert drugs.regimen(["Trastuzumab", "Pertuzumab"]).key == \
        drugs.regimen(["Pertuzumab", "Trastuzumab"]).key
    assert not drugs.drug("Staurosporine").card_worthy  # a tool compound
    assert not drugs.drug("Rociletinib").card_worthy  # development discontinued
    assert drugs.drug("Osimertinib").card_worthy


def test_a_label_that_leaves_a_tumor_type_out_does_not_count_there(kb) -> None:
    """Dabrafenib + trametinib's tumor-agnostic BRAF V600E label excludes colorectal cancer
    (FDA 2022, APR0082); in colorectal cancer encorafenib + cetuximab is the label (BEACON)."""
    braf = from_description("BRAF", "V600E", kb.genes)
    [colon] = annotate_alterations([(None, braf)], kb.ontology.resolve("colon cancer"), kb)
    [biliary] = annotate_alterations([(None, braf)], kb.ontology.resolve("cholangiocarcinoma"),
                                     kb)
    assert colon.therapies[0].name == "Cetuximab + Encorafenib"
    colon_lines = {t.name: t for t in colon.therapies}
    assert colon_lines["Dabrafenib + Trametinib"].tier != Tier.IA
    assert {t.name: t for t in biliary.therapies}["Dabrafenib + Trametinib"].tier == Tier.IA


def test_a_withdrawn_approval_never_counts(kb) -> None:
    """Infigratinib (FGFR2 fusion cholangiocarcinoma) was withdrawn in 2024: pemigatinib and
    futibatinib come first and infigratinib is never a card line."""
    fusion = from_description("FGFR2", "FGFR2::BICC1")
    [found] = annotate_alterations([(None, fusion)], kb.ontology.resolve("cholangiocarcinoma"), kb)
    assert found.tier == Tier.IA
    assert found.therapies[0].name in ("Pemigatinib", "Futibatinib")
    infigratinib = [t for t in found.therapies if t.name == "Infigratinib"]
    assert all(not t.on_card for t in infigratinib)
    assert any("withdrawn" in r.text for r in found.reasons)
