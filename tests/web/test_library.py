"""The case library the app serves (mtb.web.library over mtb.library): cases are read from
the store, never from their files; an opened version is kept (and the fewest recently used are
let go); a changed file (by sha256) or case.toml is annotated again into a new version, while
the old one stays readable; a removed file is a problem said on the agenda, and the case keeps
its version."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mtb.errors import InputError
from mtb.store import Store
from mtb.web.library import CaseLibrary
from tests.drawn import L858R, T790M, VCF_HEADER, write_vcf_case
from tests.stored import settings_for, worker_for


@pytest.fixture
def setup(tmp_path, data_dir, kb):
    cases = tmp_path / "cases"
    write_vcf_case(cases, "lung", "SYNTHETIC lung")
    settings = settings_for(data_dir, cases)
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    worker = worker_for(settings, store, kb)
    worker.library.sync()
    worker.run_until_idle(timeout=120)
    yield CaseLibrary(settings, store, worker.library), worker
    store.close()


def _touch(path: Path, text: str) -> None:
    stat = path.stat()
    path.write_text(text)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a later mtime, surely


def test_an_opened_version_is_kept(setup) -> None:
    library, _ = setup
    first = library.open("lung")
    assert library.open("lung") is first and library.open("lung", 1) is first
    assert len(first.case.annotation.variants) == 1 and len(first.frame) == 1
    assert (first.version, first.newest, first.pinned) == (1, 1, False)


def test_a_changed_file_is_annotated_into_a_new_version(setup) -> None:
    library, worker = setup
    first = library.open("lung")
    _touch(first.case.entry.folder / "tumor.vcf", VCF_HEADER + L858R + T790M)
    job = library.library.check("lung")
    assert job is not None
    assert library.open("lung") is first  # until the new version is stored
    worker.run_until_idle(timeout=120)
    again = library.open("lung")
    assert again.version == 2 and len(again.case.annotation.variants) == 2
    assert again.info.reason == "files changed: tumor.vcf"
    assert again.info.changes["added"] == 1
    assert len(library.open("lung", 1).case.annotation.variants) == 1  # kept, readable


def test_a_touched_file_with_the_same_content_is_not_annotated_again(setup) -> None:
    library, _ = setup
    folder = library.open("lung").case.entry.folder
    _touch(folder / "tumor.vcf", (folder / "tumor.vcf").read_text())
    assert library.library.check("lung") is None
    assert library.store.jobs(states=("queued",)) == []


def test_a_changed_case_toml_makes_a_new_version(setup) -> None:
    library, worker = setup
    folder = library.open("lung").case.entry.folder
    text = (folder / "case.toml").read_text().replace("SYNTHETIC lung", "SYNTHETIC lung, again")
    _touch(folder / "case.toml", text)
    library.library.check("lung")
    worker.run_until_idle(timeout=120)
    assert library.open("lung").case.entry.title == "SYNTHETIC lung, again"
    assert [c.title for c in library.summaries()] == ["SYNTHETIC lung, again"]


def test_a_removed_file_is_said_and_the_version_kept(setup) -> None:
    library, _ = setup
    folder = library.open("lung").case.entry.folder
    (folder / "tumor.vcf").unlink()
    assert library.library.check("lung") is None
    [summary] = library.summaries()
    assert "case.toml: names tumor.vcf" in summary.problem and summary.version == 1
    assert library.open("lung").version == 1


def test_unknown_case(setup) -> None:
    library, _ = setup
    with pytest.raises(InputError, match="no case with id 'nope'"):
        library.open("nope")


def test_only_the_most_recently_opened_versions_stay_in_memory(setup) -> None:
    library, worker = setup
    folder = library.open("lung").case.entry.folder
    _touch(folder / "tumor.vcf", VCF_HEADER + L858R + T790M)
    library.library.check("lung")
    worker.run_until_idle(timeout=120)
    library.keep = 1
    second = library.open("lung", 2)
    first = library.open("lung", 1)
    assert library.open("lung", 1) is first
    assert library.open("lung", 2) is not second  # let go, read again


def test_added_cases_are_listed_with_the_cases_folder(setup) -> None:
    library, worker = setup
    write_vcf_case(library.settings.data_dir / "cases", "added", "A added case")
    result = worker.library.sync()
    assert result.registered == ["added"]
    assert [c.case_id for c in library.summaries()] == ["added", "lung"]  # by title
    assert library.neighbours("lung") == ("added", None)
    assert library.neighbours("added", {"added": 3, "lung": 4}) == (None, None)
    assert library.neighbours("missing") == (None, None)
