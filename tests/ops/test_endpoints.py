"""/healthz, /readyz, /metrics, request ids and the access log, through Flask's test client
(the real multi-process server: test_live.py)."""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path

import pytest

from mtb.config import Settings
from mtb.web import create_app
from mtb.web.ops import Readiness
from tests.web.conftest import PASSWORD

LUNG = "synthetic-egfr-lung"
TOKEN = "scrape-token-for-tests-0123456789"


def _sign_in(client, name: str, prefix: str = "") -> None:
    page = client.get(f"{prefix}/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    answer = client.post(f"{prefix}/login", data={"csrf": token, "name": name,
                                                  "password": PASSWORD})
    assert answer.status_code == 302, answer.status_code
    answer.get_data()  # (the test client leaves a body unread: the access log waits for it)


def _app(data_dir: Path, store, **env: str):
    environ = {"MTB_DATA_DIR": str(data_dir), **{f"MTB_{k.upper()}": v for k, v in env.items()}}
    return create_app(Settings.load(environ=environ), store=store)


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the Prometheus text `text` (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if found == labels:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_healthz_answers_without_sign_in_or_redirect(app) -> None:
    client = app.server.test_client()
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok"}
    assert answer.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"])
    assert client.post("/healthz").status_code == 405
    # the page next door still needs a sign-in
    assert client.get("/").status_code == 302


def test_readyz_reports_every_check(app, kb) -> None:
    answer = app.server.test_client().get("/readyz")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "knowledge_base", "job_queue"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


def test_readyz_is_503_without_the_knowledge_base(tmp_path, store) -> None:
    answer = _app(tmp_path / "empty", store).server.test_client().get("/readyz")
    assert answer.status_code == 503
    checks = answer.get_json()["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["knowledge_base"] == {"status": "failing", "error": "FileNotFoundError",
                                        "ms": checks["knowledge_base"]["ms"]}


def test_readiness_names_the_error_kind_only_and_times_out() -> None:
    def broken() -> None:
        raise ConnectionError("postgresql://mtb:secret-password@db.klinik.example/mtb")

    readiness = Readiness(timeout=0.5)
    readiness.add("fine", lambda: None)
    readiness.add("broken", broken)
    readiness.add("hung", lambda: time.sleep(3))
    ready, body = readiness.run()
    assert not ready and body["status"] == "failing"
    assert body["checks"]["fine"]["status"] == "ok"
    assert body["checks"]["broken"]["error"] == "ConnectionError"
    assert body["checks"]["hung"] == {"status": "failing", "error": "timeout"}
    assert "secret" not in json.dumps(body)


def test_metrics_need_the_token(tmp_path, data_dir, store) -> None:
    assert _app(data_dir, store).server.test_client().get("/metrics").status_code == 404
    client = _app(data_dir, store, metrics_token=TOKEN).server.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert "mtb_http_requests_total" in answer.get_data(as_text=True)


def test_metrics_count_by_route_template_never_by_case(data_dir, store) -> None:
    client = _app(data_dir, store, metrics_token=TOKEN).server.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = client.get("/metrics", headers=auth).get_data(as_text=True)
    _sign_in(client, "vera")
    for path in (f"/case/{LUNG}", f"/case/{LUNG}/present", "/no/such/page/at/all"):
        client.get(path).get_data()  # the line is written when the body has been sent
    after = client.get("/metrics", headers=auth).get_data(as_text=True)
    for route in ("/case/<case_id>", "/case/<case_id>/present"):
        assert (_sample(after, "mtb_http_requests_total", method="GET", route=route,
                        status="200")
                - _sample(before, "mtb_http_requests_total", method="GET", route=route,
                          status="200")) == 1
    assert _sample(after, "mtb_http_requests_total", method="POST", route="/login",
                   status="302") >= 1
    assert _sample(after, "mtb_http_requests_total", method="GET", route="(unmatched)",
                   status="200") >= 1
    assert LUNG not in after and "synthetic" not in after


def test_sign_in_failures_are_counted(data_dir, store) -> None:
    client = _app(data_dir, store, metrics_token=TOKEN).server.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = _sample(client.get("/metrics", headers=auth).get_data(as_text=True),
                     "mtb_sign_in_failures_total", reason="credentials")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    for _ in range(2):
        answer = client.post("/login", data={"csrf": token, "name": "vera",
                                             "password": "not-her-password"})
        assert answer.status_code == 200
    after = _sample(client.get("/metrics", headers=auth).get_data(as_text=True),
                    "mtb_sign_in_failures_total", reason="credentials")
    assert after - before == 2


def test_request_ids_and_access_log_lines(tmp_path, data_dir, store) -> None:
    from mtb.logs import configure_logging

    log_file = tmp_path / "logs" / "mtb.log"
    settings = Settings.load(environ={"MTB_DATA_DIR": str(data_dir),
                                      "MTB_LOG_FILE": str(log_file)})
    handler = configure_logging(settings)
    try:
        client = create_app(settings, store=store).server.test_client()
        _sign_in(client, "cura")
        sent = "proxy-request-0001"
        answer = client.get(f"/case/{LUNG}?patient={LUNG}", headers={"X-Request-ID": sent})
        assert answer.headers["X-Request-ID"] == sent
        answer.get_data()
        forged = client.get("/healthz", headers={"X-Request-ID": "bad id\" INJECTED"})
        assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])
    finally:
        logging.getLogger("mtb").removeHandler(handler)
        handler.close()
    text = log_file.read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    case_lines = [line for line in lines if line.get("request_id") == sent]
    assert case_lines == [{**case_lines[0], "logger": "mtb.access", "message": "request",
                           "method": "GET", "route": "/case/<case_id>", "status": 200,
                           "user": "cura", "role": "curator"}]
    assert case_lines[0]["duration_ms"] > 0
    assert LUNG not in text and "INJECTED" not in text
    assert oct(log_file.stat().st_mode & 0o777) == "0o600"
    assert oct(log_file.parent.stat().st_mode & 0o777) == "0o700"


