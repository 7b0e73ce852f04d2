"""`mtb worker`: run annotation and report jobs (mtb.jobs) for the app's servers.

On one machine `mtb serve` runs a worker thread itself; a site runs `mtb worker` beside its
servers, one process per core (`--processes N` starts N), all sharing the case store
(MTB_DB_URL) and the queue (MTB_REDIS_URL). SIGTERM or Ctrl+C stops a worker after the job at
hand; a worker killed outright loses nothing (another takes its job over when its lease runs
out, MTB_JOB_LEASE).
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import threading
from typing import IO, Any

from mtb.config import Settings


def add_parser(commands: Any) -> None:
    worker = commands.add_parser(
        "worker", help="run annotation and report jobs (beside `mtb serve`)",
        description="Run jobs: annotating new and changed cases, re-annotating every case "
        "after a knowledge-base update, keeping final reports. Shares the case store "
        "(MTB_DB_URL) and the job queue (MTB_REDIS_URL; the embedded queue in the data dir "
        "without it) with the servers.")
    worker.add_argument("--processes", type=int, default=1, metavar="N",
                        help="worker processes to run (one per core; default 1)")
    worker.add_argument("--until-idle", action="store_true",
                        help="stop when no job is queued or running")
    worker.add_argument("--sync-every", type=float, metavar="SECONDS",
                        help="also look for new and changed cases in the cases folder this "
                        "often (0: once), as `mtb serve` has its worker do")
    worker.add_argument("--threads", type=int, default=1, metavar="N",
                        help="with --sync-every: job threads beside the sync (0: sync only)")


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    if args.sync_every is not None:
        return _beside_server(args)
    if args.processes > 1:
        return _supervise(args, err)
    from mtb.jobs import JobQueue, Worker
    from mtb.store import Store

    logging.basicConfig(stream=err, level=logging.INFO,
                        format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)
    settings = Settings.load()
    store = Store.open(settings.database_url)
    queue = JobQueue(settings)
    worker = Worker(settings, store, queue)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    where = "embedded queue" if queue.embedded else "Redis queue"
    err.write(f"mtb: worker {worker.name} on the {where} (SIGTERM or Ctrl+C stops it after the "
              "job at hand)\n")
    err.flush()
    try:
        if args.until_idle:
            worker.run_until_idle(stop=stop)
        else:
            worker.run(stop)
    finally:
        queue.close()
        store.close()
    out.write(f"jobs run: {worker.stats.ran}, versions stored: {worker.stats.stored}, "
              f"failed: {worker.stats.failed}\n")
    return 0


def _beside_server(args: argparse.Namespace) -> int:
    """What `mtb serve` starts beside its server processes (mtb.jobs.serve_background) until
    SIGTERM: the cases folder's sync and, on the embedded queue, a job thread."""
    from mtb.jobs import JobQueue, serve_background
    from mtb.store import Store

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)
    settings = Settings.load()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    halt = serve_background(settings, Store.open(settings.database_url), JobQueue(settings),
                            workers=max(0, args.threads), sync_every=max(0.0, args.sync_every))
    stop.wait()
    halt()
    return 0


def _supervise(args: argparse.Namespace, err: IO[str]) -> int:
    """N worker processes (each its own Python: annotation is CPU-bound), stopped together."""
    command = [sys.executable, "-m", "mtb", "worker"] + (["--until-idle"] if args.until_idle
                                                          else [])
    children = [subprocess.Popen(command, preexec_fn=die_with_parent)
                for _ in range(args.processes)]
    err.write(f"mtb: {len(children)} worker processes started\n")

    def stop(*_: Any) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    codes = [child.wait() for child in children]
    return max(codes) if codes else 0


def die_with_parent() -> None:
    """Linux: a worker process ends when its supervisor is killed (no orphans)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
