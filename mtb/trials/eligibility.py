"""Biomarker eligibility read from a ClinicalTrials.gov record's text, and a patient against it.

A registry record has no structured molecular criteria: "KRAS G12C mutation" sits in the
conditions, the keywords, an intervention's name ("anti-KRAS G12D mTCR PBL") or the eligibility
text ("tumors expressing G12D mutated KRAS", "without EGFR mutation", "KRAS non-G12C",
"Exclusion: a known MEK1/2 mutation"). This module reads those mentions — a gene, optionally the
protein changes near it, the kind (mutation, amplification, fusion, wildtype) and whether the
sentence negates it — and nothing more ambitious. Every reason it gives says that it was read
from text, and a registry record is never more than a *possible* match: only the study team can
confirm eligibility.

What the reading deliberately skips: sentences about treatment ("prior KRAS G12C inhibitor",
"anti-EGFR therapy"), which name a gene without requiring its alteration; expression markers
(PD-L1, HER2 IHC), which DNA sequencing cannot show. HLA types and ECOG limits are read too:
the first is always unknown (a case does not record it), the second is checked against the
latest ECOG of the timeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from annotation.diseases import CANCER
from annotation.model import TIER_RANK
from annotation.proteins import canonical_protein
from mtb.trials.ctgov import OPEN, Study
from mtb.trials.matching import about_a_finding
from mtb.trials.model import (
    EXCLUDED,
    EXCLUDING,
    MATCHED,
    MISSING,
    NO_MATCH,
    POSSIBLE,
    SOLID,
    UNKNOWN,
    ArmMatch,
    Diagnosis,
    Reason,
)
from mtb.trials.profile import TMB_HIGH, PatientProfile, ProfileFinding
from mtb.trials.tumor_types import FALSE, TRUE, UNSURE, TumorTypes

__all__ = ["Mention", "StudyCriteria", "match_study", "read_study"]

SOURCE = "ClinicalTrials.gov"
GeneTest = Callable[[str], bool]

ALIASES = {"HER2": ("ERBB2",), "HER-2": ("ERBB2",), "HER2/NEU": ("ERBB2",), "NEU": ("ERBB2",),
           "MEK1": ("MAP2K1",), "MEK2": ("MAP2K2",), "MEK1/2": ("MAP2K1", "MAP2K2"),
           "CRAF": ("RAF1",), "C-RAF": ("RAF1",), "C-MET": ("MET",), "C-KIT": ("KIT",),
           "RAS": ("KRAS", "NRAS", "HRAS"), "RAF": ("BRAF", "RAF1", "ARAF"),
           "PIK3CA": ("PIK3CA",), "NTRK": ("NTRK1", "NTRK2", "NTRK3"),
           "FGFR": ("FGFR1", "FGFR2", "FGFR3")}
# upper-case words that are gene symbols too but, in eligibility text, almost never mean them
_NOT_GENES = frozenset({
    "ECOG", "DNA", "RNA", "HLA", "CNS", "NSCLC", "SCLC", "PDAC", "CRC", "BTC", "SOC", "RECIST",
    "CLIA", "IMP", "BED", "PD", "PK", "ALL", "AND", "OR", "NOT", "II", "III", "IV", "HIV",
    "HBV", "HCV", "ULN", "AST", "ALT", "QTC", "LVEF", "MRI", "CT", "PET", "IHC", "NGS", "PCR",
    "FISH", "CTA", "CDX", "TCR", "CAR", "GI", "FDA", "NCCN", "US", "UK", "NCI", "NIH", "IRB",
    "ANC", "INR", "GFR", "CR", "PR", "SD", "ORR", "OS", "PFS", "DLT", "MTD", "RP2D", "PDL1",
    "CEA", "AFP", "PSA", "CA", "BMI", "COVID", "SARS", "ICF", "EGFRI", "VEGFI", "MMR", "MSI",
    "TMB", "HRR", "HRD", "SC", "PO", "BID", "QD", "ECG", "ECHO", "MUGA", "ICI", "CPI",
    "AE", "SAE", "CTCAE", "NYHA", "MI", "TIA", "ANY", "THE", "WITH", "FOR", "TO", "OF",
})
_GENE_WORD = re.compile(r"(?<![\w*-])(?:C-)?[A-Z][A-Z0-9]{1,9}(?:-\d+)?(?:/\d)*(?:/NEU)?(?![\w])")
_PROTEIN = re.compile(
    r"(?<![\w])(non-|non\s)?(?:p\.)?([ACDEFGHIKLMNPQRSTVWY])(\d{2,4})"
    r"([ACDEFGHIKLMNPQRSTVWY*X]|(?:fs|del|ins|dup)\w*)?(?![\w])", re.I)
_EXON = re.compile(r"exon\s*(\d{1,2})\s*(deletion|insertion|skipping|mutation)?", re.I)
_TREATMENT = re.compile(
    r"\b(?:inhibitors?|therapy|therapies|treatment|treated|received|prior|agents?|targeted|"
    r"targeting|target|drugs?|regimens?)\b|\banti-", re.I)
_NEGATION = re.compile(
    r"\b(?:without|no|not|negative for|absence of|lack of|lacking|other than|except)\b|"
    r"\bwild[\s-]?type\b|\bwt\b|-negative\b", re.I)
_FUSION = re.compile(r"fusion|rearrang|translocation", re.I)
_AMPLIFICATION = re.compile(r"amplif", re.I)
_WILDTYPE = re.compile(r"wild[\s-]?type|\bwt\b", re.I)
_HLA = re.compile(r"HLA-[A-Z]+\\?\*?\d{2}(?::\d{2})?|matching HLA\b(?!-)", re.I)
_ECOG = re.compile(r"\bECOG\b", re.I)
_SOLID_WORDS = re.compile(r"\bsolid\s+(?:tumou?rs?|carcinomas?|malignanc\w+|cancers?|"
                          r"neoplasms?)\b", re.I)
_CLAUSE = re.compile(r"[;\n]|\.\s")
# genome-wide signatures named in text: (pattern, the profile's value it asks for)
_SIGNATURES = (
    (re.compile(r"\bMSI[- ]?H(?:igh)?\b|\bdMMR\b|\bMMR[- ]?d(?:eficient)?\b|mismatch[- ]repair"
                r"[- ]deficien|microsatellite[- ]instability[- ]high", re.I), "MSI", "high"),
    (re.compile(r"\bMSS\b|\bpMMR\b|\bMMR[- ]?p(?:roficient)?\b|mismatch[- ]repair[- ]proficien|"
                r"microsatellite[- ]stable", re.I), "MSI", "stable"),
    (re.compile(r"\bTMB[- ]?H(?:igh)?\b|high tumou?r mutational burden|tumou?r mutational burden"
                r"[- ]high", re.I), "TMB", "high"),
)


@dataclass(frozen=True)
class Mention:
    """A biomarker named in the record's text."""

    genes: tuple[str, ...]  # one gene, or a family ('RAS' -> KRAS, NRAS, HRAS)
    proteins: tuple[str, ...] = ()  # canonical protein changes or residues (G12C, G12)
    not_proteins: tuple[str, ...] = ()  # 'non-G12C'
    kind: str = "any"  # mutation, amplification, fusion, exon, wildtype, any
    exon: int | None = None
    exon_change: str = ""  # deletion, insertion, skipping, mutation
    negated: bool = False  # 'without EGFR mutation', 'EGFR wild-type'
    where: str = ""  # conditions, keywords, title, interventions, inclusion, exclusion
    text: str = ""  # the sentence it was read from (shortened)

    @property
    def signature(self) -> bool:
        return self.genes in (("MSI",), ("TMB",))

    @property
    def label(self) -> str:
        if self.signature:
            shown = {"high": "MSI-high / dMMR", "stable": "microsatellite stable / pMMR"}.get(
                self.kind, self.kind) if self.genes == ("MSI",) else "TMB-high"
            return ("no " if self.negated else "") + shown
        genes = "/".join(self.genes) if len(self.genes) <= 3 else self.genes[0] + " family"
        alternatives = list(self.proteins)
        if self.exon is not None:
            alternatives.append(f"exon {self.exon} {self.exon_change or 'mutation'}")
        detail = " or ".join(alternatives)
        if self.not_proteins:
            detail += (" " if detail else "") + "non-" + "/".join(self.not_proteins)
        kind = "" if self.kind in ("any", "mutation", "exon") and detail else self.kind
        text = " ".join(p for p in (genes, detail, kind if kind != "any" else "") if p)
        return ("no " if self.negated else "") + text


