"""The version a case page shows, as a component tree (layouts.versions): which version, from
what, what changed, the alert since the board met, the pinned version of a final case, lost
curations; and a case still being annotated."""

from __future__ import annotations

from dash import dcc

from layouts import ids
from layouts.agenda import AgendaRow, agenda, agenda_table
from layouts.versions import VersionView, pending_page, version_panel
from tests.layouts.tree import all_of, by_id, texts

VIEW = VersionView(
    case_id="lung", number=2, newest=2, created="2026-12-07 10:15",
    reason="knowledge base changed: CIViC 01-Aug-2024 -> CIViC 01-Jul-2025",
    knowledge_base="CIViC 01-Jul-2025", approvals="mtb approvals table 2025-06-30",
    build="GRCh38", mtb_version="0.1.0", files=(("tumor.vcf", "ab" * 32),),
    changes=("1 finding changed tier since version 1: KRAS p.G12C IIC -> IA",
             "KRAS p.G12C: IIC -> IA (new approval: Sotorasib, FDA 2021)"),
    board=("1 finding changed tier since the board met: KRAS p.G12C IIC -> IA",
           "KRAS p.G12C: IIC -> IA (new approval: Sotorasib, FDA 2021)"),
    board_met="presented 2026-12-01, version 1",
    versions=((1, "2026-12-01 09:00", "new case"), (2, "2026-12-07 10:15", "knowledge base")),
    orphans=(("EGFR p.T790M (version 1, tier IA)", "tier IB (subclonal) — cura, 2026-12-02"),),
)


def test_the_panel_says_which_version_and_what_changed() -> None:
    panel = version_panel(VIEW)
    text = texts(panel)
    assert "Annotation version 2" in text and "CIViC 01-Jul-2025" in text and "GRCh38" in text
    assert f"tumor.vcf: sha256 {'ab' * 32}" in text
    assert by_id(panel, ids.CASE_VERSION).data == 2
    alert = texts(by_id(panel, ids.BOARD_CHANGES))
    assert "Changed since the board met (the board met: presented 2026-12-01, version 1)" in alert
    assert "KRAS p.G12C IIC -> IA" in alert and "new approval: Sotorasib" in alert
    assert "EGFR p.T790M (version 1, tier IA): tier IB (subclonal)" in texts(
        by_id(panel, ids.ORPHAN_CURATIONS))
    links = [link.href for link in all_of(panel, dcc.Link)]
    assert links == ["/case/lung?version=2", "/case/lung?version=1"]


def test_a_final_case_shows_its_pinned_version_and_says_a_newer_exists() -> None:
    from dataclasses import replace

    panel = version_panel(replace(VIEW, number=1, newest=2, pinned=True, board=(),
                                  changes=(), orphans=()))
    text = texts(panel)
    assert "Annotation version 1 of 2" in text
    assert "pinned: the final report is made of this version" in text
    assert "A newer annotation exists: " in text
    assert "/case/lung?version=2" in [link.href for link in all_of(panel, dcc.Link)]


def test_a_case_being_annotated_refreshes_until_it_is_done() -> None:
    page = pending_page("lung", "SYNTHETIC lung", "annotating 40 %")
    assert "annotating 40 %" in texts(page)
    assert by_id(page, ids.PENDING_REFRESH).disabled is False
    failed = pending_page("lung", "SYNTHETIC lung", "failed", "tumor.vcf, line 3: bad POS")
    assert "cannot be annotated: " in texts(failed) and "line 3" in texts(failed)
    assert by_id(failed, ids.PENDING_REFRESH).disabled is True


ROWS = [AgendaRow("lung", "SYNTHETIC lung", "NSCLC", "presented", 1, 0, version=2,
                  changes="1 finding changed tier since the board met: KRAS p.G12C IIC -> IA"),
        AgendaRow("colon", "SYNTHETIC colon", "CRC", "prepared", None, None,
                  state="annotating 40 %")]


def test_the_agenda_shows_progress_changes_and_its_filter() -> None:
    table = texts(agenda_table(ROWS))
    assert "annotating 40 %" in table
    assert "1 finding changed tier since the board met: KRAS p.G12C IIC -> IA" in table
    page = agenda(ROWS, [])
    assert by_id(page, ids.CHANGED_FILTER).label == (
        "cases with changes since their last board (1)")
    assert by_id(page, ids.AGENDA_REFRESH).disabled is False  # a case is being annotated
    assert by_id(agenda(ROWS[:1], []), ids.AGENDA_REFRESH).disabled is True
