"""The web app's language: the navbar's DE/EN switch, remembered in a cookie.

The switch is a plain link to the same page with `?lang=de` (a full page load, so the whole
page, Dash's first layout included, is drawn anew in the chosen language). Any request that
carries `lang` uses it at once and stores it in the `mtb_lang` cookie for the next ones; the
sign-in page works the same way, before anyone is signed in. Without a choice the browser's
Accept-Language decides, then MTB_LANGUAGE (mtb.i18n.current_language).

Why a cookie and not the user record: the choice is needed on the sign-in page, before there
is a user, and a column on the user table would need a schema migration for a preference.
"""

from __future__ import annotations

from dash import Dash
from flask import Flask, Response, g, request

from mtb.i18n import COOKIE, normalize

YEAR = 365 * 24 * 3600


def install_i18n(app: Dash, default: str, *, secure: bool) -> None:
    """Read `?lang=` before anything else runs (sign-in included). The pages' `<html lang>`
    is written by mtb.web.document (its page_language() is current_language())."""
    server: Flask = app.server
    server.config["MTB_LANGUAGE"] = default

    @server.before_request
    def chosen() -> None:
        wanted = normalize(request.args.get("lang"))
        if wanted:
            g.mtb_language = wanted
            g.mtb_language_chosen = wanted

    @server.after_request
    def remember(response: Response) -> Response:
        wanted = g.get("mtb_language_chosen")
        if wanted and request.cookies.get(COOKIE) != wanted:
            response.set_cookie(COOKIE, wanted, max_age=YEAR, samesite="Lax", secure=secure,
                                httponly=True)
        return response
