"""`/`: the board agenda (from the store: no case is opened to draw it), its filters (meeting,
cases with changes since their last board), new meetings, and the progress of cases being
annotated (the table refreshes itself while any is)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import dash
from dash import Dash, Input, Output, State, no_update

from layouts import ids
from layouts.agenda import AgendaRow, MeetingChoice, agenda, agenda_table
from layouts.board import board_message
from mtb.i18n import N_, _
from mtb.library import CaseSummary
from mtb.store import Store
from mtb.web import boundary
from mtb.web.auth import current_actor
from mtb.web.board import meeting_labels
from mtb.web.frame import framed
from mtb.web.library import CaseLibrary
from mtb.web.trigger import pressed


def agenda_rows(summaries: Sequence[CaseSummary]) -> list[AgendaRow]:
    """The agenda's rows: tier counts by the curators (mtb.board's rules, on the store's index
    rows), the annotation's state, and what changed since the board met."""
    rows = []
    for case in summaries:
        synthetic = "synthetic" if case.synthetic else (
            "demonstration join" if case.synthetic_parts else "")
        problem = ""
        if case.problem:
            problem = (_("cannot be annotated: {problem}", problem=case.problem)
                       if case.version is None else
                       _("its files cannot be annotated now: {problem}", problem=case.problem))
        state = "" if case.state == "ready" else case.state_text
        rows.append(AgendaRow(case.case_id, case.title, case.diagnosis, case.status,
                              case.tier1, case.tier2, synthetic, problem, meeting=case.meeting,
                              state=state, version=case.version, changes=case.changes))
    return rows


def _filtered(rows: list[AgendaRow], meeting: int | None, changed: bool | None
              ) -> list[AgendaRow]:
    return [r for r in rows if (meeting is None or r.meeting == meeting)
            and (not changed or r.changes)]


def register(app: Dash, library: CaseLibrary, store: Store) -> None:
    def layout(**_query: Any) -> Any:
        def build() -> Any:
            actor = current_actor(store)
            choices = [MeetingChoice(ident, label) for ident, label in meeting_labels(store)]
            return framed(store, agenda(agenda_rows(library.summaries()), choices,
                                        may_plan=bool(actor and actor.may("decide"))))
        return boundary.page(N_("The agenda"), build, lambda *c: framed(store, *c))

    dash.register_page("agenda", path="/", layout=layout,
                       title=lambda **_kw: "mtb · " + _("agenda"), order=0)

    @app.callback(
        Output(ids.AGENDA_TABLE, "children"),
        Output(ids.AGENDA_REFRESH, "disabled"),
        Input(ids.MEETING_FILTER, "value"),
        Input(ids.CHANGED_FILTER, "value"),
        Input(ids.AGENDA_REFRESH, "n_intervals"),
        prevent_initial_call=True,
    )
    def filter_agenda(meeting: int | None, changed: bool | None, _tick: Any) -> Any:
        rows = agenda_rows(library.summaries())
        return agenda_table(_filtered(rows, meeting, changed)), not any(r.busy for r in rows)

    @app.callback(
        Output(ids.MEETING_MESSAGE, "children"),
        Output(ids.MEETING_FILTER, "options"),
        Input(ids.MEETING_ADD, "n_clicks"),
        State(ids.MEETING_DAY, "value"),
        State(ids.MEETING_TITLE, "value"),
        State(ids.MEETING_PEOPLE, "value"),
        prevent_initial_call=True,
    )
    def add_meeting(_n: int, day: str | None, title: str | None, people: str | None) -> Any:
        if not pressed(ids.MEETING_ADD):
            return no_update, no_update
        try:
            when = date.fromisoformat(day or "")
        except ValueError:
            return board_message(_("Give the meeting's date."), ok=False), no_update
        saved = boundary.as_user(store, "saving", lambda actor: store.add_meeting(
            when, title or "", (people or "").splitlines(), actor),
            internal=boundary.NOT_SAVED)
        options = [{"label": label, "value": ident} for ident, label in meeting_labels(store)]
        return board_message(_("Meeting created.") if saved.ok else saved.message,
                             ok=saved.ok), options
