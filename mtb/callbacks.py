"""The app's callbacks: thin. Each fetches the open case from the library and hands it to a
pure function (mtb.grid for rows, layouts for components). Errors become messages."""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update

from layouts import ids
from layouts.add_case import add_result, uploaded_files
from layouts.board import curation_form
from layouts.findings import evidence_panel
from layouts.messages import error_message
from mtb.auth import current_actor
from mtb.board import finding_key
from mtb.errors import InputError, MtbError
from mtb.grid import rows_for
from mtb.intake import add_case
from mtb.library import CaseLibrary
from mtb.store import Store

log = logging.getLogger("mtb.app")


def tier_filter_model(current: dict[str, Any] | None, highest_rank: int) -> dict[str, Any]:
    """The grid's filter model with the tier buttons' choice (ranks IA 0 ... IV 5)."""
    model = {k: v for k, v in (current or {}).items() if k != "tier_rank"}
    if highest_rank < 5:
        model["tier_rank"] = {"filterType": "number", "type": "lessThanOrEqual",
                              "filter": highest_rank}
    return model


def register_callbacks(app: Dash, library: CaseLibrary, store: Store) -> None:
    @app.callback(
        Output(ids.GRID, "getRowsResponse"),
        Input(ids.GRID, "getRowsRequest"),
        State(ids.CASE_ID, "data"),
        prevent_initial_call=True,
    )
    def grid_rows(request: dict[str, Any] | None, case_id: str) -> Any:
        if not request or not case_id:
            return no_update
        try:
            return rows_for(library.open(case_id).frame, request)
        except MtbError:
            return {"rowData": [], "rowCount": 0}

    @app.callback(
        Output(ids.GRID, "filterModel"),
        Input(ids.TIER_FILTER, "value"),
        State(ids.GRID, "filterModel"),
        prevent_initial_call=True,
    )
    def tier_buttons(rank: int | None, current: dict[str, Any] | None) -> Any:
        return tier_filter_model(current, 5 if rank is None else int(rank))

    @app.callback(
        Output(ids.EVIDENCE, "children"),
        Input(ids.GRID, "selectedRows"),
        Input({"type": ids.FINDING, "row": ALL}, "n_clicks"),
        State(ids.CASE_ID, "data"),
        prevent_initial_call=True,
    )
    def evidence(selected: list[dict[str, Any]] | None, _clicks: Any, case_id: str) -> Any:
        trigger = ctx.triggered_id
        try:
            if isinstance(trigger, dict) and trigger.get("type") == ids.FINDING:
                if not ctx.triggered[0]["value"]:  # the card was drawn, not pressed
                    return no_update
                row = int(trigger["row"])
            elif selected:
                row = int(selected[0]["row"])
            else:
                return no_update
        except (KeyError, TypeError, ValueError, IndexError):
            return no_update  # a malformed request: nothing to show
        try:
            case = library.open(case_id).case
        except MtbError as error:
            return error_message("The evidence cannot be shown", str(error))
        variants = case.annotation.variants
        variant = variants[row] if 0 <= row < len(variants) else None
        panel = evidence_panel(variant, case.annotation.diagnosis.text)
        if variant is None:
            return panel
        actor = current_actor(store)
        record = store.case_record(case_id)
        curation = store.curations(case_id).get(finding_key(variant))
        return [panel, curation_form(row, variant, curation,
                                     may_curate=bool(actor and actor.may("curate")),
                                     final=record.status == "final")]

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
        try:
            files = [(name, _decode(name, data))
                     for name, data in zip(names or [], contents or [], strict=False)]
            entry = add_case(files, title or "", diagnosis or "", library.settings, library.kb)
        except InputError as error:
            return add_result(False, error.message)
        except MtbError as error:
            return add_result(False, str(error))
        except Exception as error:  # the boundary: no traceback, no patient data in the log
            log.error("internal error (%s) while adding a case", type(error).__name__)
            return add_result(False, "An internal error occurred; nothing was stored.")
        return add_result(True, f"Case '{entry.title}' added.", entry.id)


def _decode(name: str, data_url: str) -> bytes:
    """The bytes of a dcc.Upload data URL ('data:<type>;base64,<data>')."""
    try:
        return base64.b64decode(data_url.split(",", 1)[1], validate=True)
    except (IndexError, binascii.Error, ValueError):
        raise InputError(name, "the upload arrived damaged; choose the file again") from None