@dataclass(frozen=True)
class StudyCriteria:
    study: Study
    required: tuple[Mention, ...]  # any of them (inclusion, conditions, keywords, title)
    excluding: tuple[Mention, ...]  # negated inclusion mentions and exclusion-section ones
    ecog_max: int | None = None
    ecog_text: str = ""
    hla: tuple[str, ...] = ()
    diseases: tuple[str, ...] = ()  # the conditions that name no biomarker


def read_study(study: Study, is_gene: GeneTest) -> StudyCriteria:
    """What the record's text says about biomarkers, ECOG and HLA."""
    required: list[Mention] = []
    excluding: list[Mention] = []
    for where, texts in (("conditions", study.conditions), ("keywords", study.keywords),
                         ("title", (study.title, study.official_title)),
                         ("interventions", study.interventions)):
        for text in texts:
            skip = where != "interventions"  # 'anti-KRAS G12D TCR' names what it needs
            for mention in _mentions(text, where, is_gene, skip_treatment=skip):
                (excluding if mention.negated else required).append(mention)
    section = "inclusion"
    ecog: list[tuple[int, str]] = []
    for line in study.eligibility.splitlines():
        lower = line.lower()
        if "exclusion criteria" in lower:
            section = "exclusion"
        elif "inclusion criteria" in lower:
            section = "inclusion"
        if _ECOG.search(line) and section == "inclusion":
            limit = _ecog_limit(line)
            if limit is not None:
                ecog.append((limit, _short(line)))
        for mention in _mentions(line, section, is_gene, skip_treatment=True):
            if section == "exclusion" and not mention.negated:
                excluding.append(mention)
            elif section == "inclusion":
                (excluding if mention.negated else required).append(mention)
    hla = tuple(dict.fromkeys(m.group(0).replace("\\", "") for m in _HLA.finditer(
        study.eligibility + " " + study.title)))
    limit, text = min(ecog) if ecog else (None, "")
    diseases = tuple(c for c in study.conditions if not _genes_in(c, is_gene))
    return StudyCriteria(study, tuple(_merge(required)), tuple(_merge(excluding)), limit, text,
                         hla, diseases)


