"""A case added in the app (mtb.web.intake, then the library): every file is read before
anything is stored; the case is then registered and annotated as a job, like any other."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mtb.errors import InputError
from mtb.store import Store
from mtb.web.intake import add_case
from tests.drawn import L858R, VCF_HEADER
from tests.stored import settings_for, worker_for


def _staged(folder, name: str, content: bytes):
    """Files as mtb.web.uploads leaves them: streamed into a staging folder."""
    folder.mkdir(parents=True)
    (folder / name).write_bytes(content)
    return folder


def test_an_added_case_is_registered_and_annotated_as_a_job(tmp_path, data_dir, kb) -> None:
    settings = replace(settings_for(data_dir, tmp_path / "cases"), data_dir=tmp_path / "data")
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    worker = worker_for(settings, store, kb)
    entry = add_case(_staged(tmp_path / "staged", "tumor.vcf", (VCF_HEADER + L858R).encode()),
                     "SYNTHETIC added", "Lung adenocarcinoma", settings)
    case_id, job = worker.library.register(entry.folder, "upload", by="cura")
    assert case_id == entry.id and job is not None
    assert worker.library.case_state(case_id) == ("queued", "")
    worker.run_until_idle(timeout=120)
    opened = worker.library.open(case_id)
    assert [v.alteration.label for v in opened.case.annotation.variants] == ["EGFR p.L858R"]
    assert store.stored_case(case_id).origin == "upload"
    store.close()


def test_a_bad_file_stores_and_registers_nothing(tmp_path, data_dir) -> None:
    settings = settings_for(tmp_path / "data", tmp_path / "cases")
    bad = VCF_HEADER + "chr7\tnot-a-number\t.\tT\tG\t.\tPASS\t.\tGT\t0/1\n"
    with pytest.raises(InputError, match=r"tumor\.vcf, line 10"):
        add_case(_staged(tmp_path / "staged", "tumor.vcf", bad.encode()), "Bad", "", settings)
    added = tmp_path / "data" / "cases"
    assert not any(p for p in added.iterdir() if not p.name.startswith("."))
