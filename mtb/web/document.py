"""The HTML document around Dash's pages: `<html lang>` and the skip link.

Dash writes the document (its index string) once for every page; the app's layout only fills
its body. Two things a screen reader or a keyboard user needs from the document itself: the
language of the page (read aloud with the right voice; WCAG 3.1.1), and "Skip to main
content" as the very first thing Tab reaches (past the title bar; WCAG 2.4.1), which moves the
focus to the page's main region (id `main`, layouts.ids.MAIN: layouts/shell.py and
mtb.web.frame draw it).

Both are asked for on every request (`page_language`, `skip_link_text`): the language is the
one mtb.i18n chose for the request (the DE/EN switch's cookie, else the browser's, else
MTB_LANGUAGE), and this is the only place that writes it into Dash's pages (the sign-in page,
drawn without Dash, asks mtb.i18n the same way).
"""

from __future__ import annotations

import html
from collections.abc import Callable

from dash import Dash

from layouts import ids
from mtb.i18n import _, current_language

# Dash's own index string (dash.dash._default_index) with the language, the skip link and
# no IE comment; every {%...%} part Dash requires is kept.
INDEX = """<!DOCTYPE html>
<html lang="{%lang%}">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        <a class="skip-link visually-hidden-focusable" href="#{%main%}">{%skip_link%}</a>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def page_language() -> str:
    """The language of the page being served (a BCP 47 tag for `<html lang>`)."""
    return current_language()


def skip_link_text() -> str:
    return _("Skip to main content")


def install_document(
    app: Dash, language: Callable[[], str] = page_language,
    skip_text: Callable[[], str] = skip_link_text,
) -> None:
    """Serve `app`'s pages in INDEX, with the language and the skip link's words of the
    request (Dash fills its own parts first; ours are filled after)."""
    app.index_string = INDEX
    interpolate = app.interpolate_index

    def with_document(**parts: str) -> str:
        page = interpolate(**parts)
        return (page.replace("{%lang%}", html.escape(language(), quote=True))
                .replace("{%main%}", ids.MAIN)
                .replace("{%skip_link%}", html.escape(skip_text())))

    # Dash's documented override hook; it calls interpolate_index with keyword arguments only,
    # which its positional signature cannot say
    app.interpolate_index = with_document  # type: ignore[method-assign, assignment]