def _merge(mentions: Iterable[Mention]) -> list[Mention]:
    """One mention per biomarker; the eligibility text's own sentence is the one shown."""
    seen: dict[tuple[object, ...], Mention] = {}
    for m in mentions:
        key = (m.genes, m.proteins, m.not_proteins, m.kind, m.exon, m.exon_change, m.negated)
        if key not in seen or (m.where in ("inclusion", "exclusion")
                               and seen[key].where not in ("inclusion", "exclusion")):
            seen[key] = m
    return list(seen.values())


def _mentions(text: str, where: str, is_gene: GeneTest, *,
              skip_treatment: bool) -> list[Mention]:
    out: list[Mention] = []
    for clause in _CLAUSE.split(text):
        if not clause.strip():
            continue
        for pattern, marker, value in _SIGNATURES:
            found = pattern.search(clause)
            if found:
                before = clause[max(0, found.start() - 40):found.start()]
                out.append(Mention((marker,), kind=value, negated=bool(_NEGATION.search(before)),
                                   where=where, text=_short(clause)))
        genes = _genes_in(clause, is_gene)
        if not genes:
            continue
        proteins = [(m.start(), m) for m in _PROTEIN.finditer(clause)]
        for index, (start, end, family) in enumerate(genes):
            if skip_treatment and _TREATMENT.search(clause[max(0, start - 60):end + 35]):
                continue  # 'prior KRAS G12C inhibitor': a treatment, not a biomarker to have
            following = genes[index + 1][0] if index + 1 < len(genes) else len(clause)
            after = clause[end:min(following, end + 60)]
            nearby = [m for pos, m in proteins
                      if _nearest(pos, genes) == index]
            kept = tuple(dict.fromkeys(canonical_protein(m.group(2) + m.group(3) + (
                m.group(4) or "")) for m in nearby if not m.group(1)))
            negated_proteins = tuple(dict.fromkeys(canonical_protein(
                m.group(2) + m.group(3) + (m.group(4) or "")) for m in nearby if m.group(1)))
            before = clause[max(0, start - 40):start]
            kind = _kind(after) or _kind(clause[max(0, start - 25):start]) or "mutation"
            exon = _EXON.search(after)
            negated = kind == "wildtype" or bool(_NEGATION.search(before)) or bool(
                re.match(r"^\W*(?:negative|wild)", after[:12], re.I))
            out.append(Mention(
                family, kept, negated_proteins, "exon" if exon and kind == "mutation" else kind,
                int(exon.group(1)) if exon else None, (exon.group(2) or "").lower()
                if exon else "", negated, where, _short(clause)))
    return out


