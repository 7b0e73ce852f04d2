"""The case store's behaviour, on SQLite and on PostgreSQL: users and roles, curation with
optimistic locking, board decisions, the final lock, and an audit log the database itself keeps
append-only. Each test starts from an empty, freshly migrated database."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mtb.board import AMP_TIERS, EVIDENCE_GRADES
from mtb.errors import StorageError
from mtb.store import AccessError, Actor, StaleEditError, Store
from mtb.store.repository import MIGRATIONS
from mtb.store.schema import Base

ADMIN = Actor("ada", "admin")
CHAIR = Actor("charlotte", "chair")
CURATOR = Actor("carla", "curator")
COLLEAGUE = Actor("chris", "curator")
VIEWER = Actor("vic", "viewer")
CASE = "case-001"
KRAS = "chr12:25245350:C>A"
TP53 = "chr17:7675088:C>T"
PASSWORD = "correct horse battery staple"


def _audit_count(store: Store) -> int:
    return len(store.audit())


def _finalize(store: Store, case_id: str = CASE) -> None:
    version = store.case_record(case_id).version
    for status in ("presented", "decided"):
        version = store.set_status(case_id, status, CHAIR, version).version
    seen = store.case_record(case_id)
    store.set_status(case_id, "final", CHAIR, seen.version, revision=seen.revision)


# -- users --------------------------------------------------------------------------------------


def test_a_password_is_stored_only_as_an_argon2_hash(store: Store) -> None:
    store.add_user("ada", "admin", PASSWORD)
    with store.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT password_hash FROM user_account WHERE name = 'ada'")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    for entry in store.audit():
        assert PASSWORD not in entry.before + entry.after
        assert stored not in entry.before + entry.after


def test_authenticate_knows_the_right_password_only(store: Store) -> None:
    store.add_user("ada", "admin", PASSWORD)
    store.add_user("vic", "viewer", "another long password", by=ADMIN)
    assert store.authenticate("ada", PASSWORD) == Actor("ada", "admin")
    assert store.authenticate("vic", "another long password") == Actor("vic", "viewer")
    assert store.authenticate("ada", PASSWORD + "x") is None
    assert store.authenticate("ada", "") is None
    assert store.authenticate("vic", PASSWORD) is None
    assert store.authenticate("nobody", PASSWORD) is None
    assert store.actor("vic") == Actor("vic", "viewer")
    assert store.actor("nobody") is None
    assert store.has_users()


def test_users_need_a_known_role_a_long_password_and_a_unique_name(store: Store) -> None:
    assert not store.has_users()
    with pytest.raises(StorageError, match="role 'root'"):
        store.add_user("ada", "root", PASSWORD)
    with pytest.raises(StorageError, match="at least 10"):
        store.add_user("ada", "admin", "short")
    with pytest.raises(StorageError, match="1 to 80"):
        store.add_user("   ", "admin", PASSWORD)
    assert not store.has_users()
    store.add_user("ada", "admin", PASSWORD)
    with pytest.raises(StorageError, match="exists already"):
        store.add_user("ada", "viewer", "yet another password")
    assert store.authenticate("ada", PASSWORD) == Actor("ada", "admin")
    for role in ("viewer", "curator", "chair", "admin"):
        store.add_user(f"user-{role}", role, PASSWORD, by=ADMIN)
        assert store.actor(f"user-{role}") == Actor(f"user-{role}", role)
    assert [e.action for e in store.audit()] == ["add_user"] * 5


# -- curation -----------------------------------------------------------------------------------


def test_curation_is_created_updated_and_a_stale_edit_is_refused_naming_who(store: Store) -> None:
    created = store.curate(CASE, KRAS, CURATOR, 0, oncogenicity="oncogenic", comment="first",
                           in_report=True)
    assert created.version == 1
    loaded = store.curations(CASE)[KRAS]
    assert (loaded.oncogenicity, loaded.comment, loaded.in_report, loaded.updated_by) == (
        "oncogenic", "first", True, CURATOR.name)

    # both curators loaded version 1; the colleague saves first
    updated = store.curate(CASE, KRAS, COLLEAGUE, loaded.version,
                           oncogenicity="likely oncogenic", comment="second")
    assert updated.version == 2
    with pytest.raises(StaleEditError, match=COLLEAGUE.name):
        store.curate(CASE, KRAS, CURATOR, loaded.version, oncogenicity="benign",
                     comment="would overwrite the colleague")
    # creating what a colleague created meanwhile is stale too, and so is editing what is not there
    with pytest.raises(StaleEditError, match=COLLEAGUE.name):
        store.curate(CASE, KRAS, CURATOR, 0, comment="also created it")
    with pytest.raises(StaleEditError):
        store.curate(CASE, TP53, CURATOR, 3, comment="never existed")

    stored = store.curations(CASE)
    assert list(stored) == [KRAS]
    assert (stored[KRAS].oncogenicity, stored[KRAS].comment, stored[KRAS].version) == (
        "likely oncogenic", "second", 2)
    assert [e.user_name for e in store.audit(CASE)] == [CURATOR.name, COLLEAGUE.name]


def test_curation_values_are_checked(store: Store) -> None:
    with pytest.raises(StorageError, match="oncogenicity 'very oncogenic'"):
        store.curate(CASE, KRAS, CURATOR, 0, oncogenicity="very oncogenic")
    with pytest.raises(StorageError, match="tier 'V'"):
        store.curate(CASE, KRAS, CURATOR, 0, tier_override="V", override_reason="why not")
    assert store.curations(CASE) == {}
    assert _audit_count(store) == 0


def test_a_tier_override_needs_a_reason(store: Store) -> None:
    for reason in ("", "   \n"):
        with pytest.raises(StorageError, match="needs a reason"):
            store.curate(CASE, KRAS, CURATOR, 0, tier_override="IA", override_reason=reason)
    assert store.curations(CASE) == {}
    assert _audit_count(store) == 0
    for tier in AMP_TIERS:
        store.curate(CASE, f"{KRAS}/{tier}", CURATOR, 0, tier_override=tier,
                     override_reason=f"  trial data for {tier} ")
    stored = store.curations(CASE)
    assert {row.tier_override: row.override_reason for row in stored.values()} == {
        tier: f"trial data for {tier}" for tier in AMP_TIERS}
    # an existing override cannot lose its reason either
    row = stored[f"{KRAS}/IA"]
    with pytest.raises(StorageError, match="needs a reason"):
        store.curate(CASE, f"{KRAS}/IA", CURATOR, row.version, tier_override="IA")
    assert store.curations(CASE)[f"{KRAS}/IA"].version == row.version


# -- case status --------------------------------------------------------------------------------


def test_case_status_moves_only_along_the_allowed_transitions(store: Store) -> None:
    record = store.case_record(CASE)
    assert (record.status, record.version) == ("prepared", 0)
    with pytest.raises(StorageError, match="prepared cannot become decided"):
        store.set_status(CASE, "decided", CHAIR, 0)
    with pytest.raises(StorageError, match="prepared cannot become final"):
        store.set_status(CASE, "final", CHAIR, 0)
    with pytest.raises(StorageError, match="status 'archived'"):
        store.set_status(CASE, "archived", CHAIR, 0)
    assert store.statuses() == {}

    version = store.set_status(CASE, "presented", CHAIR, 0).version
    with pytest.raises(StorageError, match="presented cannot become final"):
        store.set_status(CASE, "final", CHAIR, version)
    version = store.set_status(CASE, "prepared", ADMIN, version).version  # back, to prepare more
    version = store.set_status(CASE, "presented", CHAIR, version).version
    stale = version
    version = store.set_status(CASE, "decided", CHAIR, version).version
    with pytest.raises(StaleEditError, match=CHAIR.name):
        store.set_status(CASE, "presented", ADMIN, stale)
    version = store.set_status(CASE, "final", CHAIR, version,
                               revision=store.case_record(CASE).revision).version
    assert store.statuses() == {CASE: "final"}
    for status in ("prepared", "presented", "decided", "final"):
        with pytest.raises(AccessError, match="final"):
            store.set_status(CASE, status, ADMIN, version)
    assert store.case_record(CASE).status == "final"
    steps = [(json.loads(e.before)["status"], json.loads(e.after)["status"])
             for e in store.audit(CASE)]
    assert steps == [("prepared", "presented"), ("presented", "prepared"),
                     ("prepared", "presented"), ("presented", "decided"), ("decided", "final")]


def test_a_final_case_refuses_every_write(store: Store) -> None:
    curation = store.curate(CASE, KRAS, CURATOR, 0, oncogenicity="oncogenic")
    summary = store.set_summary(CASE, "KRAS G12C NSCLC", CURATOR, 0)  # the summary's own
    recommendation = store.recommend(CASE, CHAIR, kind="therapy", text="Sotorasib",
                                     evidence_grade="m1A", finding_keys=(KRAS,))
    assert curation.case_revision == 1 and summary.revision == 2
    assert recommendation.case_revision == summary.revision + 1  # a recommendation counts too
    _finalize(store)
    record = store.case_record(CASE)
    assert record.revision == recommendation.case_revision + 3
    written = _audit_count(store)

    refused: list[Callable[[], Any]] = [
        lambda: store.curate(CASE, KRAS, CURATOR, 1, comment="changed after the board"),
        lambda: store.curate(CASE, TP53, CURATOR, 0, comment="added after the board"),
        lambda: store.set_summary(CASE, "rewritten", CURATOR, record.summary_version),
        lambda: store.recommend(CASE, CHAIR, kind="trial", text="NCT00000000"),
        lambda: store.withdraw(recommendation.id, CHAIR, recommendation.version),
        lambda: store.set_status(CASE, "decided", ADMIN, record.version),
    ]
    for write in refused:
        with pytest.raises(AccessError, match="read-only"):
            write()

    assert _audit_count(store) == written
    assert store.curations(CASE)[KRAS].comment == ""
    assert set(store.curations(CASE)) == {KRAS}
    assert store.case_record(CASE).summary == "KRAS G12C NSCLC"
    assert [(r.text, r.withdrawn) for r in store.recommendations(CASE, withdrawn=True)] == [
        ("Sotorasib", False)]
    # other cases stay open
    store.curate("case-002", KRAS, CURATOR, 0, comment="still open")


# -- recommendations ----------------------------------------------------------------------------


def test_recommendations_validate_their_grades(store: Store) -> None:
    good = {"kind": "therapy", "text": "Sotorasib", "evidence_grade": "m1A", "amp_tier": "IA"}
    bad = [({"kind": "surgery"}, "kind 'surgery'"),
           ({"evidence_grade": "m5"}, "evidence grade 'm5'"),
           ({"evidence_grade": "1A"}, "evidence grade '1A'"),
           ({"evidence_grade": "m1a"}, "evidence grade 'm1a'"),
           ({"amp_tier": "V"}, "tier 'V'"),
           ({"text": "   "}, "needs its therapy")]
    for change, message in bad:
        with pytest.raises(StorageError, match=message):
            store.recommend(CASE, CHAIR, **{**good, **change})
    assert store.recommendations(CASE, withdrawn=True) == []
    assert _audit_count(store) == 0

    for grade in EVIDENCE_GRADES:
        store.recommend(CASE, CHAIR, kind="therapy", text=f"drug for {grade}",
                        evidence_grade=grade)
    for kind in ("trial", "diagnostics", "genetic_counselling"):
        store.recommend(CASE, ADMIN, kind=kind, text=f"a {kind}", amp_tier="IIC")
    stored = store.recommendations(CASE)
    assert [r.evidence_grade for r in stored[: len(EVIDENCE_GRADES)]] == list(EVIDENCE_GRADES)
    assert [r.kind for r in stored[len(EVIDENCE_GRADES):]] == [
        "trial", "diagnostics", "genetic_counselling"]


def test_withdrawing_keeps_the_recommendation(store: Store) -> None:
    kept = store.recommend(CASE, CHAIR, kind="therapy", text=" Sotorasib ", evidence_grade="m1A",
                           amp_tier="IA", rationale="CodeBreaK 200", finding_keys=(KRAS, TP53))
    other = store.recommend(CASE, CHAIR, kind="genetic_counselling", text="TP53 germline?")
    withdrawn = store.withdraw(kept.id, CHAIR, kept.version)
    assert withdrawn.withdrawn and withdrawn.version == kept.version + 1
    assert [r.id for r in store.recommendations(CASE)] == [other.id]
    everything = {r.id: r for r in store.recommendations(CASE, withdrawn=True)}
    assert set(everything) == {kept.id, other.id}
    row = everything[kept.id]
    assert (row.withdrawn, row.text, row.rationale, row.finding_keys.split("\n")) == (
        True, "Sotorasib", "CodeBreaK 200", [KRAS, TP53])
    with pytest.raises(StaleEditError, match=CHAIR.name):
        store.withdraw(kept.id, ADMIN, kept.version)
    with pytest.raises(StorageError, match="no recommendation"):
        store.withdraw(10_000, CHAIR, 1)
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM recommendation")).scalar_one() == 2


def test_withdrawing_twice_does_not_rewrite_history(store: Store) -> None:
    """The audit log's "before" is what was stored before the write, never an assumption."""
    recommendation = store.recommend(CASE, CHAIR, kind="therapy", text="Sotorasib")
    withdrawn = store.withdraw(recommendation.id, CHAIR, recommendation.version)
    try:
        store.withdraw(recommendation.id, CHAIR, withdrawn.version)
    except StorageError:
        return  # refusing is right too
    assert json.loads(store.audit(CASE)[-1].before) == {"withdrawn": True}


