"""`/add`: a new case from uploaded files. The browser streams each file to the upload route
(mtb.web.uploads; assets/30_upload.js sends them when "Add case" is pressed); this page's
callback then checks the staged files and stores the case (mtb.web.intake: every file is read
before anything is stored)."""

from __future__ import annotations

from typing import Any

import dash
from dash import ClientsideFunction, Dash, Input, Output, State

from layouts import ids
from layouts.add_case import add_case_page, add_result, uploaded_files
from mtb.errors import InputError
from mtb.i18n import N_, _
from mtb.store import Store
from mtb.web import boundary
from mtb.web.auth import current_actor
from mtb.web.frame import framed
from mtb.web.intake import add_case
from mtb.web.library import CaseLibrary
from mtb.web.uploads import staged_folder

NOT_STORED = N_("An internal error occurred; nothing was stored.")


def register(app: Dash, library: CaseLibrary, store: Store) -> None:
    def layout(**_query: Any) -> Any:
        actor = current_actor(store)
        limit = library.settings.upload_limits.get(actor.role, 0) if actor else 0
        return framed(store, add_case_page(limit if actor and actor.may("add_case") else 0))

    dash.register_page("add", path="/add", layout=layout,
                       title=lambda **_kw: "mtb · " + _("add a case"), order=3)

    @app.callback(
        Output(ids.ADD_FILES, "children"),
        Input(ids.ADD_CHOSEN, "data"),
        prevent_initial_call=True,
    )
    def chosen_files(names: list[str] | None) -> Any:
        shown = [str(n)[:200] for n in names or [] if isinstance(n, str)][:100]
        return uploaded_files(shown)

    # the files go to the upload route first, from the browser (a function of assets/, not an
    # inline script: the Content-Security-Policy allows no inline code but Dash's own)
    app.clientside_callback(
        ClientsideFunction(namespace="mtb_upload", function_name="send"),
        Output(ids.ADD_STAGED, "data"),
        Input(ids.ADD_BUTTON, "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.ADD_RESULT, "children"),
        Input(ids.ADD_STAGED, "data"),
        State(ids.ADD_TITLE, "value"),
        State(ids.ADD_DIAGNOSIS, "value"),
        running=[(Output(ids.ADD_BUTTON, "disabled"), True, False)],
        prevent_initial_call=True,
    )
    def add(staged: dict[str, Any] | None, title: str | None, diagnosis: str | None) -> Any:
        """Only after the button's clientside step answered (never when the page is drawn)."""
        if not isinstance(staged, dict) or not staged.get("clicks"):
            return dash.no_update
        actor = current_actor(store)
        if actor is None or not actor.may("add_case"):
            return add_result(False, _("Only curators, chairs and admins add cases."))
        if staged.get("error"):
            return add_result(False, str(staged["error"])[:500])

        def store_case() -> Any:
            if not isinstance(title, str | None) or not isinstance(diagnosis, str | None):
                raise InputError("form", _("a malformed request was refused; reload the page"))
            folder = staged_folder(library.settings, staged.get("upload", ""), actor.name)
            entry = add_case(folder, title or "", diagnosis or "", library.settings)
            library.library.register(entry.folder, "upload", by=actor.name)  # annotation job
            return entry

        added = boundary.attempt("adding a case", store_case, internal=NOT_STORED)
        if not added.ok:
            return add_result(False, added.message)
        assert added.value is not None  # an ok outcome carries its value
        return add_result(True, _("Case '{title}' added; it is being annotated (the agenda "
                                  "shows how far).", title=added.value.title), added.value.id)
