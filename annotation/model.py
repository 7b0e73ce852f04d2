"""The vocabulary of annotation: what was found (Alteration), what a knowledge base says
(Evidence), how the two met (Match), the diagnosis in ontology terms (Diagnosis), and the
verdict with its reasons (AnnotatedVariant). Frozen dataclasses, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from mtb.variant import Finding

# Population allele frequency from which a variant counts as a polymorphism: no gene-level
# evidence rolls up to it, it is not counted in TMB, and it is tier IV evidence of benignity.
COMMON_AF = 0.01


class Tier(StrEnum):
    """AMP/ASCO/CAP 2017 tiers with their evidence levels (Li et al., J Mol Diagn 2017;19:4-23)."""

    IA = "IA"  # strong clinical significance: FDA-approved / guideline, this tumor type
    IB = "IB"  # strong: well-powered studies with consensus, this tumor type
    IIC = "IIC"  # potential: approved for another tumor type, or smaller studies
    IID = "IID"  # potential: preclinical studies or case reports
    III = "III"  # unknown significance
    IV = "IV"  # benign or likely benign

    @property
    def rank(self) -> int:
        """0 for the strongest tier; III and IV rank after all tiers with evidence."""
        return _TIER_ORDER.index(self)

    @property
    def level(self) -> str:
        """The AMP evidence level letter inside the tier (A-D), '' for III and IV."""
        return self.value[-1] if self in (Tier.IA, Tier.IB, Tier.IIC, Tier.IID) else ""


_TIER_ORDER = (Tier.IA, Tier.IB, Tier.IIC, Tier.IID, Tier.III, Tier.IV)
TIER_RANK = {tier.value: tier.rank for tier in Tier}  # "IA" 0 ... "IV" 5


class Granularity(StrEnum):
    """How specifically a finding matched a knowledge-base entry, most specific first."""

    EXACT_GENOMIC = "exact_genomic"  # same chromosome, position, REF and ALT
    EXACT_PROTEIN = "exact_protein"  # same gene and protein change (any spelling)
    CODON = "codon"  # same residue, any change there (KRAS G12, IDH1 R132)
    EXON = "exon"  # exon or variant-group class (EGFR exon 19 deletion, KIT exon 11)
    FUSION_PAIR = "fusion_pair"  # the same two partners (EML4::ALK)
    FUSION_GENE = "fusion_gene"  # any fusion of the gene (ALK Fusion)
    CNV_GENE = "cnv_gene"  # a copy-number segment covering the gene (ERBB2 Amplification)
    BIOMARKER = "biomarker"  # a genome-wide signature by its status (TMB high, MSI high)
    GENE_CLASS = "gene_class"  # gene-level class fitting the variant (Mutation, Loss-of-function)

    @property
    def rank(self) -> int:
        return list(Granularity).index(self)


@dataclass(frozen=True)
class Alteration:
    """A finding in the terms knowledge bases use; one per SmallVariant, CNV segment x gene, or
    fusion. Built by `annotation.alterations` from ingest's findings or from text."""

    kind: str  # "small", "cnv", "fusion", "biomarker" (TMB, MSI, HRD), or "sv" (no gene pair)
    gene: str
    label: str  # shown to users: "BRAF p.V600E", "ERBB2 amplification", "EML4::ALK"
    protein: str = ""  # canonical key (annotation.proteins): V600E, E746_A750DEL, E11FS
    hgvsp: str = ""  # short HGVSp as reported or derived: p.V600E
    hgvsc: str = ""  # c. notation of the reported transcript: c.1799T>A
    position: int | None = None  # first affected residue
    ref_residue: str = ""  # one-letter residue at `position` ('V' for V600E)
    consequences: frozenset[str] = frozenset()  # Sequence Ontology terms
    exon: int | None = None  # exon number in the gene's MANE (or reported) transcript
    intron: int | None = None
    exon_count: int | None = None  # exons of that transcript (the last one escapes NMD)
    transcript: str = ""  # the transcript gene, exon and protein refer to (reported or MANE)
    splice_distance: int | None = None  # from MANE for unannotated variants: +n donor, -n acceptor
    genomic: tuple[str, str, int, str, str] | None = None  # (build, norm_chrom, pos, ref, alt)
    cnv_call: str = ""  # amplification, gain, loss, deep_deletion
    partner5: str = ""  # fusions: 5' and 3' partners when the order is known
    partner3: str = ""
    ordered: bool = True  # False when the fusion partners' order is unknown (SV breakpoints)
    population_af: float | None = None  # highest population allele frequency the VCF reported
    somatic: bool = False  # the matched normal was covered and showed no alt reads
    germline: bool = False  # the matched normal carries it too (or the source says germline)
    clinical_significance: str = ""  # ClinVar significance the VCF annotation carried
    notes: tuple[str, ...] = ()  # how gene/exon/protein were derived (MANE, liftover, FASTA)
    biomarker: str = ""  # kind "biomarker": its status, "high", "positive", "stable", "low"
    filled: tuple[str, ...] = ()  # what MANE supplied that the VCF's annotation lacked
    estimate: bool = False  # a biomarker computed from the calls that a validated assay measures


