"""Genomic regions: the target territory of a sequencing panel, as merged intervals.

On the ground floor because two stages meet on it: ingest reads a BED file into `Regions`
(mtb.ingest.bed) and annotation counts the tumor mutational burden over them (annotation.tmb),
which must not depend on how the file was read.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True)
class Regions:
    """Merged intervals per normalised chromosome, 0-based half-open."""

    path: str
    intervals: dict[str, tuple[tuple[int, ...], tuple[int, ...]]]  # chrom -> (starts, ends)

    @property
    def megabases(self) -> float:
        return sum(e - s for starts, ends in self.intervals.values()
                   for s, e in zip(starts, ends, strict=True)) / 1e6

    def contains(self, norm_chrom: str, pos: int) -> bool:
        """Whether a 1-based position lies in a region."""
        starts, ends = self.intervals.get(norm_chrom, ((), ()))
        index = bisect_right(starts, pos - 1) - 1
        return index >= 0 and pos - 1 < ends[index]
