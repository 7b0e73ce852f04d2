"""What `mtb kb status` reports, assembled by annotation.status, and what the FHIR report reads
from the MANE summary through the gene model (annotation.genes.report_accessions)."""

from __future__ import annotations

import pytest

from annotation import snapshots
from annotation.genes import DEFAULT_GENES_DIR, MANE_SUMMARY, GeneModel, report_accessions
from annotation.index import load_index
from annotation.status import knowledge_base_status
from mtb.config import Settings
from mtb.errors import KnowledgeBaseError


def test_status_before_and_after_the_index_is_built(tmp_path, data_dir, kb) -> None:
    empty = knowledge_base_status(Settings.load(environ={"MTB_DATA_DIR": str(tmp_path)}))
    assert not empty.built and empty.built_at is None
    assert all(source.counts == "" for source in empty.sources)
    built = knowledge_base_status(Settings.load(environ={"MTB_DATA_DIR": str(data_dir),
                                                         "MTB_LIVE": "1"}))
    assert built.built and built.built_at and built.built_by.startswith("mtb ")
    by_name = {source.name: source for source in built.sources}
    index = load_index(data_dir)
    assert by_name["CIViC"].version == index.meta["civic_release"]
    assert by_name["CIViC"].counts == ", ".join(f"{kind} {n}"
                                                for kind, n in index.civic.counts.items())
    assert by_name["CIViC"].counts.startswith("variants ")
    assert by_name["Cancer Hotspots"].counts == f"{index.hotspots.count} hotspots"
    assert [s.name for s in built.sources] == [s.name for s in snapshots.manifest()]
    assert built.live and not built.oncokb


def test_report_accessions_come_from_the_bundled_mane_summary() -> None:
    """Values as MANE v1.5's summary file (annotation/snapshots/genes) lists them."""
    hgnc, proteins, chromosomes = report_accessions(GeneModel.bundled())
    assert hgnc["EGFR"] == "HGNC:3236" and hgnc["KRAS"] == "HGNC:6407"
    assert proteins["NM_005228.5"] == "NP_005219.2"
    assert proteins["ENST00000275493.7"] == "ENSP00000275493.2"
    assert "NM_005228" not in proteins  # versioned only
    assert chromosomes["7"] == "NC_000007.14" and chromosomes["X"].startswith("NC_000023.")


def test_a_missing_summary_is_a_knowledge_base_error(tmp_path) -> None:
    assert (DEFAULT_GENES_DIR / MANE_SUMMARY).is_file()
    with pytest.raises(KnowledgeBaseError, match="gene snapshot is missing"):
        report_accessions(GeneModel(tmp_path))
