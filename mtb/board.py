"""The rules of the tumor board, each in one place: who may do what, the words the board
records its work in, and which findings it discusses. Pure: no files, no database, no Dash.

The store checks writes against these vocabularies and returns the records below; the layouts
draw them; the agenda, the case page, the presentation and the report ask the same two
questions of every finding, so they cannot disagree about it:

- `reported_tier(finding, curation)`: the tier the board reports, the curator's override
  when there is one, else the tier the knowledge-base rules gave.
- `is_key_finding(finding, curation)`: tier I or II by the knowledge-base rules or by the
  curator. A finding a curator raised from III to IIC is a key finding (a card on the case
  page and the presentation, counted on the agenda, in the report); one the curator lowered
  or called an artefact stays visible as a card, marked, but no longer `counts` (the agenda's
  numbers, the presentation's options).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from annotation.model import TIER_RANK, AnnotatedVariant, Tier
from mtb.config import SupportThresholds
from mtb.variant import Biomarker, SmallVariant

__all__ = [
    "AMP_TIERS",
    "ANONYMOUS",
    "DISMISSED",
    "EVIDENCE_GRADES",
    "KEY_TIERS",
    "NEXT_STATUS",
    "ONCOGENICITY",
    "PERMISSIONS",
    "RECOMMENDATION_KINDS",
    "RECOMMENDATION_KIND_NAMES",
    "ROLES",
    "STATUSES",
    "TEXT_LIMITS",
    "TIER_ONE",
    "Actor",
    "AuditEntry",
    "CaseRecord",
    "Curation",
    "Meeting",
    "Recommendation",
    "SupportThresholds",
    "call_quality",
    "counts",
    "dismissed",
    "finding_key",
    "is_key_finding",
    "key_findings",
    "kind_name",
    "reported_tier",
    "reported_tier_of",
    "tier_counts",
    "too_long",
]

# -- vocabularies ---------------------------------------------------------------------------

ROLES = ("viewer", "curator", "chair", "admin")
STATUSES = ("prepared", "presented", "decided", "final")
# the status a case may move to from each status (back one step, or on; final locks the case)
NEXT_STATUS = {"prepared": ("presented",), "presented": ("prepared", "decided"),
               "decided": ("presented", "final"), "final": ()}
RECOMMENDATION_KINDS = ("therapy", "trial", "diagnostics", "genetic_counselling")
RECOMMENDATION_KIND_NAMES = {"therapy": "Therapy", "trial": "Clinical trial",
                             "diagnostics": "Further diagnostics",
                             "genetic_counselling": "Genetic counselling"}
# MII molecular tumor board evidence grades (Kerndatensatz Modul MTB, after the NCT/ZPM scheme)
EVIDENCE_GRADES = ("m1A", "m1B", "m1C", "m2A", "m2B", "m2C", "m3", "m4")
ONCOGENICITY = ("oncogenic", "likely oncogenic", "uncertain", "likely benign", "benign",
                "likely artefact")
AMP_TIERS = tuple(tier.value for tier in Tier)  # IA, IB, IIC, IID, III, IV
KEY_TIERS = (Tier.IA.value, Tier.IB.value, Tier.IIC.value, Tier.IID.value)  # tier I and II
TIER_ONE = (Tier.IA.value, Tier.IB.value)
DISMISSED = frozenset({"likely artefact", "benign", "likely benign"})  # oncogenicity calls


# The longest text a person may store in each field (characters). The server refuses longer
# ones (three 10 MB summaries once made one case page 58 MB); the forms cut at the same length.
TEXT_LIMITS = {
    "summary": 8000,
    "comment": 4000,
    "override_reason": 2000,
    "tumor_type_reason": 2000,
    "recommendation": 500,
    "rationale": 4000,
    "meeting_title": 200,
    "participant": 80,
    "participants": 60,  # names on one meeting
    "user_name": 80,
    "password": 1024,
    "case_title": 200,
    "diagnosis": 200,
}


def too_long(field: str, text: str) -> str:
    """Why `text` may not be stored in `field` (its TEXT_LIMITS), or "" when it may."""
    limit = TEXT_LIMITS[field]
    if len(text) <= limit:
        return ""
    return (f"the {field.replace('_', ' ')} has at most {limit} characters (this one has "
            f"{len(text)})")


def kind_name(kind: str) -> str:
    """A recommendation kind as people read it ('genetic_counselling' -> 'Genetic
    counselling'); an unknown kind as it is stored."""
    return RECOMMENDATION_KIND_NAMES.get(kind, kind)

# -- who may do what ------------------------------------------------------------------------

PERMISSIONS = {
    "curate": frozenset({"curator", "chair", "admin"}),
    "add_case": frozenset({"curator", "chair", "admin"}),
    "decide": frozenset({"chair", "admin"}),
    "manage_users": frozenset({"admin"}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting (from the signed-in session, never from the request body)."""

    name: str
    role: str

    def may(self, action: str) -> bool:
        return self.role in PERMISSIONS[action]


ANONYMOUS = Actor("", "viewer")

# -- what the board records (the store returns these, never its database rows) -------------


@dataclass(frozen=True)
class CaseRecord:
    """What the board did with a case: status, meeting, the curators' summary. Version 0: no
    record stored yet (a fresh 'prepared' case).

    Each thing a person edits carries its own version, so that people editing different
    things never refuse each other's saves: `version` is the status's and the meeting's,
    `summary_version` the summary's (a curation's and a recommendation's are their own).
    `revision` counts every change to anything of the case (status, meeting, summary,
    curations, recommendations): "final" is made on the revision the chair saw, and refused
    when anything changed since. `updated_by` is who made the latest of those changes."""

    case_id: str
    status: str = "prepared"
    meeting_id: int | None = None
    summary: str = ""
    updated_at: datetime | None = None
    updated_by: str = ""
    version: int = 0
    summary_version: int = 0
    revision: int = 0


@dataclass(frozen=True)
class Curation:
    """A molecular biologist's interpretation of one finding of a case."""

    id: int
    case_id: str
    finding_key: str
    oncogenicity: str = ""
    tier_override: str = ""
    override_reason: str = ""
    comment: str = ""
    in_report: bool = False
    updated_at: datetime | None = None
    updated_by: str = ""
    version: int = 1
    case_revision: int | None = None  # the case's revision after the write that returned it


@dataclass(frozen=True)
class Recommendation:
    """One recommendation of the board for a case. Withdrawn, never deleted."""

    id: int
    case_id: str
    kind: str  # one of RECOMMENDATION_KINDS
    text: str  # the therapy, trial or examination
    evidence_grade: str = ""
    amp_tier: str = ""
    rationale: str = ""
    finding_keys: str = ""  # one key per line
    withdrawn: bool = False
    created_at: datetime | None = None
    nct_id: str = ""  # kind 'trial': the ClinicalTrials.gov id of the trial recommended
    created_by: str = ""
    updated_at: datetime | None = None
    updated_by: str = ""
    version: int = 1
    case_revision: int | None = None  # the case's revision after the write that returned it

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of the findings it rests on."""
        return tuple(k.strip() for k in self.finding_keys.splitlines() if k.strip())

    @property
    def kind_label(self) -> str:
        return kind_name(self.kind)


@dataclass(frozen=True)
class Meeting:
    id: int
    day: date
    title: str
    participants: str = ""  # one name per line
    version: int = 1

    @property
    def label(self) -> str:
        """'2026-11-24 · Molecular tumor board (5 participants)'."""
        people = [p for p in self.participants.splitlines() if p.strip()]
        count = f" ({len(people)} participants)" if people else ""
        return f"{self.day} · {self.title}{count}"


@dataclass(frozen=True)
class AuditEntry:
    """Who changed what, when, from what to what (before and after as JSON text)."""

    id: int
    at: datetime
    user_name: str
    action: str  # curate, set_status, recommend, ...
    entity: str  # curation, case_record, recommendation, meeting, user, event
    entity_key: str
    case_id: str = ""
    before: str = ""
    after: str = ""


# -- which findings the board discusses -------------------------------------------------------


def finding_key(variant: AnnotatedVariant) -> str:
    """A finding's identity across reloads of its case (curations and recommendations refer to
    it): chrom-pos-ref-alt for small variants (normalised chromosome), a biomarker by its name
    and call ('biomarker:TMB high': a recount that moves the value but not the call keeps the
    curation), else kind and label ('cnv:ERBB2 amplification (CN 12)', 'fusion:EML4::ALK')."""
    finding = variant.finding
    if isinstance(finding, SmallVariant):
        return finding.key
    if isinstance(finding, Biomarker):
        return f"biomarker:{finding.name} {finding.call}"
    return f"{variant.alteration.kind}:{variant.alteration.label}"


def biomarker(variants: Iterable[AnnotatedVariant], name: str) -> Biomarker | None:
    """The case's TMB, MSI or HRD finding (given or computed), or None."""
    return next((v.finding for v in variants
                 if isinstance(v.finding, Biomarker) and v.finding.name == name), None)


def reported_tier(finding: AnnotatedVariant, curation: Curation | None) -> str:
    """The tier the board reports: the curator's override when there is one, else the tier the
    knowledge-base rules gave. (The computed tier is always shown beside an override.)"""
    return reported_tier_of(finding.tier.value, curation)


def reported_tier_of(computed: str, curation: Curation | None) -> str:
    """`reported_tier` for a finding known by its computed tier only (a row of the stored
    findings' index, mtb.cohort): the same one rule."""
    if curation is not None and curation.tier_override:
        return curation.tier_override
    return computed


def dismissed(curation: Curation | None) -> bool:
    """Curated away: a tier III/IV override, or an artefact / benign call."""
    return curation is not None and (curation.tier_override in ("III", "IV")
                                     or curation.oncogenicity in DISMISSED)


def is_key_finding(finding: AnnotatedVariant, curation: Curation | None) -> bool:
    """Tier I or II by the knowledge-base rules or by the curator: a card on the case page and
    the presentation, a finding of the report."""
    return finding.tier.value in KEY_TIERS or reported_tier(finding, curation) in KEY_TIERS


def counts(finding: AnnotatedVariant, curation: Curation | None) -> bool:
    """A key finding the curators have not dismissed: counted on the agenda, its therapies
    put before the board as options."""
    return is_key_finding(finding, curation) and not dismissed(curation)


def key_findings(
    variants: Iterable[AnnotatedVariant], curations: Mapping[str, Curation] | None = None
) -> list[tuple[int, AnnotatedVariant]]:
    """(row in the case's variant table, finding) of the key findings, strongest reported tier
    first, then by gene and label."""
    curations = curations or {}
    rows = [(row, v) for row, v in enumerate(variants)
            if is_key_finding(v, curations.get(finding_key(v)))]
    return sorted(rows, key=lambda item: (
        TIER_RANK[reported_tier(item[1], curations.get(finding_key(item[1])))],
        item[1].alteration.gene, item[1].alteration.label))


# a VAF this far above the purity is more than binomial noise at the depths the thresholds ask
VAF_ABOVE_PURITY = 0.10


def call_quality(finding: AnnotatedVariant, thresholds: SupportThresholds,
                 purity: float | None = None) -> str:
    """'' when the reads behind an allele finding are enough, else what the card must say:
    'low support: 2/9 reads' (fewer alt reads or a shallower position than the thresholds),
    'low VAF: 3%', or, with the tumor purity known, a VAF the tumor cells cannot explain
    (every tumor copy mutated gives at most the purity): 'VAF 55% above the tumor purity 30%:
    germline, or is the purity underestimated?'. A finding without allele reads (a
    copy-number segment, a fusion table row, a finding given as text) is not judged."""
    support = finding.finding.support if finding.finding is not None else None
    if support is None or not support.allelic:
        return ""
    alt, depth, vaf = support.alt, support.depth, support.vaf
    if (alt is not None and alt < thresholds.min_alt_reads) or (
            depth is not None and depth < thresholds.min_depth):
        reads = f"{alt}/{depth} reads" if alt is not None and depth is not None else (
            f"{alt} reads" if alt is not None else f"depth {depth}")
        return f"low support: {reads}"
    if vaf is not None and vaf < thresholds.min_vaf:
        return f"low VAF: {vaf:.0%}"
    if vaf is not None and purity is not None and vaf > purity + VAF_ABOVE_PURITY:
        return (f"VAF {vaf:.0%} above the tumor purity {purity:.0%}: germline, or is the "
                "purity underestimated?")
    return ""


def tier_counts(
    variants: Iterable[AnnotatedVariant], curations: Mapping[str, Curation] | None = None
) -> tuple[int, int]:
    """(tier I, tier II) findings that count, by their reported tier: the agenda's numbers."""
    curations = curations or {}
    tiers = []
    for variant in variants:
        curation = curations.get(finding_key(variant))
        if counts(variant, curation):
            tiers.append(reported_tier(variant, curation))
    tier1 = sum(1 for tier in tiers if tier in TIER_ONE)
    return tier1, len(tiers) - tier1
