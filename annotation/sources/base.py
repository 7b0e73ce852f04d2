"""One interface for every knowledge base, offline by default, live on demand.

A source answers, for each Alteration of a case, the evidence it holds (as Matches with their
granularity) — from the bundled snapshot when offline, from its web API when live. A live
source that fails raises SourceError; the caller then asks the snapshot and says so in the
result. Modelled on metakb's harvesters (FetchMode) and biocommons' one-exception-tree habit.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from annotation.model import Alteration, Diagnosis, Match


class FetchMode(StrEnum):
    OFFLINE = "offline"  # bundled snapshot / local index only; never touches the network
    LIVE = "live"  # the source's web API (with the on-disk HTTP cache)


@dataclass(frozen=True)
class SourceStatus:
    """What `mtb kb status` prints for a source."""

    name: str
    version: str
    date: str
    counts: dict[str, int]
    licence: str
    mode: FetchMode


@dataclass(frozen=True)
class SourceAnswer:
    """A source's answer for one alteration."""

    matches: tuple[Match, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. "ClinVar: benign (2 stars)", "OncoKB: no token"
    source: str = ""
    version: str = ""  # snapshot release, or "live <date>"


class KnowledgeSource(ABC):
    """A knowledge base mtb can ask about a case's alterations."""

    name: str
    mode: FetchMode = FetchMode.OFFLINE

    @abstractmethod
    def status(self) -> SourceStatus:
        """Version, date, counts and licence of what this source answers from."""

    @abstractmethod
    def annotate(
        self, alterations: Sequence[Alteration], diagnosis: Diagnosis | None
    ) -> list[SourceAnswer]:
        """One answer per alteration, in order. The whole case is passed at once because some
        knowledge (CIViC's multi-variant profiles: EGFR L858R AND T790M) spans findings.

        Raises SourceError when a live source cannot answer."""
