"""A variant written any way a person writes it, matched against the findings' index rows.

The spelling is read by annotation's own reader of written alterations
(annotation.alterations.from_description, with annotation.proteins.canonical_protein: p.V600E,
p.Val600Glu and V600E are one key), so a query and the knowledge-base matching agree on what a
spelling means. What a query may say:

    V600E, p.V600E, p.Val600Glu   that protein change                      (not V600K)
    V600, codon V600, codon 600   any change at that residue
    exon 19 deletion              an in-frame deletion (or delins) in exon 19 (index column
                                  `exon`, migration 0006: empty in rows stored before it)
    amplification, deep deletion  the copy-number call
    EML4::ALK, EML4-ALK           that fusion (either order when the caller did not know it)
    fusion                        any fusion of the gene (as either partner)
    TMB-high, MSI-H               a biomarker finding with that call

A gene may lead the text ('BRAF V600E'). Rows stored before migration 0006 have no partner or
copy-number columns: those are read from the row's label, as the label was written by the same
module."""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotation.alterations import from_description
from annotation.model import Alteration
from annotation.proteins import canonical_protein, protein_start
from mtb.store import FindingRow

__all__ = ["VariantQuery", "alteration_key", "split_gene"]

_GENE = re.compile(r"^[A-Z][A-Z0-9-]{1,15}$")
_NOT_GENES = {"EXON", "CODON", "TMB", "MSI", "MMR", "HRD", "ITD", "FUSION"}
_CODON_WORD = re.compile(r"^codon\s+(?=[A-Za-z*])", re.I)
_CODON = re.compile(r"^[A-Z*]?\d+$")


def split_gene(text: str) -> tuple[str, str]:
    """'BRAF V600E' -> ('BRAF', 'V600E'); 'V600E' -> ('', 'V600E')."""
    first, _, rest = text.strip().partition(" ")
    if rest.strip() and _GENE.match(first) and first not in _NOT_GENES and "::" not in first:
        return first, rest.strip()
    return "", text.strip()


@dataclass(frozen=True)
class VariantQuery:
    """A parsed variant query; `matches(row)` says whether an index row is that variant."""

    text: str
    gene: str  # the gene it names ('' when none): for fusions the 3' partner
    alteration: Alteration

    @classmethod
    def parse(cls, text: str, gene: str = "") -> VariantQuery:
        named, rest = split_gene(text)
        gene = (gene or named).strip().upper()
        rest = _CODON_WORD.sub("", rest)
        alteration = from_description(gene, rest)
        return cls(text, alteration.gene if alteration.kind == "fusion" else gene, alteration)

    @property
    def genes(self) -> frozenset[str]:
        """Genes a matching row must name (gene or partner): the SQL's narrowing."""
        alt = self.alteration
        found = {g for g in (self.gene, alt.partner5, alt.partner3, alt.gene) if g}
        return frozenset(found)

    def matches(self, row: FindingRow) -> bool:
        alt = self.alteration
        if alt.kind == "biomarker":
            return row.finding_key.upper() == f"BIOMARKER:{alt.gene} {alt.biomarker}".upper()
        if alt.kind == "fusion":
            return _fusion_matches(alt, row)
        if self.gene and row.gene.upper() != self.gene:
            return False
        if alt.kind == "cnv":
            return _cnv_call(row) == alt.cnv_call
        if row.variant_class in ("cnv", "fusion", "biomarker"):
            return False
        protein = alt.protein
        if not protein and alt.exon is not None:
            return _exon_matches(alt, row)
        if not protein:
            return False
        found = canonical_protein(row.protein)
        if _CODON.match(protein):  # a codon: any change at that residue
            start = protein_start(found)
            wanted = protein_start(protein) or ("", int(protein))
            return start is not None and start[1] == wanted[1] and \
                (not wanted[0] or wanted[0] == start[0])
        return found == protein


def _cnv_call(row: FindingRow) -> str:
    if row.cnv_call:
        return row.cnv_call
    if row.variant_class != "cnv" and not row.finding_key.startswith("cnv:"):
        return ""
    return from_description(row.gene, row.label).cnv_call  # rows before migration 0006


def _partners(row: FindingRow) -> tuple[str, str]:
    if row.partner5 or row.partner3:
        return row.partner5.upper(), row.partner3.upper()
    if row.variant_class != "fusion" and not row.finding_key.startswith("fusion:"):
        return "", ""
    label = re.sub(r"\s*\(.*\)\s*$", "", row.label).replace(" rearrangement", "")
    read = from_description(row.gene, label.replace("/", "::"))  # rows before 0006
    return read.partner5.upper(), (read.partner3 or row.gene).upper()


def _fusion_matches(alt: Alteration, row: FindingRow) -> bool:
    five, three = _partners(row)
    if not three:
        return False
    if alt.partner5:  # a named pair: the order may be unknown in the row (SV breakpoints)
        return {alt.partner5, alt.partner3} == {five, three}
    return (alt.partner3 or alt.gene) in (five, three)


def _exon_matches(alt: Alteration, row: FindingRow) -> bool:
    if row.exon is None or row.exon != alt.exon:
        return False
    found = canonical_protein(row.protein)
    consequences = alt.consequences
    if "inframe_deletion" in consequences:
        return "DEL" in found and "FS" not in found
    if "inframe_insertion" in consequences:
        return ("INS" in found or "DUP" in found) and "DELINS" not in found
    return True


def alteration_key(row: FindingRow) -> str:
    """One key per alteration whatever its spelling, for "the same variant" across cases:
    BRAF p.V600E and BRAF p.Val600Glu share 'BRAF:V600E'; a fusion is its partners in either
    order; a copy-number change its gene and call; a biomarker its name and call."""
    if row.variant_class == "biomarker" or row.finding_key.startswith("biomarker:"):
        return row.finding_key.casefold()
    if row.variant_class == "fusion" or row.finding_key.startswith("fusion:"):
        return "fusion:" + "::".join(sorted(p for p in _partners(row) if p))
    call = _cnv_call(row)
    if call:
        return f"{row.gene.upper()}:{call}"
    protein = canonical_protein(row.protein)
    return f"{row.gene.upper()}:{protein or row.label.casefold()}"
