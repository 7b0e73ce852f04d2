"""A trial as the site's coordinator reads it: arms with their status, and each arm's
eligibility as a tree of criteria (all of / any of / one genomic or clinical criterion).

Why a model of its own instead of the CTML dictionary: CTML spells one thing several ways
('Copy Number Variation' and 'CNV', 'p.G12C' and 'p.Gly12Cys', '!Mutation'), and a matcher that
reads raw dictionaries ends up deciding spelling questions in the middle of clinical ones. The
reader (mtb.trials.ctml) settles spelling once, with the file and line of every criterion, so the
matcher (mtb.trials.matching) only answers "does this patient fit this criterion, and why".

Frozen dataclasses, no I/O. The matching results (Reason, ArmMatch) live here too, because the
CLI, the pages and the recruitment query all show the same records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

# -- criteria ------------------------------------------------------------------------------------

MUTATION = "Mutation"
CNV = "Copy Number Variation"
SV = "Structural Variation"
ANY = "Any Variation"
WILDTYPE = "Wildtype"
SIGNATURE = "Signature"
CATEGORIES = (MUTATION, CNV, SV, ANY, WILDTYPE, SIGNATURE)

ANY_GENE = "any_gene"  # CTML: any gene (fusion partners, SVs)
INTERGENIC = "intergenic"  # CTML: a fusion partner that is no gene

SOLID = "_SOLID_"
LIQUID = "_LIQUID_"


@dataclass(frozen=True)
class Where:
    """Where a criterion was written: the CTML field path and its line (None for JSON read
    without positions)."""

    path: str  # 'treatment_list.step[0].arm[1].match[0].and[0].genomic'
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path} (line {self.line})" if self.line else self.path


@dataclass(frozen=True)
class Genomic:
    """One CTML `genomic:` leaf. All its keys hold together (AND). A '!' on any value negates
    the whole leaf, as MatchMiner does: `{hugo_symbol: BRAF, variant_category: '!Mutation',
    wildcard_protein_change: p.V600}` means "no BRAF V600 mutation"."""

    gene: str = ""  # HGNC symbol; '' for signature leaves; ANY_GENE
    category: str = ""  # one of CATEGORIES, '' when the leaf does not say
    protein: str = ""  # canonical protein change (annotation.proteins): G12C, V600E
    wildcard: str = ""  # a residue: 'V600' (any single-residue substitution there)
    classification: str = ""  # MAF Variant_Classification: Missense_Mutation, In_Frame_Del, ...
    exon: int | None = None
    cnv_call: str = ""  # High Amplification, Low Amplification, Homozygous/Heterozygous Deletion
    wildtype: bool = False  # the gene was sequenced and is unaltered
    partner: str = ""  # fusion partner: a gene, ANY_GENE or INTERGENIC
    mmr: str = ""  # MMR-Deficient, MMR-Proficient
    ms: str = ""  # MSI-H, MSI-L, MSS
    signatures: tuple[tuple[str, str], ...] = ()  # ('pole', 'Yes'): mutational signatures
    tiers: tuple[str, ...] = ()  # CTML tier list '1'..'4' (read as AMP tiers I-IV)
    negated: bool = False
    label: str = ""  # how people read it: 'KRAS p.G12C mutation', 'no BRAF V600 mutation'
    where: Where = field(default=Where(""), compare=False)

    @property
    def is_signature(self) -> bool:
        return bool(self.mmr or self.ms or self.signatures)


@dataclass(frozen=True)
class Diagnosis:
    """One OncoTree diagnosis of a clinical leaf, as written and as found in OncoTree."""

    text: str  # as written: 'Non-Small Cell Lung Cancer', '_SOLID_'
    negated: bool = False
    code: str = ""  # OncoTree code ('NSCLC'); SOLID / LIQUID for those
    doid: str = ""  # the Disease Ontology term mtb joins the code to
    own: bool = False  # the DO term is the type's own (not only a broader one)
    how: str = ""  # how the name was found (OncoTree 2025 name, code, DO text)


@dataclass(frozen=True)
class Clinical:
    """One CTML `clinical:` leaf; its keys hold together (AND). '!' negates only its own value
    ('!Melanoma' together with '>=18' means an adult without melanoma)."""

    diagnosis: Diagnosis | None = None
    age: tuple[str, float] | None = None  # ('>=', 18.0): years; .5 = six months
    tmb: tuple[str, float] | None = None  # ('>=', 10.0): mutations per megabase
    sex: str = ""  # female, male
    receptors: tuple[tuple[str, str], ...] = ()  # ('HER2', 'Negative'), ('ER', 'Positive')
    unchecked: tuple[tuple[str, str], ...] = ()  # keys mtb cannot check: ('disease_status', ...)
    where: Where = field(default=Where(""), compare=False)


@dataclass(frozen=True)
class AllOf:
    children: tuple[Criterion, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Criterion, ...]


Criterion = AllOf | AnyOf | Genomic | Clinical


def leaves(node: Criterion | None) -> Iterator[Genomic | Clinical]:
    """Every genomic and clinical criterion under a node, in the order written."""
    if node is None:
        return
    if isinstance(node, AllOf | AnyOf):
        for child in node.children:
            yield from leaves(child)
    else:
        yield node


# -- trials --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arm:
    """One place of a trial with its own match clause (an arm, a dose level, a step, or the
    whole trial), or an arm without criteria (listed with its status, never matched)."""

    code: str  # 'ARM1', 'ARM1 / dose -1', 'step 1', 'trial'
    description: str = ""
    suspended: bool = False
    match: Criterion | None = None

    @property
    def status(self) -> str:
        return "suspended" if self.suspended else "open"


@dataclass(frozen=True)
class Trial:
    """A trial of the site's portfolio (from CTML), or a ClinicalTrials.gov record read as one."""

    id: str  # the site's protocol number, else the NCT id
    nct_id: str = ""
    protocol_no: str = ""
    title: str = ""
    short_title: str = ""
    phase: str = ""
    status: str = ""  # as written: 'Open to Accrual', 'RECRUITING'
    open: bool = True
    drugs: tuple[str, ...] = ()
    arms: tuple[Arm, ...] = ()
    prior_treatment: tuple[str, ...] = ()  # CTML prior_treatment_requirements (not checked)
    source: str = ""  # the CTML file, or 'ClinicalTrials.gov'
    warnings: tuple[str, ...] = ()  # what the reader could only approximate

    @property
    def genes(self) -> tuple[str, ...]:
        """The genes its criteria name, sorted (for the list and the query of cases)."""
        found = {leaf.gene for arm in self.arms for leaf in leaves(arm.match)
                 if isinstance(leaf, Genomic) and leaf.gene and leaf.gene != ANY_GENE}
        found |= {leaf.partner for arm in self.arms for leaf in leaves(arm.match)
                  if isinstance(leaf, Genomic) and leaf.partner not in ("", ANY_GENE, INTERGENIC)}
        return tuple(sorted(found))

    @property
    def label(self) -> str:
        return self.short_title or self.title or self.id

    def arm(self, code: str) -> Arm | None:
        return next((a for a in self.arms if a.code == code), None)


