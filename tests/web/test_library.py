"""The case library (mtb.web.library): a case is opened once, kept while its files stay the
same, and opened again when one of them (or its case.toml) changes; the catalogue lists the
cases folder, then the cases added through the app."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mtb.catalog import uploads_dir
from mtb.config import Settings
from mtb.errors import InputError
from mtb.web.library import CaseLibrary
from tests.drawn import L858R, T790M, VCF_HEADER, write_vcf_case


@pytest.fixture
def library(tmp_path, data_dir, kb):
    cases = tmp_path / "cases"
    write_vcf_case(cases, "lung", "SYNTHETIC lung")
    settings = Settings.load(environ={"MTB_DATA_DIR": str(data_dir),
                                      "MTB_CASES_DIR": str(cases)})
    calls = []

    def factory():
        calls.append(1)
        return kb

    library = CaseLibrary(settings, kb=factory)
    library.kb_calls = calls  # type: ignore[attr-defined]
    return library


def _touch(path: Path, text: str) -> None:
    stat = path.stat()
    path.write_text(text)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a later mtime, surely


def test_an_open_case_is_kept_while_its_files_stay(library) -> None:
    first = library.open("lung")
    assert library.open("lung") is first
    assert len(first.case.annotation.variants) == 1
    assert len(first.frame) == 1
    assert library.kb_calls == [1]  # the knowledge base is opened once, on first use


def test_a_changed_file_reopens_thewrite_vcf_case(library) -> None:
    first = library.open("lung")
    _touch(first.case.entry.folder / "tumor.vcf", VCF_HEADER + L858R + T790M)
    again = library.open("lung")
    assert again is not first and len(again.case.annotation.variants) == 2
    assert len(again.frame) == 2


def test_a_changed_case_toml_reopens_thewrite_vcf_case(library) -> None:
    folder = library.open("lung").case.entry.folder
    text = (folder / "case.toml").read_text().replace("SYNTHETIC lung", "SYNTHETIC lung, again")
    _touch(folder / "case.toml", text)
    assert library.open("lung").case.entry.title == "SYNTHETIC lung, again"


def test_a_removed_file_is_an_error_naming_case_toml(library) -> None:
    folder = library.open("lung").case.entry.folder
    (folder / "tumor.vcf").unlink()
    with pytest.raises(InputError, match=r"case\.toml: names tumor\.vcf"):
        library.open("lung")


def test_unknownwrite_vcf_case(library) -> None:
    with pytest.raises(InputError, match="no case with id 'nope'"):
        library.open("nope")


def test_the_catalogue_lists_added_cases_after_the_cases_folder(library) -> None:
    added = uploads_dir(library.settings)
    write_vcf_case(added, "added", "A added case")  # sorts first by title, listed after
    assert [e.id for e in library.entries()] == ["lung", "added"]
    assert library.neighbours("lung") == (None, "added")
    assert library.neighbours("added", {"added": 3, "lung": 4}) == (None, None)
    assert library.neighbours("missing") == (None, None)
