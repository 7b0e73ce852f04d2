"""28b394b "Open cases are checked by their own files, not by re-reading the catalogue on every
grid block": every block of the variant grid read every case.toml of the catalogue. Since
issue 13 a page's blocks name the version they show: an opened version is neither read from
the store again nor checked against the catalogue."""

from __future__ import annotations

from mtb.store import Store
from mtb.web.library import CaseLibrary
from tests.drawn import write_vcf_case
from tests.stored import annotate_all, settings_for


def test_an_open_case_does_not_read_the_catalogue(tmp_path, data_dir, kb) -> None:
    write_vcf_case(tmp_path / "cases", "lung", "SYNTHETIC lung")
    settings = settings_for(data_dir, tmp_path / "cases")
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    library = CaseLibrary(settings, store, annotate_all(settings, store, kb))
    opened = library.open("lung")

    def read_again(*_args, **_kwargs):
        raise AssertionError("a version already open was read again")

    library.library.open = read_again  # type: ignore[method-assign]
    library.library.sync = read_again  # type: ignore[method-assign]
    for _ in range(3):  # three grid blocks
        assert library.open("lung", opened.version) is opened
    store.close()
