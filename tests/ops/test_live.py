"""Against a real `mtb serve` (gunicorn, two worker processes) behind the path /mtb: pages,
assets, sign-in redirects and uploads carry the prefix; the metrics of both processes add up
in one scrape; the access log is JSON without case ids; everything mtb created in its data dir
is its user's only (files 0600, folders 0700)."""

from __future__ import annotations

import json
import re
import stat
import time

import pytest
import requests

from tests.security.live import Live, live_server
from tests.web.conftest import PASSWORD

LUNG = "synthetic-egfr-lung"
TOKEN = "scrape-token-for-tests-0123456789"
USERS = {"cura": "curator", "vera": "viewer"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("ops-live")
    data = base / "site-data"  # made by mtb itself (its mode is under test)
    with live_server(data, USERS, url_prefix="/mtb/", metrics_token=TOKEN,
                     log_file=str(data / "logs" / "mtb.log"), tmpdir=str(base)) as server:
        yield server


def _sign_in(live: Live, name: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{live.url}/mtb/login", timeout=30).text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    answer = http.post(f"{live.url}/mtb/login?next=/case/{LUNG}",
                       data={"csrf": token, "name": name, "password": PASSWORD},
                       allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/mtb/case/{LUNG}"
    return http


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") and dict(
                re.findall(r'(\w+)="([^"]*)"', line.split("}")[0])) == labels:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_pages_assets_and_redirects_carry_the_prefix(live: Live) -> None:
    answer = requests.get(f"{live.url}/mtb/case/{LUNG}", allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/mtb/login?next=/case/{LUNG}"
    login = requests.get(f"{live.url}/mtb/login", timeout=30).text
    for asset in re.findall(r'href="(/mtb/assets/[^"]+)"', login):
        assert requests.get(f"{live.url}{asset}", timeout=30).status_code == 200
    http = _sign_in(live, "cura")
    index = http.get(f"{live.url}/mtb/case/{LUNG}", timeout=30).text
    scripts = re.findall(r'src="(/mtb/_dash-component-suites/[^"]+)"', index)
    assert scripts
    for script in scripts[:3]:
        assert http.get(f"{live.url}{script}", timeout=30).status_code == 200
    upload = http.get(f"{live.url}/mtb/assets/30_upload.js", timeout=30).text
    assert "requests_pathname_prefix" in upload
    # the upload route, where the browser's script sends a file
    sent = http.post(f"{live.url}/mtb/add/upload?name=tumor.vcf", data=b"##fileformat=VCFv4.2\n",
                     headers={"X-CSRFToken": http.cookies.get("_csrf_token"),
                              "Content-Type": "application/octet-stream"}, timeout=30)
    assert sent.status_code == 200 and sent.json()["name"] == "tumor.vcf"
    out = http.post(f"{live.url}/mtb/logout", headers={
        "X-CSRFToken": http.cookies.get("_csrf_token")}, allow_redirects=False, timeout=30)
    assert out.headers["Location"] == "/mtb/login"


def test_health_and_readiness(live: Live) -> None:
    assert requests.get(f"{live.url}/mtb/healthz", timeout=10).json() == {"status": "ok"}
    ready = requests.get(f"{live.url}/mtb/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert {name: c["status"] for name, c in ready.json()["checks"].items()} == {
        "database": "ok", "knowledge_base": "ok", "job_queue": "ok"}


def test_metrics_add_up_across_worker_processes(live: Live) -> None:
    scrape = {"Authorization": f"Bearer {TOKEN}"}

    def count() -> float:
        text = requests.get(f"{live.url}/mtb/metrics", headers=scrape, timeout=10).text
        return _sample(text, "mtb_http_requests_total", method="GET", route="/healthz",
                       status="200")

    def settled() -> float:
        """The count once it stops moving: a request is counted after its response has
        gone out, so an earlier test's /healthz can still be on its way into the counter."""
        last, deadline = count(), time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = count()
            if now == last:
                return now
            last = now
        return last

    before = settled()
    for _ in range(40):  # fresh connections: the kernel spreads them over both processes
        requests.get(f"{live.url}/mtb/healthz", headers={"Connection": "close"}, timeout=10)
    assert settled() - before == 40
    counted_by = list((live.data_dir / "metrics" / str(live.port)).glob("counter_*.db"))
    assert len(counted_by) >= 2, counted_by  # one file per process that counted


def test_access_log_is_json_with_request_ids_and_no_case_ids(live: Live) -> None:
    http = _sign_in(live, "vera")
    answer = http.get(f"{live.url}/mtb/case/{LUNG}?from={LUNG}",
                      headers={"X-Request-ID": "proxy-id-4711-abcdef"}, timeout=30)
    assert answer.headers["X-Request-ID"] == "proxy-id-4711-abcdef"
    log = live.data_dir / "logs" / "mtb.log"
    deadline = time.monotonic() + 10
    while "proxy-id-4711-abcdef" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    mine = [line for line in lines if line.get("request_id") == "proxy-id-4711-abcdef"]
    assert len(mine) == 1
    assert mine[0]["route"] == "/case/<case_id>" and mine[0]["user"] == "vera"
    assert mine[0]["status"] == 200
    assert LUNG not in log.read_text()


def test_everything_mtb_created_is_owner_only(live: Live) -> None:
    requests.get(f"{live.url}/mtb/healthz", timeout=10)
    checked = 0
    for path in [live.data_dir, *live.data_dir.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            continue
        expected = 0o700 if path.is_dir() else 0o600
        assert mode & 0o077 == 0, (path, oct(mode))
        if path.name in ("mtb.sqlite", "secret_key", "mtb.log", "metrics", "site-data"):
            assert mode == expected, (path, oct(mode))
            checked += 1
    assert checked == 5
