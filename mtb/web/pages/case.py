"""`/case/<case_id>[?version=N]`: the case page, drawn from a stored annotation version (a final
case's pinned one, else the newest; mtb.web.library), with what the version is and what changed
(layouts.versions); its variant grid (rows from the server in blocks, see mtb.web.grid), the
tier buttons and the evidence of the selected finding with its curation form. A case still
being annotated is a page saying how far it is, which shows the case once it is done. Thin:
each callback fetches the opened version from the library and hands it to a pure function; the
board's writes are in mtb.web.pages.decisions."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Dash, Input, Output, State, ctx, no_update

from layouts import ids
from layouts.board import curation_form
from layouts.case_page import case_page, key_rows
from layouts.findings import evidence_panel
from layouts.messages import error_message
from layouts.seen_before import seen_before as seen_slot
from layouts.tumor_type import tumor_type_form
from layouts.versions import pending_page, version_panel
from mtb.board import finding_key
from mtb.cohort.seen import seen_before
from mtb.errors import InputError
from mtb.i18n import N_, _
from mtb.library import tumor_type_terms
from mtb.store import Store
from mtb.web import boundary
from mtb.web.auth import current_actor
from mtb.web.board import board_view, finding_choices
from mtb.web.frame import framed
from mtb.web.grid import rows_for
from mtb.web.library import CaseLibrary
from mtb.web.versions import version_view


def tier_filter_model(current: dict[str, Any] | None, highest_rank: int) -> dict[str, Any]:
    """The grid's filter model with the tier buttons' choice (ranks IA 0 ... IV 5)."""
    model = {k: v for k, v in (current or {}).items() if k != "tier_rank"}
    if highest_rank < 5:
        model["tier_rank"] = {"filterType": "number", "type": "lessThanOrEqual",
                              "filter": highest_rank}
    return model


def _number(version: Any) -> int | None:
    """The page's version (a dcc.Store value), or None (the shown one)."""
    try:
        return int(version) if version else None
    except (TypeError, ValueError):
        return None


def _seen(store: Store, case: Any, number: int, board: Any) -> dict[str, Any]:
    """Each key finding's 'seen before' slot (mtb.cohort.seen; a few queries)."""
    keys = {finding_key(v) for _, v in key_rows(case, board)}
    rows = store.finding_rows(case.entry.id, number, keys)
    found = seen_before(store, case.entry.id, rows)
    return {key: seen_slot(item) for key, item in found.items()}


def register(app: Dash, library: CaseLibrary, store: Store) -> None:
    def layout(case_id: str = "", version: str | None = None, **_query: Any) -> Any:
        def build() -> Any:
            number = int(version) if version and str(version).isdigit() else None
            try:
                opened = library.open(case_id, number)
            except InputError:
                if store.stored_case(case_id) is None or number is not None:
                    raise
                state, problem = library.library.case_state(case_id)
                stored = store.stored_case(case_id)
                return framed(store, pending_page(case_id, stored.title if stored else "",
                                                  state, problem))
            if number is None:
                library.library.check(case_id)  # changed files: re-annotated, said below
            board = board_view(store, case_id, current_actor(store))
            case = opened.case
            return framed(store, case_page(
                case, board, finding_choices(case),
                version=version_panel(version_view(library, opened, board.curations)),
                seen=_seen(store, case, opened.info.number, board),
                tumor_type=_tumor_type(case, board, case_id)))
        return boundary.page(N_("This case"), build, lambda *c: framed(store, *c))

    def _tumor_type(case: Any, board: Any, case_id: str) -> Any:
        """The tumor type form, for curators of a case that is not final."""
        if not board.may_curate or board.record.status == "final":
            return None
        stored = store.stored_case(case_id)
        return tumor_type_form(case.annotation.diagnosis, tumor_type_terms(),
                               reason=stored.tumor_type_reason if stored else "")

    # `order`: Dash matches templates with fnmatch, where '*' spans '/', so the longer
    # /case/<id>/present (order 1) must be tried before /case/<id>
    dash.register_page("case", path_template="/case/<case_id>", layout=layout,
                       title=lambda **_kw: "mtb · " + _("case"), order=2)

    @app.callback(
        Output(ids.GRID, "getRowsResponse"),
        Input(ids.GRID, "getRowsRequest"),
        State(ids.CASE_ID, "data"),
        State(ids.CASE_VERSION, "data"),
        prevent_initial_call=True,
    )
    def grid_rows(request: dict[str, Any] | None, case_id: str, version: int | None) -> Any:
        if not request or not case_id:
            return no_update
        rows = boundary.attempt("reading grid rows", lambda: rows_for(
            library.open(case_id, _number(version)).frame, request))
        return rows.value if rows.ok else {"rowData": [], "rowCount": 0}

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
        State(ids.CASE_VERSION, "data"),
        prevent_initial_call=True,
    )
    def evidence(selected: list[dict[str, Any]] | None, _clicks: Any, case_id: str,
                 version: int | None) -> Any:
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
        shown = boundary.attempt("showing evidence",
                                 lambda: _evidence(case_id, row, _number(version)))
        if not shown.ok:
            return error_message(_("The evidence cannot be shown"), shown.message)
        return shown.value

    @app.callback(
        Output(ids.PENDING, "href"),
        Input(ids.PENDING_REFRESH, "n_intervals"),
        State(ids.CASE_ID, "data"),
        prevent_initial_call=True,
    )
    def pending(_tick: int, case_id: str) -> Any:
        """A case being annotated: shown as soon as it has a version."""
        ready = boundary.attempt("checking a case", lambda: library.library.shown_version(
            case_id))
        return f"/case/{case_id}" if ready.ok and ready.value is not None else no_update

    def _evidence(case_id: str, row: int, version: int | None) -> Any:
        case = library.open(case_id, version).case
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