# -- what matching found ---------------------------------------------------------------------------

MATCHED = "matched"  # the patient meets the criterion (which finding, which criterion)
UNKNOWN = "unknown"  # the case does not record what the criterion asks (ECOG, HLA type)
EXCLUDING = "excluding"  # the patient is ruled out by it (wildtype required, age, diagnosis)
MISSING = "missing"  # a required alteration or diagnosis the patient does not have

# statuses of one trial arm for one patient, best first
MATCH = "match"  # every criterion met
POSSIBLE = "possible"  # nothing excludes, something is unknown (or read from text only)
EXCLUDED = "excluded"  # a finding of the patient is what the arm is about, but something excludes
NO_MATCH = "no match"  # the arm is about something the patient does not have
STATUSES = (MATCH, POSSIBLE, EXCLUDED, NO_MATCH)


@dataclass(frozen=True)
class Reason:
    """One line of the explanation: which criterion, and what of the patient's met it."""

    kind: str  # MATCHED, UNKNOWN, EXCLUDING, MISSING
    criterion: str  # 'KRAS p.G12C mutation', 'diagnosis Non-Small Cell Lung Cancer', 'age >=18'
    text: str  # the sentence shown
    finding: str = ""  # the patient's finding it concerns: 'KRAS p.G12C (tier IA)'
    finding_key: str = ""  # mtb.board.finding_key of it, for links and recommendations
    from_text: bool = False  # read from a registry record's free text, not a structured field
    genomic: bool = False  # a genomic criterion (the arm is about the patient's finding)
    tier: str = ""  # the reported tier of that finding (orders the matches)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ArmMatch:
    """A trial arm for one patient: its status and every reason, in the order of the criteria."""

    trial_id: str
    nct_id: str
    title: str
    arm: str
    arm_open: bool
    trial_open: bool
    status: str  # one of STATUSES
    reasons: tuple[Reason, ...] = ()
    source: str = "portfolio"  # or 'ClinicalTrials.gov'
    case_id: str = ""

    def of(self, kind: str) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.kind == kind)

    @property
    def matched(self) -> tuple[Reason, ...]:
        return self.of(MATCHED)

    @property
    def unknown(self) -> tuple[Reason, ...]:
        return self.of(UNKNOWN)

    @property
    def excluding(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.kind in (EXCLUDING, MISSING))

    @property
    def recruiting(self) -> bool:
        return self.trial_open and self.arm_open

    @property
    def findings(self) -> tuple[str, ...]:
        """The patient's findings the arm matched on, once each."""
        return tuple(dict.fromkeys(r.finding for r in self.matched if r.finding))
