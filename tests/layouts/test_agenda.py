"""The agenda as a component tree: rows, counts, badges, problems and the chair's form."""

from __future__ import annotations

from dash import dcc, html

from layouts import ids
from layouts.agenda import AgendaRow, MeetingChoice, agenda, agenda_table
from tests.layouts.tree import all_of, by_id, texts

ROWS = [
    AgendaRow("lung", "SYNTHETIC lung case", "lung adenocarcinoma", "presented", 2, 1,
              "synthetic", meeting=1),
    AgendaRow("broken", "Broken case", "", "cannot be opened", None, None,
              problem="broken/case.toml: 'title' is missing or empty"),
]


def test_rows_show_counts_status_badges_and_problems() -> None:
    table = agenda_table(ROWS)
    lung, broken = (texts(row) for row in all_of(table, html.Tr)[1:])  # after the header
    assert lung.split("\n") == ["SYNTHETIC lung case", "synthetic", "lung adenocarcinoma",
                                "presented", "2", "1", "Present"]
    assert "cannot be opened" in broken and "'title' is missing" in broken
    assert broken.count("–") == 2  # no counts for a case that cannot be opened
    links = [link.href for link in all_of(table, dcc.Link)]
    assert links == ["/case/lung", "/case/lung/present", "/case/broken", "/case/broken/present"]


def test_an_empty_agenda_says_why() -> None:
    assert "No cases here" in texts(agenda_table([]))


def test_only_the_chair_plans_meetings() -> None:
    choices = [MeetingChoice(1, "2026-11-24 · MTB (5 participants)")]
    page = agenda(ROWS, choices, may_plan=True)
    assert by_id(page, ids.MEETING_FILTER).options == [
        {"label": "2026-11-24 · MTB (5 participants)", "value": 1}]
    assert by_id(page, ids.MEETING_ADD) is not None
    viewer = agenda(ROWS, choices)
    assert ids.MEETING_ADD not in {str(getattr(c, "id", "")) for c in all_of(viewer, object)}
