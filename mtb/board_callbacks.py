"""Callbacks that write: case status, curation, case summary, recommendations. Thin: each takes
the signed-in user from the session (never from the request body), calls the store, which
checks the role, the case's lock and the version, and redraws what changed. A refused write is
a message on the page; nothing is half-applied."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update

from layouts import ids
from layouts.board import audit_table, board_message, curation_form, decision_panel
from mtb.auth import current_actor
from mtb.board import board_view, finding_choices
from mtb.case import finding_key
from mtb.errors import MtbError
from mtb.library import CaseLibrary
from mtb.store import Actor, Store

log = logging.getLogger("mtb.app")
RELOAD = "reload"  # a dcc.Location(refresh=True) in the app layout


def _write(store: Store, act: Callable[[Actor], Any]) -> tuple[bool, str]:
    """Run a write as the signed-in user; (ok, message)."""
    actor = current_actor(store)
    if actor is None:
        return False, "Your session has ended: sign in again."
    try:
        act(actor)
    except MtbError as error:  # AccessError, StaleEditError, StorageError
        return False, str(error)
    except Exception as error:  # the boundary: no traceback, no patient data in the log
        log.error("internal error (%s) while saving", type(error).__name__)
        return False, "An internal error occurred; nothing was saved."
    return True, "Saved."


def register_board_callbacks(app: Dash, library: CaseLibrary, store: Store) -> None:
    @app.callback(
        Output(RELOAD, "href"),
        Output(ids.BOARD_MESSAGE, "children"),
        Input({"type": ids.STATUS_BUTTON, "status": ALL}, "n_clicks"),
        State(ids.CASE_ID, "data"),
        State(ids.SUMMARY_VERSION, "data"),
        prevent_initial_call=True,
    )
    def change_status(clicks: list[int | None], case_id: str, version: int) -> Any:
        if not any(clicks) or not isinstance(ctx.triggered_id, dict):
            return no_update, no_update
        status = ctx.triggered_id["status"]
        ok, message = _write(store, lambda actor: store.set_status(case_id, status, actor,
                                                                   int(version or 0)))
        if ok:
            return f"/case/{case_id}", no_update  # redraw everything: a final case locks
        return no_update, board_message(message, ok=False)

    @app.callback(
        Output(ids.CURATION, "children"),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Output(ids.AUDIT, "children"),
        Input(ids.CURATE_SAVE, "n_clicks"),
        State(ids.CURATION_ROW, "data"),
        State(ids.CURATE_ONCOGENICITY, "value"),
        State(ids.CURATE_TIER, "value"),
        State(ids.CURATE_REASON, "value"),
        State(ids.CURATE_COMMENT, "value"),
        State(ids.CURATE_IN_REPORT, "value"),
        State(ids.CASE_ID, "data"),
        prevent_initial_call=True,
    )
    def save_curation(_n: int, target: dict[str, int], oncogenicity: str, tier: str,
                      reason: str, comment: str, in_report: bool, case_id: str) -> Any:
        case = library.open(case_id).case
        row = int(target["row"])
        variant = case.annotation.variants[row]
        key = finding_key(variant)
        ok, message = _write(store, lambda actor: store.curate(
            case_id, key, actor, int(target["version"]), oncogenicity=oncogenicity or "",
            tier_override=tier or "", override_reason=reason or "", comment=comment or "",
            in_report=bool(in_report)))
        actor = current_actor(store)
        record = store.case_record(case_id)
        form = curation_form(row, variant, store.curations(case_id).get(key),
                             may_curate=bool(actor and actor.may("curate")),
                             final=record.status == "final")
        return (form.children, board_message(message, ok=ok),
                audit_table(store.audit(case_id)).children)

    @app.callback(
        Output(ids.SUMMARY_VERSION, "data", allow_duplicate=True),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Output(ids.AUDIT, "children", allow_duplicate=True),
        Input(ids.SUMMARY_SAVE, "n_clicks"),
        State(ids.SUMMARY_TEXT, "value"),
        State(ids.SUMMARY_VERSION, "data"),
        State(ids.CASE_ID, "data"),
        prevent_initial_call=True,
    )
    def save_summary(_n: int, text: str, version: int, case_id: str) -> Any:
        ok, message = _write(store, lambda actor: store.set_summary(
            case_id, text or "", actor, int(version or 0)))
        record = store.case_record(case_id)
        return (record.version if ok else no_update, board_message(message, ok=ok),
                audit_table(store.audit(case_id)).children)

    @app.callback(
        Output(ids.DECISIONS, "children"),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Output(ids.AUDIT, "children", allow_duplicate=True),
        Input(ids.RECOMMEND_SAVE, "n_clicks"),
        Input({"type": ids.WITHDRAW, "id": ALL, "version": ALL}, "n_clicks"),
        State(ids.RECOMMEND_KIND, "value"),
        State(ids.RECOMMEND_TEXT, "value"),
        State(ids.RECOMMEND_GRADE, "value"),
        State(ids.RECOMMEND_TIER, "value"),
        State(ids.RECOMMEND_RATIONALE, "value"),
        State(ids.RECOMMEND_FINDINGS, "value"),
        State(ids.CASE_ID, "data"),
        prevent_initial_call=True,
    )
    def decide(_save: int, withdraws: list[int | None], kind: str, text: str, grade: str,
               tier: str, rationale: str, findings: list[str] | None, case_id: str) -> Any:
        trigger = ctx.triggered_id
        if isinstance(trigger, dict):
            if not ctx.triggered[0]["value"]:
                return no_update, no_update, no_update
            ok, message = _write(store, lambda actor: store.withdraw(
                int(trigger["id"]), actor, int(trigger["version"])))
        else:
            ok, message = _write(store, lambda actor: store.recommend(
                case_id, actor, kind=kind or "therapy", text=text or "",
                evidence_grade=grade or "", amp_tier=tier or "", rationale=rationale or "",
                finding_keys=tuple(findings or ())))
        board = board_view(store, case_id, current_actor(store))
        case = library.open(case_id).case
        panel = decision_panel(board.record, board.recommendations, finding_choices(case),
                               may_decide=board.may_decide)
        return panel.children, board_message(message, ok=ok), audit_table(board.audit).children

    register_download_callback(app, library, store)


def report_file(library: CaseLibrary, store: Store, case_id: str, fmt: str) -> dict[str, Any]:
    """The case report as a dcc.Download payload (HTML, PDF or a FHIR Bundle)."""
    from dash import dcc

    from mtb.report import bundle_json, render_html, render_pdf, report_content

    content = report_content(library.open(case_id).case, store)
    name = f"mtb-report-{case_id}"
    if fmt == "pdf":
        return dcc.send_bytes(render_pdf(content), f"{name}.pdf")
    if fmt == "fhir":
        return dcc.send_string(bundle_json(content), f"{name}.fhir.json")
    return dcc.send_string(render_html(content), f"{name}.html")


def register_download_callback(app: Dash, library: CaseLibrary, store: Store) -> None:
    @app.callback(
        Output(ids.DOWNLOAD_FILE, "data"),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Input({"type": ids.DOWNLOAD, "format": ALL}, "n_clicks"),
        State(ids.CASE_ID, "data"),
        prevent_initial_call=True,
    )
    def download(clicks: list[int | None], case_id: str) -> Any:
        if not any(clicks) or not isinstance(ctx.triggered_id, dict):
            return no_update, no_update
        if current_actor(store) is None:
            return no_update, board_message("Your session has ended: sign in again.", ok=False)
        try:
            return report_file(library, store, case_id, ctx.triggered_id["format"]), no_update
        except MtbError as error:
            return no_update, board_message(str(error), ok=False)
        except Exception as error:  # the boundary
            log.error("internal error (%s) while writing a report", type(error).__name__)
            return no_update, board_message("The report could not be written (internal "
                                            "error; logged without patient data).", ok=False)


def register_agenda_callbacks(
    app: Dash, library: CaseLibrary, store: Store,
    rows_of: Callable[[CaseLibrary, dict[str, str], dict[str, int | None]], list[Any]],
) -> None:
    """The agenda's meeting filter, a new meeting, and putting a case on a meeting."""
    from datetime import date

    from layouts.agenda import agenda_table
    from mtb.board import meeting_labels

    @app.callback(
        Output(ids.AGENDA_TABLE, "children"),
        Input(ids.MEETING_FILTER, "value"),
        prevent_initial_call=True,
    )
    def filter_agenda(meeting: int | None) -> Any:
        rows = rows_of(library, store.statuses(), store.meeting_of())
        return agenda_table([r for r in rows if meeting is None or r.meeting == meeting])

    @app.callback(
        Output(ids.MEETING_MESSAGE, "children"),
        Output(ids.MEETING_FILTER, "options"),
        Input(ids.MEETING_ADD, "n_clicks"),
        State(ids.MEETING_DAY, "value"),
        State(ids.MEETING_TITLE, "value"),
        State(ids.MEETING_PEOPLE, "value"),
        prevent_initial_call=True,
    )
    def add_meeting(_n: int, day: str | None, title: str | None, people: str | None) -> Any:
        try:
            when = date.fromisoformat(day or "")
        except ValueError:
            return board_message("Give the meeting's date.", ok=False), no_update
        ok, message = _write(store, lambda actor: store.add_meeting(
            when, title or "", (people or "").splitlines(), actor))
        options = [{"label": label, "value": ident} for ident, label in meeting_labels(store)]
        return board_message(message if not ok else "Meeting created.", ok=ok), options

    @app.callback(
        Output(RELOAD, "href", allow_duplicate=True),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Input(ids.CASE_MEETING, "value"),
        State(ids.CASE_ID, "data"),
        State(ids.SUMMARY_VERSION, "data"),
        prevent_initial_call=True,
    )
    def assign(meeting: int | None, case_id: str, version: int) -> Any:
        if store.case_record(case_id).meeting_id == meeting:
            return no_update, no_update
        ok, message = _write(store, lambda actor: store.assign_meeting(
            case_id, meeting, actor, int(version or 0)))
        if ok:
            return f"/case/{case_id}", no_update
        return no_update, board_message(message, ok=False)
