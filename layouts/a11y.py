"""Accessibility helpers for the layouts (names for controls that show none)."""

from __future__ import annotations

from dash import html


def hidden_label(text: str, control: str) -> html.Label:
    """A label only screen readers read, for a control whose visible cue is its placeholder
    or its first option. A dcc.Dropdown gets it through assets/40_dropdown_a11y.js (its
    button names itself by its value)."""
    return html.Label(text, htmlFor=control, className="visually-hidden")
