"""The Dash app: `create_app(settings)` builds it; nothing happens at import.

Pages, registered in code, one module each in mtb.web.pages (layout and callbacks): `/` the
board agenda, `/case/<case_id>` a case, `/case/<case_id>/present` its presentation mode, `/add`
adding a case. Layouts come from layouts/ (pure functions of a Case and the board's records);
the pages fetch the Case from the library (mtb.web.library: stored annotation versions, never
the VCF) and the records from the store, and every page and callback runs inside the one error
boundary (mtb.web.boundary). Jobs the pages start (a case uploaded or changed, a final report
to keep) go to the job queue (mtb.jobs); `mtb serve` runs the worker.
"""

from __future__ import annotations

import dash
from dash import Dash, dcc, html

from layouts import ids
from mtb.config import Settings
from mtb.jobs import JobQueue
from mtb.library import Library
from mtb.resources import assets_dir
from mtb.store import Store
from mtb.web.auth import install_auth
from mtb.web.library import CaseLibrary
from mtb.web.pages import add, agenda, case, decisions, downloads, present


def create_app(
    settings: Settings, library: CaseLibrary | None = None, store: Store | None = None,
    queue: JobQueue | None = None,
) -> Dash:
    """The app. Every page needs a signed-in user (mtb.web.auth); writes go to the store."""
    store = store or (library.store if library is not None else
                      Store.open(settings.database_url))
    if library is None:
        queue = queue or JobQueue(settings)
        library = CaseLibrary(settings, store, Library(settings, store, notify=queue.send))
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
    for page in (agenda, present, case, add, decisions, downloads):
        page.register(app, library, store)
    app.layout = html.Div([dcc.Location(id="url"), dcc.Location(id=ids.RELOAD, refresh=True),
                           dash.page_container])
    install_auth(app.server, store, settings.data_dir, secure=settings.secure_cookies)
    return app
