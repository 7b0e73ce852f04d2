"""Trial diagnoses (OncoTree names or codes, _SOLID_, _LIQUID_) against a patient's diagnosis.

CTML names OncoTree types ('Non-Small Cell Lung Cancer'), and a trial for a type is open to all
its subtypes: MatchMiner expands each name to its descendants. mtb already knows OncoTree: the
bundled 2025-10-03 tree, joined to the Disease Ontology cancer slim (annotation.diseases). So a
trial's type is found in that tree, and a patient fits it when

  1. the patient's OncoTree code lies in the type's subtree (LUAD under NSCLC), or
  2. the type's own DO term is in the patient's DO lineage (a diagnosis written as free text,
     'Adenokarzinom der Lunge' -> lung adenocarcinoma -> lung non-small cell carcinoma).

A type whose DO term is only 'cancer' (OncoTree's 'Skin' tissue) is checked in the tree only:
through DO it would take in every patient. A patient's diagnosis broader than the type ('lung
cancer' for an NSCLC arm) is unknown, not a match: the board must say which. _SOLID_ and
_LIQUID_ follow the DO's hematologic branch, as annotation does for tumor-agnostic evidence.

Names of older OncoTree releases that CTML files still use ('Glioblastoma', 'Blood') are read as
diagnosis text through the same ontology, and the trial carries a note that they were.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from annotation.diseases import CANCER, ONCOTREE_FILE, DiseaseOntology
from annotation.diseases.ontology import SNAPSHOTS
from annotation.diseases.sources import Node, parse_oncotree
from mtb.trials.model import LIQUID, SOLID, Diagnosis

TRUE, FALSE, UNSURE = "true", "false", "unknown"

# OncoTree tissues of MatchMiner's older releases, by their current codes
_FORMER_TISSUES = {"blood": "MYELOID", "lymph": "LYMPH"}


@dataclass(frozen=True)
class PatientDiagnosis:
    """What matching needs of a patient's diagnosis (from annotation's Diagnosis)."""

    text: str
    doid: str | None
    name: str = ""
    lineage: tuple[str, ...] = ()
    oncotree: str = ""  # the patient's OncoTree code, where known
    solid: bool | None = None
    qualifiers: frozenset[str] = frozenset()  # receptor status read from the text: 'HER2-'

    @property
    def shown(self) -> str:
        return self.name or self.text or "not recorded"


@dataclass(frozen=True)
class Verdict:
    state: str  # TRUE, FALSE, UNSURE
    text: str


class TumorTypes:
    """OncoTree 2025-10-03 by name and code, joined to the Disease Ontology."""

    def __init__(self, ontology: DiseaseOntology, nodes: Mapping[str, Node]) -> None:
        self.ontology = ontology
        self._nodes = dict(nodes)
        self._by_name = {node.name.casefold(): code for code, node in nodes.items()}
        self._subtrees: dict[str, frozenset[str]] = {}

    @classmethod
    def bundled(cls) -> TumorTypes:
        return _bundled()

    # -- reading a trial's diagnosis -------------------------------------------------------------

    def diagnosis(self, text: str) -> Diagnosis | None:
        """A CTML diagnosis ('!Melanoma', 'LUAD', '_SOLID_') found in OncoTree or, for names of
        older releases, in the ontology as text; None when neither knows it."""
        raw = text.strip()
        negated = raw.startswith("!")
        name = raw.lstrip("!").strip()
        if name.upper() in (SOLID, LIQUID):
            return Diagnosis(name.upper(), negated, name.upper(), how="MatchMiner category")
        code = self._by_name.get(name.casefold()) or _FORMER_TISSUES.get(name.casefold())
        how = "OncoTree 2025-10-03 name"
        if code is None and name.upper() in self._nodes:
            code, how = name.upper(), "OncoTree code"
        if code is not None:
            mapping = self.ontology.oncotree_mapping(code)
            doid = mapping.doid if mapping and mapping.doid else ""
            own = bool(mapping and mapping.own and mapping.confidence != "low"
                       and doid != CANCER)
            return Diagnosis(name, negated, code, doid, own, how)
        found = self.ontology.resolve(name)
        if found.doid is None or found.doid == CANCER or found.confidence == "low":
            return None
        return Diagnosis(name, negated, found.oncotree, found.doid, True,
                         f"not an OncoTree 2025-10-03 name; read as {found.name} ({found.doid})")

    def name(self, code: str) -> str:
        node = self._nodes.get(code)
        return node.name if node else code

    # -- does the patient have it? ----------------------------------------------------------------

    def contains(self, wanted: Diagnosis, patient: PatientDiagnosis) -> Verdict:
        """Whether the patient's diagnosis is the trial's type or one of its subtypes."""
        if wanted.code == SOLID:
            return _category(patient, solid=True)
        if wanted.code == LIQUID:
            return _category(patient, solid=False)
        if patient.doid is None:
            return Verdict(UNSURE, f"the diagnosis '{patient.text or 'none'}' is not mapped to "
                                   "a tumor type")
        shown = f"{patient.shown} is {self._shown(wanted)}"
        code = patient.oncotree if patient.doid != CANCER else ""
        if wanted.code in self._nodes and code in self._subtree(wanted.code):
            how = "the same OncoTree type" if code == wanted.code else (
                f"OncoTree {code} lies under {wanted.code}")
            return Verdict(TRUE, f"{shown} ({how})")
        if wanted.own and wanted.doid in patient.lineage:
            how = "the same Disease Ontology term" if wanted.doid == patient.doid else (
                f"{self.ontology.name(wanted.doid)} is among its parent types")
            return Verdict(TRUE, f"{shown} ({how})")
        if wanted.doid and patient.doid != wanted.doid and \
                patient.doid in self.ontology.lineage(wanted.doid):
            return Verdict(UNSURE, f"{patient.shown} is broader than {self._shown(wanted)}: "
                                   "the diagnosis does not say which type")
        if wanted.doid and not wanted.own and wanted.doid != CANCER and \
                wanted.doid in patient.lineage:
            return Verdict(UNSURE, f"{self._shown(wanted)} is narrower than the Disease "
                                   f"Ontology can tell from {patient.shown}")
        return Verdict(FALSE, f"{patient.shown} is not {self._shown(wanted)}")

    def _shown(self, wanted: Diagnosis) -> str:
        if wanted.code in (SOLID, LIQUID):
            return "a solid tumor" if wanted.code == SOLID else "a hematologic cancer"
        return wanted.text

    def _subtree(self, code: str) -> frozenset[str]:
        if code not in self._subtrees:
            found, stack = set(), [code]
            while stack:
                current = stack.pop()
                if current in found or current not in self._nodes:
                    continue
                found.add(current)
                stack.extend(self._nodes[current].children)
            self._subtrees[code] = frozenset(found)
        return self._subtrees[code]


def _category(patient: PatientDiagnosis, *, solid: bool) -> Verdict:
    kind = "a solid tumor" if solid else "a hematologic cancer"
    if patient.solid is None:
        return Verdict(UNSURE, f"whether {patient.shown} is {kind} is not known")
    if patient.solid == solid:
        return Verdict(TRUE, f"{patient.shown} is {kind}")
    return Verdict(FALSE, f"{patient.shown} is not {kind}")


@functools.lru_cache(maxsize=1)
def _bundled() -> TumorTypes:
    return TumorTypes(DiseaseOntology.bundled(),
                      parse_oncotree(SNAPSHOTS / "oncotree" / ONCOTREE_FILE))