def _kind(text: str) -> str:
    return ("wildtype" if _WILDTYPE.search(text) else "fusion" if _FUSION.search(text) else
            "amplification" if _AMPLIFICATION.search(text) else "")


def _genes_in(clause: str, is_gene: GeneTest) -> list[tuple[int, int, tuple[str, ...]]]:
    found = []
    for match in _GENE_WORD.finditer(clause):
        word = match.group(0).upper()
        if word in ALIASES:
            found.append((match.start(), match.end(), ALIASES[word]))
            continue
        base, _, numbers = word.partition("/")
        if word in _NOT_GENES or base in _NOT_GENES:
            continue
        if numbers:  # 'NTRK1/2/3', 'MEK1/2'
            stem = base.rstrip("0123456789")
            family = tuple(stem + n for n in (base[len(stem):], *numbers.split("/")))
            family = tuple(ALIASES.get(g, (g,))[0] for g in family)
            if all(is_gene(g) for g in family):
                found.append((match.start(), match.end(), family))
            continue
        if is_gene(word):
            found.append((match.start(), match.end(), (word,)))
    return found


def _nearest(position: int, genes: list[tuple[int, int, tuple[str, ...]]]) -> int:
    """The gene a protein change belongs to: the nearest one, a preceding one on a tie."""
    distances = [(max(start - position, position - end, 0), start > position, i)
                 for i, (start, end, _) in enumerate(genes)]
    return min(distances)[2]


def _ecog_limit(line: str) -> int | None:
    """'ECOG 0 or 1' -> 1, 'ECOG ≤2' -> 2, 'ECOG < 2' -> 1, 'ECOG performance status 0' -> 0."""
    after = line[_ECOG.search(line).end():][:90]  # type: ignore[union-attr]
    bound = re.search(r"(≤|<=|<|less than or equal to|less than)\s*([0-4])(?!\d)", after)
    if bound:
        value = int(bound.group(2))
        return value - 1 if bound.group(1) in ("<", "less than") else value
    digits = [int(d) for d in re.findall(r"(?<![\d.])([0-4])(?!\d|\.\d|:\d)", after)]
    return max(digits) if digits else None


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.replace("\\", "").split()).lstrip("*-• 0123456789.)")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- a patient against a record --------------------------------------------------------------------


