"""Case assembly: a case folder -> patient header, annotated findings, timeline, therapy lines.

The USERS.md scenario end to end on the synthetic lung case, and every bundled case opening
with its clinical course joined to its findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotation.model import Tier
from mtb.case import open_case
from mtb.catalog import list_cases
from mtb.cli import main
from mtb.config import Settings
from mtb.errors import InputError
from mtb.resources import sample_cases_dir
from mtb.timeline import EventKind, PartialDate

CASES = sample_cases_dir()


@pytest.fixture(scope="module")
def settings(data_dir) -> Settings:
    return Settings.load(environ={"MTB_DATA_DIR": str(data_dir)})


def test_scenario_lung_adenocarcinoma_second_line(kb, settings) -> None:
    """USERS.md case 3: EGFR L858R and T790M tier I with osimertinib; the timeline shows
    first-line erlotinib, progression on CT in March, and the biopsy sequenced after it, so
    T790M reads as acquired resistance."""
    case = open_case(CASES / "synthetic-egfr-lung", kb, settings)
    assert case.patient is not None and case.patient.sex == "female"
    assert case.age() == 62  # born 1961-05, sequenced 2024-04-02
    by_label = {v.alteration.label: v for v in case.actionable}
    l858r, t790m = by_label["EGFR p.L858R"], by_label["EGFR p.T790M"]
    assert (l858r.tier, t790m.tier) == (Tier.IA, Tier.IA)
    assert "Osimertinib" in [t.name for t in t790m.therapies if not t.resistance]
    assert any(t.name == "Erlotinib" and t.resistance for t in t790m.therapies)
    [line] = case.lines
    assert line.drugs == ("Erlotinib",) and str(line.start) == "2023-02-01"
    progression = next(e for e in case.events if e.kind == EventKind.PROGRESSION)
    biopsy = next(e for e in case.events if e.label == "Specimen sequenced")
    assert progression.start == PartialDate(2024, 3, 5)
    assert line.end is not None and progression.start.key < biopsy.start.key  # type: ignore[union-attr]
    assert case.events == sorted(case.events, key=lambda e: e.sort_key)


def test_kim_musterperson_joins_course_and_brca2(kb, settings) -> None:
    """The MII course (ovarian serous adenocarcinoma, niraparib maintenance) with HCC1395's
    BRCA2 truncation: BRCA2 loss is tier I in ovarian cancer (PARP inhibitors)."""
    case = open_case(CASES / "mii-kim-musterperson-ovary", kb, settings)
    assert case.annotation.diagnosis.doid == "DOID:0050933"
    assert [line.drugs for line in case.lines][-1] == ("Niraparib",)
    brca2 = next(v for v in case.actionable if v.alteration.label == "BRCA2 p.E1593*")
    assert brca2.tier == Tier.IA
    assert {"Olaparib", "Niraparib"} & {t.name for t in brca2.therapies}
    boards = [e for e in case.events if e.kind == EventKind.TUMOR_BOARD]
    assert len(boards) == 4


@pytest.mark.parametrize("entry", list_cases(CASES), ids=lambda e: e.id)
def test_every_bundled_case_opens(kb, settings, entry) -> None:
    case = open_case(entry.folder, kb, settings)
    assert case.annotation.variants
    assert case.annotation.diagnosis.known, case.annotation.diagnosis
    if any(f.kind != "vcf" for f in entry.files):
        assert case.events and case.patient is not None
    assert not [w for w in case.warnings if "patients" in w]  # one patient per case


def test_synthea_cycles_become_one_course(kb, settings) -> None:
    """Micah Schinner's six chemoradiation procedures a month apart are one course."""
    case = open_case(CASES / "tcga-a6-2686-colon", kb, settings)
    [course] = [e for e in case.events if e.kind == EventKind.RADIOTHERAPY]
    assert (str(course.start), str(course.end)) == ("2017-12-23", "2018-05-31")
    assert course.detail.startswith("6 administrations")


def test_case_toml_errors_name_the_file(tmp_path, kb, settings) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "case.toml").write_text('id = "c"\ntitle = "C"\nindex_date = "2024-13-01"\n')
    with pytest.raises(InputError, match=r"case.toml: 'index_date': '2024-13-01' is not a"):
        open_case(folder, kb, settings)
    (folder / "case.toml").write_text(
        'id = "c"\ntitle = "C"\n[[files]]\npath = "x.txt"\nkind = "photo"\n')
    with pytest.raises(InputError, match="file kind 'photo' is not one of vcf, maf, segments"):
        open_case(folder, kb, settings)
    (folder / "case.toml").write_text('id = "c"\ntitle = "C"\nmsi = "maybe"\n')
    with pytest.raises(InputError, match=r"case.toml: 'msi': MSI 'maybe' is not high"):
        open_case(folder, kb, settings)


def test_cli_case_show_and_timeline(capsys, data_dir, monkeypatch) -> None:
    monkeypatch.setenv("MTB_DATA_DIR", str(data_dir))
    assert main(["case", "show", str(CASES / "synthetic-egfr-lung")]) == 0
    shown = capsys.readouterr().out
    assert "patient SYN-LUAD-003, female, 62 years" in shown
    assert "therapy Line 1: Erlotinib (2023-02-01 to 2024-03-10)" in shown
    assert "IA   EGFR p.T790M" in shown
    assert main(["timeline", str(CASES / "synthetic-egfr-lung/history.synthetic.csv")]) == 0
    out, err = capsys.readouterr()
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows[0][:7] == ["start", "end", "kind", "label", "value", "unit", "source"]
    progression = ["2024-03-05", "", "progression", "Progression (RECIST 1.1)", "PD", ""]
    assert progression in [row[:6] for row in rows]
    assert "17 events" in err


def test_cli_timeline_rejects_unknown_file(tmp_path: Path, capsys) -> None:
    strange = tmp_path / "notes.txt"
    strange.write_text("hello\n")
    assert main(["timeline", str(strange)]) == 2
    assert "notes.txt: is not a FHIR resource or Bundle" in capsys.readouterr().err
