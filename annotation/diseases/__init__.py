"""The case's diagnosis as a Disease Ontology term: codes, names in German and English, OncoTree.

`DiseaseOntology.bundled().resolve(text)` -> annotation.model.Diagnosis. Modules, in the order
a diagnosis passes them: codes (DOID, ICD-10-GM, ICD-O-3, OncoTree code forms), text (folding
and what is not the disease), receptors (HR/HER2 status), lexicon (German, sites, typos),
textmatch (names -> terms), oncotree (OncoTree joined to DO), sources (the files), ontology
(the index and the order of the steps).
"""

from annotation.diseases.ontology import (
    CROSSREFS_FILE,
    CUP,
    ONCOTREE_FILE,
    SLIM_FILE,
    SUPPLEMENT_FILE,
    DiseaseOntology,
)
from annotation.diseases.sources import CANCER, HEMATOLOGIC_CANCER

__all__ = [
    "CANCER",
    "CROSSREFS_FILE",
    "CUP",
    "HEMATOLOGIC_CANCER",
    "ONCOTREE_FILE",
    "SLIM_FILE",
    "SUPPLEMENT_FILE",
    "DiseaseOntology",
]
