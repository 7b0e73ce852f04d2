"""The frame around every page: the title bar and the content area."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.links import href
from mtb.i18n import _, current_language

_LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def language_switch() -> html.Div:
    """DE | EN: a full page load of the same page in the other language (mtb.i18n.web)."""
    current = current_language()
    links = []
    for code in ("de", "en"):
        # aria-* and data-* are Dash's wildcard props, outside its generated signatures
        current_attr: dict[str, Any] = {"aria-current": "true"} if code == current else {}
        links.append(html.A(code.upper(), href=f"?lang={code}", lang=code, hrefLang=code,
                            title=_LANGUAGE_NAMES[code], id=f"lang-{code}",
                            className="nav-link px-1 text-light"
                            + (" fw-bold text-decoration-underline" if code == current else ""),
                            **current_attr))
    return html.Div(links, className="d-flex align-items-center me-3 language-switch",
                    role="group", **_wildcard({"aria-label": _("Language")}))


def _account(user: str, role: str, csrf: str) -> html.Form | None:
    """Who is signed in, and a sign-out button (a POST with the CSRF token)."""
    if not user:
        return None
    return html.Form([
        html.Span(f"{user} ({_(role)})", className="navbar-text text-light me-3", id="user-name"),
        dcc.Input(type="hidden", name="csrf", value=csrf),
        html.Button(_("Sign out"), type="submit", className="btn btn-outline-light btn-sm",
                    id="sign-out"),
    ], action=href("/logout"), method="POST", className="d-flex align-items-center mb-0")


def shell(*content: Any, user: str = "", role: str = "", csrf: str = "") -> html.Div:
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dcc.Link("mtb", href=href("/"), className="navbar-brand fw-bold"),
                html.Span(_("molecular tumor board"), className="navbar-text text-light me-3"),
                dcc.Link(_("Trials"), href=href("/trials"), className="nav-link text-light me-3",
                         id=ids.TRIALS_LINK),
                dcc.Link(_("Cohort"), href=href("/cohort"),
                         className="nav-link text-light me-auto", id="cohort-link"),
                language_switch(),
                _account(user, role, csrf),
            ]
        ),
        color="dark",
        dark=True,
        className="mb-3 app-navbar",
    )
    # the skip link (mtb.web.document) moves the focus here: tabIndex -1 makes it focusable
    return html.Div([navbar, html.Main(dbc.Container(list(content), fluid=True, className="page"),
                                       id=ids.MAIN, tabIndex="-1")])


def _wildcard(props: dict[str, Any]) -> dict[str, Any]:
    """aria-* and data-* props (Dash's wildcard props, which its typed signatures cannot name)."""
    return props
