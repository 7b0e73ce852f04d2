"""Trials tests: the trial files (tests/data/trials, see its PROVENANCE.md), patients built from
the published examples of tests/data/clinical_examples.tsv or from a sample case, and the tumor
types. The knowledge base comes from tests/conftest.py (built once per session)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from mtb.trials.profile import PatientProfile

DATA = Path(__file__).resolve().parents[1] / "data"
TRIALS = DATA / "trials"
REPO = Path(__file__).resolve().parents[2]


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


CLINICAL_EXAMPLES = {row["case_id"]: row for row in read_tsv(DATA / "clinical_examples.tsv")}


@pytest.fixture(scope="session")
def types():
    from mtb.trials.tumor_types import TumorTypes

    return TumorTypes.bundled()


@pytest.fixture(scope="session")
def text_profile(kb) -> Callable[..., PatientProfile]:
    """A patient from alterations written as text ('KRAS', 'G12D') and a diagnosis, annotated
    with the session's knowledge base; other fields (age, sex, ...) as given."""
    from annotation import annotate_alterations
    from annotation.alterations import from_description
    from mtb.trials.profile import profile_from_variants

    def build(case_id: str, alterations: Sequence[tuple[str, str]], tumor: str,
              **facts: Any) -> PatientProfile:
        diagnosis = kb.ontology.resolve(tumor)
        pairs = [(None, from_description(gene, text, kb.genes)) for gene, text in alterations]
        variants = annotate_alterations(pairs, diagnosis, kb)
        return profile_from_variants(case_id, diagnosis, variants, **facts)

    return build


@pytest.fixture(scope="session")
def sample_profile(kb, data_dir) -> Callable[[str], PatientProfile]:
    """The profile of a bundled sample case, opened once per session."""
    from mtb.case import open_case
    from mtb.config import Settings
    from mtb.trials.profile import profile_of

    settings = Settings.load(environ={"MTB_DATA_DIR": str(data_dir)})
    opened: dict[str, PatientProfile] = {}

    def build(case_id: str) -> PatientProfile:
        if case_id not in opened:
            opened[case_id] = profile_of(open_case(REPO / "sample_cases" / case_id, kb,
                                                   settings))
        return opened[case_id]

    return build
