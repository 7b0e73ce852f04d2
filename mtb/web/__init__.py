"""The web app (Dash): the app factory, pages with their callbacks (mtb.web.pages), sign-in and
CSRF (auth), the case library (cases opened once, reopened when their files change), the
variant grid's server-side rows, adding a case from uploads (intake), and the one error
boundary every page and callback runs in. Domain code never imports this package."""

from mtb.web.app import create_app

__all__ = ["create_app"]
