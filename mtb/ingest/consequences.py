"""Transcript consequences already in a VCF: VEP `CSQ` and SnpEff `ANN`, and the protein change.

A variant may hit dozens of transcripts; the board sees one. `choose` takes VEP's PICK flag,
then MANE Select, then the canonical transcript, then the most severe consequence (Ensembl's
ranking), then protein-coding before other biotypes. All transcripts are kept on the variant.

Protein changes are given both ways users write them: as VEP writes them (p.Val600Glu) and short
(p.V600E), the form knowledge bases and clinicians use. When VEP left HGVSp empty (older caches,
--hgvs not set) the short form is derived from Protein_position + Amino_acids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mtb.ingest.text import decode_value
from mtb.sequence import has_three_letter_codes, long_protein, one_letter, severity, so_term
from mtb.variant import TranscriptAnnotation

# SnpEff writes a few terms its own way.
_SNPEFF_TERMS = {
    "exon_loss_variant": "transcript_ablation",
    "gene_fusion": "transcript_ablation",
    "bidirectional_gene_fusion": "transcript_ablation",
    "disruptive_inframe_deletion": "inframe_deletion",
    "conservative_inframe_deletion": "inframe_deletion",
    "disruptive_inframe_insertion": "inframe_insertion",
    "conservative_inframe_insertion": "inframe_insertion",
    "5_prime_UTR_premature_start_codon_gain_variant": "5_prime_UTR_variant",
    "initiator_codon_variant": "start_lost",
    "non_coding_exon_variant": "non_coding_transcript_exon_variant",
    "intragenic_variant": "intron_variant",
}


def strip_accession(hgvs: str) -> str:
    """'ENSP00000288602.6:p.Val600Glu' -> 'p.Val600Glu' (decoded: VEP writes '=' as %3D)."""
    hgvs = decode_value(hgvs)
    return hgvs.split(":", 1)[1] if ":" in hgvs else hgvs


def short_protein(hgvsp: str) -> str:
    """p.Val600Glu -> p.V600E, p.(Gly12Cys) -> p.G12C, p.Glu11GlyfsTer5 -> p.E11Gfs*5, as a VCF
    writes it (with an accession prefix, percent-encoded)."""
    return one_letter(strip_accession(hgvsp))


def derive_protein(protein_position: str, amino_acids: str) -> str:
    """VEP Protein_position + Amino_acids -> short HGVSp, for the unambiguous forms.

    '600' + 'V/E' -> p.V600E; '190' + 'T' -> p.T190= (synonymous); '12' + 'G/*' -> p.G12*;
    '746-750' + 'ELREA/-' -> p.E746_A750del; '746-747' + 'EL/K' -> p.E746_L747delinsK.
    Insertions and frameshifts need flanking residues VEP does not give here: ''.
    """
    if not protein_position or not amino_acids or "?" in protein_position:
        return ""
    start, _, end = protein_position.partition("-")
    if not start.isdigit() or (end and not end.isdigit()):
        return ""
    ref, slash, alt = amino_acids.partition("/")
    if not slash:
        return f"p.{ref}{start}=" if len(ref) == 1 and not end else ""
    if len(ref) == 1 and len(alt) == 1 and ref != "-" and alt != "-" and not end:
        return f"p.{ref}{start}{alt}" if ref != alt else f"p.{ref}{start}="
    if "X" in alt or "-" in ref:
        return ""
    last = end or start
    span = f"p.{ref[0]}{start}" + (f"_{ref[-1]}{last}" if len(ref) > 1 else "")
    if alt == "-":
        return f"{span}del"
    if len(ref) > 1 or len(alt) > 1:
        return f"{span}delins{alt}"
    return ""


def vep_alleles(ref: str, alts: Sequence[str]) -> list[str]:
    """The Allele string VEP writes for each ALT.

    VEP drops the first base when the record holds an indel (some ALT differs in length from
    REF) and every allele starts with the same base; an emptied allele is written '-'.
    """
    is_indel = any(len(alt) != len(ref) for alt in alts)
    if is_indel and ref and all(alt[:1] == ref[:1] for alt in alts):
        return [alt[1:] or "-" for alt in alts]
    return list(alts)


# VEP frequency fields (--max_af, --af_gnomade, --af_gnomadg, --af_1kg; custom gnomADe_AF).
_FREQUENCY_FIELDS = (
    "MAX_AF", "gnomADe_AF", "gnomADg_AF", "gnomAD_AF", "AF",
)


class CsqParser:
    """Parses VEP-style CSQ entries using the field order the header's Format string gives."""

    def __init__(self, fields: Sequence[str], source: str = "VEP") -> None:
        self.fields = tuple(fields)
        self.source = source
        index = {name.lower(): i for i, name in enumerate(self.fields)}

        def at(*names: str) -> int | None:
            for name in names:
                if name.lower() in index:
                    return index[name.lower()]
            return None

        self._allele = at("Allele")
        self._allele_num = at("ALLELE_NUM")
        self._consequence = at("Consequence")
        self._impact = at("IMPACT")
        self._symbol = at("SYMBOL")
        self._gene = at("Gene", "Entrez Gene ID")
        self._feature = at("Feature")
        self._biotype = at("BIOTYPE")
        self._exon = at("EXON")
        self._intron = at("INTRON")
        self._hgvsc = at("HGVSc")
        self._hgvsp = at("HGVSp")
        self._protein_position = at("Protein_position")
        self._amino_acids = at("Amino_acids")
        self._canonical = at("CANONICAL")
        self._mane = at("MANE_SELECT", "MANE")
        self._pick = at("PICK")
        self._clin_sig = at("CLIN_SIG")
        self._existing = at("Existing_variation")
        # population frequencies, most comprehensive first; the highest present value is kept
        self._frequencies = [
            i for i in (at(name) for name in _FREQUENCY_FIELDS) if i is not None
        ]

    @classmethod
    def from_header(cls, description: str) -> CsqParser | None:
        """From the CSQ INFO description ('... Format: Allele|Consequence|...')."""
        match = re.search(r"Format:\s*([^\"]+)", description)
        if not match:
            return None
        return cls([f.strip() for f in match.group(1).split("|")])

    def parse(self, raw: str, ref: str, alts: Sequence[str]) -> list[list[TranscriptAnnotation]]:
        """Transcript annotations for each ALT (same order as `alts`)."""
        per_alt: list[list[TranscriptAnnotation]] = [[] for _ in alts]
        if not raw:
            return per_alt
        vep_names = vep_alleles(ref, alts)
        by_allele = {name: i for i, name in enumerate(vep_names)}
        by_allele.update({alt: i for i, alt in enumerate(alts) if alt not in by_allele})
        nfields = len(self.fields)
        for entry in raw.split(","):
            values = entry.split("|")
            if len(values) < nfields:
                values += [""] * (nfields - len(values))
            target = self._target(values, by_allele, len(alts))
            if target is not None:
                per_alt[target].append(self._annotation(values))
        return per_alt

    def _target(self, values: list[str], by_allele: dict[str, int], n_alts: int) -> int | None:
        if self._allele_num is not None and values[self._allele_num].isdigit():
            number = int(values[self._allele_num]) - 1
            return number if 0 <= number < n_alts else None
        allele = values[self._allele] if self._allele is not None else ""
        if allele in by_allele:
            return by_allele[allele]
        return 0 if n_alts == 1 else None

    def _get(self, values: list[str], index: int | None) -> str:
        return decode_value(values[index]) if index is not None and values[index] else ""

    def _annotation(self, values: list[str]) -> TranscriptAnnotation:
        consequence = tuple(
            so_term(term) for term in self._get(values, self._consequence).split("&") if term
        )
        hgvsp_given = strip_accession(self._get(values, self._hgvsp))
        protein_position = self._get(values, self._protein_position)
        amino_acids = self._get(values, self._amino_acids)
        if hgvsp_given:
            short = short_protein(hgvsp_given)
            long = hgvsp_given if has_three_letter_codes(hgvsp_given) else long_protein(short)
        else:
            short = derive_protein(protein_position, amino_acids)
            long = long_protein(short)
        start = protein_position.partition("-")[0]
        return TranscriptAnnotation(
            gene=self._get(values, self._symbol) or self._get(values, self._gene),
            transcript=self._get(values, self._feature),
            consequence=consequence,
            impact=self._get(values, self._impact),
            hgvsc=strip_accession(self._get(values, self._hgvsc)),
            hgvsp=short,
            hgvsp_long=long,
            protein_position=int(start) if start.isdigit() else None,
            amino_acids=amino_acids,
            exon=self._get(values, self._exon),
            intron=self._get(values, self._intron),
            biotype=self._get(values, self._biotype),
            gene_id=self._get(values, self._gene),
            canonical=self._get(values, self._canonical) == "YES",
            mane_select=self._get(values, self._mane),
            picked=self._get(values, self._pick) == "1",
            source=self.source,
            max_af=self._max_af(values),
            clin_sig=self._get(values, self._clin_sig),
            existing=self._get(values, self._existing),
        )

    def _max_af(self, values: list[str]) -> float | None:
        """Highest population AF over the frequency fields VEP filled ('0.01&0.02' lists too)."""
        best = None
        for index in self._frequencies:
            for part in values[index].split("&") if values[index] else ():
                try:
                    value = float(part)
                except ValueError:
                    continue
                best = value if best is None or value > best else best
        return best


