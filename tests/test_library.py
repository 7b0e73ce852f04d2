"""Cases that last (mtb.library, mtb.annotation_run, mtb.jobs on the embedded queue): a case
is annotated once per inputs and read from the store; a restart annotates nothing; a changed
file or knowledge base makes a new version and the board is told what changed since it met; a
final case's report stays byte for byte what it was, whatever happens to its files and the
knowledge base; curations follow their findings, and those whose finding is gone are listed;
a worker killed mid-job leaves the previous version in place and its job is done by another."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotation.index import build_index, index_path
from mtb.annotation_run import KnowledgeCache
from mtb.board import Actor, finding_key
from mtb.errors import MtbError
from mtb.jobs import JobQueue, Worker
from mtb.library import Library
from mtb.resources import sample_cases_dir
from mtb.store import Store
from mtb.web.library import CaseLibrary
from mtb.web.versions import version_view
from tests.conftest import needs_shared
from tests.stored import settings_for, worker_for

LUNG = "synthetic-egfr-lung"
CHAIR = Actor("chef", "chair")
CURATOR = Actor("cura", "curator")
T790M = "7-55181378-C-T"  # EGFR T790M's finding key in the synthetic lung case


@pytest.fixture
def site(tmp_path, data_dir, kb):  # kb: the session index is built
    """A data dir of its own (the session's index copied in), a cases folder with the
    synthetic lung case, and a store."""
    data = tmp_path / "data"
    index_path(data).parent.mkdir(parents=True)
    shutil.copy(index_path(data_dir), index_path(data))
    cases = tmp_path / "cases"
    shutil.copytree(sample_cases_dir() / LUNG, cases / LUNG)
    settings = settings_for(data, cases)
    store = Store.open(settings.database_url)
    yield settings, store, cases / LUNG
    store.close()


def _later(path: Path, text: str) -> None:
    stat = path.stat()
    path.write_text(text)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


def test_annotated_once_and_a_restart_annotates_nothing(site, kb) -> None:
    settings, store, _ = site
    worker = worker_for(settings, store, kb)
    first = worker.library.sync()
    assert first.registered == [LUNG] and len(first.queued) == 1
    worker.run_until_idle(timeout=120)
    assert worker.stats.stored == 1
    restarted = Library(settings, store)  # a new server process, the same store
    again = restarted.sync()
    assert (again.registered, again.queued, again.unchanged) == ([], [], 1)
    assert [v.number for v in store.versions(LUNG)] == [1]
    opened = restarted.open(LUNG)
    assert opened.info.reason == "new case" and opened.info.kb_release.startswith("CIViC ")
    assert {f["path"] for f in opened.info.files} == {
        "case.toml", "tumor.synthetic.vcf", "history.synthetic.csv",
        "clinical/patient.synthetic.json"}


def test_a_job_for_inputs_already_annotated_does_nothing(site, kb) -> None:
    settings, store, _ = site
    worker = worker_for(settings, store, kb)
    worker.library.sync()
    worker.run_until_idle(timeout=120)
    key = store.stored_case(LUNG).input_key
    job, created = store.add_job(LUNG, "annotate", key, 1, "asked again")
    assert created
    worker.run_job(job.id)
    done = store.job(job.id)
    assert (done.state, done.version_number) == ("done", 1)
    assert [v.number for v in store.versions(LUNG)] == [1]


def test_the_board_is_told_what_changed_since_it_met(site, kb) -> None:
    settings, store, folder = site
    worker = worker_for(settings, store, kb)
    worker.library.sync()
    worker.run_until_idle(timeout=120)
    store.set_status(LUNG, "presented", CHAIR, 0, annotation_version=1)
    [summary] = worker.library.summaries()
    assert summary.changes == ""  # the board saw the newest version
    toml = folder / "case.toml"
    _later(toml, toml.read_text().replace('"Lung adenocarcinoma"', '"Colorectal adenocarcinoma"'))
    result = worker.library.sync()
    assert len(result.queued) == 1
    worker.run_until_idle(timeout=120)
    [summary] = worker.library.summaries()
    assert summary.version == 2 and summary.changed_since_board
    assert summary.changes.startswith("3 findings changed tier since the board met: EGFR p.")
    opened = worker.library.open(LUNG)
    assert opened.info.reason == "files changed: case.toml"
    assert opened.info.board_changes["against"] == 1
    headline, detail, mark = worker.library.since_board(LUNG)
    assert headline == summary.changes and mark.status == "presented"
    assert any(line.startswith("EGFR p.L858R: IA -> ") for line in detail)
    assert any(line.startswith("EGFR p.T790M: IA -> ") for line in detail)
    store.set_status(LUNG, "decided", CHAIR, store.case_record(LUNG).version,
                     annotation_version=2)
    assert worker.library.summaries()[0].changes == ""  # the board has seen it now


def test_curations_follow_their_findings_and_lost_ones_are_listed(site, kb) -> None:
    settings, store, folder = site
    worker = worker_for(settings, store, kb)
    worker.library.sync()
    worker.run_until_idle(timeout=120)
    first = worker.library.open(LUNG).case
    l858r = next(v for v in first.annotation.variants if v.alteration.label.endswith("L858R"))
    store.curate(LUNG, finding_key(l858r), CURATOR, 0, comment="clonal")
    store.curate(LUNG, T790M, CURATOR, 0, tier_override="IB", override_reason="drawn reason")
    vcf = folder / "tumor.synthetic.vcf"
    _later(vcf, "".join(line for line in vcf.read_text().splitlines(keepends=True)
                        if "55181378" not in line))  # T790M gone from the new file
    worker.library.sync()
    worker.run_until_idle(timeout=120)
    library = CaseLibrary(settings, store, worker.library)
    opened = library.open(LUNG)
    assert opened.version == 2
    view = version_view(library, opened, store.curations(LUNG))
    [(label, said)] = view.orphans
    assert label.startswith("EGFR p.T790M (version 1") and "tier IB (drawn reason)" in said
    assert "cura" in said
    assert finding_key(l858r) in {finding_key(v) for v in opened.case.annotation.variants}
    assert view.changes and "gone" in " ".join(view.changes)


def _final_reports(library: Library, case_id: str) -> dict[str, bytes]:
    return {fmt: library.report(case_id, fmt) for fmt in ("html", "fhir", "pdf")}


@needs_shared
def test_a_final_report_stays_byte_identical(site, shared) -> None:
    """Finalize; then point the index at the older CIViC release and change the VCF; the
    case is annotated again (a new version, and the board is told), but its report is the one
    issued at finalization, byte for byte (HTML, PDF, FHIR)."""
    settings, store, folder = site
    queue = JobQueue(settings)
    worker = Worker(settings, store, queue, name="w1", knowledge=KnowledgeCache(settings))
    library = worker.library
    library.sync()
    worker.run_until_idle(timeout=120)
    store.curate(LUNG, T790M, CURATOR, 0, comment="resistance mutation", in_report=True)
    store.recommend(LUNG, CHAIR, kind="therapy", text="Osimertinib", evidence_grade="m1A",
                    finding_keys=(T790M,))
    for status in ("presented", "decided", "final"):
        record = store.case_record(LUNG)
        store.set_status(LUNG, status, CHAIR, record.version, revision=record.revision,
                         annotation_version=1)
    library.finalized(LUNG)
    worker.run_until_idle(timeout=300)  # the reports job keeps all three
    assert store.frozen_formats() == {LUNG: {"html", "fhir", "pdf"}}
    issued = _final_reports(library, LUNG)
    assert issued["pdf"].startswith(b"%PDF") and b"Osimertinib" in issued["html"]

    older = folder.parent.parent / "civic-2024"
    older.mkdir()
    for path in (shared / "kb" / "civic").glob("01-Aug-2024-*"):
        (older / path.name).symlink_to(path)
    build_index(settings.data_dir, civic_dir=older)  # what `mtb kb build --civic` does
    vcf = folder / "tumor.synthetic.vcf"
    _later(vcf, "".join(line for line in vcf.read_text().splitlines(keepends=True)
                        if "55181378" not in line))
    result = library.sync()
    assert "CIViC 01-Jul-2025" in result.kb_changed and "CIViC 01-Aug-2024" in result.kb_changed
    worker.run_until_idle(timeout=300)
    newest = library.open(LUNG, 2)
    assert newest.info.kb_release == "CIViC 01-Aug-2024"
    assert library.shown_version(LUNG) == 1  # a final case shows its pinned version
    [summary] = library.summaries()
    assert summary.newest == 2 and "gone since the board met: EGFR p.T790M" in summary.changes

    assert _final_reports(library, LUNG) == issued
    assert library.open(LUNG).info.number == 1
    queue.close()


def test_a_killed_worker_leaves_the_previous_version_and_its_job_is_done(site, kb,
                                                                          vcf_dir) -> None:
    """`mtb worker` is killed with SIGKILL while annotating an exome into version 2: version 1
    stays the case's, and when the lease runs out another worker annotates version 2, once."""
    settings, store, folder = site
    worker = worker_for(settings, store, kb, name="survivor")
    worker.library.sync()
    worker.run_until_idle(timeout=120)
    exome = vcf_dir / "pvactools" / "HCC1395.annotated.expression.vcf.gz"
    shutil.copy(exome, folder / "tumor.vcf.gz")
    toml = folder / "case.toml"
    _later(toml, toml.read_text().replace("tumor.synthetic.vcf", "tumor.vcf.gz"))
    [job_id] = worker.library.sync().queued
    env = {**os.environ, "MTB_DATA_DIR": str(settings.data_dir),
           "MTB_CASES_DIR": str(settings.cases_dir), "MTB_JOB_LEASE": "3"}
    doomed = subprocess.Popen([sys.executable, "-m", "mtb", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job = store.job(job_id)
            if job.state == "running" and job.progress >= 10:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the worker did not start the job")
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)
    finally:
        if doomed.poll() is None:
            doomed.kill()
    assert store.stored_case(LUNG).current_version == 1  # the previous version stays
    assert worker.library.open(LUNG).info.number == 1
    lease = Worker(settings, store, worker.queue, name="survivor",
                   knowledge=worker.knowledge, library=worker.library)
    lease.lease = 3
    assert lease.run_until_idle(timeout=300)
    done = store.job(job_id)
    assert (done.state, done.attempts, done.worker, done.version_number) == (
        "done", 2, "survivor", 2)
    assert [v.number for v in store.versions(LUNG)] == [1, 2]
    annotated = [e for e in store.audit(LUNG) if e.action == "annotate"]
    assert len(annotated) == 2  # version 1 and version 2, each once
    exome = worker.library.open(LUNG).case.annotation.variants
    assert sum(1 for v in exome if v.alteration.kind == "small") == 1470


COLORECTAL = "DOID:0050861"  # colorectal adenocarcinoma


def test_a_curator_chooses_the_tumor_type_and_the_case_is_annotated_with_it(site, kb) -> None:
    """Issue 11: the tumor type decides every tier, so a curator may choose it (audited, with
    a reason); the case is annotated again with the chosen term, the diagnosis text and its
    receptor words kept; a sync afterwards queues nothing; giving the choice back to the text
    makes the tiers of the text again."""
    settings, store, _ = site
    worker = worker_for(settings, store, kb)
    worker.library.sync()
    worker.run_until_idle(timeout=120)
    first = worker.library.open(LUNG).case
    assert first.annotation.diagnosis.doid == "DOID:3910"  # lung adenocarcinoma, from the text
    tiers = {finding_key(v): v.tier.value for v in first.annotation.variants}
    revision, job = worker.library.set_tumor_type(LUNG, COLORECTAL, CURATOR,
                                                  "pathology report: colorectal metastasis")
    assert job is not None and revision == store.case_record(LUNG).revision
    worker.run_until_idle(timeout=120)
    opened = worker.library.open(LUNG)
    diagnosis = opened.case.annotation.diagnosis
    assert opened.info.number == 2 and opened.info.reason.startswith(
        "tumor type chosen: colorectal adenocarcinoma (DOID:0050861), cura")
    assert (diagnosis.doid, diagnosis.confidence, diagnosis.text) == (
        COLORECTAL, "chosen", first.annotation.diagnosis.text)
    assert diagnosis.matched_by.startswith("chosen by cura on ")
    after = {finding_key(v): v.tier.value for v in opened.case.annotation.variants}
    assert tiers[T790M] == "IA" and after[T790M] != "IA"  # osimertinib's label is lung only
    assert worker.library.sync().queued == []  # the sync sees the same inputs as the job
    assert b"colorectal adenocarcinoma (DOID:0050861; given as &#39;Lung adenocarcinoma&#39;); " \
        b"chosen by cura on " in worker.library.report(LUNG, "html")
    [entry] = [a for a in store.audit(LUNG) if a.action == "choose_tumor_type"]
    assert entry.user_name == "cura" and json.loads(entry.after) == {
        "tumor_type": COLORECTAL, "reason": "pathology report: colorectal metastasis"}
    _, back = worker.library.set_tumor_type(LUNG, "", CURATOR, "the text was right")
    assert back is not None
    worker.run_until_idle(timeout=120)
    again = worker.library.open(LUNG)
    assert again.info.number == 3 and again.case.annotation.diagnosis.doid == "DOID:3910"
    assert {finding_key(v): v.tier.value for v in again.case.annotation.variants} == tiers


@pytest.mark.parametrize(("actor", "doid", "reason", "refused"), [
    (Actor("olga", "viewer"), COLORECTAL, "a reason", "may not choose the tumor type"),
    (CURATOR, COLORECTAL, "  ", "needs a reason"),
    (CURATOR, "DOID:4", "a reason", "not a term of the Disease Ontology cancer slim"),
    (CURATOR, "lung cancer", "a reason", "not a term of the Disease Ontology cancer slim"),
    (CURATOR, COLORECTAL, "x" * 2001, "at most 2000 characters"),
])
def test_choosing_a_tumor_type_is_refused_and_nothing_changes(site, kb, actor, doid, reason,
                                                              refused) -> None:
    settings, store, _ = site
    worker = worker_for(settings, store, kb)
    worker.library.sync()
    worker.run_until_idle(timeout=120)
    with pytest.raises(MtbError, match=refused):
        worker.library.set_tumor_type(LUNG, doid, actor, reason)
    assert store.stored_case(LUNG).tumor_type == ""
    assert worker.library.sync().queued == []
    assert not [a for a in store.audit(LUNG) if a.action == "choose_tumor_type"]


def test_a_final_case_keeps_its_tumor_type(site, kb) -> None:
    settings, store, _ = site
    worker = worker_for(settings, store, kb)
    worker.library.sync()
    worker.run_until_idle(timeout=120)
    for status in ("presented", "decided", "final"):
        record = store.case_record(LUNG)
        store.set_status(LUNG, status, CHAIR, record.version, revision=record.revision,
                         annotation_version=1)
    with pytest.raises(MtbError, match="final"):
        worker.library.set_tumor_type(LUNG, COLORECTAL, CURATOR, "too late")
    assert store.stored_case(LUNG).tumor_type == "" and worker.library.sync().queued == []


def test_the_reference_case_toml_names_is_used_and_is_one_of_the_inputs(site, kb) -> None:
    """case.toml `reference =` (issue 11): the worker computes protein changes with it (here a
    FASTA without the case's contigs: each variant says so, and the run goes on), the version
    lists it, and a changed FASTA makes a new version."""
    settings, store, folder = site
    toml = folder / "case.toml"
    toml.write_text(toml.read_text().replace("synthetic = true",
                                             'synthetic = true\nreference = "GRCh38.fa"'))
    fasta = folder / "GRCh38.fa"
    fasta.write_text(">chr1\n" + "ACGT" * 100 + "\n")
    worker = worker_for(settings, store, kb)
    worker.library.sync()
    worker.run_until_idle(timeout=120)
    opened = worker.library.open(LUNG)
    assert {"path": "GRCh38.fa", "kind": "reference"} in [
        {"path": f["path"], "kind": f["kind"]} for f in opened.info.files]
    notes = {note for v in opened.case.annotation.variants for note in v.alteration.notes}
    assert "reference FASTA GRCh38.fa has no contig chr7" in notes
    assert worker.library.sync().queued == []
    _later(fasta, ">chr1\n" + "TTGA" * 100 + "\n")
    assert len(worker.library.sync().queued) == 1
    worker.run_until_idle(timeout=120)
    assert worker.library.open(LUNG).info.reason == "files changed: GRCh38.fa"
