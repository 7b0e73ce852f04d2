"""What a tumor's variants are, independent of the file they came from (no I/O here).

Three kinds of finding reach a tumor board and each has its own shape:
- `SmallVariant`: SNV, MNV, insertion, deletion, complex (delins), one row per ALT allele.
- `CopyNumber`: a segment with a copy number (from CNV VCF records or a segment table).
- `StructuralVariant`: a breakpoint pair (BND/DEL/DUP/INV/INS) and `Fusion`: a gene pair.

All are frozen: ingest builds them, later stages derive new objects instead of mutating.
Every kind answers the same three questions the same way, so no reader needs to ask which
kind it holds: `support` (tumor VAF, supporting reads, depth), `locus` (where, as text) and
`type_label` (what kind, as the variant table names it).
Coordinates are 1-based and inclusive, as in VCF. `chrom` keeps the name as written in the
file (users see it); `norm_chrom` is the normalised name used to join across sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import NamedTuple


class GenomeBuild(StrEnum):
    """Reference assembly of the coordinates; UNKNOWN is said out loud, never guessed."""

    GRCH37 = "GRCh37"
    GRCH38 = "GRCh38"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, text: str) -> GenomeBuild:
        """Read a build name as tools write it (hg19, b37, GRCh38.p13, ...); UNKNOWN if none."""
        key = text.strip().lower()
        for build, pattern in _BUILD_PATTERNS:
            if pattern.search(key):
                return build
        return cls.UNKNOWN


# Bare numbers count only on their own: a path like /run38/hg19.fa is GRCh37.
_BUILD_PATTERNS: tuple[tuple[GenomeBuild, re.Pattern[str]], ...] = (
    (GenomeBuild.GRCH38, re.compile(r"grch38|hg38|\bb38\b|hs38|^38$")),
    (GenomeBuild.GRCH37, re.compile(r"grch37|hg19|\bb37\b|hs37|human_g1k_v37|^37$")),
)


class VariantType(StrEnum):
    SNV = "snv"
    MNV = "mnv"
    INSERTION = "insertion"
    DELETION = "deletion"
    COMPLEX = "complex"
    STRUCTURAL = "sv"
    COPY_NUMBER = "cnv"
    FUSION = "fusion"
    BIOMARKER = "biomarker"


SMALL_TYPES = frozenset(
    {VariantType.SNV, VariantType.MNV, VariantType.INSERTION, VariantType.DELETION,
     VariantType.COMPLEX}
)

_REFSEQ_CHROM = re.compile(r"^NC_0000(\d\d)\.\d+$")


def normalize_chrom(name: str) -> str:
    """'chr7', 'Chr7', '7' and 'NC_000007.13' -> '7'; 'chrM', 'M' -> 'MT'; X/Y upper-cased."""
    refseq = _REFSEQ_CHROM.match(name)
    if refseq:
        number = int(refseq.group(1))
        return {23: "X", 24: "Y"}.get(number, str(number))
    if name.startswith("NC_012920"):
        return "MT"
    bare = name[3:] if name[:3].lower() == "chr" else name
    upper = bare.upper()
    if upper in ("M", "MT"):
        return "MT"
    if upper in ("X", "Y"):
        return upper
    return bare


def classify_small(ref: str, alt: str) -> VariantType:
    """Type of a sequence-resolved allele after trimming the bases REF and ALT share."""
    if len(ref) == 1 and len(alt) == 1:
        return VariantType.SNV
    start = 0
    shortest = min(len(ref), len(alt))
    while start < shortest and ref[start] == alt[start]:
        start += 1
    end = 0
    while end < shortest - start and ref[-1 - end] == alt[-1 - end]:
        end += 1
    ref_core = ref[start : len(ref) - end]
    alt_core = alt[start : len(alt) - end]
    if not ref_core and alt_core:
        return VariantType.INSERTION
    if ref_core and not alt_core:
        return VariantType.DELETION
    if len(ref_core) == len(alt_core):
        return VariantType.SNV if len(ref_core) == 1 else VariantType.MNV
    return VariantType.COMPLEX


@dataclass(frozen=True, slots=True)
class TranscriptAnnotation:
    """One transcript consequence as VEP (CSQ) or SnpEff (ANN) reported it."""

    gene: str
    transcript: str
    consequence: tuple[str, ...]
    impact: str = ""
    hgvsc: str = ""  # without the transcript prefix: c.1799T>A
    hgvsp: str = ""  # short form: p.V600E
    hgvsp_long: str = ""  # as VEP writes it, without the protein prefix: p.Val600Glu
    protein_position: int | None = None
    amino_acids: str = ""  # VEP Amino_acids, e.g. V/E
    exon: str = ""  # "15/18"
    intron: str = ""
    biotype: str = ""
    gene_id: str = ""
    canonical: bool = False
    mane_select: str = ""
    picked: bool = False  # VEP --pick/--flag_pick chose it
    source: str = "VEP"
    max_af: float | None = None  # highest population allele frequency VEP reported (gnomAD, 1000G)
    clin_sig: str = ""  # VEP CLIN_SIG (ClinVar significance of co-located known variants)
    existing: str = ""  # VEP Existing_variation (rs IDs, COSMIC IDs)


class ReadSupport(NamedTuple):
    """The tumor reads behind a finding; None where the file does not say.

    `alt` counts the reads that support the finding. For a fusion table these are the
    caller's split (junction) reads, not reads of a DNA allele: `allelic` is False then, and
    what reports as an allele's read depth (the FHIR report) leaves them out.
    """

    vaf: float | None = None
    alt: int | None = None
    depth: int | None = None
    allelic: bool = True


NO_SUPPORT = ReadSupport()


class SmallVariant(NamedTuple):
    """One ALT allele of a VCF record, with the tumor (and normal) read evidence.

    A NamedTuple rather than a frozen dataclass: equally immutable, and five times cheaper to
    build (0.4 vs 2.0 µs measured here), which matters for whole-genome VCFs with millions of rows.
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    filter: str  # as written: PASS, '.', or semicolon-separated filter names
    variant_type: VariantType
    norm_chrom: str
    id: str = ""
    qual: float | None = None
    tumor_vaf: float | None = None
    tumor_alt: int | None = None
    tumor_depth: int | None = None
    normal_vaf: float | None = None
    normal_alt: int | None = None
    normal_depth: int | None = None
    vaf_source: str = ""  # which caller convention gave the read evidence
    annotation: TranscriptAnnotation | None = None  # the transcript reported for the variant
    transcripts: tuple[TranscriptAnnotation, ...] = ()  # every transcript the file gave
    line: int | None = None  # line in the source file, for messages
    # the tumor's RNA (RADIA's RNA_TUMOR): the allele expressed, support beside the DNA VAF
    rna_vaf: float | None = None
    rna_alt: int | None = None
    rna_depth: int | None = None

    @property
    def passed(self) -> bool:
        return passes_filter(self.filter)

    @property
    def gene(self) -> str:
        return self.annotation.gene if self.annotation else ""

    @property
    def hgvsp(self) -> str:
        return self.annotation.hgvsp if self.annotation else ""

    @property
    def hgvsc(self) -> str:
        return self.annotation.hgvsc if self.annotation else ""

    @property
    def consequence(self) -> str:
        return "&".join(self.annotation.consequence) if self.annotation else ""

    @property
    def key(self) -> str:
        """chrom-pos-ref-alt on the normalised chromosome; stable across chr/no-chr files."""
        return f"{self.norm_chrom}-{self.pos}-{self.ref}-{self.alt}"

    @property
    def support(self) -> ReadSupport:
        return ReadSupport(self.tumor_vaf, self.tumor_alt, self.tumor_depth)

    @property
    def locus(self) -> str:
        return f"{self.chrom}:{self.pos} {self.ref}>{self.alt}"

    @property
    def type_label(self) -> str:
        return self.variant_type.value


