"""Benchmark: many people using one `mtb serve` at once, on this machine (loopback only).

    python bench/load.py [--users 1,5,20] [--seconds 20] [--workers auto] [--baseline]

Starts a real `mtb serve` (the installed command, in a throw-away data dir, on a free port of
127.0.0.1) on the bundled sample cases, signs in one bench user per simulated person and has
each of them, with no pause between requests, open the pages a board member opens, in turn:
the agenda, a case page, a block of that case's variant grid, and its presentation, over the
five sample cases. A page is what the browser waits for before it can draw it: Dash's page
callback (the layout of `/`, `/case/<id>`, `/case/<id>/present`) or the grid's callback for
its first block of 100 rows (the shell HTML and static files are not counted: the browser
caches them). The cases are annotated into the server's store before it starts (`mtb case
sync --wait`), and every case is opened by every server process before timing starts.

For each number of users it prints p50/p95/p99 of each page in milliseconds, the requests per
second and any errors. With --baseline the same bench runs first against a single-process
server (MTB_WORKERS=1, the same threads) in the same run, for comparison.
Target (issue 12): at 20 users the case page's p95 <= 1 s on a 2-core machine.

Bounded: at most 50 users and 120 s per level, and only against a server it started itself
on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
CASES = ("hcc1395-breast", "mii-kim-musterperson-ovary", "synthetic-egfr-lung",
         "tcga-a2-a04w-breast", "tcga-a6-2686-colon")
PAGES = ("agenda", "case page", "grid block", "presentation")
USER, PASSWORD = "bench", "bench-password-not-secret"  # a throw-away data dir only
MAX_USERS, MAX_SECONDS = 50, 120
HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _mtb() -> list[str]:
    installed = Path(sys.executable).parent / "mtb"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "mtb"]


@contextmanager
def server(workers: str, threads: int) -> Iterator[str]:
    """A `mtb serve` of its own (data dir, port), stopped and removed afterwards."""
    data = Path(tempfile.mkdtemp(prefix="mtb-load-"))
    port = _free_port()
    # MTB_PROXIES=1: each simulated person sends an address of its own in X-Forwarded-For, as
    # people behind a hospital's reverse proxy do (sign-in is throttled per address)
    env = {**os.environ, "MTB_DATA_DIR": str(data), "MTB_HOST": HOST, "MTB_PORT": str(port),
           "MTB_WORKERS": workers, "MTB_THREADS": str(threads), "MTB_PROXIES": "1"}
    env.pop("MTB_CASES_DIR", None)
    env.pop("MTB_DB_URL", None)
    subprocess.run([*_mtb(), "user", "add", USER, "--role", "curator", "--password", PASSWORD],
                   env=env, check=True, capture_output=True)
    # the sample cases registered and annotated first (cases are stored versions: a server
    # on a new store would otherwise be timed drawing "being prepared" pages)
    subprocess.run([*_mtb(), "case", "sync", "--wait"], env=env, check=True,
                   capture_output=True)
    # the server's log to a file: a pipe nobody reads fills up with the access log and
    # stops the server mid-bench
    log = data / "serve.log"
    process = subprocess.Popen([*_mtb(), "serve"], env=env, stdout=subprocess.DEVNULL,
                               stderr=log.open("wb"), start_new_session=True)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"mtb serve ended: {log.read_text()[-2000:]}")
            try:
                if requests.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            raise RuntimeError("mtb serve did not answer within 120 s")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server's own process group only
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        shutil.rmtree(data, ignore_errors=True)


_people = iter(range(1, 1 << 16))


class Person:
    """One signed-in browser, as far as the server can tell (each from an address of its
    own)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        number = next(_people)
        self.http.headers["X-Forwarded-For"] = f"10.77.{number // 250}.{number % 250 + 1}"
        page = self.http.get(f"{url}/login", timeout=120).text
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token, "no sign-in form"
        answer = self.http.post(f"{url}/login", data={"csrf": token.group(1), "name": USER,
                                                      "password": PASSWORD},
                                allow_redirects=False, timeout=120)
        assert answer.status_code == 302, f"sign-in failed ({answer.status_code})"
        self.csrf = self.http.cookies.get("_csrf_token", "")

    def _callback(self, payload: dict[str, Any]) -> int:
        response = self.http.post(f"{self.url}/_dash-update-component", json=payload,
                                  headers={"X-CSRFToken": self.csrf}, timeout=120)
        if response.status_code != 200:
            return response.status_code
        body = response.content  # read it all: the browser must
        return 200 if body else 204

    def page(self, path: str) -> int:
        return self._callback({
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []})

    def grid(self, case_id: str) -> int:
        request = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}
        return self._callback({
            "output": "variant-grid.getRowsResponse",
            "outputs": {"id": "variant-grid", "property": "getRowsResponse"},
            "inputs": [{"id": "variant-grid", "property": "getRowsRequest", "value": request}],
            "changedPropIds": ["variant-grid.getRowsRequest"],
            "state": [{"id": "case-id", "property": "data", "value": case_id},
                      {"id": "case-version", "property": "data", "value": None}]})

    def visit(self, page: str, case_id: str) -> int:
        if page == "agenda":
            return self.page("/")
        if page == "case page":
            return self.page(f"/case/{case_id}")
        if page == "presentation":
            return self.page(f"/case/{case_id}/present")
        return self.grid(case_id)


