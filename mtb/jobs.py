"""Jobs: annotating a new or changed case, re-annotating every case after a knowledge-base
change, keeping a final case's reports. Queued on Huey; run by `mtb worker`, or by a thread of
`mtb serve` on one machine.

Why Huey: it is the one well-kept job library that has both an embedded queue needing no
server (SqliteHuey: one file in the data dir; `pip install mtb` and `mtb serve` is all a
single machine needs) and a real broker for a site behind the same API (RedisHuey, with
MTB_REDIS_URL: several `mtb serve` and `mtb worker` processes on several machines share
it). It is small, pure Python, and has no broker of its own to run. Celery, Dramatiq and RQ
need Redis or RabbitMQ even on one machine (Celery's SQLAlchemy transport is experimental;
Dramatiq and RQ have no embedded broker), which a pathology department's desktop does not
have.

What Huey does not do, mtb adds: a Huey message is gone once a worker takes it, so a worker
killed with SIGKILL would lose its job. The job's lasting state therefore lives in the case
store (mtb.store.jobs): a worker claims a job there (one conditional UPDATE: one worker at a
time), renews its lease while it works (every progress step, and a heartbeat thread), and
stores the version only while it still holds the job. A job whose worker stopped renewing is
put back by any other worker (`reap_jobs`) and run again; a job whose message was lost (a
flushed Redis, a deleted queue file) is found by an idle worker in the store. Running a job
twice is harmless: a job for inputs that already produced the case's newest version does
nothing, and a version is stored once. Huey carries the messages (wake-up and order) and the
delayed retries; the store carries the truth.

Why not Huey's own consumer: it installs signal handlers and so runs only in a process's main
thread, while `mtb serve` needs its worker as a thread beside waitress; and the lease reaper
belongs in the same loop. The loop below uses Huey's own dequeue and execute.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtb import annotation_run
from mtb.config import Settings
from mtb.errors import (
    ConfigError,
    DocumentError,
    InputError,
    KnowledgeBaseError,
    MtbError,
    ReportError,
)
from mtb.library import Library
from mtb.store import JobInfo, Store

__all__ = ["JobQueue", "Worker", "embedded_worker", "serve_background", "wait_for"]

log = logging.getLogger("mtb.jobs")  # job ids and states only: never a case's data

RETRY_DELAY = 30.0  # seconds before a job that failed unexpectedly is tried again
MAX_ATTEMPTS = 3  # a job interrupted this often fails (a case that kills its worker)
PERMANENT = (InputError, KnowledgeBaseError, DocumentError, ReportError)  # retrying won't help


class JobQueue:
    """The Huey queue of job ids: SQLite in the data dir, or Redis with MTB_REDIS_URL."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.huey = _huey(settings)
        self.handler: Callable[[int], None] = lambda _job: None
        queue = self

        def run_job(job_id: int) -> None:
            queue.handler(int(job_id))

        self._task = self.huey.task(name="mtb.run_job")(run_job)

    @property
    def embedded(self) -> bool:
        return not self.settings.redis_url

    def send(self, job_id: int, delay: float | None = None) -> None:
        """Queue a job's message (the job itself is in the store already)."""
        try:
            if delay:
                self._task.schedule(args=(job_id,), delay=delay)
            else:
                self._task(job_id)
        except Exception as error:  # a broker that is down: an idle worker finds the job
            log.warning("job %s: queue message not sent (%s); a worker will find it in the "
                        "store", job_id, type(error).__name__)

    def take(self) -> Any:
        """The next message (a Huey task), or None; blocks up to a second with Redis."""
        for task in self.huey.read_schedule():  # delayed retries that are due
            self.huey.enqueue(task)
        return self.huey.dequeue()

    def run(self, task: Any) -> None:
        self.huey.execute(task)

    def pending(self) -> int:
        return self.huey.pending_count()

    def close(self) -> None:
        storage = getattr(self.huey, "storage", None)
        close = getattr(storage, "close", None)
        if callable(close):
            close()


