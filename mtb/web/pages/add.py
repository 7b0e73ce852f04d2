"""`/add`: a new case from uploaded files (mtb.web.intake checks every file before anything
is stored)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import dash
from dash import Dash, Input, Output, State

from layouts import ids
from layouts.add_case import add_case_page, add_result, uploaded_files
from mtb.errors import InputError
from mtb.store import Store
from mtb.web import boundary
from mtb.web.auth import current_actor
from mtb.web.frame import framed
from mtb.web.intake import add_case
from mtb.web.library import CaseLibrary

NOT_STORED = "An internal error occurred; nothing was stored."


def register(app: Dash, library: CaseLibrary, store: Store) -> None:
    def layout(**_: Any) -> Any:
        return framed(store, add_case_page())

    dash.register_page("add", path="/add", layout=layout, title="mtb · add a case", order=3)

    @app.callback(
        Output(ids.ADD_FILES, "children"),
        Input(ids.ADD_UPLOAD, "filename"),
        prevent_initial_call=True,
    )
    def chosen_files(names: list[str] | None) -> Any:
        return uploaded_files(names or [])

    @app.callback(
        Output(ids.ADD_RESULT, "children"),
        Input(ids.ADD_BUTTON, "n_clicks"),
        State(ids.ADD_UPLOAD, "contents"),
        State(ids.ADD_UPLOAD, "filename"),
        State(ids.ADD_TITLE, "value"),
        State(ids.ADD_DIAGNOSIS, "value"),
        running=[(Output(ids.ADD_BUTTON, "disabled"), True, False)],
        prevent_initial_call=True,
    )
    def add(_n: int, contents: list[str] | None, names: list[str] | None, title: str | None,
            diagnosis: str | None) -> Any:
        actor = current_actor(store)
        if actor is None or not actor.may("add_case"):
            return add_result(False, "Only curators, chairs and admins add cases.")

        def store_case() -> Any:
            files = [(name, _decode(name, data))
                     for name, data in zip(names or [], contents or [], strict=False)]
            entry = add_case(files, title or "", diagnosis or "", library.settings)
            library.library.register(entry.folder, "upload", by=actor.name)  # annotation job
            return entry

        added = boundary.attempt("adding a case", store_case, internal=NOT_STORED)
        if not added.ok:
            return add_result(False, added.message)
        return add_result(True, f"Case '{added.value.title}' added; it is being annotated (the "
                          "agenda shows how far).", added.value.id)


def _decode(name: str, data_url: str) -> bytes:
    """The bytes of a dcc.Upload data URL ('data:<type>;base64,<data>')."""
    try:
        return base64.b64decode(data_url.split(",", 1)[1], validate=True)
    except (IndexError, binascii.Error, ValueError):
        raise InputError(name, "the upload arrived damaged; choose the file again") from None
