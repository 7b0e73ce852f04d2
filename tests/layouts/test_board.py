"""The board's controls on the case page as component trees: status bar, curation form,
recommendations and the audit log, for each role and for a final case."""

from __future__ import annotations

from datetime import UTC, datetime

from annotation.model import Tier
from layouts import ids
from layouts.board import audit_table, curation_form, decision_panel, status_bar
from mtb.board import AuditEntry, CaseRecord, Recommendation, finding_key
from tests.drawn import CASE_ID, curation, small
from tests.layouts.tree import by_id, texts, walk

VARIANT = small("KRAS", "p.G12C", Tier.IIC, level="C")
AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _ids(node) -> set[str]:
    return {str(getattr(c, "id", "")) for c in walk(node)}


def test_status_bar_offers_the_next_statuses_to_the_chair() -> None:
    record = CaseRecord(CASE_ID, "decided", updated_by="chef", updated_at=AT, version=4)
    bar = status_bar(record, may_decide=True)
    assert "last changed by chef, 2026-01-05 09:30 UTC" in texts(bar)
    assert by_id(bar, {"type": ids.STATUS_BUTTON, "status": "presented"}).children == \
        "Mark presented"
    assert by_id(bar, ids.FINAL_BUTTON).children == "Mark final"  # behind a confirmation
    assert by_id(bar, ids.CONFIRM_FINAL) is not None
    assert by_id(bar, ids.RECORD_VERSION).data == 4
    viewer = status_bar(record, may_decide=False)
    assert by_id(viewer, ids.FINAL_BUTTON).disabled
    assert "(not yet)" in texts(status_bar(CaseRecord(CASE_ID), may_decide=True))


def test_curation_form_carries_the_finding_key_and_version() -> None:
    saved = curation(VARIANT, tier_override="IB", override_reason="drawn", version=3)
    form = curation_form(7, VARIANT, saved, may_curate=True, final=False)
    assert by_id(form, ids.CURATION_ROW).data == {"row": 7, "key": finding_key(VARIANT),
                                                  "version": 3}
    assert by_id(form, ids.CURATE_TIER).value == "IB"
    assert "Tier (computed IIC)" in texts(form) and "saved by cura, version 3" in texts(form)
    assert not by_id(form, ids.CURATE_SAVE).disabled
    new = curation_form(7, VARIANT, None, may_curate=True, final=False)
    assert by_id(new, ids.CURATION_ROW).data["version"] == 0
    assert by_id(curation_form(7, VARIANT, saved, may_curate=True, final=True),
                 ids.CURATE_SAVE).title == "the case is final"
    assert by_id(curation_form(7, VARIANT, saved, may_curate=False, final=False),
                 ids.CURATE_SAVE).disabled


def test_decision_panel_lists_recommendations_and_offers_the_form_to_the_chair() -> None:
    item = Recommendation(5, CASE_ID, "trial", "NCT-drawn", "m2A", "IIC", "rationale",
                          finding_keys=f"{finding_key(VARIANT)}\n", created_by="chef", version=2)
    findings = [(finding_key(VARIANT), "KRAS p.G12C (IIC)")]
    chair = decision_panel(CaseRecord(CASE_ID), [item], findings, may_decide=True)
    shown = texts(chair)
    assert "Clinical trial: NCT-drawn" in shown and " · evidence m2A · tier IIC" in shown
    assert f"rests on: {finding_key(VARIANT)}" in shown
    assert {"type": ids.WITHDRAW, "id": 5, "version": 2} in [getattr(c, "id", None)
                                                             for c in walk(chair)]
    assert by_id(chair, ids.RECOMMEND_FINDINGS).options == [
        {"label": "KRAS p.G12C (IIC)", "value": finding_key(VARIANT)}]
    viewer = decision_panel(CaseRecord(CASE_ID), [], findings, may_decide=False)
    assert ids.RECOMMEND_SAVE not in _ids(viewer)
    assert "No recommendation recorded yet." in texts(viewer)
    final = decision_panel(CaseRecord(CASE_ID, "final"), [item], findings, may_decide=True)
    assert ids.RECOMMEND_SAVE not in _ids(final) and "Withdraw" not in texts(final)


def test_audit_log_newest_first() -> None:
    entries = [AuditEntry(1, AT, "cura", "curate", "curation", f"{CASE_ID}/k1", CASE_ID, "{}",
                          '{"comment": "a"}'),
               AuditEntry(2, AT, "chef", "set_status", "case_record", CASE_ID, CASE_ID,
                          '{"status": "prepared"}', '{"status": "presented"}')]
    table = audit_table(entries)
    shown = texts(table).split("\n")
    assert shown[0] == "Audit log (2 changes)"
    assert shown.index("set_status") < shown.index("curate")
