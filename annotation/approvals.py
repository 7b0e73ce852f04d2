"""Approvals and guidelines: the facts behind AMP level A, and the standard regimens that decide
whether a resistance finding matters.

AMP/ASCO/CAP level A for a therapy is an FDA/EMA approval or a professional guideline *for this
tumor type with this biomarker* (Li et al. 2017). A knowledge base's level A is not that: CIViC's
level A includes phase III trials of regimens never approved. So the approvals table
(annotation/snapshots/approvals/approvals.tsv; its README defines every column) is read here
into Evidence items of kind "approval", one per row and alternative regimen, and matched to
findings with the same rules as CIViC (annotation.matching) through synthetic variant entries:
"V600E|V600K" becomes two exact entries, "exon 19 deletion" an exon class, "activating" the
gene's activating-mutation class, "wildtype" the gene's mutations with a *resistance*
significance (RAS wild-type labels: a KRAS mutation predicts no benefit from cetuximab).
Expression biomarkers (HER2 IHC, PD-L1) cannot be read from DNA and are not matched.

`standard_regimens.tsv` lists, per tumor type, the drugs a patient would get without a
biomarker (and biomarker-restricted standards with their restriction); with the approvals it
answers "is this drug a standard in this tumor type?".
"""

from __future__ import annotations

import csv
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from annotation import snapshots
from annotation.drugs import DrugVocabulary
from annotation.model import Diagnosis, Evidence
from annotation.populations import conflict, tokens_in
from annotation.sources.civic.knowledge import CivicKnowledge
from annotation.sources.civic.release import CivicProfile, CivicVariant
from mtb.errors import KnowledgeBaseError

APPROVALS_FILE = Path("approvals") / "approvals.tsv"
STANDARDS_FILE = Path("approvals") / "standard_regimens.tsv"
SOLID = "_SOLID_"  # OncoTree-style code of tumor-agnostic (any solid tumor) rows
AGENCIES = ("FDA", "EMA", "NCCN", "ESMO")
REQUIRED = ("id", "agency", "gene", "alteration_kind", "alteration", "partner", "origin",
            "tumor_type", "oncotree", "doid", "population", "regimen", "setting", "date",
            "status", "withdrawn", "preferred", "source", "source_title")
_CLASS_NAMES = {"activating": "Activating Mutation", "loss-of-function": "Loss-of-function",
                "any": "Mutation", "itd": "ITD"}
_ORIGIN = {"somatic": "Somatic", "germline": "Germline",
           "germline or somatic": "Germline or somatic", "not specified": ""}
_BIOMARKER = {"tmb": "High", "msi": "High", "hrd": "Positive"}
# genes whose labelled fusions keep them at the 5' end (FGFR3::TACC3); the others' partner
# comes first (BCR::ABL1, PML::RARA, FIP1L1::PDGFRA)
_KEEPS_5_PRIME = frozenset({"FGFR1", "FGFR2", "FGFR3"})


@dataclass(frozen=True)
class Standard:
    """A drug that is standard of care in a tumor type (standard_regimens.tsv)."""

    drug: str  # INN as the drug vocabulary names it
    doid: str
    oncotree: str
    population: tuple[str, ...]  # receptor tokens (annotation.populations)
    restriction: str  # the population column as written ("RAS wild-type")
    source: str


