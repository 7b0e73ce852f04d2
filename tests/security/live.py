"""A real `mtb serve` for the security tests: gunicorn with its worker processes, in a data dir
of the test's own, on a free port of 127.0.0.1; stopped (its process group only) afterwards."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.web.conftest import PASSWORD

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Live:
    url: str
    port: int
    pid: int
    data_dir: Path
    env: dict[str, str]

    def sign_in(self, name: str) -> requests.Session:
        http = requests.Session()
        page = http.get(f"{self.url}/login", timeout=30).text
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token
        answer = http.post(f"{self.url}/login", data={"csrf": token.group(1), "name": name,
                                                      "password": PASSWORD},
                           allow_redirects=False, timeout=30)
        assert answer.status_code == 302, answer.status_code
        return http


def wait_annotated(live: Live, case_id: str, timeout: float = 600) -> None:
    """Until `mtb serve`'s background worker has stored the case's first annotation version
    (a fresh data dir: the server registers the sample cases and annotates them as jobs)."""
    from mtb.store import Store

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        store = Store.open(f"sqlite:///{live.data_dir / 'mtb.sqlite'}")
        try:
            stored = store.stored_case(case_id)
            if stored is not None and stored.current_version:
                return
        finally:
            store.close()
        time.sleep(1)
    raise AssertionError(f"{case_id} was not annotated in {timeout:.0f} s")


def _mtb() -> list[str]:
    return [sys.executable, "-m", "mtb"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server(data_dir: Path, users: dict[str, str], *,
                prepared: tuple[Path, Path] | None = None, **settings: str) -> Iterator[Live]:
    """`prepared`: (a store with the sample cases annotated, the data dir whose knowledge-base
    index annotated them), copied in first, so the server has nothing to annotate."""
    if prepared is not None:
        import shutil

        from annotation.index import index_path
        from tests.stored import copy_sqlite

        store_file, annotated_with = prepared
        index_path(data_dir).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(index_path(annotated_with), index_path(data_dir))
        copy_sqlite(store_file, data_dir / "mtb.sqlite")
    port = free_port()
    env = {**os.environ, "MTB_DATA_DIR": str(data_dir), "MTB_HOST": HOST,
           "MTB_PORT": str(port), "MTB_WORKERS": "2", "MTB_THREADS": "4",
           **{f"MTB_{k.upper()}": v for k, v in settings.items()}}
    env.pop("MTB_DB_URL", None)
    for name, role in users.items():
        subprocess.run([*_mtb(), "user", "add", name, "--role", role, "--password", PASSWORD],
                       env=env, check=True, capture_output=True)
    # stderr to a file, not a pipe nobody reads: the server logs a line per request there, and
    # a full pipe would stop every process that writes to it
    errors = tempfile.TemporaryFile()  # noqa: SIM115  (closed in the finally below)
    process = subprocess.Popen([*_mtb(), "serve"], env=env, stdout=subprocess.DEVNULL,
                               stderr=errors, start_new_session=True)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                errors.seek(0)
                raise AssertionError(errors.read().decode()[-3000:])
            try:
                if requests.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("mtb serve did not answer in 120 s")
            time.sleep(0.3)
        yield Live(url, port, process.pid, data_dir, env)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
