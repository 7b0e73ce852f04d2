"""The list of cases the board can open (the agenda page)."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html

from layouts import ids
from mtb.catalog import CaseEntry


def _case_card(case: CaseEntry) -> dbc.ListGroupItem:
    badges = [dbc.Badge("synthetic", color="warning", className="ms-2")] if case.synthetic else []
    files = ", ".join(f"{file.path.name} ({file.kind})" for file in case.files) or "no data files"
    return dbc.ListGroupItem(
        [
            html.Div([html.H5(case.title, className="mb-1 d-inline"), *badges]),
            html.Div(case.diagnosis, className="case-diagnosis"),
            html.Small(files, className="text-muted"),
        ],
        id={"type": "case", "id": case.id},
    )


def case_list(cases: Sequence[CaseEntry]) -> html.Div:
    if not cases:
        body: object = dbc.Alert("No cases found in the cases folder.", color="info")
    else:
        body = dbc.ListGroup([_case_card(case) for case in cases])
    return html.Div([html.H2("Cases", className="mb-3"), body], id=ids.CASE_LIST)
