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
from mtb.board import Actor, finding_key
from mtb.errors import MtbError
from mtb.library import CaseLibrary
from mtb.store import Store
from mtb.web.board import board_view, finding_choices

log = logging.getLogger("mtb.app")
RELOAD = "reload"  # a dcc.Location(refresh=True) in the app layout


def _write(store: Store, act: Callable[[Actor], Any]) -> tuple[bool, str, Any]:
    """Run a write as the signed-in user; (ok, message, what the store returned)."""
    actor = current_actor(store)
    if actor is None:
        return False, "Your session has ended: sign in again.", None
    try:
        result = act(actor)
    except MtbError as error:  # AccessError, StaleEditError, StorageError
        return False, str(error), None
    except Exception as error:  # the boundary: no traceback, no patient data in the log
        log.error("internal error (%s) while saving", type(error).__name__)
        return False, "An internal error occurred; nothing was saved.", None
    return True, "Saved.", result


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
        ok, message, _ = _write(store, lambda actor: store.set_status(case_id, status, actor,
                                                                   int(version or 0)))
        if ok:
            return f"/case/{case_id}", no_update  # redraw everything: a final case locks
        return no_update, board_message(message, ok=False)

    @app.callback(
        Output(RELOAD, "href", allow_duplicate=True),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Input(ids.CONFIRM_FINAL, "submit_n_clicks"),
        State(ids.CASE_ID, "data"),
        State(ids.SUMMARY_VERSION, "data"),
        prevent_initial_call=True,
    )
    def finalize(confirmed: int | None, case_id: str, version: int) -> Any:
        """'Mark final' after the browser's confirmation (it cannot be undone)."""
        if not confirmed:
            return no_update, no_update
        ok, message, _ = _write(store, lambda actor: store.set_status(
            case_id, "final", actor, int(version or 0)))
        if ok:
            return f"/case/{case_id}", no_update
        return no_update, board_message(message, ok=False)

    @app.callback(
        Output(ids.CURATION, "children"),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Output(ids.AUDIT, "children"),
        Output(ids.SUMMARY_VERSION, "data", allow_duplicate=True),
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
    def save_curation(_n: int, target: dict[str, Any], oncogenicity: str, tier: str,
                      reason: str, comment: str, in_report: bool, case_id: str) -> Any:
        """The finding is named by its key as the page showed it; a case whose files changed
        since (the key is gone) is refused, never curated on whatever now sits at that row."""
        try:
            case = library.open(case_id).case
        except MtbError as error:
            return no_update, board_message(str(error), ok=False), no_update, no_update
        key = str((target or {}).get("key", ""))
        found = [(row, v) for row, v in enumerate(case.annotation.variants)
                 if finding_key(v) == key]
        if not found:
            return (no_update, board_message("This finding is no longer in the case (its files "
                                             "changed): reload the page.", ok=False),
                    no_update, no_update)
        row, variant = found[0]
        ok, message, saved = _write(store, lambda actor: store.curate(
            case_id, key, actor, int(target.get("version") or 0),
            oncogenicity=oncogenicity or "", tier_override=tier or "",
            override_reason=reason or "", comment=comment or "", in_report=bool(in_report)))
        if not ok:  # keep what the curator typed: the message says what to do
            return no_update, board_message(message, ok=False), no_update, no_update
        actor = current_actor(store)
        form = curation_form(row, variant, saved, may_curate=bool(actor and actor.may("curate")),
                             final=False)
        return (form.children, board_message(message, ok=True),
                audit_table(store.audit(case_id)).children, saved.case_version)

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
        ok, message, record = _write(store, lambda actor: store.set_summary(
            case_id, text or "", actor, int(version or 0)))
        return (record.version if ok else no_update,  # the version of this write, not a re-read
                board_message(message, ok=ok), audit_table(store.audit(case_id)).children)

    @app.callback(
        Output(ids.DECISIONS, "children"),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Output(ids.AUDIT, "children", allow_duplicate=True),
        Output(ids.SUMMARY_VERSION, "data", allow_duplicate=True),
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
        if isinstance(trigger, dict) and not ctx.triggered[0]["value"]:
            return no_update, no_update, no_update, no_update
        try:
            case = library.open(case_id).case  # a case that exists, with these findings
        except MtbError as error:
            return no_update, board_message(str(error), ok=False), no_update, no_update
        choices = finding_choices(case)
        if isinstance(trigger, dict):
            ok, message, saved = _write(store, lambda actor: store.withdraw(
                int(trigger["id"]), actor, int(trigger["version"])))
        elif not set(findings or ()) <= {key for key, _ in choices}:
            ok, message, saved = False, "A chosen finding is not in this case; reload.", None
        else:
            ok, message, saved = _write(store, lambda actor: store.recommend(
                case_id, actor, kind=kind or "therapy", text=text or "",
                evidence_grade=grade or "", amp_tier=tier or "", rationale=rationale or "",
                finding_keys=tuple(findings or ())))
        if not ok:  # keep the form as typed
            return no_update, board_message(message, ok=False), no_update, no_update
        board = board_view(store, case_id, current_actor(store))
        panel = decision_panel(board.record, board.recommendations, choices,
                               may_decide=board.may_decide)
        return (panel.children, board_message(message, ok=True),
                audit_table(board.audit).children, saved.case_version)

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
        actor = current_actor(store)
        if actor is None:
            return no_update, board_message("Your session has ended: sign in again.", ok=False)
        try:
            fmt = ctx.triggered_id["format"]
            payload = report_file(library, store, case_id, fmt)
            store.log_event(actor.name, "export_report", case_id, fmt)  # who took the data
            return payload, no_update
        except MtbError as error:
            return no_update, board_message(str(error), ok=False)
        except Exception as error:  # the boundary
            log.error("internal error (%s) while writing a report", type(error).__name__)
            return no_update, board_message("The report could not be written (internal "
                                            "error; logged without patient data).", ok=False)


def register_agenda_callbacks(
    app: Dash, library: CaseLibrary, store: Store,
    rows_of: Callable[..., list[Any]],
) -> None:
    """The agenda's meeting filter, a new meeting, and putting a case on a meeting."""
    from datetime import date

    from layouts.agenda import agenda_table
    from mtb.web.board import meeting_labels

    @app.callback(
        Output(ids.AGENDA_TABLE, "children"),
        Input(ids.MEETING_FILTER, "value"),
        prevent_initial_call=True,
    )
    def filter_agenda(meeting: int | None) -> Any:
        rows = rows_of(library, store.statuses(), store.meeting_of(), store.curations)
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
        ok, message, _ = _write(store, lambda actor: store.add_meeting(
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
        ok, message, _ = _write(store, lambda actor: store.assign_meeting(
            case_id, meeting, actor, int(version or 0)))
        if ok:
            return f"/case/{case_id}", no_update
        return no_update, board_message(message, ok=False)
