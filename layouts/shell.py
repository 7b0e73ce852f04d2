"""The frame around every page: the title bar and the content area."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html


def shell(*content: Any) -> html.Div:
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dcc.Link("mtb", href="/", className="navbar-brand fw-bold"),
                html.Span("molecular tumor board", className="navbar-text text-light"),
            ]
        ),
        color="dark",
        dark=True,
        className="mb-3 app-navbar",
    )
    return html.Div([navbar, dbc.Container(list(content), fluid=True, className="page")])
