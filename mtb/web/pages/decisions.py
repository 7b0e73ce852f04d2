"""The case page's writes: status, curation, case summary, recommendations, the meeting a
case is on and the tumor type a curator chose. Thin: each takes the signed-in user from the
session (never from the request body) and calls the store, which checks the role, the case's
lock and the version, then redraws what changed. A refused write is a message on the page;
nothing is half-applied."""

from __future__ import annotations

from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update

from layouts import ids
from layouts.board import AUDIT_PAGE, board_message, curation_form, decision_panel
from layouts.links import href
from layouts.tumor_type import matching_options
from mtb.board import finding_key
from mtb.errors import StorageError
from mtb.i18n import gettext
from mtb.library import tumor_type_terms
from mtb.store import Store
from mtb.web import boundary
from mtb.web.auth import current_actor
from mtb.web.board import advanced, audit_page, board_view, finding_choices
from mtb.web.library import CaseLibrary
from mtb.web.trigger import pressed


def register(app: Dash, library: CaseLibrary, store: Store) -> None:
    def write(act: Any, case_id: Any = None) -> boundary.Outcome[Any]:
        """`act` as the signed-in user; with `case_id`, only for a case the library has (a
        forged request cannot write a summary or a status for a case that does not exist)."""
        def checked(actor: Any) -> Any:
            if case_id is not None:
                library.entry(_text(case_id))
            return act(actor)
        return boundary.as_user(store, "saving", checked, internal=boundary.NOT_SAVED)

    def revision_after(shown: Any, saved: Any) -> Any:
        """The page's case revision after the user's own write (mtb.web.board.advanced)."""
        after = getattr(saved, "case_revision", None)
        if after is None:
            after = getattr(saved, "revision", None)
        if after is None:
            return no_update
        new = advanced(shown, after - 1, after)
        return new if new != shown else no_update

    @app.callback(
        Output(ids.RELOAD, "href"),
        Output(ids.BOARD_MESSAGE, "children"),
        Input({"type": ids.STATUS_BUTTON, "status": ALL}, "n_clicks"),
        State(ids.CASE_ID, "data"),
        State(ids.RECORD_VERSION, "data"),
        prevent_initial_call=True,
    )
    def change_status(clicks: list[int | None], case_id: str, version: int) -> Any:
        if not pressed(type_=ids.STATUS_BUTTON):
            return no_update, no_update
        status = ctx.triggered_id["status"]
        saved = write(lambda actor: store.set_status(case_id, status, actor, _int(version)),
                      case_id)
        if saved.ok:
            return href(f"/case/{case_id}"), no_update  # redraw everything: a final case locks
        return no_update, board_message(saved.message, ok=False)

    @app.callback(
        Output(ids.RELOAD, "href", allow_duplicate=True),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Input(ids.CONFIRM_FINAL, "submit_n_clicks"),
        State(ids.CASE_ID, "data"),
        State(ids.RECORD_VERSION, "data"),
        State(ids.CASE_REVISION, "data"),
        State(ids.CASE_VERSION, "data"),
        prevent_initial_call=True,
    )
    def finalize(confirmed: int | None, case_id: str, version: int, revision: int,
                 annotation: int | None) -> Any:
        """'Mark final' after the browser's confirmation (it cannot be undone), on the case's
        revision the page showed (refused when anything changed since): pins the annotation
        version the page showed (refused when a newer one arrived meanwhile) and queues the job
        that keeps its report as issued."""
        if not pressed(ids.CONFIRM_FINAL):
            return no_update, no_update
        saved = write(lambda actor: store.set_status(
            case_id, "final", actor, _int(version), revision=_int(revision),
            annotation_version=int(annotation) if annotation else None), case_id)
        if saved.ok:
            library.library.finalized(case_id)
            return href(f"/case/{case_id}"), no_update
        return no_update, board_message(saved.message, ok=False)

    @app.callback(
        Output(ids.CURATION, "children"),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Output(ids.AUDIT, "children"),
        Output(ids.CASE_REVISION, "data", allow_duplicate=True),
        Input(ids.CURATE_SAVE, "n_clicks"),
        State(ids.CURATION_ROW, "data"),
        State(ids.CURATE_ONCOGENICITY, "value"),
        State(ids.CURATE_TIER, "value"),
        State(ids.CURATE_REASON, "value"),
        State(ids.CURATE_COMMENT, "value"),
        State(ids.CURATE_IN_REPORT, "value"),
        State(ids.CASE_ID, "data"),
        State(ids.CASE_REVISION, "data"),
        prevent_initial_call=True,
    )
    def save_curation(_n: int, target: dict[str, Any], oncogenicity: str, tier: str,
                      reason: str, comment: str, in_report: bool, case_id: str,
                      shown: int | None) -> Any:
        """The finding is named by its key as the page showed it; a case whose files changed
        since (the key is gone) is refused, never curated on whatever now sits at that row.
        Only a click on "Save curation" saves: the form appearing sets this callback off too."""
        if not pressed(ids.CURATE_SAVE):
            return no_update, no_update, no_update, no_update
        opened = boundary.attempt("opening a case", lambda: library.open(case_id).case)
        if not opened.ok:
            return no_update, board_message(opened.message, ok=False), no_update, no_update
        if not isinstance(target, dict):
            return (no_update, board_message(gettext("Reload the page."), ok=False), no_update,
                    no_update)
        key = str(target.get("key", ""))
        assert opened.value is not None  # an ok outcome carries its value
        found = [(row, v) for row, v in enumerate(opened.value.annotation.variants)
                 if finding_key(v) == key]
        if not found:
            return (no_update, board_message(gettext(
                "This finding is no longer in the case (its files changed): reload the page."),
                ok=False),
                    no_update, no_update)
        row, variant = found[0]
        saved = write(lambda actor: store.curate(
            case_id, key, actor, _int(target.get("version")),
            oncogenicity=_text(oncogenicity), tier_override=_text(tier),
            override_reason=_text(reason), comment=_text(comment), in_report=in_report is True))
        if not saved.ok:  # keep what the curator typed: the message says what to do
            return no_update, board_message(saved.message, ok=False), no_update, no_update
        actor = current_actor(store)
        form = curation_form(row, variant, saved.value,
                             may_curate=bool(actor and actor.may("curate")), final=False)
        return (form.children, board_message(gettext("Saved."), ok=True),
                audit_page(store, case_id),
                revision_after(shown, saved.value))

    @app.callback(
        Output(ids.SUMMARY_VERSION, "data", allow_duplicate=True),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Output(ids.AUDIT, "children", allow_duplicate=True),
        Output(ids.CASE_REVISION, "data", allow_duplicate=True),
        Input(ids.SUMMARY_SAVE, "n_clicks"),
        State(ids.SUMMARY_TEXT, "value"),
        State(ids.SUMMARY_VERSION, "data"),
        State(ids.CASE_ID, "data"),
        State(ids.CASE_REVISION, "data"),
        prevent_initial_call=True,
    )
    def save_summary(_n: int, text: str, version: int, case_id: str,
                     shown: int | None) -> Any:
        """Saved over the summary's own version: a colleague's curation meanwhile does not
        refuse it (issue 12, point 7), another summary save does."""
        if not pressed(ids.SUMMARY_SAVE):
            return no_update, no_update, no_update, no_update
        saved = write(lambda actor: store.set_summary(case_id, _text(text), actor,
                                                      _int(version)), case_id)
        if not saved.ok:
            return no_update, board_message(saved.message, ok=False), no_update, no_update
        assert saved.value is not None  # an ok outcome carries its value
        return (saved.value.summary_version, board_message(gettext("Saved."), ok=True),
                audit_page(store, case_id), revision_after(shown, saved.value))

    @app.callback(
        Output(ids.DECISIONS, "children"),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Output(ids.AUDIT, "children", allow_duplicate=True),
        Output(ids.CASE_REVISION, "data", allow_duplicate=True),
        Input(ids.RECOMMEND_SAVE, "n_clicks"),
        Input({"type": ids.WITHDRAW, "id": ALL, "version": ALL}, "n_clicks"),
        State(ids.RECOMMEND_KIND, "value"),
        State(ids.RECOMMEND_TEXT, "value"),
        State(ids.RECOMMEND_GRADE, "value"),
        State(ids.RECOMMEND_TIER, "value"),
        State(ids.RECOMMEND_RATIONALE, "value"),
        State(ids.RECOMMEND_FINDINGS, "value"),
        State(ids.RECOMMEND_NCT, "value"),
        State(ids.CASE_ID, "data"),
        State(ids.CASE_REVISION, "data"),
        prevent_initial_call=True,
    )
    def decide(_save: int, withdraws: list[int | None], kind: str, text: str, grade: str,
               tier: str, rationale: str, findings: list[str] | None, nct_id: str | None,
               case_id: str, shown: int | None) -> Any:
        trigger = ctx.triggered_id
        if not (pressed(ids.RECOMMEND_SAVE) or pressed(type_=ids.WITHDRAW)):
            return no_update, no_update, no_update, no_update
        # a case that exists, with these findings
        opened = boundary.attempt("opening a case", lambda: library.open(case_id).case)
        if not opened.ok:
            return no_update, board_message(opened.message, ok=False), no_update, no_update
        assert opened.value is not None  # an ok outcome carries its value
        choices = finding_choices(opened.value)
        if isinstance(trigger, dict):
            saved = write(lambda actor: store.withdraw(_int(trigger.get("id")), actor,
                                                       _int(trigger.get("version"))))
        elif not isinstance(findings, list | None) or \
                not set(findings or ()) <= {key for key, _ in choices}:
            saved = boundary.Outcome(False, message=gettext(
                "A chosen finding is not in this case; reload."))
        else:
            saved = write(lambda actor: store.recommend(
                case_id, actor, kind=_text(kind) or "therapy", text=_text(text),
                evidence_grade=_text(grade), amp_tier=_text(tier), rationale=_text(rationale),
                finding_keys=tuple(findings or ()), nct_id=_text(nct_id)))
        if not saved.ok:  # keep the form as typed
            return no_update, board_message(saved.message, ok=False), no_update, no_update
        board = board_view(store, case_id, current_actor(store))
        panel = decision_panel(board.record, board.recommendations, choices,
                               may_decide=board.may_decide)
        return (panel.children, board_message(gettext("Saved."), ok=True),
                audit_page(store, case_id),
                revision_after(shown, saved.value))

    @app.callback(
        Output(ids.AUDIT, "children", allow_duplicate=True),
        Input(ids.AUDIT_OLDER, "n_clicks"),
        Input(ids.AUDIT_NEWER, "n_clicks"),
        State(ids.AUDIT_SKIP, "data"),
        State(ids.CASE_ID, "data"),
        prevent_initial_call=True,
    )
    def page_audit(_older: int | None, _newer: int | None, skip: int | None,
                   case_id: str) -> Any:
        """The audit log a page at a time (the case page shows the newest AUDIT_PAGE)."""
        if pressed(ids.AUDIT_OLDER):
            step = AUDIT_PAGE
        elif pressed(ids.AUDIT_NEWER):
            step = -AUDIT_PAGE
        else:
            return no_update
        shown = boundary.attempt("reading the audit log", lambda: audit_page(
            store, _text(case_id), max(0, _int(skip) + step)))
        return shown.value if shown.ok else no_update

    @app.callback(
        Output(ids.RELOAD, "href", allow_duplicate=True),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Input(ids.CASE_MEETING, "value"),
        State(ids.CASE_ID, "data"),
        State(ids.RECORD_VERSION, "data"),
        prevent_initial_call=True,
    )
    def assign(meeting: int | None, case_id: str, version: int) -> Any:
        """Put the case on a meeting's agenda (the chair chooses on the case page)."""
        if store.case_record(case_id).meeting_id == meeting:
            return no_update, no_update
        saved = write(lambda actor: store.assign_meeting(
            case_id, None if meeting is None else _int(meeting), actor, _int(version)), case_id)
        if saved.ok:
            return href(f"/case/{case_id}"), no_update
        return no_update, board_message(saved.message, ok=False)

    @app.callback(
        Output(ids.RELOAD, "href", allow_duplicate=True),
        Output(ids.BOARD_MESSAGE, "children", allow_duplicate=True),
        Input(ids.TUMOR_TYPE_SAVE, "n_clicks"),
        State(ids.TUMOR_TYPE_CHOICE, "value"),
        State(ids.TUMOR_TYPE_REASON, "value"),
        State(ids.CASE_ID, "data"),
        prevent_initial_call=True,
    )
    def choose_tumor_type(_n: int | None, doid: Any, reason: Any, case_id: Any) -> Any:
        """A curator's choice of the tumor type: stored, audited, and the case annotated
        again with it (mtb.library.Library.set_tumor_type); the page is drawn again and says
        the re-annotation is under way."""
        if not pressed(ids.TUMOR_TYPE_SAVE):
            return no_update, no_update
        saved = write(lambda actor: library.library.set_tumor_type(
            _text(case_id), _text(doid), actor, _text(reason)), case_id)
        if saved.ok:
            return href(f"/case/{_text(case_id)}"), no_update
        return no_update, board_message(saved.message, ok=False)

    _tumor_type_search(app)


