"""CIViC in memory, keyed for matching: every variant name classified once (annotation.proteins)
and filed under the keys a finding can reach it by; molecular profiles with their evidence and
assertions; multi-variant profiles ("EGFR L858R OR EGFR Exon 19 Deletion",
"ABL1 BCR::ABL1 AND ABL1 T315I") parsed into boolean expressions over variant ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from annotation import proteins as names
from annotation.model import Evidence
from annotation.sources.civic.release import CivicProfile, CivicVariant
from mtb.variant import allele_key

BIOMARKERS = frozenset({"TMB", "MSI", "HRD"})  # genome-wide signatures, matched by status
Expr = tuple  # ("var", id) | ("and", (Expr, ...)) | ("or", (Expr, ...)) | ("not", Expr)


@dataclass(frozen=True)
class Entry:
    """A CIViC variant as a match target."""

    variant: CivicVariant
    name_class: names.NameClass


@dataclass(frozen=True)
class Profile:
    id: int
    name: str
    variant_ids: tuple[int, ...]
    expression: Expr | None  # None for single-variant profiles and unparseable names

    @property
    def compound(self) -> bool:
        """More than a single variant: AND/OR/NOT of variants (or an unparseable name)."""
        return self.expression is None or self.expression[0] != "var"


class CivicKnowledge:
    """Lookup tables over one CIViC release."""

    def __init__(
        self,
        release: str,
        variants: Iterable[CivicVariant],
        profiles: Iterable[CivicProfile],
        evidence: Iterable[tuple[int, Evidence]],
        assertions: Iterable[tuple[int, Evidence]],
        grch38: Mapping[int, tuple[str, int, str, str]],
    ) -> None:
        self.release = release
        self.variants = {v.id: v for v in variants}
        self.exact: dict[tuple[str, str], list[Entry]] = {}
        self.codon: dict[tuple[str, int], list[Entry]] = {}
        self.exon: dict[str, list[Entry]] = {}
        self.gene_class: dict[tuple[str, str], list[Entry]] = {}
        self.cnv: dict[tuple[str, str], list[Entry]] = {}
        self.pair: dict[frozenset[str], list[Entry]] = {}
        self.fusion_any: dict[str, list[Entry]] = {}
        self.hgvsc: dict[tuple[str, str], list[Entry]] = {}
        self.genomic: dict[tuple[str, str, int, str, str], list[Entry]] = {}
        self.biomarker: dict[tuple[str, str], list[Entry]] = {}  # ("TMB", "high")
        self.unmatchable = 0
        self.classes: dict[int, names.NameClass] = {}
        for variant in self.variants.values():
            self._file(variant, grch38.get(variant.id))
        # genes with any entry matchable by gene (a fast exit for the rest of an exome)
        self.genes = {v.gene for v in self.variants.values()}
        # genes whose loss of function CIViC lists (Loss-of-function, Deletion classes): only
        # there do truncating variants and deep deletions also count as "<gene> Mutation"
        self.loss_genes = {gene for gene, change in self.gene_class if change == names.LOSS} | {
            gene for gene, change in self.cnv if change == names.DELETION
        }
        # the end each gene keeps in CIViC's fusions ("3" for ALK in EML4::ALK, "5" for FGFR3)
        sides: dict[str, list[int]] = {}
        for pair_entries in self.pair.values():
            for entry in pair_entries:
                five, three = entry.name_class.partners
                sides.setdefault(five, [0, 0])[0] += 1
                sides.setdefault(three, [0, 0])[1] += 1
        self.fusion_side = {
            gene: "5" if counts[0] > counts[1] else "3" if counts[1] > counts[0] else ""
            for gene, counts in sides.items()
        }

        self.evidence: dict[int, list[Evidence]] = {}
        for profile_id, item in evidence:
            self.evidence.setdefault(profile_id, []).append(item)
        self.assertions: dict[int, list[Evidence]] = {}
        for profile_id, item in assertions:
            self.assertions.setdefault(profile_id, []).append(item)

        by_full_name = {_key(v.full_name): v.id for v in self.variants.values()}
        self.profiles: dict[int, Profile] = {}
        self.profiles_of: dict[int, list[int]] = {}  # variant id -> profile ids
        for row in profiles:
            expression = parse_profile(row.name, row.variant_ids, by_full_name, self.variants)
            profile = Profile(row.id, row.name, row.variant_ids, expression)
            self.profiles[row.id] = profile
            for variant_id in row.variant_ids:
                self.profiles_of.setdefault(variant_id, []).append(row.id)

    def _file(self, variant: CivicVariant, grch38: tuple[str, int, str, str] | None) -> None:
        if variant.gene in BIOMARKERS:  # CIViC's "TMB High" factor, approvals' TMB/MSI/HRD
            self.classes[variant.id] = names.NameClass(names.UNMATCHABLE, why="biomarker")
            entry = Entry(variant, self.classes[variant.id])
            self.biomarker.setdefault((variant.gene, variant.name.lower()), []).append(entry)
            return
        name_class = names.classify_name(variant.name, variant.variant_types)
        self.classes[variant.id] = name_class
        entry = Entry(variant, name_class)
        gene = variant.gene
        kind = name_class.kind
        if kind == names.EXACT:
            for protein in name_class.proteins:
                self.exact.setdefault((gene, protein), []).append(entry)
        elif kind == names.CODON:
            for _, position in name_class.codons:
                self.codon.setdefault((gene, position), []).append(entry)
        elif kind == names.EXON:
            self.exon.setdefault(gene, []).append(entry)
        elif kind == names.GENE:
            self.gene_class.setdefault((gene, name_class.change), []).append(entry)
        elif kind == names.CNV:
            self.cnv.setdefault((gene, name_class.change), []).append(entry)
        elif kind == names.FUSION_PAIR:
            self.pair.setdefault(frozenset(name_class.partners), []).append(entry)
        elif kind == names.FUSION_ANY:
            self.fusion_any.setdefault(gene, []).append(entry)
        elif kind == names.HGVSC:
            self.hgvsc.setdefault((gene, name_class.hgvsc.lower()), []).append(entry)
        else:
            self.unmatchable += 1
        for build, coordinates in (("GRCh37", variant.grch37), ("GRCh38", grch38)):
            if coordinates is not None:
                chrom, pos, ref, alt = coordinates
                key = (build, chrom, *allele_key(pos, ref, alt))
                self.genomic.setdefault(key, []).append(entry)

    def profiles_for(self, variant_id: int) -> list[Profile]:
        return [self.profiles[p] for p in self.profiles_of.get(variant_id, ())]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "variants": len(self.variants),
            "molecular profiles": len(self.profiles),
            "evidence items": sum(len(v) for v in self.evidence.values()),
            "assertions": sum(len(v) for v in self.assertions.values()),
        }


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


_TOKEN = re.compile(r"\(|\)|\bAND\b|\bOR\b|\bNOT\b|V#\d+#")


def parse_profile(
    name: str,
    variant_ids: tuple[int, ...],
    by_full_name: Mapping[str, int],
    variants: Mapping[int, CivicVariant],
) -> Expr | None:
    """Boolean expression of a molecular profile name over its variant ids.

    Operands are full variant names ("MET Splice Site (c.3028G>A)") that may hold parentheses
    and spaces, so each known operand is replaced by a placeholder (longest names first) before
    the operators are parsed. A single-variant name yields ("var", id); None if unparseable.
    """
    text = f" {_key(name)} "
    operands = sorted(
        (variants[v] for v in variant_ids if v in variants),
        key=lambda v: -len(v.full_name),
    )
    for variant in operands:
        text = text.replace(f" {_key(variant.full_name)} ", f" v#{variant.id}# ")
    text = text.upper()
    tokens = _TOKEN.findall(text)
    if "".join(tokens).replace(" ", "") != re.sub(r"\s+", "", text):
        return None  # something in the name is not an operand or an operator
    try:
        expression, rest = _parse_or(tokens)
    except (IndexError, ValueError):
        return None
    return expression if not rest else None


def _parse_or(tokens: list[str]) -> tuple[Expr, list[str]]:
    left, tokens = _parse_and(tokens)
    items = [left]
    while tokens and tokens[0] == "OR":
        right, tokens = _parse_and(tokens[1:])
        items.append(right)
    return (("or", tuple(items)) if len(items) > 1 else left), tokens


def _parse_and(tokens: list[str]) -> tuple[Expr, list[str]]:
    left, tokens = _parse_unary(tokens)
    items = [left]
    while tokens and tokens[0] == "AND":
        right, tokens = _parse_unary(tokens[1:])
        items.append(right)
    return (("and", tuple(items)) if len(items) > 1 else left), tokens


def _parse_unary(tokens: list[str]) -> tuple[Expr, list[str]]:
    head = tokens[0]
    if head == "NOT":
        inner, rest = _parse_unary(tokens[1:])
        return ("not", inner), rest
    if head == "(":
        inner, rest = _parse_or(tokens[1:])
        if not rest or rest[0] != ")":
            raise ValueError("unbalanced parenthesis")
        return inner, rest[1:]
    if head.startswith("V#"):
        return ("var", int(head[2:-1])), tokens[1:]
    raise ValueError(f"unexpected {head}")


def has_not(expression: Expr) -> bool:
    if expression[0] == "not":
        return True
    if expression[0] == "var":
        return False
    return any(has_not(item) for item in expression[1])


def evaluate(expression: Expr, present: set[int]) -> bool:
    """Whether the case's matched variant ids satisfy a profile expression."""
    kind = expression[0]
    if kind == "var":
        return expression[1] in present
    if kind == "and":
        return all(evaluate(item, present) for item in expression[1])
    if kind == "or":
        return any(evaluate(item, present) for item in expression[1])
    return not evaluate(expression[1], present)
