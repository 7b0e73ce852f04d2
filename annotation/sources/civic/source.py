"""CIViC behind the KnowledgeSource interface: the local index (snapshot) always answers;
with a live API client the evidence of every matched single-variant profile is refreshed from
civicdb.org, and if that fails the snapshot's answer stands and the result says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from annotation.matching import match_case
from annotation.model import Alteration, Diagnosis, Match
from annotation.snapshots import source as snapshot_source
from annotation.sources.base import FetchMode, KnowledgeSource, SourceAnswer, SourceStatus
from annotation.sources.civic.api import CivicApi
from annotation.sources.civic.knowledge import CivicKnowledge
from annotation.sources.hotspots import HotspotTable
from mtb.errors import SourceError


class CivicSource(KnowledgeSource):
    name = "CIViC"

    def __init__(
        self, knowledge: CivicKnowledge, hotspots: HotspotTable, api: CivicApi | None = None
    ) -> None:
        self.knowledge = knowledge
        self.hotspots = hotspots
        self.api = api
        self.mode = FetchMode.LIVE if api is not None else FetchMode.OFFLINE

    def status(self) -> SourceStatus:
        licence = snapshot_source("CIViC").licence
        version = self.knowledge.release + (" + live API" if self.api else "")
        return SourceStatus(self.name, version, self.knowledge.release, self.knowledge.counts,
                            licence, self.mode)

    def annotate(
        self, alterations: Sequence[Alteration], diagnosis: Diagnosis | None
    ) -> list[SourceAnswer]:
        genes = self.knowledge.genes  # hotspots matter only for genes with entries
        hotspots = [self.hotspots.lookup(a) if a.gene in genes else None for a in alterations]
        results = match_case(alterations, self.knowledge, hotspots, diagnosis)
        version = f"CIViC {self.knowledge.release}"
        answers = [
            SourceAnswer(tuple(r.matches), tuple(r.withheld + r.partial), self.name, version)
            for r in results
        ]
        if self.api is None:
            return answers
        try:
            return self._refresh(answers)
        except SourceError as error:
            note = f"CIViC live API failed ({error}); the snapshot {version} answered"
            return [replace(a, notes=(*a.notes, note)) for a in answers]

    def _refresh(self, answers: list[SourceAnswer]) -> list[SourceAnswer]:
        """Replace snapshot evidence of single-variant profiles by the live API's."""
        assert self.api is not None
        wanted: dict[str, set[str]] = {}
        for answer in answers:
            for match in answer.matches:
                if not match.compound:
                    gene, _, name = match.matched.partition(" ")
                    wanted.setdefault(gene, set()).add(name)
        live: dict[tuple[str, str], list] = {}
        for gene, names in sorted(wanted.items()):
            for name, items in self.api.evidence_for(gene, sorted(names)).items():
                live[(gene, name)] = items
        refreshed = []
        for answer in answers:
            matches: list[Match] = []
            done: set[str] = set()
            for match in answer.matches:
                gene, _, name = match.matched.partition(" ")
                found = live.get((gene, name)) if not match.compound else None
                if not found:
                    matches.append(match)
                elif match.matched not in done:
                    done.add(match.matched)
                    matches += [Match(item, match.granularity, match.matched) for item in items]
            refreshed.append(replace(answer, matches=tuple(matches), version="CIViC live"))
        return refreshed