def _tumor_type_search(app: Dash) -> None:
    """The tumor types offered for what the curator types (layouts.tumor_type: the page
    starts with the suggestions only)."""

    @app.callback(
        Output(ids.TUMOR_TYPE_CHOICE, "options"),
        Input(ids.TUMOR_TYPE_CHOICE, "search_value"),
        State(ids.TUMOR_TYPE_START, "data"),
        State(ids.TUMOR_TYPE_CHOICE, "options"),
        State(ids.TUMOR_TYPE_CHOICE, "value"),
        prevent_initial_call=True,
    )
    def offer(typed: Any, start: Any, shown: Any, chosen: Any) -> Any:
        """Nothing typed: the page's first options again; else the matches, behind the way
        back to the text and the term already chosen (it must stay one of the options)."""
        start = [o for o in start or [] if isinstance(o, dict)
                 and isinstance(o.get("value"), str)]
        held = [o for o in shown or [] if isinstance(o, dict) and isinstance(chosen, str)
                and o.get("value") == chosen and chosen not in {s["value"] for s in start}]
        if not isinstance(typed, str) or not typed.strip():  # also right after a choice
            return start + held
        keep = [o for o in [*start, *held] if o.get("value") in ("", chosen)]
        return matching_options(tumor_type_terms(), typed[:100],
                                list({o["value"]: o for o in keep}.values()))


def _text(value: Any) -> str:
    """A text field of a callback as typed; a request that sends anything else (a number, a
    list) was not made by the page and is refused, never stored."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise StorageError("a malformed request was refused; reload the page")
    return value


def _int(value: Any) -> int:
    """A version or id of a callback (None: 0, nothing loaded yet)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise StorageError("a malformed request was refused; reload the page")
    return value
