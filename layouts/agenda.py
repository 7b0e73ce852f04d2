"""The board agenda: the cases of the meeting with diagnosis, status and tier counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import ComponentSingleType as Child

from layouts import ids
from layouts.a11y import hidden_label
from layouts.links import href
from layouts.versions import state_text
from mtb.i18n import _
from mtb.i18n.terms import term


@dataclass(frozen=True)
class AgendaRow:
    id: str
    title: str
    diagnosis: str
    status: str  # prepared, presented, decided; "cannot be opened" when reading failed
    tier1: int | None
    tier2: int | None
    synthetic: str = ""  # "synthetic" or "demonstration join", shown as a badge
    problem: str = ""  # why the case cannot be opened
    meeting: int | None = None  # the meeting whose agenda it is on
    state: str = ""  # annotation: "annotating 40 %", "queued", "failed" (mtb.library's
    # words, shown translated: layouts.versions.state_text); '' when ready
    version: int | None = None  # the annotation version shown
    changes: str = ""  # "2 findings changed tier since the board met: ..."

    @property
    def busy(self) -> bool:
        """Being annotated (the agenda refreshes itself until it is done)."""
        return self.state.startswith(("annotating", "queued"))


def _row(row: AgendaRow) -> html.Tr:
    badges = [dbc.Badge(term(row.synthetic), color="warning", text_color="dark",
                        className="ms-2")] if row.synthetic else []
    title = dcc.Link(row.title, href=href(f"/case/{row.id}"), className="case-link")
    status = html.Span(term(row.status), className=f"status status-{row.status.replace(' ', '-')}")
    problem = html.Div(row.problem, className="small text-danger") if row.problem else None
    changes = html.Div(["⚠ ", row.changes], className="small board-changes text-warning-emphasis"
                       ) if row.changes else None
    state = html.Div(state_text(row.state), style={"whiteSpace": "nowrap"},
                     className=f"small annotation-state state-{row.state.split()[0]}"
                     ) if row.state else None

    def count(n: int | None) -> str:
        return "–" if n is None else str(n)

    return html.Tr([
        html.Td([html.H5([title, *badges], className="mb-0"), changes, problem]),
        html.Td(row.diagnosis, className="case-diagnosis"),
        html.Td([status, state]),
        html.Td(count(row.tier1), className="num"),
        html.Td(count(row.tier2), className="num"),
        html.Td(dcc.Link(_("Present"), href=href(f"/case/{row.id}/present"),
                         className="btn btn-outline-dark btn-sm")),
    ], id={"type": "case", "id": row.id})


@dataclass(frozen=True)
class MeetingChoice:
    id: int
    label: str  # "2026-11-24 · Molecular tumor board (5 participants)"


def agenda_table(rows: Sequence[AgendaRow]) -> Child:
    """The cases, or why there are none."""
    if not rows:
        return dbc.Alert(_("No cases here (none found, or none on this meeting's agenda)."),
                         color="info")
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(_("Case")), html.Th(_("Diagnosis")), html.Th(_("Status")),
                             html.Th(_("Tier I"), className="num"),
                             html.Th(_("Tier II"), className="num"), html.Th("")])),
         html.Tbody([_row(row) for row in rows])],
        hover=True, responsive=True, className="agenda-table align-middle bg-white",
    )


def meeting_form() -> html.Details:
    """A new meeting (the chair plans the board's agenda)."""
    return html.Details([
        html.Summary(_("New meeting")),
        dbc.Row([
            dbc.Col([hidden_label(_("Day"), ids.MEETING_DAY),
                     dbc.Input(id=ids.MEETING_DAY, type="date")], md=3),
            dbc.Col([hidden_label(_("Title"), ids.MEETING_TITLE),
                     dbc.Input(id=ids.MEETING_TITLE, placeholder=_("title (optional)"),
                               maxLength=200)], md=4),
            dbc.Col([hidden_label(_("Participants"), ids.MEETING_PEOPLE),
                     dbc.Textarea(id=ids.MEETING_PEOPLE, rows=1, maxLength=2000,
                                  placeholder=_("participants, one per line"))], md=3),
            dbc.Col(dbc.Button(_("Create"), id=ids.MEETING_ADD, size="sm", color="primary"), md=2),
        ], className="g-2 mt-1"),
        html.Div(id=ids.MEETING_MESSAGE, className="mt-2"),
    ], className="meeting-form mb-3")


def agenda(
    rows: Sequence[AgendaRow], meetings: Sequence[MeetingChoice] = (), *,
    may_plan: bool = False,
) -> html.Div:
    heading = html.Div([
        html.H2(_("Board agenda"), className="mb-0"),
        dcc.Link(_("Add a case"), href=href("/add"), className="btn btn-primary btn-sm"),
    ], className="d-flex justify-content-between align-items-center mb-3")
    label = hidden_label(_("Meeting"), ids.MEETING_FILTER)
    choose = dcc.Dropdown(
        id=ids.MEETING_FILTER, value=None, clearable=True, placeholder=_("all cases"),
        options=[{"label": m.label, "value": m.id} for m in meetings],
        className="meeting-filter", style={"minWidth": "360px", "maxWidth": "520px"},
    )
    # a plain labelled checkbox (dcc.Checklist renders a list box around its inputs, which
    # screen readers cannot name: axe's aria-input-field-name and nested-interactive)
    changed = dbc.Checkbox(
        id=ids.CHANGED_FILTER, value=False, className="changed-filter mb-0",
        label=_("cases with changes since their last board ({count})",
                count=sum(1 for r in rows if r.changes)),
    )
    refresh = dcc.Interval(id=ids.AGENDA_REFRESH, interval=3000,
                           disabled=not any(r.busy for r in rows))
    filters = html.Div([label, choose, changed],
                       className="d-flex gap-3 align-items-center mb-3 flex-wrap")
    return html.Div([heading, filters, meeting_form() if may_plan else None, refresh,
                     html.Div(agenda_table(rows), id=ids.AGENDA_TABLE)], id=ids.CASE_LIST)
