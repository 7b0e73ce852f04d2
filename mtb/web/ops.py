"""What a hospital's IT department runs mtb with: health endpoints, metrics, an access log
with request ids, and a URL prefix behind the reverse proxy.

- `GET /healthz` (liveness): the process answers. No sign-in, no redirect, no database.
- `GET /readyz` (readiness): every named check (the database answers a trivial query, the
  knowledge-base index is present and readable, the job queue answers) within a few seconds;
  JSON with each check's status; 503 when one fails. A failing check names only the kind of
  error (its message could hold a database URL).
- `GET /metrics` (Prometheus; mtb.metrics): only with `Authorization: Bearer MTB_METRICS_TOKEN`,
  404 when no token is set. MTB_METRICS_PORT serves them on a port of their own instead.
- Every request gets an id (the proxy's X-Request-ID, or a new one), echoed in the response's
  X-Request-ID and in every log line written while it is served (mtb.logs); one access log
  line (`mtb.access`) per request: method, route template, status, duration, user and role,
  client address. Never a path with a case id in it, a query string or a body.
- MTB_URL_PREFIX: requests for /mtb/... reach the app as /... (the prefix moves to WSGI's
  SCRIPT_NAME, so Flask's redirects carry it); a proxy that strips the prefix itself works too.

These are WSGI layers around the Flask app, outside sign-in: a probe never opens a session,
and a refused request (413, 429) is counted and logged like any other.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dash
from flask import Flask, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from mtb.config import Settings
from mtb.logs import REQUEST_ID, request_id
from mtb.metrics import exposition, metrics
from mtb.store import Store

__all__ = ["Readiness", "count_sign_in_failure", "database_check", "install_ops",
           "knowledge_base_check", "queue_check", "route_template"]

access_log = logging.getLogger("mtb.access")
HEALTH, READY, METRICS = "/healthz", "/readyz", "/metrics"
PROBES = frozenset({HEALTH, READY})
CHECK_TIMEOUT = 5.0  # seconds the readiness checks may take together
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


# -- readiness ---------------------------------------------------------------------------------


@dataclass
class Readiness:
    """Named checks; each raises when its part is not ready. A new dependency (the job queue)
    is one more `add`."""

    checks: dict[str, Callable[[], None]] = field(default_factory=dict)
    timeout: float = CHECK_TIMEOUT

    def add(self, name: str, check: Callable[[], None]) -> None:
        self.checks[name] = check

    def run(self) -> tuple[bool, dict[str, Any]]:
        """All checks at once (a hung database does not hide the others), each answering
        within `timeout` or counted as failing."""
        results: dict[str, dict[str, Any]] = {}

        def one(name: str, check: Callable[[], None]) -> None:
            started = time.perf_counter()
            try:
                check()
                result: dict[str, Any] = {"status": "ok"}
            except Exception as error:  # any failure is "not ready": its kind, not its text
                result = {"status": "failing", "error": type(error).__name__}
            result["ms"] = round((time.perf_counter() - started) * 1000, 1)
            results[name] = result

        threads = [threading.Thread(target=one, args=item, daemon=True, name=f"readyz-{item[0]}")
                   for item in self.checks.items()]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + self.timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        checks = {name: results.get(name, {"status": "failing", "error": "timeout"})
                  for name in self.checks}
        ready = all(c["status"] == "ok" for c in checks.values())
        return ready, {"status": "ok" if ready else "failing", "checks": checks}


def database_check(store: Store) -> Callable[[], None]:
    def check() -> None:
        with store.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1").scalar_one()

    return check


def knowledge_base_check(data_dir: Path) -> Callable[[], None]:
    """The knowledge-base index (annotation.index) is there and SQLite can read it."""
    import sqlite3

    from annotation.index import index_path

    def check() -> None:
        path = index_path(data_dir)
        if not path.is_file():
            raise FileNotFoundError("knowledge-base index")
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()

    return check


def queue_check(queue: Any) -> Callable[[], None]:
    """The job queue (mtb.jobs.JobQueue: its SQLite file or Redis) answers a count."""

    def check() -> None:
        queue.pending()

    return check


# -- route templates ---------------------------------------------------------------------------


def _page_template(path: str) -> str | None:
    """The Dash page `path` shows, as its template (`/case/<case_id>`)."""
    for page in dash.page_registry.values():
        template = page.get("path_template") or page.get("path")
        if not template:
            continue
        pattern = "[^/]+".join(re.escape(part) for part in re.split(r"<[^>/]+>", template))
        if re.fullmatch(pattern, path.rstrip("/") or "/"):
            return str(template)
    return None


def route_template(server: Flask, path: str, method: str) -> str:
    """The route that serves `path`, as a template without its values: what labels a
    metric and the access log. Paths no route knows are '(unmatched)'."""
    if path in PROBES or path == METRICS:
        return path
    adapter = server.url_map.bind("mtb.invalid")
    try:
        rule, _ = adapter.match(path, method=method if method in METHODS else "GET",
                                return_rule=True)
    except RequestRedirect:
        return "(redirect)"
    except HTTPException:
        return "(unmatched)"
    template = str(rule.rule)
    if template in ("/", "/<path:path>"):  # Dash's index: the page's own template
        return _page_template(path) or "(unmatched)"
    return template


# -- WSGI layers -------------------------------------------------------------------------------


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data))), ("Cache-Control", "no-store"),
                            ("X-Content-Type-Options", "nosniff")])
    return [data]


class OpsEndpoints:
    """/healthz, /readyz and /metrics, answered before sign-in (and before Flask)."""

    def __init__(self, app: WsgiApp, readiness: Readiness, metrics_token: str) -> None:
        self.app = app
        self.readiness = readiness
        self.token = metrics_token

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path not in PROBES and path != METRICS:
            return self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _json(start_response, "405 Method Not Allowed", {"status": "GET only"})
        if path == HEALTH:
            return _json(start_response, "200 OK", {"status": "ok"})
        if path == READY:
            ready, body = self.readiness.run()
            return _json(start_response, "200 OK" if ready else "503 Service Unavailable",
                         body)
        return self._metrics(environ, start_response)

    def _metrics(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if not self.token:
            return _json(start_response, "404 Not Found", {"status": "not found"})
        sent = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = sent.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(),
                                                                 self.token.encode()):
            data = b'{"status": "a bearer token is needed"}'
            start_response("401 Unauthorized", [
                ("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                ("WWW-Authenticate", 'Bearer realm="mtb metrics"'),
                ("Cache-Control", "no-store")])
            return [data]
        data, content_type = exposition()
        start_response("200 OK", [("Content-Type", content_type),
                                  ("Content-Length", str(len(data))),
                                  ("Cache-Control", "no-store")])
        return [data]


class UrlPrefix:
    """MTB_URL_PREFIX: /mtb/case/x reaches the app as /case/x with SCRIPT_NAME /mtb (Flask's
    script_root: redirects and links carry it). A path without the prefix (a proxy that
    strips it, a probe on the port itself) is served as it is, under the same SCRIPT_NAME."""

    def __init__(self, app: WsgiApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/")

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == self.prefix:
            path = "/"
        elif path.startswith(self.prefix + "/"):
            path = path[len(self.prefix):]
        environ["PATH_INFO"] = path
        environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)


class _Finished:
    """The response body; `done` runs once, after the last byte was handed on or when the
    server closes the body (a client that went away), so the duration is the whole
    request's and the log line comes last."""

    def __init__(self, body: Iterable[bytes], done: Callable[[], None]) -> None:
        self.body = body
        self._done = done
        self._finished = False

    def done(self) -> None:
        if not self._finished:
            self._finished = True
            self._done()

    def __iter__(self) -> Iterator[bytes]:
        yield from self.body
        self.done()

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if callable(close):
                close()
        finally:
            self.done()


