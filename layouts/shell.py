"""The frame around every page: the title bar and the content area."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html


def shell(*content: Any) -> html.Div:
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("mtb", className="fw-bold"),
                html.Span("molecular tumor board", className="navbar-text text-light"),
            ]
        ),
        color="dark",
        dark=True,
        className="mb-4",
    )
    return html.Div([navbar, dbc.Container(list(content), fluid="lg")])
