"""Prometheus metrics (prometheus_client): requests and their latency by route template,
sign-in failures, jobs. Nothing in a label identifies a patient or a case: routes are
templates (`/case/<case_id>`), never paths.

Several processes: `mtb serve` runs MTB_WORKERS gunicorn workers, each counting its own
requests. prometheus_client's multiprocess mode adds them up: every process writes its values
to files in PROMETHEUS_MULTIPROC_DIR (`metrics/<port>` in the data dir, emptied and made owner-only
at each start, before the workers exist), and a scrape reads all of them. The variable must be
set before prometheus_client is first imported in a process (it then picks its file-backed
values), so this module imports it only inside functions, and `prepare_multiprocess` runs in
the server's master before anything counts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MULTIPROC_ENV", "Metrics", "count_job", "exposition", "mark_process_dead", "metrics",
           "prepare_multiprocess", "start_metrics_server"]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)


@dataclass(frozen=True)
class Metrics:
    requests: Any  # Counter: method, route, status
    latency: Any  # Histogram: method, route
    sign_in_failures: Any  # Counter: reason
    jobs: Any  # Counter: kind, outcome
    job_seconds: Any  # Histogram: kind


_made: list[Metrics] = []
_lock = threading.Lock()


def metrics() -> Metrics:
    """This process's metrics, made on first use (after the fork, in a worker)."""
    if _made:
        return _made[0]
    with _lock:
        if not _made:
            from prometheus_client import Counter, Histogram

            _made.append(Metrics(
                requests=Counter("mtb_http_requests", "HTTP requests answered, by route "
                                 "template", ["method", "route", "status"]),
                latency=Histogram("mtb_http_request_duration_seconds", "Time to answer a "
                                  "request, by route template", ["method", "route"],
                                  buckets=LATENCY_BUCKETS),
                sign_in_failures=Counter("mtb_sign_in_failures", "Failed sign-ins (wrong name "
                                         "or password, throttled, expired form)", ["reason"]),
                jobs=Counter("mtb_jobs", "Jobs finished, by kind and outcome",
                             ["kind", "outcome"]),
                job_seconds=Histogram("mtb_job_duration_seconds", "Time a job ran, by kind",
                                      ["kind"], buckets=JOB_BUCKETS),
            ))
    return _made[0]


def count_job(kind: str, outcome: str, seconds: float) -> None:
    """A job finished (mtb.jobs): kind (annotate, reannotate, report), outcome (done,
    failed, retried)."""
    found = metrics()
    found.jobs.labels(kind, outcome).inc()
    found.job_seconds.labels(kind).observe(seconds)


def prepare_multiprocess(data_dir: Path, port: int) -> Path:
    """An empty, owner-only `metrics/<port>` in the data dir as PROMETHEUS_MULTIPROC_DIR (the
    files of a previous run would add old counts to new ones; a second server on the same
    data dir has its own port, and keeps its own counts)."""
    (Path(data_dir) / "metrics").mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = Path(data_dir) / "metrics" / str(port)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


def _registry() -> Any:
    """Every process's values (multiprocess mode), or this process's own registry."""
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess

    if not os.environ.get(MULTIPROC_ENV):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    metrics()  # declared before the first scrape, so they are listed (at zero) at once
    return generate_latest(_registry()), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    """A worker ended (gunicorn's child_exit): its live gauges no longer count."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        with contextlib.suppress(OSError):
            multiprocess.mark_process_dead(pid)


def start_metrics_server(host: str, port: int) -> None:
    """MTB_METRICS_PORT: the metrics on their own port (a daemon thread of this process; in
    `mtb serve` the gunicorn master, which reads every worker's files)."""
    from prometheus_client import start_http_server

    start_http_server(port, addr=host, registry=_registry())