@dataclass(frozen=True)
class Evidence:
    """One knowledge-base statement: a CIViC evidence item or assertion, an OncoKB level, ..."""

    source: str  # CIViC, OncoKB, ClinVar
    id: str  # EID1409, AID7, ...
    kind: str  # "evidence" or "assertion"
    evidence_type: str  # Predictive, Diagnostic, Prognostic, Oncogenic, Predisposing, Functional
    direction: str  # Supports, Does Not Support
    significance: str  # Sensitivity/Response, Resistance, Positive, Poor Outcome, Benign, ...
    level: str  # A-E (CIViC evidence level); for assertions the level of their AMP category
    disease: str  # as the source names it
    doid: str  # "DOID:3908", or '' (e.g. CIViC "Solid Tumor")
    profile: str  # molecular profile / alteration the statement is about: "BRAF V600"
    therapies: tuple[str, ...] = ()
    therapy_interaction: str = ""  # Combination, Substitutes, Sequential
    amp_category: str = ""  # assertions: "Tier I - Level A"
    regulatory_approval: bool | None = None
    nccn_guideline: str = ""
    variant_origin: str = ""
    rating: int | None = None
    citation: str = ""  # e.g. "PMID:24550739"
    url: str = ""
    version: str = ""  # snapshot release or "live"
    trial: bool = False  # from a registered clinical trial (an NCT id): a prospective study
    population: tuple[str, ...] = ()  # annotation.populations tokens the item is restricted to
    agency: str = ""  # approvals: FDA, EMA, or the guideline (NCCN, ESMO)
    date: str = ""  # approvals: when this indication was approved (YYYY-MM-DD)
    setting: str = ""  # approvals: line or setting the label restricts it to
    withdrawn: str = ""  # approvals: date the indication was withdrawn
    preferred: bool = False  # approvals: the guideline's preferred option for the biomarker

    @property
    def is_resistance(self) -> bool:
        return self.significance in ("Resistance", "Reduced Sensitivity")


@dataclass(frozen=True)
class Match:
    """Evidence reached by a finding, and how: the granularity and the entry that matched."""

    evidence: Evidence
    granularity: Granularity
    matched: str  # the knowledge-base entry that matched: "BRAF V600" for a codon match
    compound: bool = False  # reached through a multi-variant profile (AND/OR) the case satisfies
    assumes: tuple[str, ...] = ()  # parts of that profile the case's files cannot show


@dataclass(frozen=True)
class Diagnosis:
    """The case's diagnosis mapped to the Disease Ontology, with its ancestors."""

    text: str  # as given: free text, ICD-10-GM, OncoTree code or DOID
    doid: str | None  # "DOID:3910"; None when it could not be mapped
    name: str = ""  # the ontology's name
    lineage: tuple[str, ...] = ()  # doid itself, then its ancestors up to DOID:162 (cancer)
    solid: bool | None = None  # False for hematologic cancers; None when unknown
    subtypes: frozenset[str] = frozenset()  # DOIDs below the diagnosis (more specific types)
    matched_by: str = ""  # "DOID", "ICD-10 C34 -> ICD10CM C34.1", "OncoTree LUAD", "name", ...
    warning: str | None = None  # set when unmapped, ambiguous or weak
    # "exact" (a code, or a name or synonym as written), "high" (translated, reworded, or an
    # ancestor of a more specific code), "low" (words left unexplained, or several equally good
    # terms: see candidates and warning), "chosen" (a curator chose the term for this case:
    # matched_by says who); "" when unmapped or built by hand
    confidence: str = ""
    candidates: tuple[tuple[str, str], ...] = ()  # (doid, name) alternatives of a weak mapping
    oncotree: str = ""  # OncoTree code of the mapped term, where known ("LUAD")
    # receptor status read from the text (annotation.diseases.receptors.VOCABULARY: "HR+",
    # "HER2-", "TNBC", ...): the populations tiering checks evidence against
    qualifiers: frozenset[str] = frozenset()

    @property
    def known(self) -> bool:
        return self.doid is not None

    @property
    def chosen_by(self) -> str:
        """Who chose the tumor type and when ('cura on 2026-12-07'), for a term a curator
        chose (DiseaseOntology.chosen writes matched_by as 'chosen by ...'); '' otherwise."""
        return self.matched_by.removeprefix("chosen by ") if self.confidence == "chosen" \
            else ""


