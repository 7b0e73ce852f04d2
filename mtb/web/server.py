"""How `mtb serve` runs the app: several processes behind one port.

One Python process runs Python code on one core at a time (the GIL): at 20 concurrent users
one process topped out at 56 requests/s and a case page took 2.1 s. gunicorn's master process
listens on the port and hands connections to MTB_WORKERS worker processes (default: one per
core), each serving MTB_THREADS requests at once (gthread workers: threads for the time spent
waiting on the database and the network, processes for the cores).

Why gunicorn, not waitress (used before): waitress is threads in one process (one core), and it
reads a whole request body into memory or a temporary file before the app sees the request,
so an anonymous 900 MiB POST was written to /tmp before its 401. gunicorn hands the body to the
app as a stream: mtb.web.limits refuses it unread. gunicorn runs on Linux and macOS only; on
Windows `mtb serve` falls back to waitress (one process) and says so.

What the processes share, so that any of them can serve any request:
- sessions, sign-in throttling, curations and the audit log live in the case store (SQLite in
  WAL mode, writes under BEGIN IMMEDIATE with a busy timeout, so writers from several processes
  queue instead of failing; or PostgreSQL);
- the installation's secret (mtb.web.auth.secret_key) is created once, by the master, before
  the workers start; uploads are staged on disk;
- each worker opens its own database connections and its own case cache after the fork
  (nothing is opened in the master and inherited).

The master prepares everything once before forking: the store is migrated, the first admin
created, the knowledge-base index built, stale upload staging folders removed.

Operations (mtb.web.ops): the master empties `metrics/<port>` in the data dir and names it
PROMETHEUS_MULTIPROC_DIR before any worker exists, so the workers' counts add up in every
scrape (and marks a worker's files dead when it exits); it serves MTB_METRICS_PORT itself.
mtb's logs and gunicorn's own error lines share one format (MTB_LOG_FORMAT); gunicorn's access
log stays off (its lines hold paths with case ids): mtb.web.ops writes one without them.

Pauses: an opened case is hundreds of thousands of Python objects, and each of CPython's full
garbage collections walks all of them (0.6 s for the five sample cases, every thread of the
process stopped): that was most of the load bench's p99. Each worker therefore moves what
survived a full collection (live objects, by definition) out of the collector's sight
(gc.freeze) right after that collection, so the next one walks only what is new. Objects
frozen this way are still freed when nothing refers to them; only reference cycles among them
would stay (the cases' and the knowledge base's data hold none that are ever dropped).
"""

from __future__ import annotations

import gc
import sys
import threading
from typing import IO, Any

from mtb.config import Settings

TIMEOUT = 300  # seconds a worker may be silent (opening a large case; gthread workers
#                 report from their main loop, so only a hung process is restarted)


def gunicorn_available() -> bool:
    if sys.platform == "win32":
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    return {
        "bind": [f"[{settings.host}]:{settings.port}" if ":" in settings.host
                 else f"{settings.host}:{settings.port}"],
        "workers": settings.workers,
        "threads": settings.threads,
        "worker_class": "gthread",
        "timeout": TIMEOUT,
        "graceful_timeout": 30,
        "keepalive": 5,
        "proc_name": "mtb",
        "preload_app": False,  # each worker builds its app (and opens its connections) itself
        "accesslog": None,  # request lines hold case ids: no access log by default
        "errorlog": "-",
        "loglevel": "warning",
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "limit_request_field_size": 16384,
        "logger_class": _logger_class(settings.log_format),
        "child_exit": _child_exit,
        "when_ready": _when_ready(settings),
    }


def _logger_class(log_format: str) -> type:
    """gunicorn's error log in mtb's format (one JSON object per line with MTB_LOG_FORMAT=json)."""
    from gunicorn.glogging import Logger

    from mtb.logs import formatter

    class MtbGunicornLogger(Logger):
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for handler in self.error_log.handlers:
                handler.setFormatter(formatter(log_format))

    return MtbGunicornLogger


def _child_exit(_server: Any, worker: Any) -> None:
    from mtb.metrics import mark_process_dead

    mark_process_dead(worker.pid)


def _when_ready(settings: Settings) -> Any:
    def ready(_server: Any) -> None:
        if settings.metrics_port:
            from mtb.metrics import start_metrics_server

            start_metrics_server(settings.host, settings.metrics_port)

    return ready


def prepare_operations(settings: Settings) -> None:
    """Before any worker starts: logs configured, the metrics' multiprocess folder made."""
    from mtb.logs import configure_logging
    from mtb.metrics import prepare_multiprocess

    configure_logging(settings)
    prepare_multiprocess(settings.data_dir, settings.port)


def serve(settings: Settings, err: IO[str]) -> int:
    """Serve until stopped (Ctrl+C, SIGTERM)."""
    if not gunicorn_available():
        return _serve_waitress(settings, err)
    prepare_operations(settings)
    from gunicorn.app.base import BaseApplication

    class MtbServer(BaseApplication):
        def load_config(self) -> None:
            for key, value in gunicorn_options(settings).items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            # in each worker, after the fork: its own store connections and case cache
            from mtb.web import create_app

            app = create_app(settings)
            freeze_after_full_collections(app.server)
            return app.server

    MtbServer().run()
    return 0


def freeze_after_full_collections(server: Any) -> None:
    """gc.freeze() what the last full collection left (see the module's docstring): now, and
    after each full collection, at the end of the request during which it happened."""
    gc.collect()
    gc.freeze()
    collected = threading.Event()

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info.get("generation") == 2:
            collected.set()

    gc.callbacks.append(watch)

    @server.after_request
    def freeze(response: Any) -> Any:
        if collected.is_set():
            collected.clear()
            gc.freeze()
        return response


def _serve_waitress(settings: Settings, err: IO[str]) -> int:
    from waitress import serve as waitress_serve

    from mtb.logs import configure_logging
    from mtb.store import Store
    from mtb.web import create_app
    from mtb.web.limits import SIGNED_IN_BYTES

    print("mtb: gunicorn is not available on this system: serving from one process "
          "(waitress)", file=err)
    configure_logging(settings)
    if settings.metrics_port:
        from mtb.metrics import start_metrics_server

        start_metrics_server(settings.host, settings.metrics_port)
    app = create_app(settings, store=Store.open(settings.database_url))
    largest = max([SIGNED_IN_BYTES, *settings.upload_limits.values()])
    waitress_serve(app.server, host=settings.host, port=settings.port, threads=settings.threads,
                   ident="mtb", clear_untrusted_proxy_headers=True,
                   max_request_body_size=largest)
    return 0
