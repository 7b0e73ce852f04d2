"""`/trials` (the portfolio and "which of our patients fit this trial?") and the case page's
Trials section. Thin: the portfolio is read by mtb.trials.portfolio, patients and trials are
matched by mtb.trials (search, recruitment), and layouts/trials.py draws the records.

The case page's section is filled after the page is drawn (ClinicalTrials.gov, when live, may
take seconds; the rest of the page must not wait for it). Every recruitment query is written to
the audit log with the signed-in user: who asked which trial, when, how many patients matched.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Dash, Input, Output, State, ctx, no_update

from layouts import ids
from layouts.messages import error_message
from layouts.trials import case_trials, patients_result, trials_page
from mtb.errors import InputError
from mtb.i18n import N_, _
from mtb.store import Store
from mtb.trials.ctgov import CtgovClient
from mtb.trials.eligibility import read_study
from mtb.trials.portfolio import load_portfolio
from mtb.trials.profile import profile_of
from mtb.trials.recruitment import recruit, site_profiles
from mtb.trials.search import trials_for
from mtb.web import boundary
from mtb.web.auth import current_actor
from mtb.web.frame import framed
from mtb.web.library import CaseLibrary
from mtb.web.trigger import pressed


def register(app: Dash, library: CaseLibrary, store: Store) -> None:
    settings = library.settings

    def client() -> CtgovClient:
        """Live when MTB_LIVE=1; otherwise it answers from its cache only."""
        return CtgovClient.in_data_dir(settings.ctgov_url, settings.data_dir,
                                       live=settings.live)

    def is_gene(symbol: str) -> bool:
        return library.kb.genes.exon_count(symbol) is not None

    def layout(**_query: Any) -> Any:
        def build() -> Any:
            portfolio = load_portfolio(settings.trials_folder)
            registry = (_("An NCT id outside the portfolio is looked up on ClinicalTrials.gov.")
                        if settings.live else _("Offline: an NCT id outside the portfolio is "
                        "answered only from ClinicalTrials.gov answers kept earlier."))
            return framed(store, trials_page(portfolio.trials, _problems(portfolio.errors),
                                             str(portfolio.folder), registry))
        return boundary.page(N_("The trials"), build, lambda *c: framed(store, *c))

    dash.register_page("trials", path="/trials", layout=layout,
                       title=lambda **_kw: "mtb · " + _("trials"), order=3)

    @app.callback(
        Output(ids.CASE_TRIALS, "children"),
        Input(ids.CASE_TRIALS_REQUEST, "data"),
    )
    def case_section(case_id: str | None) -> Any:
        if not case_id:
            return no_update
        found = boundary.attempt("matching trials", lambda: _for_case(case_id))
        if not found.ok:
            return error_message(_("Trials cannot be matched"), found.message)
        return found.value

    def _for_case(case_id: str) -> Any:
        case = library.open(case_id).case
        profile = profile_of(case, store.curations(case_id))
        portfolio = load_portfolio(settings.trials_folder)
        found = trials_for(profile, portfolio, client(), is_gene,
                           location=settings.ctgov_location)
        actor = current_actor(store)
        record = store.case_record(case_id)
        may = bool(actor and actor.may("decide")) and record.status != "final"
        return case_trials(found.portfolio, found.registry, found.registry_note,
                           portfolio_size=found.portfolio_size,
                           problems=_problems(found.portfolio_errors), may_propose=may)

    @app.callback(
        Output(ids.RECOMMEND_KIND, "value"),
        Output(ids.RECOMMEND_TEXT, "value"),
        Output(ids.RECOMMEND_NCT, "value"),
        Input({"type": ids.TRIAL_PROPOSE, "index": ALL}, "n_clicks"),
        State(ids.TRIAL_PROPOSALS, "data"),
        prevent_initial_call=True,
    )
    def propose(clicks: list[int | None], proposals: list[dict[str, str]] | None) -> Any:
        """'Propose for the board': the chair's recommendation form, filled with the trial
        (kind clinical trial, its title and arm, its NCT id); saving stays the chair's act."""
        trigger = ctx.triggered_id
        if not pressed(type_=ids.TRIAL_PROPOSE) or not isinstance(trigger, dict):
            return no_update, no_update, no_update
        try:
            chosen = (proposals or [])[int(trigger["index"])]
        except (KeyError, IndexError, TypeError, ValueError):
            return no_update, no_update, no_update
        arm = f", arm {chosen['arm']}" if chosen.get("arm") else ""
        ident = chosen["trial"] if chosen["trial"] != chosen.get("nct_id") else ""
        label = f" ({ident}{arm})" if ident or arm else ""
        return "trial", f"{chosen['title']}{label}"[:500], chosen.get("nct_id", "")

    @app.callback(
        Output(ids.TRIAL_PATIENTS, "children"),
        Input(ids.TRIAL_QUERY, "n_clicks"),
        State(ids.TRIAL_CHOICE, "value"),
        State(ids.TRIAL_NCT, "value"),
        prevent_initial_call=True,
    )
    def find_patients(_n: int | None, chosen: str | None, nct: str | None) -> Any:
        if not pressed(ids.TRIAL_QUERY):  # audited: only on the button, never on a redraw
            return no_update
        actor = current_actor(store)
        if actor is None:
            return error_message(_("Not signed in"), _(boundary.SESSION_ENDED))
        wanted = (nct or "").strip() or (chosen or "")
        if not wanted:
            return error_message(_("Which trial?"), _("Choose a trial of the portfolio or "
                                                       "give an NCT id."))
        found = boundary.attempt("finding patients for a trial",
                                 lambda: _patients(wanted, actor.name))
        if not found.ok:
            return error_message(_("Patients cannot be found"), found.message)
        return found.value

    def _patients(wanted: str, user: str) -> Any:
        portfolio = load_portfolio(settings.trials_folder)
        trial: Any = portfolio.find(wanted)
        if trial is None:
            if not wanted.upper().startswith("NCT"):
                raise InputError("trials", _("no trial '{wanted}' in the portfolio",
                                             wanted=wanted))
            trial = read_study(client().study(wanted), is_gene)
        annotated = [row.case_id for row in library.summaries() if row.version is not None]
        site = site_profiles(annotated, lambda case_id: library.open(case_id).case,
                             store.curations)
        found = recruit(trial, site)
        store.log_event(user, "trial_patients", "",
                        f"patients for trial {found.trial_id}: {len(found.case_ids)} of "
                        f"{found.patients} cases")
        diagnoses = {p.case_id: p.diagnosis.shown for p in site.profiles}
        return patients_result(found.trial_id, found.title, found.source, found.matches,
                               diagnoses, found.patients, found.counts, found.skipped)


def _problems(errors: Any) -> list[str]:
    """Portfolio files that could not be read, by file name and problem (no server path)."""
    out = []
    for error in errors:
        name = str(getattr(error, "path", "")).rsplit("/", 1)[-1]
        line = f", line {error.line}" if getattr(error, "line", None) else ""
        out.append(f"{name}{line}: {getattr(error, 'problem', error)}")
    return out
