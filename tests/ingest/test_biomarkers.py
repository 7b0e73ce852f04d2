"""Measured biomarkers (issue 11, item 4): TMB, MSI and HRD given in case.toml or on the command
line, read from FHIR Observations or an MSIsensor report, each cut-off checked on both sides."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtb.errors import InputError
from mtb.ingest import read_findings
from mtb.ingest.biomarkers import choose, from_events, parse_given
from mtb.ingest.fhir import read_fhir
from mtb.ingest.msi import read_msisensor
from mtb.ingest.sniff import sniff
from mtb.variant import Biomarker
from tests.conftest import needs_shared


@pytest.mark.parametrize(("name", "value", "call", "number"), [
    # TMB-high from 10 mut/Mb: the tumor-agnostic pembrolizumab label (FDA 2020, KEYNOTE-158)
    ("tmb", 10, "high", 10.0),
    ("tmb", 9.99, "low", 9.99),
    ("TMB", "12,5 mut/Mb", "high", 12.5),
    ("tmb", "High", "high", None),
    ("tmb", "low", "low", None),
    ("msi", "MSI-H", "high", None),
    ("msi", "dMMR", "high", None),
    ("msi", "MSS", "stable", None),
    ("msi", "MSI-L", "stable", None),  # MSI-low is managed as stable (NCCN, ESMO)
    ("msi", "pMMR", "stable", None),
    ("msi", "indeterminate", "indeterminate", None),
    # HRD: genomic instability score positive from 42 (myChoice CDx, PAOLA-1)
    ("hrd", 42, "positive", 42.0),
    ("hrd", "41", "negative", 41.0),
    ("hrd", "HRD-positive", "positive", None),
    ("hrd", "negative", "negative", None),
])
def test_given_values_and_their_cut_offs(name: str, value: object, call: str,
                                         number: float | None) -> None:
    marker = parse_given(name, value, "given in case.toml")
    assert (marker.name, marker.call, marker.value) == (name.upper(), call, number)
    assert not marker.estimate and marker.source == "given in case.toml"


@pytest.mark.parametrize(("name", "value", "problem"), [
    ("tmb", "abc", "neither mutations per megabase"),
    ("tmb", True, "neither mutations per megabase"),
    ("msi", "5.2", "is not high"),  # a score is not a call: the lab's call is needed
    ("msi", "maybe", "is not high"),
    ("hrd", "unclear", "neither positive/negative"),
    ("pdl1", "50", "not a biomarker mtb knows"),
])
def test_unreadable_values_say_what_is_accepted(name: str, value: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_given(name, value, "the command line")


def test_msisensor_report_both_sides_of_the_cut_offs(tmp_path: Path) -> None:
    """MSK-IMPACT's MSIsensor cut-offs: MSI-high from 10 %, indeterminate from 3 % (SYNTHETIC
    reports in MSIsensor's own layout)."""
    calls = {}
    for score in (10.0, 9.99, 3.0, 2.99):
        path = tmp_path / f"msi_{score}.txt"
        path.write_text(f"Total_Number_of_Sites\tNumber_of_Somatic_Sites\t%\n1000\t100\t{score}\n")
        assert sniff(path) == "msi"
        [marker] = read_findings(path).findings
        assert isinstance(marker, Biomarker) and marker.value == score
        assert "MSIsensor report" in marker.source and not marker.estimate
        calls[score] = marker.call
    assert calls == {10.0: "high", 9.99: "indeterminate", 3.0: "indeterminate",
                     2.99: "stable"}


def test_broken_msisensor_reports_name_the_file(tmp_path: Path) -> None:
    two = tmp_path / "two.txt"
    two.write_text("Total_Number_of_Sites\tNumber_of_Somatic_Sites\t%\n1\t1\t1\n2\t2\t2\n")
    with pytest.raises(InputError, match=r"two.txt.*one row, this one 2"):
        read_msisensor(two)
    empty = tmp_path / "empty.txt"
    empty.write_text("Total_Number_of_Sites\tNumber_of_Somatic_Sites\t%\n1\t1\t\n")
    with pytest.raises(InputError, match=r"empty.txt, line 2: .*unstable sites \(%\) is empty"):
        read_msisensor(empty)


@needs_shared
def test_fhir_observations_become_findings(shared: Path) -> None:
    """The Genomics Reporting IG's oncology example: TMB 25 Mutations/Megabase (LOINC 94076-7)
    and MSI 'Stable' (LOINC 81695-9)."""
    timeline = read_fhir([shared / "fhir/genomics-reporting/"
                          "Bundle-bundle-oncologyexamples-r4.json"])
    found, warnings = from_events(timeline.events)
    by_name = {m.name: m for m in found}
    assert warnings == []
    assert (by_name["TMB"].call, by_name["TMB"].value) == ("high", 25.0)
    assert by_name["MSI"].call == "stable"
    assert by_name["TMB"].source.startswith("measured: Observation/")


def test_the_first_source_wins_and_a_disagreement_is_said() -> None:
    given = [parse_given("msi", "stable", "given in case.toml (msi = 'stable')")]
    report = [Biomarker("MSI", "high", 12.0, "%", source="MSIsensor report x.txt")]
    tmb = [parse_given("tmb", 4, "measured: Observation/1")]
    chosen, warnings = choose(given, tmb, report)
    assert [(m.name, m.call) for m in chosen] == [("MSI", "stable"), ("TMB", "low")]
    assert warnings == ["MSI: given in case.toml (msi = 'stable') says stable, MSIsensor report "
                        "x.txt says high; the first is used"]
    same, quiet = choose(given, [parse_given("msi", "MSS", "measured: Observation/2")])
    assert len(same) == 1 and quiet == []
