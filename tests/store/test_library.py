"""The case library in the store (mtb.store.cases, mtb.store.jobs), on SQLite and PostgreSQL:
versions, their findings, what the board saw and frozen reports are append-only (the database
refuses changes); a version is stored once, only by the worker holding its job; a job is
claimed by one worker at a time and given back when its worker stops renewing its lease; a
damaged document is refused, never shown."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mtb.errors import DocumentError, StaleEditError, StorageError
from mtb.store import Actor, CaseHeader, FindingRow, NewVersion, Store, VersionConflict

CASE = "case-library"
CHAIR = Actor("charlotte", "chair")
ROWS = (FindingRow(0, "12-25245350-C-A", "KRAS", "KRAS p.G12C", "snv", "p.G12C", "IIC", "C",
                   True),
        FindingRow(1, "17-7675088-C-T", "TP53", "TP53 p.R175H", "snv", "p.R175H", "III", "",
                   False))


def _new(key: str = "k1", document: bytes = b'{"drawn": true}', **more) -> NewVersion:
    values = dict(case_id=CASE, input_key=key, reason="drawn", mtb_version="0.1.0",
                  document_schema=1, kb_signature="s" * 64, kb_release="CIViC drawn",
                  approvals="approvals drawn", build="GRCh38", files=({"path": "a.vcf"},),
                  title="SYNTHETIC case", diagnosis="NSCLC", diagnosis_name="lung cancer",
                  doid="DOID:3908", oncotree="NSCLC", tier_one=0, tier_two=1, tmb=3.5,
                  biomarkers={"TMB": 3.5}, changes={}, board_changes={}, document=document,
                  findings=ROWS)
    values.update(more)
    return NewVersion(**values)


def _register(store: Store) -> None:
    store.register_case(CaseHeader(CASE, "/drawn/case", "drawn", "SYNTHETIC case"))


def test_a_version_is_stored_with_its_findings_and_read_back(store: Store) -> None:
    _register(store)
    info = store.add_version(_new(), after=0, job_id=None, worker="w1")
    assert info.number == 1 and info.findings == 2 and info.biomarkers == {"TMB": 3.5}
    version = store.version(CASE)
    assert version is not None and version.document == b'{"drawn": true}'
    assert store.stored_case(CASE).current_version == 1
    assert store.finding_rows(CASE, 1) == list(ROWS)
    assert store.counted_rows({CASE: 1}) == {CASE: [ROWS[0]]}  # key findings only
    store.curate(CASE, ROWS[1].finding_key, Actor("cura", "curator"), 0, tier_override="IB",
                 override_reason="drawn")
    assert store.counted_rows({CASE: 1}) == {CASE: list(ROWS)}  # and the curated ones
    [entry] = [e for e in store.audit(CASE) if e.action == "annotate"]
    assert entry.user_name == "w1"


def test_versions_findings_board_marks_and_reports_cannot_be_changed(store: Store) -> None:
    _register(store)
    store.add_version(_new(), after=0, job_id=None, worker="w1")
    store.set_status(CASE, "presented", CHAIR, 0)
    store.freeze_report(CASE, 1, "html", b"<html>", "w1")
    for table in ("case_version", "case_finding", "board_seen", "frozen_report"):
        for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with pytest.raises(DBAPIError, match="append-only"), \
                    store.engine.begin() as connection:
                connection.execute(text(statement))
    assert store.version(CASE) is not None and len(store.board_marks(CASE)) == 1


def test_a_version_follows_the_one_it_was_compared_with(store: Store) -> None:
    _register(store)
    store.add_version(_new(), after=0, job_id=None, worker="w1")
    with pytest.raises(VersionConflict):
        store.add_version(_new("k2"), after=0, job_id=None, worker="w2")
    assert store.add_version(_new("k2"), after=1, job_id=None, worker="w2").number == 2
    assert [v.number for v in store.versions(CASE)] == [1, 2]


def test_only_the_worker_holding_the_job_stores_its_version(store: Store) -> None:
    _register(store)
    job, created = store.add_job(CASE, "annotate", "k1", 0, "new case")
    again, twice = store.add_job(CASE, "annotate", "k1", 0, "new case")  # a second server
    assert created and not twice and again.id == job.id
    assert store.claim_job(job.id, "w1", lease=0.2) is not None
    assert store.claim_job(job.id, "w2", lease=60) is None  # w1 holds it
    time.sleep(0.4)  # w1 stops renewing its lease (killed, frozen)
    assert store.reap_jobs() == [job.id]
    assert store.claim_job(job.id, "w2", lease=60).attempts == 2
    assert not store.job_progress(job.id, "w1", 50, "annotating", lease=60)  # w1 must stop
    with pytest.raises(VersionConflict, match="no longer this worker's"):
        store.add_version(_new(), after=0, job_id=job.id, worker="w1")
    assert store.version(CASE) is None  # nothing of w1's run
    store.add_version(_new(), after=0, job_id=job.id, worker="w2")
    ended = store.job(job.id)
    assert (ended.state, ended.version_number, ended.worker) == ("done", 1, "w2")
    assert len(store.versions(CASE)) == 1


def test_many_workers_claim_a_job_once(store: Store) -> None:
    _register(store)
    job, _ = store.add_job(CASE, "annotate", "k1", 0, "new case")
    won: list[str] = []
    barrier = threading.Barrier(6)

    def claim(name: str) -> None:
        barrier.wait()
        if store.claim_job(job.id, name, lease=60) is not None:
            won.append(name)

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1


def test_a_job_interrupted_too_often_fails(store: Store) -> None:
    _register(store)
    job, _ = store.add_job(CASE, "annotate", "k1", 0, "new case")
    for attempt in range(3):
        assert store.claim_job(job.id, f"w{attempt}", lease=60, max_attempts=3) is not None
        store.release_job(job.id, f"w{attempt}", "interrupted")
    assert store.claim_job(job.id, "w9", lease=60, max_attempts=3) is None
    ended = store.job(job.id)
    assert ended.state == "failed" and "interrupted 3 times" in ended.message


def test_the_board_marks_the_version_it_saw_and_final_pins_it(store: Store) -> None:
    _register(store)
    store.add_version(_new(), after=0, job_id=None, worker="w1")
    record = store.set_status(CASE, "presented", CHAIR, 0, annotation_version=1)
    store.add_version(_new("k2"), after=1, job_id=None, worker="w1")
    record = store.set_status(CASE, "decided", CHAIR, record.version)
    with pytest.raises(StaleEditError, match=r"annotated again \(version 2\)"):
        store.set_status(CASE, "final", CHAIR, record.version, revision=record.revision,
                         annotation_version=1)
    store.set_status(CASE, "final", CHAIR, record.version, revision=record.revision,
                     annotation_version=2)
    assert [(m.status, m.version_number) for m in store.board_marks(CASE)] == [
        ("presented", 1), ("decided", 2), ("final", 2)]
    assert store.pinned_version(CASE) == 2 and store.final_cases() == {CASE: 2}


def test_a_frozen_report_is_kept_as_first_stored(store: Store) -> None:
    _register(store)
    first = store.freeze_report(CASE, 1, "pdf", b"%PDF first", "w1")
    second = store.freeze_report(CASE, 1, "pdf", b"%PDF second", "w2")
    assert first == second and store.frozen_report(CASE, "pdf") == b"%PDF first"
    assert store.frozen_formats() == {CASE: {"pdf"}}


def test_a_second_folder_may_not_take_a_registered_id(store: Store) -> None:
    _register(store)
    assert not store.register_case(CaseHeader(CASE, "/drawn/case", "drawn", "renamed"))
    assert store.stored_case(CASE).title == "renamed"
    with pytest.raises(StorageError, match="registered for another folder"):
        store.register_case(CaseHeader(CASE, "/elsewhere", "drawn", "SYNTHETIC copy"))


def test_a_damaged_document_is_refused(tmp_path) -> None:
    """The checksum catches what the triggers cannot: a file changed behind the database."""
    path = tmp_path / "store.sqlite"
    store = Store.open(f"sqlite:///{path}")
    _register(store)
    store.add_version(_new(), after=0, job_id=None, worker="w1")
    with store.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER case_version_no_update"))
        connection.execute(text("UPDATE case_version SET document = x'789c4b04000062006200'"))
    with pytest.raises(DocumentError, match="damaged"):
        store.version(CASE)
    store.close()
