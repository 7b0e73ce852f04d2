"""`/`: the board agenda, its meeting filter and new meetings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import dash
from dash import Dash, Input, Output, State, no_update

from layouts import ids
from layouts.agenda import AgendaRow, MeetingChoice, agenda, agenda_table
from layouts.board import board_message
from mtb.board import Curation, tier_counts
from mtb.errors import MtbError
from mtb.i18n import N_, _
from mtb.store import Store
from mtb.web import boundary
from mtb.web.auth import current_actor
from mtb.web.board import meeting_labels
from mtb.web.frame import framed
from mtb.web.library import CaseLibrary
from mtb.web.trigger import pressed


def agenda_rows(
    library: CaseLibrary, statuses: Mapping[str, str] | None = None,
    meetings: Mapping[str, int | None] | None = None,
    curations: Callable[[str], Mapping[str, Curation]] | None = None,
) -> list[AgendaRow]:
    """The agenda's rows; tier counts follow the curators (mtb.board.tier_counts: by the
    reported tier, without the findings curated away)."""
    statuses, meetings = statuses or {}, meetings or {}
    rows = []
    for entry in library.entries():
        synthetic = "synthetic" if entry.synthetic else (
            "demonstration join" if entry.synthetic_parts else "")
        try:
            case = library.open(entry.id).case
        except MtbError as error:
            rows.append(AgendaRow(entry.id, entry.title, entry.diagnosis, "cannot be opened",
                                  None, None, synthetic, str(error)))
            continue
        tier1, tier2 = tier_counts(case.annotation.variants,
                                   curations(entry.id) if curations else None)
        rows.append(AgendaRow(entry.id, entry.title, case.diagnosis,
                              statuses.get(entry.id, "prepared"), tier1, tier2,
                              synthetic, meeting=meetings.get(entry.id)))
    return rows


def _rows(library: CaseLibrary, store: Store) -> list[AgendaRow]:
    return agenda_rows(library, store.statuses(), store.meeting_of(), store.curations)


def register(app: Dash, library: CaseLibrary, store: Store) -> None:
    def layout(**_query: Any) -> Any:
        def build() -> Any:
            actor = current_actor(store)
            choices = [MeetingChoice(ident, label) for ident, label in meeting_labels(store)]
            return framed(store, agenda(_rows(library, store), choices,
                                        may_plan=bool(actor and actor.may("decide"))))
        return boundary.page(N_("The agenda"), build, lambda *c: framed(store, *c))

    dash.register_page("agenda", path="/", layout=layout,
                       title=lambda **_kw: "mtb · " + _("agenda"), order=0)

    @app.callback(
        Output(ids.AGENDA_TABLE, "children"),
        Input(ids.MEETING_FILTER, "value"),
        prevent_initial_call=True,
    )
    def filter_agenda(meeting: int | None) -> Any:
        rows = _rows(library, store)
        return agenda_table([r for r in rows if meeting is None or r.meeting == meeting])

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