class Observed:
    """The outermost layer: request id, access log line, request metrics."""

    def __init__(self, app: WsgiApp, route: Callable[[str, str], str]) -> None:
        self.app = app
        self.route = route

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        rid = request_id(environ.get("HTTP_X_REQUEST_ID"))
        environ["mtb.request_id"] = rid
        REQUEST_ID.set(rid)
        started = time.perf_counter()
        status = ["500"]

        def start(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = line.split(" ", 1)[0]
            headers = [h for h in headers if h[0].lower() != "x-request-id"]
            headers.append(("X-Request-ID", rid))
            return start_response(line, headers, exc_info)

        def done() -> None:
            try:
                self._record(environ, status[0], time.perf_counter() - started)
            finally:
                REQUEST_ID.set("")

        try:
            body = self.app(environ, start)
        except BaseException:
            done()
            raise
        return _Finished(body, done)

    def _record(self, environ: Environ, status: str, seconds: float) -> None:
        method = environ.get("REQUEST_METHOD", "")
        method = method if method in METHODS else "other"
        try:
            route = self.route(environ.get("PATH_INFO", "") or "/", method)
        except Exception:  # a label must never fail a request
            route = "(unknown)"
        found = metrics()
        found.requests.labels(method, route, status).inc()
        found.latency.labels(method, route).observe(seconds)
        quiet = route in PROBES and status.startswith("2")  # probes every few seconds
        access_log.log(logging.DEBUG if quiet else logging.INFO, "request", extra={
            "method": method, "route": route, "status": int(status) if status.isdigit() else 0,
            "duration_ms": round(seconds * 1000, 1), "user": environ.get("mtb.user", ""),
            "role": environ.get("mtb.role", ""), "client": environ.get("REMOTE_ADDR", "")})


# -- sign-in failures, counted where mtb.web.auth audits them ---------------------------------


def count_sign_in_failure(reason: str) -> None:
    """reason: 'credentials' (wrong name or password), 'throttled', 'form' (expired)."""
    metrics().sign_in_failures.labels(reason).inc()


# -- installing --------------------------------------------------------------------------------


def install_ops(app: dash.Dash, settings: Settings, store: Store,
                queue: Any | None = None) -> Readiness:
    """The layers around `app.server.wsgi_app` (call last: they must be outermost). Returns
    the readiness checks, to which a further dependency adds its own."""
    server = app.server
    readiness = Readiness()
    readiness.add("database", database_check(store))
    readiness.add("knowledge_base", knowledge_base_check(settings.data_dir))
    if queue is not None:
        readiness.add("job_queue", queue_check(queue))

    @server.after_request
    def who(response: Any) -> Any:
        """The signed-in user, for the access log line written after the response."""
        visit = g.get("mtb_visit")
        actor = getattr(visit, "actor", None)
        if actor is not None:
            request.environ["mtb.user"] = actor.name
            request.environ["mtb.role"] = actor.role
        return response

    wsgi: WsgiApp = OpsEndpoints(server.wsgi_app, readiness, settings.metrics_token)
    if settings.url_prefix:
        wsgi = UrlPrefix(wsgi, settings.url_prefix)
    server.wsgi_app = Observed(
        wsgi, lambda path, method: route_template(server, path, method))
    return readiness
