"""The Dash app: `create_app(settings)` builds it; nothing happens at import.

Pages, registered in code, one module each in mtb.web.pages (layout and callbacks): `/` the
board agenda, `/case/<case_id>` a case, `/case/<case_id>/present` its presentation mode, `/add`
adding a case, `/trials` the site's trials and the patients who fit one. Layouts come from
layouts/ (pure functions of a Case and the board's records); the pages fetch the Case from the
library (mtb.web.library) and the records from the store, and every page and callback runs
inside the one error boundary (mtb.web.boundary).
"""

from __future__ import annotations

import dash
from dash import Dash, dcc, html

from layouts import ids
from mtb.config import Settings
from mtb.resources import assets_dir
from mtb.store import Store
from mtb.web.auth import install_auth
from mtb.web.library import CaseLibrary
from mtb.web.pages import add, agenda, case, decisions, downloads, present, trials


def create_app(
    settings: Settings, library: CaseLibrary | None = None, store: Store | None = None
) -> Dash:
    """The app. Every page needs a signed-in user (mtb.web.auth); writes go to the store."""
    library = library or CaseLibrary(settings)
    store = store or Store.open(settings.database_url)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",  # pages are registered by mtb.web.pages, in code
        assets_folder=str(assets_dir()),  # the top-level assets/, not one beside this module
        external_stylesheets=[],  # Bootstrap is shipped in assets/: no CDN on hospital networks
        title="mtb",
        update_title=None,
        suppress_callback_exceptions=True,  # components of other pages than the one shown
    )
    for page in (agenda, present, case, add, decisions, downloads, trials):
        page.register(app, library, store)
    app.layout = html.Div([dcc.Location(id="url"), dcc.Location(id=ids.RELOAD, refresh=True),
                           dash.page_container])
    install_auth(app.server, store, settings.data_dir, secure=settings.secure_cookies)
    return app