def match_study(criteria: StudyCriteria, profile: PatientProfile,
                types: TumorTypes | None = None) -> ArmMatch:
    """The study for one patient. Never more than 'possible': it is read from text."""
    types = types or TumorTypes.bundled()
    study = criteria.study
    reasons: list[Reason] = []
    states: list[str] = []
    for state, reason in (_biomarkers(criteria, profile),
                          _conditions(criteria.diseases, profile, types)):
        states.append(state)
        reasons += reason
    for mention in criteria.excluding:
        hits = _hits(mention, profile, positive=True)
        if hits:
            states.append(FALSE)
            reasons.append(Reason(EXCLUDING, mention.label, f"{mention.where} text: "
                                  f"'{mention.text}' — the patient has {hits[0].shown}",
                                  hits[0].shown, hits[0].key, from_text=True, genomic=True,
                                  tier=hits[0].tier))
        elif mention.where == "inclusion":
            reasons.append(Reason(MATCHED, mention.label, f"{mention.label}: none among the "
                                  f"case's findings (inclusion text: '{mention.text}')",
                                  from_text=True, genomic=True))
    for state, found in (_age(study, profile), _sex(study, profile), _ecog(criteria, profile)):
        if found is not None:
            states.append(state)
            reasons.append(found)
    for hla in criteria.hla:
        states.append(UNSURE)
        reasons.append(Reason(UNKNOWN, hla, f"{hla} required (read from text): the case does "
                              "not record the HLA type", from_text=True))
    if profile.deceased:
        states.append(FALSE)
        reasons.append(Reason(EXCLUDING, "alive", "the patient has died"))
    status = POSSIBLE
    if FALSE in states:
        status = EXCLUDED if about_a_finding(reasons) else NO_MATCH
    return ArmMatch(
        trial_id=study.nct_id, nct_id=study.nct_id, title=study.title, arm="",
        arm_open=True, trial_open=study.status in OPEN, status=status, reasons=tuple(reasons),
        source=SOURCE, case_id=profile.case_id,
    )


def _biomarkers(criteria: StudyCriteria, profile: PatientProfile) -> tuple[str, list[Reason]]:
    """Gene mentions: any of them (a record lists alternatives: 'KRAS, HRAS, NRAS or BRAF');
    signatures (MSI, TMB): each of them ('KRAS-mutant MMR-proficient colorectal cancer')."""
    genes = [m for m in criteria.required if not m.signature]
    signatures = [m for m in criteria.required if m.signature]
    states: list[str] = []
    reasons: list[Reason] = []
    for mention in signatures:
        source = f"read from {mention.where}: '{mention.text}'"
        if mention.genes == ("MSI",) and profile.msi_estimate:
            states.append(UNSURE)
            reasons.append(Reason(UNKNOWN, mention.label, f"{mention.label} ({source}): MSI is "
                                  "only estimated from the indel pattern (confirm by MMR "
                                  "immunohistochemistry or MSI PCR)", from_text=True,
                                  genomic=True))
        elif _unrecorded(mention, profile):
            states.append(UNSURE)
            reasons.append(Reason(UNKNOWN, mention.label, f"{mention.label} ({source}): "
                                  f"{mention.genes[0]} status not recorded", from_text=True,
                                  genomic=True))
        elif _hits(mention, profile, positive=True):
            states.append(TRUE)
            reasons.append(Reason(MATCHED, mention.label, f"{mention.label} ({source})",
                                  mention.label, from_text=True, genomic=True))
        else:
            states.append(FALSE)  # the status is recorded, and it is the other one
            has = (f"MSI {profile.msi}" if mention.genes == ("MSI",)
                   else f"TMB {profile.tmb:.1f} mut/Mb")
            reasons.append(Reason(EXCLUDING, mention.label, f"{mention.label} required "
                                  f"({source}): the case is {has}", from_text=True))
    if genes:
        state, reason = _gene_mentions(genes, profile)
        states.append(state)
        reasons.append(reason)
    if not states:
        return UNSURE, [Reason(UNKNOWN, "biomarker", "no biomarker requirement found in the "
                               "record's text: read its eligibility criteria", from_text=True)]
    state = FALSE if FALSE in states else UNSURE if UNSURE in states else TRUE
    return state, reasons


