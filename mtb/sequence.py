"""The vocabulary of sequence changes every stage shares: Sequence Ontology consequence terms,
amino-acid codes and the protein notation built from them.

It sits on the ground floor (beside mtb.variant) because ingest writes these terms and
notations from VCF annotations, annotation matches knowledge bases on them, and the web grid
filters by them: each term list and each spelling rule lives here once. Pure: no I/O, no
knowledge of file formats (decoding a VCF's escapes stays in mtb.ingest).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# -- Sequence Ontology consequence terms --------------------------------------------------

# Ensembl VEP consequence ranking, most severe first
# (https://www.ensembl.org/info/genome/variation/prediction/predicted_data.html).
SO_SEVERITY: tuple[str, ...] = (
    "transcript_ablation",
    "splice_acceptor_variant",
    "splice_donor_variant",
    "stop_gained",
    "frameshift_variant",
    "stop_lost",
    "start_lost",
    "transcript_amplification",
    "feature_elongation",
    "feature_truncation",
    "inframe_insertion",
    "inframe_deletion",
    "missense_variant",
    "protein_altering_variant",
    "splice_donor_5th_base_variant",
    "splice_region_variant",
    "splice_donor_region_variant",
    "splice_polypyrimidine_tract_variant",
    "incomplete_terminal_codon_variant",
    "start_retained_variant",
    "stop_retained_variant",
    "synonymous_variant",
    "coding_sequence_variant",
    "mature_miRNA_variant",
    "5_prime_UTR_variant",
    "3_prime_UTR_variant",
    "non_coding_transcript_exon_variant",
    "intron_variant",
    "NMD_transcript_variant",
    "non_coding_transcript_variant",
    "coding_transcript_variant",
    "upstream_gene_variant",
    "downstream_gene_variant",
    "TFBS_ablation",
    "TFBS_amplification",
    "TF_binding_site_variant",
    "regulatory_region_ablation",
    "regulatory_region_amplification",
    "regulatory_region_variant",
    "intergenic_variant",
    "sequence_variant",
)
_SEVERITY_RANK = {term: rank for rank, term in enumerate(SO_SEVERITY)}
_UNRANKED = len(SO_SEVERITY)
_CANONICAL = {term.lower(): term for term in SO_SEVERITY}


def so_term(term: str) -> str:
    """A Sequence Ontology term in its canonical spelling (CIViCpy writes 'Stop_Gained')."""
    return _CANONICAL.get(term.lower(), term.lower())


# Coding consequences: what counts as protein-altering for TMB and for matching.
NONSYNONYMOUS = frozenset(
    {
        "transcript_ablation", "splice_acceptor_variant", "splice_donor_variant", "stop_gained",
        "frameshift_variant", "stop_lost", "start_lost", "inframe_insertion", "inframe_deletion",
        "missense_variant", "protein_altering_variant",
    }
)


def severity(terms: Sequence[str]) -> int:
    """Rank of the most severe of the terms (0 = most severe)."""
    return min((_SEVERITY_RANK.get(term, _UNRANKED) for term in terms), default=_UNRANKED)


# Consequences in the coding sequence (synonymous ones too): the grid's "Coding" column.
CODING = frozenset({
    "missense_variant", "stop_gained", "stop_lost", "start_lost", "frameshift_variant",
    "inframe_insertion", "inframe_deletion", "protein_altering_variant",
    "splice_donor_variant", "splice_acceptor_variant", "synonymous_variant",
    "coding_sequence_variant", "incomplete_terminal_codon_variant",
})


# -- amino acids and protein notation ---------------------------------------------------

AA3_TO_1 = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
    "Sec": "U", "Pyl": "O", "Xaa": "X",
}
AA1_TO_3 = {one: three for three, one in AA3_TO_1.items()}
_AA3 = re.compile("|".join(AA3_TO_1))


def one_letter(protein: str) -> str:
    """p.Val600Glu -> p.V600E, p.(Gly12Cys) -> p.G12C, p.Glu11GlyfsTer5 -> p.E11Gfs*5; a
    missing 'p.' is added. (Without an accession prefix: see mtb.ingest.consequences.)"""
    text = protein.replace("(", "").replace(")", "")
    if not text:
        return ""
    if not text.startswith("p."):
        text = "p." + text
    return _AA3.sub(lambda m: AA3_TO_1[m.group(0)], text)


def long_protein(short: str) -> str:
    """p.V600E -> p.Val600Glu, p.E746_A750del -> p.Glu746_Ala750del, p.E11Gfs*5 -> p.Glu11GlyfsTer5.

    Amino acids are the upper-case letters and '*'; HGVS keywords (del, ins, fs, dup, ext) are
    lower case, so a letter-by-letter substitution is exact.
    """
    if not short.startswith("p."):
        return ""
    return "p." + re.sub(r"[A-Z*]", lambda m: AA1_TO_3.get(m.group(0), m.group(0)), short[2:])


def has_three_letter_codes(protein: str) -> bool:
    """Whether a protein change is written with three-letter codes (p.Val600Glu)."""
    return _AA3.search(protein) is not None
