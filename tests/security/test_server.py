"""Issue 12, points 4 and 5, against a real `mtb serve` (gunicorn, two worker processes):

- several processes behind one port, and a session begun in one is valid in all of them;
  writes from several processes to the one SQLite store are all kept or cleanly refused;
- request bodies are refused before they are read: an anonymous request that declares 900 MiB
  gets its 401 at once, and nothing of it reaches memory or the disk.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
import requests

from mtb.store import Store
from tests.security.live import HOST, Live, live_server, wait_annotated

LUNG = "synthetic-egfr-lung"
USERS = {"cura": "curator", "vera": "viewer", "chef": "chair"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, sample_store, data_dir):
    data = tmp_path_factory.mktemp("live-data")
    with live_server(data, USERS, prepared=(sample_store, data_dir),
                     tmpdir=str(data)) as server:
        yield server


def _workers(live: Live) -> list[psutil.Process]:
    master = psutil.Process(live.pid)
    # the gunicorn workers: not the job worker `mtb serve` starts beside them (mtb worker)
    return [child for child in master.children() if "worker" not in child.cmdline()]


def test_two_worker_processes_serve_one_port(live: Live) -> None:
    assert len(_workers(live)) == 2
    assert requests.get(f"{live.url}/login", timeout=10).headers["Server"] == "gunicorn"


def test_a_session_is_valid_in_every_process(live: Live) -> None:
    """Fresh connections are spread over the processes by the kernel: forty or more of them,
    each with the one session cookie, all served as the signed-in user."""
    http = live.sign_in("vera")
    cookie = http.cookies.get("mtb_session")
    workers = _workers(live)
    busy = [sum(w.cpu_times()[:2]) for w in workers]
    def both_answered() -> bool:  # each had to find the session in the store
        return all(sum(w.cpu_times()[:2]) > before
                   for w, before in zip(workers, busy, strict=True))

    for count in range(400):  # a busy machine may hand many in a row to one process
        response = requests.get(f"{live.url}/_dash-layout", cookies={"mtb_session": cookie},
                                headers={"Connection": "close"}, timeout=30)
        assert response.status_code == 200
        if count >= 40 and both_answered():
            break
    assert both_answered()


def _curation_request(key: str, comment: str, version: int) -> dict:
    return {
        "output": "..curation.children...board-message.children@"
                  + "..audit-log.children...case-revision.data@..",
        "outputs": [], "inputs": [{"id": "curate-save", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["curate-save.n_clicks"], "state": [
            {"id": "curation-row", "property": "data",
             "value": {"row": 0, "key": key, "version": version}},
            {"id": "curate-oncogenicity", "property": "value", "value": "oncogenic"},
            {"id": "curate-tier", "property": "value", "value": ""},
            {"id": "curate-reason", "property": "value", "value": ""},
            {"id": "curate-comment", "property": "value", "value": comment},
            {"id": "curate-in-report", "property": "value", "value": False},
            {"id": "case-id", "property": "data", "value": LUNG},
            {"id": "case-revision", "property": "data", "value": 0}]}


def test_writes_from_several_processes_are_kept_or_refused(live: Live) -> None:
    """Ten curators save at once over separate connections (so, several processes): every
    save that said "Saved." is in the store with its audit entry, the others were refused
    as stale; no request failed."""
    wait_annotated(live, LUNG)
    http = live.sign_in("cura")
    dependencies = json.loads(http.get(f"{live.url}/_dash-dependencies", timeout=30).text)
    [spec] = [d for d in dependencies if d["output"].startswith("..curation.children")]
    store = Store.open(f"sqlite:///{live.data_dir / 'mtb.sqlite'}")
    key = "7-55191822-T-G"  # EGFR L858R of the synthetic lung case
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def save(n: int) -> None:
        session = requests.Session()
        session.cookies.update(http.cookies)
        payload = _curation_request(key, f"curator {n}", 0)
        payload["output"] = spec["output"]
        payload["outputs"] = [{"id": o.split(".")[0], "property": o.split(".")[1]}
                              for o in spec["output"].strip(".").split("...")]
        response = session.post(f"{live.url}/_dash-update-component", json=payload,
                                headers={"X-CSRFToken": http.cookies["_csrf_token"],
                                         "Connection": "close"}, timeout=60)
        with lock:
            results.append((response.status_code, response.text))

    threads = [threading.Thread(target=save, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in results] == [200] * 10
    saved = [text for _, text in results if "Saved." in text]
    assert len(saved) == 1  # all loaded version 0: one wins, the others are told why
    assert all("changed" in text or "same moment" in text
               for _, text in results if "Saved." not in text)
    curation = store.curations(LUNG)[key]
    assert curation.version == 1
    assert [e.action for e in store.audit(LUNG) if e.action == "curate"] == ["curate"]
    store.close()


def _raw_post(path: str, port: int, declared: int, send: int) -> tuple[str, float]:
    """POST that declares `declared` bytes and sends `send` of them; the status line and
    how long it took to arrive."""
    began = time.monotonic()
    with socket.create_connection((HOST, port), timeout=20) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\n"
                     f"Content-Type: application/octet-stream\r\n"
                     f"Content-Length: {declared}\r\n\r\n".encode())
        with contextlib.suppress(OSError):  # the server may close before all of it was sent
            sock.sendall(b"x" * send)
        answer = b""
        while b"\r\n" not in answer:
            piece = sock.recv(4096)
            if not piece:
                break
            answer += piece
    return answer.split(b"\r\n", 1)[0].decode(), time.monotonic() - began


def test_an_anonymous_900_mib_post_is_refused_unread(live: Live) -> None:
    before = sorted(p.name for p in Path(live.data_dir).rglob("*"))
    rss = sum(w.memory_info().rss for w in _workers(live))
    for path in ("/_dash-update-component", "/add/upload?name=x.vcf", "/login"):
        status, took = _raw_post(path, live.port, 900 * 2**20, 64 * 1024)
        assert status.split()[1] in ("401", "413"), (path, status)
        assert took < 5, (path, took)  # at once, not after 900 MiB
    after = sorted(p.name for p in Path(live.data_dir).rglob("*") if not p.name.startswith(
        "mtb.sqlite"))
    assert set(after) <= set(before)  # nothing written (TMPDIR is the data dir here)
    grown = sum(w.memory_info().rss for w in _workers(live)) - rss
    assert grown < 50 * 2**20


def test_a_viewers_upload_and_an_oversized_callback_are_refused_unread(live: Live) -> None:
    http = live.sign_in("vera")
    cookie = f"mtb_session={http.cookies['mtb_session']}"
    for path, declared, expected in (("/add/upload?name=x.vcf", 10 * 2**20, "403"),
                                     ("/_dash-update-component", 50 * 2**20, "413")):
        began = time.monotonic()
        with socket.create_connection((HOST, live.port), timeout=20) as sock:
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nCookie: {cookie}\r\n"
                         f"Content-Length: {declared}\r\n\r\n".encode())
            status = sock.recv(4096).split(b"\r\n", 1)[0].decode()
        assert status.split()[1] == expected and time.monotonic() - began < 5


def test_an_anonymous_sign_in_flood_does_not_slow_a_signed_in_user(
        tmp_path, sample_store, data_dir) -> None:
    """Eight threads guess passwords as fast as they can (the red team saw a signed-in user's
    case view go from 51 to 589 ms): the address is throttled after a few dozen failures, so
    the guesses cost nothing but a 429, and the colleague's case page stays fast."""
    import statistics

    from tests.security.test_headers_and_csp import _page_request

    with live_server(tmp_path / "data", {"vera": "viewer"},
                     prepared=(sample_store, data_dir)) as live:
        http = live.sign_in("vera")
        csrf = http.cookies["_csrf_token"]

        def case_page() -> float:
            began = time.perf_counter()
            answer = http.post(f"{live.url}/_dash-update-component",
                               json=_page_request(f"/case/{LUNG}"),
                               headers={"X-CSRFToken": csrf}, timeout=60)
            assert answer.status_code == 200
            return time.perf_counter() - began

        for _ in range(5):
            case_page()  # opened in this process
        quiet = [case_page() for _ in range(20)]
        # the flood in processes of its own: threads in this one would slow the measuring
        # client (the GIL), not the server
        script = (
            "import os, sys, time, requests\n"
            "os.nice(19)\n"  # the attacker's CPU is not the server's: ours yields it
            "url, seconds = sys.argv[1], float(sys.argv[2])\n"
            "guesser = requests.Session()\n"
            "page = guesser.get(f'{url}/login', timeout=30).text\n"
            "token = page.split('name=\"csrf\" value=\"', 1)[1].split('\"', 1)[0]\n"
            "codes, n, end = [], 0, time.monotonic() + seconds\n"
            "while time.monotonic() < end:\n"
            "    n += 1\n"
            "    codes.append(guesser.post(f'{url}/login', data={'csrf': token, "
            "'name': f'guess{n}', 'password': 'wrong-password'}, timeout=60).status_code)\n"
            "print(' '.join(map(str, codes)))\n")
        floods = [subprocess.Popen([sys.executable, "-c", script, live.url, "14"],
                                   stdout=subprocess.PIPE, text=True) for _ in range(8)]
        time.sleep(3)
        busy = [case_page() for _ in range(40)]
        statuses = [int(code) for flood in floods
                    for code in flood.communicate(timeout=120)[0].split()]
    assert statuses.count(429) > statuses.count(200)  # throttled, not hashed
    quiet_p95 = statistics.quantiles(quiet, n=20)[-1]
    busy_p95 = statistics.quantiles(busy, n=20)[-1]
    print(f"\ncase page during a sign-in flood: p50 {statistics.median(busy) * 1000:.0f} ms, "
          f"p95 {busy_p95 * 1000:.0f} ms (quiet: p50 {statistics.median(quiet) * 1000:.0f} "
          f"ms, p95 {quiet_p95 * 1000:.0f} ms); {len(statuses)} guesses, "
          f"{statuses.count(429)} answered 429")
    # the machine is shared with the flood's own clients: bounds with room for that
    assert statistics.median(busy) < max(0.3, 4 * statistics.median(quiet))
    assert busy_p95 < 1.5
