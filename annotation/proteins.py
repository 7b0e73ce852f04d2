"""Protein changes however they are written, and knowledge-base variant names as match keys.

Users complain that annotation depends on how a variant is written: p.Val600Glu, p.V600E, V600E,
VAL600GLU, (Gly12Cys), R233X, R233*, E746_T751>I. `canonical_protein` turns every spelling into
one key (one-letter, upper case, no 'p.'), so the spelling never decides a match.

`classify_name` reads a CIViC variant name ("V600E", "G12/G13", "Exon 19 Deletion",
"Amplification", "EML4::ALK", "Loss-of-function") into a `NameClass` that says which findings
it can match and at which granularity. Names that describe what DNA sequencing cannot see
(expression, methylation, phosphorylation) or that are too vague to match safely
("Rare Exon 18-21 Mutation", domain mutations) are classed as unmatchable, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mtb.sequence import AA3_TO_1

_AA3_ANY_CASE = re.compile("|".join(AA3_TO_1), re.IGNORECASE)
# three-letter notation starts with a three-letter residue and its number; only then are
# three-letter runs converted, so one-letter 'D770_N771insGLY' keeps its G, L, Y
_AA3_NOTATION = re.compile(rf"^(?:{'|'.join(AA3_TO_1)})\d", re.IGNORECASE)
_AA3_LOOKUP = {three.upper(): one for three, one in AA3_TO_1.items()}
_PREFIX = re.compile(r"^(?:[A-Z]+_?\d+(?:\.\d+)?:)?\(?p\.\(?", re.IGNORECASE)
_FRAMESHIFT = re.compile(r"^([A-Z*])(\d+)[A-Z*]?FS.*$")
_OLD_DELINS = re.compile(r"^([A-Z]\d+(?:_[A-Z]\d+)?)>([A-Z]+)$")
_START = re.compile(r"^([A-Z*])(\d+)")


def canonical_protein(text: str) -> str:
    """One key per protein change: 'p.Val600Glu', 'V600E', 'VAL600GLU' -> 'V600E';
    'p.Glu11GlyfsTer5' and 'E11fs' -> 'E11FS'; 'E746_T751>I' -> 'E746_T751DELINSI'.

    Frameshifts reduce to residue + 'FS': knowledge bases name them by the first changed
    residue, and the new reading frame's length differs between callers and transcripts.
    A trailing 'X' is left alone: it means a stop in old notation but 'any residue' in CIViC
    codon names (H1047X); `classify_name` decides from the variant type.
    """
    text = _PREFIX.sub("", text.strip()).replace("(", "").replace(")", "").replace(" ", "")
    if not text:
        return ""
    if _AA3_NOTATION.match(text):
        text = _AA3_ANY_CASE.sub(lambda m: _AA3_LOOKUP[m.group(0).upper()], text)
    text = text.upper()
    frameshift = _FRAMESHIFT.match(text)
    if frameshift:
        return f"{frameshift.group(1)}{frameshift.group(2)}FS"
    old = _OLD_DELINS.match(text)
    if old:
        return f"{old.group(1)}DELINS{old.group(2)}"
    return text


def protein_start(canonical: str) -> tuple[str, int] | None:
    """('V', 600) for 'V600E'; None when the change names no residue."""
    match = _START.match(canonical)
    return (match.group(1), int(match.group(2))) if match else None


# -- knowledge-base variant names ------------------------------------------------------------

EXACT = "exact"  # a specific protein change (missense, nonsense, indel, frameshift, ...)
CODON = "codon"  # any change at one or more residues
EXON = "exon"  # a class of changes in an exon
GENE = "gene"  # a gene-level class (mutation, loss/gain of function, ITD)
CNV = "cnv"  # amplification / deletion of the gene
FUSION_PAIR = "fusion_pair"
FUSION_ANY = "fusion_any"
HGVSC = "hgvsc"  # a DNA-level name (c.3028G>A, MET Splice Site (c.3028G>A))
UNMATCHABLE = "unmatchable"

# gene-level classes
MUTATION = "mutation"
LOSS = "loss_of_function"
GAIN = "gain_of_function"
ITD = "itd"
AMPLIFICATION = "amplification"
DELETION = "deletion"


@dataclass(frozen=True)
class NameClass:
    """What a knowledge-base variant name can match."""

    kind: str  # EXACT, CODON, EXON, GENE, CNV, FUSION_PAIR, FUSION_ANY, HGVSC, UNMATCHABLE
    proteins: tuple[str, ...] = ()  # EXACT: canonical protein changes (D835H/Y names two)
    codons: tuple[tuple[str, int], ...] = ()  # CODON: (residue, position) pairs
    exons: tuple[int, ...] = ()  # EXON: exon numbers
    change: str = ""  # EXON: deletion, insertion, mutation, skipping, frameshift; GENE/CNV class
    partners: tuple[str, str] = ("", "")  # FUSION_PAIR: 5', 3'
    hgvsc: str = ""  # HGVSC: c. notation
    why: str = ""  # UNMATCHABLE: why not


_C_SUFFIX = re.compile(r"\s*\(?\s*c\.[^)]*\)?\s*$")
_SPACES = re.compile(r"\s+")
_MISSENSE_LIKE = re.compile(r"^[A-Z*]\d+(?:[A-Z*=?]|DEL|DUP|INS[A-Z]*|DELINS[A-Z]+|FS)$")
_RANGE_CHANGE = re.compile(r"^[A-Z]?\d+_[A-Z]?\d+(?:DEL|DUP|INS[A-Z]*|DELINS[A-Z]+)?[A-Z]*$")
_CODON = re.compile(r"^([A-Z])(\d+)$")
_CODON_ANY = re.compile(r"^([A-Z])(\d+)X$")
_CODON_LIST = re.compile(r"^([A-Z])(\d+)/([A-Z])(\d+)$")
_EXON = re.compile(
    r"^exon (\d+)(?:-(\d+))?(?: or exon (\d+))? "
    r"(deletion|insertion|mutation|skipping mutation|skipping|frameshift)$"
)
_FUSION_PAIR = re.compile(r"^([A-Z0-9][A-Z0-9.-]*)::([A-Z0-9][A-Z0-9.-]*)$")
_ALTERNATIVES = re.compile(r"^([A-Z]\d+)[A-Z](?:(?:/[A-Z])+|OR[A-Z]\d+[A-Z])$")
_HGVSC = re.compile(r"^(?:splice (?:site|region) )?\(?(c\.[^)\s]+)\)?$")

_GENE_CLASSES = {
    "mutation": MUTATION, "alteration": MUTATION,
    "loss": LOSS, "loss-of-function": LOSS, "inactivating mutation": LOSS,
    "truncating mutation": LOSS, "truncation": LOSS, "frameshift truncation": LOSS,
    "deleterious mutation": LOSS, "biallelic inactivation": LOSS,
    "activating mutation": GAIN, "gain-of-function": GAIN,
    "itd": ITD, "internal duplication": ITD,
}
_CNV_CLASSES = {"amplification": AMPLIFICATION, "deletion": DELETION}
_FUSION_ANY = {"fusion", "rearrangement"}
_NOT_FROM_DNA = re.compile(
    r"expression|methylation|phosphorylation|serum levels|wildtype|wild type|mislocalization|"
    r"translocation|polymorphism|repeat|kataegis|homozygosity|alternative transcript|utr|"
    r"copy-neutral|\bloh\b|copy number variation|double ph|splice variant"
)


def classify_name(name: str, variant_types: str = "") -> NameClass:
    """Class of a CIViC variant name. `variant_types` (its Sequence Ontology terms) settles the
    one ambiguity of the notation: 'R233X' is a stop when the type is stop_gained, otherwise
    'H1047X' means any residue at 1047."""
    clean = _SPACES.sub(" ", name).strip()
    lower = clean.lower()
    if _NOT_FROM_DNA.search(lower):
        return NameClass(UNMATCHABLE, why="not a DNA-level change")
    if lower in _GENE_CLASSES:
        return NameClass(GENE, change=_GENE_CLASSES[lower])
    if lower in _CNV_CLASSES:
        return NameClass(CNV, change=_CNV_CLASSES[lower])
    if lower in _FUSION_ANY:
        return NameClass(FUSION_ANY)
    pair = _FUSION_PAIR.match(clean)
    if pair:
        return NameClass(FUSION_PAIR, partners=(pair.group(1), pair.group(2)))
    if "::" in clean:
        return NameClass(UNMATCHABLE, why="fusion with breakpoint exons or extra mutations")
    exon = _EXON.match(lower)
    if exon:
        first, last, alternative, change = exon.groups()
        exons = list(range(int(first), int(last or first) + 1))
        if alternative:
            exons.append(int(alternative))
        return NameClass(EXON, exons=tuple(exons), change=change.replace(" mutation", ""))
    hgvsc = _HGVSC.match(lower)
    if hgvsc:
        return NameClass(HGVSC, hgvsc=hgvsc.group(1))
    protein_part = _C_SUFFIX.sub("", clean).strip()
    canonical = canonical_protein(protein_part)
    codon = _CODON.match(canonical)
    if codon:
        return NameClass(CODON, codons=((codon.group(1), int(codon.group(2))),))
    codon_list = _CODON_LIST.match(canonical)
    if codon_list:
        a, b = codon_list.group(1, 2), codon_list.group(3, 4)
        return NameClass(CODON, codons=((a[0], int(a[1])), (b[0], int(b[1]))))
    codon_any = _CODON_ANY.match(canonical)
    if codon_any:
        if "stop_gained" in variant_types:
            return NameClass(EXACT, proteins=(canonical[:-1] + "*",))
        return NameClass(CODON, codons=((codon_any.group(1), int(codon_any.group(2))),))
    if _MISSENSE_LIKE.match(canonical) or _RANGE_CHANGE.match(canonical):
        return NameClass(EXACT, proteins=(canonical,))
    alternatives = _ALTERNATIVES.match(canonical)
    if alternatives:  # D835H/Y, H1047L OR H1047R: either change
        residue = alternatives.group(1)
        changes = re.split(r"/|OR", canonical[len(residue):])
        proteins = tuple(
            change if change[:1].isalpha() and len(change) > 1 else residue + change
            for change in changes
        )
        return NameClass(EXACT, proteins=proteins)
    return NameClass(UNMATCHABLE, why="name not understood")
