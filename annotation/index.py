"""The local knowledge-base index: one SQLite file in the data dir, built from the snapshots.

Why SQLite: it is in the standard library (nothing more to install at a hospital), one file
that is written in a single transaction and switched into place atomically, readable with any
SQL tool when a curator asks "what exactly did mtb know?". The index holds what is expensive or
fiddly to derive at every start: the parsed CIViC release, its GRCh37 coordinates lifted to
GRCh38, and the deduplicated hotspot table. Annotation loads it into memory (annotation.knowledge),
so matching is dictionary lookups, not queries.

Building never touches the index in use: the new file is written beside it and renamed over
it only when complete (`os.replace` is atomic), so a failed or interrupted build or
`mtb kb update` leaves the old index working.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from annotation import snapshots
from annotation.model import Evidence
from annotation.sources.civic.knowledge import CivicKnowledge
from annotation.sources.civic.release import CivicProfile, CivicRelease, CivicVariant, read_release
from annotation.sources.hotspots import HotspotRow, HotspotTable
from annotation.sources.hotspots import parse as parse_hotspots
from mtb import __version__
from mtb.errors import KnowledgeBaseError
from mtb.variant import GenomeBuild

SCHEMA_VERSION = "2"  # 2: 2025 releases (variant labels, trial, population)
INDEX_FILE = "index.sqlite"
Progress = Callable[[str, float], None]  # (step, fraction done)

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE civic_variant (
    id INTEGER PRIMARY KEY, gene TEXT NOT NULL, name TEXT NOT NULL, variant_types TEXT,
    single_profile INTEGER, label TEXT NOT NULL DEFAULT '',
    chrom37 TEXT, pos37 INTEGER, ref37 TEXT, alt37 TEXT,
    chrom38 TEXT, pos38 INTEGER
);
CREATE TABLE civic_profile (id INTEGER PRIMARY KEY, name TEXT NOT NULL, variant_ids TEXT NOT NULL);
CREATE TABLE civic_item (profile_id INTEGER NOT NULL, kind TEXT NOT NULL, item TEXT NOT NULL);
CREATE TABLE hotspot (
    gene TEXT, residue TEXT, kind TEXT, start INTEGER, "end" INTEGER, reference TEXT,
    variants TEXT, samples INTEGER, composition TEXT
);
"""


def index_path(data_dir: Path) -> Path:
    return data_dir / "kb" / INDEX_FILE


def _lift_civic(release: CivicRelease) -> dict[int, tuple[str, int, str, str]]:
    """GRCh38 coordinates of CIViC's GRCh37 alleles (CIViC is GRCh37; patients are often 38)."""
    from annotation.liftover import Liftover  # loads chain files: only when building

    liftover = Liftover()
    lifted = {}
    for variant in release.variants:
        if variant.grch37 is None:
            continue
        chrom, pos, ref, alt = variant.grch37
        start = liftover.convert(chrom, pos, GenomeBuild.GRCH37, GenomeBuild.GRCH38)
        end = liftover.convert(chrom, pos + len(ref) - 1, GenomeBuild.GRCH37, GenomeBuild.GRCH38)
        if start is None or end is None or end[1] - start[1] != len(ref) - 1:
            continue  # the allele does not lift as one piece: match it by protein only
        lifted[variant.id] = (start[0], start[1], ref, alt)
    return lifted


