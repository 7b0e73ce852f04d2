"""Matching with reasons, row by row: tests/data/trials/matching_cases.tsv (each row a trial
arm, a patient, the status mtb must give and a reason it must name, with the row's source).
Positive and negative rows for every rule: protein wildcards (KRAS G12* vs G13D), exact changes
in any spelling, exons, wildtype requirements, negated diagnoses, _SOLID_, age limits, fusion
partners in either order, TMB/MSI, receptor status, deceased patients."""

from __future__ import annotations

from collections import Counter

import pytest

from mtb.trials.ctml import read_ctml
from mtb.trials.matching import match_arm
from tests.trials.conftest import CLINICAL_EXAMPLES, TRIALS, read_tsv

ROWS = read_tsv(TRIALS / "matching_cases.tsv")


def test_the_table_has_as_many_negative_rows_as_positive_ones() -> None:
    counts = Counter(row["expected_status"] for row in ROWS)
    assert counts["excluded"] + counts["no match"] >= counts["match"] - 1
    assert all(row["source"] for row in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['trial'].split('/')[-1]}:{r['arm']}:"
                                          f"{r['patient']}:{i}" for i, r in enumerate(ROWS)])
def test_matching_case(row, text_profile, sample_profile, types) -> None:
    trial = read_ctml(TRIALS / row["trial"])
    arm = trial.arm(row["arm"])
    assert arm is not None, f"no arm {row['arm']} in {trial.id}"
    facts = {k: v for k, v in (("age", float(row["age"]) if row["age"] else None),
                               ("sex", row["sex"])) if v}
    if row["patient"].startswith("sample:"):
        profile = sample_profile(row["patient"].removeprefix("sample:"))
    elif row["patient"] == "synthetic":
        alterations = list(zip(row["gene"].split("+"), row["variant"].split("+"), strict=True))
        profile = text_profile("synthetic", alterations, row["tumor_type"], **facts)
    else:
        example = CLINICAL_EXAMPLES[row["patient"]]
        profile = text_profile(row["patient"], [(example["gene"], example["variant"])],
                               example["tumor_type"], **facts)
    found = match_arm(trial, arm, profile, types)
    explained = " | ".join(f"{r.kind}: {r.text}" for r in found.reasons)
    assert found.status == row["expected_status"], explained
    assert row["expected_reason"] in explained, explained
    assert found.recruiting == (not arm.suspended and trial.open)
