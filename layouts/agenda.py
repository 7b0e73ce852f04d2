"""The board agenda: the cases of the meeting with diagnosis, status and tier counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids


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


def _row(row: AgendaRow) -> html.Tr:
    badges = [dbc.Badge(row.synthetic, color="warning", text_color="dark", className="ms-2")] \
        if row.synthetic else []
    title = dcc.Link(row.title, href=f"/case/{row.id}", className="case-link")
    status = html.Span(row.status, className=f"status status-{row.status.replace(' ', '-')}")
    problem = html.Div(row.problem, className="small text-danger") if row.problem else None

    def count(n: int | None) -> str:
        return "–" if n is None else str(n)

    return html.Tr([
        html.Td([html.H5([title, *badges], className="mb-0"), problem]),
        html.Td(row.diagnosis, className="case-diagnosis"),
        html.Td(status),
        html.Td(count(row.tier1), className="num"),
        html.Td(count(row.tier2), className="num"),
        html.Td(dcc.Link("Present", href=f"/case/{row.id}/present",
                         className="btn btn-outline-dark btn-sm")),
    ], id={"type": "case", "id": row.id})


def agenda(rows: Sequence[AgendaRow]) -> html.Div:
    heading = html.Div([
        html.H2("Board agenda", className="mb-0"),
        dcc.Link("Add a case", href="/add", className="btn btn-primary btn-sm"),
    ], className="d-flex justify-content-between align-items-center mb-3")
    if not rows:
        return html.Div([heading, dbc.Alert("No cases found in the cases folder.",
                                            color="info")], id=ids.CASE_LIST)
    table = dbc.Table(
        [html.Thead(html.Tr([html.Th("Case"), html.Th("Diagnosis"), html.Th("Status"),
                             html.Th("Tier I", className="num"),
                             html.Th("Tier II", className="num"), html.Th("")])),
         html.Tbody([_row(row) for row in rows])],
        hover=True, responsive=True, className="agenda-table align-middle bg-white",
    )
    return html.Div([heading, table], id=ids.CASE_LIST)
