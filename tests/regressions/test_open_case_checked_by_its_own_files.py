"""28b394b "Open cases are checked by their own files, not by re-reading the catalogue on every
grid block": every block of the variant grid read every case.toml of the catalogue."""

from __future__ import annotations

from mtb.config import Settings
from mtb.web.library import CaseLibrary
from tests.drawn import write_vcf_case


def test_an_open_case_does_not_read_the_catalogue(tmp_path, data_dir, kb) -> None:
    write_vcf_case(tmp_path / "cases", "lung", "SYNTHETIC lung")
    library = CaseLibrary(Settings.load(environ={"MTB_DATA_DIR": str(data_dir),
                                                 "MTB_CASES_DIR": str(tmp_path / "cases")}),
                          kb=lambda: kb)
    opened = library.open("lung")

    def catalogue_read():
        raise AssertionError("the catalogue was read for a case already open")

    library.entries = catalogue_read  # type: ignore[method-assign]
    for _ in range(3):  # three grid blocks
        assert library.open("lung") is opened
