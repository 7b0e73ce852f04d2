"""Issue 12, points 6 and 7, in the store (SQLite and PostgreSQL: tests/store's fixtures).

- Versions per object: a curation's version is its own, the summary's is the summary's; a
  colleague's curation no longer refuses a summary save (0 of 89 went through in a realistic
  mix). "final" is made on the case's revision and still refused after any change.
- Every text a person stores has a server-side limit (three 10 MB summaries made one case page
  58 MB), and the audit log is read a page at a time.
"""

from __future__ import annotations

from datetime import date

import pytest

from mtb.board import TEXT_LIMITS
from mtb.errors import StorageError
from mtb.store import Actor, StaleEditError, Store
from tests.store.conftest import pg_database, store_url  # noqa: F401  (fixtures)


@pytest.fixture
def db(store_url: str):  # noqa: F811  (a fixture's argument)
    """A migrated, empty store on SQLite and on PostgreSQL."""
    opened = Store.open(store_url)
    yield opened
    opened.close()


CHAIR = Actor("chef", "chair")
CURATOR = Actor("cura", "curator")
COLLEAGUE = Actor("colla", "curator")
CASE = "case-12"
KRAS, EGFR = "12-25245350-C-A", "7-55191822-T-G"


def test_a_summary_is_not_refused_for_a_colleagues_curation(db: Store) -> None:
    loaded = db.case_record(CASE)
    for n in range(5):  # busy curators, each save raising the case's revision
        db.curate(CASE, f"{KRAS}-{n}", COLLEAGUE, 0, comment=f"note {n}")
    saved = db.set_summary(CASE, "KRAS G12C", CURATOR, loaded.summary_version)
    assert (saved.summary, saved.summary_version, saved.revision) == ("KRAS G12C", 1, 6)
    # another save of the summary on the old version is refused, naming who saved it
    with pytest.raises(StaleEditError, match="cura changed the summary"):
        db.set_summary(CASE, "overwritten", COLLEAGUE, loaded.summary_version)
    assert db.case_record(CASE).summary == "KRAS G12C"


def test_a_curation_is_versioned_by_its_finding_only(db: Store) -> None:
    kras = db.curate(CASE, KRAS, CURATOR, 0, comment="first")
    db.curate(CASE, EGFR, COLLEAGUE, 0, comment="other finding")
    db.set_summary(CASE, "summary", COLLEAGUE, 0)
    again = db.curate(CASE, KRAS, CURATOR, kras.version, comment="second")
    assert again.version == kras.version + 1


@pytest.mark.parametrize("change", ["curation", "summary", "recommendation", "withdrawal",
                                    "meeting"])
def test_final_is_refused_after_any_change_since_the_chair_looked(db: Store,
                                                                  change: str) -> None:
    recommendation = db.recommend(CASE, CHAIR, kind="therapy", text="Sotorasib")
    version = db.set_status(CASE, "presented", CHAIR, 0).version
    version = db.set_status(CASE, "decided", CHAIR, version).version
    seen = db.case_record(CASE)  # the chair's page
    meeting = db.add_meeting(date(2026, 11, 24), "MTB", [], CHAIR)
    {
        "curation": lambda: db.curate(CASE, KRAS, CURATOR, 0, oncogenicity="oncogenic"),
        "summary": lambda: db.set_summary(CASE, "late", CURATOR, seen.summary_version),
        "recommendation": lambda: db.recommend(CASE, CHAIR, kind="trial", text="NCT1"),
        "withdrawal": lambda: db.withdraw(recommendation.id, CHAIR, recommendation.version),
        "meeting": lambda: db.assign_meeting(CASE, meeting.id, CHAIR, seen.version),
    }[change]()
    current = db.case_record(CASE)
    with pytest.raises(StaleEditError, match="changed this case"):
        db.set_status(CASE, "final", CHAIR, current.version, revision=seen.revision)
    assert db.case_record(CASE).status == "decided"
    db.set_status(CASE, "final", CHAIR, current.version, revision=current.revision)
    assert db.case_record(CASE).status == "final"


LONG = {field: "x" * (limit + 1) for field, limit in TEXT_LIMITS.items()}


def test_every_text_field_has_a_server_side_limit(db: Store) -> None:
    db.add_user("ada", "admin", "a-long-password")
    entries = db.audit_count()
    refused = [
        ("summary", lambda: db.set_summary(CASE, LONG["summary"], CURATOR, 0)),
        ("comment", lambda: db.curate(CASE, KRAS, CURATOR, 0, comment=LONG["comment"])),
        ("override reason", lambda: db.curate(CASE, KRAS, CURATOR, 0, tier_override="IIC",
                                                 override_reason=LONG["override_reason"])),
        ("recommendation", lambda: db.recommend(CASE, CHAIR, kind="therapy",
                                                   text=LONG["recommendation"])),
        ("rationale", lambda: db.recommend(CASE, CHAIR, kind="therapy", text="x",
                                              rationale=LONG["rationale"])),
        ("meeting title", lambda: db.add_meeting(date(2026, 1, 1), LONG["meeting_title"],
                                                    [], CHAIR)),
        ("participant", lambda: db.add_meeting(date(2026, 1, 1), "MTB",
                                                  [LONG["participant"]], CHAIR)),
        ("participants", lambda: db.add_meeting(date(2026, 1, 1), "MTB",
                                                   [f"Dr. {n}" for n in range(61)], CHAIR)),
        ("user name", lambda: db.add_user(LONG["user_name"], "viewer", "a-long-password")),
        ("password", lambda: db.add_user("bob", "viewer", LONG["password"])),
        ("password", lambda: db.change_user("ada", password=LONG["password"])),
    ]
    for words, write in refused:
        with pytest.raises(StorageError, match=words):
            write()
    assert db.audit_count() == entries  # nothing was written
    assert db.case_record(CASE).version == 0 and db.curations(CASE) == {}
    # at the limit is fine
    db.set_summary(CASE, "s" * TEXT_LIMITS["summary"], CURATOR, 0)
    # a megabyte "password" is not even hashed
    assert db.authenticate("ada", "p" * 1_000_000) is None


def test_the_audit_log_is_read_a_page_at_a_time(db: Store) -> None:
    for n in range(57):
        db.curate(CASE, f"{KRAS}-{n}", CURATOR, 0, comment=f"{n}")
    assert db.audit_count(CASE) == 57
    newest = db.audit(CASE, newest=20)
    assert [e.after for e in newest][-1].endswith('"in_report": false}')
    assert [e.entity_key.rsplit("-", 1)[-1] for e in newest] == [str(n) for n in range(37, 57)]
    older = db.audit(CASE, newest=20, skip=40)
    assert [e.entity_key.rsplit("-", 1)[-1] for e in older] == [str(n) for n in range(17)]
    assert len(db.audit(CASE)) == 57
