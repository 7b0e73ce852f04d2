"""Cases in the case store for tests: registered and annotated the way `mtb case sync --wait`
does it, with the session's knowledge base (tests/conftest.py `kb`), so that pages and reports
read them from the store as the app does."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from mtb.annotation_run import KnowledgeCache
from mtb.config import Settings
from mtb.jobs import JobQueue, Worker
from mtb.library import Library
from mtb.store import Store


def settings_for(data_dir: Path, cases: Path | None = None, **more: str) -> Settings:
    environ = {"MTB_DATA_DIR": str(data_dir), **more}
    if cases is not None:
        environ["MTB_CASES_DIR"] = str(cases)
    return Settings.load(environ=environ)


def worker_for(settings: Settings, store: Store, kb: Any, name: str = "test-worker") -> Worker:
    """A worker in this process with the session's knowledge base."""
    queue = JobQueue(settings)
    return Worker(settings, store, queue, name=name,
                  knowledge=KnowledgeCache(settings, lambda _progress: kb),
                  library=Library(settings, store, notify=queue.send))


def annotate_all(settings: Settings, store: Store, kb: Any) -> Library:
    """Register every case of the cases folder and annotate them (as `mtb case sync --wait`)."""
    worker = worker_for(settings, store, kb)
    worker.library.sync()
    assert worker.run_until_idle(timeout=600)
    return worker.library


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite store (WAL included)."""
    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        old.backup(new)


def store_drawn(store: Store, case: Any, *, key: str = "", reason: str = "drawn",
                kb_release: str = "CIViC drawn", changes: dict[str, Any] | None = None,
                board_changes: dict[str, Any] | None = None) -> int:
    """Register a drawn Case (tests/drawn.py) and store it as its next version, as a worker
    would; returns the version's number."""
    from mtb import case_document
    from mtb.annotation_run import new_version
    from mtb.store import CaseHeader
    from mtb.versions import KbSignature

    entry = case.entry
    store.register_case(CaseHeader(entry.id, str(entry.folder), "drawn", entry.title,
                                   entry.diagnosis, entry.synthetic, entry.synthetic_parts))
    current = store.stored_case(entry.id).current_version or 0
    signature = KbSignature("0" * 64, kb_release, "approvals drawn", {})
    new = new_version(case, case_document.dumps(case), key=key or f"drawn-{current + 1}",
                      reason=reason, kb=signature, files=[], changes=changes or {},
                      board_changes=board_changes or {})
    return store.add_version(new, after=current, job_id=None, worker="drawn").number
