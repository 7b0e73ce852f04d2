"""The knowledge base as a whole: the local index (built on first use), the disease ontology,
the gene model, and the knowledge sources (CIViC always; ClinVar and OncoKB when live).

Offline is the default and needs no network at all. Live mode adds the web APIs; the snapshot
keeps answering when they fail.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotation.approvals import ApprovalTable
from annotation.diseases import DiseaseOntology
from annotation.drugs import DrugVocabulary
from annotation.genes import GeneModel
from annotation.index import LoadedIndex, Progress, build_index, index_path, load_index
from annotation.sources.approvals import ApprovalsSource
from annotation.sources.base import KnowledgeSource, SourceStatus
from annotation.sources.civic.source import CivicSource
from mtb.config import Settings


@dataclass
class KnowledgeBase:
    index: LoadedIndex
    ontology: DiseaseOntology
    genes: GeneModel
    sources: list[KnowledgeSource]
    approvals: ApprovalTable
    drugs: DrugVocabulary

    @property
    def civic(self) -> CivicSource:
        return next(s for s in self.sources if isinstance(s, CivicSource))

    @classmethod
    def open(cls, settings: Settings, progress: Progress | None = None) -> KnowledgeBase:
        """Load the index (building it first when there is none) and set up the sources."""
        if not index_path(settings.data_dir).is_file():
            build_index(settings.data_dir, progress=progress)
        index = load_index(settings.data_dir)
        sources: list[KnowledgeSource] = []
        if settings.live:
            sources = _live_sources(settings, index)
        else:
            sources = [CivicSource(index.civic, index.hotspots)]
        approvals = ApprovalTable.bundled()
        sources.insert(1, ApprovalsSource(approvals, index.hotspots, index.civic))
        return cls(index, DiseaseOntology.bundled(), GeneModel.bundled(), sources, approvals,
                   DrugVocabulary.bundled())

    def status(self) -> list[SourceStatus]:
        return [source.status() for source in self.sources]


def _live_sources(settings: Settings, index: LoadedIndex) -> list[KnowledgeSource]:
    from annotation.sources.civic.api import CivicApi
    from annotation.sources.clinvar import ClinVarSource
    from annotation.sources.oncokb import OncoKbSource
    from mtb.http import HttpClient

    http = HttpClient.in_data_dir(settings.data_dir)
    api = CivicApi(http, base_url=settings.civic_api_url,
                   download_base=settings.civic_download_url)
    return [
        CivicSource(index.civic, index.hotspots, api),
        ClinVarSource(http, base_url=settings.clinvar_url,
                      api_key=settings.ncbi_api_key or None),
        OncoKbSource(http, settings.oncokb_token or None, base_url=settings.oncokb_url),
    ]

