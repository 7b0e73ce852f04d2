"""The case page's report downloads: HTML, PDF or a FHIR Bundle of mtb.report, each export
written to the audit log (who took the data). A final case's report is the one kept when it was
finalized, byte for byte (mtb.library.Library.report)."""

from __future__ import annotations

from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, no_update

from layouts import ids
from layouts.board import board_message
from mtb.i18n import N_
from mtb.store import Store
from mtb.web import boundary
from mtb.web.library import CaseLibrary
from mtb.web.trigger import pressed

NOT_WRITTEN = N_("The report could not be written (internal error; logged without patient "
                 "data).")


def report_file(library: CaseLibrary, store: Store, case_id: str, fmt: str,
                by: str = "mtb") -> dict[str, Any]:
    """The case report as a dcc.Download payload (HTML, PDF or a FHIR Bundle)."""
    data = library.library.report(case_id, fmt, by)
    name = f"mtb-report-{case_id}"
    suffix = {"pdf": "pdf", "fhir": "fhir.json"}.get(fmt, "html")
    return dcc.send_bytes(data, f"{name}.{suffix}")


def register(app: Dash, library: CaseLibrary, store: Store) -> None:
    @app.callback(
        Output(ids.DOWNLOAD_FILE, "data"),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Input({"type": ids.DOWNLOAD, "format": ALL}, "n_clicks"),
        State(ids.CASE_ID, "data"),
        prevent_initial_call=True,
    )
    def download(clicks: list[int | None], case_id: str) -> Any:
        if not pressed(type_=ids.DOWNLOAD):
            return no_update, no_update
        fmt = ctx.triggered_id["format"]

        def export(actor: Any) -> dict[str, Any]:
            payload = report_file(library, store, case_id, fmt, actor.name)
            store.log_event(actor.name, "export_report", case_id, fmt)  # who took the data
            return payload

        written = boundary.as_user(store, "writing a report", export, internal=NOT_WRITTEN)
        if not written.ok:
            return no_update, board_message(written.message, ok=False)
        return written.value, no_update