def warm_up(url: str, workers: int) -> None:
    """Every case opened in every server process (each keeps its own cache). A connection
    stays with the process that accepted it, so the warm-up opens each case over many new
    connections (the kernel spreads them over the processes), from a few threads at once."""
    person = Person(url)
    cookies, csrf = person.http.cookies, person.csrf

    def run(offset: int) -> None:
        for round_ in range(4 * max(workers, 1)):
            for case_id in CASES:
                fresh = Person.__new__(Person)
                fresh.url, fresh.csrf = url, csrf
                fresh.http = requests.Session()
                fresh.http.headers.update(person.http.headers)
                fresh.http.cookies.update(cookies)
                fresh.http.headers["Connection"] = "close"
                for page in PAGES:
                    fresh.visit(page, CASES[(CASES.index(case_id) + offset + round_)
                                            % len(CASES)])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2 * max(workers, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def level(url: str, users: int, seconds: float) -> dict[str, Any]:
    """`users` people at once for `seconds`: latencies (ms) per page, requests, errors."""
    people = [Person(url) for _ in range(users)]
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    guard = threading.Lock()
    start = threading.Barrier(users + 1)
    stop_at: list[float] = []

    def run(index: int, person: Person) -> None:
        start.wait()
        step = index  # people start at different pages and cases
        while time.monotonic() < stop_at[0]:
            page = PAGES[step % len(PAGES)]
            case_id = CASES[(step // len(PAGES) + index) % len(CASES)]
            began = time.perf_counter()
            try:
                status = person.visit(page, case_id)
            except requests.RequestException:
                status = -1
            took = (time.perf_counter() - began) * 1000
            with guard:
                if status == 200:
                    times[page].append(took)
                else:
                    errors[f"{page}: {status}"] += 1
            step += 1

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    stop_at.append(time.monotonic() + seconds)
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return {"users": users, "seconds": round(elapsed, 1), "pages": {
        page: _percentiles(times[page]) for page in PAGES},
        "requests_per_second": round(sum(len(v) for v in times.values()) / elapsed, 1),
        "errors": dict(errors)}


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 0)

    return {"n": len(values), "p50": round(statistics.median(ordered), 0), "p95": at(0.95),
            "p99": at(0.99)}


def run_bench(workers: str, threads: int, users: list[int], seconds: float) -> list[dict]:
    with server(workers, threads) as url:
        processes = int(workers) if workers.isdigit() else max(2, os.cpu_count() or 1)
        warm_up(url, processes)
        return [level(url, n, seconds) for n in users]


def table(title: str, results: list[dict]) -> str:
    lines = [f"### {title}", "",
             "| users | page | n | p50 ms | p95 ms | p99 ms | req/s | errors |",
             "|---:|---|---:|---:|---:|---:|---:|---|"]
    for result in results:
        for page in PAGES:
            figures = result["pages"][page]
            lines.append(
                f"| {result['users']} | {page} | {figures.get('n', 0)} | "
                f"{figures.get('p50', '-'):.0f} | {figures.get('p95', '-'):.0f} | "
                f"{figures.get('p99', '-'):.0f} | {result['requests_per_second']} | "
                f"{sum(result['errors'].values()) or ''} |" if figures.get("n") else
                f"| {result['users']} | {page} | 0 | - | - | - | "
                f"{result['requests_per_second']} | {result['errors']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="1,5,20", help="comma-separated user counts")
    parser.add_argument("--seconds", type=float, default=20.0, help="per user count")
    parser.add_argument("--workers", default="auto", help="MTB_WORKERS of the server")
    parser.add_argument("--threads", type=int, default=8, help="MTB_THREADS of the server")
    parser.add_argument("--baseline", action="store_true",
                        help="first the same bench against one server process")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    users = [int(u) for u in args.users.split(",") if u.strip()]
    if not users or max(users) > MAX_USERS or min(users) < 1:
        parser.error(f"users: 1 to {MAX_USERS}")
    seconds = min(max(args.seconds, 1.0), MAX_SECONDS)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"mtb load bench: {os.cpu_count()} cores (load average before: {load}), "
          f"{seconds:.0f} s per level, the bundled sample cases, loopback only", flush=True)
    report: dict[str, Any] = {}
    if args.baseline:
        report["one process"] = run_bench("1", args.threads, users, seconds)
        print(table(f"one process x {args.threads} threads (baseline)", report["one process"]),
              flush=True)
    report["mtb serve"] = run_bench(args.workers, args.threads, users, seconds)
    print(table(f"mtb serve: MTB_WORKERS={args.workers} x {args.threads} threads",
                report["mtb serve"]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
