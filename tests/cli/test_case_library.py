"""`mtb case add|list|sync`, `mtb case show` and `mtb report` on stored cases, and `mtb worker`,
as users run them (the console script, in a subprocess) on a data dir of their own."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from annotation.index import index_path
from mtb.board import Actor
from mtb.resources import sample_cases_dir
from mtb.store import Store
from tests.cli.test_cli import MTB

LUNG = "synthetic-egfr-lung"
CHAIR = Actor("chef", "chair")


@pytest.fixture
def site(tmp_path, data_dir, kb):  # kb: the session index is built
    data = tmp_path / "data"
    index_path(data).parent.mkdir(parents=True)
    shutil.copy(index_path(data_dir), index_path(data))
    cases = tmp_path / "cases"
    cases.mkdir()
    env = {**os.environ, "MTB_DATA_DIR": str(data), "MTB_CASES_DIR": str(cases)}
    return env, tmp_path, data


def _mtb(env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MTB, *args], capture_output=True, text=True, timeout=600, env=env)


def test_add_list_show_sync_and_report(site) -> None:
    env, tmp, data = site
    folder = tmp / "elsewhere" / LUNG
    shutil.copytree(sample_cases_dir() / LUNG, folder)
    added = _mtb(env, "case", "add", str(folder))
    assert added.returncode == 0, added.stderr
    assert added.stdout == f"{LUNG}\tqueued (job 1)\n"
    queued = _mtb(env, "case", "list", "--format", "tsv")
    [row] = list(csv.DictReader(io.StringIO(queued.stdout), delimiter="\t"))
    assert (row["id"], row["annotation"], row["version"]) == (LUNG, "queued", "")

    waited = _mtb(env, "case", "add", str(folder), "--wait")
    assert waited.returncode == 0, waited.stderr
    assert "being annotated (job 1)" in waited.stdout and "annotated 1 of 1 cases" in waited.stdout
    assert "100% 1/1 cases" in waited.stderr  # the progress bar
    listed = _mtb(env, "case", "list", "--format", "tsv")
    [row] = list(csv.DictReader(io.StringIO(listed.stdout), delimiter="\t"))
    assert list(row) == ["id", "title", "diagnosis", "status", "version", "tier_I", "tier_II",
                         "annotation"]
    assert (row["status"], row["version"], row["tier_I"], row["tier_II"],
            row["annotation"]) == ("prepared", "1", "2", "2", "ready")
    text = _mtb(env, "case", "list").stdout
    assert text.splitlines()[0].split() == ["id", "title", "diagnosis", "status", "version",
                                            "tier_I", "tier_II", "annotation"]

    shown = _mtb(env, "case", "show", str(folder))
    assert shown.returncode == 0 and "mtb: stored version 1 of " in shown.stderr
    assert "FINDINGS (4 of 4 in tier I/II" in shown.stdout
    assert "building knowledge-base index" not in shown.stderr

    synced = _mtb(env, "case", "sync", "--wait")
    assert synced.stdout.startswith("registered 0 new cases, queued 0 annotations, 1 unchanged")

    store = Store.open(f"sqlite:///{data / 'mtb.sqlite'}")
    try:
        for status in ("presented", "decided", "final"):
            record = store.case_record(LUNG)
            store.set_status(LUNG, status, CHAIR, record.version, revision=record.revision)
    finally:
        store.close()
    first = _mtb(env, "report", str(folder), "--format", "html", "-o", str(tmp / "a.html"))
    assert first.returncode == 0, first.stderr
    assert "version 1; case final, as kept when it was finalized" in first.stderr
    vcf = folder / "tumor.synthetic.vcf"
    vcf.write_text(vcf.read_text().replace("0/1:", "0/1:", 1) + "\n")  # changed: a new version
    again = _mtb(env, "case", "sync", "--wait")
    assert "queued 1 annotations" in again.stdout
    second = _mtb(env, "report", LUNG, "--format", "html", "-o", str(tmp / "b.html"))
    assert second.returncode == 0, second.stderr
    assert (tmp / "a.html").read_bytes() == (tmp / "b.html").read_bytes()


def test_a_worker_runs_the_queued_jobs(site) -> None:
    env, _, _ = site
    shutil.copytree(sample_cases_dir() / LUNG, Path(env["MTB_CASES_DIR"]) / LUNG)
    synced = _mtb(env, "case", "sync")
    assert synced.stdout == "registered 1 new cases, queued 1 annotations, 0 unchanged\n"
    worked = _mtb(env, "worker", "--until-idle")
    assert worked.returncode == 0, worked.stderr
    assert worked.stdout == "jobs run: 1, versions stored: 1, failed: 0\n"
    assert "on the embedded queue" in worked.stderr
    listed = _mtb(env, "case", "list", "--format", "tsv").stdout
    assert "\t1\t2\t2\tready" in listed


def test_a_case_that_cannot_be_read_fails_with_its_file_and_line(site) -> None:
    env, _, _ = site
    folder = Path(env["MTB_CASES_DIR"]) / "bad"
    shutil.copytree(sample_cases_dir() / LUNG, folder)
    toml = folder / "case.toml"
    toml.write_text(toml.read_text().replace(LUNG, "bad-case"))
    (folder / "tumor.synthetic.vcf").write_text(
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "chr1\tnot-a-number\t.\tA\tG\t.\tPASS\t.\n")
    synced = _mtb(env, "case", "sync", "--wait")
    assert synced.returncode == 2
    assert "bad-case: not annotated: " in synced.stderr and "line 3" in synced.stderr
    [row] = list(csv.DictReader(io.StringIO(_mtb(env, "case", "list", "--format",
                                                 "tsv").stdout), delimiter="\t"))
    assert row["annotation"].startswith("failed: ") and "line 3" in row["annotation"]
