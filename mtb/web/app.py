"""The Dash app: `create_app(settings)` builds it; nothing happens at import.

Pages, registered in code, one module each in mtb.web.pages (layout and callbacks): `/` the
board agenda, `/case/<case_id>` a case, `/case/<case_id>/present` its presentation mode, `/add`
adding a case, `/trials` the site's trials and the patients who fit one. Layouts come from
layouts/ (pure functions of a Case and the board's records); the pages fetch the Case from the
library (mtb.web.library: stored annotation versions, never the VCF) and the records from the
store, and every page and callback runs inside the one error boundary (mtb.web.boundary). Jobs
the pages start (a case uploaded or changed, a final report to keep) go to the job queue
(mtb.jobs); `mtb serve` runs the worker. `/cohort`: cohort queries over the store.
"""

from __future__ import annotations

from datetime import timedelta

import dash
from dash import Dash, dcc, html
from werkzeug.middleware.proxy_fix import ProxyFix

from layouts import ids
from mtb.config import Settings
from mtb.i18n.web import install_i18n
from mtb.jobs import JobQueue
from mtb.library import Library
from mtb.resources import assets_dir
from mtb.store import Store
from mtb.web.auth import SESSION_COOKIE, SessionPolicy, install_auth
from mtb.web.boundary import install_errors
from mtb.web.document import install_document
from mtb.web.headers import install_headers
from mtb.web.library import CaseLibrary
from mtb.web.limits import SIGNED_IN_BYTES, RequestLimits
from mtb.web.oidc import install_oidc
from mtb.web.ops import install_ops
from mtb.web.pages import (
    add,
    agenda,
    case,
    cohort,
    decisions,
    downloads,
    present,
    trials,
)
from mtb.web.throttle import RecentBlocks, ThrottleGate
from mtb.web.uploads import install_uploads


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
        update_title=None,  # type: ignore[arg-type]  # Dash's docs: None keeps the title
        suppress_callback_exceptions=True,  # components of other pages than the one shown
        # behind the proxy's path (MTB_URL_PREFIX): the browser asks for /mtb/..., the app
        # routes /... (mtb.web.ops.UrlPrefix moves the prefix to SCRIPT_NAME)
        requests_pathname_prefix=f"{settings.url_prefix}/", routes_pathname_prefix="/",
    )
    for page in (agenda, present, case, add, decisions, downloads, trials, cohort):
        page.register(app, library, store)
    app.layout = html.Div([dcc.Location(id="url"), dcc.Location(id=ids.RELOAD, refresh=True),
                           dash.page_container])
    install_document(app)  # <html lang> and the skip link
    server = app.server
    policy = SessionPolicy(absolute=timedelta(hours=settings.session_hours),
                           idle=timedelta(minutes=settings.session_idle_minutes),
                           secure=settings.secure_cookies)
    blocks = RecentBlocks()
    install_i18n(app, settings.language, secure=settings.secure_cookies)  # before sign-in
    sessions = install_auth(server, store, settings.data_dir, secure=settings.secure_cookies,
                            policy=policy, blocks=blocks)
    install_oidc(server, store, settings, sessions)  # single sign-on, when MTB_OIDC_ISSUER is set
    install_errors(server)  # after the sign-in check: anonymous requests get their 401 first
    install_uploads(server, settings, store)
    install_headers(app, secure=settings.secure_cookies)  # after every callback: the hashes
    server.config["MAX_CONTENT_LENGTH"] = SIGNED_IN_BYTES  # the upload route sets its own
    # a flood of sign-ins from an address just blocked: 429 before anything else runs
    server.wsgi_app = ThrottleGate(server.wsgi_app, blocks)
    if settings.proxies:  # the client's address for sign-in throttling, from trusted proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=settings.proxies,
                                   x_proto=settings.proxies, x_host=settings.proxies,
                                   x_prefix=settings.proxies)
    # outermost: a body is refused before Flask (or anything) reads it
    server.wsgi_app = RequestLimits(
        server.wsgi_app, lambda token: sessions.find(token).actor, settings.upload_limits,
        SESSION_COOKIE)
    # last: request ids, access log, metrics, URL prefix; /readyz asks the job queue too
    install_ops(app, settings, store, queue=queue if queue is not None else JobQueue(settings))
    return app
