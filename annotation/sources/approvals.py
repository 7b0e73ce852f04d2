"""The approvals table behind the KnowledgeSource interface: offline only (it is mtb's own
compilation of public labels, shipped with the snapshots), asked for every case like CIViC."""

from __future__ import annotations

from collections.abc import Sequence

from annotation.approvals import ApprovalTable
from annotation.matching import match_case
from annotation.model import Alteration, Diagnosis, Hotspot
from annotation.snapshots import source as snapshot_source
from annotation.sources.base import FetchMode, KnowledgeSource, SourceAnswer, SourceStatus
from annotation.sources.civic.knowledge import CivicKnowledge


class ApprovalsSource(KnowledgeSource):
    name = "Approvals"
    mode = FetchMode.OFFLINE

    def __init__(self, table: ApprovalTable, hotspots: object, civic: CivicKnowledge) -> None:
        self.table = table
        self.hotspots = hotspots  # the HotspotTable CIViC uses: the same driver rules
        # a label's "ALK fusion" keeps ALK where CIViC's fusions keep it (the 3' end), and a
        # truncating variant is "BRCA2-mutated" where CIViC lists loss of function
        knowledge = table.knowledge
        knowledge.fusion_side = {**civic.fusion_side, **knowledge.fusion_side}
        knowledge.loss_genes = knowledge.loss_genes | civic.loss_genes

    def status(self) -> SourceStatus:
        about = snapshot_source(self.name)
        return SourceStatus(self.name, about.version, about.date,
                            {"rows": self.table.rows,
                             "standard regimens": len(self.table.standards)},
                            about.licence, self.mode)

    def annotate(
        self, alterations: Sequence[Alteration], diagnosis: Diagnosis | None
    ) -> list[SourceAnswer]:
        genes = self.table.knowledge.genes  # hotspots matter only for genes with entries
        hotspots: list[Hotspot | None] = [
            self.hotspots.lookup(a) if a.gene in genes else None  # type: ignore[attr-defined]
            for a in alterations
        ]
        results = match_case(alterations, self.table.knowledge, hotspots, diagnosis)
        version = snapshot_source(self.name).version
        # CIViC's answer already explains what gene-level classes were withheld and why
        return [SourceAnswer(tuple(r.matches), (), self.name, version) for r in results]
