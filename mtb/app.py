"""The Dash app: `create_app(settings)` builds it; nothing happens at import.

Pages, registered in code: `/` the board agenda, `/case/<case_id>` a case, `/case/<case_id>/
present` its presentation mode, `/add` adding a case. Layouts come from `layouts/` (pure
functions of a Case); this module fetches the Case from the library and is the app's error
boundary: an MtbError becomes a message on the page, anything else a short notice — never a
traceback (which could show patient data) and never patient data in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import dash
from dash import Dash, dcc, html

from layouts.add_case import add_case_page
from layouts.agenda import AgendaRow, MeetingChoice, agenda
from layouts.case_page import case_page, present_page
from layouts.messages import error_message
from layouts.shell import shell
from mtb.auth import csrf_token, current_actor, install_auth
from mtb.board import tier_counts
from mtb.board_callbacks import RELOAD, register_agenda_callbacks, register_board_callbacks
from mtb.callbacks import register_callbacks
from mtb.config import Settings
from mtb.errors import MtbError
from mtb.library import CaseLibrary
from mtb.resources import assets_dir
from mtb.store import Store
from mtb.web.board import board_view, finding_choices, meeting_labels

log = logging.getLogger("mtb.app")


def guarded(what: str, build: Callable[[], Any], frame: Callable[..., Any]) -> Any:
    """Run a layout function; errors become a message instead of a broken page."""
    try:
        return build()
    except MtbError as error:
        message = error_message(f"{what} cannot be shown", str(error))
    except Exception as error:  # the boundary: log the kind of error, not its content
        log.error("internal error (%s) while building: %s", type(error).__name__, what)
        message = error_message(f"{what} cannot be shown",
                                "An internal error occurred; it has been logged without "
                                "patient data. Please report it.")
    return frame(message)


def agenda_rows(
    library: CaseLibrary, statuses: dict[str, str] | None = None,
    meetings: dict[str, int | None] | None = None,
    curations: Callable[[str], Mapping[str, Any]] | None = None,
) -> list[AgendaRow]:
    """The agenda's rows; tier counts follow the curators (mtb.board.tier_counts: by the
    reported tier, without the findings curated away)."""
    statuses, meetings = statuses or {}, meetings or {}
    rows = []
    for entry in library.entries():
        synthetic = "synthetic" if entry.synthetic else (
            "demonstration join" if entry.synthetic_parts else "")
        try:
            case = library.open(entry.id).case
        except MtbError as error:
            rows.append(AgendaRow(entry.id, entry.title, entry.diagnosis, "cannot be opened",
                                  None, None, synthetic, str(error)))
            continue
        tier1, tier2 = tier_counts(case.annotation.variants,
                                   curations(entry.id) if curations else None)
        rows.append(AgendaRow(entry.id, entry.title, case.diagnosis,
                              statuses.get(entry.id, "prepared"), tier1, tier2,
                              synthetic, meeting=meetings.get(entry.id)))
    return rows


def create_app(
    settings: Settings, library: CaseLibrary | None = None, store: Store | None = None
) -> Dash:
    """The app. Every page needs a signed-in user (mtb.auth); writes go to the store."""
    library = library or CaseLibrary(settings)
    store = store or Store.open(settings.database_url)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",  # pages are registered below, in code
        assets_folder=str(assets_dir()),  # the top-level assets/, not one beside this module
        external_stylesheets=[],  # Bootstrap is shipped in assets/: no CDN on hospital networks
        title="mtb",
        update_title=None,
        suppress_callback_exceptions=True,  # components of other pages than the one shown
    )

    def frame(*content: Any) -> Any:
        actor = current_actor(store)
        if actor is None:
            return shell(*content)
        return shell(*content, user=actor.name, role=actor.role, csrf=csrf_token())

    def bare(*content: Any) -> Any:
        return html.Div(list(content), className="p-4")

    def agenda_page(**_: Any) -> Any:
        def build() -> Any:
            actor = current_actor(store)
            rows = agenda_rows(library, store.statuses(), store.meeting_of(), store.curations)
            choices = [MeetingChoice(ident, label) for ident, label in meeting_labels(store)]
            return frame(agenda(rows, choices, may_plan=bool(actor and actor.may("decide"))))
        return guarded("The agenda", build, frame)

    def case_view(case_id: str = "", **_: Any) -> Any:
        def build() -> Any:
            case = library.open(case_id).case
            board = board_view(store, case_id, current_actor(store))
            return frame(case_page(case, board, finding_choices(case)))
        return guarded("This case", build, frame)

    def present_view(case_id: str = "", **_: Any) -> Any:
        def build() -> Any:
            previous, following = library.neighbours(case_id, store.meeting_of())
            board = board_view(store, case_id, current_actor(store))
            return present_page(library.open(case_id).case, previous, following, board)
        return guarded("This case", build, bare)

    def add_view(**_: Any) -> Any:
        return frame(add_case_page())

    # `order`: Dash matches templates with fnmatch, where '*' spans '/', so the longer
    # /case/<id>/present must be tried before /case/<id>
    dash.register_page("agenda", path="/", layout=agenda_page, title="mtb · agenda", order=0)
    dash.register_page("present", path_template="/case/<case_id>/present",
                       layout=present_view, title="mtb · presentation", order=1)
    dash.register_page("case", path_template="/case/<case_id>", layout=case_view,
                       title="mtb · case", order=2)
    dash.register_page("add", path="/add", layout=add_view, title="mtb · add a case", order=3)
    app.layout = html.Div([dcc.Location(id="url"), dcc.Location(id=RELOAD, refresh=True),
                           dash.page_container])
    install_auth(app.server, store, settings.data_dir, secure=settings.secure_cookies)
    register_callbacks(app, library, store)
    register_board_callbacks(app, library, store)
    register_agenda_callbacks(app, library, store, agenda_rows)
    return app
