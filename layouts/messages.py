"""Messages the user sees instead of a traceback."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from layouts import ids


def error_message(title: str, detail: str) -> dbc.Alert:
    return dbc.Alert(
        [html.H4(title, className="alert-heading"), html.P(detail, className="mb-0")],
        color="danger",
        id=ids.PAGE_MESSAGE,
    )
