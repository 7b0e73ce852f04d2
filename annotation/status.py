"""What the local knowledge base is: the index (where, built when and by which mtb), each
bundled source's version, date, licence and counts, and whether live sources are asked.

`mtb kb status` prints it; the answer is assembled here, beside the index and the snapshots it
describes, so the command line only formats it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from annotation import snapshots
from annotation.index import index_path, load_index
from mtb.config import Settings

__all__ = ["KnowledgeBaseStatus", "SourceSummary", "knowledge_base_status"]


@dataclass(frozen=True)
class SourceSummary:
    """One bundled source as the index uses it (CIViC: the release the index was built from)."""

    name: str
    version: str
    date: str
    licence: str
    counts: str = ""  # "variants 1717, molecular profiles 1739, ..."; '' before the index is built


@dataclass(frozen=True)
class KnowledgeBaseStatus:
    index: Path
    built: bool  # False: no index yet (it is built on first use)
    built_at: str | None
    built_by: str | None
    sources: tuple[SourceSummary, ...]
    live: bool  # MTB_LIVE: the web APIs are asked besides the snapshots
    oncokb: bool  # an OncoKB token is configured


def knowledge_base_status(settings: Settings) -> KnowledgeBaseStatus:
    """The status of the index in the data dir (read, never built) and of the snapshots."""
    path = index_path(settings.data_dir)
    meta: dict[str, str] = {}
    civic: dict[str, int] = {}
    hotspots: int | None = None
    built = path.is_file()
    if built:
        index = load_index(settings.data_dir)
        meta, civic, hotspots = index.meta, dict(index.civic.counts), index.hotspots.count
    sources = []
    for source in snapshots.manifest():
        version, counts = source.version, ""
        if source.name == "CIViC":
            version = meta.get("civic_release") or version
            counts = ", ".join(f"{kind} {n}" for kind, n in civic.items())
        elif source.name == "Cancer Hotspots" and hotspots is not None:
            counts = f"{hotspots} hotspots"
        sources.append(SourceSummary(source.name, version, source.date, source.licence, counts))
    return KnowledgeBaseStatus(
        index=path, built=built, built_at=meta.get("built_at"),
        built_by=meta.get("built_by"), sources=tuple(sources), live=settings.live,
        oncokb=bool(settings.oncokb_token),
    )