def test_text_log_format(tmp_path, data_dir, store) -> None:
    from mtb.logs import configure_logging

    log_file = tmp_path / "mtb.log"
    settings = Settings.load(environ={"MTB_DATA_DIR": str(data_dir), "MTB_LOG_FORMAT": "text",
                                      "MTB_LOG_FILE": str(log_file)})
    handler = configure_logging(settings)
    try:
        create_app(settings, store=store).server.test_client().get("/login").get_data()
    finally:
        logging.getLogger("mtb").removeHandler(handler)
        handler.close()
    line = log_file.read_text().splitlines()[-1]
    assert re.search(r" info mtb\.access request method=GET route=/login status=200 ", line)
    assert "request_id=" in line


@pytest.mark.parametrize("setting", ["/mtb", "/mtb/", "mtb"])
def test_url_prefix_setting_is_normalised(setting: str) -> None:
    assert Settings.load(environ={"MTB_URL_PREFIX": setting}).url_prefix == "/mtb"


def test_everything_under_the_url_prefix(data_dir, store) -> None:
    client = _app(data_dir, store, url_prefix="/mtb").server.test_client()
    answer = client.get("/mtb/")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/mtb/login?next=/"
    page = client.get("/mtb/login").get_data(as_text=True)
    assert 'href="/mtb/assets/00_bootstrap.min.css"' in page
    assert 'action="/mtb/login?next=/"' in page
    assert client.get("/mtb/assets/10_mtb.css").status_code == 200
    assert client.get("/mtb/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200  # a probe on the port itself
    _sign_in(client, "chef", prefix="/mtb")
    index = client.get("/mtb/").get_data(as_text=True)
    config = re.search(r'id="_dash-config" type="application/json">(.*?)</script>', index)
    assert json.loads(config.group(1))["requests_pathname_prefix"] == "/mtb/"
    assert 'src="/mtb/_dash-component-suites/' in index
    agenda = client.post("/mtb/_dash-update-component", json={
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/mtb/"},
                   {"id": "_pages_location", "property": "search", "value": ""}],
        "changedPropIds": ["_pages_location.pathname"], "state": []},
        headers={"X-CSRFToken": client.get_cookie("_csrf_token").value})
    assert agenda.status_code == 200, agenda.status_code
    drawn = json.dumps(agenda.get_json())
    for link in (f"/mtb/case/{LUNG}", f"/mtb/case/{LUNG}/present", "/mtb/trials",
                 "/mtb/logout", "/mtb/add"):
        assert f'"{link}"' in drawn, link
    signed_out = client.post("/mtb/logout", headers={
        "X-CSRFToken": client.get_cookie("_csrf_token").value})
    assert signed_out.headers["Location"] == "/mtb/login"


def test_a_queue_is_one_more_readiness_check(data_dir, store, kb) -> None:
    from mtb.web.ops import install_ops, queue_check

    class Queue:
        def __init__(self, up: bool) -> None:
            self.up = up

        def pending(self) -> int:
            if not self.up:
                raise ConnectionError("redis://:password@queue.klinik.example:6379/0")
            return 0

    readiness = install_ops(_app(data_dir, store), Settings.load(
        environ={"MTB_DATA_DIR": str(data_dir)}), store, queue=Queue(up=True))
    assert readiness.run()[1]["checks"]["job_queue"]["status"] == "ok"
    readiness.add("job_queue", queue_check(Queue(up=False)))
    ready, body = readiness.run()
    assert not ready and body["checks"]["job_queue"]["error"] == "ConnectionError"
