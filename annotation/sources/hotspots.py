"""Cancer Hotspots (Chang et al. 2016, 2018): residues mutated in tumors far more often than by
chance. A hotspot flag tells the board a variant of unknown significance is probably a driver,
and it decides whether gene-level CIViC evidence ("PIK3CA Mutation") may apply to a missense
change (see annotation.matching).

Rows: single-residue hotspots ('V600', counts per amino acid, organ composition), in-frame
indel hotspots (residue ranges '745-759'), splice-site hotspots ('X187') and 3D hotspots
(protein-structure clusters, TCGA-code composition). The same residue appears in several 3D
clusters; single-residue rows win over 3D rows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from annotation.model import Alteration, Hotspot
from mtb.errors import KnowledgeBaseError

SINGLE = "single residue"
INDEL = "in-frame indel"
SPLICE = "splice site"
THREE_D = "3d"

_INFRAME = frozenset({"inframe_insertion", "inframe_deletion", "protein_altering_variant"})
_SUBSTITUTION = frozenset({"missense_variant", "stop_gained"})
_SPLICE = frozenset({"splice_acceptor_variant", "splice_donor_variant"})


@dataclass(frozen=True)
class HotspotRow:
    """One deduplicated hotspot, as stored in the index."""

    gene: str
    residue: str  # V600, 745-759, X187
    kind: str
    start: int
    end: int
    reference: str  # one-letter reference residue ('' for ranges and 3D rows without it)
    variants: str  # 'E:833|K:24' or 'E746_A750del:123|...'
    samples: int
    composition: str  # 'skin:357|bowel:113|...'


def _int(value: str) -> int:
    try:
        return int(float(value))
    except ValueError:
        return 0


def parse(path: Path) -> list[HotspotRow]:
    """The hotspot table, one row per (gene, residue, kind); 3D duplicates merged."""
    seen: dict[tuple[str, str, str], HotspotRow] = {}
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                kind = row["type"]
                if kind == THREE_D and row["class"] != "Hotspot":
                    continue  # 'Hotspot-linked' and 'Cluster-exclusive' rows are weaker signals
                residue = row["residue"]
                first, _, last = row["amino_acid_position"].partition("-")
                key = (row["hugo_symbol"], residue, kind)
                if key in seen or not first.isdigit():
                    continue
                reference = residue[0] if residue[:1].isalpha() and kind != SPLICE else ""
                seen[key] = HotspotRow(
                    gene=row["hugo_symbol"], residue=residue, kind=kind, start=int(first),
                    end=int(last) if last.isdigit() else int(first), reference=reference,
                    variants=row["variant_amino_acid"],
                    samples=_int(row["tumor_count"] or row["total_count"]),
                    composition=row["tumor_type_composition"],
                )
    except (OSError, KeyError) as error:
        raise KnowledgeBaseError(
            f"{path}: not a readable Cancer Hotspots table ({error})"
        ) from None
    return list(seen.values())


def _counts(text: str) -> Iterator[tuple[str, int]]:
    for part in text.split("|"):
        name, _, count = part.rpartition(":")
        if name:
            yield name, _int(count)


class HotspotTable:
    """Lookup of an Alteration's residue in the hotspot rows."""

    def __init__(self, rows: Iterable[HotspotRow]) -> None:
        self._residues: dict[tuple[str, int], list[HotspotRow]] = {}
        self._ranges: dict[str, list[HotspotRow]] = {}
        self.count = 0
        for row in rows:
            self.count += 1
            if row.kind == INDEL:
                self._ranges.setdefault(row.gene, []).append(row)
            else:
                self._residues.setdefault((row.gene, row.start), []).append(row)
        order = {SINGLE: 0, SPLICE: 1, THREE_D: 2}
        for candidates in self._residues.values():
            candidates.sort(key=lambda r: order.get(r.kind, 3))

    def lookup(self, alteration: Alteration) -> Hotspot | None:
        if alteration.kind != "small" or not alteration.gene or alteration.position is None:
            return None
        consequences = alteration.consequences
        if consequences & _INFRAME:
            for row in self._ranges.get(alteration.gene, ()):
                if row.start <= alteration.position <= row.end:
                    exact = dict(_counts(row.variants)).get(_indel_key(alteration.protein))
                    return _hotspot(row, exact)
        for row in self._residues.get((alteration.gene, alteration.position), ()):
            if row.kind == SPLICE:
                if consequences & _SPLICE:
                    return _hotspot(row, None)
                continue
            if not consequences & (_SUBSTITUTION | _INFRAME):
                continue
            if row.reference and alteration.ref_residue and row.reference != alteration.ref_residue:
                continue
            new = alteration.protein[-1:] if alteration.protein[-1:].isalpha() or \
                alteration.protein.endswith("*") else ""
            exact = dict(_counts(row.variants)).get(new) if new else None
            return _hotspot(row, exact)
        return None


def _indel_key(protein: str) -> str:
    """'E746_A750DEL' -> 'E746_A750del' (the table writes HGVS keywords in lower case)."""
    for word in ("DELINS", "DEL", "INS", "DUP"):
        if word in protein:
            return protein.replace(word, word.lower())
    return protein


def _hotspot(row: HotspotRow, exact: int | None) -> Hotspot:
    composition = sorted(_counts(row.composition), key=lambda item: -item[1])
    return Hotspot(
        gene=row.gene, residue=row.residue, kind=row.kind, samples=row.samples,
        variant_samples=exact, tumor_types=tuple(composition),
    )