# -- audit --------------------------------------------------------------------------------------


def test_every_write_has_an_audit_entry_with_before_and_after(store: Store) -> None:
    store.add_user("ada", "admin", PASSWORD)
    store.curate(CASE, KRAS, CURATOR, 0, oncogenicity="oncogenic", comment="first")
    store.curate(CASE, KRAS, COLLEAGUE, 1, oncogenicity="oncogenic", comment="second",
                 tier_override="IB", override_reason="guideline")
    summary = store.set_summary(CASE, "KRAS G12C", CURATOR,
                                store.case_record(CASE).summary_version)
    store.set_status(CASE, "presented", CHAIR, summary.version)
    recommendation = store.recommend(CASE, CHAIR, kind="therapy", text="Sotorasib",
                                     evidence_grade="m1A", finding_keys=(KRAS,))
    store.withdraw(recommendation.id, CHAIR, recommendation.version)
    store.add_meeting(date(2025, 3, 4), "", ["Dr. A", "Dr. B", ""], CHAIR)

    entries = store.audit()
    assert [(e.action, e.user_name) for e in entries] == [
        ("add_user", "mtb (command line)"), ("curate", CURATOR.name), ("curate", COLLEAGUE.name),
        ("set_summary", CURATOR.name), ("set_status", CHAIR.name), ("recommend", CHAIR.name),
        ("withdraw", CHAIR.name), ("add_meeting", CHAIR.name)]
    assert all(e.at is not None for e in entries)
    changes = [(json.loads(e.before), json.loads(e.after)) for e in entries]
    assert changes[0] == ({}, {"name": "ada", "role": "admin"})
    assert changes[1][0] == {}
    assert changes[1][1]["comment"] == "first"
    assert changes[2][0] == {"oncogenicity": "oncogenic", "tier_override": "",
                             "override_reason": "", "comment": "first", "in_report": False}
    assert changes[2][1] == {"oncogenicity": "oncogenic", "tier_override": "IB",
                             "override_reason": "guideline", "comment": "second",
                             "in_report": False}
    assert changes[3] == ({"summary": ""}, {"summary": "KRAS G12C"})
    assert changes[4] == ({"status": "prepared"}, {"status": "presented"})
    assert changes[5][0] == {}
    assert changes[5][1]["text"] == "Sotorasib"
    assert changes[5][1]["finding_keys"] == [KRAS]
    assert changes[6] == ({"withdrawn": False}, {"withdrawn": True})
    assert changes[7][1] == {"day": "2025-03-04", "title": "Tumor board 2025-03-04",
                             "participants": "Dr. A\nDr. B"}
    assert [e.entity_key for e in entries[1:3]] == [f"{CASE}/{KRAS}"] * 2
    assert [e.action for e in store.audit(CASE)] == [
        "curate", "curate", "set_summary", "set_status", "recommend", "withdraw"]