def build_index(
    data_dir: Path,
    civic_dir: Path | None = None,
    progress: Progress | None = None,
) -> Path:
    """Build the index from the snapshots (or a downloaded CIViC release) and switch to it."""
    report = progress or (lambda step, done: None)
    started = time.perf_counter()
    report("checking snapshots", 0.0)
    bundled = ("Cancer Hotspots",) if civic_dir else None
    snapshots.verify(bundled)
    civic_dir = civic_dir or snapshots.SNAPSHOT_DIR / "civic" / snapshots.CIVIC_RELEASE
    report("reading CIViC", 0.1)
    release = read_release(civic_dir)
    report("lifting CIViC coordinates to GRCh38", 0.4)
    lifted = _lift_civic(release)
    report("reading Cancer Hotspots", 0.7)
    hotspots = parse_hotspots(snapshots.SNAPSHOT_DIR / "hotspots" / "hotspots_v2_and_3d.txt")
    target = index_path(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f"{target.name}.building-{os.getpid()}")
    building.unlink(missing_ok=True)
    report("writing the index", 0.8)
    connection = None
    try:
        connection = sqlite3.connect(building)
        with connection:
            connection.executescript(_SCHEMA)
            connection.executemany(
                "INSERT INTO civic_variant VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (v.id, v.gene, v.name, v.variant_types, v.single_profile, v.label,
                     *(v.grch37 or (None, None, None, None)),
                     *(lifted[v.id][:2] if v.id in lifted else (None, None)))
                    for v in release.variants
                ],
            )
            connection.executemany(
                "INSERT INTO civic_profile VALUES (?,?,?)",
                [(p.id, p.name, json.dumps(p.variant_ids)) for p in release.profiles],
            )
            connection.executemany(
                "INSERT INTO civic_item VALUES (?,?,?)",
                [(profile, item.kind, json.dumps(dataclasses.asdict(item)))
                 for profile, item in (*release.evidence, *release.assertions)],
            )
            connection.executemany(
                "INSERT INTO hotspot VALUES (?,?,?,?,?,?,?,?,?)",
                [dataclasses.astuple(row) for row in hotspots],
            )
            meta = {
                "schema_version": SCHEMA_VERSION,
                "built_by": f"mtb {__version__}",
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "civic_release": release.release,
                "civic_source": str(civic_dir),
                "civic_lifted_to_grch38": str(len(lifted)),
                "hotspots_version": snapshots.source("Cancer Hotspots").version,
                "build_seconds": f"{time.perf_counter() - started:.2f}",
            }
            connection.executemany("INSERT INTO meta VALUES (?,?)", meta.items())
        connection.close()
        os.replace(building, target)
    except (sqlite3.Error, OSError) as error:
        raise KnowledgeBaseError(f"could not write the index {target} ({error})") from None
    finally:  # also on KeyboardInterrupt: no half-written file left beside the index
        if connection is not None:
            connection.close()
        building.unlink(missing_ok=True)
    report("done", 1.0)
    return target


@dataclass
class LoadedIndex:
    path: Path
    meta: dict[str, str]
    civic: CivicKnowledge
    hotspots: HotspotTable


def load_index(data_dir: Path) -> LoadedIndex:
    """Read the index into memory. KnowledgeBaseError (naming the file and how to rebuild) if it
    is missing, from another schema, or corrupt."""
    path = index_path(data_dir)
    rebuild = "run `mtb kb build` to rebuild it"
    if not path.is_file():
        raise KnowledgeBaseError(f"no knowledge-base index at {path}; {rebuild}")
    try:
        # as_uri() percent-encodes '#', '?' and spaces a data directory may contain
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            meta = dict(connection.execute("SELECT key, value FROM meta"))
            if meta.get("schema_version") != SCHEMA_VERSION:
                raise KnowledgeBaseError(
                    f"the index {path} was built by {meta.get('built_by', 'another mtb')} "
                    f"(schema {meta.get('schema_version')}); {rebuild}"
                )
            variants = [
                CivicVariant(
                    id=row[0], gene=row[1], name=row[2], variant_types=row[3] or "",
                    single_profile=row[4],
                    grch37=(row[5], row[6], row[7], row[8]) if row[5] else None,
                    label=row[9],
                )
                for row in connection.execute(
                    "SELECT id, gene, name, variant_types, single_profile, chrom37, pos37, "
                    "ref37, alt37, label FROM civic_variant"
                )
            ]
            grch38 = {
                row[0]: (row[1], row[2], row[3], row[4])
                for row in connection.execute(
                    "SELECT id, chrom38, pos38, ref37, alt37 FROM civic_variant "
                    "WHERE chrom38 IS NOT NULL"
                )
            }
            profiles = [
                CivicProfile(row[0], row[1], tuple(json.loads(row[2])))
                for row in connection.execute("SELECT id, name, variant_ids FROM civic_profile")
            ]
            evidence: list[tuple[int, Evidence]] = []
            assertions: list[tuple[int, Evidence]] = []
            for profile_id, kind, item in connection.execute(
                "SELECT profile_id, kind, item FROM civic_item"
            ):
                fields = json.loads(item)
                fields["therapies"] = tuple(fields["therapies"])
                fields["population"] = tuple(fields.get("population", ()))
                (assertions if kind == "assertion" else evidence).append(
                    (profile_id, Evidence(**fields))
                )
            hotspot_rows = [
                HotspotRow(*row) for row in connection.execute("SELECT * FROM hotspot")
            ]
            release = meta["civic_release"]
        finally:
            connection.close()
    except (sqlite3.Error, json.JSONDecodeError, TypeError, KeyError) as error:
        raise KnowledgeBaseError(f"the index {path} is corrupt ({error}); {rebuild}") from None
    if not variants or not evidence:
        raise KnowledgeBaseError(f"the index {path} is empty; {rebuild}")
    civic = CivicKnowledge(release, variants, profiles, evidence, assertions, grch38)
    return LoadedIndex(path, meta, civic, HotspotTable(hotspot_rows))