def _huey(settings: Settings) -> Any:
    from huey import RedisHuey, SqliteHuey

    if settings.redis_url:
        try:
            import redis  # noqa: F401 - RedisHuey needs it
        except ImportError:
            raise ConfigError("MTB_REDIS_URL is set, but the redis client is not installed "
                              "(pip install 'mtb[site]')") from None
        return RedisHuey("mtb", url=settings.redis_url, results=False, blocking=True,
                         read_timeout=1)
    path = Path(settings.data_dir) / "jobs.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("mtb", filename=str(path), results=False, timeout=30)


class _Heartbeat(threading.Thread):
    """Renews a running job's lease while annotation works (minutes for a genome)."""

    def __init__(self, store: Store, job_id: int, worker: str, lease: float,
                 state: dict[str, Any]) -> None:
        super().__init__(daemon=True, name=f"mtb-heartbeat-{job_id}")
        self.store, self.job_id, self.worker, self.lease = store, job_id, worker, lease
        self.state = state
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.lease / 3):
            try:
                held = self.store.job_progress(self.job_id, self.worker, self.state["progress"],
                                               self.state["step"], self.lease)
            except MtbError:
                continue
            if not held:
                self.state["lost"] = True
                return


@dataclass
class _Stats:
    ran: int = 0
    stored: int = 0
    failed: int = 0