def test_the_database_refuses_to_change_or_delete_audit_entries(store: Store) -> None:
    store.curate(CASE, KRAS, CURATOR, 0, comment="first")
    store.curate(CASE, KRAS, CURATOR, 1, comment="second")
    before = [(e.id, e.user_name, e.before, e.after) for e in store.audit()]
    statements = ["UPDATE audit_log SET user_name = 'mallory'",
                  "UPDATE audit_log SET after = '{}' WHERE id = (SELECT max(id) FROM audit_log)",
                  "DELETE FROM audit_log",
                  "DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)"]
    if store.engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_log")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
            connection.execute(text(statement))
    assert [(e.id, e.user_name, e.before, e.after) for e in store.audit()] == before
    # appending still works
    store.curate(CASE, KRAS, CURATOR, 2, comment="third")
    assert len(store.audit()) == 3


# -- roles --------------------------------------------------------------------------------------


def test_forged_writes_by_a_viewer_are_refused(store: Store) -> None:
    """The UI hides the forms from viewers; these are the requests a viewer could forge anyway."""
    store.add_user("vic", "viewer", PASSWORD)
    signed_in = store.authenticate("vic", PASSWORD)
    assert signed_in == VIEWER
    curation = store.curate(CASE, KRAS, CURATOR, 0, comment="curated")
    recommendation = store.recommend(CASE, CHAIR, kind="therapy", text="Sotorasib")
    case_version = store.case_record(CASE).version
    written = _audit_count(store)

    for actor in (signed_in, Actor("vic", "superuser"), Actor("vic", ""), Actor("vic", "Admin")):
        forged: list[Callable[[], Any]] = [
            lambda a=actor: store.curate(CASE, KRAS, a, curation.version, comment="forged"),
            lambda a=actor: store.curate(CASE, TP53, a, 0, comment="forged"),
            lambda a=actor: store.set_summary(CASE, "forged", a, case_version),
            lambda a=actor: store.set_status(CASE, "presented", a, case_version),
            lambda a=actor: store.recommend(CASE, a, kind="therapy", text="forged"),
            lambda a=actor: store.withdraw(recommendation.id, a, recommendation.version),
            lambda a=actor: store.add_meeting(date(2025, 1, 1), "forged", [], a),
            lambda a=actor: store.add_user("mallory", "admin", PASSWORD, by=a),
        ]
        for write in forged:
            with pytest.raises(AccessError):
                write()
    # a curator curates but does not decide
    for write in [
        lambda: store.set_status(CASE, "presented", CURATOR, case_version),
        lambda: store.recommend(CASE, CURATOR, kind="therapy", text="forged"),
        lambda: store.withdraw(recommendation.id, CURATOR, recommendation.version),
        lambda: store.add_meeting(date(2025, 1, 1), "forged", [], CURATOR),
        lambda: store.add_user("mallory", "admin", PASSWORD, by=CURATOR),
        lambda: store.add_user("mallory", "admin", PASSWORD, by=CHAIR),
    ]:
        with pytest.raises(AccessError):
            write()

    assert _audit_count(store) == written
    assert store.curations(CASE)[KRAS].comment == "curated"
    assert set(store.curations(CASE)) == {KRAS}
    assert store.case_record(CASE).version == case_version
    assert [r.withdrawn for r in store.recommendations(CASE, withdrawn=True)] == [False]
    assert store.meetings() == []
    assert store.actor("mallory") is None