@dataclass(frozen=True)
class Reason:
    """One step of the explanation, in the order the rules applied."""

    rule: str  # short key: assertion, same_tumor_A, other_tumor, preclinical, benign, missing, ...
    text: str  # the sentence shown to users
    match: Match | None = None


@dataclass(frozen=True)
class TherapyCall:
    """One regimen the evidence names for a finding, as a board reads it: its best tier and
    level, what that rests on (an approval here, off-label, clinical or preclinical data) and
    whether it may stand on a card at all (annotation.therapies builds and ranks these)."""

    name: str  # the regimen: INNs joined with ' + ' ("Dabrafenib + Trametinib")
    resistance: bool
    tier: Tier
    level: str
    evidence_ids: tuple[str, ...] = ()
    basis: str = ""  # approved, guideline, off-label, clinical, preclinical
    approvals: tuple[str, ...] = ()  # approvals in this tumor type: "FDA 2018", "EMA 2018"
    elsewhere: str = ""  # off-label: "approved in melanoma (FDA 2011)"
    conflicting: bool = False  # counted evidence says both sensitivity and resistance
    preferred: bool = False  # the guideline's preferred option for this biomarker
    germline_testing: bool = False  # an approval applies only if the variant is germline
    drugs: tuple[str, ...] = ()  # the regimen's drugs, lower-case INNs (for the patient's course)
    excluded: str = ""  # why it never stands on a card (level D, tool compound, withdrawn)
    breadth: int = 0  # tumor types its approvals cover (ranks off-label options)
    off_label: bool = False  # marketed drugs, neither approved here for this finding nor a
    # variation of a regimen that is (osimertinib + chemotherapy beside osimertinib's label)
    setting_rank: int = 9  # its approvals' setting: 0 first line, 1 any line, 2 (neo)adjuvant
    # or maintenance, 3 after earlier therapy (annotation.therapies ranks by it)

    @property
    def label(self) -> str:
        if self.conflicting:
            return f"{self.name} (conflicting)"
        return f"{self.name} (resistance)" if self.resistance else self.name

    @property
    def on_card(self) -> bool:
        return not self.excluded

    @property
    def basis_text(self) -> str:
        """'FDA 2018 / EMA 2018', 'off-label: approved in melanoma (FDA 2011)', 'clinical'."""
        if self.approvals:
            return " / ".join(self.approvals)
        if self.germline_testing:
            return "approved here for germline variants only: germline testing needed"
        if self.elsewhere:
            return f"off-label: {self.elsewhere}"
        if self.off_label:
            return f"off-label, {self.basis} evidence"
        return self.basis


@dataclass(frozen=True)
class Hotspot:
    """A recurrently mutated residue (Cancer Hotspots), with how often and where it was seen."""

    gene: str
    residue: str  # V600, or 745-759 for in-frame indel hotspots, X1010 for splice sites
    kind: str  # single residue, in-frame indel, splice site, 3d
    samples: int  # tumors with a mutation at the residue
    variant_samples: int | None = None  # tumors with this exact amino-acid change, if known
    tumor_types: tuple[tuple[str, int], ...] = ()  # (tumor type, count), most frequent first


@dataclass(frozen=True)
class AnnotatedVariant:
    """A finding with everything the board needs to trust or reject its tier."""

    finding: Finding | None  # None when the alteration was given as text
    alteration: Alteration
    tier: Tier
    level: str  # evidence level of the deciding evidence (A-E), '' if none
    matches: tuple[Match, ...] = ()
    reasons: tuple[Reason, ...] = ()
    therapies: tuple[TherapyCall, ...] = ()
    hotspot: Hotspot | None = None
    sources: tuple[str, ...] = ()  # sources and versions that answered
    notes: tuple[str, ...] = field(default=())  # how gene, exon and protein were derived
    flags: tuple[str, ...] = ()  # what the card must say: "germline testing needed", ...

    @property
    def granularity(self) -> Granularity | None:
        """The granularity of the deciding match."""
        for reason in self.reasons:
            if reason.match is not None:
                return reason.match.granularity
        return None
