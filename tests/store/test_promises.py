"""The store's promises under stress, on SQLite and on PostgreSQL (issue 6, item 7).

Concurrent edits: many curators (threads sharing one store, as in the web server, or separate
processes, as with several server workers) write at once. Each adds curations of its own and
edits one shared curation at the version it loaded, all of them the same version in each round
(a barrier lines them up), so that the optimistic lock is really contended. Nothing may be lost:
every write that returned is in the database and in the audit log exactly once; every write that
did not was refused with StaleEditError; and the shared curation's audit trail is one unbroken
chain (each edit's "before" is the previous edit's "after": nobody overwrote anyone unseen).

A killed writer: a process dies by SIGKILL inside a transaction (after its rows reached the
database's files or server, before COMMIT), or at a random moment of a run of ordinary writes.
The database must then be consistent, hold every write that was acknowledged and nothing of the
killed one, keep exactly one audit entry per change, and take writes again.

Workers are module-level functions: the "spawn" start method imports this module in the child.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import sqlite3
import threading
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, select, text
from sqlalchemy.orm import Session

from mtb.store import AccessError, Actor, StaleEditError, Store
from mtb.store.schema import AuditEntry, Curation

CASE = "case-concurrent"
SHARED = "chr12:25245350:C>A"
RACED = "chr17:7675088:C>T"
WORKERS_THREADS = 6
WORKERS_PROCESSES = 4
ROUNDS = 5
BARRIER_TIMEOUT = 60
SPAWN = multiprocessing.get_context("spawn")
OWNER = Actor("owner", "curator")


# -- concurrent edits ---------------------------------------------------------------------------


def _work(store: Store, worker: int, rounds: int, wait: Any) -> dict[str, Any]:
    """One curator's session: race to create RACED, then per round a curation of its own and an
    edit of SHARED at the version loaded before the barrier. Never raises: unexpected errors are
    reported (and break the barrier, so the others do not wait for this one)."""
    actor = Actor(f"curator-{worker}", "curator")
    result: dict[str, Any] = {"worker": worker, "own": [], "shared_ok": [], "shared_refused": 0,
                              "created": False, "create_refused": 0, "errors": []}
    try:
        wait()
        try:
            store.curate(CASE, RACED, actor, 0, comment=f"created by {worker}")
            result["created"] = True
        except StaleEditError:
            result["create_refused"] += 1
        for round_ in range(rounds):
            key = f"own-{worker}-{round_}"
            store.curate(CASE, key, actor, 0, comment=f"{worker}/{round_}")
            result["own"].append(key)
            loaded = store.curations(CASE)[SHARED].version
            wait()  # everyone has loaded the same version now
            comment = f"shared by {worker} in round {round_}"
            try:
                store.curate(CASE, SHARED, actor, loaded, oncogenicity="oncogenic",
                             comment=comment)
                result["shared_ok"].append(comment)
            except StaleEditError:
                result["shared_refused"] += 1
    except Exception as error:
        result["errors"].append(f"worker {worker}: {type(error).__name__}: {error}")
        abort = getattr(wait, "__self__", None)
        if abort is not None:
            abort.abort()
    return result


def _process_worker(url: str, worker: int, rounds: int, barrier: Any, out: str) -> None:
    """A separate process with its own store (own engine and connections)."""
    store = Store.open(url)
    try:
        result = _work(store, worker, rounds, barrier.wait)
    finally:
        store.close()
    Path(out).write_text(json.dumps(result))


def _prepare(url: str) -> Store:
    store = Store.open(url)
    store.curate(CASE, SHARED, OWNER, 0, oncogenicity="uncertain", comment="before the board")
    return store


def _check_nothing_lost(store: Store, results: list[dict[str, Any]], workers: int,
                        rounds: int) -> None:
    errors = [error for result in results for error in result["errors"]]
    assert errors == []
    assert len(results) == workers
    curations = store.curations(CASE)

    # curations of their own: all there, once
    for worker in range(workers):
        for round_ in range(rounds):
            row = curations[f"own-{worker}-{round_}"]
            assert (row.comment, row.version, row.updated_by) == (
                f"{worker}/{round_}", 1, f"curator-{worker}")
    assert len(curations) == workers * rounds + 2

    # the creation race: one winner, everyone else refused
    assert sum(result["created"] for result in results) == 1
    assert sum(result["create_refused"] for result in results) == workers - 1
    winner = next(result["worker"] for result in results if result["created"])
    assert curations[RACED].comment == f"created by {winner}"

    # the shared curation: in each round everyone tried the same version, so exactly one won
    saved = [comment for result in results for comment in result["shared_ok"]]
    refused = sum(result["shared_refused"] for result in results)
    assert len(saved) + refused == workers * rounds
    assert len(saved) == rounds, f"{len(saved)} edits saved of {rounds} rounds: lost updates"
    assert len(set(saved)) == len(saved)
    assert curations[SHARED].version == 1 + len(saved)

    # the audit log: one entry per change, per key as many as the row's version
    entries = [entry for entry in store.audit(CASE) if entry.action == "curate"]
    assert len(entries) == 1 + workers * rounds + 1 + len(saved)
    per_key = Counter(entry.entity_key for entry in entries)
    assert per_key == Counter({f"{CASE}/{key}": row.version for key, row in curations.items()})
    chain = [(json.loads(entry.before), json.loads(entry.after)) for entry in entries
             if entry.entity_key == f"{CASE}/{SHARED}"]
    assert sorted(after["comment"] for _, after in chain[1:]) == sorted(saved)
    for (_, previous), (before, _) in pairwise(chain):
        assert before == previous, "an edit overwrote a change its author had not seen"
    assert chain[-1][1]["comment"] == curations[SHARED].comment


def test_concurrent_edits_from_threads_lose_nothing(store_url: str) -> None:
    store = _prepare(store_url)
    try:
        barrier = threading.Barrier(WORKERS_THREADS, timeout=BARRIER_TIMEOUT)
        results: list[dict[str, Any]] = []
        threads = [threading.Thread(
            target=lambda w=worker: results.append(_work(store, w, ROUNDS, barrier.wait)))
            for worker in range(WORKERS_THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(BARRIER_TIMEOUT * 2)
        assert not any(thread.is_alive() for thread in threads)
        _check_nothing_lost(store, results, WORKERS_THREADS, ROUNDS)
    finally:
        store.close()


def test_concurrent_edits_from_processes_lose_nothing(store_url: str, tmp_path: Path) -> None:
    store = _prepare(store_url)
    try:
        barrier = SPAWN.Barrier(WORKERS_PROCESSES, timeout=BARRIER_TIMEOUT)
        outs = [tmp_path / f"worker-{worker}.json" for worker in range(WORKERS_PROCESSES)]
        processes = [SPAWN.Process(target=_process_worker,
                                   args=(store_url, worker, ROUNDS, barrier, str(out)))
                     for worker, out in enumerate(outs)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(BARRIER_TIMEOUT * 2)
        for process in processes:
            if process.is_alive():
                process.kill()
        assert [process.exitcode for process in processes] == [0] * WORKERS_PROCESSES
        results = [json.loads(out.read_text()) for out in outs]
        _check_nothing_lost(store, results, WORKERS_PROCESSES, ROUNDS)
    finally:
        store.close()


# -- finalizing while a curation is being saved ------------------------------------------------


def _wait_until_blocked(store: Store, deadline: float) -> None:
    """Until the curate call waits for a lock: on PostgreSQL visible in pg_stat_activity; on
    SQLite a short while (if the call is slower, it reads the final status and the test passes,
    so a slow machine cannot make this fail)."""
    if store.engine.dialect.name != "postgresql":
        time.sleep(0.5)
        return
    while time.monotonic() < deadline:
        with store.engine.connect() as connection:
            waiting = connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar_one()
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError("the curation never waited for the lock")


def test_a_case_finalized_while_a_curation_is_saved_keeps_it_out(store_url: str) -> None:
    """The chair finalizes the case while a curator's save is under way: the save may be
    refused, or come first (then the chair's 'final', made on an older version, is refused
    too, or the case is final with it), but it must never land in the case after it became
    final, as the audit log would then show. The curator's save is held up just after
    its check of the case's status by a lock on the curation's row (PostgreSQL) or on the
    database (SQLite), which this test takes."""
    chair, curator = Actor("charlotte", "chair"), Actor("carla", "curator")
    store = Store.open(store_url)
    try:
        store.curate(CASE, SHARED, curator, 0, comment="before the board")
        version = store.case_record(CASE).version
        for status in ("presented", "decided"):
            version = store.set_status(CASE, status, chair, version).version
        revision = store.case_record(CASE).revision  # what the chair saw
        outcome: list[BaseException | None] = []

        def save() -> None:
            try:
                store.curate(CASE, SHARED, curator, 1, comment="after the board")
                outcome.append(None)
            except Exception as error:
                outcome.append(error)

        saver = threading.Thread(target=save)
        path = _sqlite_path(store_url)
        if path is None:
            blocker = store.engine.connect()
            held = blocker.begin()
            blocker.execute(text("SELECT id FROM curation WHERE finding_key = :key FOR UPDATE"),
                            {"key": SHARED})
            saver.start()
            _wait_until_blocked(store, time.monotonic() + 20)
            # (in a thread: a store that locks the case for the save makes the chair wait)
            chair_outcome: list[BaseException | None] = []

            def finalize() -> None:
                try:
                    store.set_status(CASE, "final", chair, version, revision=revision)
                    chair_outcome.append(None)
                except StaleEditError as error:  # the save came first: refused, as it must
                    chair_outcome.append(error)

            chair_done = threading.Thread(target=finalize)
            chair_done.start()
            chair_done.join(2)
            held.rollback()
            blocker.close()
            chair_done.join(30)
        else:
            blocker_sqlite = sqlite3.connect(path, timeout=30, isolation_level=None)
            blocker_sqlite.execute("BEGIN IMMEDIATE")
            saver.start()
            _wait_until_blocked(store, time.monotonic() + 20)
            # what the chair's set_status writes, in the transaction that holds the lock
            blocker_sqlite.execute(
                "UPDATE case_record SET status = 'final', version = version + 1, "
                "revision = revision + 1, "
                "updated_by = ? WHERE case_id = ?", (chair.name, CASE))
            blocker_sqlite.execute(
                "INSERT INTO audit_log (at, user_name, action, entity, entity_key, case_id, "
                "before, after) VALUES (datetime('now'), ?, 'set_status', 'case_record', ?, ?, "
                "'{\"status\": \"decided\"}', '{\"status\": \"final\"}')",
                (chair.name, CASE, CASE))
            blocker_sqlite.execute("COMMIT")
            blocker_sqlite.close()
        saver.join(30)
        assert len(outcome) == 1
        assert outcome[0] is None or isinstance(outcome[0], AccessError | StaleEditError), outcome
        entries = store.audit(CASE)
        if store.case_record(CASE).status != "final":
            # the save came first and changed the case, so the chair's "final" (made on the
            # version the chair had seen) was refused: safe, the chair reloads and decides
            assert outcome[0] is None
            assert entries[-1].action == "curate"
        else:
            # the case is final: the save came first or was refused, never after
            final = next(i for i, e in enumerate(entries)
                         if json.loads(e.after) == {"status": "final"})
            assert [e.action for e in entries[final + 1:]] == [], "a write after 'final'"
        saved = [json.loads(e.after)["comment"] for e in entries if e.action == "curate"]
        assert store.curations(CASE)[SHARED].comment == saved[-1]
    finally:
        store.close()


# -- a writer killed by SIGKILL -----------------------------------------------------------------

KILLED = "case-killed"
HALF = "half-written"
BIG = 6_000_000  # characters: more than SQLite's page cache, so the rows reach the WAL file


def _die_inside_a_transaction(url: str) -> None:
    """Commit some curations the ordinary way, then, in one transaction, add a curation with its
    audit entry and change a committed one, and die by SIGKILL before COMMIT. (The store's own
    code path, exactly: the same models, the same session, only the end differs.)"""
    store = Store.open(url)
    actor = Actor("killed-curator", "curator")
    for index in range(3):
        store.curate(KILLED, f"committed-{index}", actor, 0, comment=f"committed {index}")
    store.curate(KILLED, "committed-0", actor, 1, comment="committed 0, edited")
    session = Session(store.engine)
    session.begin()
    session.add(Curation(case_id=KILLED, finding_key=HALF, oncogenicity="oncogenic",
                         comment="x" * BIG, updated_by=actor.name))
    session.add(AuditEntry(user_name=actor.name, action="curate", entity="curation",
                           entity_key=f"{KILLED}/{HALF}", case_id=KILLED, before="{}",
                           after=json.dumps({"comment": "x"})))
    row = session.scalar(select(Curation).where(Curation.finding_key == "committed-1"))
    assert row is not None
    row.comment = "changed, never committed"
    session.flush()  # the rows are in the database's files (SQLite) or server (PostgreSQL) now
    os.kill(os.getpid(), signal.SIGKILL)


def _write_until_killed(url: str, progress: str) -> None:
    """Ordinary writes through the store, one after another, each acknowledged in `progress`
    once it returned, until the parent kills this process at a random moment."""
    store = Store.open(url)
    actor = Actor("killed-curator", "curator")
    version = 0
    with open(progress, "a", buffering=1) as acknowledged:
        for index in range(100_000):
            store.curate(KILLED, f"loop-{index}", actor, 0, comment=f"loop {index}")
            acknowledged.write(f"loop-{index}\n")
            version = store.curate(KILLED, "edited", actor, version,
                                   comment=f"edit {index}").version
            acknowledged.write(f"edited@{version}\n")


def _sqlite_path(url: str) -> str | None:
    return make_url(url).database if url.startswith("sqlite") else None


def _check_consistent(url: str) -> None:
    """The database's own checks: SQLite's integrity and foreign keys; on PostgreSQL no
    transaction of the dead client is left open (holding locks)."""
    path = _sqlite_path(url)
    if path is not None:
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        return
    store = Store.open(url)
    try:
        deadline = time.monotonic() + 10
        while True:
            with store.engine.connect() as connection:
                open_elsewhere = connection.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
                )).scalar_one()
            if open_elsewhere == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert open_elsewhere == 0
    finally:
        store.close()


def _check_audit_complete(store: Store) -> None:
    """Every curation change has exactly one audit entry, and every audit entry a change: per
    curation as many entries as its version, the newest one's "after" being what is stored."""
    curations = store.curations(KILLED)
    entries = [entry for entry in store.audit(KILLED) if entry.action == "curate"]
    per_key = Counter(entry.entity_key for entry in entries)
    assert per_key == Counter({f"{KILLED}/{key}": row.version for key, row in curations.items()})
    newest = {entry.entity_key: json.loads(entry.after) for entry in entries}
    for key, row in curations.items():
        assert newest[f"{KILLED}/{key}"]["comment"] == row.comment