# -- schema and migrations ----------------------------------------------------------------------


# the newest migration in mtb/store/migrations/versions (its files are numbered)
HEAD = max(path.name[:4] for path in (Path(__file__).resolve().parents[2] / "mtb" / "store" /
                                      "migrations" / "versions").glob("[0-9]*.py"))


def test_opening_twice_migrates_once_and_keeps_the_data(store_url: str) -> None:
    first = Store.open(store_url)
    first.curate(CASE, KRAS, CURATOR, 0, comment="kept")
    first.close()
    second = Store.open(store_url)
    third = Store.open(store_url)  # while the second is open
    try:
        assert second.curations(CASE)[KRAS].comment == "kept"
        assert len(third.audit()) == 1
        with second.engine.connect() as connection:
            assert connection.execute(
                text("SELECT version_num FROM alembic_version")).scalars().all() == [HEAD]
        third.curate(CASE, KRAS, CURATOR, 1, comment="still writable")
    finally:
        second.close()
        third.close()


def test_the_models_and_the_migrated_database_agree(store: Store) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert context.get_current_revision() == head
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    """What lets a killed writer leave the database as it was (test_promises kills one)."""
    path = tmp_path / "store.sqlite"
    store = Store.open(f"sqlite:///{path}")
    try:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        store.close()
    with sqlite3.connect(path) as plain:  # WAL is a property of the file, not of a connection
        assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_unreachable_database_is_a_storage_error_without_the_password() -> None:
    with pytest.raises(StorageError, match="cannot be opened") as caught:
        Store.open("postgresql+psycopg://mtb:s3cret-pw@127.0.0.1:1/nothing")
    assert "s3cret-pw" not in str(caught.value)