class Worker:
    """Runs jobs: takes messages from the queue, claims their jobs in the store, runs them,
    and puts back jobs whose worker died (every half lease)."""

    def __init__(self, settings: Settings, store: Store, queue: JobQueue, *,
                 name: str = "", knowledge: annotation_run.KnowledgeCache | None = None,
                 library: Library | None = None) -> None:
        self.settings, self.store, self.queue = settings, store, queue
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.lease = float(settings.job_lease)
        self.library = library or Library(settings, store, notify=queue.send)
        self.knowledge = knowledge or annotation_run.KnowledgeCache(settings)
        self.stats = _Stats()
        self._reaped_at = 0.0
        queue.handler = self.run_job

    # -- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event, idle_wait: float = 0.5) -> None:
        """Work until `stop` is set (after the job at hand)."""
        log.info("worker %s started (%s queue)", self.name,
                 "embedded" if self.queue.embedded else "Redis")
        while not stop.is_set():
            try:
                worked = self.step()
            except Exception as error:  # the loop survives a broker or database hiccup
                log.warning("worker %s: %s; going on", self.name, type(error).__name__)
                worked = False
            if not worked:
                stop.wait(idle_wait)
        log.info("worker %s stopped", self.name)

    def step(self) -> bool:
        """One turn: put back jobs of dead workers (when due), then run one job: from the
        queue, else one the store holds without a message. False when there was none."""
        if time.monotonic() - self._reaped_at > self.lease / 2:
            self._reaped_at = time.monotonic()
            for job_id in self.store.reap_jobs():
                log.info("job %s: its worker stopped; queued again", job_id)
                self.queue.send(job_id)
        task = self.queue.take()
        if task is not None:
            self.queue.run(task)  # -> run_job through Huey
            return True
        for job_id in self.store.queued_jobs(limit=1):
            self.run_job(job_id)
            return True
        return False

    def run_until_idle(self, timeout: float | None = None,
                       progress: Callable[[list[JobInfo]], None] | None = None,
                       stop: threading.Event | None = None) -> bool:
        """Run jobs until none is queued or running (`mtb worker --until-idle`, tests). False
        when `timeout` passed first, or `stop` was set (after the job at hand)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while stop is None or not stop.is_set():
            active = self.store.jobs(states=("queued", "running"))
            if progress is not None:
                progress(active)
            if not active:
                return True
            if deadline is not None and time.monotonic() > deadline:
                return False
            if not self.step():
                time.sleep(0.2)  # another worker holds the rest
        return False

    # -- one job ----------------------------------------------------------------------------

    def run_job(self, job_id: int) -> None:
        job = self.store.claim_job(job_id, self.name, self.lease, MAX_ATTEMPTS)
        if job is None:
            return  # another worker has it, or it is over
        self.stats.ran += 1
        state: dict[str, Any] = {"progress": 0, "step": "starting", "lost": False}
        heartbeat = _Heartbeat(self.store, job.id, self.name, self.lease, state)
        heartbeat.start()

        def report(progress: int, step: str) -> None:
            state["progress"], state["step"] = progress, step
            if state["lost"] or not self.store.job_progress(job.id, self.name, progress, step,
                                                            self.lease):
                raise annotation_run.LostJob()

        try:
            if job.kind == "annotate":
                ended, number, message = annotation_run.annotate(
                    self.library, job, self.name, report, self.knowledge)
            else:
                report(10, "making the final reports")
                missing = self.library.freeze_reports(job.case_id, self.name)
                ended, number, message = "done", None, "; ".join(missing)
            if ended == "stored":
                self.stats.stored += 1
            else:
                self.store.end_job(job.id, self.name, ended, message, number)
                self.stats.failed += ended == "failed"
            log.info("job %s: %s", job.id, ended)
        except annotation_run.LostJob:
            log.info("job %s: taken over by another worker", job.id)
        except PERMANENT as error:
            self.store.end_job(job.id, self.name, "failed", str(error))
            self.stats.failed += 1
            log.info("job %s: failed (%s)", job.id, type(error).__name__)
        except Exception as error:
            log.warning("job %s: %s; tried again in %.0f s", job.id, type(error).__name__,
                        RETRY_DELAY)
            if self.store.release_job(job.id, self.name,
                                      f"interrupted by an internal error "
                                      f"({type(error).__name__}); tried again"):
                self.queue.send(job.id, delay=RETRY_DELAY)
        finally:
            heartbeat.done.set()


def embedded_worker(settings: Settings, store: Store,
                    queue: JobQueue | None = None) -> tuple[threading.Thread, threading.Event]:
    """A worker thread (`mtb serve` on the embedded queue): started, with its stop event."""
    queue = queue or JobQueue(settings)
    worker = Worker(settings, store, queue, name=f"{socket.gethostname()}:{os.getpid()}:serve")
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), name="mtb-worker", daemon=True)
    thread.start()
    return thread, stop


def serve_background(settings: Settings, store: Store, queue: JobQueue, *, workers: int,
                     sync_every: float) -> Callable[[], None]:
    """What `mtb serve` runs beside the app: `workers` worker threads, and a sync of the cases
    folder at the start and every `sync_every` seconds (0: only at the start), so a case
    folder dropped in or a file replaced is seen without a restart. The first sync runs in the
    background: the agenda answers at once. Returns a function that stops them."""
    stop = threading.Event()
    library = Library(settings, store, notify=queue.send)
    for index in range(workers):  # each with a queue of its own: Huey hands a task to the
        # handler its queue knows, which must be this worker's
        worker = Worker(settings, store, JobQueue(settings), library=library,
                        name=f"{socket.gethostname()}:{os.getpid()}:serve{index}")
        threading.Thread(target=worker.run, args=(stop,), name=f"mtb-worker-{index}",
                         daemon=True).start()

    def sync_loop() -> None:
        while not stop.is_set():
            try:
                result = library.sync(by="mtb serve")
                if result.registered or result.queued or result.problems:
                    log.info("sync: %d new cases, %d jobs queued, %d folders unreadable",
                             len(result.registered), len(result.queued),
                             len(result.problems))
            except MtbError as error:
                log.warning("sync: %s", type(error).__name__)
            if not sync_every or stop.wait(sync_every):
                return

    threading.Thread(target=sync_loop, name="mtb-sync", daemon=True).start()
    return stop.set


def wait_for(store: Store, job_ids: list[int], *, timeout: float | None = None,
             progress: Callable[[list[JobInfo]], None] | None = None,
             poll: float = 0.5) -> list[JobInfo]:
    """Wait until the jobs have ended (other processes run them); their last states."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        jobs = store.jobs(job_ids)
        if progress is not None:
            progress(jobs)
        if all(not job.active for job in jobs):
            return jobs
        if deadline is not None and time.monotonic() > deadline:
            return jobs
        time.sleep(poll)
