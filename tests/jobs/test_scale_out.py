"""A site: two `mtb serve` and two `mtb worker` processes sharing PostgreSQL and Redis (the
servers scripts/postgres.sh and scripts/redis.sh start for scripts/test.sh).

Fifty case folders (45 drawn single-variant cases, 5 copies of the HCC1395 exome) are found by
both servers at once; one worker is killed with SIGKILL while it annotates an exome. Then every
case is annotated exactly once (one job, one version, one 'annotate' audit entry each), the
killed job was finished by the other worker, and both servers show the same agenda and the
same case page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests

from annotation.index import index_path
from mtb.catalog import case_toml, write_case_toml
from mtb.store import Store
from tests.conftest import needs_shared
from tests.drawn import write_vcf_case
from tests.store.conftest import pg_database, pg_url  # noqa: F401 - the fixture

REDIS_ENV = "MTB_TEST_REDIS_URL"
PASSWORD = "scale-out-password"  # a test user only
SMALL, EXOMES = 45, 5
pytestmark = needs_shared


def redis_url() -> str:
    url = os.environ.get(REDIS_ENV, "").strip()
    if not url:
        pytest.skip("Redis not available: MTB_TEST_REDIS_URL is not set (scripts/test.sh starts "
                    "one with scripts/redis.sh; see its stderr)")
    return url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cases(root: Path, exome: Path) -> None:
    for number in range(SMALL):
        write_vcf_case(root, f"case-{number:02d}", f"SYNTHETIC case {number:02d}")
    for number in range(EXOMES):
        folder = root / f"exome-{number}"
        folder.mkdir()
        shutil.copy(exome, folder / "tumor.vcf.gz")  # a case's files stay in its folder
        write_case_toml(folder, case_toml(
            ["HCC1395 exome (real cell-line data), copied for the scale-out test"],
            case_id=f"exome-{number}", title=f"HCC1395 copy {number}",
            diagnosis="Triple-negative breast carcinoma", source="tests/jobs",
            files=[("tumor.vcf.gz", "vcf")]))


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = open(log, "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "mtb", *args], env=env, stdout=handle,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _wait(condition: Any, timeout: float, what: str, poll: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


class Browser:
    """A signed-in session on one server, asking for pages as the browser does (the pages'
    router callback)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        form = self.http.get(f"{base}/login", timeout=30).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        signed = self.http.post(f"{base}/login?next=/", timeout=30, allow_redirects=False,
                                data={"csrf": csrf, "name": "tester", "password": PASSWORD})
        assert signed.status_code == 302, signed.text[:300]
        self.token = self.http.cookies["_csrf_token"]

    def page(self, path: str) -> dict[str, Any]:
        payload = {
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
        answer = self.http.post(f"{self.base}/_dash-update-component", json=payload,
                                headers={"X-CSRFToken": self.token}, timeout=60)
        assert answer.status_code == 200, answer.text[:300]
        return answer.json()["response"]["_pages_content"]["children"]


def _part(tree: Any, ident: str) -> Any:
    """The component with this id in a page's JSON."""
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == ident:
            return tree
        for value in tree.values():
            found = _part(value, ident)
            if found is not None:
                return found
    elif isinstance(tree, list):
        for value in tree:
            found = _part(value, ident)
            if found is not None:
                return found
    return None


def _text(tree: Any) -> str:
    return json.dumps(tree, sort_keys=True)


def test_two_servers_two_workers_fifty_cases_and_a_killed_worker(
        tmp_path, pg_database, data_dir, kb, vcf_dir) -> None:  # noqa: F811
    redis = redis_url()
    import redis as redis_client

    redis_client.Redis.from_url(redis).flushdb()
    data = tmp_path / "data"
    index_path(data).parent.mkdir(parents=True)
    shutil.copy(index_path(data_dir), index_path(data))
    cases = tmp_path / "cases"
    _cases(cases, vcf_dir / "pvactools" / "HCC1395.annotated.expression.vcf.gz")
    store = Store.open(pg_database)
    store.add_user("tester", "viewer", PASSWORD)
    env = {**os.environ, "MTB_DATA_DIR": str(data), "MTB_CASES_DIR": str(cases),
           "MTB_DB_URL": pg_database, "MTB_REDIS_URL": redis, "MTB_JOB_LEASE": "4"}
    ports = [_free_port(), _free_port()]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        servers = [_start(["serve", "--port", str(port), "--sync-every", "1"], env,
                          tmp_path / f"serve-{port}.log") for port in ports]
        workers = [_start(["worker"], env, tmp_path / f"worker-{n}.log") for n in range(2)]
        processes += servers + workers

        def exome_running() -> Any:
            for job in store.jobs(states=("running",)):
                for worker in workers:
                    if job.case_id.startswith("exome") and job.progress >= 10 and \
                            job.worker.endswith(f":{worker.pid}"):
                        return job, worker
            return None

        job, doomed = _wait(exome_running, 300, "a worker annotating an exome")
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)
        assert store.stored_case(job.case_id).current_version is None  # nothing half-stored

        def all_annotated() -> bool:
            stored = store.stored_cases()
            return (len(stored) == SMALL + EXOMES
                    and all(c.current_version == 1 for c in stored)
                    and not store.jobs(states=("queued", "running")))

        _wait(all_annotated, 600, "every case annotated", poll=0.5)
        time.sleep(3)  # three more syncs of both servers: nothing is annotated again

        stored = store.stored_cases()
        assert len(stored) == SMALL + EXOMES
        jobs = store.jobs()
        assert Counter(j.case_id for j in jobs) == {c.case_id: 1 for c in stored}  # one each
        assert all(j.state == "done" and j.version_number == 1 for j in jobs)
        versions = Counter(c.case_id for c in stored for _ in store.versions(c.case_id))
        assert set(versions.values()) == {1}
        annotated = Counter(e.case_id for e in store.audit() if e.action == "annotate")
        assert annotated == {c.case_id: 1 for c in stored}  # annotated exactly once each
        killed = store.job(job.id)
        assert killed.attempts == 2 and not killed.worker.endswith(f":{doomed.pid}")
        survivor = next(w for w in workers if w is not doomed)
        assert killed.worker.endswith(f":{survivor.pid}")
        assert all(j.worker.endswith((f":{survivor.pid}", f":{doomed.pid}")) for j in jobs)

        browsers = [Browser(f"http://127.0.0.1:{port}") for port in ports]
        agendas = [_part(b.page("/"), "agenda-table") for b in browsers]
        assert agendas[0] is not None and _text(agendas[0]) == _text(agendas[1])
        assert len(re.findall(r'"href": "/case/[^"]+/present"', _text(agendas[0]))) == (
            SMALL + EXOMES)
        pages = [b.page(f"/case/{job.case_id}") for b in browsers]
        for part in ("version-panel", "key-findings", "case-header"):
            shown = [_part(page, part) for page in pages]
            assert shown[0] is not None and _text(shown[0]) == _text(shown[1]), part
        assert "Annotation version 1" in _text(pages[0])
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        store.close()
