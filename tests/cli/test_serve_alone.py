"""`mtb serve` alone, on the embedded store and queue: it finds the cases folder's cases and
annotates them in its own worker thread; started again, it annotates nothing."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from annotation.index import index_path
from mtb.resources import sample_cases_dir
from mtb.store import Store

LUNG = "synthetic-egfr-lung"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env: dict[str, str], log) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    return subprocess.Popen([sys.executable, "-m", "mtb", "serve", "--port", str(_port()),
                             "--sync-every", "1"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def test_serve_annotates_in_its_own_thread_and_a_restart_annotates_nothing(
        tmp_path, data_dir, kb) -> None:
    data = tmp_path / "data"
    index_path(data).parent.mkdir(parents=True)
    shutil.copy(index_path(data_dir), index_path(data))
    shutil.copytree(sample_cases_dir() / LUNG, tmp_path / "cases" / LUNG)
    env = {**os.environ, "MTB_DATA_DIR": str(data), "MTB_CASES_DIR": str(tmp_path / "cases")}
    env.pop("MTB_DB_URL", None)
    env.pop("MTB_REDIS_URL", None)
    with open(tmp_path / "serve.log", "wb") as log:
        server = _serve(env, log)
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                if (data / "mtb.sqlite").exists():
                    store = Store.open(f"sqlite:///{data / 'mtb.sqlite'}")
                    stored = store.stored_case(LUNG)
                    store.close()
                    if stored is not None and stored.current_version == 1:
                        break
                time.sleep(0.5)
            else:
                raise AssertionError((tmp_path / "serve.log").read_text()[-2000:])
        finally:
            _stop(server)
        server = _serve(env, log)
        try:
            time.sleep(8)  # started, synced (several times): nothing changed
        finally:
            _stop(server)
    store = Store.open(f"sqlite:///{data / 'mtb.sqlite'}")
    try:
        assert [(j.case_id, j.state) for j in store.jobs()] == [(LUNG, "done")]
        assert [v.number for v in store.versions(LUNG)] == [1]
        assert store.jobs()[0].worker.endswith(":serve0")
    finally:
        store.close()