def _gene_mentions(mentions: list[Mention], profile: PatientProfile) -> tuple[str, Reason]:
    matched = []
    for mention in mentions:
        hits = _hits(mention, profile, positive=True)
        if hits:
            matched.append((TIER_RANK.get(hits[0].tier, 9), mention, hits[0]))
    if matched:
        _, mention, hit = min(matched, key=lambda m: (
            m[0], m[1].where != "inclusion", -len(m[1].proteins) - len(m[1].not_proteins)))
        return TRUE, Reason(MATCHED, mention.label, f"{mention.label} (read from "
                            f"{mention.where}: '{mention.text}'): {hit.shown}", hit.shown,
                            hit.key, from_text=True, genomic=True, tier=hit.tier)
    named = ", ".join(dict.fromkeys(m.label for m in mentions))
    return FALSE, Reason(MISSING, named, f"the record names {named} (read from text); none "
                         "among the case's findings", from_text=True, genomic=True)


def _hits(mention: Mention, profile: PatientProfile, *, positive: bool) -> list[ProfileFinding]:
    if mention.signature:
        found = _signature(mention, profile)
        return [found] if found is not None else []
    out = []
    for finding in profile.findings:
        if finding.gene not in mention.genes and not (set(finding.partners) & set(mention.genes)):
            continue
        if mention.kind == "fusion" and finding.category != "Structural Variation":
            continue
        if mention.kind == "amplification" and finding.cnv_call not in ("amplification",
                                                                          "gain"):
            continue
        if mention.kind in ("mutation", "exon") and finding.category != "Mutation":
            continue
        specific = [_protein_fits(p, finding.protein) for p in mention.proteins]
        if mention.exon is not None:
            specific.append(_exon_fits(mention, finding))
        if specific and not any(specific):
            continue
        if any(_protein_fits(p, finding.protein) for p in mention.not_proteins):
            continue
        out.append(finding)
    return sorted(out, key=lambda f: TIER_RANK.get(f.tier, 9))


def _signature(mention: Mention, profile: PatientProfile) -> ProfileFinding | None:
    """MSI or TMB as the profile records it, when it is what the mention asks for."""
    if mention.genes == ("MSI",) and profile.msi == mention.kind:
        label = "MSI-high" if profile.msi == "high" else "microsatellite stable"
        return ProfileFinding("", "MSI", label, "Signature")
    if mention.genes == ("TMB",) and profile.tmb is not None and profile.tmb >= TMB_HIGH:
        return ProfileFinding("", "TMB", f"TMB {profile.tmb:.1f} mut/Mb", "Signature")
    return None


def _unrecorded(mention: Mention, profile: PatientProfile) -> bool:
    return (mention.genes == ("MSI",) and not profile.msi) or (
        mention.genes == ("TMB",) and profile.tmb is None)


_EXON_CLASSES = {"deletion": ("In_Frame_Del", "Frame_Shift_Del"),
                 "insertion": ("In_Frame_Ins", "Frame_Shift_Ins"),
                 "skipping": ("Splice_Site", "Splice_Region")}


def _exon_fits(mention: Mention, finding: ProfileFinding) -> bool:
    if finding.exon != mention.exon:
        return False
    wanted = _EXON_CLASSES.get(mention.exon_change)
    return wanted is None or finding.classification in wanted


def _protein_fits(written: str, protein: str) -> bool:
    """'G12C' fits G12C; a residue 'G12' (or 'G12X') fits any change there."""
    written = written.rstrip("X") if re.fullmatch(r"[A-Z]\d+X", written) else written
    if re.fullmatch(r"[A-Z]\d+", written):
        return bool(re.fullmatch(rf"{written}[A-Z*]", protein))
    return protein == written


