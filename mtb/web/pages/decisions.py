"""The case page's writes: status, curation, case summary, recommendations and the meeting a
case is on. Thin: each takes the signed-in user from the session (never from the request
body) and calls the store, which checks the role, the case's lock and the version, then redraws
what changed. A refused write is a message on the page; nothing is half-applied."""

from __future__ import annotations

from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update

from layouts import ids
from layouts.board import audit_table, board_message, curation_form, decision_panel
from mtb.board import finding_key
from mtb.store import Store
from mtb.web import boundary
from mtb.web.auth import current_actor
from mtb.web.board import board_view, finding_choices
from mtb.web.library import CaseLibrary


def register(app: Dash, library: CaseLibrary, store: Store) -> None:
    def write(act: Any) -> boundary.Outcome[Any]:
        return boundary.as_user(store, "saving", act, internal=boundary.NOT_SAVED)

    @app.callback(
        Output(ids.RELOAD, "href"),
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
        saved = write(lambda actor: store.set_status(case_id, status, actor, int(version or 0)))
        if saved.ok:
            return f"/case/{case_id}", no_update  # redraw everything: a final case locks
        return no_update, board_message(saved.message, ok=False)

    @app.callback(
        Output(ids.RELOAD, "href", allow_duplicate=True),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Input(ids.CONFIRM_FINAL, "submit_n_clicks"),
        State(ids.CASE_ID, "data"),
        State(ids.SUMMARY_VERSION, "data"),
        State(ids.CASE_VERSION, "data"),
        prevent_initial_call=True,
    )
    def finalize(confirmed: int | None, case_id: str, version: int,
                 annotation: int | None) -> Any:
        """'Mark final' after the browser's confirmation (it cannot be undone): pins the
        annotation version the page showed (refused when a newer one arrived meanwhile) and
        queues the job that keeps its report as issued."""
        if not confirmed:
            return no_update, no_update
        saved = write(lambda actor: store.set_status(
            case_id, "final", actor, int(version or 0),
            annotation_version=int(annotation) if annotation else None))
        if saved.ok:
            library.library.finalized(case_id)
            return f"/case/{case_id}", no_update
        return no_update, board_message(saved.message, ok=False)

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
        opened = boundary.attempt("opening a case", lambda: library.open(case_id).case)
        if not opened.ok:
            return no_update, board_message(opened.message, ok=False), no_update, no_update
        key = str((target or {}).get("key", ""))
        found = [(row, v) for row, v in enumerate(opened.value.annotation.variants)
                 if finding_key(v) == key]
        if not found:
            return (no_update, board_message("This finding is no longer in the case (its files "
                                             "changed): reload the page.", ok=False),
                    no_update, no_update)
        row, variant = found[0]
        saved = write(lambda actor: store.curate(
            case_id, key, actor, int(target.get("version") or 0),
            oncogenicity=oncogenicity or "", tier_override=tier or "",
            override_reason=reason or "", comment=comment or "", in_report=bool(in_report)))
        if not saved.ok:  # keep what the curator typed: the message says what to do
            return no_update, board_message(saved.message, ok=False), no_update, no_update
        actor = current_actor(store)
        form = curation_form(row, variant, saved.value,
                             may_curate=bool(actor and actor.may("curate")), final=False)
        return (form.children, board_message("Saved.", ok=True),
                audit_table(store.audit(case_id)).children, saved.value.case_version)

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
        saved = write(lambda actor: store.set_summary(case_id, text or "", actor,
                                                      int(version or 0)))
        return (saved.value.version if saved.ok else no_update,  # this write's version
                board_message("Saved." if saved.ok else saved.message, ok=saved.ok),
                audit_table(store.audit(case_id)).children)

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
        # a case that exists, with these findings
        opened = boundary.attempt("opening a case", lambda: library.open(case_id).case)
        if not opened.ok:
            return no_update, board_message(opened.message, ok=False), no_update, no_update
        choices = finding_choices(opened.value)
        if isinstance(trigger, dict):
            saved = write(lambda actor: store.withdraw(int(trigger["id"]), actor,
                                                       int(trigger["version"])))
        elif not set(findings or ()) <= {key for key, _ in choices}:
            saved = boundary.Outcome(False, message="A chosen finding is not in this case; "
                                     "reload.")
        else:
            saved = write(lambda actor: store.recommend(
                case_id, actor, kind=kind or "therapy", text=text or "",
                evidence_grade=grade or "", amp_tier=tier or "", rationale=rationale or "",
                finding_keys=tuple(findings or ())))
        if not saved.ok:  # keep the form as typed
            return no_update, board_message(saved.message, ok=False), no_update, no_update
        board = board_view(store, case_id, current_actor(store))
        panel = decision_panel(board.record, board.recommendations, choices,
                               may_decide=board.may_decide)
        return (panel.children, board_message("Saved.", ok=True),
                audit_table(board.audit).children, saved.value.case_version)

    @app.callback(
        Output(ids.RELOAD, "href", allow_duplicate=True),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Input(ids.CASE_MEETING, "value"),
        State(ids.CASE_ID, "data"),
        State(ids.SUMMARY_VERSION, "data"),
        prevent_initial_call=True,
    )
    def assign(meeting: int | None, case_id: str, version: int) -> Any:
        """Put the case on a meeting's agenda (the chair chooses on the case page)."""
        if store.case_record(case_id).meeting_id == meeting:
            return no_update, no_update
        saved = write(lambda actor: store.assign_meeting(case_id, meeting, actor,
                                                         int(version or 0)))
        if saved.ok:
            return f"/case/{case_id}", no_update
        return no_update, board_message(saved.message, ok=False)