def _read(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            missing = [c for c in required if c not in (reader.fieldnames or ())]
            if missing:
                raise KnowledgeBaseError(f"{path}: column {missing[0]} is missing")
            rows = list(reader)
    except OSError as error:
        raise KnowledgeBaseError(f"{path}: cannot be read ({error.strerror})") from None
    for number, row in enumerate(rows, start=2):
        if not (row.get("source") or "").strip():
            raise KnowledgeBaseError(f"{path}, line {number}: a row without a source")
    return rows


def _targets(row: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(gene, CIViC-style variant name) pairs a row's biomarker stands for."""
    kind, alteration = row["alteration_kind"], row["alteration"].strip()
    genes = [g for g in row["gene"].split("|") if g]
    for gene in genes:
        if kind in ("protein", "codon"):
            yield from ((gene, item) for item in alteration.split("|") if item)
        elif kind == "exon":
            yield from ((gene, item.title()) for item in alteration.split("|") if item)
        elif kind == "class":
            yield gene, _CLASS_NAMES.get(alteration.lower(), "Mutation")
        elif kind == "wildtype":
            yield gene, "Mutation"
        elif kind == "fusion":
            partners = [p for p in row["partner"].split("|") if p]
            if not partners:
                yield gene, "Fusion"
            for partner in partners:  # in the order the fusion reads: BCR::ABL1, FGFR3::TACC3
                pair = (gene, partner) if gene in _KEEPS_5_PRIME else (partner, gene)
                yield gene, "::".join(pair)
        elif kind in ("amplification", "deletion"):
            yield gene, kind.title()
        elif kind in _BIOMARKER:
            yield gene, _BIOMARKER[kind]
        # expression: protein expression (IHC/ISH), not readable from DNA


def _regimens(text: str, drugs: DrugVocabulary) -> list[tuple[str, ...]]:
    """'capecitabine|fluorouracil + oxaliplatin' -> two regimens, drug names normalised."""
    slots = [[d.strip() for d in slot.split("|") if d.strip()] for slot in text.split(" + ")]
    return [tuple(drugs.regimen(choice).key) for choice in itertools.product(*slots)]


def _population(text: str, resolve: Callable[[str], str | None]) -> tuple[str, ...]:
    """Receptor/grade tokens, and 'not:<DOID>' for each tumor type the label excludes."""
    tokens = list(tokens_in(text))
    for part in text.split(";"):
        part = part.strip()
        if part.lower().startswith("excluding "):
            doid = resolve(part[len("excluding "):])
            if doid:
                tokens.append(f"not:{doid}")
    return tuple(tokens)


def _evidence(row: dict[str, str], regimen: tuple[str, ...], drugs: DrugVocabulary,
              resolve: Callable[[str], str | None]) -> Evidence:
    agency = row["agency"]
    solid = row["oncotree"] == SOLID
    population = _population(row["population"], resolve)
    setting = "; ".join(p for p in (row["setting"], row["population"]) if p.strip())
    return Evidence(
        source=agency,
        id=row["id"],
        kind="approval",
        evidence_type="Predictive",
        direction="Supports",
        significance="Resistance" if row["alteration_kind"] == "wildtype"
        else "Sensitivity/Response",
        level="A",
        disease="Solid Tumor" if solid else row["tumor_type"],
        doid="" if solid else row["doid"],
        profile=f"{row['gene']} {row['alteration']}".strip(),
        therapies=tuple(drugs.drug(name).display for name in sorted(regimen)),
        therapy_interaction="Combination" if len(regimen) > 1 else "",
        regulatory_approval=agency in ("FDA", "EMA"),
        nccn_guideline=row["source_title"] if agency in ("NCCN", "ESMO") else "",
        variant_origin=_ORIGIN.get(row["origin"], ""),
        citation=row["source_title"],
        url=row["source"],
        version="approvals table",
        population=population,
        agency=agency,
        date=row["date"],
        setting=setting,
        withdrawn=row["withdrawn"] if row["status"] == "withdrawn" else "",
        preferred=row["preferred"].strip().lower() == "yes",
    )


@dataclass
class ApprovalTable:
    """The approvals as match targets (a CivicKnowledge over synthetic entries) and the
    standard regimens."""

    knowledge: CivicKnowledge
    standards: tuple[Standard, ...]
    rows: int

    @classmethod
    def load(cls, folder: Path, drugs: DrugVocabulary,
             resolve: Callable[[str], str | None] = lambda text: None) -> ApprovalTable:
        """`resolve` maps a tumor type named in a population ('excluding colorectal cancer')
        to its DOID."""
        rows = _read(folder / APPROVALS_FILE, REQUIRED)
        variants: dict[tuple[str, str], CivicVariant] = {}
        items: dict[int, list[Evidence]] = {}
        for number, row in enumerate(rows, start=2):
            if row["agency"] not in AGENCIES:
                raise KnowledgeBaseError(f"{folder / APPROVALS_FILE}, line {number}: agency "
                                         f"{row['agency']!r} is not one of {AGENCIES}")
            for gene, name in _targets(row):
                variant = variants.get((gene, name))
                if variant is None:
                    ident = len(variants) + 1
                    variant = CivicVariant(ident, gene, name, "", ident)
                    variants[(gene, name)] = variant
                for regimen in _regimens(row["regimen"], drugs):
                    for doid in row["doid"].split("|"):  # a label's tumor type may span terms
                        items.setdefault(variant.id, []).append(
                            _evidence({**row, "doid": doid}, regimen, drugs, resolve))
        profiles = [CivicProfile(v.id, v.full_name, (v.id,)) for v in variants.values()]
        evidence = [(ident, item) for ident, found in items.items() for item in found]
        knowledge = CivicKnowledge("approvals", variants.values(), profiles, evidence, (), {})
        return cls(knowledge, tuple(_standards(folder / STANDARDS_FILE, drugs)), len(rows))

    @classmethod
    def bundled(cls) -> ApprovalTable:
        return _bundled()

    def standard_in(self, diagnosis: Diagnosis | None, patient: Iterable[str] = (),
                    genes: Iterable[str] = ()) -> set[str]:
        """Drugs the patient would get in this tumor type (the diagnosis or a parent), for the
        resistance rule: standards without a biomarker restriction, standards restricted to a
        wild-type biomarker (cetuximab for RAS wild-type colorectal cancer: a KRAS mutation is
        exactly what rules it out), and drugs restricted to a biomarker in a gene the case has a
        finding in (erlotinib for EGFR-mutant NSCLC, when the case has an EGFR finding)."""
        if diagnosis is None or not diagnosis.known:
            return set()
        lineage, patient, genes = set(diagnosis.lineage), tuple(patient), set(genes)
        found = {s.drug for s in self.standards
                 if s.doid in lineage and not conflict(s.population, patient)
                 and _open_to(s.restriction, genes)}
        for variant_id, items in self.knowledge.evidence.items():
            gene = self.knowledge.variants[variant_id].gene
            for item in items:
                if (item.doid in lineage and not item.withdrawn
                        and not conflict(item.population, patient)
                        and (item.is_resistance or gene in genes)):
                    found.update(t.lower() for t in item.therapies)
        return found


    def label_scope(self, diagnosis: Diagnosis | None
                    ) -> dict[frozenset[str], tuple[tuple[str, str], ...]]:
        """Regimen -> (gene, what the label names) of every current approval in the diagnosis
        or a parent type (annotation.tiering's label-scope rule)."""
        if diagnosis is None or not diagnosis.known:
            return {}
        lineage = set(diagnosis.lineage)
        scope: dict[frozenset[str], list[tuple[str, str]]] = {}
        for variant_id, items in self.knowledge.evidence.items():
            variant = self.knowledge.variants[variant_id]
            for item in items:
                if item.doid in lineage and not item.withdrawn and not item.is_resistance:
                    key = frozenset(t.lower() for t in item.therapies)
                    scope.setdefault(key, []).append((variant.gene, variant.full_name))
        return {key: tuple(found) for key, found in scope.items()}


_GENE_WORD = re.compile(r"\b[A-Z][A-Z0-9]{1,9}\b")
_NOT_GENES = frozenset({"HR", "ER", "PR", "TNBC", "MSI", "PD", "L1", "CPS", "TPS", "HRR", "NSCLC",
                        "PSMA", "CD33", "IGHV", "CLDN18", "FIGO", "II", "III", "IV"})
_ALIASES = {"HER2": ("ERBB2",), "RAS": ("KRAS", "NRAS")}


def _open_to(restriction: str, genes: set[str]) -> bool:
    """Whether a standard's population restriction admits a case with findings in `genes`:
    no restriction, a wild-type or 'no driver' one (the finding is what excludes the patient),
    a non-genomic one, or one naming a gene the case has a finding in."""
    text = restriction.strip()
    lower = text.lower()
    if not text or "wild-type" in lower or lower.startswith("no ") or "pmmr" in lower:
        return True
    named = {g for word in _GENE_WORD.findall(text) if word not in _NOT_GENES
             for g in _ALIASES.get(word, (word,))}
    return not named or bool(named & genes)


def _standards(path: Path, drugs: DrugVocabulary) -> Iterator[Standard]:
    for row in _read(path, ("tumor_type", "oncotree", "doid", "population", "drug", "source")):
        yield Standard(drugs.drug(row["drug"]).name, row["doid"].strip(), row["oncotree"],
                       tokens_in(row["population"]), row["population"].strip(), row["source"])


@functools.cache
def _bundled() -> ApprovalTable:
    from annotation.diseases import DiseaseOntology

    ontology = DiseaseOntology.bundled()
    return ApprovalTable.load(snapshots.SNAPSHOT_DIR, DrugVocabulary.bundled(),
                              lambda text: ontology.resolve(text).doid)
