"""MSI and TMB against trial criteria: a measured MSI-high meets 'MSI-H', an MSI *estimated*
from the indel pattern does not decide either way (a trial enrols on MMR IHC or MSI PCR), an
unrecorded status is unknown; the case's biomarker findings give the profile its values."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mtb.trials.ctml import parse_ctml
from mtb.trials.matching import match_arm
from mtb.trials.profile import PatientProfile
from mtb.trials.tumor_types import PatientDiagnosis

MSI_TRIAL = """\
protocol_no: SYN-MSI
long_title: "SYNTHETIC: MSI-high solid tumors"
status: Open to Accrual
treatment_list:
  step:
    - arm:
        - arm_code: MSI-H
          match:
            - and:
                - genomic: {hugo_symbol: None, ms_status: MSI-H}
                - clinical: {oncotree_primary_diagnosis: _SOLID_}
        - arm_code: MSS
          match:
            - genomic: {hugo_symbol: None, mmr_status: MMR-Proficient}
"""
COLON = PatientDiagnosis("colon adenocarcinoma", "DOID:234", "colon adenocarcinoma",
                         ("DOID:234", "DOID:162"), "COAD", True)


@pytest.mark.parametrize(("msi", "estimate", "msi_h", "mss"), [
    ("high", False, "match", "no match"),
    ("high", True, "possible", "possible"),
    ("stable", False, "no match", "match"),
    ("", False, "possible", "possible"),
])
def test_msi(types, msi, estimate, msi_h, mss) -> None:
    trial = parse_ctml(MSI_TRIAL, "msi.yaml")
    patient = PatientProfile("p", "SYNTHETIC", COLON, msi=msi, msi_estimate=estimate)
    found = {arm.code: match_arm(trial, arm, patient, types) for arm in trial.arms}
    assert (found["MSI-H"].status, found["MSS"].status) == (msi_h, mss)
    if estimate:
        assert "estimated from the indel pattern" in found["MSI-H"].unknown[0].text


def test_biomarker_findings_give_the_values(text_profile) -> None:
    measured = text_profile("m", [("MSI", "MSI-H"), ("KRAS", "G12D")], "colon adenocarcinoma")
    assert (measured.msi, measured.msi_estimate) == ("high", False)
    assert replace(measured, msi="").msi == ""
    stable = text_profile("s", [("MSI", "MSS")], "colon adenocarcinoma")
    assert stable.msi == "stable"


def test_sample_cases_biomarkers(sample_profile) -> None:
    colon = sample_profile("tcga-a6-2686-colon")
    assert colon.tmb is not None and colon.tmb > 10 and colon.msi == "high" and \
        colon.msi_estimate  # computed from the calls by mtb: an estimate
    assert sample_profile("hcc1395-breast").msi == "stable"
