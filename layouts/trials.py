"""Trials on the case page and the Trials page: pure functions of matching records.

A board reads a trial arm as a sentence: which trial, which arm, recruiting or not, and then
what matched (which finding, which criterion), what is unknown and what excludes. Status and
kind are written as words, never as colour alone (the shared screen is read from the back of
the room). What ClinicalTrials.gov says is marked as read from the record's text, and when the
registry was not asked the section says so, so an empty list is never mistaken for "no trial".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import ComponentSingleType as Child

from layouts import ids
from layouts.a11y import hidden_label
from layouts.links import href
from mtb.i18n import N_, _
from mtb.i18n.terms import term
from mtb.trials.model import (
    EXCLUDED,
    EXCLUDING,
    MATCH,
    MATCHED,
    MISSING,
    POSSIBLE,
    UNKNOWN,
    ArmMatch,
    Trial,
)

STUDY_URL = "https://clinicaltrials.gov/study/"
_STATUS_COLOR = {MATCH: "success", POSSIBLE: "warning", EXCLUDED: "secondary"}
_KIND_WORD = {MATCHED: N_("matched"), UNKNOWN: N_("unknown"), EXCLUDING: N_("excludes"),
              MISSING: N_("not met")}


def status_badge(status: str) -> dbc.Badge:
    return dbc.Badge(term(status), color=_STATUS_COLOR.get(status, "light"),
                     text_color="dark" if status == POSSIBLE else None,
                     className=f"trial-status trial-status-{status.replace(' ', '-')}")


def nct_link(nct_id: str) -> html.A | None:
    if not nct_id:
        return None
    return html.A(nct_id, href=STUDY_URL + nct_id, target="_blank", rel="noopener noreferrer",
                  className="nct-link")


def reasons(match: ArmMatch) -> html.Ul:
    """Matched first, then unknown, then what excludes; each line says which it is."""
    order = {MATCHED: 0, UNKNOWN: 1, EXCLUDING: 2, MISSING: 2}
    items = []
    for reason in sorted(match.reasons, key=lambda r: order.get(r.kind, 3)):
        text = reason.text + (" (" + _("read from text") + ")" if reason.from_text and
                              "read from" not in reason.text else "")
        items.append(html.Li([html.Span(_(_KIND_WORD.get(reason.kind, reason.kind)) + ": ",
                                        className=f"reason-kind reason-{reason.kind}"), text],
                             className=f"reason reason-{reason.kind}"))
    return html.Ul(items, className="trial-reasons small mb-1")


def arm_card(match: ArmMatch, *, propose: int | None = None) -> html.Div:
    """One trial arm for one patient. `propose`: the index of a 'Propose for the board'
    button (for the chair; it fills the recommendation form)."""
    recruiting = _("recruiting") if match.recruiting else (
        _("arm suspended") if match.trial_open else _("not recruiting"))
    heading = [html.Strong(match.trial_id), " ", nct_link(match.nct_id) if match.nct_id !=
               match.trial_id else None,
               html.Span(" · " + _("arm {arm}", arm=match.arm) if match.arm else "",
                         className="text-muted"),
               " ", status_badge(match.status),
               html.Span(f" {recruiting}", className="small text-muted")]
    if match.source != "portfolio":
        heading = [nct_link(match.nct_id), " ", status_badge(match.status),
                   html.Span(f" {recruiting}", className="small text-muted")]
    button = None
    if propose is not None:
        button = dbc.Button(_("Propose for the board"), size="sm", color="link",
                            className="p-0 ms-2 trial-propose",
                            id={"type": ids.TRIAL_PROPOSE, "index": propose})
    return html.Div([
        html.Div([*heading, button], className="trial-heading"),
        html.Div(match.title, className="trial-title small"),
        reasons(match),
    ], className=f"trial-arm trial-{match.status.replace(' ', '-')}",
        id={"type": ids.TRIAL_ARM, "trial": match.trial_id, "arm": match.arm})


def case_trials(
    portfolio: Sequence[ArmMatch], registry: Sequence[ArmMatch], registry_note: str, *,
    portfolio_size: int, problems: Sequence[str] = (), may_propose: bool = False,
) -> list[Child]:
    """The Trials section's content: the portfolio's arms, then ClinicalTrials.gov's studies.
    `problems`: portfolio files that could not be read (the others still matched)."""
    arms = [*portfolio, *registry]
    proposals = [{"trial": m.trial_id, "nct_id": m.nct_id, "arm": m.arm, "title": m.title}
                 for m in arms]
    own: list[Child] = [html.H5(_("The site's trials"), className="section-subtitle")]
    if not portfolio_size:
        own.append(html.P(_("The site's portfolio is empty: add CTML files with `mtb trials "
                            "add FILE...` (MTB_TRIALS_DIR)."), className="text-muted small"))
    elif not portfolio:
        own.append(html.P(_("None of the {n} trials of the portfolio is about this "
                            "patient's findings or tumor type.", n=portfolio_size),
                          className="text-muted"))
    own += [arm_card(m, propose=i if may_propose else None) for i, m in enumerate(portfolio)]
    if problems:
        own.append(dbc.Alert([html.Div(_("Trial files that could not be read (left out):")),
                              html.Ul([html.Li(p) for p in problems], className="mb-0")],
                             color="warning", className="small py-2"))
    registry_part: list[Child] = [
        html.H5("ClinicalTrials.gov", className="section-subtitle mt-3"),
        html.P(registry_note, className="small text-muted registry-note", id=ids.TRIALS_NOTE)]
    offset = len(portfolio)
    registry_part += [arm_card(m, propose=offset + i if may_propose else None)
                      for i, m in enumerate(registry)]
    return [dcc.Store(id=ids.TRIAL_PROPOSALS, data=proposals), *own, *registry_part]


def trials_placeholder(case_id: str) -> html.Div:
    """The case page's Trials section before matching has run (it runs after the page is
    drawn: ClinicalTrials.gov may take seconds)."""
    return html.Div([
        html.H3(_("Trials"), className="section-title"),
        dcc.Store(id=ids.CASE_TRIALS_REQUEST, data=case_id),
        dcc.Loading(html.Div(html.P(_("Matching the site's trials …"), className="text-muted"),
                             id=ids.CASE_TRIALS), type="dot"),
    ], className="case-trials mt-3")


# -- the Trials page -------------------------------------------------------------------------------


def portfolio_table(trials: Sequence[Trial]) -> Child:
    if not trials:
        return dbc.Alert(_("The portfolio is empty: add the site's trials as CTML files with "
                           "`mtb trials add FILE...` (they are kept in MTB_TRIALS_DIR)."),
                         color="info")
    rows = []
    for trial in trials:
        with_criteria = [a for a in trial.arms if a.match is not None]
        open_arms = sum(1 for a in with_criteria if not a.suspended)
        rows.append(html.Tr([
            html.Td([html.Strong(trial.id), html.Br(), nct_link(trial.nct_id)]),
            html.Td([trial.label, html.Div(", ".join(trial.drugs), className="small text-muted")
                     if trial.drugs else None]),
            html.Td(trial.phase),
            html.Td(trial.status if trial.open else html.Span(trial.status,
                                                              className="text-muted")),
            html.Td(_("{open} of {total} open", open=open_arms, total=len(with_criteria)),
                    className="num"),
            html.Td(", ".join(trial.genes) or "—"),
        ]))
    return dbc.Table([html.Thead(html.Tr([html.Th(_(h)) for h in (
        N_("Trial"), N_("Title"), N_("Phase"), N_("Status"), N_("Arms"), N_("Genes"))])),
        html.Tbody(rows)],
        size="sm", hover=True, className="portfolio-table", id=ids.TRIALS_TABLE)


def trials_page(trials: Sequence[Trial], problems: Sequence[str], folder: str,
                registry: str) -> html.Div:
    """The portfolio and the recruitment query. `registry`: whether an NCT id outside the
    portfolio can be asked of ClinicalTrials.gov (and since when its answer is), in words."""
    options = [{"label": f"{t.id} · {t.label}"[:120], "value": t.id} for t in trials]
    return html.Div([
        dcc.Link(_("← Agenda"), href=href("/"), className="btn btn-link btn-sm ps-0"),
        html.H2(_("Trials"), className="section-title"),
        html.P(_("The site's portfolio: {n} trials in {folder}.", n=len(trials), folder=folder),
               className="small text-muted"),
        portfolio_table(trials),
        dbc.Alert([html.Div(_("Trial files that could not be read (left out):")),
                   html.Ul([html.Li(p) for p in problems], className="mb-0")],
                  color="warning", className="small") if problems else None,
        html.H3(_("Which of our patients fit this trial?"), className="section-title mt-4"),
        dbc.Row([
            dbc.Col([hidden_label(_("Trial"), ids.TRIAL_CHOICE),
                     dcc.Dropdown(id=ids.TRIAL_CHOICE, options=options, placeholder=
                                  _("a trial of the portfolio"))], md=6),
            dbc.Col(dbc.Input(id=ids.TRIAL_NCT, placeholder=_("or an NCT id"), maxLength=11),
                    md=3),
            dbc.Col(dbc.Button(_("Find patients"), id=ids.TRIAL_QUERY, color="primary"), md=3),
        ], className="g-2 align-items-center"),
        html.P(registry, className="small text-muted mt-1"),
        html.P(_("Each query is recorded in the audit log (who asked which trial, when)."),
               className="small text-muted"),
        dcc.Loading(html.Div(id=ids.TRIAL_PATIENTS), type="dot"),
    ], className="trials-page")


def patients_result(
    trial_id: str, title: str, source: str, matches: Sequence[ArmMatch],
    diagnoses: Mapping[str, str], checked: int, counts: Mapping[str, int],
    skipped: Sequence[tuple[str, str]] = (),
) -> html.Div:
    """The recruitment query's answer: counts, then one row per patient and arm."""
    cases = list(dict.fromkeys(m.case_id for m in matches))
    summary = ", ".join(f"{n} {term(status)}" for status, n in counts.items()) or _("none")
    parts: list[Child] = [
        html.H5([f"{trial_id} · {title}"], className="section-subtitle"),
        html.P(_("{n} of {checked} patients ({summary}); source: {source}.", n=len(cases),
                 checked=checked, summary=summary, source=term(source)),
               className="recruitment-summary"),
    ]
    if source != "portfolio":
        parts.append(html.P(_("Eligibility read from the record's text: check the full "
                              "criteria with the study team."), className="small text-muted"))
    if matches:
        rows = [html.Tr([
            html.Td(dcc.Link(m.case_id, href=href(f"/case/{m.case_id}"))),
            html.Td(diagnoses.get(m.case_id, "")),
            html.Td(m.arm or "—"),
            html.Td([status_badge(m.status),
                     html.Div(_("recruiting") if m.recruiting else _("not recruiting"),
                              className="small text-muted")]),
            html.Td(reasons(m)),
        ], id={"type": ids.TRIAL_PATIENT, "case": m.case_id, "arm": m.arm}) for m in matches]
        parts.append(dbc.Table([html.Thead(html.Tr([html.Th(_(h)) for h in (
            N_("Case"), N_("Diagnosis"), N_("Arm"), N_("Status"), N_("Why"))])),
            html.Tbody(rows)],
            size="sm", className="patients-table"))
    else:
        parts.append(dbc.Alert(_("No patient of the site matches this trial."), color="info"))
    if skipped:
        parts.append(dbc.Alert([html.Div(_("Cases that could not be opened (not checked):")),
                                html.Ul([html.Li(f"{c}: {why}") for c, why in skipped],
                                        className="mb-0")], color="warning", className="small"))
    return html.Div(parts, className="recruitment")