def _check_still_writable(store: Store) -> None:
    """New curations and edits of old ones go through, with their audit entries."""
    actor = Actor("after-the-crash", "curator")
    store.curate(KILLED, HALF, actor, 0, comment="written after the crash")
    for key, row in store.curations(KILLED).items():
        store.curate(KILLED, key, actor, row.version, comment=f"{row.comment}, checked")
    _check_audit_complete(store)


def test_a_writer_killed_inside_a_transaction_leaves_no_trace(store_url: str) -> None:
    Store.open(store_url).close()  # migrated before the child starts
    child = SPAWN.Process(target=_die_inside_a_transaction, args=(store_url,))
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    path = _sqlite_path(store_url)
    if path is not None:  # the half-written rows did reach the disk: recovery had work to do
        assert Path(path + "-wal").stat().st_size > BIG // 2
    _check_consistent(store_url)

    store = Store.open(store_url)
    try:
        curations = store.curations(KILLED)
        assert sorted(curations) == ["committed-0", "committed-1", "committed-2"]
        assert (curations["committed-0"].comment, curations["committed-0"].version) == (
            "committed 0, edited", 2)
        assert (curations["committed-1"].comment, curations["committed-1"].version) == (
            "committed 1", 1)
        assert f"{KILLED}/{HALF}" not in {entry.entity_key for entry in store.audit()}
        assert len(store.audit()) == 4
        _check_audit_complete(store)
        _check_still_writable(store)
    finally:
        store.close()
    _check_consistent(store_url)


