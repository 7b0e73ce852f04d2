"""Benchmark: a library of 1,000 registered exome-size cases, as a site would grow.

    python bench/library.py [--cases 1000] [--open 100] [--skip-two]

Each case is a folder with a case.toml and a hard link to (or, across file systems, a copy
of) the HCC1395 exome VCF of sample_cases/ (1,470 variants: real cell-line data). Not a
symlink: a case's files must stay inside its folder (case.toml paths and symlinks pointing out
are refused, issue 12). Measured, with the
embedded store and queue (SQLite in a scratch data dir):

- annotating all of them with 1 worker (`mtb worker --until-idle`) and again, on a fresh store,
  with 2 (`mtb worker --processes 2 --until-idle`): wall times and their ratio (the machine's
  core count bounds it);
- a second `mtb case sync` (nothing changed: nothing may be queued);
- the first agenda render after a server restart (`mtb serve`, the page's router callback over
  HTTP as the browser asks it): target <= 1 s;
- a case page opened for the first time on that server: target <= 1 s;
- the server's resident memory after opening 100 different case pages: target <= 500 MB
  (it keeps the 8 most recently opened versions; mtb.web.library);
- the store's size on disk.

The baseline the issue measured before cases lasted: 60 exome cases, 39 s to the first agenda
after a start and 1.08 GB of server memory (every case re-annotated in the server on start).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from mtb.catalog import case_toml, write_case_toml
from mtb.resources import sample_cases_dir

PASSWORD = "bench-password-1"
EXOME = sample_cases_dir() / "hcc1395-breast" / "HCC1395.annotated.expression.vcf.gz"


def _mtb(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "mtb", *args], env=env, text=True,
                            capture_output=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"mtb {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result


def _cases(root: Path, count: int) -> None:
    for number in range(count):
        folder = root / f"exome-{number:04d}"
        folder.mkdir(parents=True)
        try:
            os.link(EXOME, folder / "tumor.vcf.gz")
        except OSError:  # another file system
            shutil.copy(EXOME, folder / "tumor.vcf.gz")
        write_case_toml(folder, case_toml(
            ["HCC1395 exome (real cell-line data), linked for bench/library.py"],
            case_id=f"exome-{number:04d}", title=f"HCC1395 copy {number:04d}",
            diagnosis="Triple-negative breast carcinoma", source="bench/library.py",
            files=[("tumor.vcf.gz", "vcf")]))


def _annotate_all(env: dict[str, str], data: Path, processes: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the workers) to annotate every case on a fresh store."""
    for name in ("mtb.sqlite", "mtb.sqlite-wal", "mtb.sqlite-shm", "jobs.sqlite",
                 "jobs.sqlite-wal", "jobs.sqlite-shm"):
        (data / name).unlink(missing_ok=True)
    queued = _mtb(env, "case", "sync").stdout.strip()
    print(f"  {queued}", flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    _mtb(env, "worker", "--processes", str(processes), "--until-idle")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A signed-in session asking for pages as the browser does (the pages' router)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        form = self.http.get(f"{base}/login", timeout=60).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        self.http.post(f"{base}/login?next=/", timeout=60, allow_redirects=False,
                       data={"csrf": csrf, "name": "bench", "password": PASSWORD})
        self.token = self.http.cookies["_csrf_token"]

    def page(self, path: str, search: str = "") -> tuple[float, str]:
        payload = {
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
        started = time.perf_counter()
        answer = self.http.post(f"{self.base}/_dash-update-component", json=payload,
                                headers={"X-CSRFToken": self.token}, timeout=120)
        took = time.perf_counter() - started
        answer.raise_for_status()
        return took, answer.text


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _tree_rss_mb(pid: int) -> list[float]:
    """RSS of `mtb serve` and every process under it (gunicorn's master, its workers and the
    job worker), largest first: the pages are served by the workers, not the master."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    sizes = []
    for member in found:
        try:
            sizes.append(_rss_mb(member))
        except OSError:
            continue
    return sorted(sizes, reverse=True)
    return float("nan")


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    port = _free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "mtb", "serve", "--port", str(port), "--job-workers", "0",
         "--sync-every", "0"], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            requests.get(f"{base}/login", timeout=2)
            break
        except requests.ConnectionError:
            if server.poll() is not None:
                raise SystemExit(f"mtb serve exited: {log.read_text()[-2000:]}") from None
            time.sleep(0.05)
    return server, base, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--open", type=int, default=100, help="case pages to open")
    parser.add_argument("--skip-two", action="store_true",
                        help="annotate with one worker only (no ratio)")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="mtb-bench-library-"))
    data, cases = scratch / "data", scratch / "cases"
    env = {**os.environ, "MTB_DATA_DIR": str(data), "MTB_CASES_DIR": str(cases)}
    env.pop("MTB_DB_URL", None)
    env.pop("MTB_REDIS_URL", None)
    try:
        print(f"{os.cpu_count()} cores; {args.cases} cases of {EXOME.name} (1,470 variants)",
              flush=True)
        _cases(cases, args.cases)
        _mtb(env, "kb", "build")
        results: dict[str, Any] = {}
        if not args.skip_two:
            print("annotating with 2 workers ...", flush=True)
            results["two"], cpu = _annotate_all(env, data, 2)
            print(f"  {results['two']:.1f} s ({cpu:.0f} CPU s)", flush=True)
        print("annotating with 1 worker ...", flush=True)
        results["one"], cpu = _annotate_all(env, data, 1)
        print(f"  {results['one']:.1f} s ({results['one'] / args.cases:.2f} s per case; "
              f"{cpu:.0f} CPU s)", flush=True)
        print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
              "(other processes share the machine)", flush=True)
        _second_sync(env)
        size = sum(p.stat().st_size for p in data.glob("mtb.sqlite*"))
        print(f"store on disk: {size / 2**20:.0f} MB ({size / args.cases / 2**10:.0f} KB per "
              "case)", flush=True)

        from mtb.store import Store

        store = Store.open(f"sqlite:///{data / 'mtb.sqlite'}")
        store.add_user("bench", "viewer", PASSWORD)
        ids = [c.case_id for c in store.stored_cases()]
        store.close()
        server, base, startup = _serve(env, scratch / "serve.log")
        try:
            browser = Browser(base)
            first, page = _page_check(browser, "/", "HCC1395 copy")
            warm = statistics.median(browser.page("/")[0] for _ in range(3))
            rows = page.count("\\u002fpresent")
            print(f"server started in {startup:.1f} s; first agenda render {first:.2f} s "
                  f"(target <= 1 s), then {warm:.2f} s; {rows} rows", flush=True)
            opened = []
            for case_id in ids[: args.open]:
                took, _ = _page_check(browser, f"/case/{case_id}", "Annotation version 1")
                opened.append(took)
            rest = opened[1:] or opened
            print(f"case page, first open: the server's first {opened[0]:.2f} s (its one-time "
                  f"warm-up included), then median {statistics.median(rest):.2f} s, max "
                  f"{max(rest):.2f} s (target <= 1 s); {len(opened)} cases opened", flush=True)
            sizes = _tree_rss_mb(server.pid)
            print(f"server RSS after opening {len(opened)} cases: largest process "
                  f"{sizes[0]:.0f} MB (target <= 500 MB), all {len(sizes)} processes "
                  f"{sum(sizes):.0f} MB ({', '.join(f'{s:.0f}' for s in sizes)})", flush=True)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if "two" in results:
            print(f"\nannotate {args.cases} cases: 1 worker {results['one']:.0f} s, 2 workers "
                  f"{results['two']:.0f} s: ratio {results['one'] / results['two']:.2f}",
                  flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _second_sync(env: dict[str, str]) -> None:
    """`mtb case sync` with nothing changed, timed in this process (without the command's own
    start): every case.toml read, every file stat-ed, nothing hashed or queued."""
    from mtb.config import Settings
    from mtb.library import Library
    from mtb.store import Store

    settings = Settings.load(environ=env)
    store = Store.open(settings.database_url)
    try:
        started = time.perf_counter()
        result = Library(settings, store).sync()
        took = time.perf_counter() - started
    finally:
        store.close()
    print(f"second sync (nothing changed): {took:.2f} s; {len(result.queued)} queued, "
          f"{result.unchanged} unchanged", flush=True)


def _page_check(browser: Browser, path: str, expected: str) -> tuple[float, str]:
    took, text = browser.page(path)
    if expected not in text:
        raise SystemExit(f"{path} did not show {expected!r}: {text[:500]}")
    return took, text


if __name__ == "__main__":
    sys.exit(main())
