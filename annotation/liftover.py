"""Positions between GRCh37 and GRCh38 with the shipped UCSC chain files, offline.

Knowledge bases and patient files disagree on the build (CIViC is GRCh37, MANE exons are
GRCh38), so one position often has to be carried across. The chains are UCSC's
`hg19ToHg38.over.chain.gz` and `hg38ToHg19.over.chain.gz` (see snapshots/PROVENANCE.md), read
with pyliftover. Loading a chain takes up to ~2 s (hg38ToHg19), so each direction is read on
first use only and then kept for the life of the `Liftover` object.

What counts as mapped (the same rules for every caller, so that a position is either carried
across safely or not at all):

* the position lands on the *same* chromosome of the target build: a hit on another chromosome
  or on an alt/fix contig is treated as unmapped, because MANE exons, gene spans and knowledge
  bases only describe the primary assembly;
* the chain block is on the '+' strand. A block aligned to the '-' strand (an inversion between
  the builds) does map the position, but the base there reads reverse-complemented on the
  target. The answer here is a bare (chrom, pos) that cannot say so, and its callers carry
  REF/ALT (or read FASTA bases) across unchanged, so such a hit would silently compare the wrong
  strand's alleles. It is reported as unmapped instead: None means "do not use this position";
* where chains overlap in the source (they do not in these netted over.chain files) the
  highest-scoring hit is the answer, as UCSC liftOver does.

The mitochondrion is special: GRCh37 as Ensembl and GATK's b37 write it (`MT`) and GRCh38 both
use the revised Cambridge Reference Sequence, so MT positions are the same in both builds. Only
UCSC hg19's `chrM` is a different sequence (NC_001807, 2 bp longer); a GRCh37 position named
`chrM` is therefore lifted with the chain, every other mitochondrial name is carried over as is.
"""

from __future__ import annotations

import gzip
import threading
from bisect import bisect_right
from functools import cache
from pathlib import Path

from pyliftover import LiftOver

from mtb.errors import KnowledgeBaseError
from mtb.variant import GenomeBuild, normalize_chrom

DEFAULT_CHAIN_DIR = Path(__file__).resolve().parent / "snapshots" / "liftover"

_NAMES: dict[str, str] = {}  # chromosome name as written -> normalised (hot path cache)

_CHAIN_FILES: dict[tuple[GenomeBuild, GenomeBuild], str] = {
    (GenomeBuild.GRCH37, GenomeBuild.GRCH38): "hg19ToHg38.over.chain.gz",
    (GenomeBuild.GRCH38, GenomeBuild.GRCH37): "hg38ToHg19.over.chain.gz",
}


class Liftover:
    """Converts 1-based positions between GRCh37 and GRCh38; chains are loaded lazily, once.

    Thread-safe: the web app may convert from several request threads, and a chain must not be
    parsed twice (seconds each) when two requests arrive together.
    """

    def __init__(self, chain_dir: Path | None = None) -> None:
        self.chain_dir = Path(chain_dir) if chain_dir is not None else DEFAULT_CHAIN_DIR
        self._chains: dict[tuple[GenomeBuild, GenomeBuild], _Chains] = {}
        self._lock = threading.Lock()

    @classmethod
    def bundled(cls) -> Liftover:
        """The shared instance on the shipped chains, so every caller pays the load time once."""
        return _bundled_liftover()

    def convert(
        self, chrom: str, pos: int, source: GenomeBuild, target: GenomeBuild
    ) -> tuple[str, int] | None:
        """`pos` (1-based) on `chrom` of `source` -> (normalised chrom, 1-based pos) on `target`.

        `chrom` may be written any way ('7', 'chr7', 'NC_000007.13', 'chrM'); the answer uses the
        normalised name without 'chr' ('7', 'X', 'MT'). None when the position does not map by
        the rules in the module docstring, or when either build is UNKNOWN (never guessed).
        The same build on both sides is the identity.
        """
        norm = _NAMES.get(chrom) or _NAMES.setdefault(chrom, normalize_chrom(chrom))
        if source == target:
            return norm, pos
        if GenomeBuild.UNKNOWN in (source, target) or pos < 1:
            return None
        if norm == "MT" and not (source == GenomeBuild.GRCH37 and chrom.lower() == "chrm"):
            return norm, pos  # rCRS on both sides (see module docstring)
        ucsc = "chrM" if norm == "MT" else "chr" + norm
        hit = self._chain(source, target).best(ucsc, pos - 1)
        if hit is None:
            return None
        name, zero_based, strand = hit
        if strand != "+" or normalize_chrom(name) != norm:
            return None
        return norm, zero_based + 1

    def _chain(self, source: GenomeBuild, target: GenomeBuild) -> _Chains:
        key = (source, target)
        chain = self._chains.get(key)
        if chain is None:
            with self._lock:
                chain = self._chains.get(key)
                if chain is None:
                    chain = _Chains.load(self.chain_dir / _CHAIN_FILES[key])
                    self._chains[key] = chain
        return chain


class _Chains:
    """One over.chain file, with a bisect index over its alignment blocks.

    pyliftover parses the file; its interval-tree query costs ~4 µs, most of a GRCh37 `locate`.
    UCSC's over.chain files are netted on the source side (no source base is in two blocks; true
    of both shipped files), so the block holding a position is found by one bisect in sorted
    block starts. A source chromosome whose blocks do overlap falls back to pyliftover's query
    and its best-scoring hit, which is what the bisect answers otherwise.
    """

    def __init__(self, lift: LiftOver) -> None:
        self.lift = lift
        blocks: dict[str, list[tuple[int, int, int, str, str, int]]] = {}
        for chain in lift.chain_file.chains:
            rows = blocks.setdefault(chain.source_name, [])
            for start, end, target_start in chain.blocks:
                rows.append(
                    (
                        start,
                        end,
                        target_start,
                        chain.target_name,
                        chain.target_strand,
                        chain.target_size,
                    )
                )
        self.index: dict[str, tuple[list[int], list[tuple[int, int, int, str, str, int]]]] = {}
        for name, rows in blocks.items():
            rows.sort()
            if all(rows[k][1] <= rows[k + 1][0] for k in range(len(rows) - 1)):
                self.index[name] = ([row[0] for row in rows], rows)

    @classmethod
    def load(cls, path: Path) -> _Chains:
        if not path.is_file():
            raise KnowledgeBaseError(f"{path}: liftover chain file is missing")
        try:
            with gzip.open(path, "rb") as handle:
                return cls(LiftOver(handle))
        # gzip raises OSError/EOFError/zlib.error; pyliftover a bare Exception on a bad chain
        except Exception as exc:
            raise KnowledgeBaseError(f"{path}: liftover chain file is corrupt ({exc})") from exc

    def best(self, chrom: str, pos0: int) -> tuple[str, int, str] | None:
        """(target name, 0-based target position, target strand) of the best hit, or None."""
        entry = self.index.get(chrom)
        if entry is None:
            hits = self.lift.convert_coordinate(chrom, pos0)  # None if unknown chromosome
            return (hits[0][0], hits[0][1], hits[0][2]) if hits else None
        starts, rows = entry
        k = bisect_right(starts, pos0) - 1
        if k < 0 or pos0 >= rows[k][1]:
            return None  # in a gap between blocks
        start, _, target_start, name, strand, size = rows[k]
        target = target_start + pos0 - start
        return name, (target if strand == "+" else size - 1 - target), strand


@cache
def _bundled_liftover() -> Liftover:
    return Liftover()
