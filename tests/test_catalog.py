"""The catalogue (mtb.catalog): reading case.toml, the one case.toml writer (escaped, read back
before it is written) and finding a case by folder or id."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from mtb.catalog import (
    case_folders,
    case_toml,
    find_case,
    read_case,
    reference_path,
    toml_string,
    uploads_dir,
    write_case_toml,
)
from mtb.config import Settings
from mtb.errors import InputError
from mtb.resources import sample_cases_dir

LUNG = sample_cases_dir() / "synthetic-egfr-lung"


@pytest.mark.parametrize("text", ['Patient "7"', "C:\\cases\\x", "two\nlines", "tab\there",
                                  "Müller ü ß", 'end with \\', ""])
def test_strings_are_escaped(text: str) -> None:
    parsed = tomllib.loads(f"value = {toml_string(text)}\n")["value"]
    assert parsed == "".join(ch if ch.isprintable() else " " for ch in text)


def test_the_writer_round_trips(tmp_path: Path) -> None:
    (tmp_path / "a b.vcf").write_text("##fileformat=VCFv4.2\n")
    text = case_toml(["Imported by a test", "second line"], case_id='id "quoted"',
                     title='A "title"\\ with\nnewline', diagnosis="C34.1",
                     source="FHIR server host", files=[("a b.vcf", "vcf")])
    assert text.startswith("# Imported by a test\n# second line\nid = ")
    write_case_toml(tmp_path, text)
    entry = read_case(tmp_path)
    assert (entry.id, entry.title, entry.diagnosis) == ('id "quoted"',
                                                       'A "title"\\ with newline', "C34.1")
    assert [(f.path.name, f.kind) for f in entry.files] == [("a b.vcf", "vcf")]
    assert (tmp_path / "case.toml").stat().st_mode & 0o777 == 0o644


def test_an_entry_without_a_kind_gets_the_sniffed_one(tmp_path: Path) -> None:
    shutil.copy(LUNG / "history.synthetic.csv", tmp_path / "history.csv")
    shutil.copy(LUNG / "tumor.synthetic.vcf", tmp_path / "tumor.vcf")
    (tmp_path / "case.toml").write_text('id = "x"\ntitle = "X"\n[[files]]\npath = "tumor.vcf"\n'
                                        '[[files]]\npath = "history.csv"\n')
    assert [f.kind for f in read_case(tmp_path).files] == ["vcf", "events"]


def _settings(tmp_path: Path) -> Settings:
    return Settings.load(environ={"MTB_DATA_DIR": str(tmp_path / "data"),
                                  "MTB_CASES_DIR": str(sample_cases_dir())})


def test_find_case_by_folder_and_by_id(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert find_case(str(LUNG), settings).id == "synthetic-egfr-lung"
    assert find_case("synthetic-egfr-lung", settings).folder == LUNG
    assert find_case("no-such-case", settings) is None
    with pytest.raises(InputError, match=r"folder without a case\.toml"):
        find_case(str(tmp_path), settings)


def test_added_cases_are_found_and_a_broken_one_hides_no_other(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    added = uploads_dir(settings)
    shutil.copytree(LUNG, added / "copy")
    text = (added / "copy" / "case.toml").read_text().replace(
        'id = "synthetic-egfr-lung"', 'id = "added-copy"')
    (added / "copy" / "case.toml").write_text(text)
    (added / "broken").mkdir()
    (added / "broken" / "case.toml").write_text("id = \n")
    assert find_case("added-copy", settings).folder == added / "copy"
    assert case_folders(settings) == [sample_cases_dir(), added]
    same = Settings.load(environ={"MTB_DATA_DIR": str(tmp_path / "data"),
                                  "MTB_CASES_DIR": str(added)})
    assert case_folders(same) == [added]


def _with_reference(tmp_path: Path, line: str) -> Path:
    folder = tmp_path / "cases" / "lung"
    shutil.copytree(LUNG, folder)
    toml = folder / "case.toml"
    toml.write_text(toml.read_text().replace('synthetic = true', f'synthetic = true\n{line}'))
    return folder


@pytest.mark.parametrize(("where", "line", "found"), [
    ("case", 'reference = "ref/GRCh38.fa"', "cases/lung/ref/GRCh38.fa"),  # in the folder
    ("site", 'reference = "GRCh38.fa"', "references/GRCh38.fa"),  # the site's folder
    ("both", 'reference = "GRCh38.fa"', "cases/lung/GRCh38.fa"),  # the case's own wins
])
def test_a_reference_is_found_in_the_case_folder_or_the_sites(tmp_path: Path, where: str,
                                                              line: str, found: str) -> None:
    """case.toml `reference =` (issue 11): protein changes of unannotated variants."""
    folder = _with_reference(tmp_path, line)
    shared = tmp_path / "references"
    shared.mkdir()
    if where in ("site", "both"):
        (shared / "GRCh38.fa").write_text(">chr7\nACGT\n")
    if where == "case":
        (folder / "ref").mkdir()
        (folder / "ref" / "GRCh38.fa").write_text(">chr7\nACGT\n")
    if where == "both":
        (folder / "GRCh38.fa").write_text(">chr7\nACGT\n")
    settings = Settings.load(environ={"MTB_DATA_DIR": str(tmp_path / "data"),
                                      "MTB_REFERENCES_DIR": str(shared)})
    path = reference_path(read_case(folder), settings)
    assert path == (tmp_path / found).resolve()


@pytest.mark.parametrize(("line", "problem"), [
    ('reference = "missing.fa"', "reference 'missing.fa' is neither a file of the case folder "
                                 "nor of the references folder"),
    ('reference = "/etc/passwd"', "reference '/etc/passwd' is neither"),  # no absolute path
    ('reference = "../../secret.fa"', "reference '../../secret.fa' is neither"),  # no way out
    ('reference = "../secret.fa"', "reference '../secret.fa' is neither"),
    ("reference = 38", "'reference' must be text"),
])
def test_a_reference_outside_both_folders_is_refused(tmp_path: Path, line: str,
                                                     problem: str) -> None:
    folder = _with_reference(tmp_path, line)
    (tmp_path / "secret.fa").write_text(">chr7\nACGT\n")  # beside the references folder
    (tmp_path / "cases" / "secret.fa").write_text(">chr7\nACGT\n")  # beside the case
    shared = tmp_path / "references"
    shared.mkdir()
    settings = Settings.load(environ={"MTB_DATA_DIR": str(tmp_path / "data"),
                                      "MTB_REFERENCES_DIR": str(shared)})
    with pytest.raises(InputError, match=problem) as raised:
        reference_path(read_case(folder), settings)
    assert raised.value.path == str(folder / "case.toml")