def test_a_writer_killed_at_a_random_moment_loses_no_acknowledged_write(
    store_url: str, tmp_path: Path
) -> None:
    Store.open(store_url).close()
    progress = tmp_path / "acknowledged.txt"
    progress.touch()
    child = SPAWN.Process(target=_write_until_killed, args=(store_url, str(progress)))
    child.start()
    try:
        deadline = time.monotonic() + 60
        while progress.read_text().count("\n") < 20 and child.is_alive():
            assert time.monotonic() < deadline, "the writer made no progress"
            time.sleep(0.005)
        time.sleep(random.uniform(0, 0.05))  # somewhere inside a write, most likely
    finally:
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join(30)
    assert child.exitcode == -signal.SIGKILL
    acknowledged = progress.read_text().splitlines()
    _check_consistent(store_url)

    store = Store.open(store_url)
    try:
        curations = store.curations(KILLED)
        for line in acknowledged:
            key, _, version = line.partition("@")
            assert key in curations, f"{key} was acknowledged but is lost"
            if version:
                assert curations[key].version >= int(version)
        loops = sorted(int(key.split("-")[1]) for key in curations if key.startswith("loop-"))
        assert loops == list(range(len(loops)))  # no gap: each write all or nothing, in order
        _check_audit_complete(store)
        _check_still_writable(store)
    finally:
        store.close()
    _check_consistent(store_url)
