"""The frame around every page: the title bar and the content area."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids


def _account(user: str, role: str, csrf: str) -> html.Form | None:
    """Who is signed in, and a sign-out button (a POST with the CSRF token)."""
    if not user:
        return None
    return html.Form([
        html.Span(f"{user} ({role})", className="navbar-text text-light me-3", id="user-name"),
        dcc.Input(type="hidden", name="csrf", value=csrf),
        html.Button("Sign out", type="submit", className="btn btn-outline-light btn-sm",
                    id="sign-out"),
    ], action="/logout", method="POST", className="d-flex align-items-center mb-0")


def shell(*content: Any, user: str = "", role: str = "", csrf: str = "") -> html.Div:
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dcc.Link("mtb", href="/", className="navbar-brand fw-bold"),
                html.Span("molecular tumor board", className="navbar-text text-light me-3"),
                dcc.Link("Trials", href="/trials", className="nav-link text-light me-3",
                         id=ids.TRIALS_LINK),
                dcc.Link("Cohort", href="/cohort", className="nav-link text-light me-auto",
                         id="cohort-link"),
                _account(user, role, csrf),
            ]
        ),
        color="dark",
        dark=True,
        className="mb-3 app-navbar",
    )
    return html.Div([navbar, dbc.Container(list(content), fluid=True, className="page")])