def trim_alleles(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """The shortest VCF-style spelling of an allele: shared trailing, then leading, bases removed
    while one base stays on each side. Callers pad MNVs and indels differently (CA>CT is A>T one
    base on; CGGAT>CAT is CGG>C), and an exact genomic match must not depend on the caller.
    Left-alignment would need the reference sequence and is not done."""
    if len(ref) == 1 or len(alt) == 1:  # SNVs and anchored indels: already shortest
        return pos, ref, alt
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def allele_key(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """The minimal spelling of an allele, for exact genomic matching: every shared trailing,
    then leading base removed, even the VCF anchor base (G>GCGT at 100 is ''>CGT at 101).
    Knowledge bases write indels without the anchor (CIViC: start 101, ref '', alt 'CGT') and
    VCFs with it; both reduce to the same key."""
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while ref and alt and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def passes_filter(value: str) -> bool:
    """PASS, or '.' (the caller applied no filters): kept by --pass-only."""
    return value in ("PASS", ".", "")


# Copy-number calls from a total copy number. Amplification needs 3 copies above the sample's
# ploidy: on a diploid genome that is PCGR's default of >= 5 copies, which stays the fixed
# threshold when the ploidy is not known, and a whole-genome-doubled tumor (ploidy 4) needs 7,
# so that its many gained segments are not all taken for amplifications. Deep deletion is a
# copy number below 0.5 (rounded to none: Priestley et al., Nature 2019, Hartwig's catalogue).
AMPLIFICATION_ABOVE_PLOIDY = 3
DEFAULT_PLOIDY = 2.0
AMPLIFICATION_MIN_CN = DEFAULT_PLOIDY + AMPLIFICATION_ABOVE_PLOIDY
DEEP_DELETION_MAX_CN = 0.5


def tumor_copy_number(log2: float, purity: float | None) -> float:
    """The tumor's copy number from a log2 ratio against a diploid reference; with the purity,
    the normal cells' two copies taken out ((2 * 2**log2 - 2 * (1 - purity)) / purity)."""
    observed = 2.0 * 2.0 ** log2
    if purity is None:
        return observed
    return max(0.0, (observed - 2.0 * (1.0 - purity)) / purity)


@dataclass(frozen=True, slots=True)
class CopyNumber:
    """A copy-number segment; `genes` are filled by annotation, not by ingest."""

    chrom: str
    start: int
    end: int
    norm_chrom: str
    copy_number: float | None = None
    major_cn: int | None = None
    minor_cn: int | None = None
    filter: str = "."
    svtype: str = ""  # DEL/DUP/CNV when read from a VCF
    id: str = ""
    genes: tuple[str, ...] = ()
    line: int | None = None
    log2: float | None = None  # a log2-ratio table's value; copy_number is computed from it
    ploidy: float | None = None  # the sample's, when known (case.toml, the file's header)
    purity: float | None = None
    sample_source: str = ""  # where ploidy and purity came from

    variant_type: VariantType = field(default=VariantType.COPY_NUMBER, init=False)

    @property
    def passed(self) -> bool:
        return passes_filter(self.filter)

    @property
    def support(self) -> ReadSupport:
        return NO_SUPPORT

    @property
    def locus(self) -> str:
        return f"{self.chrom}:{self.start}-{self.end}"

    @property
    def type_label(self) -> str:
        return "CNV"

    @property
    def call(self) -> str:
        """amplification / gain / neutral / loss / deep_deletion against the sample's ploidy
        (diploid when unknown), or the SV type if no number."""
        cn = self.copy_number
        if cn is None:
            return {"DEL": "loss", "DUP": "gain"}.get(self.svtype, "unknown")
        ploidy = self.ploidy or DEFAULT_PLOIDY
        if cn >= ploidy + AMPLIFICATION_ABOVE_PLOIDY:
            return "amplification"
        if cn < DEEP_DELETION_MAX_CN:
            return "deep_deletion"
        baseline = round(ploidy)
        if round(cn) == baseline:
            return "neutral"
        return "gain" if cn > baseline else "loss"

    @property
    def basis(self) -> str:
        """How the call was made, for the reasons: 'amplification: CN 9 >= ploidy 3.1 + 3
        (ploidy from case.toml)' or '... >= 5 (fixed threshold: the sample's ploidy is not
        known)'."""
        cn = self.copy_number
        if cn is None:
            return f"{self.call}: the caller's {self.svtype or 'call'}, no copy number"
        origin = ""
        if self.log2 is not None:
            origin = (f" (from log2 {self.log2:.2f}" + (f" at purity {self.purity:.0%})"
                      if self.purity is not None else ", purity not known)"))
        if self.ploidy is None:
            rule = (f"amplification from {AMPLIFICATION_MIN_CN:g} copies (fixed threshold: the "
                    "sample's ploidy is not known)")
        else:
            rule = (f"amplification from ploidy {self.ploidy:g} + {AMPLIFICATION_ABOVE_PLOIDY} = "
                    f"{self.ploidy + AMPLIFICATION_ABOVE_PLOIDY:g} copies (ploidy from "
                    f"{self.sample_source or 'the input'})")
        return f"{self.call.replace('_', ' ')}: CN {cn:.3g}{origin}; {rule}"

    def for_sample(self, ploidy: float | None, purity: float | None,
                   source: str) -> CopyNumber:
        """The segment judged against the sample's ploidy and, for a log2 ratio, its purity."""
        copy_number = self.copy_number
        if self.log2 is not None:
            copy_number = tumor_copy_number(self.log2, purity)
        return replace(self, copy_number=copy_number, ploidy=ploidy, purity=purity,
                       sample_source=source)


@dataclass(frozen=True, slots=True)
class StructuralVariant:
    """A rearrangement between two breakpoints (Delly, Manta, ... VCF records)."""

    chrom: str
    pos: int
    chrom2: str
    pos2: int
    sv_type: str  # BND, DEL, DUP, INV, INS
    ref: str
    alt: str
    norm_chrom: str
    norm_chrom2: str
    filter: str = "."
    id: str = ""
    mate_id: str = ""
    tumor_alt: int | None = None  # reads supporting the rearrangement (split + paired)
    tumor_depth: int | None = None
    tumor_vaf: float | None = None
    normal_alt: int | None = None
    normal_depth: int | None = None
    normal_vaf: float | None = None
    genes: tuple[str, ...] = ()
    line: int | None = None

    variant_type: VariantType = field(default=VariantType.STRUCTURAL, init=False)

    @property
    def passed(self) -> bool:
        return passes_filter(self.filter)

    @property
    def support(self) -> ReadSupport:
        return ReadSupport(self.tumor_vaf, self.tumor_alt, self.tumor_depth)

    @property
    def locus(self) -> str:
        return f"{self.chrom}:{self.pos} / {self.chrom2}:{self.pos2}"

    @property
    def type_label(self) -> str:
        return self.sv_type


@dataclass(frozen=True, slots=True)
class Fusion:
    """A gene fusion, 5' partner first when the source tells the order."""

    gene5: str
    gene3: str
    breakpoint5: str = ""  # chrom:pos as written
    breakpoint3: str = ""
    split_reads: int | None = None
    spanning_reads: int | None = None
    filter: str = "."
    line: int | None = None

    variant_type: VariantType = field(default=VariantType.FUSION, init=False)

    @property
    def name(self) -> str:
        return f"{self.gene5}::{self.gene3}"

    @property
    def passed(self) -> bool:
        return passes_filter(self.filter)

    @property
    def support(self) -> ReadSupport:
        return ReadSupport(alt=self.split_reads, allelic=False)

    @property
    def locus(self) -> str:
        return " / ".join(b for b in (self.breakpoint5, self.breakpoint3) if b)

    @property
    def type_label(self) -> str:
        return "fusion"


BIOMARKER_UNITS = {"TMB": "mut/Mb", "MSI": "", "HRD": ""}


TMB_HIGH = 10.0  # mutations per megabase: the tumor-agnostic pembrolizumab label's cut-off
# genomic instability score (Myriad myChoice CDx): HRD-positive from 42, the companion
# diagnostic's cut-off in PAOLA-1 and the olaparib + bevacizumab labels
HRD_SCORE_POSITIVE = 42.0


@dataclass(frozen=True, slots=True)
class Biomarker:
    """A genome-wide signature as a finding of its own: TMB, MSI or HRD.

    Given (case.toml, a command-line option, a FHIR Observation, an MSIsensor report) or
    computed from the case's calls; a computed value that only estimates what a validated assay
    measures (MSI from the indel pattern) says so, and tiers as what it is: an estimate.
    """

    name: str  # TMB, MSI, HRD
    call: str  # TMB: high / low; MSI: high / stable / indeterminate; HRD: positive / negative
    value: float | None = None  # TMB mut/Mb, an MSIsensor score, an HRD score
    unit: str = ""
    source: str = ""  # where it came from: "case.toml", "MSIsensor report x.txt", "computed ..."
    estimate: bool = False
    filter: str = "PASS"
    line: int | None = None

    variant_type: VariantType = field(default=VariantType.BIOMARKER, init=False)

    @property
    def label(self) -> str:
        """'TMB 14.2 mut/Mb (high)', 'MSI-high', 'MSI-high (12 % unstable sites)',
        'MSI-high (estimate)', 'HRD positive (GIS 48)': a measured value beside its call."""
        if self.name == "TMB" and self.value is not None:
            return f"TMB {self.value:.1f} mut/Mb ({self.call})" + (
                " (estimate)" if self.estimate else "")
        if self.name == "MSI":
            text = {"high": "MSI-high", "stable": "microsatellite stable"}.get(
                self.call, f"MSI {self.call}")
        else:
            text = f"{self.name} {self.call}"
        if self.estimate:
            return f"{text} (estimate)"
        if self.value is not None and self.unit:  # a score's name before it: 'GIS 48'
            text += (f" ({self.unit} {self.value:g})" if self.unit.isupper()
                     else f" ({self.value:g} {self.unit})")
        return text

    @property
    def passed(self) -> bool:
        return True

    @property
    def support(self) -> ReadSupport:
        return NO_SUPPORT

    @property
    def locus(self) -> str:
        return "genome-wide"

    @property
    def type_label(self) -> str:
        return "biomarker"


Finding = SmallVariant | CopyNumber | StructuralVariant | Fusion | Biomarker