def _conditions(conditions: Iterable[str], profile: PatientProfile,
                types: TumorTypes) -> tuple[str, list[Reason]]:
    """The record's conditions (those naming no biomarker) against the diagnosis: one holds ->
    matched; none holds and all were read -> missing; otherwise unknown."""
    unread: list[str] = []
    failed: list[str] = []
    for condition in conditions:
        wanted = _disease(condition, types)
        if wanted is None:
            unread.append(condition)
            continue
        verdict = types.contains(wanted, profile.diagnosis)
        if verdict.state == TRUE or wanted.doid == CANCER:
            text = verdict.text if verdict.state == TRUE else "any cancer"
            return TRUE, [Reason(MATCHED, f"condition {condition}",
                                 f"condition '{condition}': {text}", from_text=True)]
        (failed if verdict.state == FALSE else unread).append(condition)
    if not failed and not unread:
        return UNSURE, [Reason(UNKNOWN, "condition", "the record names no condition",
                               from_text=True)]
    if unread:
        return UNSURE, [Reason(UNKNOWN, "condition", f"conditions {', '.join(unread)}: not "
                               f"known to include {profile.diagnosis.shown}", from_text=True)]
    return FALSE, [Reason(MISSING, "condition", f"{profile.diagnosis.shown} is none of the "
                          f"record's conditions: {', '.join(failed)}", from_text=True)]


def _disease(condition: str, types: TumorTypes) -> Diagnosis | None:
    if _SOLID_WORDS.search(condition):
        return Diagnosis(condition, code=SOLID)
    found = types.ontology.resolve(condition)
    if found.doid is None or found.confidence == "low":
        return None
    return Diagnosis(condition, code=found.oncotree if found.doid != CANCER else "",
                     doid=found.doid, own=True)


def _age(study: Study, profile: PatientProfile) -> tuple[str, Reason | None]:
    if study.minimum_age is None and study.maximum_age is None:
        return TRUE, None
    low = f"{study.minimum_age:g}" if study.minimum_age is not None else "0"
    high = f"{study.maximum_age:g}" if study.maximum_age is not None else ""
    criterion = f"age {low}-{high}" if high else f"age >={low}"
    if profile.age is None:
        return UNSURE, Reason(UNKNOWN, criterion, f"{criterion}: age not recorded")
    age = profile.age
    if (study.minimum_age is not None and age < study.minimum_age) or (
            study.maximum_age is not None and age >= study.maximum_age + 1):
        return FALSE, Reason(EXCLUDING, criterion, f"{criterion} required: age {int(age)} "
                             "years today")
    return TRUE, Reason(MATCHED, criterion, f"{criterion}: age {int(age)} years today")


def _sex(study: Study, profile: PatientProfile) -> tuple[str, Reason | None]:
    if study.sex not in ("FEMALE", "MALE"):
        return TRUE, None
    wanted = study.sex.lower()
    if profile.sex not in ("female", "male"):
        return UNSURE, Reason(UNKNOWN, f"sex {wanted}", f"sex {wanted}: not recorded")
    if profile.sex != wanted:
        return FALSE, Reason(EXCLUDING, f"sex {wanted}", f"sex {wanted} required")
    return TRUE, Reason(MATCHED, f"sex {wanted}", f"sex {wanted}")


def _ecog(criteria: StudyCriteria, profile: PatientProfile) -> tuple[str, Reason | None]:
    if criteria.ecog_max is None:
        return TRUE, None
    criterion = f"ECOG <={criteria.ecog_max}"
    source = f"read from text: '{criteria.ecog_text}'"
    if profile.ecog is None:
        return UNSURE, Reason(UNKNOWN, criterion, f"{criterion} ({source}): ECOG not recorded",
                              from_text=True)
    if profile.ecog > criteria.ecog_max:
        return FALSE, Reason(EXCLUDING, criterion, f"{criterion} required ({source}): latest "
                             f"ECOG {profile.ecog}", from_text=True)
    return TRUE, Reason(MATCHED, criterion, f"{criterion}: latest ECOG {profile.ecog}",
                        from_text=True)