# SnpEff ANN: a fixed field order (http://pcingola.github.io/SnpEff/snpeff/inputoutput/).
ANN_FIELDS = (
    "Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type",
    "Feature_ID", "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p", "cDNA.pos / cDNA.length",
    "CDS.pos / CDS.length", "AA.pos / AA.length", "Distance", "ERRORS / WARNINGS / INFO",
)


class AnnParser:
    """Parses SnpEff ANN entries into the same TranscriptAnnotation as VEP's."""

    source = "SnpEff"

    def parse(self, raw: str, ref: str, alts: Sequence[str]) -> list[list[TranscriptAnnotation]]:
        per_alt: list[list[TranscriptAnnotation]] = [[] for _ in alts]
        if not raw:
            return per_alt
        by_allele = {alt: i for i, alt in enumerate(alts)}
        for entry in raw.split(","):
            values = entry.split("|")
            if len(values) < 11:
                continue
            allele = values[0].split("-")[0]  # cancer mode writes ALT-REF pairs
            target = by_allele.get(allele, 0 if len(alts) == 1 else None)
            if target is None:
                continue
            per_alt[target].append(self._annotation(values))
        return per_alt

    @staticmethod
    def _annotation(values: list[str]) -> TranscriptAnnotation:
        terms = tuple(
            _SNPEFF_TERMS.get(term, term) for term in decode_value(values[1]).split("&") if term
        )
        hgvsp_given = decode_value(values[10])
        aa_pos = values[13].split("/")[0] if len(values) > 13 else ""
        rank = values[8]
        exonic = not any(term == "intron_variant" for term in terms)
        return TranscriptAnnotation(
            gene=values[3],
            transcript=values[6],
            consequence=terms,
            impact=values[2],
            hgvsc=strip_accession(decode_value(values[9])),
            hgvsp=short_protein(hgvsp_given),
            hgvsp_long=strip_accession(hgvsp_given),
            protein_position=int(aa_pos) if aa_pos.isdigit() else None,
            exon=rank if exonic else "",
            intron="" if exonic else rank,
            biotype=values[7],
            gene_id=values[4],
            source="SnpEff",
        )


def choose(transcripts: Sequence[TranscriptAnnotation]) -> TranscriptAnnotation | None:
    """The transcript to report: PICK, MANE Select, canonical, most severe, protein-coding."""
    if not transcripts:
        return None
    return min(
        enumerate(transcripts),
        key=lambda item: (
            not item[1].picked,
            not item[1].mane_select,
            not item[1].canonical,
            severity(item[1].consequence),
            item[1].biotype != "protein_coding",
            item[0],
        ),
    )[1]
