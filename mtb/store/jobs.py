"""The lasting half of a job (mtb.jobs carries the other half, the queue message): which case
and inputs it is for, who runs it until when (a lease), how far it is, how it ended. A mixin
of `Store`.

Why a table beside the queue: a queue message is gone once a worker took it, so a worker
killed mid-job would lose its job. Here a job stays 'running' only while its worker renews its
lease (every progress step does); a lease that runs out puts the job back to 'queued' for
another worker (`reap_jobs`). A job is claimed by one worker at a time (one conditional
UPDATE), and its version is stored only by the worker that still holds it
(CaseLibraryStore.add_version), so a job run twice stores its version once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from mtb.errors import StorageError
from mtb.store.mixin import StoreMixin, changed_rows
from mtb.store.schema import Job, StoredCase, now

__all__ = ["ACTIVE", "JobInfo", "JobStore"]

ACTIVE = ("queued", "running")
JOB_KINDS = ("annotate", "reports")


@dataclass(frozen=True)
class JobInfo:
    id: int
    case_id: str
    kind: str  # annotate, reports
    input_key: str
    after_version: int
    reason: str
    state: str  # queued, running, done, failed, superseded
    progress: int  # percent
    step: str
    attempts: int
    worker: str
    lease_until: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    message: str
    version_number: int | None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


def _info(row: Job) -> JobInfo:
    return JobInfo(row.id, row.case_id, row.kind, row.input_key, row.after_version, row.reason,
                   row.state, row.progress, row.step, row.attempts, row.worker,
                   row.lease_until, row.created_at, row.started_at, row.finished_at,
                   row.message, row.version_number)


class JobStore(StoreMixin):
    """Store methods for jobs (mixed into `Store`)."""

    def add_job(self, case_id: str, kind: str, input_key: str, after_version: int,
                reason: str) -> tuple[JobInfo, bool]:
        """A job for (case, kind, inputs, the version it follows), and whether it is new: the
        same job asked twice (two servers syncing the same folder) is one job."""
        if kind not in JOB_KINDS:
            raise StorageError(f"job kind '{kind}' is not one of {', '.join(JOB_KINDS)}")
        try:
            with self._write() as session:
                row = Job(case_id=case_id, kind=kind, input_key=input_key,
                          after_version=after_version, reason=reason[:2000], state="queued",
                          progress=0, step="waiting for a worker", attempts=0, worker="",
                          message="")
                session.add(row)
                session.flush()
                if kind == "annotate":
                    session.execute(update(StoredCase).where(StoredCase.case_id == case_id)
                                    .values(job_id=row.id))
                return _info(row), True
        except (StorageError, IntegrityError):
            pass
        with self._read() as session:
            found = session.scalar(select(Job).where(
                Job.case_id == case_id, Job.kind == kind, Job.input_key == input_key,
                Job.after_version == after_version))
            if found is None:
                raise StorageError(f"the job for case {case_id} could not be recorded")
            return _info(found), False

    def job(self, job_id: int) -> JobInfo | None:
        with self._read() as session:
            row = session.get(Job, job_id)
            return _info(row) if row is not None else None

    def jobs(self, ids: Iterable[int] | None = None, *, case_id: str | None = None,
             states: Iterable[str] | None = None) -> list[JobInfo]:
        with self._read() as session:
            query = select(Job).order_by(Job.id)
            if ids is not None:
                wanted = list(ids)
                if not wanted:
                    return []
                query = query.where(Job.id.in_(wanted))
            if case_id is not None:
                query = query.where(Job.case_id == case_id)
            if states is not None:
                query = query.where(Job.state.in_(list(states)))
            return [_info(row) for row in session.scalars(query)]

    def claim_job(self, job_id: int, worker: str, lease: float,
                  max_attempts: int = 3) -> JobInfo | None:
        """Take a queued job (or one whose lease ran out) for `worker`; None when another
        worker has it or it is over. A job interrupted `max_attempts` times fails."""
        at = now()
        with self._write() as session:
            claimed = session.execute(update(Job).where(
                Job.id == job_id, Job.attempts < max_attempts,
                or_(Job.state == "queued",
                    (Job.state == "running") & (Job.lease_until < at)),
            ).values(state="running", worker=worker, attempts=Job.attempts + 1,
                     lease_until=at + timedelta(seconds=lease), started_at=at,
                     step="starting"))
            if changed_rows(claimed) != 1:
                session.execute(update(Job).where(
                    Job.id == job_id, Job.attempts >= max_attempts,
                    Job.state.in_(ACTIVE),
                    or_(Job.state == "queued", Job.lease_until < at),
                ).values(state="failed", finished_at=at, lease_until=None,
                         message=f"interrupted {max_attempts} times; left as it was"))
                return None
            row = session.get(Job, job_id)
            return _info(row) if row is not None else None

    def job_progress(self, job_id: int, worker: str, progress: int, step: str,
                     lease: float) -> bool:
        """Record how far the job is and renew its lease; False when the job is no longer this
        worker's (its lease ran out and another took it): the worker must stop."""
        with self._write() as session:
            done = session.execute(update(Job).where(
                Job.id == job_id, Job.worker == worker, Job.state == "running",
            ).values(progress=max(0, min(100, int(progress))), step=step[:500],
                     lease_until=now() + timedelta(seconds=lease)))
            return changed_rows(done) == 1

    def end_job(self, job_id: int, worker: str, state: str, message: str = "",
                version_number: int | None = None) -> bool:
        """End a job this worker holds: done (with the version it found or made), failed
        (why), or superseded (its inputs changed again before it ran)."""
        with self._write() as session:
            ended = session.execute(update(Job).where(
                Job.id == job_id, Job.worker == worker, Job.state == "running",
            ).values(state=state, message=message[:2000], finished_at=now(),
                     lease_until=None, version_number=version_number,
                     progress=100 if state == "done" else Job.progress,
                     step=state))
            return changed_rows(ended) == 1

    def release_job(self, job_id: int, worker: str, step: str) -> bool:
        """Give a job back to the queue (it failed unexpectedly and will be tried again)."""
        with self._write() as session:
            done = session.execute(update(Job).where(
                Job.id == job_id, Job.worker == worker, Job.state == "running",
            ).values(state="queued", worker="", lease_until=None, step=step[:500]))
            return changed_rows(done) == 1

    def reap_jobs(self) -> list[int]:
        """Jobs whose worker stopped renewing its lease (killed, frozen): back to 'queued',
        where another worker takes them. Returns their ids."""
        at = now()
        with self._write() as session:
            ids = list(session.scalars(select(Job.id).where(
                Job.state == "running", Job.lease_until < at)))
            if ids:
                session.execute(update(Job).where(
                    Job.id.in_(ids), Job.state == "running", Job.lease_until < at,
                ).values(state="queued", worker="", lease_until=None,
                         step="interrupted; waiting for another worker"))
            return ids

    def queued_jobs(self, limit: int = 50) -> list[int]:
        with self._read() as session:
            return list(session.scalars(select(Job.id).where(Job.state == "queued")
                                        .order_by(Job.id).limit(limit)))
